"""PSI / KS / JS behave: ~0 on the same distribution, large on a shift; small samples give no verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from courtside.monitoring.drift import Baseline, evaluate, js_distance, psi


def test_psi_same_vs_shifted() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=5000)
    assert psi(base, rng.normal(size=2000)) < 0.02
    assert psi(base, rng.normal(0.5, size=2000)) > 0.2
    assert js_distance(base, rng.normal(size=2000)) < 0.05


def test_categorical_psi_for_flags() -> None:
    base = np.array([0.0] * 990 + [1.0] * 10)
    assert psi(base, np.array([0.0] * 495 + [1.0] * 5)) < 0.01
    assert psi(base, np.ones(300)) > 1.0


def test_too_few_samples_no_verdict() -> None:
    rng = np.random.default_rng(0)
    b = Baseline.from_training(pd.DataFrame({"x": rng.normal(size=1000)}), ["x"])
    r = evaluate(b, pd.DataFrame({"x": rng.normal(5, size=50)}))
    assert r.report.loc[0, "status"] == "too_few_samples" and not r.alarm


def test_numpy_ks_and_js_match_scipy() -> None:
    """The drift job computes KS and JS with numpy (no SciPy in the monitor Lambda's layer); same numbers."""
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import ks_2samp

    from courtside.monitoring.drift import _bins, ks_test

    rng = np.random.default_rng(3)
    for n, m, shift in ((2048, 300, 0.0), (2048, 300, 0.3), (500, 250, 0.1)):
        a, b = rng.normal(0, 1, n), rng.normal(shift, 1, m)
        d, p = ks_test(a, b)
        ref = ks_2samp(a, b, method="asymp")
        assert d == pytest.approx(ref.statistic, abs=1e-12)
        assert p == pytest.approx(ref.pvalue, abs=0.03)
        x, y = _bins(a, b, 10)
        assert js_distance(a, b) == pytest.approx(jensenshannon(x, y, base=2), abs=1e-9)
