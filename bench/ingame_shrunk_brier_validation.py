"""The Brier-fitted late logistic, converged and shrunk towards the log-loss fit (stop 18): reproducible without
giving up what early stopping gave.

Why: the shipped Brier refit stops at L-BFGS-B's default tolerance, so its coefficients depend on its start, the
log-loss fit, which itself stops early and differs between machines. Run to convergence it is the same everywhere
but loses the forward folds (bench/ingame_converged_fit_validation.py: latest fold +0.0000126, forward weighted
+0.0000349, so not shipped). Stopping early from the log-loss solution acts as a pull towards that solution. This
makes the pull explicit and the problem well posed: minimise mean Brier + lambda/2 * ||w - w_log||^2 on standardised
features, where w_log is the log-loss fit run to convergence (scikit-learn tol 1e-8; unique, the penalty is convex),
solved to convergence. lambda in {1e-6, 1e-5, 1e-4} (from the Brier optimum towards the log-loss one); lambda 0 (the
converged Brier fit) is printed for reference.

Rule, fixed before the run: the lambda with the lowest LOSO mean last_5_min Brier replaces the early-stopped fit only
if, on every fold, refits from two starts (the log-loss fit at scikit-learn's default tolerance and the converged
one) agree within 1e-4 in every coefficient, and its LOSO mean, latest forward fold (-> 2017-18) and forward
weighted mean are each no higher than the early-stopped fit's plus 0.00001 (the tie band: adopted for
reproducibility unless validation says it costs). All at the shipped ``LATE_WEIGHT`` 0.7; the trees are the shipped
recipe's, so Q1-Q4 are identical; 2018-19 is never read.

Run: `.venv/bin/python bench/ingame_shrunk_brier_validation.py` (states cached in /tmp/ingame_states.parquet, shared
with the other bench scripts; ~5 min on 2 cores from the cache).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import late_fit_inputs, run_shared_fit  # noqa: E402
from courtside.models import ingame  # noqa: E402

LAMBDAS = (0.0, 1e-6, 1e-5, 1e-4)


def shrunk_brier(
    start: tuple[Any, float], anchor: tuple[Any, float], x: np.ndarray, y: np.ndarray, lam: float
) -> tuple[np.ndarray, float]:
    """Minimise mean Brier + lam/2 ||w - w_anchor||^2 (standardised coefficients, intercept unpenalised) from
    `start`, to convergence: ``brier_fit.refit_by_brier``, the shipped code since this run (the deciding run used
    a copy in this script; the re-run through the shipped function printed the same table)."""
    from courtside.models.brier_fit import refit_by_brier

    c, b = refit_by_brier(anchor[0], anchor[1], x, y, shrink=lam, start=start)
    return np.asarray(c), b


def candidates(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    inputs = late_fit_inputs(train)
    model, x, y, starts = inputs.model, inputs.x, inputs.y, inputs.starts
    anchor = starts[1]  # the converged log-loss fit
    shipped = f"shipped recipe (ingame.fit; early-stopped Brier fit in the deciding run), weight {model.late_weight}"
    out = {shipped: model.predict_frame(val)}
    for lam in LAMBDAS:
        fits = [shrunk_brier(s, anchor, x, y, lam) for s in starts]
        spread = max(float(np.max(np.abs(fits[0][0] - fits[1][0]))), abs(fits[0][1] - fits[1][1]))
        c, b = fits[1]
        brier = np.mean((1.0 / (1.0 + np.exp(-(x @ c + b))) - y) ** 2)
        print(f"lambda {lam:g}: training Brier {brier:.8f}, coefficient spread between starts {spread:.2e}")
        late = ingame.LateLogistic(model.late.feature_names, tuple(map(float, c)), b)
        name = "converged Brier fit (lambda 0, reference)" if lam == 0 else f"shrunk Brier fit, lambda {lam:g}"
        out[name] = dataclasses.replace(model, late=late).predict_frame(val)
    return out


def main() -> None:
    run_shared_fit(candidates, "late logistic (weight 0.7)")


if __name__ == "__main__":
    main()
