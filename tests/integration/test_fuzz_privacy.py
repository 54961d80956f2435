"""Property tests of the privacy handler with hostile input: random paths, methods, bodies and event shapes
never produce a 5xx or a non-JSON body."""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courtside.config import REPO_ROOT, Settings
from courtside.local.lambda_context import LocalLambdaContext

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from functions.privacy.handler import handler  # noqa: E402

pytestmark = pytest.mark.usefixtures("privacy_key")


user_ids = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.@-]{1,20}", fullmatch=True),
    st.text(min_size=0, max_size=140),
    st.sampled_from(["", ".", "..", "a" * 128, "a" * 129, "%00", "psn:" + "0" * 64, "x/y", "ü", "<script>"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.none(),
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"agreement_version": st.one_of(st.text(max_size=40), st.integers()), "purposes": json_values}
    ).map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda v, p: json.dumps({"agreement_version": v, "purposes": p}).encode(),
        st.from_regex(r"[0-9A-Za-z._-]{1,32}", fullmatch=True),
        st.lists(st.sampled_from(["analytics", "personalisation"]), min_size=1, max_size=3),
    ),
)
methods = st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "get", ""])


def event(method: str, user_id: str, suffix: str, body: bytes | None, b64: bool) -> dict[str, Any]:
    path = f"/v1/users/{user_id}{suffix}"
    if body is None:
        text = None
    elif b64:
        text = base64.b64encode(body).decode()
    else:
        text = body.decode("utf-8", errors="replace")
    return {
        "resource": "/v1/users/{user_id}" + suffix,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "pathParameters": {"user_id": user_id},
        "requestContext": {"requestId": "req", "stage": "v1", "httpMethod": method, "path": path},
        "body": text,
        "isBase64Encoded": b64,
    }


def assert_contract(out: dict[str, Any]) -> None:
    assert out["statusCode"] < 500, out
    body = json.loads(out["body"])
    if out["statusCode"] >= 400:
        assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)


@pytest.mark.slow
def test_hostile_requests_never_get_5xx_or_non_json(aws: Settings) -> None:
    ctx = LocalLambdaContext(function_name="courtside-privacy")

    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        method=methods,
        user_id=user_ids,
        suffix=st.sampled_from(["/consent", "", "/consent/", "/consent/x", "/"]),
        body=bodies,
        b64=st.booleans(),
    )
    def run(method: str, user_id: str, suffix: str, body: bytes | None, b64: bool) -> None:
        assert_contract(handler(event(method, user_id, suffix, body, b64), ctx))

    run()


BAD_EVENTS: list[dict[str, Any]] = [
    {},
    {"path": 1, "httpMethod": "GET"},
    {"path": "/v1/users/u/consent", "httpMethod": "POST", "body": "!!!", "isBase64Encoded": True},
    {"path": "/v1/users/u/consent", "httpMethod": "POST", "body": 7},
    {"path": "/v1/users/u/consent", "httpMethod": "POST", "body": "[" * 5000 + "]" * 5000},
]


def test_malformed_events_are_rejected_as_json(aws: Settings) -> None:
    for bad_event in BAD_EVENTS:
        out = handler(bad_event, LocalLambdaContext(function_name="courtside-privacy"))
        assert_contract(out)
        assert out["statusCode"] >= 400, bad_event
