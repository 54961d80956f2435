"""The one validation rule set, shared by the stream (validate function) and the batch loads (Glue job).

Two layers:
- :func:`check_event` — stateless rules on one parsed event: timestamps, game id well formed, referential
  integrity (team codes valid for the season, payload consistent with the game id), internal consistency of a
  record (made <= attempted, points = 2*FG + 3PM + FT).
- :class:`GameState` + :func:`check_against_state` — consistency within a game across events, in arrival order
  (Kinesis keeps a game's events ordered because the partition key is the game id).

Out-of-order rule: monotonic checks compare an event with the *high-water mark of the accepted events* of its
game (latest period/clock, highest scores). An event behind that mark (clock earlier than an accepted event of the
same period, or a score below one already seen) is quarantined as `clock_backwards` / `score_decreased`; it does
not move the mark, so one bad record does not poison the rest of the game. Events without scores (non-scoring
plays) are not checked for scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from courtside.errors import EventRejected
from courtside.events import EVENT_ADAPTER, Event, GameFinalEvent, GameScheduledEvent, PlayerBoxEvent
from courtside.teams import is_valid_for_season, to_bref

_ZERO = dt.timedelta(0)
# The tzinfo pydantic-core attaches to a parsed "...Z" timestamp (it reuses one object): an identity check is the
# cheap path of the UTC rule; anything else still goes through utcoffset().
_UTC_TZ = EVENT_ADAPTER.validate_json(
    b'{"schema_version":"1.0","event_id":"x","game_id":"20190101_BOS_at_NYK","occurred_at":"2019-01-01T00:00:00Z",'
    b'"event_type":"pbp","payload":{"event_num":0,"period":1,"clock_seconds":720.0,"event_code":12}}'
).occurred_at.tzinfo


def season_of(date: dt.date) -> int:
    """NBA seasons are named by the year they end; a season starts in October (checked on every game 1947-2019)."""
    return date.year + 1 if date.month >= 9 else date.year


@dataclass(frozen=True, slots=True)
class GameInfo:
    """What a well-formed game id tells: its date, season and teams."""

    date: str
    season: int
    away: str
    home: str


@lru_cache(maxsize=8192)
def _game_info(game_id: str) -> GameInfo | tuple[str, str]:
    try:
        day = dt.date(int(game_id[0:4]), int(game_id[4:6]), int(game_id[6:8]))
    except ValueError:
        return ("bad_game_id", f"{game_id}: {game_id[:8]} is not a calendar date")
    _, away, _, home = game_id.split("_")
    season = season_of(day)
    for code in (away, home):
        if to_bref(code) != code or not is_valid_for_season(code, season):
            return ("unknown_team", f"{code} is not a basketball-reference code valid in season {season}")
    if away == home:
        return ("bad_game_id", f"{game_id}: a team cannot play itself")
    return GameInfo(day.isoformat(), season, away, home)


def game_info(game_id: str) -> GameInfo:
    """Parse and check a game id (pattern already checked by the schema). Raises EventRejected."""
    info = _game_info(game_id)
    if isinstance(info, tuple):
        raise EventRejected(*info)
    return info


def _team_in_game(code: str, info: GameInfo, field: str) -> None:
    if code == info.home or code == info.away:
        return
    if to_bref(code) != code or not is_valid_for_season(code, info.season):
        raise EventRejected("unknown_team", f"{field}={code} is not valid in season {info.season}")
    raise EventRejected("game_id_mismatch", f"{field}={code} plays in neither side of {info.away}_at_{info.home}")


def _check_game_payload(p: GameFinalEvent | GameScheduledEvent, info: GameInfo) -> None:
    payload = p.payload
    for field in ("home_team", "away_team"):
        code = getattr(payload, field)
        if to_bref(code) != code or not is_valid_for_season(code, payload.season):
            raise EventRejected("unknown_team", f"{field}={code} is not valid in season {payload.season}")
    if (payload.home_team, payload.away_team) != (info.home, info.away):
        raise EventRejected(
            "game_id_mismatch", f"payload {payload.away_team} at {payload.home_team} vs game id {p.game_id}"
        )
    if payload.date != info.date:
        raise EventRejected("game_id_mismatch", f"payload date {payload.date} vs game id {p.game_id}")
    if payload.season != info.season:
        raise EventRejected("game_id_mismatch", f"payload season {payload.season} vs {info.season} from the date")


def _check_box(p: PlayerBoxEvent, info: GameInfo) -> None:
    b = p.payload
    _team_in_game(b.team, info, "team")
    if b.fgm > b.fga or b.fg3m > b.fg3a or b.ftm > b.fta or b.fg3m > b.fgm or b.fg3a > b.fga:
        raise EventRejected("inconsistent_stats", "made shots exceed attempts")
    if b.pts != 2 * b.fgm + b.fg3m + b.ftm:
        raise EventRejected("inconsistent_stats", f"pts={b.pts} but 2*fgm+fg3m+ftm={2 * b.fgm + b.fg3m + b.ftm}")


def check_event(event: Event) -> GameInfo:
    """Stateless rules. Returns the game info (used to route the event); raises EventRejected."""
    if event.event_type == "pbp":
        return stream_facts(event)[3]
    return _check_other(event)


def _check_other(event: Event) -> GameInfo:
    """:func:`check_event` for the event types other than pbp (whose rules are in :func:`stream_facts`)."""
    if event.occurred_at.utcoffset() != _ZERO:
        raise EventRejected("bad_timestamp", f"occurred_at {event.occurred_at.isoformat()} is not UTC")
    info = game_info(event.game_id)
    kind = event.event_type
    if kind == "player_box":
        _check_box(event, info)  # type: ignore[arg-type]
    else:
        _check_game_payload(event, info)  # type: ignore[arg-type]
        if kind == "game_final" and event.payload.home_score == event.payload.away_score:
            raise EventRejected("inconsistent_stats", "an NBA game cannot end in a tie")
    return info


@dataclass(slots=True)
class GameState:
    """Per-game high-water mark of accepted events (persisted in the state table between batches)."""

    period: int = 0
    clock: float = 720.0
    home: int = 0
    away: int = 0
    ended: bool = False  # an end-of-period event with unequal scores at period >= 4 was seen
    pbp_seen: int = 0
    final_home: int | None = None
    final_away: int | None = None
    version: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> GameState:
        return cls(**{k: d[k] for k in cls.__slots__ if k in d})  # type: ignore[attr-defined]


Facts = tuple | None


Check = Callable[[Any, "GameState"], None]


def stream_facts(event: Event) -> tuple[str, str, str, GameInfo, Facts, Check | None]:
    """All stateless rules of one parsed event, and what the within-game rule needs (the stream's hot path).

    Returns `(event_id, game_id, event_type, game info, facts, within-game check)`, so the core can drop the parsed
    model at once and run `check(facts, state)` later in arrival order. Raises EventRejected.

    `event` is a validated event in either form the stream parses: the pydantic model or its msgspec Struct
    (:mod:`courtside.ingest.fastparse`); the rules read only attributes both share.

    pbp (~95 % of the stream) is written out flat because it runs once per record: the UTC check skips
    `utcoffset()` when the parser handed back its shared UTC tzinfo, and the clock limit of regular periods (720 s)
    is the schema's. :func:`check_event` runs this same code for pbp, so the batch loads apply the identical rules.
    """
    etype = event.event_type
    if etype != "pbp":
        return event.event_id, event.game_id, etype, _check_other(event), state_facts(event), _CHECKS.get(etype)
    occurred = event.occurred_at
    tz = occurred.tzinfo
    if tz is not _UTC_TZ and tz is not dt.UTC and occurred.utcoffset() != _ZERO:
        raise EventRejected("bad_timestamp", f"occurred_at {occurred.isoformat()} is not UTC")
    gid = event.game_id
    info = _game_info(gid)
    if info.__class__ is tuple:
        raise EventRejected(*info)  # type: ignore[misc]
    p = event.payload
    team = p.team
    if team is not None and team != info.home and team != info.away:  # type: ignore[union-attr]
        _team_in_game(team, info, "team")  # type: ignore[arg-type]
    home, away, period, clock = p.home_score, p.away_score, p.period, p.clock_seconds
    if (home is None) != (away is None):
        raise EventRejected("missing_field", "home_score and away_score must be set together")
    if period > 4 and clock > 300:
        raise EventRejected("out_of_range", f"clock {clock} s too long for period {period}")
    return event.event_id, gid, etype, info, (period, clock, home, away, p.event_code), check_pbp  # type: ignore[return-value]


def pbp_facts(p: Any) -> tuple[int, float, int | None, int | None, int]:
    """What :func:`check_pbp` reads from a `pbp` payload given as a mapping (the batch replays' form)."""
    return (int(p["period"]), float(p["clock_seconds"]), p.get("home_score"), p.get("away_score"), int(p["event_code"]))


def state_facts(event: Event) -> Facts:
    """The few numbers the within-game rules need, so the core can drop the parsed model early (hot path)."""
    kind = event.event_type
    if kind == "pbp":
        p = event.payload
        return (p.period, p.clock_seconds, p.home_score, p.away_score, p.event_code)
    if kind == "game_final":
        return (event.payload.home_score, event.payload.away_score)
    return None


def check_against_state(event: Event, state: GameState) -> None:
    """Consistency within a game; on success the state advances. Raises EventRejected and leaves state unchanged."""
    check_facts(state_facts(event), state)


def check_facts(facts: Facts, state: GameState) -> None:
    """:func:`check_against_state` on :func:`state_facts` (pbp facts have 5 items, game_final facts 2)."""
    if facts is None:
        return
    if len(facts) == 5:
        check_pbp(facts, state)
    else:
        check_final(facts, state)


def check_final(facts: tuple[int, int], state: GameState) -> None:
    """`game_final` against the play-by-play seen so far; records the final score for later pbp events."""
    home, away = facts
    if state.pbp_seen and (home < state.home or away < state.away):
        raise EventRejected("final_score_mismatch", f"final {away}-{home} below pbp {state.away}-{state.home}")
    if state.ended and (home, away) != (state.home, state.away):
        raise EventRejected("final_score_mismatch", f"final {away}-{home} vs pbp {state.away}-{state.home}")
    state.final_home, state.final_away = home, away


def check_pbp(facts: tuple[int, float, int | None, int | None, int], state: GameState) -> None:
    """A pbp event against the game's high-water mark (the out-of-order rule in the module docstring)."""
    period, clock, home, away, code = facts
    if period < state.period or (period == state.period and clock > state.clock):
        raise EventRejected(
            "clock_backwards", f"period {period} {clock:.0f}s after period {state.period} {state.clock:.0f}s"
        )
    if home is not None:
        if home < state.home or away < state.away:  # type: ignore[operator]
            raise EventRejected("score_decreased", f"{away}-{home} after {state.away}-{state.home}")
        if state.final_home is not None and (home > state.final_home or away > state.final_away):  # type: ignore[operator]
            raise EventRejected(
                "final_score_mismatch", f"pbp {away}-{home} above final {state.final_away}-{state.final_home}"
            )
        state.home, state.away = home, away  # type: ignore[assignment]
    state.period, state.clock = period, clock
    state.pbp_seen += 1
    if code == 13 and period >= 4 and state.home != state.away:
        state.ended = True


# The within-game rule of each event type that has one (what :func:`stream_facts` hands the core).
_CHECKS: dict[str, Check] = {"game_final": check_final, "pbp": check_pbp}
