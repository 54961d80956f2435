"""End to end through the local stack: the demo's main job and the season-replay contract for apps.

One run serves both issues' contracts, because they are the same client loop: history up to 2017-18 seeds a
fresh stack; 2018-19 is replayed date by date through the public contracts only (forecasts over HTTP first, then
that date's `game_final` events on Kinesis).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from courtside.config import Settings
from courtside.demo import run_demo
from courtside.local.moto_server import free_port

# `make test` distributes by module (`--dist loadscope`), so the season is replayed once, not once per worker
# (pytest-xdist's `loadgroup` marks do not take effect with pytest 9: the module fixture ran on both workers).
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
REFRESH_MARGIN_S = 15.0  # the local serving refresh is 2 s


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict:
    state = tmp_path_factory.mktemp("state")
    settings = Settings(state_dir=state, aws_port=free_port(), api_port=0)
    result = run_demo(settings=settings, out_dir=state / "demo", progress=False)
    result["_out_dir"] = str(state / "demo")
    return result


def test_nothing_is_lost(summary):
    assert summary["events_in"] == summary["events_stored"] + summary["events_quarantined"]
    assert summary["events_quarantined"] >= 3  # the deliberately broken records
    assert summary["events_stored"] >= summary["games_predicted"]


def test_forecasts_use_every_earlier_result_and_nothing_later(summary):
    assert summary["games_predicted"] == 1312
    assert summary["predictions_using_own_date_or_later"] == 0
    assert summary["predictions_missing_earlier_results"] == 0


def test_replayed_season_beats_fivethirtyeight(summary):
    assert summary["brier_model"] < summary["brier_fte_elo"]
    assert summary["model_version"]
    assert summary["live_model_version"] == "courtside-live/1"  # the shipped in-game model, seeded and approved
    assert summary["sql_rows"] > 0


def test_the_stack_learns_continually_during_the_replay(summary):
    """Retrains on the configured triggers, gated, each decision in the registry; responses name the new model."""
    assert summary["retrains"] >= 1
    assert len(summary["registry_decisions"]) == summary["retrains"]  # one approval or rejection per retrain
    for verdict in summary["registry_decisions"]:
        assert verdict["event"] in ("approved", "rejected") and verdict["why"]
    assert summary["promotions"], "no challenger passed the gates during the whole season"
    preds = pd.read_csv(Path(summary["_out_dir"]) / "predictions.csv")
    promoted_at = {p["model_version"]: datetime.fromisoformat(p["at"]).timestamp() for p in summary["promotions"]}
    for version, at in promoted_at.items():
        answered = preds[preds["model_version"] == version]
        if len(answered):
            assert answered["answered_at"].min() > at  # nothing answered by a model before its promotion
    # A promotion made well before the last forecast (more than the serving refresh, with room for a loaded
    # machine) must have answered; one made after the season's last forecasts had no request left to answer.
    last_answer = preds["answered_at"].max()
    in_service = [v for v, at in promoted_at.items() if at < last_answer - REFRESH_MARGIN_S]
    for version in in_service:
        assert (preds["model_version"] == version).any(), f"{version} was promoted but never answered"
    if in_service:
        newer = [v for v, at in promoted_at.items() if at >= promoted_at[in_service[-1]]]
        assert preds.sort_values("answered_at")["model_version"].iloc[-1] in newer
    assert set(preds["model_version"]) <= {summary["model_version"], *promoted_at}


def test_summary_is_written(summary):
    written = json.loads((Path(summary["_out_dir"]) / "summary.json").read_text())
    for key in (
        "events_in",
        "events_stored",
        "events_quarantined",
        "model_version",
        "brier_model",
        "brier_fte_elo",
        "api_p50_ms",
        "api_p99_ms",
        "sql_rows",
    ):
        assert key in written
