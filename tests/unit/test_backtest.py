"""A short walk-forward (2017..2018 trained from 2005): no leakage, the right columns, a full report."""

from __future__ import annotations

import pandas as pd
import pytest

from courtside import backtest as bt
from courtside.models.dataset import pregame_frame


@pytest.fixture(scope="module")
def frame(data_dir):
    return pregame_frame(data_dir)


def test_walk_forward_trains_only_on_the_past(frame):
    seen = []

    def spy_fit(train, hp):
        from courtside.models.pregame import fit

        seen.append((train["date"].max(), train.columns.tolist()))
        return fit(train, hp)

    cfg = bt.BacktestConfig(2017, 2018, 2005, hyperparameters={"model_kind": "logistic"})
    preds, log = bt.walk_forward(frame, cfg, fit=spy_fit)
    assert list(preds.columns) == list(bt.PREDICTION_COLUMNS)
    season_start = frame.groupby("season")["date"].min()
    for (last_date, cols), s in zip(seen, (2017, 2018), strict=True):
        assert last_date < season_start[s]
        assert not [c for c in cols if c.startswith(("fte_", "bench_")) or "line" in c]
    assert len(preds) == (frame["season"].between(2017, 2018)).sum()
    assert preds["home_win_probability"].between(0, 1).all()


def test_backtest_refuses_benchmark_columns(frame):
    with pytest.raises(ValueError, match="benchmark"):
        bt.walk_forward(frame.assign(fte_elo_prob_home=0.5), bt.BacktestConfig(2018, 2018, 2010))


def test_run_writes_predictions_and_report(tmp_path, data_dir):
    cfg = bt.BacktestConfig(2018, 2018, 2005, hyperparameters={"model_kind": "elo"})
    rep = bt.run(tmp_path, cfg, data_dir)
    preds = pd.read_csv(tmp_path / "predictions.csv")
    assert list(preds.columns) == ["game_key", "home_win_probability", "model_version"]
    assert rep["overall"]["brier"] < 0.23 and rep["fte_elo"]["n"] == len(preds)
    assert "passed" in rep["gate"] and rep["perturbation"]["passed"]
    assert (tmp_path / "report.md").exists() and (tmp_path / "reliability.png").exists()


def test_monthly_retraining_uses_earlier_months_only(frame):
    cfg = bt.BacktestConfig(2018, 2018, 2010, retrain="month", hyperparameters={"model_kind": "elo"})
    _, log = bt.walk_forward(frame, cfg)
    assert len(log) > 5
    assert all(w["train_last_date"] < w["first_predicted"] for w in log)
