"""The predict handler end to end in-process: proxy events in, JSON out, against moto (online store + registry)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courtside.serving.api import create_app
from courtside.serving.capture import ListCaptureSink
from courtside.serving.live import LivePredictor
from courtside.serving.model_source import RegistryModelProvider
from courtside.serving.pregame import PregamePredictor, PregameRequest
from courtside.serving.service import PredictionService
from courtside.serving.testing import logistic_json, proxy_event, register_and_approve, seed_store

PREGAME = "/v1/predictions/pregame"


def call(app: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    resp = app.resolve(event, None)
    body = json.loads(resp["body"]) if resp.get("body") else {}
    return resp["statusCode"], body


@pytest.fixture()
def seeded(aws):
    as_of = seed_store(aws)
    return aws, as_of


def build(sink: ListCaptureSink | None = None, refresh: float = 30.0, clock=None) -> tuple[Any, PredictionService]:
    from courtside.config import get_settings
    from courtside.online_store import OnlineStore

    store = OnlineStore()
    kwargs = {"clock": clock} if clock else {}
    provider = RegistryModelProvider(get_settings().names.model_package_group, refresh_seconds=refresh, **kwargs)
    pregame = PregamePredictor(store=store, provider=provider, sink=sink)
    service = PredictionService(pregame, LivePredictor(store=store, priors=pregame.live_priors))
    return create_app(service), service


def test_pregame_prediction_uses_approved_model_and_fresh_features(seeded):
    settings_, as_of = seeded
    record = register_and_approve(settings_, logistic_json())
    sink = ListCaptureSink()
    app, _ = build(sink)
    status, body = call(
        app,
        proxy_event("POST", PREGAME, {"date": "2019-06-13", "home_team": "GSW", "away_team": "TOR", "user_id": "u-1"}),
    )
    assert status == 200, body
    assert body["model_version"] == record.model_version
    assert body["features_as_of"] == as_of
    assert 0.0 < body["home_win_probability"] < 1.0
    assert body["season"] == 2019 and body["home_team"] == "GSW" and body["neutral"] is False
    assert set(body["features"]) >= {"elo_diff", "home_rest_days", "neutral"}
    assert len(sink.records) == 1
    captured = sink.records[0]
    assert captured["model_version"] == record.model_version and captured["user_pseudonym"].startswith("psn:")
    assert captured["prediction"] == body["home_win_probability"]


def test_nba_com_codes_and_franchise_history_map_to_the_same_team(seeded):
    register_and_approve(seeded[0], logistic_json())
    app, _ = build()
    a = call(app, proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BKN", "away_team": "phx"}))
    b = call(app, proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "NJN", "away_team": "PHO"}))
    assert a[0] == b[0] == 200
    assert a[1]["home_team"] == "BRK" and a[1]["away_team"] == "PHO"
    assert a[1]["home_win_probability"] == b[1]["home_win_probability"]


def test_season_derived_from_date(seeded):
    register_and_approve(seeded[0], logistic_json())
    app, _ = build()
    assert (
        call(app, proxy_event("POST", PREGAME, {"date": "2019-07-31", "home_team": "BOS", "away_team": "NYK"}))[1][
            "season"
        ]
        == 2019
    )
    assert (
        call(app, proxy_event("POST", PREGAME, {"date": "2019-08-01", "home_team": "BOS", "away_team": "NYK"}))[1][
            "season"
        ]
        == 2020
    )


def test_no_approved_model_is_a_documented_503(seeded):
    app, _ = build()
    status, body = call(
        app, proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"})
    )
    assert status == 503 and body["error"]["code"] == "no_approved_model"
    status, health = call(app, proxy_event("GET", "/health"))
    assert status == 200 and health["status"] == "degraded" and health["model_version"] is None


def test_promotion_and_rollback_picked_up_after_refresh_interval(seeded):
    from courtside import registry

    now = [0.0]
    first = register_and_approve(seeded[0], logistic_json(1.0), "models/a/model.json")
    app, _ = build(refresh=30.0, clock=lambda: now[0])
    req = {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"}
    assert call(app, proxy_event("POST", PREGAME, req))[1]["model_version"] == first.model_version
    second = register_and_approve(seeded[0], logistic_json(2.0), "models/b/model.json")
    now[0] = 10.0  # within the refresh interval: still the first
    assert call(app, proxy_event("POST", PREGAME, req))[1]["model_version"] == first.model_version
    now[0] = 31.0
    assert call(app, proxy_event("POST", PREGAME, req))[1]["model_version"] == second.model_version
    registry.rollback(seeded[0].names.model_package_group, "tests", "bad model")
    now[0] = 62.0
    assert call(app, proxy_event("POST", PREGAME, req))[1]["model_version"] == first.model_version
    assert call(app, proxy_event("GET", "/health"))[1] == {
        "status": "ok",
        "model_version": first.model_version,
        "backend": "local",
    }


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (proxy_event("POST", PREGAME, raw_body="{not json"), 400, "malformed_json"),
        (proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS"}), 422, "validation_error"),
        (
            proxy_event("POST", PREGAME, {"date": "03/01/2019", "home_team": "BOS", "away_team": "NYK"}),
            422,
            "validation_error",
        ),
        (
            proxy_event("POST", PREGAME, {"date": "2019-02-30", "home_team": "BOS", "away_team": "NYK"}),
            422,
            "validation_error",
        ),
        (
            proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "XYZ", "away_team": "NYK"}),
            422,
            "unknown_team",
        ),
        (
            proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "SEA", "away_team": "OKC"}),
            422,
            "same_team",
        ),
        (
            proxy_event(
                "POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK", "neutral": "yes"}
            ),
            422,
            "validation_error",
        ),
        (
            proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK", "extra": 1}),
            422,
            "validation_error",
        ),
        (proxy_event("POST", PREGAME, []), 422, "validation_error"),
        (proxy_event("POST", PREGAME), 422, "validation_error"),
        (proxy_event("GET", PREGAME), 405, "method_not_allowed"),
        (proxy_event("DELETE", "/health"), 405, "method_not_allowed"),
        (proxy_event("GET", "/v1/nope"), 404, "not_found"),
        (proxy_event("GET", "/v1/games/not-a-game/live"), 422, "invalid_game_id"),
        (proxy_event("GET", "/v1/games/20190613_TOR_at_GSW/live"), 404, "game_not_live"),
        (
            proxy_event("POST", PREGAME, raw_body="date=x", headers={"content-type": "text/plain"}),
            415,
            "unsupported_media_type",
        ),
    ],
)
def test_bad_input_gets_4xx_json_error(seeded, event, status, code):
    register_and_approve(seeded[0], logistic_json())
    app, _ = build()
    got_status, body = call(app, event)
    assert (got_status, body["error"]["code"]) == (status, code), body
    assert isinstance(body["error"]["message"], str) and isinstance(body["error"]["details"], list)


def test_live_game_state_and_probability(seeded):
    from courtside.features.live import LiveState
    from courtside.online_store import OnlineStore

    register_and_approve(seeded[0], logistic_json())
    gid = "20190613_TOR_at_GSW"
    state = LiveState.for_game(gid).apply(
        {
            "event_num": 1,
            "period": 4,
            "clock_seconds": 60.0,
            "home_score": 100,
            "away_score": 90,
            "event_code": 1,
            "team": "GSW",
        }
    )
    OnlineStore().put_live_state(gid, {**state.to_dict(), "f": state.features()}, "2019-06-13T04:00:00Z", seq=1)
    app, _ = build()
    status, body = call(
        app,
        proxy_event(
            "GET", f"/v1/games/{gid}/live", resource="/v1/games/{game_id}/live", path_parameters={"game_id": gid}
        ),
    )
    assert status == 200, body
    assert body["game_id"] == gid and body["home_win_probability"] > 0.95
    assert body["model_version"] == "baseline/brownian-v1"
    assert body["state"]["home_score"] == 100
    assert body["as_of"] == "2019-06-13T04:00:00Z"  # event time of the newest play the state reflects
    assert "as_of" not in body["state"]


def test_handler_module_serves_health(seeded, monkeypatch):
    """The real Lambda entry point (module-level init) answers, with EMF metrics and no exception."""
    import importlib
    import sys

    register_and_approve(seeded[0], logistic_json())
    sys.modules.pop("functions.predict.handler", None)
    mod = importlib.import_module("functions.predict.handler")
    resp = mod.handler(
        proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"}), None
    )
    assert resp["statusCode"] == 200
    assert json.loads(mod.handler(proxy_event("GET", "/health"), None)["body"])["status"] == "ok"


@pytest.mark.parametrize("disabled", [False, True])
def test_emf_lines_follow_powertools_metrics_disabled(seeded, monkeypatch, capsys, disabled):
    """EMF goes to stdout in Lambda; with metrics disabled (the local stack) not one EMF line may be printed, not even
    after 100 requests (Powertools prints a metric that reaches 100 values even when disabled)."""
    import importlib
    import sys

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", str(disabled).lower())
    register_and_approve(seeded[0], logistic_json())
    sys.modules.pop("functions.predict.handler", None)
    mod = importlib.import_module("functions.predict.handler")
    capsys.readouterr()
    body = {"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"}
    for _ in range(101 if disabled else 1):
        assert mod.handler(proxy_event("POST", PREGAME, body), None)["statusCode"] == 200
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    if disabled:
        assert emf == []
    else:
        names = {m["Name"] for doc in emf for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
        assert {"Latency", "Predictions"} <= names


_FUZZ: list[Any] = []  # one app for all examples: the seeded fixture runs once per test, not per example
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)
pregame_bodies = st.fixed_dictionaries(
    {},
    optional={
        "date": st.one_of(st.dates().map(str), st.text(max_size=12), json_values),
        "home_team": st.one_of(st.sampled_from(["BOS", "bkn", "SEA", "GS", "XX", ""]), st.text(max_size=5)),
        "away_team": st.one_of(st.sampled_from(["NYK", "PHX", "OKC", "UTAH"]), json_values),
        "neutral": json_values,
        "user_id": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(pregame_bodies, json_values), raw=st.one_of(st.none(), st.binary(max_size=40)))
def test_fuzz_request_validation_never_5xx(seeded, body, raw):
    if not _FUZZ:
        register_and_approve(seeded[0], logistic_json())
        _FUZZ.append(build()[0])
    app = _FUZZ[0]
    text = raw.decode("latin-1") if raw is not None else None
    status, payload = call(app, proxy_event("POST", PREGAME, body, raw_body=text))
    assert status < 500, payload
    if status >= 400:
        assert set(payload["error"]) == {"code", "message", "details"}


def test_non_utf8_body_is_a_400_not_a_500():
    """Found by the schemathesis run: undecodable bytes once reached the catch-all 500 handler."""
    import base64

    from functions.predict import handler as predict

    event = {
        "resource": "/v1/predictions/pregame",
        "path": "/v1/predictions/pregame",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": base64.b64encode(b'{"date": "\xff\xfe"}').decode(),
        "isBase64Encoded": True,
        "requestContext": {"requestId": "r", "stage": "v1", "identity": {"sourceIp": "127.0.0.1"}},
    }
    resp = predict.handler(event, None)
    assert resp["statusCode"] == 400
    assert '"code": "malformed_body"' in resp["body"] or '"code":"malformed_body"' in resp["body"]


def test_live_priors_are_elo_and_the_approved_pregame_models_score_each_under_its_own_name(seeded):
    """The in-game model's late parts are trained on Elo's pre-game probability (`ingame.pregame_probs`), its early
    trees on the pre-game model's (`ingame.pregame_model_probs`): the live endpoint passes each under its own name,
    and the pre-game model's only while one is approved."""
    from courtside.ratings import elo

    _, service = build()
    gid = "20190613_TOR_at_GSW"
    _, _, _, feats, _ = service.pregame.features_for(
        PregameRequest(date="2019-06-13", home_team="GSW", away_team="TOR")
    )
    elo_p = elo.win_probability(feats["elo_diff"])
    assert service.pregame.live_priors(gid) == {"pregame_home_win_probability": pytest.approx(elo_p, abs=1e-12)}
    register_and_approve(seeded[0], logistic_json())
    _, service = build()
    priors = service.pregame.live_priors(gid)
    assert priors["pregame_home_win_probability"] == pytest.approx(elo_p, abs=1e-12)
    model_p = service.pregame.backend.score(feats).probability
    assert priors["pregame_model_home_win_probability"] == pytest.approx(model_p, abs=1e-12)
    assert abs(model_p - elo_p) > 1e-6  # two different inputs, not one under two names
    assert service.pregame.live_priors("not-a-game") == {}


