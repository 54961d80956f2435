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

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


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
    assert summary["sql_rows"] > 0


def test_the_stack_learns_continually_during_the_replay(summary):
    """Retrains on the configured triggers, gated, each decision in the registry; responses name the new model."""
    assert summary["retrains"] >= 1
    assert len(summary["registry_decisions"]) == summary["retrains"]  # one approval or rejection per retrain
    for verdict in summary["registry_decisions"]:
        assert verdict["event"] in ("approved", "rejected") and verdict["why"]
    assert summary["promotions"], "no challenger passed the gates during the whole season"
    preds = pd.read_csv(Path(summary["_out_dir"]) / "predictions.csv")
    for promo in summary["promotions"]:
        promoted_at = datetime.fromisoformat(promo["at"]).timestamp()
        answered = preds[preds["model_version"] == promo["model_version"]]
        assert len(answered) > 0, f"{promo['model_version']} was promoted but never answered"
        assert answered["answered_at"].min() > promoted_at  # nothing answered by a model before its promotion
    last = summary["promotions"][-1]["model_version"]
    assert preds["model_version"].iloc[-1] == last
    assert set(preds["model_version"]) <= {
        summary["model_version"],
        *(p["model_version"] for p in summary["promotions"]),
    }


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
