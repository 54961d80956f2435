"""The pre-game model's walk-forward probability for the first three quarters only, Elo's from the 4th quarter on.

Why: the walk-forward probability of the pre-game model (docs/results/predictions.csv) is the better pre-game
forecast, and in the in-game trees it gains Q1-Q3 by a wide margin; but it cost Q4 and the last five minutes, both
as the only source (``bench/ingame_pregame_validation.py``) and beside Elo's
(``bench/ingame_two_priors_validation.py``). A model split by phase keeps each where it is better: in periods 1-3
the trees fitted on the walk-forward probability, from the 4th quarter on the shipped model (trees and late logistic
on Elo's), so Q4 and the last five minutes are the shipped model's by construction. Serving would pass both
probabilities and the model document would carry two tree ensembles. Same states, folds and recipe as the other bench
scripts; 2018-19 is never read.

Rule, fixed before the run: the split ships only if its Q1, Q2 and Q3 leave-one-season-out means are each lower
than the shipped recipe's, and so are its Q1, Q2 and Q3 on the latest forward fold (-> 2017-18); Q4 and last_5_min
must equal the shipped recipe's (checked, not assumed).

Run: `.venv/bin/python bench/ingame_phase_prior_validation.py` (states cached in /tmp/ingame_states.parquet).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import (  # noqa: E402
    fold_table,
    rule_lines,
    score_shared_fit,
    shipped_recipe,
    walk_forward_states,
)
from courtside.models.ingame_report import BINS  # noqa: E402

SHIPPED = "shipped (Elo's probability in every phase)"
SPLIT = "walk-forward probability in periods 1-3, shipped model from the 4th quarter"


def both(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """The shipped recipe, and the split: the same recipe fitted with the walk-forward probability (column
    ``wf_prob``) as the pre-game input in periods 1-3, the shipped recipe's own probabilities from the 4th quarter."""
    shipped = shipped_recipe(train, val)
    as_wf = {"wf_prob": "pregame_prob"}
    wf = shipped_recipe(*(s.drop(columns="pregame_prob").rename(columns=as_wf) for s in (train, val)))
    split = np.where((val["period"] <= 3).to_numpy(), wf, shipped)
    return {SHIPPED: shipped, SPLIT: split}


def main() -> None:
    elo, wf = walk_forward_states()
    states = elo.assign(wf_prob=wf)
    res = score_shared_fit(states, both)
    print("\n" + fold_table(res, "pre-game input by phase"))
    print("\n".join(rule_lines(res)))
    a, b = res[SPLIT], res[SHIPPED]
    loso = [f for f in b if f.startswith("held")]
    for q in BINS:
        print(
            f"{q}: LOSO mean {np.mean([a[f][q] for f in loso]):.7f} vs {np.mean([b[f][q] for f in loso]):.7f}, "
            f"latest fold {a['forward -> 17'][q]:.7f} vs {b['forward -> 17'][q]:.7f}"
        )
    same_late = all(a[f][q] == b[f][q] for f in b for q in ("Q4", "last_5_min"))
    better = all(
        np.mean([a[f][q] for f in loso]) < np.mean([b[f][q] for f in loso])
        and a["forward -> 17"][q] < b["forward -> 17"][q]
        for q in ("Q1", "Q2", "Q3")
    )
    print(f"Q4 and last_5_min identical: {same_late}; rule met: {same_late and better}")


if __name__ == "__main__":
    main()