def test_live_priors_are_kept_per_game_for_their_ttl(seeded):
    """A live game is polled every few seconds; its pre-game inputs are read (and, with the endpoint backend,
    scored) once per TTL, not per request."""
    from courtside.config import get_settings
    from courtside.online_store import OnlineStore
    from courtside.serving import pregame as pregame_mod

    register_and_approve(seeded[0], logistic_json())
    reads = []

    class CountingStore(OnlineStore):
        def get_pregame_state(self, *args, **kwargs):
            reads.append(args)
            return super().get_pregame_state(*args, **kwargs)

    now = [1000.0]
    provider = RegistryModelProvider(get_settings().names.model_package_group)
    predictor = PregamePredictor(store=CountingStore(), provider=provider, clock=lambda: now[0])
    gid = "20190613_TOR_at_GSW"
    first = predictor.live_priors(gid)
    assert set(first) == {"pregame_home_win_probability", "pregame_model_home_win_probability"}
    now[0] += pregame_mod.LIVE_PRIORS_TTL_SECONDS - 1
    assert predictor.live_priors(gid) == first and len(reads) == 1
    first["pregame_home_win_probability"] = 0.0  # a caller's copy: the kept entry is not changed through it
    assert predictor.live_priors(gid)["pregame_home_win_probability"] > 0
    now[0] += 2
    predictor.live_priors(gid)
    assert len(reads) == 2  # expired: read again
    assert predictor.live_priors("not-a-game") == {} and predictor.live_priors("not-a-game") == {}
