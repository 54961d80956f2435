"""The pre-game prediction core: request -> one online-store batch read -> features -> model -> response.

Why a class holding its collaborators: the Lambda builds one :class:`PregamePredictor` per container at init (model
loaded, boto3 clients created) and reuses it while warm; tests and the benchmark inject a store, a model provider or
a capture sink without monkeypatching.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from courtside.config import resource_names
from courtside.features.pregame import carry_into_season, pregame_features
from courtside.ratings import elo
from courtside.serving import capture as capture_mod
from courtside.serving import errors
from courtside.serving.backends import Backend, LocalBackend, backend_from_env
from courtside.serving.errors import ServiceError
from courtside.serving.model_source import ModelProvider, RegistryModelProvider
from courtside.serving.schemas import PregameRequest, season_of
from courtside.serving.store import StateSource, default_store
from courtside.serving.teams import franchise_code

_ELO = elo.EloConfig()
LIVE_PRIORS_TTL_SECONDS = 300.0
LIVE_PRIORS_PARTIAL_TTL_SECONDS = 30.0  # Elo's alone (no pre-game model answered): asked again sooner
LIVE_PRIORS_CACHED = 512


class Timings(NamedTuple):
    """Where the request's time went (milliseconds), for EMF metrics and the benchmark.

    A NamedTuple (immutable, attribute access) because one is built per request: ~2x cheaper than a frozen
    dataclass, whose ``__init__`` goes through ``object.__setattr__``."""

    feature_read_ms: float
    score_ms: float
    freshness_s: float | None


def parse_event_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@lru_cache(maxsize=256)
def _event_timestamp(value: str) -> float | None:
    """POSIX time of an event-time string, parsed once per distinct value.

    Why cached: every request reports freshness from the store's ``features_as_of``, which only changes when a new
    result is applied, so a warm container sees the same few strings over and over."""
    parsed = parse_event_time(value)
    return None if parsed is None else parsed.timestamp()


def freshness_seconds(features_as_of: str | None, now: float) -> float | None:
    """Seconds between the newest reflected event and now (the practice-2 freshness metric)."""
    stamp = _event_timestamp(features_as_of) if features_as_of else None
    return None if stamp is None else max(0.0, now - stamp)


class PregamePredictor:
    """Serves ``POST /v1/predictions/pregame``."""

    def __init__(
        self,
        store: StateSource | None = None,
        backend: Backend | None = None,
        provider: ModelProvider | None = None,
        sink: capture_mod.CaptureSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store if store is not None else default_store()
        if backend is None:
            backend = LocalBackend(provider) if provider is not None else backend_from_env(default_provider)
        self.backend = backend
        self.sink, self.clock = sink, clock
        self.last_timings: Timings | None = None
        self._priors: dict[str, tuple[float, dict[str, float]]] = {}  # game id -> (expires at, live priors)

    def model_version(self) -> str | None:
        return self.backend.model_version()

    def features_for(self, req: PregameRequest) -> tuple[str, str, int, dict[str, float], str | None]:
        """Resolve teams and season, read both teams' state and the game's availability in one batch read,
        compute the model inputs."""
        home = franchise_code(req.home_team, "home_team")
        away = franchise_code(req.away_team, "away_team")
        if home == away:
            raise ServiceError(422, errors.SAME_TEAM, f"home and away are the same franchise ({home})")
        season = season_of(req.date)
        day = req.date.isoformat()
        try:
            state = self.store.get_pregame_state(home, away, season, day)
        except ServiceError:
            raise
        except Exception as err:  # noqa: BLE001 - a store outage is a 503 with a code, not an opaque 500
            raise ServiceError(503, errors.FEATURES_UNAVAILABLE, f"online store read failed: {err}") from err
        home_state = carry_into_season(state.home, season, _ELO)
        away_state = carry_into_season(state.away, season, _ELO)
        home_av, away_av = state.availability  # from the game's game_scheduled lists; (1.0, 1.0) when unknown
        feats = pregame_features(home_state, away_state, state.league, day, req.neutral, home_av, away_av)
        return home, away, season, feats, getattr(state, "features_as_of", None) or None

    def predict(self, req: PregameRequest) -> dict[str, Any]:
        t0 = time.perf_counter()
        home, away, season, feats, as_of = self.features_for(req)
        day = req.date.isoformat()
        t1 = time.perf_counter()
        scored = self.backend.score(feats)
        t2 = time.perf_counter()
        now = self.clock()
        self.last_timings = Timings((t1 - t0) * 1e3, (t2 - t1) * 1e3, freshness_seconds(as_of, now))
        response = {
            "home_win_probability": scored.probability,
            "model_version": scored.model_version,
            "features_as_of": as_of,
            "home_team": home,
            "away_team": away,
            "date": day,
            "season": season,
            "neutral": req.neutral,
            "features": feats,
        }
        sink = capture_mod.active_sink(self.sink)
        if sink is not None:  # no record (nor pseudonym) is built while captures go nowhere
            capture_mod.offer(
                {
                    "kind": "pregame",
                    "requested_at": now,
                    "user_pseudonym": capture_mod.pseudonym_of(req.user_id),
                    "request": {"date": day, "home_team": home, "away_team": away, "neutral": req.neutral},
                    "features": feats,
                    "features_as_of": as_of,
                    "model_version": scored.model_version,
                    "prediction": scored.probability,
                },
                sink,
            )
        return response

    def live_priors(self, game_id: str) -> dict[str, float]:
        """The in-game model's pre-game inputs for a public game id, by their live names: Elo's home win probability
        (``pregame_home_win_probability``) from the game's pre-game features, and the approved pre-game model's
        score of the same features (``pregame_model_home_win_probability``) when a model is approved and answers.
        Empty if the game id or its features cannot be resolved.

        Kept per game for ``LIVE_PRIORS_TTL_SECONDS`` (at most ``LIVE_PRIORS_CACHED`` games; Elo's alone, when no
        pre-game model answered, for ``LIVE_PRIORS_PARTIAL_TTL_SECONDS``): a game's pre-game inputs are facts of its
        tip-off, while a live game is polled every few seconds, and with the endpoint backend each computation is a
        SageMaker call. A newly approved pre-game model reaches live games within the TTL.

        Why both, each under its own name: the in-game model's trees from the 4th quarter on and its late logistic
        are trained on Elo's probability (:func:`courtside.models.ingame.pregame_probs`, the same ``elo_diff``
        through the same function), its early trees (periods 1-3) on the pre-game model's walk-forward probability
        (:func:`courtside.models.ingame.pregame_model_probs`). Feeding either part the other's is a train/serve skew.
        """
        now = self.clock()
        hit = self._priors.get(game_id)
        if hit is not None and hit[0] > now:
            return dict(hit[1])
        priors = self._compute_live_priors(game_id)
        if priors:
            if len(self._priors) >= LIVE_PRIORS_CACHED:
                self._priors.pop(next(iter(self._priors)))  # the oldest entry
            complete = "pregame_model_home_win_probability" in priors
            ttl = LIVE_PRIORS_TTL_SECONDS if complete else LIVE_PRIORS_PARTIAL_TTL_SECONDS
            self._priors[game_id] = (now + ttl, priors)
        return dict(priors)

    def _compute_live_priors(self, game_id: str) -> dict[str, float]:
        try:
            day, rest = game_id.split("_", 1)
            away, home = rest.split("_at_")
            req = PregameRequest(date=f"{day[:4]}-{day[4:6]}-{day[6:8]}", home_team=home, away_team=away)
            _, _, _, feats, _ = self.features_for(req)
        except (ValueError, ServiceError):
            return {}
        priors = {"pregame_home_win_probability": elo.win_probability(feats["elo_diff"])}
        with contextlib.suppress(ServiceError):  # no approved model, or its endpoint down: the Elo parts serve alone
            priors["pregame_model_home_win_probability"] = self.backend.score(feats).probability
        return priors


def default_provider() -> RegistryModelProvider:
    """The approved version of the pre-game model package group, loaded now (at container init)."""
    provider = RegistryModelProvider(resource_names().model_package_group)
    provider.refresh()
    return provider
