"""Versioned event schemas of the public stream (DESIGN.md: one JSON event per Kinesis record).

Why strict pydantic models: the validate function must tell a wrong type (`"105"` for a score) from a right one,
so models are `strict` (no coercion) and `extra="forbid"` (a new field needs a new `schema_version`). Parsing goes
through one :class:`pydantic.TypeAdapter` over a union discriminated by `event_type`, which validates the raw JSON
bytes in Rust without building an intermediate dict (the ingest benchmark depends on it).

Public helpers used by producers and other areas: :func:`game_id_for`, :func:`make_event`,
:func:`game_final_event`, :func:`parse_event`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from courtside.errors import EventRejected

SCHEMA_VERSION = "1.0"
EVENT_TYPES = ("game_scheduled", "pbp", "game_final", "player_box")
# Largest accepted event, in bytes of JSON. A pbp event is ~400 B; a schedule with rosters ~2 KB.
MAX_EVENT_BYTES = 32 * 1024
GAME_ID_PATTERN = r"^[0-9]{8}_[A-Z0-9]{2,4}_at_[A-Z0-9]{2,4}$"

Score = Annotated[int, Field(ge=0, le=250)]
TeamCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,4}$")]
DateStr = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
Season = Annotated[int, Field(ge=1947, le=2100)]
Count = Annotated[int, Field(ge=0, le=200)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class GameScheduled(_Model):
    """A game is on the schedule (pre-game predictions can be made for it)."""

    season: Season
    date: DateStr
    home_team: TeamCode
    away_team: TeamCode
    neutral: bool = False
    is_playoff: bool = False
    home_players: list[int] | None = Field(default=None, max_length=30, description="player ids available")
    away_players: list[int] | None = Field(default=None, max_length=30)


class Pbp(_Model):
    """One play-by-play event (stats.nba.com PlayByPlayV2 row, cleaned)."""

    event_num: Annotated[int, Field(ge=0, le=10_000, description="source event number (EVENTNUM)")]
    period: Annotated[int, Field(ge=1, le=10, description="1-4 quarters, 5+ overtimes")]
    clock_seconds: Annotated[float, Field(ge=0, le=720, description="seconds remaining in the period")]
    event_code: Annotated[int, Field(ge=0, le=30, description="EVENTMSGTYPE: 1 made shot, 2 miss, 3 FT, ...")]
    action_code: Annotated[int, Field(ge=0, le=1000, description="EVENTMSGACTIONTYPE")] = 0
    home_score: Score | None = Field(default=None, description="home score after the event; set on scoring events")
    away_score: Score | None = None
    team: TeamCode | None = Field(default=None, description="team of the primary player (bref code)")
    player1_id: int | None = None
    player2_id: int | None = None
    player3_id: int | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    wall_clock: Annotated[str, Field(max_length=20)] | None = None


class GameFinal(_Model):
    """The final score of a game."""

    season: Season
    date: DateStr
    home_team: TeamCode
    away_team: TeamCode
    home_score: Score
    away_score: Score
    neutral: bool = False
    is_playoff: bool = False


class PlayerBox(_Model):
    """One player's box-score line for one game."""

    player_id: Annotated[int, Field(ge=1)]
    player_name: Annotated[str, Field(min_length=1, max_length=100)]
    team: TeamCode
    starter: bool = False
    start_position: Annotated[str, Field(max_length=4)] | None = None
    dnp_reason: Annotated[str, Field(max_length=200)] | None = None
    minutes: Annotated[float, Field(ge=0, le=80)] = 0.0
    pts: Count = 0
    reb: Count = 0
    ast: Count = 0
    stl: Count = 0
    blk: Count = 0
    tov: Count = 0
    pf: Annotated[int, Field(ge=0, le=10)] = 0
    fgm: Count = 0
    fga: Count = 0
    fg3m: Count = 0
    fg3a: Count = 0
    ftm: Count = 0
    fta: Count = 0
    plus_minus: Annotated[int, Field(ge=-100, le=100)] | None = None


class _Envelope(_Model):
    schema_version: Literal["1.0"]
    event_id: Annotated[str, Field(min_length=1, max_length=200)]
    game_id: Annotated[str, Field(pattern=GAME_ID_PATTERN)]
    occurred_at: AwareDatetime


class GameScheduledEvent(_Envelope):
    event_type: Literal["game_scheduled"]
    payload: GameScheduled


class PbpEvent(_Envelope):
    event_type: Literal["pbp"]
    payload: Pbp


class GameFinalEvent(_Envelope):
    event_type: Literal["game_final"]
    payload: GameFinal


class PlayerBoxEvent(_Envelope):
    event_type: Literal["player_box"]
    payload: PlayerBox


