"""Privacy function: consent records and erasure requests of app users (API Gateway REST proxy).

Routes (all behind the API key in the cloud):
- ``POST   /v1/users/{user_id}/consent``  body ``{"agreement_version": "2026-01", "purposes": ["analytics"]}``
- ``GET    /v1/users/{user_id}/consent``
- ``DELETE /v1/users/{user_id}/consent``  withdraw every purpose
- ``DELETE /v1/users/{user_id}``          erasure: runs it and returns the audit report

Thin on purpose: validation of the wire format here, everything else in :mod:`courtside.privacy`. Any bad input
gets a 4xx with ``{"error": {"code", "message"}}``; error messages never echo the input, and the Logger scrubs
raw user ids from every line (see :mod:`courtside.privacy.redact`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from http import HTTPStatus
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from courtside.privacy import consent, erasure, redact
from courtside.privacy.pseudonym import is_valid_user_id

logger = redact.powertools_logger("courtside-privacy")
app = APIGatewayRestResolver()

MAX_BODY_BYTES = 10 * 1024
_KNOWN_PATH = re.compile(r"^/v1/users/[^/]+(/consent)?$")


class ConsentBody(BaseModel):
    """Wire format of a consent record request: strict, no extra fields."""

    model_config = ConfigDict(extra="forbid", strict=True)

    agreement_version: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z._-]+$")
    purposes: list[Literal["analytics", "personalisation"]] = Field(min_length=1, max_length=10)


class BadRequest(Exception):
    """Client error with a code; becomes a 4xx JSON body."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message}}),
    )


def ok(body: dict[str, Any], status: int = 200) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _user(user_id: str) -> str:
    if not is_valid_user_id(user_id):
        raise BadRequest("invalid_user_id", "user_id must be 1..128 characters of [A-Za-z0-9_.@-]")
    redact.register_sensitive(user_id)
    return user_id


def _json_body() -> Any:
    event = app.current_event
    raw = event.get("body")
    if raw is None or raw == "":
        raise BadRequest("missing_body", "a JSON body is required")
    if not isinstance(raw, str):
        raise BadRequest("invalid_body", "the body must be a JSON document")
    try:
        data = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
        if len(data) > MAX_BODY_BYTES:
            raise BadRequest("payload_too_large", f"request body exceeds {MAX_BODY_BYTES} bytes", 413)
        return json.loads(data.decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError, RecursionError):
        raise BadRequest("invalid_json", "the body is not valid UTF-8 JSON") from None


def _describe(err: ValidationError) -> str:
    """Field paths and reasons, without the offending input (which may be hostile or personal)."""
    parts = []
    for e in err.errors(include_url=False, include_input=False)[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ())) or "body"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)


@app.post("/v1/users/<user_id>/consent")
def record(user_id: str) -> Response:
    user = _user(user_id)
    try:
        body = ConsentBody.model_validate(_json_body())
    except ValidationError as err:
        raise BadRequest("invalid_consent", _describe(err)) from None
    rec = consent.record_consent(user, body.agreement_version, body.purposes)
    logger.info("consent recorded", extra={"purposes": sorted(rec.purposes), "agreement": rec.agreement_version})
    return ok(rec.public())


@app.get("/v1/users/<user_id>/consent")
def read(user_id: str) -> Response:
    rec = consent.get_consent(_user(user_id))
    if rec is None:
        return error(404, "not_found", "no consent record for this user")
    return ok(rec.public())


@app.delete("/v1/users/<user_id>/consent")
def withdraw(user_id: str) -> Response:
    rec = consent.withdraw_consent(_user(user_id))
    if rec is None:
        return error(404, "not_found", "no consent record for this user")
    logger.info("consent withdrawn")
    return ok(rec.public())


@app.delete("/v1/users/<user_id>")
def erase(user_id: str) -> Response:
    user = _user(user_id)
    request_id = re.sub(r"[^A-Za-z0-9_-]", "", str(app.current_event.request_context.request_id or ""))[:64]
    report = erasure.erase_user(user, request_id=request_id or None)
    logger.info("erasure done", extra={"request_id": report["request_id"], "complete": report["complete"]})
    return ok(report)


@app.exception_handler(BadRequest)
def bad_request(err: BadRequest) -> Response:
    return error(err.status, err.code, err.message)


@app.exception_handler(consent.ConsentError)
def bad_consent(err: consent.ConsentError) -> Response:
    return error(400, "invalid_consent", str(err))


@app.exception_handler([ClientError, BotoCoreError])
def store_unavailable(err: Exception) -> Response:
    logger.exception("privacy store call failed")
    return error(503, "store_unavailable", "a privacy store is unavailable; retry later")


@app.exception_handler(Exception)
def unexpected(err: Exception) -> Response:
    """A bug, not bad input: logged (scrubbed) and answered as JSON so clients never get HTML or a stack."""
    logger.exception("unexpected error in privacy handler")
    return error(500, "internal_error", "unexpected error; it has been logged")


@app.exception_handler(NotFoundError)
def not_found(_err: NotFoundError) -> Response:
    if _KNOWN_PATH.match(app.current_event.path or ""):
        return error(int(HTTPStatus.METHOD_NOT_ALLOWED), "method_not_allowed", "method not allowed on this path")
    return error(404, "not_found", "no such route")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    redact.clear_sensitive()
    if not isinstance(event, dict) or not isinstance(event.get("path"), str) or not event.get("httpMethod"):
        return {
            "statusCode": 400,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"error": {"code": "bad_event", "message": "not an API Gateway proxy event"}}),
        }
    return app.resolve(event, context)
