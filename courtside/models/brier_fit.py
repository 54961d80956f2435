"""Refit a logistic model's coefficients to minimise the Brier score (mean squared error of its probability).

Why: the in-game model's last-five-minutes bin is judged by Brier, and its late logistic is a handful of terms, so
it is not exactly right; then the loss it is fitted by decides where its errors go. Log loss is dominated by the
rare states it calls near-certain and gets wrong (a late comeback from far behind); Brier weighs each state's error
by its square, as the bin's score does. Chosen on validation folds in stop 18
(bench/ingame_brier_fit_validation.py). The optimiser starts from the log-loss solution and works on standardised
features (the raw ones differ in scale by orders of magnitude), then maps the result back to raw units, so the
served form (``intercept + coef . x``) does not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def refit_by_brier(coef: Sequence[float], intercept: float, x: Any, y: Any) -> tuple[tuple[float, ...], float]:
    """Coefficients and intercept minimising mean (sigmoid(intercept + x . coef) - y)^2, from (`coef`, `intercept`)."""
    import numpy as np
    from scipy.optimize import minimize

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    c0 = np.asarray(coef, dtype=float)
    w0 = np.concatenate([[intercept + c0 @ mu], c0 * sd])  # the same function in standardised units

    def loss(w: Any) -> tuple[float, Any]:
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        r = p - y
        return float(np.mean(r * r)), z.T @ (2.0 * r * p * (1.0 - p)) / len(y)

    res = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-10})
    c = res.x[1:] / sd
    return tuple(float(v) for v in c), float(res.x[0] - c @ mu)