Event = Annotated[
    GameScheduledEvent | PbpEvent | GameFinalEvent | PlayerBoxEvent,
    Field(discriminator="event_type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_MODELS: dict[str, type[_Envelope]] = {
    "game_scheduled": GameScheduledEvent,
    "pbp": PbpEvent,
    "game_final": GameFinalEvent,
    "player_box": PlayerBoxEvent,
}
PAYLOAD_MODELS: dict[str, type[_Model]] = {
    "game_scheduled": GameScheduled,
    "pbp": Pbp,
    "game_final": GameFinal,
    "player_box": PlayerBox,
}


def game_id_for(date: str, away: str, home: str) -> str:
    """`YYYYMMDD_AWAY_at_HOME` from an ISO date and two basketball-reference codes (as the games file's game_key)."""
    return f"{str(date)[:10].replace('-', '')}_{away.strip().upper()}_at_{home.strip().upper()}"


def event_id_for(game_id: str, event_type: str, seq: int | str = 0) -> str:
    """The deterministic idempotency key: the same fact always gets the same id, so replays dedup."""
    return f"{game_id}:{event_type}:{seq}"


def make_event(event_type: str, game_id: str, occurred_at: str, payload: dict, seq: int | str = 0) -> dict:
    """Build an envelope as a plain dict (what producers JSON-encode and put on the stream)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event_type {event_type!r}; expected one of {EVENT_TYPES}")
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": event_id_for(game_id, event_type, seq),
        "event_type": event_type,
        "game_id": game_id,
        "occurred_at": occurred_at,
        "payload": payload,
    }


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def game_final_event(row: Mapping) -> dict:
    """A `game_final` event from a games-file row (game_key, date, season, is_playoff, neutral, teams, scores)."""
    date = _iso_date(row["date"])
    payload = {
        "season": int(row["season"]),
        "date": date,
        "home_team": str(row["home_team"]),
        "away_team": str(row["away_team"]),
        "home_score": int(row["home_score"]),
        "away_score": int(row["away_score"]),
        "neutral": bool(row["neutral"]),
        "is_playoff": bool(row["is_playoff"]),
    }
    return make_event("game_final", str(row["game_key"]), f"{date}T23:59:59Z", payload)


# ---- parsing with reason codes -------------------------------------------------------------------------------

_TYPE_ERRORS_SUFFIXES = ("_type", "_parsing")


def classify_validation_error(err: ValidationError) -> tuple[str, str]:
    """Map pydantic errors to one reason code (most fundamental first) and a short detail."""
    errors = err.errors(include_url=False, include_input=False)
    found: dict[str, str] = {}
    for e in errors:
        typ, loc = e["type"], tuple(str(p) for p in e["loc"])
        field = loc[-1] if loc else ""
        where = ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc)
        if typ in ("union_tag_invalid", "union_tag_not_found") or field == "event_type":
            reason = "unknown_event_type"
        elif typ == "json_invalid" or len(loc) == 0:
            reason = "broken_json"
        elif field == "schema_version":
            reason = "unknown_schema_version"
        elif typ == "missing":
            reason = "missing_field"
        elif typ == "extra_forbidden":
            reason = "unexpected_field"
        elif field == "game_id" and typ == "string_pattern_mismatch":
            reason = "bad_game_id"
        elif field == "occurred_at":
            reason = "bad_timestamp"
        elif typ in ("greater_than_equal", "greater_than") and field.endswith("score"):
            reason = "negative_score"
        elif typ.endswith(_TYPE_ERRORS_SUFFIXES) or typ in ("bool_type", "list_type", "dict_type"):
            reason = "wrong_type"
        elif typ == "string_pattern_mismatch" and field in ("team", "home_team", "away_team"):
            reason = "unknown_team"
        else:
            reason = "out_of_range"
        found.setdefault(reason, f"{where}: {e['msg']}")
    for reason in _PRIORITY:
        if reason in found:
            return reason, found[reason]
    return "wrong_type", str(err)[:300]


_PRIORITY = (
    "broken_json",
    "unknown_schema_version",
    "unknown_event_type",
    "missing_field",
    "wrong_type",
    "unexpected_field",
    "bad_game_id",
    "bad_timestamp",
    "negative_score",
    "unknown_team",
    "out_of_range",
)


def parse_event(raw: bytes) -> Event:
    """Validate one JSON event. Raises :class:`EventRejected` with a reason code (never a bare pydantic error)."""
    if len(raw) > MAX_EVENT_BYTES:
        raise EventRejected("oversized_record", f"{len(raw)} bytes > {MAX_EVENT_BYTES}")
    try:
        return EVENT_ADAPTER.validate_json(raw)
    except ValidationError as err:
        reason, detail = classify_validation_error(err)
        raise EventRejected(reason, detail) from None


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every event type's envelope (for docs/events.md)."""
    return {name: model.model_json_schema() for name, model in EVENT_MODELS.items()}
