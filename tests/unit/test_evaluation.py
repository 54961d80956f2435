"""Metrics, reliability/ECE, slices/bias, market de-vig, betting simulation and the report files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from courtside.evaluation import metrics, slices
from courtside.evaluation.market import decimal_odds, devig, implied_probability
from courtside.evaluation.report import evaluate


def test_devig_and_odds():
    assert implied_probability(-150) == pytest.approx(0.6)
    assert implied_probability(150) == pytest.approx(0.4)
    assert devig(-110, -110) == pytest.approx(0.5)
    assert 0.5 < devig(-200, 170) < implied_probability(-200)
    assert decimal_odds(150) == pytest.approx(2.5) and decimal_odds(-200) == pytest.approx(1.5)


def test_ece_zero_for_perfect_calibration_and_table_sums():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20000)
    y = (rng.uniform(0, 1, 20000) < p).astype(int)
    assert metrics.ece(p, y) < 0.02
    assert metrics.ece(np.clip(p + 0.2, 0, 1), y) > 0.1
    table = metrics.reliability_table(p, y)
    assert sum(r["count"] for r in table) == len(p)
    assert metrics.brier([1, 0], [1, 0]) == 0.0


def _frame(n=400, seed=1):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.2, 0.8, n)
    teams = ["BOS", "LAL", "MIL", "UTA"]
    return pd.DataFrame(
        {
            "game_key": [f"k{i}" for i in range(n)],
            "season": rng.choice([2016, 2017], n),
            "home_team": rng.choice(teams, n),
            "away_team": rng.choice(teams, n),
            "is_playoff": rng.uniform(size=n) < 0.1,
            "home_win": (rng.uniform(size=n) < p).astype(int),
            "home_win_probability": p,
            "model_version": "m1",
            "bench_fte_prob": np.clip(p + 0.05, 0, 1),
            "bench_market_prob": p,
            "bench_home_odds": -120.0,
            "bench_away_odds": 100.0,
        }
    )


def test_report_writes_files_and_benchmarks(tmp_path):
    df = _frame()
    rep = evaluate(df, tmp_path)
    for f in ("report.json", "report.md", "reliability.png"):
        assert (tmp_path / f).stat().st_size > 0
    assert json.loads((tmp_path / "report.json").read_text())["games"] == len(df)
    assert rep["fte_elo"]["n"] == len(df) and rep["market"]["benchmark"]["brier"] == pytest.approx(
        rep["overall"]["brier"]
    )
    assert rep["betting"]["bets"] == 0  # model == market: no edge, no bets
    assert set(rep["slices"]) >= {"conference", "home_market", "era", "playoffs", "home_favourite"}


def test_bias_report_flags_a_biased_slice():
    df = _frame(2000)
    df.loc[df["home_team"] == "LAL", "home_win_probability"] = 0.95
    rep = slices.bias_report(slices.slice_metrics(df), bound=0.05, min_games=50)
    assert not rep["within_bound"]
    assert slices.conference("SEA") == "West" and slices.market("NYK") == "large"
