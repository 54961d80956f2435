"""A small router for API Gateway REST proxy events: path templates, a pydantic request body, JSON error bodies, and
the OpenAPI document generated from the same route table.

Why our own and not Powertools' ``APIGatewayRestResolver`` (which served these routes before): importing its event
handler and OpenAPI validation layer costs ~100 ms of CPU here, a quarter of the predict Lambda's 400 ms cold-start
budget, for three routes that need only path matching, one validated body and the documented error envelope.
Validation is still pydantic (the models in :mod:`courtside.serving.schemas`), so the contract, the error details
and the OpenAPI schemas come from one source; the router adds no behaviour of its own beyond HTTP mapping:

- unknown path -> 404 ``not_found``; known path, other method -> 405 ``method_not_allowed`` with ``Allow``;
- a body that is not UTF-8 -> 400 ``malformed_body``; not JSON -> 400 ``malformed_json``; JSON that does not match
  the model -> 422 ``validation_error`` (pydantic's ``loc``/``msg``/``type`` per error, ``loc`` starting at
  ``body``); a ``Content-Type`` other than JSON -> 415 ``unsupported_media_type`` (no header means JSON);
- :class:`~courtside.serving.errors.ServiceError` -> its status and code; anything else -> 500 ``internal_error``
  (logged with the stack; the body never echoes internals).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from courtside.serving.errors import ServiceError, error_body

log = logging.getLogger(__name__)

JSON = "application/json"
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    """One operation: what it matches, what it calls and how the OpenAPI document describes it."""

    method: str
    path: str  # OpenAPI template, e.g. "/v1/games/{game_id}/live"
    endpoint: Callable[..., Any]  # called with the validated body (if any) and the path parameters as keywords
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    path_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> JSON schema
    responses: Mapping[int, tuple[str, type[BaseModel]]] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        literal = re.escape(self.path).replace(r"\{", "{").replace(r"\}", "}")
        regex = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", literal)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}/?$"))


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway proxy response with a compact JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON, **(headers or {})},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def validation_details(err: ValidationError, prefix: tuple[str, ...] = ("body",)) -> list[dict[str, Any]]:
    """pydantic's errors without ``input``/``ctx`` (they can echo large or non-JSON values back)."""
    return [
        {
            "loc": [*prefix, *(p if isinstance(p, int) else str(p) for p in e.get("loc", ()))],
            "msg": e.get("msg"),
            "type": e.get("type"),
        }
        for e in err.errors(include_url=False)
    ]


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == name and values:
            return str(values[-1])
    return None


class BadRequest(Exception):
    """A request the router rejects before any endpoint runs (status, code, message, details)."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.response = json_response(status, error_body(code, message, details))


class Router:
    """Routes proxy events to endpoints; :meth:`resolve` never raises and never answers 5xx for client input."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, route: Route) -> Route:
        self.routes.append(route)
        return route

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: set[str] = set()
        for route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            if route.method == method:
                return route, m.groupdict()
            allowed.add(route.method)
        if allowed:
            err = BadRequest(405, "method_not_allowed", f"{method} not allowed on {path}")
            err.response["headers"]["Allow"] = ", ".join(sorted(allowed))
            raise err
        raise BadRequest(404, "not_found", f"no route {method} {path}")

    @staticmethod
    def _body(route: Route, event: Mapping[str, Any]) -> BaseModel:
        assert route.body is not None
        content_type = _header(event, "content-type")
        if content_type is not None and not content_type.split(";")[0].strip().lower().endswith(("/json", "+json")):
            raise BadRequest(415, "unsupported_media_type", "send application/json")
        raw = event.get("body")
        if raw is not None and event.get("isBase64Encoded"):
            try:
                raw = base64.b64decode(raw).decode("utf-8")
            except (ValueError, UnicodeDecodeError) as err:  # binascii.Error is a ValueError
                raise BadRequest(400, "malformed_body", "request body is not UTF-8 encoded JSON") from err
        try:
            if raw is None or raw == "":
                return route.body.model_validate(None)  # "no body" is a schema error, not malformed JSON
            return route.body.model_validate_json(raw)
        except ValidationError as err:
            details = validation_details(err)
            if any(d["type"] == "json_invalid" for d in details):
                raise BadRequest(400, "malformed_json", "request body is not valid JSON", details) from err
            raise BadRequest(422, "validation_error", "request does not match the schema", details) from err

    def resolve(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        """The proxy response for one API Gateway REST proxy event."""
        try:
            route, params = self._match(str(event.get("httpMethod") or "").upper(), str(event.get("path") or ""))
            args = (self._body(route, event),) if route.body is not None else ()
            return json_response(200, route.endpoint(*args, **params))
        except BadRequest as err:
            return err.response
        except ServiceError as err:
            return json_response(err.status, err.body())
        except Exception:  # noqa: BLE001 - the one place an unexpected failure becomes a documented 500
            log.exception("unhandled error")
            return json_response(500, error_body("internal_error", "internal error; the request id is in the logs"))

    def openapi(self, info: Mapping[str, Any], servers: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """OpenAPI 3.1 from the route table: request and response schemas are the pydantic models' JSON schemas."""
        from pydantic.json_schema import models_json_schema  # generation only, never on a request path

        models: dict[tuple[type[BaseModel], str], None] = {}
        for r in self.routes:
            if r.body is not None:
                models[(r.body, "validation")] = None
            for _, model in r.responses.values():
                models[(model, "serialization")] = None
        refs, defs = models_json_schema(list(models), ref_template="#/components/schemas/{model}")
        paths: dict[str, dict[str, Any]] = {}
        for r in self.routes:
            op: dict[str, Any] = {"tags": list(r.tags), "summary": r.summary}
            if r.description:
                op["description"] = r.description
            op["operationId"] = r.endpoint.__name__
            if r.path_params:
                op["parameters"] = [
                    {"name": n, "in": "path", "required": True, "description": s.get("description", ""), "schema": s}
                    for n, s in r.path_params.items()
                ]
            if r.body is not None:
                schema = refs[(r.body, "validation")]
                op["requestBody"] = {"required": True, "content": {JSON: {"schema": schema}}}
            op["responses"] = {
                str(status): {"description": text, "content": {JSON: {"schema": refs[(model, "serialization")]}}}
                for status, (text, model) in sorted(r.responses.items())
            }
            paths.setdefault(r.path, {})[r.method.lower()] = op
        doc: dict[str, Any] = {"openapi": "3.1.0", "info": dict(info)}
        if servers:
            doc["servers"] = servers
        doc["paths"] = paths
        doc["components"] = {"schemas": defs.get("$defs", {})}
        return doc
