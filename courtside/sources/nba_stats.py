"""Mappings from the shared stats.nba.com formats to Courtside events (the explicit cleaning rules).

Cleaning rules, each tested:
- team codes: NBA.com -> basketball-reference with :func:`courtside.teams.to_bref` (BKN->BRK, CHA->CHO, PHX->PHO);
- clock: `PCTIMESTRING` "MM:SS" -> seconds remaining in the period (float);
- score: `SCORE` is "away - home" and is set only on scoring plays; other plays carry no score (None);
- team of a play: the primary player's team; for team plays (team rebound, team turnover) the side whose
  description column is filled;
- player ids: 0 means "nobody" -> None;
- time: `WCTIMESTRING` ("8:03 PM", US Eastern) on the game date -> UTC; after-midnight times roll to the next day;
- ids: game id from the games index (date, away, home); event seq = `EVENTNUM` for pbp, player id for box lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from courtside.events import game_id_for, make_event
from courtside.teams import to_bref

EASTERN = ZoneInfo("America/New_York")


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def parse_clock(text: str) -> float:
    """'MM:SS' (or 'MM:SS.s') -> seconds. Raises ValueError on anything else."""
    minutes, _, seconds = str(text).strip().partition(":")
    if not _:
        raise ValueError(f"clock {text!r} is not MM:SS")
    value = int(minutes) * 60 + float(seconds)
    if value < 0 or float(seconds) >= 60:
        raise ValueError(f"clock {text!r} out of range")
    return value


def parse_score(text: Any) -> tuple[int, int] | None:
    """'away - home' -> (home, away); None when blank."""
    if _blank(text):
        return None
    away, _, home = str(text).partition("-")
    return int(home), int(away)


def parse_minutes(text: Any) -> float:
    """Box-score MIN 'MM:SS' (or a number) -> minutes as float; blank (did not play) -> 0."""
    if _blank(text):
        return 0.0
    if isinstance(text, int | float):
        return float(text)
    m, _, s = str(text).partition(":")
    return round(int(m) + (int(s) / 60 if s else 0.0), 2)


@lru_cache(maxsize=65536)
def wall_clock_utc(date: str, wall: Any) -> str:
    """Game date + Eastern wall clock '8:03 PM' -> ISO-8601 UTC; falls back to the date at 00:00 ET."""
    day = dt.date.fromisoformat(date)
    t = dt.time(0, 0)
    if not _blank(wall):
        with contextlib.suppress(ValueError):
            t = dt.datetime.strptime(str(wall).strip(), "%I:%M %p").time()
        if t.hour < 6:  # a game that started in the evening and ran past midnight
            day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, t, tzinfo=EASTERN)
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GameRef:
    """One games-index row, cleaned: NBA game id -> Courtside game id, date, season, bref teams."""

    __slots__ = ("nba_game_id", "game_id", "date", "season", "home", "away", "home_pts", "away_pts", "is_playoff")

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.nba_game_id = normalise_nba_game_id(row["GAME_ID"])
        self.date = str(row["game_date"])[:10]
        self.season = int(row["season_end"])
        self.home, self.away = to_bref(str(row["home"])), to_bref(str(row["away"]))
        self.home_pts, self.away_pts = int(row["home_pts"]), int(row["away_pts"])
        self.is_playoff = str(row.get("game_type", "regular")).startswith("playoff")
        self.game_id = game_id_for(self.date, self.away, self.home)


def normalise_nba_game_id(value: Any) -> str:
    """stats.nba.com GAME_IDs are 10-digit strings; CSVs read them as ints (21800001 -> '0021800001')."""
    return str(int(value)).zfill(10) if not isinstance(value, str) else value.zfill(10)


def schedule_event(g: GameRef, home_players: list[int] | None = None, away_players: list[int] | None = None) -> dict:
    payload = {
        "season": g.season,
        "date": g.date,
        "home_team": g.home,
        "away_team": g.away,
        "neutral": False,
        "is_playoff": g.is_playoff,
        "home_players": home_players,
        "away_players": away_players,
    }
    return make_event("game_scheduled", g.game_id, f"{g.date}T00:00:00Z", payload)


def final_event(g: GameRef, occurred_at: str | None = None) -> dict:
    payload = {
        "season": g.season,
        "date": g.date,
        "home_team": g.home,
        "away_team": g.away,
        "home_score": g.home_pts,
        "away_score": g.away_pts,
        "neutral": False,
        "is_playoff": g.is_playoff,
    }
    return make_event("game_final", g.game_id, occurred_at or f"{g.date}T23:59:59Z", payload)


def _int_or_none(v: Any) -> int | None:
    if _blank(v):
        return None
    i = int(v)
    return i or None


def pbp_event(g: GameRef, row: Mapping[str, Any]) -> dict:
    """One PlayByPlayV2 row -> a `pbp` event."""
    home_desc, away_desc, neutral_desc = (
        row.get(c) for c in ("HOMEDESCRIPTION", "VISITORDESCRIPTION", "NEUTRALDESCRIPTION")
    )
    person_type = row.get("PERSON1TYPE")
    team_abbr = row.get("PLAYER1_TEAM_ABBREVIATION")
    team: str | None = None
    player1 = _int_or_none(row.get("PLAYER1_ID"))
    if not _blank(team_abbr):
        team = to_bref(str(team_abbr))
    elif not _blank(person_type) and int(person_type) in (2, 3):  # a team play: PLAYER1_ID is the team's id
        player1 = None
        if not _blank(home_desc) and _blank(away_desc):
            team = g.home
        elif not _blank(away_desc) and _blank(home_desc):
            team = g.away
    score = parse_score(row.get("SCORE"))
    descs = [str(d) for d in (home_desc, away_desc, neutral_desc) if not _blank(d)]
    payload = {
        "event_num": int(row["EVENTNUM"]),
        "period": int(row["PERIOD"]),
        "clock_seconds": parse_clock(row["PCTIMESTRING"]),
        "event_code": int(row["EVENTMSGTYPE"]),
        "action_code": int(row.get("EVENTMSGACTIONTYPE") or 0),
        "home_score": score[0] if score else None,
        "away_score": score[1] if score else None,
        "team": team,
        "player1_id": player1,
        "player2_id": _int_or_none(row.get("PLAYER2_ID")) if _person(row, 2) else None,
        "player3_id": _int_or_none(row.get("PLAYER3_ID")) if _person(row, 3) else None,
        "description": " | ".join(descs)[:500] if descs else None,
        "wall_clock": None if _blank(row.get("WCTIMESTRING")) else str(row["WCTIMESTRING"]),
    }
    return make_event(
        "pbp", g.game_id, wall_clock_utc(g.date, row.get("WCTIMESTRING")), payload, seq=payload["event_num"]
    )


def _person(row: Mapping[str, Any], n: int) -> bool:
    """True when PLAYERn is a player (person types 4/5), not a team (2/3) or nobody (0)."""
    t = row.get(f"PERSON{n}TYPE")
    return not _blank(t) and int(t) in (4, 5)


def _stat(row: Mapping[str, Any], col: str) -> int:
    v = row.get(col)
    return 0 if _blank(v) else int(v)


def box_event(g: GameRef, row: Mapping[str, Any], occurred_at: str | None = None) -> dict:
    """One player box-score row -> a `player_box` event."""
    pm = row.get("PLUS_MINUS")
    start = row.get("START_POSITION")
    payload = {
        "player_id": int(row["PLAYER_ID"]),
        "player_name": str(row["PLAYER_NAME"]),
        "team": to_bref(str(row["TEAM_ABBREVIATION"])),
        "starter": not _blank(start),
        "start_position": None if _blank(start) else str(start),
        "dnp_reason": None if _blank(row.get("COMMENT")) else str(row["COMMENT"]).strip()[:200],
        "minutes": parse_minutes(row.get("MIN")),
        "pts": _stat(row, "PTS"),
        "reb": _stat(row, "REB"),
        "ast": _stat(row, "AST"),
        "stl": _stat(row, "STL"),
        "blk": _stat(row, "BLK"),
        "tov": _stat(row, "TO"),
        "pf": _stat(row, "PF"),
        "fgm": _stat(row, "FGM"),
        "fga": _stat(row, "FGA"),
        "fg3m": _stat(row, "FG3M"),
        "fg3a": _stat(row, "FG3A"),
        "ftm": _stat(row, "FTM"),
        "fta": _stat(row, "FTA"),
        "plus_minus": None if _blank(pm) else int(pm),
    }
    return make_event("player_box", g.game_id, occurred_at or f"{g.date}T23:59:59Z", payload, seq=payload["player_id"])


def game_events(
    g: GameRef, pbp_rows: list[Mapping[str, Any]], box_rows: list[Mapping[str, Any]]
) -> Iterator[tuple[float, dict]]:
    """All events of one game in stream order, each with its game-time offset in seconds (for `--speed`).

    Order: schedule, play-by-play in source order, box lines and the final at the end of the game.
    """
    played = {
        side: [
            int(r["PLAYER_ID"])
            for r in box_rows
            if to_bref(str(r["TEAM_ABBREVIATION"])) == code and _blank(r.get("COMMENT"))
        ]
        for side, code in (("home", g.home), ("away", g.away))
    }
    yield 0.0, schedule_event(g, played["home"] or None, played["away"] or None)
    t = 0.0
    last_time = f"{g.date}T23:59:59Z"
    for row in pbp_rows:
        ev = pbp_event(g, row)
        p = ev["payload"]
        t = game_seconds(p["period"], p["clock_seconds"])
        last_time = ev["occurred_at"]
        yield t, ev
    for row in box_rows:
        yield t, box_event(g, row, last_time)
    yield t, final_event(g, last_time)


def game_seconds(period: int, clock_seconds: float) -> float:
    """Elapsed game time at a play: 4 x 12-minute quarters, then 5-minute overtimes."""
    if period <= 4:
        return (period - 1) * 720 + (720 - clock_seconds)
    return 4 * 720 + (period - 5) * 300 + (300 - clock_seconds)
