"""The pre-game model's strength, unscaled, as a term of the late logistic (issue #6, stop 20).

Why: stop 19 found that the stronger side wins close finishes more often than its scoring rate alone says, and gave
the late logistic Elo's logit unscaled (``pregame_logit``; bench/ingame_pregame_logit_validation.py, the largest
late-phase gain since stop 16). Elo knows results only. The pre-game model also knows the players: their ratings and
who plays in this game (docs/results/README.md: the player terms are its only large gain, Brier 0.21006 -> 0.20782),
and by the last five minutes who plays is no longer a forecast. So a better measure of "the stronger side" is at hand
wherever the pre-game model's probability is served. Stop 16 tried that probability *instead of* Elo's everywhere
(bench/ingame_pregame_validation.py) and it lost the late bin, mostly on 2015-16, whose walk-forward predictions come
from models with one season less history; at that time the late logistic had no unscaled strength term at all. Here
Elo's terms stay and the late logistic gains ``pregame_model_logit`` (the pre-game model's logit, unscaled; Elo's where
a state has no pre-game model probability, so a stack without an approved pre-game model serves as before), fitted
the shipped way and kept >= 0 like the other strength terms (``ingame.LATE_NONNEGATIVE``).

Inputs: the training states (/tmp/ingame_states.parquet, 2015-16..2017-18) with each game's walk-forward probability
from the committed ``courtside backtest`` predictions (each game predicted by a model trained only on games before
it), as ``courtside models train-live`` gives them to the early trees. 2018-19 is never read.

Rule, fixed before this script's run (committed with it): the candidate, ``ingame.LATE_FEATURES`` plus
``pregame_model_logit`` at ``ingame.LATE_WEIGHT``, replaces the shipped late features only if its last_5_min LOSO mean,
latest forward fold (-> 2017-18) and forward weighted mean (1/3, 2/3) are each lower than the shipped recipe's by
more than 0.00001 (the tie band of the other late-phase rules). Q1-Q4 are identical by construction (the late
logistic serves the last five minutes only; the script checks it). Rows with the model's logit *instead of* Elo's
unscaled one, and at other blend weights, are printed for context and cannot be chosen here.

Run: `.venv/bin/python bench/ingame_model_prior_late_validation.py` (~3 min on 2 cores from the cached states).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import fold_table, rule_lines, score_shared_fit, walk_forward_states  # noqa: E402
from courtside.models import ingame  # noqa: E402

# The rule's baseline is stop 19's late features, which were shipped when it was fixed; the candidate is what
# ingame.LATE_FEATURES became (so the script still measures the decision after it).
BASELINE = ingame.LATE_FEATURES_STOP19
CANDIDATE = (*BASELINE, "pregame_model_logit")
INSTEAD = tuple("pregame_model_logit" if f == "pregame_logit" else f for f in BASELINE)
CONTEXT_WEIGHTS = (0.7, 0.9)
SHIPPED = "shipped recipe (stop 19's late features, ingame.LATE_FEATURES_STOP19)"
CHOSEN = f"late features + pregame_model_logit, weight {ingame.LATE_WEIGHT} (candidate)"


def candidates(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model fitted once on `train`; its late logistic fitted on stop 19's features and with the pre-game
    model's logit."""
    model = ingame.fit(train, label_model=ingame.fit_label_model(train), early=False)
    base = ingame.fit_late_logistic(train, model.label_model, late_features=BASELINE)
    late = ingame.fit_late_logistic(train, model.label_model, late_features=CANDIDATE)
    instead = ingame.fit_late_logistic(train, model.label_model, late_features=INSTEAD)
    shipped = dataclasses.replace(model, late=base).predict_frame(val)
    out = {SHIPPED: shipped}
    out[CHOSEN] = dataclasses.replace(model, late=late).predict_frame(val)
    for w in CONTEXT_WEIGHTS:
        p = dataclasses.replace(model, late=late, late_weight=w).predict_frame(val)
        out[f"late features + pregame_model_logit, weight {w} (context, not choosable)"] = p
    p = dataclasses.replace(model, late=instead).predict_frame(val)
    out[f"pregame_model_logit instead of pregame_logit, weight {ingame.LATE_WEIGHT} (context)"] = p
    early = ~np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    assert np.array_equal(out[CHOSEN][early], shipped[early]), "candidate changed an earlier bin"
    print(f"candidate late logistic: {dict(zip(late.feature_names, np.round(late.coef, 4), strict=True))}", flush=True)
    return out


def rule_met(res: dict[str, dict[str, dict[str, float]]]) -> bool:
    """The docstring's rule, read from the scored folds."""

    def late(r: dict[str, dict[str, float]]) -> tuple[float, float, float]:
        loso = [r[f]["last_5_min"] for f in r if f.startswith("held")]
        f16, f17 = r["forward -> 16"]["last_5_min"], r["forward -> 17"]["last_5_min"]
        return float(np.mean(loso)), f17, f16 / 3 + 2 * f17 / 3

    return all(a < b - 1e-5 for a, b in zip(late(res[CHOSEN]), late(res[SHIPPED]), strict=True))


def main() -> None:
    states, wf = walk_forward_states()
    res = score_shared_fit(states.assign(pregame_model_prob=wf.to_numpy(float)), candidates)
    print("\n" + fold_table(res, "late logistic terms"))
    print("\n".join(rule_lines(res)))
    print(f"rule met (candidate replaces the shipped late features): {rule_met(res)}")


if __name__ == "__main__":
    main()
