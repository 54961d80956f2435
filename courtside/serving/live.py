"""The live in-game prediction core: ``GET /v1/games/{game_id}/live``.

The approved in-game model (``courtside-live`` package group, models engineer's ``courtside.models.ingame``) scores
the state the features handler keeps in the online store. Until one is approved the service still answers, with a
documented closed-form baseline (:func:`brownian_probability`, Stern 1994: the final margin is the current margin
plus a Brownian motion over the time left), so a live game never 503s for lack of a trained in-game model.
"""

from __future__ import annotations

import importlib.util
import math
import re
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from courtside.config import resource_names
from courtside.serving import errors
from courtside.serving.errors import ServiceError
from courtside.serving.model_source import ModelProvider, RegistryModelProvider
from courtside.serving.schemas import GAME_ID_PATTERN
from courtside.serving.store import StateSource, default_store

BASELINE_VERSION = "baseline/brownian-v1"
GAME_SECONDS = 2880.0  # 48 regulation minutes
SIGMA_POINTS = 12.0  # s.d. of the final margin over a full game (NBA, Stern 1994 / Lopez 2017 order of magnitude)
_GAME_ID = re.compile(GAME_ID_PATTERN)


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _phi_inv(p: float) -> float:
    """Inverse normal CDF by bisection (60 steps): avoids importing statistics on the Lambda path."""
    lo, hi = -10.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if _phi(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def brownian_probability(margin: float, seconds_remaining: float, pregame_probability: float = 0.5) -> float:
    """P(home wins) given the home margin now, the seconds left and the pre-game probability."""
    p0 = min(max(pregame_probability, 1e-6), 1 - 1e-6)
    drift = SIGMA_POINTS * _phi_inv(p0)  # expected full-game margin implied by the pre-game probability
    tau = max(seconds_remaining, 0.0) / GAME_SECONDS
    if tau <= 0.0:
        return 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5
    return _phi((margin + drift * tau) / (SIGMA_POINTS * math.sqrt(tau)))


def _plain(value: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; JSON responses want int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _number(state: Mapping[str, Any], *names: str, default: float = 0.0) -> float:
    for name in names:
        if state.get(name) is not None:
            try:
                return float(state[name])
            except (TypeError, ValueError):
                continue
    return default


def live_inputs(state: Mapping[str, Any]) -> dict[str, float]:
    """Numeric model inputs from a stored live state: the features handler's ``f`` dict, else the raw fields.

    ``f`` holds ``courtside.features.live.LIVE_FEATURE_NAMES``; the in-game model reads them by those names
    (``courtside.models.ingame.STATE_FIELDS``), and ``tests/unit/test_live_skew.py`` holds this to training."""
    feats = state.get("f")
    inputs: dict[str, float] = {}
    if isinstance(feats, Mapping):
        inputs.update({str(k): float(v) for k, v in feats.items() if isinstance(v, int | float)})
    for k, v in state.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            inputs.setdefault(str(k), float(v))
    if "score_margin" not in inputs:
        inputs["score_margin"] = _number(state, "margin") or (
            _number(state, "home_score") - _number(state, "away_score")
        )
    if "game_seconds_remaining" not in inputs:
        inputs["game_seconds_remaining"] = _number(state, "seconds_remaining", default=GAME_SECONDS)
    return inputs


def validate_game_id(game_id: str) -> str:
    if not _GAME_ID.match(game_id or ""):
        raise ServiceError(
            422,
            errors.INVALID_GAME_ID,
            "game_id must look like YYYYMMDD_AWAY_at_HOME with basketball-reference codes",
            [{"loc": ["path", "game_id"], "msg": f"does not match {GAME_ID_PATTERN}", "type": "pattern"}],
        )
    return game_id


# The in-game model's pre-game inputs (live names): Elo's probability and the approved pre-game model's.
PRIOR_NAMES = frozenset({"pregame_home_win_probability", "pregame_model_home_win_probability"})


class LivePredictor:
    """Serves the live endpoint from the online store's live state."""

    def __init__(
        self,
        store: StateSource | None = None,
        provider: ModelProvider | None = None,
        priors: Callable[[str], Mapping[str, float]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store if store is not None else default_store()
        self.provider = provider
        # game id -> the in-game model's pre-game inputs by live name (Elo's; the pre-game model's when approved)
        self.priors = priors
        self.clock = clock

    def predict(self, game_id: str) -> dict[str, Any]:
        validate_game_id(game_id)
        try:
            raw = self.store.get_live_state(game_id)
        except Exception as err:  # noqa: BLE001
            raise ServiceError(503, errors.FEATURES_UNAVAILABLE, f"online store read failed: {err}") from err
        if not raw:
            raise ServiceError(404, errors.GAME_NOT_LIVE, f"no live state for game {game_id}")
        state = _plain(dict(raw))
        as_of = state.pop("as_of", None)  # the store's event time of the newest play applied, not a model input
        state.pop("seen", None)  # the tracker's bookkeeping (which plays it applied), not the game's state
        inputs = live_inputs(state)
        if self.priors is not None and not inputs.keys() >= PRIOR_NAMES:
            for name, value in self.priors(game_id).items():
                inputs.setdefault(name, value)
        inputs.setdefault("pregame_home_win_probability", 0.5)
        loaded = self.provider.current() if self.provider is not None else None
        if loaded is not None:
            probability, version = float(loaded.model.predict_proba(inputs)), loaded.version
        else:
            probability = brownian_probability(
                inputs["score_margin"], inputs["game_seconds_remaining"], inputs["pregame_home_win_probability"]
            )
            version = BASELINE_VERSION
        return {
            "game_id": game_id,
            "home_win_probability": probability,
            "model_version": version,
            "as_of": str(as_of) if as_of else None,
            "state": state,
        }


def default_live_provider() -> RegistryModelProvider | None:
    """The approved in-game model, looked up on the first live request (not at init: a shorter cold start).

    Until one is approved (or if the models engineer's loader is absent) the closed-form baseline serves.
    """
    if importlib.util.find_spec("courtside.models.ingame") is None:
        return None

    def parse(text: str | bytes) -> Any:
        from courtside.models.ingame import load_model

        return load_model(text)

    return RegistryModelProvider(resource_names().live_model_package_group, parse=parse)
