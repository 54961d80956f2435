"""Ingestion state: seen event ids (dedup) and per-game high-water marks.

The core talks to a :class:`StateStore`; :class:`MemoryStateStore` serves tests and the benchmark, and
:class:`courtside.ingest.aws_sinks.DynamoStateStore` the real thing. Lookups are batch-level (one call for all the
ids of a handler batch) because per-record round trips would dominate the handler's cost.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from courtside.ingest.rules import GameState


class StateStore(Protocol):
    def seen(self, event_ids: Collection[str]) -> dict[str, int]:
        """event_id -> content digest: positive for stored ids, negative for ids quarantined by a stateful rule."""
        ...

    def games(self, game_ids: Collection[str]) -> dict[str, GameState]:
        """game_id -> state, for the games with state (others start fresh)."""
        ...

    def commit(self, seen: Mapping[str, int], games: Mapping[str, GameState], duplicates_ignored: int) -> None:
        """Record newly stored ids and advanced game states. Game states use optimistic concurrency (version)."""
        ...


class MemoryStateStore:
    """In-process state (tests, benchmark, batch loads)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.game_states: dict[str, GameState] = {}
        self.duplicates_ignored = 0

    def seen(self, event_ids: Collection[str]) -> dict[str, int]:
        ids = self.ids
        hits = ids.keys() & event_ids if isinstance(event_ids, set | frozenset) else (i for i in event_ids if i in ids)
        return {i: ids[i] for i in hits}

    def games(self, game_ids: Collection[str]) -> dict[str, GameState]:
        return {g: GameState.from_dict(self.game_states[g].to_dict()) for g in game_ids if g in self.game_states}

    def commit(self, seen: Mapping[str, int], games: Mapping[str, GameState], duplicates_ignored: int) -> None:
        self.ids.update(seen)
        for gid, st in games.items():
            st.version += 1
            self.game_states[gid] = st
        self.duplicates_ignored += duplicates_ignored
