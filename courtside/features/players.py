"""Player availability state from box scores: who a team relies on, so a missing player can be noticed.

Why an exponentially weighted average of minutes: it tracks the current rotation (a trade or an injury shows
within a few games) with O(1) state per player and one pure update per box line, the same in stream and batch.
A player's EWMA is his expected minutes. The rotation is the ROTATION_SIZE players with the most expected minutes
among those who played in one of the team's last ROSTER_GAMES games (older entries are pruned, which keeps the
online item small and drops traded or long-injured players). A team's availability for a game is the share of its
rotation's expected minutes belonging to players listed as available (`game_scheduled.home_players`); 1.0 when
the list or the state is unknown (unknown = full strength, in training and in serving alike).

State (JSON, stored as one compact online item): ``{"t": team games seen, "r": [recent game ids, oldest first],
"p": {player_id: [ewma_minutes, index of the team game he last played]}}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MINUTES_HALF_LIFE_GAMES = 5.0
ALPHA = 1.0 - 0.5 ** (1.0 / MINUTES_HALF_LIFE_GAMES)
ROTATION_SIZE = 9
ROSTER_GAMES = 10  # a player stays in the state for 10 team games after his latest appearance

PlayersState = dict[str, Any]


def empty() -> PlayersState:
    return {"t": 0, "r": [], "p": {}}


def apply_box(state: PlayersState, payload: Mapping[str, Any], game_id: str) -> PlayersState:
    """State after one player's box line (a `player_box` payload).

    Lines of one team-game arrive together (in any order); a replayed line is a no-op (the same object is
    returned), and so is a line of an older game once the team's next game has started (its minutes are history).
    """
    pid = str(int(payload["player_id"]))
    team_games, recent = int(state.get("t", 0)), list(state.get("r", []))
    players: dict[str, list[Any]] = dict(state.get("p", {}))
    if not recent or recent[-1] != game_id:
        if game_id in recent:
            return state
        team_games += 1
        recent = [*recent, game_id][-ROSTER_GAMES:]
        players = {k: v for k, v in players.items() if team_games - int(v[1]) < ROSTER_GAMES}
    previous = players.get(pid)
    if previous is not None and int(previous[1]) == team_games:
        return state
    minutes = float(payload.get("minutes") or 0.0)
    ewma = minutes if previous is None else float(previous[0]) + ALPHA * (minutes - float(previous[0]))
    players[pid] = [round(ewma, 4), team_games]
    return {"t": team_games, "r": recent, "p": players}


def rotation(state: PlayersState, size: int = ROTATION_SIZE) -> list[tuple[str, float]]:
    """The `size` players with the most expected minutes, most first."""
    ranked = sorted(((pid, float(v[0])) for pid, v in state.get("p", {}).items()), key=lambda x: (-x[1], x[0]))
    return ranked[:size]


def availability(state: PlayersState | None, available: Iterable[int] | None) -> float:
    """Share of the rotation's expected minutes whose players are available; 1.0 when roster or state unknown."""
    if not state or available is None:
        return 1.0
    rot = rotation(state)
    total = sum(m for _, m in rot)
    if total <= 0:
        return 1.0
    ok = {str(int(p)) for p in available}
    return sum(m for pid, m in rot if pid in ok) / total
