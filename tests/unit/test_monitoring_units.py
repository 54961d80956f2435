"""Sampling, performance metrics, retrain policy, gates and the local scheduler."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from courtside.continual.gates import GateConfig, evaluate_gate
from courtside.continual.loop import predictor, retrain_step
from courtside.continual.policy import RetrainPolicy, RetrainState, should_retrain
from courtside.continual.registry_port import InMemoryRegistry
from courtside.features.pregame import FEATURE_NAMES
from courtside.local.scheduler import LocalScheduler
from courtside.models.linear import fit_logistic
from courtside.monitoring.capture import LakeCaptureSink, capture_row
from courtside.monitoring.performance import expected_calibration_error, latest_by_version, metric_points
from courtside.monitoring.sampling import HourlyReservoir, Reservoir, TokenBucket


def test_reservoir_uniform_and_bounded() -> None:
    counts = np.zeros(100)
    for seed in range(300):
        r: Reservoir[int] = Reservoir(10, seed=seed)
        r.extend(range(100))
        assert len(r.items) == 10
        counts[r.items] += 1
    assert counts[:50].sum() / counts.sum() > 0.4  # early items are not starved
    h: HourlyReservoir[int] = HourlyReservoir(5, seed=1)
    for i in range(50):
        h.offer("2024-01-01T10", i)
    h.offer("2024-01-01T11", 99)
    assert len(h) == 6 and list(h.drain(before="2024-01-01T11")) == ["2024-01-01T10"]


def test_token_bucket() -> None:
    now = [0.0]
    tb = TokenBucket(rate=1.0, burst=2.0, clock=lambda: now[0])
    assert tb.try_take() and tb.try_take() and not tb.try_take()
    now[0] = 1.0
    assert tb.try_take()


def test_sink_without_consent_captures_nothing() -> None:
    sink = LakeCaptureSink(consent=None)
    sink.capture({"user_id": "u1", "model_version": "g/1", "home_win_probability": 0.6})
    assert sink.stats["no_consent"] == 1 and len(sink.reservoir) == 0
    sink = LakeCaptureSink(consent=lambda uid: (False, None))
    sink.capture({"user_id": "u1"})
    assert sink.stats["no_consent"] == 1


def test_capture_row_shapes() -> None:
    row = capture_row(
        {
            "request": {"date": "2018-01-05", "home_team": "BOS", "away_team": "NYK", "neutral": False},
            "features": {"elo_diff": 80.0},
            "prediction": 0.7,
            "model_version": "g/2",
            "requested_at": 1515150000.0,
        },
        "p1",
        0.0,
    )
    assert row["game_key"] == "20180105_NYK_at_BOS" and row["home_win_probability"] == 0.7
    assert row["user_pseudonym"] == "p1" and '"elo_diff": 80.0' in row["request"]


def test_performance_by_version_and_points() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.2, 0.8, 400)
    y = (rng.random(400) < p).astype(int)
    df = pd.DataFrame(
        {
            "home_win_probability": p,
            "home_win": y,
            "model_version": ["g/1"] * 200 + ["g/2"] * 200,
            "game_date": "2018-01-01",
            "captured_at": [f"{i:05d}" for i in range(400)],
            "request": '{"neutral": 0}',
        }
    )
    table = latest_by_version(df)
    assert set(table.model_version) == {"g/1", "g/2"}
    assert expected_calibration_error(p, y) < 0.1
    names = {pt.name for pt in metric_points(table)}
    assert names == {"RollingBrier", "RollingLogLoss", "CalibrationError"}


def test_policy_triggers() -> None:
    pol = RetrainPolicy(new_games=10, schedule_every_hours=24, cooldown_games=5)
    now = datetime(2024, 1, 2, tzinfo=UTC)
    fresh = RetrainState(last_trained_at=now - timedelta(hours=1), games_since_training=0, games_since_attempt=100)
    assert should_retrain(pol, fresh, now) == (False, "")
    assert should_retrain(pol, fresh, now, {"RollingBrier"}) == (True, "alarm:RollingBrier")
    cooling = fresh.model_copy(update={"games_since_attempt": 2})
    assert should_retrain(pol, cooling, now, {"RollingBrier"}) == (False, "")
    assert should_retrain(pol, fresh.model_copy(update={"games_since_training": 10}), now)[1] == "new_games"
    assert should_retrain(pol, fresh, now + timedelta(days=2))[1] == "schedule"


def test_policy_season_boundary_no_retry_and_recipes() -> None:
    pol = RetrainPolicy(new_games=10, schedule_every_hours=24)
    now = datetime(2024, 1, 2, tzinfo=UTC)
    state = RetrainState(last_trained_at=now, last_attempt_at=now, games_since_training=30, games_since_attempt=3)
    # 30 games since training but an attempt (rejected) 3 games ago: not retried on the same games
    assert should_retrain(pol, state, now) == (False, "")
    assert should_retrain(pol, state, now, new_season=True) == (True, "season_boundary")
    assert should_retrain(pol.model_copy(update={"on_new_season": False}), state, now, new_season=True)[0] is False
    # the schedule counts from the last attempt, not only from the last promotion
    old = state.model_copy(update={"last_trained_at": now - timedelta(days=30)})
    assert should_retrain(pol, old, now) == (False, "")
    fast = pol.for_trigger("alarm:RollingBrier")
    assert fast.recency_half_life_games == pol.alarm_half_life_games < pol.recency_half_life_games
    assert pol.for_trigger("new_games") is pol


def _games(n: int, home_edge: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f: rng.integers(0, 3, n).astype(float) for f in FEATURE_NAMES})
    df["elo_diff"] = rng.normal(0, 150, n)
    df["neutral"] = 0.0
    p = 1 / (1 + 10 ** (-(df["elo_diff"] + home_edge) / 400))
    df["home_win"] = (rng.random(n) < p).astype(int)
    df["is_playoff"] = False
    return df


def test_gate_rejects_bad_and_retrain_records_decision() -> None:
    rows = _games(3000, 100, 1)
    champ = fit_logistic(rows.iloc[:2000], FEATURE_NAMES)
    reg = InMemoryRegistry()
    c = reg.register(champ, {}, "champ")
    reg.approve(c, "test", "initial")
    bad = fit_logistic(rows.iloc[:2000].assign(home_win=1 - rows.home_win.iloc[:2000]), FEATURE_NAMES)
    gate = evaluate_gate(predictor(bad), predictor(champ), rows.iloc[-100:], GateConfig())
    assert not gate.passed and {"brier", "perturbation"} <= set(gate.failed)
    shifted = pd.concat([rows, _games(600, -100, 2)], ignore_index=True)
    d = retrain_step(shifted, reg, RetrainPolicy(), GateConfig(), "alarm:RollingBrier")
    assert d.promoted and reg.champion() is not None and reg.champion().ref == d.challenger  # type: ignore[union-attr]
    assert reg.events[-1]["event"] == "approved" and "alarm:RollingBrier" in reg.events[-1]["why"]
    restored = reg.rollback("test", "drill")
    assert restored.ref == c.ref


def test_local_scheduler_runs_jobs() -> None:
    calls: list[int] = []

    def boom() -> None:
        raise RuntimeError("x")

    s = LocalScheduler([(0.01, lambda: calls.append(1)), (0.01, boom)]).start()
    time.sleep(0.1)
    s.stop()
    assert len(calls) >= 2 and sum(s.errors.values()) >= 1
