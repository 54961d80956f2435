"""The online feature store as the prediction path sees it: one batch read per pre-game request.

Why a protocol: the feature store engineer owns ``OnlineStore`` (its key design and item encoding); the service only
needs ``get_pregame_state`` and ``get_live_state``. Tests and benchmarks can pass any object with those methods.
"""

from __future__ import annotations

from typing import Any, Protocol


class StateSource(Protocol):
    def get_pregame_state(self, home: str, away: str, season: int, date: str | None = None) -> Any:
        """An object with ``home``/``away`` (TeamState), ``league`` (LeagueRating), ``features_as_of`` and
        ``availability`` ((home, away) floats, from the `date` game's availability lists; 1.0 when unknown)."""
        ...

    def get_live_state(self, game_id: str) -> dict[str, Any] | None: ...


def default_store() -> StateSource:
    """The DynamoDB online store read through the standard-library client (:mod:`courtside.aws.lite`): same
    requests and responses as boto3's low-level client, without boto3's import and client-creation cost at a
    cold start. Import deferred so the client is created at init, not at import."""
    from courtside.aws.clients import lite_client
    from courtside.online_store import OnlineStore

    return OnlineStore(client=lite_client("dynamodb"))
