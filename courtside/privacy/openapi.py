"""OpenAPI 3 fragment of the privacy routes, to merge into the API's document.

Why a fragment: the serving area generates the prediction API's document from its own routes
(:func:`courtside.serving.openapi.openapi_document`); the privacy routes are served by another function, so they
describe themselves here and :func:`with_privacy_paths` merges them (the fuzz test uses the merged document).
"""

from __future__ import annotations

import copy
from typing import Any

USER_ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 128,
    "pattern": "^[A-Za-z0-9_.@-]{1,128}$",
    "description": "The app's user id. Pseudonymised (keyed HMAC) before anything is stored or logged.",
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

CONSENT_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["agreement_version", "purposes"],
    "properties": {
        "agreement_version": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[0-9A-Za-z._-]+$"},
        "purposes": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {"type": "string", "enum": ["analytics", "personalisation"]},
        },
    },
}

CONSENT_RECORD = {
    "type": "object",
    "required": ["agreement_version", "status", "purposes", "created_at", "updated_at", "history"],
    "properties": {
        "agreement_version": {"type": "string"},
        "status": {"type": "string", "enum": ["active", "withdrawn"]},
        "purposes": {"type": "object", "additionalProperties": {"type": "string", "format": "date-time"}},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "history": {"type": "array", "items": {"type": "object"}},
    },
}

ERASURE_REPORT = {
    "type": "object",
    "required": ["request_id", "subject_ref", "before", "after", "complete"],
    "properties": {
        "request_id": {"type": "string"},
        "subject_ref": {"type": "string"},
        "before": {"type": "object"},
        "after": {"type": "object"},
        "actions": {"type": "object"},
        "complete": {"type": "boolean"},
        "report_uri": {"type": "string"},
    },
}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _json("#/components/schemas/PrivacyError", "error") for c in codes}


def privacy_paths() -> dict[str, Any]:
    """The `paths` entries of the privacy routes."""
    param = [{"name": "user_id", "in": "path", "required": True, "schema": USER_ID_SCHEMA}]
    record = _json("#/components/schemas/ConsentRecord", "the consent record")
    return {
        "/v1/users/{user_id}/consent": {
            "parameters": param,
            "post": {
                "operationId": "recordConsent",
                "summary": "Record the purposes a user agreed to under an agreement version",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConsentRequest"}}},
                },
                "responses": {"200": record, **_errors(400, 413)},
            },
            "get": {
                "operationId": "getConsent",
                "summary": "A user's consent record with its history",
                "responses": {"200": record, **_errors(400, 404)},
            },
            "delete": {
                "operationId": "withdrawConsent",
                "summary": "Withdraw every purpose (predictions are still served, nothing is captured)",
                "responses": {"200": record, **_errors(400, 404)},
            },
        },
        "/v1/users/{user_id}": {
            "parameters": param,
            "delete": {
                "operationId": "eraseUser",
                "summary": "Erase the user's data everywhere; returns the audit report with counts before and after",
                "responses": {"200": _json("#/components/schemas/ErasureReport", "audit report"), **_errors(400)},
            },
        },
    }


def privacy_schemas() -> dict[str, Any]:
    return {
        "PrivacyError": ERROR,
        "ConsentRequest": CONSENT_REQUEST,
        "ConsentRecord": CONSENT_RECORD,
        "ErasureReport": ERASURE_REPORT,
    }


def with_privacy_paths(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of `doc` with the privacy paths and schemas added (existing entries win)."""
    out = copy.deepcopy(doc)
    out.setdefault("openapi", "3.0.3")
    out.setdefault("info", {"title": "Courtside API", "version": "1.0.0"})
    paths = out.setdefault("paths", {})
    for path, item in privacy_paths().items():
        paths.setdefault(path, item)
    schemas = out.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in privacy_schemas().items():
        schemas.setdefault(name, schema)
    return out
