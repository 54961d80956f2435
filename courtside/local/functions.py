"""Which function handles which stream and which API route: the local mirror of the CDK wiring."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from courtside.config import ResourceNames
from courtside.local.api import Route


def cold_start(module: str, attr: str = "handler") -> Callable[[dict[str, Any], Any], Any]:
    """A fresh instance of a handler module, as a new Lambda container runs its init.

    Handlers keep state from init on purpose (clients bound to an endpoint, the loaded model, warm caches of the
    features function). A stack started later in the same process (the demo after `courtside up`, or the next
    test on a worker) must not inherit the previous stack's instance: its endpoint and its data are gone.
    """
    sys.modules.pop(module, None)
    return getattr(importlib.import_module(module), attr)


def lazy_handler(module: str, attr: str = "handler") -> Callable[[], Callable[[dict[str, Any], Any], Any]]:
    """Cold-start the handler module on first use (one container per call of this function), then keep it warm."""

    @cache
    def load() -> Callable[[dict[str, Any], Any], Any]:
        return cold_start(module, attr)

    return load


def stream_functions(names: ResourceNames) -> list[tuple[str, str, str]]:
    """(stream name, function name, handler module) for every Kinesis event source mapping."""
    return [
        (names.stream, f"{names.prefix}-validate", "functions.validate.handler"),
        (names.validated_stream, f"{names.prefix}-features", "functions.features.handler"),
        (names.validated_stream, f"{names.prefix}-outcomes", "functions.outcomes.handler"),
    ]


def scheduled_functions(names: ResourceNames) -> list[tuple[str, str]]:
    """(function name, handler module) of every EventBridge-scheduled function (run by the LocalScheduler)."""
    return [
        (f"{names.prefix}-monitor", "functions.monitor.handler"),
        (f"{names.prefix}-retrain", "functions.retrain.handler"),
    ]


def api_routes(names: ResourceNames) -> list[Route]:
    predict = lazy_handler("functions.predict.handler")
    fn = f"{names.prefix}-predict"
    routes = [
        Route("/health", fn, predict),
        Route("/v1/predictions/pregame", fn, predict),
        Route("/v1/games/{game_id}/live", fn, predict),
    ]
    if importlib.util.find_spec("functions.privacy.handler") is not None:
        routes.append(
            Route("/v1/users/{user_id}/consent", f"{names.prefix}-privacy", lazy_handler("functions.privacy.handler"))
        )
        routes.append(
            Route("/v1/users/{user_id}", f"{names.prefix}-privacy", lazy_handler("functions.privacy.handler"))
        )
    return routes
