"""Seeding registers and approves the shipped in-game model, and GET /v1/games/{id}/live serves it (not the
closed-form baseline) with exactly the shipped document's prediction for the stored live state. Against moto."""

from __future__ import annotations

import importlib
import json
import sys

import pytest
from _live_support import OPENER, features_ctx, opening_plays

from courtside import registry
from courtside.aws import clients
from courtside.config import REPO_ROOT, Settings
from courtside.local.kinesis_events import event_of
from courtside.local.seed import live_model_file, seed_live_model
from courtside.models.ingame import load_model
from courtside.models.ingame_train import read_metadata
from courtside.online_store import OnlineStore
from courtside.serving.live import BASELINE_VERSION, brownian_probability, live_inputs
from courtside.serving.testing import proxy_event
from functions.features import handler as features_handler

GAME = OPENER  # in the shipped first-300 extract; the model saw seasons <= 2017-18


def _feed_pbp(data_dir, events: int) -> None:
    """The game's first `events` plays through the features handler (what the stream's features function runs)."""
    features_handler.reset_cache()
    _, evs = opening_plays(data_dir, events, "2018-10-17T00:40:00Z")
    assert features_handler.handler(event_of(evs), features_ctx()) == {"batchItemFailures": []}


def _live(monkeypatch: pytest.MonkeyPatch) -> tuple[dict, object]:
    """GET /v1/games/{GAME}/live on a freshly initialised predict function (a new Lambda container)."""
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    clients.reset()
    sys.modules.pop("functions.predict.handler", None)
    mod = importlib.import_module("functions.predict.handler")
    resp = mod.handler(proxy_event("GET", f"/v1/games/{GAME}/live"), None)
    assert resp["statusCode"] == 200, resp
    return json.loads(resp["body"]), mod.service


def test_seeded_live_model_serves_the_shipped_prediction(
    aws: Settings, data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    _feed_pbp(data_dir, 250)  # well into the 2nd quarter: margin, possession, bonus and run all set
    before, _ = _live(monkeypatch)
    assert before["model_version"] == BASELINE_VERSION  # nothing approved in the live group yet

    steps: list[str] = []
    version = seed_live_model(aws, lambda step, status: steps.append(step))
    group = aws.names.live_model_package_group
    assert version == f"{group}/1" and steps == ["live_model"]
    pointer = registry.read_serving_pointer(group)
    assert pointer is not None and pointer["model_version"] == version and pointer["approved_by"] == "courtside-seed"
    record = registry.approved_model(group)
    assert record is not None and "shipped in-game model" in record.approval_description
    shipped = live_model_file(aws).read_bytes()
    meta = read_metadata(shipped)
    assert record.metrics["test_brier"] == pytest.approx(meta["test_brier"])
    assert record.dataset_version == "pbp:2015-16..2017-18" and record.code_version == meta["code_version"]
    assert pointer["model_json_url"] == record.model_json_url and pointer["model_json_url"].endswith("/model.json")
    assert registry.load_model_json(pointer["model_json_url"]).encode() == shipped

    body, service = _live(monkeypatch)
    assert body["model_version"] == version
    stored = body["state"]
    item = _plain_state()
    assert item["seen"] and "seen" not in stored  # the tracker's bookkeeping stays in the store
    assert stored == {k: v for k, v in item.items() if k not in ("as_of", "seen")}
    inputs = live_inputs(stored)
    inputs.update(service.pregame.live_priors(GAME))  # type: ignore[attr-defined]
    inputs.setdefault("pregame_home_win_probability", 0.5)
    expected = load_model(shipped).predict_proba(inputs)
    assert body["home_win_probability"] == pytest.approx(expected, abs=1e-12)
    baseline = brownian_probability(
        inputs["score_margin"], inputs["game_seconds_remaining"], inputs["pregame_home_win_probability"]
    )
    assert abs(body["home_win_probability"] - baseline) > 1e-6  # not the baseline under another name


def _plain_state() -> dict:
    """The stored live state as the endpoint returns it (DynamoDB Decimals as int/float)."""
    from courtside.serving.live import _plain

    raw = OnlineStore().get_live_state(GAME)
    assert raw is not None
    return dict(_plain(dict(raw)))
