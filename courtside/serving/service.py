"""The prediction service object a container builds once: predictors, backend and health.

Why a facade: the handler and the local API need one object with three methods (pregame, live, health); building
it may fail partly (no online store module deployed yet, registry unreachable), and such failures must surface as
documented 503s and in /health, never as an init crash that turns every request into a 502.
"""

from __future__ import annotations

import logging
from typing import Any

from courtside.serving import errors
from courtside.serving.errors import ServiceError
from courtside.serving.live import LivePredictor, default_live_provider
from courtside.serving.pregame import PregamePredictor, Timings
from courtside.serving.schemas import PregameRequest
from courtside.serving.store import StateSource, default_store

log = logging.getLogger(__name__)


class UnavailableStore:
    """Stands in when the online store cannot be constructed; every read is a 503 with a code."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self) -> Any:
        raise ServiceError(503, errors.FEATURES_UNAVAILABLE, f"online store unavailable: {self.reason}")

    def get_pregame_state(self, home: str, away: str, season: int, date: str | None = None) -> Any:
        return self._fail()

    def get_live_state(self, game_id: str) -> dict[str, Any] | None:
        return self._fail()


class PredictionService:
    def __init__(self, pregame: PregamePredictor, live: LivePredictor) -> None:
        self.pregame, self.live = pregame, live

    @classmethod
    def from_env(cls) -> PredictionService:
        """Production wiring: DynamoDB online store, registry-approved models, backend from the environment."""
        store: StateSource
        try:
            store = default_store()
        except Exception as err:  # noqa: BLE001 - reported per request and in /health
            log.error("online store unavailable: %s", err)
            store = UnavailableStore(f"{type(err).__name__}: {err}")
        try:
            live_provider = default_live_provider()
        except Exception as err:  # noqa: BLE001 - the baseline serves live games meanwhile
            log.warning("live model unavailable, serving the baseline: %s", err)
            live_provider = None
        pregame = PregamePredictor(store=store)
        return cls(pregame, LivePredictor(store=store, provider=live_provider, priors=pregame.live_priors))

    def predict_pregame(self, request: PregameRequest) -> dict[str, Any]:
        return self.pregame.predict(request)

    def pregame_timings(self) -> Timings | None:
        return self.pregame.last_timings

    def predict_live(self, game_id: str) -> dict[str, Any]:
        return self.live.predict(game_id)

    def health(self) -> dict[str, Any]:
        version = self.pregame.model_version()
        ok = version is not None and not isinstance(self.pregame.store, UnavailableStore)
        return {"status": "ok" if ok else "degraded", "model_version": version, "backend": self.pregame.backend.name}
