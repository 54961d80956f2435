"""The late logistic fitted by the score it is judged on: Brier (squared error) instead of log loss.

Why: the last five minutes are scored by Brier, and the late logistic is fitted by log loss (scikit-learn's
``LogisticRegression``). For a model that is exactly right both losses lead to the same coefficients; the late
logistic is a handful of terms on margin, time, possession and pre-game strength, so it is not exactly right, and
then the loss decides where its errors go. Log loss is dominated by the rare states it calls near-certain and gets
wrong (a comeback from far behind late); Brier weighs every state's error by its square, so the fit puts more effort
into the close games that carry the bin's score. This fits the shipped model once per fold and refits only its late
logistic by minimising mean squared error of its probability (L-BFGS from the log-loss solution, features standardised
for the optimiser and mapped back), so the trees, and Q1-Q4, are the shipped recipe's. Same leave-one-season-out and
forward folds as the other bench scripts; 2018-19 is never read.

Candidates: the Brier-fitted late logistic blended with the trees at the shipped ``LATE_WEIGHT`` (0.6), and alone
(weight 1.0: a Brier fit may leave less for the trees to add).

Rule, fixed before the run: the Brier-fitted row with the lower leave-one-season-out mean last_5_min Brier replaces
the log-loss fit only if that mean is lower than the shipped row's, and its latest forward fold (-> 2017-18) and
forward weighted mean (1/3, 2/3) are lower too.

The refit is ``courtside.models.brier_fit.refit_by_brier`` (this script had its own copy for the deciding run; the
re-run through the shipped code printed the same table).

Run: `.venv/bin/python bench/ingame_brier_fit_validation.py` (states cached in /tmp/ingame_states.parquet, shared
with the other bench scripts; ~4 min on 2 cores from the cache).
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


def candidates(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model fitted once on `train` with the log-loss late logistic; that logistic re-fitted by Brier
    (``ingame.fit_late_logistic(loss="brier")``, the code that ships it since this run), scored on `val`."""
    lm = ingame.fit_label_model(train)
    model = ingame.fit(train, label_model=lm, late_loss="log")
    brier = dataclasses.replace(model, late=ingame.fit_late_logistic(train, lm, loss="brier"))
    return {
        "shipped: late logistic fitted by log loss, weight 0.6": model.predict_frame(val),
        "late logistic fitted by Brier, weight 0.6": brier.predict_frame(val),
        "late logistic fitted by Brier, weight 1.0": dataclasses.replace(brier, late_weight=1.0).predict_frame(val),
    }


def main() -> None:
    run_shared_fit(candidates, "late logistic")


if __name__ == "__main__":
    main()
