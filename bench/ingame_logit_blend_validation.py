"""The late blend in logit space: does averaging log-odds beat averaging probabilities in the last five minutes?

Why: in the last five minutes the shipped model averages two probabilities, the trees' and the late logistic's,
``(1 - w) p + w q`` at ``w = LATE_WEIGHT``. Late in a game both are often confident, and averaging probabilities pulls
a confident forecast towards 0.5 whenever the other is less extreme. Averaging log-odds, ``sigmoid((1 - w) logit p +
w logit q)``, keeps confidence that both agree on; it is the usual way to pool calibrated forecasters. This fits the
shipped recipe once per fold and scores both blends (and the logit blend at the neighbouring weights 0.5 and 0.7,
since the best weight may move with the space) on the leave-one-season-out and forward folds of the other bench
scripts. Only the last five minutes change; Q1-Q4 are the shipped recipe's by construction. 2018-19 is never read.

Rule, fixed before the run: the row with the lowest leave-one-season-out mean last_5_min Brier replaces the shipped
probability blend only if that mean is lower than the shipped one's, and its latest forward fold (-> 2017-18) and
forward weighted mean (1/3, 2/3) are lower too. It would change ``InGameModel``'s blend (a new document format, since
the same weight would then mean something else).

Run: `.venv/bin/python bench/ingame_logit_blend_validation.py` (states cached in /tmp/ingame_states.parquet, shared
with the other bench scripts; ~3 min on 2 cores).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import run_shared_fit, sigmoid  # noqa: E402
from courtside.models import ingame  # noqa: E402


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def blends(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """The shipped model's two late parts fitted once on `train`, blended each way on `val`."""
    import dataclasses

    model = ingame.fit(train, label_model=ingame.fit_label_model(train))
    trees = dataclasses.replace(model, late=None).predict_frame(val)
    late = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    derived = [ingame.derive(r, model.label_model) for r in val.to_dict("records")]
    q = np.asarray([model.late.predict_proba(d) if is_late else 0.5 for d, is_late in zip(derived, late, strict=True)])
    w = ingame.LATE_WEIGHT
    out = {"shipped: probability blend at LATE_WEIGHT": model.predict_frame(val)}
    for weight in (w, 0.5, 0.7):
        p = trees.copy()
        p[late] = sigmoid((1 - weight) * _logit(trees[late]) + weight * _logit(q[late]))
        out[f"logit blend at {weight}"] = p
    return out


def main() -> None:
    run_shared_fit(blends, "late blend")


if __name__ == "__main__":
    main()
