"""Features function: validated events from Kinesis -> online feature store (thin: logic is in courtside).

`game_final` updates both teams' and the league's pre-game state with the batch code (OnlineStore.apply_game_final);
`pbp` advances the game's live state (LiveState.apply); `player_box` updates the team's player availability state
(players.apply_box, the backfill's code); `game_scheduled` with available players stores the game's lists for the
prediction path (OnlineStore.put_schedule; without lists it is ignored).
Bad payloads are logged and counted, never retried (they cannot succeed); only
infrastructure errors (DynamoDB throttling, network) raise and become batchItemFailures so Lambda retries them.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from botocore.exceptions import BotoCoreError, ClientError

from courtside.features import players as player_state
from courtside.features.live import LiveState
from courtside.online_store import OnlineStore
from courtside.teams import franchise_of, to_bref

logger = Logger(service="courtside-features")
metrics = Metrics(namespace="Courtside", service="courtside-features")
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

_store: OnlineStore | None = None
_live_cache: OrderedDict[str, LiveState] = OrderedDict()  # warm containers skip the read of a game's state
_players_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()  # franchise -> players state last written here
LIVE_CACHE_SIZE = 256
PLAYERS_CACHE_SIZE = 64
INFRA_ERRORS = (ClientError, BotoCoreError, ConnectionError, TimeoutError)


def store() -> OnlineStore:
    global _store
    if _store is None:
        _store = OnlineStore()
    return _store


def reset_cache() -> None:
    """Forget warm state (tests reset moto between cases; a cold container starts like this)."""
    global _store
    _store = None
    _live_cache.clear()
    _players_cache.clear()


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _remember(cache: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    """Keep `value` as the state this container wrote last for `key`, dropping the least recently written past
    `size` (the warm caches of both optimistic updates below)."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


def live_update(game_id: str, payload: dict[str, Any], occurred_at: str, s: OnlineStore) -> str:
    """Apply one pbp payload to the game's live state; an event already applied (by event_num) is skipped. Events
    apply in arrival order, which is the game's time order: the source's numbers are not (see LiveState.seen).

    The write is conditional on the count of applied events growing. A warm container's cached state can be behind
    the stored one (another container applied the game's later plays); then the write is refused, the state is
    re-read and the play applied to it, so no play is lost to a stale cache (optimistic, as the players update)."""
    for attempt in range(5):
        state = _live_cache.get(game_id) if attempt == 0 else None
        if state is None:
            stored = s.get_live_state(game_id)
            state = LiveState.from_dict(stored) if stored else LiveState.for_game(game_id)
        if not state.accepts(payload):
            return "stale"
        new = state.apply(payload)
        if s.put_live_state(game_id, {**new.to_dict(), "f": new.features()}, occurred_at, seq=new.events):
            _remember(_live_cache, game_id, new, LIVE_CACHE_SIZE)
            return "applied"
        _live_cache.pop(game_id, None)
    raise TimeoutError("live state kept conflicting")


def players_update(game_id: str, payload: dict[str, Any], occurred_at: str, s: OnlineStore) -> str:
    """Fold one box line into the team's availability state (optimistic: seq = lines applied, retried).

    A warm container starts from the state it wrote last (one conditional put per line instead of a read and a
    put); when another writer got there first, the put is refused and the state is re-read.
    """
    team = franchise_of(to_bref(str(payload["team"])))
    for attempt in range(5):
        current = _players_cache.get(team) if attempt == 0 else None
        if current is None:
            current = s.get_players_state(team) or {**player_state.empty(), "n": 0}
        new = player_state.apply_box(current, payload, game_id)
        if new is current:
            return "duplicate"
        seq = int(current.get("n", 0)) + 1
        stored = {**new, "n": seq}
        if s.put_players_state(team, stored, occurred_at, seq=seq):
            _remember(_players_cache, team, stored, PLAYERS_CACHE_SIZE)
            return "applied"
        _players_cache.pop(team, None)
    raise TimeoutError("player state kept conflicting")


def handle_event(event: dict[str, Any], s: OnlineStore) -> str:
    """Route one validated envelope; returns what happened (for logs, metrics and tests)."""
    etype, game_id, occurred_at = event.get("event_type"), str(event.get("game_id", "")), event.get("occurred_at")
    payload = event.get("payload") or {}
    if not isinstance(occurred_at, str) or not isinstance(payload, dict):
        return "malformed"
    try:
        if etype == "game_final":
            outcome = s.apply_game_final(payload, occurred_at, game_id=game_id)
        elif etype == "pbp":
            outcome = live_update(game_id, payload, occurred_at, s)
        elif etype == "player_box":
            outcome = players_update(game_id, payload, occurred_at, s)
        elif etype == "game_scheduled":
            outcome = s.put_schedule(payload, occurred_at)
        else:
            return "ignored"
    except INFRA_ERRORS:
        raise
    except (KeyError, ValueError, TypeError) as err:
        logger.warning("unusable payload", extra={"game_id": game_id, "event_type": etype, "error": str(err)})
        return "malformed"
    with contextlib.suppress(ValueError):  # an unparsable time must not fail a result already stored
        metrics.add_metric(
            name="FeatureFreshnessSeconds", unit=MetricUnit.Seconds, value=max(0.0, time.time() - _epoch(occurred_at))
        )
    if outcome == "late":
        metrics.add_metric(name="LateGameFinal", unit=MetricUnit.Count, value=1)
        logger.info("late game_final ignored for ratings", extra={"game_id": game_id, "occurred_at": occurred_at})
    return outcome


def record_handler(record: KinesisStreamRecord) -> str:
    try:
        event = json.loads(record.kinesis.data_as_bytes())
    except (ValueError, UnicodeDecodeError):
        logger.warning("undecodable record", extra={"sequence_number": record.kinesis.sequence_number})
        metrics.add_metric(name="UndecodableRecord", unit=MetricUnit.Count, value=1)
        return "malformed"
    if not isinstance(event, dict):
        return "malformed"
    return handle_event(event, store())


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
