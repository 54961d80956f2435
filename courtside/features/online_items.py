"""Pure encoding of feature states as compact DynamoDB items (low-level attribute-value format).

Key design of the online table (pk S, sk S, TTL attribute `ttl`):

| pk                | sk        | holds                                                           | TTL      |
|-------------------|-----------|-----------------------------------------------------------------|----------|
| `team#<FRANCHISE>`| `pregame` | one franchise's :class:`TeamState` (Elo, schedule, form, season)| 400 days |
| `league`          | `pregame` | the league state (home advantage); its `as_of` = features_as_of | 400 days |
| `game#<game_id>`  | `live`    | live in-game features of one game (:mod:`courtside.features.live`)| 2 days |
| `team#<FRANCHISE>`| `players` | player availability state of a franchise (from box scores)      | 400 days |
| `sched#<DATE>_<AWAY>_at_<HOME>` | `avail` | player ids listed available for one game (franchises) | 30 days |

Why these attribute names: every item is read on the prediction path, so names are one or two letters and lists
are joined into one string (a 10-game margin list costs ~30 bytes instead of ~10 typed list elements). Floats are
written with `repr`, which round-trips exactly: the stream path reads back the very numbers the batch path holds,
which is what makes the stream-vs-batch equality test exact rather than approximate.

Every item carries `as_of` (event time of the newest event it reflects), `v` (a version for optimistic
concurrency) and `ttl` (epoch seconds; wall-clock write time + the entity's TTL, so replaying old seasons does not
produce items that are born expired).
"""

from __future__ import annotations

import json
from typing import Any

from courtside.features.pregame import TeamState
from courtside.ratings import elo

TEAM_SK = "pregame"
LEAGUE_PK = "league"
LIVE_SK = "live"
PLAYERS_SK = "players"
SCHEDULE_SK = "avail"
TEAM_TTL_SECONDS = 400 * 86400  # longer than an off-season; a franchise silent for > a year is gone
LIVE_TTL_SECONDS = 2 * 86400  # a game's live features matter for hours, keep them two days for debugging
SCHEDULE_TTL_SECONDS = 30 * 86400  # availability lists are sent days ahead at most; kept a while for audits

Item = dict[str, dict[str, Any]]


def team_pk(franchise: str) -> str:
    return f"team#{franchise}"


def game_pk(game_id: str) -> str:
    return f"game#{game_id}"


def schedule_pk(game_date: str, home_franchise: str, away_franchise: str) -> str:
    """Key of a game's availability lists: date and franchise codes, so BKN/BRK requests find the same item."""
    return f"sched#{game_date[:10].replace('-', '')}_{away_franchise}_at_{home_franchise}"


def key(pk: str, sk: str) -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _n(value: float | int) -> dict[str, str]:
    return {"N": repr(float(value)) if isinstance(value, float) else str(int(value))}


def _meta(as_of: str, version: int, ttl: int) -> Item:
    return {"as_of": {"S": as_of or "-"}, "v": _n(version), "ttl": _n(ttl)}


def _as_of(item: Item) -> str:
    value = item.get("as_of", {}).get("S", "")
    return "" if value == "-" else value


def version_of(item: Item | None) -> int | None:
    return None if item is None else int(item["v"]["N"])


def ttl_of(item: Item) -> int:
    return int(item.get("ttl", {}).get("N", "0"))


def encode_team(state: TeamState, version: int, ttl: int) -> Item:
    """A TeamState as a compact item (empty optional strings are omitted)."""
    r = state.rating
    item: Item = {
        **key(team_pk(r.team), TEAM_SK),
        "r": _n(float(r.rating)),
        "s": _n(r.season),
        "g": _n(r.games),
        "sg": _n(state.season_games),
        "sw": _n(state.season_wins),
        "pf": _n(state.season_points_for),
        "pa": _n(state.season_points_against),
        **_meta(r.as_of, version, ttl),
    }
    if state.recent_dates:
        item["d"] = {"S": ",".join(state.recent_dates)}
    if state.recent_margins:
        item["m"] = {"S": ",".join(str(int(x)) for x in state.recent_margins)}
    if state.last_venue:
        item["lv"] = {"S": state.last_venue}
    if state.last_game:
        item["lg"] = {"S": state.last_game}
    return item


def decode_team(item: Item) -> TeamState:
    team = item["pk"]["S"].split("#", 1)[1]
    rating = elo.TeamRating(
        team=team,
        rating=float(item["r"]["N"]),
        season=int(item["s"]["N"]),
        games=int(item["g"]["N"]),
        as_of=_as_of(item),
    )
    d, m = item.get("d", {}).get("S", ""), item.get("m", {}).get("S", "")
    return TeamState(
        rating=rating,
        recent_dates=tuple(d.split(",")) if d else (),
        recent_margins=tuple(int(x) for x in m.split(",")) if m else (),
        season_games=int(item["sg"]["N"]),
        season_wins=int(item["sw"]["N"]),
        season_points_for=int(item["pf"]["N"]),
        season_points_against=int(item["pa"]["N"]),
        last_venue=item.get("lv", {}).get("S", ""),
        last_game=item.get("lg", {}).get("S", ""),
    )


def encode_league(league: elo.LeagueRating, version: int, ttl: int) -> Item:
    return {
        **key(LEAGUE_PK, TEAM_SK),
        "h": _n(float(league.hca)),
        "g": _n(league.games),
        **_meta(league.as_of, version, ttl),
    }


def decode_league(item: Item) -> elo.LeagueRating:
    return elo.LeagueRating(hca=float(item["h"]["N"]), games=int(item["g"]["N"]), as_of=_as_of(item))


def encode_json_state(pk: str, sk: str, state: dict[str, Any], as_of: str, seq: int, ttl: int) -> Item:
    """A free-form state (live game, player availability) as one compact JSON attribute `x`; `n` orders writes."""
    return {
        **key(pk, sk),
        "x": {"S": json.dumps(state, separators=(",", ":"), sort_keys=True)},
        "n": _n(seq),
        **_meta(as_of, 0, ttl),
    }


def decode_json_state(item: Item) -> dict[str, Any]:
    return json.loads(item["x"]["S"])


def seq_of(item: Item) -> int:
    return int(item.get("n", {}).get("N", "-1"))


def encode_schedule(pk: str, home: list[int] | None, away: list[int] | None, as_of: str, ttl: int) -> Item:
    """A game's availability lists; an absent list (unknown) is an absent attribute, an empty one is ``""``."""
    item: Item = {**key(pk, SCHEDULE_SK), **_meta(as_of, 0, ttl)}
    for name, ids in (("h", home), ("a", away)):
        if ids is not None:
            item[name] = {"S": ",".join(str(int(i)) for i in ids)}
    return item


def decode_schedule(item: Item | None) -> tuple[list[int] | None, list[int] | None]:
    """(home, away) available player ids; None for a side not listed (or no item)."""
    if item is None:
        return None, None

    def ids(name: str) -> list[int] | None:
        if name not in item:
            return None
        text = item[name]["S"]
        return [int(x) for x in text.split(",")] if text else []

    return ids("h"), ids("a")
