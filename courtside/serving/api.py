"""The HTTP surface: Powertools REST resolver routes, error mapping and EMF metrics around the prediction cores.

Why routes live here and not in ``functions/predict/handler.py``: the OpenAPI document is generated from these
exact routes and pydantic models (:mod:`courtside.serving.openapi`) without importing the Lambda module; the
handler stays a few lines that build the service once per container and dispatch.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from courtside.serving.errors import ServiceError, error_body
from courtside.serving.schemas import (
    GAME_ID_PATTERN,
    ErrorResponse,
    HealthResponse,
    LiveResponse,
    PregameRequest,
    PregameResponse,
)
from courtside.serving.service import PredictionService

log = logging.getLogger(__name__)

JSON = "application/json"
ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", r"^/v1/predictions/pregame/?$"),
    ("GET", r"^/v1/games/[^/]+/live/?$"),
    ("GET", r"^/health/?$"),
)
_ROUTE_RES = tuple((method, re.compile(pattern)) for method, pattern in ROUTES)


def _err(status: int, description: str) -> dict[int, Any]:
    return {status: {"description": description, "content": {JSON: {"model": ErrorResponse}}}}


def _ok(model: Any, description: str) -> dict[int, Any]:
    return {200: {"description": description, "content": {JSON: {"model": model}}}}


def _json(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body, separators=(",", ":")))


def _clean_details(errors: Any) -> list[dict[str, Any]]:
    """Validation details without `input`/`ctx` (they can echo large or non-JSON values back)."""
    return [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
            "msg": e.get("msg"),
            "type": e.get("type"),
        }
        for e in errors
    ]


def create_app(service: PredictionService, metrics: Any = None) -> APIGatewayRestResolver:
    """Build the resolver. `metrics` is a Powertools ``Metrics`` (EMF) or None (tests, OpenAPI generation)."""
    app = APIGatewayRestResolver(enable_validation=True)

    def observe(route: str, started: float, result: dict[str, Any] | None) -> None:
        if metrics is None:
            return
        from aws_lambda_powertools.metrics import MetricUnit, single_metric
        from aws_lambda_powertools.metrics.functions import is_metrics_disabled

        metrics.add_dimension("Route", route)
        metrics.add_metric("Latency", MetricUnit.Milliseconds, (time.perf_counter() - started) * 1e3)
        timings = service.pregame_timings() if route == "pregame" else None
        if timings is not None:
            metrics.add_metric("FeatureReadLatency", MetricUnit.Milliseconds, timings.feature_read_ms)
            metrics.add_metric("ScoreLatency", MetricUnit.Milliseconds, timings.score_ms)
            if timings.freshness_s is not None:
                metrics.add_metric("FeatureFreshness", MetricUnit.Seconds, timings.freshness_s)
        # `single_metric` prints even when POWERTOOLS_METRICS_DISABLED is set (the local stack sets it); honour it here
        if result is not None and not is_metrics_disabled():
            with single_metric(
                name="Predictions", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
            ) as count:
                count.add_dimension("Route", route)
                count.add_dimension("ModelVersion", str(result["model_version"]))

    @app.post(
        "/v1/predictions/pregame",
        summary="Pre-game home win probability",
        description="Computed at request time from the online store's freshest team features.",
        responses={
            **_ok(PregameResponse, "The forecast"),
            **_err(400, "Malformed JSON body"),
            **_err(422, "Invalid request (missing field, bad date, unknown team, same team)"),
            **_err(503, "No approved model yet (code no_approved_model) or feature store unavailable"),
        },
        tags=["predictions"],
    )
    def pregame(request: Annotated[PregameRequest, Body(embed=False)]) -> PregameResponse:
        started = time.perf_counter()
        result = service.predict_pregame(request)
        observe("pregame", started, result)
        return PregameResponse.model_construct(**result)

    @app.get(
        "/v1/games/<game_id>/live",
        summary="Live in-game home win probability",
        description="Scores the game's current state from the online store; 404 when the game has no live state.",
        responses={
            **_ok(LiveResponse, "Live probability and state"),
            **_err(404, "Game has no live state"),
            **_err(422, "Malformed game id"),
            **_err(503, "Feature store unavailable"),
        },
        tags=["predictions"],
    )
    def live(
        game_id: Annotated[str, Path(description=f"Game id, {GAME_ID_PATTERN}", examples=["20190613_TOR_at_GSW"])],
    ) -> LiveResponse:
        started = time.perf_counter()
        result = service.predict_live(game_id)
        observe("live", started, result)
        return LiveResponse.model_construct(**result)

    @app.get("/health", summary="Service health and the model version being served", tags=["operations"])
    def health() -> HealthResponse:
        return HealthResponse(**service.health())

    @app.exception_handler(ServiceError)
    def service_error(err: ServiceError) -> Response:
        return _json(err.status, err.body())

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported(err: RequestUnsupportedContentType) -> Response:
        return _json(415, error_body("unsupported_media_type", "send application/json", _clean_details(err.errors())))

    @app.exception_handler(RequestValidationError)
    def invalid(err: RequestValidationError) -> Response:
        details = _clean_details(err.errors())
        if any(d["type"] == "json_invalid" for d in details):
            return _json(400, error_body("malformed_json", "request body is not valid JSON", details))
        return _json(422, error_body("validation_error", "request does not match the schema", details))

    @app.not_found
    def not_found(_: NotFoundError) -> Response:
        event = app.current_event
        path, method = event.path or "", (event.http_method or "").upper()
        allowed = sorted({m for m, rx in _ROUTE_RES if rx.match(path)})
        if allowed and method not in allowed:
            resp = _json(405, error_body("method_not_allowed", f"{method} not allowed on {path}"))
            resp.headers["Allow"] = ", ".join(allowed)
            return resp
        return _json(404, error_body("not_found", f"no route {method} {path}"))

    @app.exception_handler(UnicodeDecodeError)
    def undecodable(_: UnicodeDecodeError) -> Response:
        # Powertools decodes the body lazily; bytes that are not UTF-8 are the client's error, not ours.
        return _json(400, error_body("malformed_body", "request body is not UTF-8 encoded JSON"))

    @app.exception_handler(Exception)
    def internal(err: Exception) -> Response:
        log.exception("unhandled error")
        return _json(500, error_body("internal_error", "internal error; the request id is in the logs"))

    return app
