"""Refit a logistic model's coefficients to minimise the Brier score (mean squared error of its probability).

Why: the in-game model's last-five-minutes bin is judged by Brier, and its late logistic is a handful of terms, so
it is not exactly right; then the loss it is fitted by decides where its errors go. Log loss is dominated by the
rare states it calls near-certain and gets wrong (a late comeback from far behind); Brier weighs each state's error
by its square, as the bin's score does. Chosen on validation folds in stop 18
(bench/ingame_brier_fit_validation.py). The optimiser works on standardised features (the raw ones differ in scale
by orders of magnitude) and maps the result back to raw units, so the served form (``intercept + coef . x``) does not
change.

It runs to convergence and, with `shrink` > 0, is pulled towards the log-loss fit it starts from: mean Brier +
shrink/2 * ||w - w_log||^2 (standardised coefficients, intercept free). The first version stopped at L-BFGS-B's
default tolerance, which pulled it towards its start implicitly; the result then depended on that start, and the
start (scikit-learn's lbfgs, also stopped early) on the platform's floating point: the same training states gave
coefficients up to 0.2 apart. Converged without the pull it is reproducible but loses the forward validation folds
(bench/ingame_converged_fit_validation.py); with the pull explicit it is both reproducible and as good
(bench/ingame_shrunk_brier_validation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# L-BFGS-B run to convergence: a stopped-early result depends on where it started (see the module docstring)
_OPTIONS = {"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30}


def refit_by_brier(
    coef: Sequence[float],
    intercept: float,
    x: Any,
    y: Any,
    shrink: float = 0.0,
    start: tuple[Sequence[float], float] | None = None,
    nonnegative: Sequence[int] = (),
) -> tuple[tuple[float, ...], float]:
    """Coefficients and intercept minimising mean (sigmoid(intercept + x . coef) - y)^2 + shrink/2 * ||w - w0||^2,
    where w0 is (`coef`, `intercept`) in standardised units (the log-loss fit). The search starts at w0, or at
    `start`; converged, the answer does not depend on it. Coefficients at the indices in `nonnegative` are kept at
    or above zero (a standardised coefficient has the raw one's sign): terms whose direction is known, so that a
    fit on few games cannot turn them around."""
    import numpy as np
    from scipy.optimize import minimize

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])

    def standardised(c: Sequence[float], b: float) -> Any:
        c = np.asarray(c, dtype=float)
        return np.concatenate([[b + c @ mu], c * sd])  # the same function in standardised units

    anchor = standardised(coef, intercept)
    w0 = anchor if start is None else standardised(*start)

    def loss(w: Any) -> tuple[float, Any]:
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        r = p - y
        d = w[1:] - anchor[1:]
        grad = z.T @ (2.0 * r * p * (1.0 - p)) / len(y)
        grad[1:] += shrink * d
        return float(np.mean(r * r) + 0.5 * shrink * (d @ d)), grad

    floor = set(nonnegative)
    bounds = [(None, None)] + [(0.0, None) if i in floor else (None, None) for i in range(x.shape[1])]
    w0 = np.clip(w0, [b[0] if b[0] is not None else -np.inf for b in bounds], np.inf)
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=bounds, options=_OPTIONS)
    c = res.x[1:] / sd
    return tuple(float(v) for v in c), float(res.x[0] - c @ mu)
