"""The HTTP surface: the routes (:mod:`courtside.serving.router`) and EMF metrics around the prediction cores.

Why routes live here and not in ``functions/predict/handler.py``: the OpenAPI document is generated from these
exact routes and pydantic models (:mod:`courtside.serving.openapi`) without importing the Lambda module; the
handler stays a few lines that build the service once per container and dispatch.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from courtside.serving.router import Route, Router
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

GAME_ID_SCHEMA = {
    "type": "string",
    "description": f"Game id, {GAME_ID_PATTERN}",
    "examples": ["20190613_TOR_at_GSW"],
}


def _err(status: int, description: str) -> dict[int, tuple[str, Any]]:
    return {status: (description, ErrorResponse)}


def create_app(service: PredictionService, metrics: Any = None) -> Router:
    """Build the router. `metrics` is a Powertools ``Metrics`` (EMF) or None (tests, OpenAPI generation)."""
    app = Router()

    def observe(route: str, started: float, result: dict[str, Any] | None) -> None:
        from aws_lambda_powertools.metrics.functions import is_metrics_disabled

        # POWERTOOLS_METRICS_DISABLED (the local stack sets it): record nothing. Powertools skips the per-invocation
        # flush when disabled but still prints (and clears) a metric once it holds 100 values, and `single_metric`
        # prints regardless, so both paths must be skipped here or EMF lines leak to stdout every 100 requests.
        if metrics is None or is_metrics_disabled():
            return
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        metrics.add_dimension("Route", route)
        metrics.add_metric("Latency", MetricUnit.Milliseconds, (time.perf_counter() - started) * 1e3)
        timings = service.pregame_timings() if route == "pregame" else None
        if timings is not None:
            metrics.add_metric("FeatureReadLatency", MetricUnit.Milliseconds, timings.feature_read_ms)
            metrics.add_metric("ScoreLatency", MetricUnit.Milliseconds, timings.score_ms)
            if timings.freshness_s is not None:
                metrics.add_metric("FeatureFreshness", MetricUnit.Seconds, timings.freshness_s)
        if result is not None:
            with single_metric(
                name="Predictions", unit=MetricUnit.Count, value=1, namespace=metrics.namespace
            ) as count:
                count.add_dimension("Route", route)
                count.add_dimension("ModelVersion", str(result["model_version"]))

    def pregame(request: PregameRequest) -> dict[str, Any]:
        started = time.perf_counter()
        result = service.predict_pregame(request)
        observe("pregame", started, result)
        return result

    def live(game_id: str) -> dict[str, Any]:
        started = time.perf_counter()
        result = service.predict_live(game_id)
        observe("live", started, result)
        return result

    def health() -> dict[str, Any]:
        return service.health()

    app.add(
        Route(
            "POST",
            "/v1/predictions/pregame",
            pregame,
            summary="Pre-game home win probability",
            description="Computed at request time from the online store's freshest team features.",
            tags=("predictions",),
            body=PregameRequest,
            responses={
                200: ("The forecast", PregameResponse),
                **_err(400, "Malformed JSON body (malformed_json) or a body that is not UTF-8 (malformed_body)"),
                **_err(415, "Content-Type is not application/json (unsupported_media_type)"),
                **_err(422, "Invalid request (validation_error, unknown_team, same_team)"),
                **_err(503, "No approved model yet (no_approved_model), feature store or backend unavailable"),
            },
        )
    )
    app.add(
        Route(
            "GET",
            "/v1/games/{game_id}/live",
            live,
            summary="Live in-game home win probability",
            description="Scores the game's current state from the online store; 404 when the game has no live state.",
            tags=("predictions",),
            path_params={"game_id": GAME_ID_SCHEMA},
            responses={
                200: ("Live probability and state", LiveResponse),
                **_err(404, "Game has no live state (game_not_live)"),
                **_err(422, "Malformed game id (invalid_game_id)"),
                **_err(503, "Feature store unavailable (features_unavailable)"),
            },
        )
    )
    app.add(
        Route(
            "GET",
            "/health",
            health,
            summary="Service health and the model version being served",
            tags=("operations",),
            responses={200: ("Service health", HealthResponse)},
        )
    )
    return app
