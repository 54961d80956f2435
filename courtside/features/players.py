"""Player availability state from box scores: who a team relies on, so a missing player can be noticed.

Why an exponentially weighted average of minutes: it tracks the current rotation (a trade or an injury shows
within a few games) with O(1) state per player and one pure update per box line, the same in stream and batch.
A player's `weight` is his expected minutes; a team's availability for a game is the share of its expected
rotation minutes belonging to players listed as available (`game_scheduled.home_players`), 1.0 when unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MINUTES_HALF_LIFE_GAMES = 5.0
ALPHA = 1.0 - 0.5 ** (1.0 / MINUTES_HALF_LIFE_GAMES)
ROTATION_SIZE = 9

# state: {"p": {player_id(str): [ewma_minutes, games, last_game_id]}}
PlayersState = dict[str, Any]


def empty() -> PlayersState:
    return {"p": {}}


def apply_box(state: PlayersState, payload: Mapping[str, Any], game_id: str) -> PlayersState:
    """State after one player's box line (a `player_box` payload); a replayed line of the same game is a no-op."""
    pid = str(int(payload["player_id"]))
    players = dict(state.get("p", {}))
    ewma, games, last = players.get(pid, [0.0, 0, ""])
    if last == game_id:
        return state
    minutes = float(payload.get("minutes") or 0.0)
    ewma = minutes if games == 0 else ewma + ALPHA * (minutes - ewma)
    players[pid] = [round(ewma, 4), games + 1, game_id]
    return {"p": players}


def rotation(state: PlayersState, size: int = ROTATION_SIZE) -> list[tuple[str, float]]:
    """The `size` players with the most expected minutes, most first."""
    ranked = sorted(((pid, v[0]) for pid, v in state.get("p", {}).items()), key=lambda x: (-x[1], x[0]))
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
