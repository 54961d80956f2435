"""SageMaker entry point functions, and the Lambda's endpoint routing/serialisation via a botocore Stubber."""

from __future__ import annotations

import importlib.util
import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from courtside.config import REPO_ROOT
from courtside.serving import backends
from courtside.serving.api import create_app
from courtside.serving.errors import ServiceError
from courtside.serving.live import LivePredictor
from courtside.serving.pregame import PregamePredictor
from courtside.serving.service import PredictionService
from courtside.serving.testing import logistic_json, proxy_event, seed_store

FEATURES = {
    "elo_diff": 120.0,
    "home_rest_days": 2.0,
    "away_rest_days": 1.0,
    "home_back_to_back": 0.0,
    "away_back_to_back": 1.0,
    "home_games_last_4_days": 1.0,
    "away_games_last_4_days": 2.0,
    "neutral": 0.0,
    "home_availability": 1.0,
    "away_availability": 1.0,
}


def load_inference():
    spec = importlib.util.spec_from_file_location("courtside_sm_inference", REPO_ROOT / "sagemaker" / "inference.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_no_package_init_shadows_the_sdk():
    assert not (REPO_ROOT / "sagemaker" / "__init__.py").exists()


def test_entry_points_round_trip(tmp_path, monkeypatch):
    from courtside.models.linear import LinearModel

    inf = load_inference()
    (tmp_path / "model.json").write_text(logistic_json())
    monkeypatch.setenv("COURTSIDE_MODEL_VERSION", "courtside-pregame/7")
    served = inf.model_fn(str(tmp_path))
    body = backends.encode_request(FEATURES)  # exactly what the Lambda sends
    rows = inf.input_fn(body, "application/json")
    text, ctype = inf.output_fn(inf.predict_fn(rows, served), "application/json")
    assert ctype == "application/json"
    scored = backends.decode_response(text.encode())  # exactly what the Lambda parses
    expected = LinearModel.from_json(logistic_json()).predict_proba(FEATURES)
    assert scored.model_version == "courtside-pregame/7"
    assert scored.probability == pytest.approx(expected, abs=1e-12)
    assert inf.input_fn(json.dumps(FEATURES), "application/json") == [FEATURES]  # bare object accepted
    with pytest.raises(ValueError):
        inf.input_fn("a,b", "text/csv")
    with pytest.raises(ValueError):
        inf.input_fn("[1, 2]", "application/json")


def _stubbed_runtime(payload: dict | None, error: str | None = None):
    rt = boto3.client("sagemaker-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(rt)
    expected = {
        "EndpointName": "courtside-pregame",
        "ContentType": "application/json",
        "Accept": "application/json",
        "Body": backends.encode_request(FEATURES),
    }
    if error:
        stub.add_client_error("invoke_endpoint", service_error_code=error, http_status_code=424)
    else:
        raw = json.dumps(payload).encode()
        stub.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(raw), len(raw)), "ContentType": "application/json"},
            expected,
        )
    stub.activate()
    return rt, stub


def test_endpoint_backend_serialises_and_reports_the_endpoint_model_version():
    rt, stub = _stubbed_runtime(
        {"predictions": [{"home_win_probability": 0.61, "model_version": "courtside-pregame/9"}]}
    )
    backend = backends.EndpointBackend("courtside-pregame", client=rt)
    scored = backend.score(FEATURES)
    stub.assert_no_pending_responses()
    assert (scored.probability, scored.model_version) == (0.61, "courtside-pregame/9")
    assert backend.model_version() == "courtside-pregame/9"


def test_endpoint_failure_is_a_503_with_a_code():
    rt, _ = _stubbed_runtime(None, error="ModelError")
    with pytest.raises(ServiceError) as err:
        backends.EndpointBackend("courtside-pregame", client=rt).score(FEATURES)
    assert err.value.status == 503 and err.value.code == "backend_unavailable"


def test_env_selects_the_endpoint_backend(monkeypatch):
    monkeypatch.setenv("COURTSIDE_PREDICT_BACKEND", "endpoint")
    monkeypatch.setenv("COURTSIDE_ENDPOINT_NAME", "my-endpoint")
    backend = backends.backend_from_env(lambda: pytest.fail("the local model must not be loaded"))
    assert isinstance(backend, backends.EndpointBackend) and backend.endpoint_name == "my-endpoint"
    monkeypatch.setenv("COURTSIDE_PREDICT_BACKEND", "local")
    assert isinstance(backends.backend_from_env(lambda: None), backends.LocalBackend)


def test_pregame_route_through_endpoint(aws):
    """Full handler path with the endpoint backend: features from moto, scoring from the (stubbed) endpoint."""
    from courtside.online_store import OnlineStore

    seed_store(aws)
    store = OnlineStore()
    features = PregamePredictor(store=store, backend=backends.LocalBackend(_Static()))
    _, _, _, feats, _ = features.features_for(_req())
    rt = boto3.client("sagemaker-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(rt)
    raw = json.dumps({"predictions": [{"home_win_probability": 0.7, "model_version": "ep/1"}]}).encode()
    stub.add_response(
        "invoke_endpoint",
        {"Body": StreamingBody(io.BytesIO(raw), len(raw))},
        {
            "EndpointName": "ep",
            "ContentType": "application/json",
            "Accept": "application/json",
            "Body": backends.encode_request(feats),
        },
    )
    stub.activate()
    pregame = PregamePredictor(store=store, backend=backends.EndpointBackend("ep", client=rt))
    app = create_app(PredictionService(pregame, LivePredictor(store=store)))
    resp = app.resolve(proxy_event("POST", "/v1/predictions/pregame", _req().model_dump(mode="json")), None)
    body = json.loads(resp["body"])
    assert resp["statusCode"] == 200, body
    assert body["model_version"] == "ep/1" and body["home_win_probability"] == 0.7
    stub.assert_no_pending_responses()


class _Static:
    def current(self):
        from courtside.serving.model_loader import parse_model
        from courtside.serving.model_source import LoadedModel

        return LoadedModel("static/0", parse_model(logistic_json()))


def _req():
    from courtside.serving.schemas import PregameRequest

    return PregameRequest(date="2019-03-01", home_team="BOS", away_team="NYK")
