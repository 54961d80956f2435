"""In-game training games from the lake's own validated events (``raw/event_type=pbp|game_final/``).

Why: the play-by-play files (``raw/pbp/``, ``courtside ingest load-pbp``) are a bulk import of stats.nba.com's tables.
Every game the platform streams after that reaches the lake as validated ``pbp`` events (the validate function writes
them as JSON lines), and its result as a ``game_final`` event. Reading those lets the in-game model learn from the
games it served, with no export step between the stream and training. The events are the payloads the features
function applies to the live state, so replaying them (:func:`courtside.models.ingame_states.replay_payloads`) gives
the served states themselves; the tests check they equal the states replayed from the source rows.

A game is used when it has a ``game_final`` (its label) that is not a playoff game (the in-game model is trained and
scored on regular-season games, as the files' ``002`` ids select) and at least one ``pbp`` event. Everything else is
counted in :class:`LakeGames`' ``skipped``, not silently dropped.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.ingest.core import RAW_PREFIX
from courtside.models.ingame_states import GameReplay, Progress, replay_payloads

EVENT_TYPES = ("pbp", "game_final")


@dataclass
class LakeGames:
    """The events of some seasons grouped by game: `pbp` payloads, `finals` payloads and each game's season."""

    pbp: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    finals: dict[str, dict[str, Any]] = field(default_factory=dict)
    seasons: dict[str, int] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)

    def add_lines(self, lines: Iterable[bytes], season: int) -> None:
        """Add one raw object's JSON lines (each a whole validated event) of `season`. Objects must come in key
        order (a game's events are in one shard, keyed by its first sequence number) so that a game's events keep
        their arrival order, the order the live state applied them in."""
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            gid, etype = str(event["game_id"]), event["event_type"]
            self.seasons.setdefault(gid, season)
            if etype == "pbp":
                self.pbp.setdefault(gid, []).append(event["payload"])
            elif etype == "game_final":
                self.finals[gid] = event["payload"]

    def games(self, progress: Progress | None = None) -> Iterator[GameReplay]:
        """Each usable game replayed through the live tracker, in game-key order (date first); see the module doc."""
        usable = []
        for gid in sorted(set(self.pbp) | set(self.finals)):
            final = self.finals.get(gid)
            if final is None:
                self.skipped["no_game_final"] += 1
            elif final.get("is_playoff"):
                self.skipped["playoff"] += 1
            elif gid not in self.pbp:
                self.skipped["no_pbp_events"] += 1
            else:
                usable.append(gid)
        if progress is not None:
            progress.total = len(usable)
        for gid in usable:
            final = self.finals[gid]
            home, away = str(final["home_team"]), str(final["away_team"])
            yield GameReplay(
                gid,
                gid,
                home,
                away,
                int(final["home_score"] > final["away_score"]),
                replay_payloads(self.pbp[gid], home, away),
                season=self.seasons[gid],
            )
            if progress is not None:
                progress.update(1)
        if progress is not None:
            progress.close()


def season_end(season: str) -> int:
    """The year a season ends from its play-by-play file name ("2018-19" -> 2019), the lake's partition value."""
    start, _, _ = season.partition("-")
    return int(start) + 1


def season_prefixes(seasons: Sequence[str]) -> list[tuple[str, int]]:
    """(key prefix under the lake's raw zone, season's end year) of every event type this reads, for season names
    as the play-by-play files name them ("2018-19")."""
    return [(f"event_type={t}/season={season_end(s)}/", season_end(s)) for t in EVENT_TYPES for s in seasons]


def is_raw_zone(path: Path) -> bool:
    """Does `path` hold the lake's raw zone layout (``event_type=pbp/``)? (What a training step was given.)"""
    return (Path(path) / "event_type=pbp").is_dir()


def _lines(body: bytes, name: str) -> list[bytes]:
    return (gzip.decompress(body) if name.endswith(".gz") else body).splitlines()


def read_dir(raw_zone: Path, seasons: Sequence[str]) -> LakeGames:
    """The events under a local copy or mount of the lake's raw zone (`raw_zone` holds ``event_type=.../``, as
    ``aws s3 sync s3://{lake}/raw/ DIR`` or a processing input of ``s3://{lake}/raw/`` lays it out)."""
    lake = LakeGames()
    for prefix, season in season_prefixes(seasons):
        for f in sorted((Path(raw_zone) / prefix).rglob("*.jsonl*")):
            lake.add_lines(_lines(f.read_bytes(), f.name), season)
    return lake


def read_bucket(bucket: str, seasons: Sequence[str]) -> LakeGames:
    """The same events read from the lake bucket itself (boto3, the configured endpoint)."""
    from courtside.aws.s3io import get_bytes, list_keys

    lake = LakeGames()
    for prefix, season in season_prefixes(seasons):
        for key in sorted(list_keys(bucket, f"{RAW_PREFIX}/{prefix}")):
            lake.add_lines(_lines(get_bytes(bucket, key), key), season)
    return lake
