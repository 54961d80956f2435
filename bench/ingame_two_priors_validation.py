"""Both pre-game probabilities in the in-game trees: Elo's (as shipped) and the pre-game model's walk-forward one.

Why: ``bench/ingame_pregame_validation.py`` found the pre-game model's walk-forward probability (docs/results/
predictions.csv: each game predicted by a model trained only on earlier games) much better than Elo's in Q1-Q3
(Q1 leave-one-season-out mean 0.20061 against 0.20275) but worse in Q4 and the last five minutes, whether it replaced
Elo's everywhere or only in the trees. There the trees saw one source or the other. Here they see both (each as its
logit times the share of the game left, monotone increasing, as ``pregame_logit_scaled``), so they can use the
better forecast early and lean on Elo's where it serves them better; the late logistic stays on Elo's alone. Serving
would then pass both probabilities. Same states, folds and recipe as the other bench scripts; 2018-19 is never read.

Rule, fixed before the run: the candidate replaces the shipped recipe only if (1) its last_5_min leave-one-season-out
mean, latest forward fold (-> 2017-18) and forward weighted mean (1/3, 2/3) are each no higher than the shipped
recipe's plus 0.00001 (the tie convention of stop 14: the open bin must not get worse), (2) its Q1, Q2, Q3 and Q4
leave-one-season-out means are each lower, and (3) its Q1..Q4 on the latest forward fold are each lower.

Run: `.venv/bin/python bench/ingame_two_priors_validation.py` (states cached in /tmp/ingame_states.parquet).
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
    score_folds,
    shipped_recipe,
    walk_forward_states,
)
from courtside.models import ingame  # noqa: E402
from courtside.models.ingame_report import BINS, _season_code  # noqa: E402

CANDIDATE = "trees on Elo's and the walk-forward probability, late logistic on Elo's"


def with_walk_forward(states: pd.DataFrame, wf: pd.Series) -> pd.DataFrame:
    """`states` plus ``wf_logit_scaled``: the walk-forward probability `wf` (Elo's where a game has none, see
    ``walk_forward_states``) as a logit times the share of the game left, as ``ingame.derive`` scales Elo's."""
    p = wf.clip(1e-4, 1 - 1e-4).to_numpy(float)
    share = np.maximum(states["seconds_left"].to_numpy(float), 0.0) / ingame.GAME_SECONDS
    return states.assign(wf_logit_scaled=np.log(p / (1 - p)) * share)


def rule_met(res: dict[str, dict[str, dict[str, float]]], shipped: str, candidate: str) -> bool:
    """The docstring's rule, read from the scored folds."""
    a, b = res[candidate], res[shipped]
    loso = [f for f in b if f.startswith("held")]

    def late(r: dict[str, dict[str, float]]) -> tuple[float, float, float]:
        f16, f17 = r["forward -> 16"]["last_5_min"], r["forward -> 17"]["last_5_min"]
        return float(np.mean([r[f]["last_5_min"] for f in loso])), f17, f16 / 3 + 2 * f17 / 3

    late_ok = all(x <= y + 1e-5 for x, y in zip(late(a), late(b), strict=True))
    early = [q for q in BINS if q != "last_5_min"]
    loso_ok = all(np.mean([a[f][q] for f in loso]) < np.mean([b[f][q] for f in loso]) for q in early)
    latest_ok = all(a["forward -> 17"][q] < b["forward -> 17"][q] for q in early)
    return late_ok and loso_ok and latest_ok


def main() -> None:
    states = with_walk_forward(*walk_forward_states())
    print(f"{len(states)} states of seasons {sorted(_season_code(states).unique())}")
    shipped = "shipped recipe (trees and late logistic on Elo's)"
    res = score_folds(
        {
            shipped: (states, shipped_recipe),
            CANDIDATE: (states, lambda train, val: shipped_recipe(train, val, tree_extra={"wf_logit_scaled": 1})),
        }
    )
    print("\n" + fold_table(res, "pre-game inputs"))
    print("\n".join(rule_lines(res)))
    for q in BINS:
        print(f"latest fold {q}: " + ", ".join(f"{n} {r['forward -> 17'][q]:.7f}" for n, r in res.items()))
    print(f"rule met: {rule_met(res, shipped, CANDIDATE)}")


if __name__ == "__main__":
    main()
