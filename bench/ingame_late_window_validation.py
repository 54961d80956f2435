"""The late logistic's training window: how much of the game before the last five minutes should it learn from?

Why: the late logistic is applied in the 4th quarter's last five minutes and overtime, and fitted on the states of
the last ``ingame.LATE_TRAIN_SECONDS`` = 360 s (and overtime), so that it is not fitted on the edge of where it is
used. That number was set by reasoning, never measured. A narrower window fits the regime it serves more closely; a
wider one gives it more states of the same games. This fits the shipped model once per fold and refits only its late
logistic with each window (the trees, and so Q1-Q4, are the shipped recipe's), on the leave-one-season-out and
forward folds of the other bench scripts. 2018-19 is never read.

Rule, fixed before the run: the window with the lowest leave-one-season-out mean last_5_min Brier replaces 360 s only
if that mean is lower than 360 s's, and its latest forward fold (-> 2017-18) and forward weighted mean (1/3, 2/3) are
lower too.

Run: `.venv/bin/python bench/ingame_late_window_validation.py` (states cached in /tmp/ingame_states.parquet, shared
with the other bench scripts; ~4 min on 2 cores).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import run_shared_fit  # noqa: E402
from courtside.models import ingame  # noqa: E402

WINDOWS = (240, 300, 360, 480, 720)  # seconds of regulation's end the late logistic is fitted on (360 until stop 16)


def windows(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """The shipped model fitted once on `train`; its late logistic refitted on each window, scored on `val`."""
    lm = ingame.fit_label_model(train)
    model = ingame.fit(train, label_model=lm)
    out: dict[str, np.ndarray] = {}
    for seconds in WINDOWS:
        late = ingame.fit_late_logistic(train, lm, window_seconds=seconds)
        tag = " (shipped before this run)" if seconds == 360 else ""
        out[f"last {seconds} s{tag}"] = dataclasses.replace(model, late=late).predict_frame(val)
    return out


def main() -> None:
    run_shared_fit(windows, "late logistic fitted on")


if __name__ == "__main__":
    main()
