"""The privacy routes through the local API Gateway stand-in, and the promise that logs never hold raw ids."""

from __future__ import annotations

import io
import json
import logging
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest

from courtside.config import REPO_ROOT, Settings
from courtside.local.api import LocalApi
from courtside.local.functions import api_routes
from courtside.local.lambda_context import LocalLambdaContext
from courtside.privacy import consent
from courtside.privacy.pseudonym import get_key, pseudonymise

if str(REPO_ROOT) not in sys.path:  # the handlers live in functions/, importable from the repository root
    sys.path.insert(0, str(REPO_ROOT))

USER = "zoe.hidden-42@example.net"


pytestmark = pytest.mark.usefixtures("privacy_key")


def call(api: LocalApi, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """Build the proxy event as the local API does and call the privacy handler directly (exceptions surface)."""
    from functions.privacy.handler import handler

    raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    _route, event = api.proxy_event(method, path, {"Content-Type": "application/json"}, raw)
    out = handler(event, LocalLambdaContext(function_name="courtside-privacy"))
    return out["statusCode"], json.loads(out["body"])


@pytest.fixture()
def api(aws: Settings) -> LocalApi:
    return LocalApi(api_routes(aws.names), port=0)


def test_consent_lifecycle_and_erasure_over_the_routes(api: LocalApi) -> None:
    path = f"/v1/users/{USER}/consent"
    assert call(api, "GET", path)[0] == 404
    status, body = call(api, "POST", path, {"agreement_version": "2026-01", "purposes": ["analytics"]})
    assert status == 200 and body["status"] == "active" and list(body["purposes"]) == ["analytics"]
    assert consent.capture_allowed(USER)[0] is True
    status, body = call(api, "GET", path)
    assert status == 200 and body["history"][0]["action"] == "record"
    status, body = call(api, "DELETE", path)
    assert status == 200 and body["status"] == "withdrawn"
    assert consent.capture_allowed(USER)[0] is False
    status, report = call(api, "DELETE", f"/v1/users/{USER}")
    assert status == 200 and report["complete"] is True and report["before"]["consent"]["records"] == 1
    assert call(api, "GET", path)[0] == 404


BAD_INPUT: list[tuple[str, str, Any, int, str]] = [
    ("POST", "/v1/users/u1/consent", None, 400, "missing_body"),
    ("POST", "/v1/users/u1/consent", b"{not json", 400, "invalid_json"),
    ("POST", "/v1/users/u1/consent", b"\xff\xfe", 400, "invalid_json"),
    ("POST", "/v1/users/u1/consent", [], 400, "invalid_consent"),
    ("POST", "/v1/users/u1/consent", {"agreement_version": "2026-01", "purposes": ["x"]}, 400, "invalid_consent"),
    ("POST", "/v1/users/u1/consent", {"agreement_version": 2026, "purposes": ["analytics"]}, 400, "invalid_consent"),
    ("POST", "/v1/users/u1/consent", {"agreement_version": "v", "purposes": [], "x": 1}, 400, "invalid_consent"),
    ("GET", "/v1/users/bad%20id/consent", None, 400, "invalid_user_id"),
    ("GET", "/v1/users/" + "a" * 129 + "/consent", None, 400, "invalid_user_id"),
    ("PUT", "/v1/users/u1/consent", None, 405, "method_not_allowed"),
    ("GET", "/v1/users/u1", None, 405, "method_not_allowed"),
    ("DELETE", "/v1/users/bad!id", None, 400, "invalid_user_id"),
    ("DELETE", "/v1/users/nobody/consent", None, 404, "not_found"),
]


def test_bad_input_gets_a_4xx_json_error(api: LocalApi) -> None:
    for method, path, body, status, code in BAD_INPUT:
        got, payload = call(api, method, path, body)
        assert (got, payload["error"]["code"]) == (status, code), (method, path, body)
        assert isinstance(payload["error"]["message"], str)


def test_over_http_through_the_local_api(api: LocalApi) -> None:
    api.start()
    try:
        req = urllib.request.Request(
            f"{api.url}/v1/users/{USER}/consent",
            data=json.dumps({"agreement_version": "2026-01", "purposes": ["personalisation"]}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200 and json.loads(resp.read())["purposes"]
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(f"{api.url}/v1/users/u1/consent", method="PATCH"))
        assert err.value.code == 405 and json.loads(err.value.read())["error"]["code"] == "method_not_allowed"
    finally:
        api.stop()


def test_logs_never_contain_the_raw_id_or_the_key(api: LocalApi) -> None:
    from functions.privacy import handler as module

    buf = io.StringIO()
    stream_handler = module.logger.registered_handler
    old_stream, old_level = stream_handler.stream, module.logger.log_level
    stream_handler.setStream(buf)
    module.logger.setLevel(logging.DEBUG)
    try:
        module.logger.append_keys(path=f"/v1/users/{USER}/consent")  # even an appended key is scrubbed
        call(api, "POST", f"/v1/users/{USER}/consent", {"agreement_version": "2026-01", "purposes": ["analytics"]})
        module.logger.info(f"debugging {USER}", extra={"user": USER, "key": get_key().hex()})
        call(api, "GET", f"/v1/users/{USER}/consent")
        call(api, "POST", f"/v1/users/{USER}/consent", b"{broken")
        call(api, "DELETE", f"/v1/users/{USER}/consent")
        call(api, "DELETE", f"/v1/users/{USER}")
    finally:
        stream_handler.setStream(old_stream)
        module.logger.setLevel(old_level)
        module.logger.remove_keys(["path"])
    text = buf.getvalue()
    assert "consent recorded" in text and "erasure done" in text and "debugging <redacted>" in text
    assert USER not in text
    assert get_key().hex() not in text
    assert pseudonymise(USER) not in text  # not needed in logs either: nothing logs the join key
