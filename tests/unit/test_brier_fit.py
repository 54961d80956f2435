"""refit_by_brier: a logistic's coefficients refitted to the Brier score, in the raw units the served form uses."""

from __future__ import annotations

import numpy as np
import pytest

from courtside.models.brier_fit import refit_by_brier


def _brier(coef, intercept, x, y) -> float:
    p = 1.0 / (1.0 + np.exp(-(intercept + x @ np.asarray(coef))))
    return float(np.mean((p - y) ** 2))


@pytest.fixture(scope="module")
def misspecified():
    """A logistic fitted to data that is not logistic in x (a cubic term it cannot see), on features whose scales
    differ by orders of magnitude, as the late logistic's do."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6000, 3)) * [1.0, 30.0, 0.05] + [0.0, 100.0, 1.0]
    z = 1.5 * x[:, 0] ** 3 + 0.02 * (x[:, 1] - 100.0) + 10.0 * (x[:, 2] - 1.0)
    y = (rng.random(len(x)) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    return x, y, tuple(clf.coef_[0]), float(clf.intercept_[0])


def test_refit_lowers_the_brier_score_of_a_misspecified_logistic(misspecified):
    x, y, coef, intercept = misspecified
    c, b = refit_by_brier(coef, intercept, x, y)
    assert _brier(c, b, x, y) < _brier(coef, intercept, x, y) - 1e-4
    assert len(c) == len(coef) and all(isinstance(v, float) for v in (*c, b))


def test_refit_is_a_fixed_point_in_raw_units(misspecified):
    """Started at its own optimum it stays there: the standardised optimisation maps back to the same raw function."""
    x, y, coef, intercept = misspecified
    c, b = refit_by_brier(coef, intercept, x, y)
    c2, b2 = refit_by_brier(c, b, x, y)
    assert c2 == pytest.approx(c, rel=1e-4, abs=1e-7) and b2 == pytest.approx(b, rel=1e-4, abs=1e-7)
    assert _brier(c2, b2, x, y) == pytest.approx(_brier(c, b, x, y), abs=1e-10)


@pytest.mark.parametrize("shrink", [0.0, 1e-5, 1e-3])
def test_refit_lands_on_one_solution_whatever_the_start(misspecified, shrink):
    """Run to convergence, the refit does not depend on where it starts (a stopped-early one did: its start, the
    log-loss fit, differs between machines). Starts: the anchor itself, a tightly converged log-loss fit and a
    perturbed copy of the anchor."""
    from sklearn.linear_model import LogisticRegression

    x, y, coef, intercept = misspecified
    tight = LogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(x, y)
    rng = np.random.default_rng(1)
    starts = [
        None,
        (tuple(tight.coef_[0]), float(tight.intercept_[0])),
        (tuple(np.asarray(coef) * (1 + 0.2 * rng.standard_normal(len(coef)))), intercept + 0.3),
    ]
    fits = [refit_by_brier(coef, intercept, x, y, shrink=shrink, start=s) for s in starts]
    for c, b in fits[1:]:
        assert c == pytest.approx(fits[0][0], rel=1e-5, abs=1e-6) and b == pytest.approx(fits[0][1], abs=1e-6)


def test_shrink_pulls_the_refit_towards_the_log_loss_fit(misspecified):
    x, y, coef, intercept = misspecified
    sd = x.std(axis=0)

    def distance(c):  # in the standardised units the pull is measured in
        return float(np.linalg.norm((np.asarray(c) - np.asarray(coef)) * sd))

    d = [distance(refit_by_brier(coef, intercept, x, y, shrink=k)[0]) for k in (0.0, 1e-4, 1e-2, 1.0)]
    assert d == sorted(d, reverse=True) and d[0] > 10 * d[-1]
    free, pulled = refit_by_brier(coef, intercept, x, y), refit_by_brier(coef, intercept, x, y, shrink=1e-2)
    assert _brier(*free, x, y) < _brier(*pulled, x, y) < _brier(coef, intercept, x, y)


def test_a_constant_feature_does_not_break_the_refit(misspecified):
    x, y, coef, intercept = misspecified
    xc = np.hstack([x, np.full((len(x), 1), 3.0)])
    c, b = refit_by_brier((*coef, 0.0), intercept, xc, y)
    assert np.isfinite([*c, b]).all()
    assert _brier(c, b, xc, y) <= _brier((*coef, 0.0), intercept, xc, y)


def test_nonnegative_terms_stay_at_or_above_zero_and_an_inactive_bound_changes_nothing():
    """A term whose direction is known keeps it: where the data pull its coefficient below zero the fit stops at zero
    (and loses a little Brier for it); where they do not, the bound leaves the fit as it was."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.4 * x[:, 1])))).astype(float)
    free, _ = refit_by_brier((0.0, 0.0), 0.0, x, y)
    kept, _ = refit_by_brier((0.0, 0.0), 0.0, x, y, nonnegative=[1])
    assert free[1] < -0.2 and kept[1] == 0.0 and kept[0] > 1.0
    same, _ = refit_by_brier((0.0, 0.0), 0.0, x, y, nonnegative=[0])
    assert np.allclose(same, free, atol=1e-6)
