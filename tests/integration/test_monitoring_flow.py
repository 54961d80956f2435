"""Real games through the monitoring path on moto: consented, pseudonymised captures -> outcomes function on
`game_final` -> retrain job (offline rows + labeled captures, gate, registry) -> HTML/PNG report by model version.

Small on purpose (one real season's first 400 games, features from their own season): seconds, not minutes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from courtside import registry
from courtside.aws.s3io import put_bytes
from courtside.config import Settings
from courtside.continual.policy import RetrainPolicy
from courtside.continual.service import decisions, init_state, load_state, run_retrain
from courtside.events import game_final_event
from courtside.features.history import pregame_rows
from courtside.features.pregame import FEATURE_NAMES
from courtside.local.kinesis_events import event_of
from courtside.models.linear import fit_logistic
from courtside.monitoring.capture import LakeCaptureSink, read_captures
from courtside.monitoring.drift import Baseline
from courtside.monitoring.outcomes import read_labeled, relabel_stale, stale_dates
from courtside.monitoring.report import report_from_lake
from courtside.privacy.consent import record_consent
from courtside.serving.capture import pseudonym_of
from courtside.serving.testing import register_and_approve
from functions.outcomes.handler import handler as outcomes_handler

SEASON = 2018


@pytest.fixture(scope="module")
def season_rows(data_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[games.season.isin([SEASON - 1, SEASON])].sort_values(["date", "game_key"], kind="stable")
    games["date"] = games["date"].astype(str).str[:10]
    rows = pd.DataFrame(pregame_rows(games.to_dict("records")))
    return games.reset_index(drop=True), rows


def capture_record(row: pd.Series, p: float, version: str, user: str | None) -> dict:
    """The record serving's PregamePredictor offers (courtside/serving/pregame.py)."""
    return {
        "kind": "pregame",
        "requested_at": datetime.now(UTC).timestamp(),
        "user_pseudonym": pseudonym_of(user),
        "request": {"date": row["date"], "home_team": row["home_team"], "away_team": row["away_team"]},
        "features": {n: float(row[n]) for n in FEATURE_NAMES},
        "model_version": version,
        "prediction": p,
    }


def test_captures_outcomes_retrain_and_report(aws: Settings, privacy_key, season_rows, tmp_path) -> None:
    games, rows = season_rows
    history = rows[rows.season == SEASON - 1].reset_index(drop=True)
    served = rows[rows.season == SEASON].head(400).reset_index(drop=True)
    bucket = aws.names.lake_bucket

    # The offline store holds the previous season; the champion was trained on it and serves.
    buf = io.BytesIO()
    history.to_parquet(buf, index=False)
    put_bytes(bucket, f"features/pregame/season={SEASON - 1}/part-0.parquet", buf.getvalue())
    champion = fit_logistic(history, FEATURE_NAMES)
    first = register_and_approve(aws, champion.to_json())
    Baseline.from_training(history, list(FEATURE_NAMES), first.model_version).save(aws)
    init_state(aws, trained_through=str(history["date"].max()))

    record_consent("fan-1", "2026-01", ["analytics"])  # "fan-2" never agreed: served, never captured
    sink = LakeCaptureSink(aws, burst=10_000, max_buffer_age_s=3600, seed=1)
    finals = []
    for i, row in served.iterrows():
        prob = champion.predict_proba({n: float(row[n]) for n in FEATURE_NAMES})
        sink.capture(capture_record(row, prob, first.model_version, "fan-1"))
        sink.capture(capture_record(row, prob, first.model_version, "fan-2"))
        game = games[games.game_key == row["game_key"]].iloc[0]
        finals.append(game_final_event(game.to_dict()))
        if i == 199:  # half the captures reach the lake before their results, half after (a late flush)
            sink.flush()
    out = outcomes_handler(event_of(finals))
    assert out["game_finals"] == 400
    assert len(read_captures(aws)) == 200 and len(read_labeled(aws)) == 200
    sink.flush()  # the second half reaches the lake after its results were joined
    captures = read_captures(aws)
    assert len(captures) == 400  # fan-1 only
    assert captures["user_pseudonym"].str.startswith("psn:").all()
    assert not captures["request"].str.contains("fan-1").any()
    assert len(read_labeled(aws)) == 200
    assert stale_dates(aws)  # the sweep knows which dates to rebuild
    relabel_stale(aws)
    labeled = read_labeled(aws)
    assert len(labeled) == 400 and set(labeled["home_win"]) == {0, 1}

    # 400 new games and a new season since the champion's training: the retrain job runs, gates, records.
    result = run_retrain(aws, policy=RetrainPolicy(new_games=200), now=datetime.now(UTC))
    assert result["due"] and result["trigger"] == "season_boundary"
    decision = result["decision"]
    assert decision["champion"] == first.model_version
    assert set(decision["checks"]) >= {"brier", "ece", "bias_gap", "perturbation"}
    assert decision["promoted"] == (decision["failed"] == [])
    record = registry.describe(registry.resolve(aws.names.model_package_group, decision["challenger"]))
    assert record.status == ("Approved" if decision["promoted"] else "Rejected")
    verdict = [e for e in registry.history(aws.names.model_package_group) if e["model_version"] == record.model_version]
    assert verdict[-1]["who"] == "courtside-retrain" and "season_boundary" in verdict[-1]["why"]
    assert decisions(aws)[-1]["decision"]["challenger"] == decision["challenger"]
    state = load_state(aws)
    assert state.attempted_through == str(served["date"].max()) and state.games_since_attempt == 0
    again = run_retrain(aws, policy=RetrainPolicy(new_games=200), now=datetime.now(UTC))
    assert not again["due"]  # the same games are not retried

    page, why = report_from_lake(aws, tmp_path / "report")
    assert why is None
    html = page.read_text()
    for png in ("metrics.png", "reliability.png", "drift.png"):
        assert (tmp_path / "report" / png).stat().st_size > 5_000
        assert png in html
    brier = float(np.mean((labeled["home_win_probability"] - labeled["home_win"]) ** 2))
    assert first.model_version in html and f"{brier:.4f}" in html
    assert "elo_diff" in html

    # The CLI renders the same report from the lake (what `courtside monitor report` does against a local stack).
    from typer.testing import CliRunner

    from courtside.cli import app

    result = CliRunner().invoke(app, ["monitor", "report", "--out", str(tmp_path / "cli"), "--window", "50"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "index.html").exists() and (tmp_path / "cli" / "metrics.png").exists()


def test_local_scheduler_jobs_call_the_scheduled_handlers(aws: Settings) -> None:
    """The local stack's scheduled jobs are the monitor and retrain handlers, called as EventBridge calls them."""
    from courtside.local.scheduler import scheduled_jobs

    jobs = {j.name: j for j in scheduled_jobs(aws.names, {"monitor": 60.0, "retrain": 3.0})}
    assert {n: j.interval_s for n, j in jobs.items()} == {
        f"{aws.names.prefix}-monitor": 60.0,
        f"{aws.names.prefix}-retrain": 3.0,
    }
    retrain = jobs[f"{aws.names.prefix}-retrain"].fn()
    assert retrain["due"] and retrain["trigger"] == "schedule" and "skipped" in retrain  # empty lake: nothing to fit
    assert not jobs[f"{aws.names.prefix}-retrain"].fn()["due"]  # a skipped attempt waits for the next period
    monitor = jobs[f"{aws.names.prefix}-monitor"].fn()
    assert monitor["relabeled_dates"] == 0 and "drift" not in monitor  # no baseline yet: no drift verdict
