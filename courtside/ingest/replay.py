"""The producer behind `courtside replay`: real games onto the input stream, game by game, in stream order.

A library function (not only a CLI command) so that the end-to-end tests and the throughput measurement run the
very producer users run. Partition key = game id, so a game's events stay ordered on one shard; records are sent
in `PutRecords` calls within the Kinesis limits, retrying only failed records (`put_raw_records`).

Pacing: with `speed > 0`, an event at game-second `t` (cumulative over the games, in replay order) is not sent
before `t / speed` wall-seconds after the start; `speed = 0` sends as fast as possible.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from courtside.aws.kinesis_producer import encode, put_raw_records
from courtside.sources.nba_stats import GameRef

#: How many records are buffered before a PutRecords call (the Kinesis maximum per call).
FLUSH_RECORDS = 500


@dataclass
class ReplayResult:
    """What a replay sent: records, PutRecords calls, records that needed a retry, and wall time."""

    stream: str
    records: int = 0
    put_records_calls: int = 0
    retried: int = 0
    seconds: float = 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "records": self.records,
            "put_records_calls": self.put_records_calls,
            "retried": self.retried,
            "seconds": round(self.seconds, 2),
            "records_per_s": round(self.records_per_s),
        }


def replay(
    games: Iterable[tuple[GameRef, list[tuple[float, dict]]]],
    stream: str,
    *,
    speed: float = 0.0,
    include: Callable[[GameRef, dict], bool] | None = None,
    client: Any = None,
    on_record: Callable[[], None] | None = None,
) -> ReplayResult:
    """Put the events of `games` (as :func:`courtside.sources.extract.iter_game_events` yields them) on `stream`.

    `include(game, event)` selects a subset (e.g. the play-by-play of some dates only); `on_record` is called once
    per record sent (a progress bar).
    """
    result = ReplayResult(stream)
    pending: list[tuple[str, bytes]] = []
    start = time.monotonic()
    game_clock = 0.0  # cumulative game-seconds across games, for pacing

    def flush() -> None:
        nonlocal pending
        if pending:
            res = put_raw_records(pending, stream, client=client)
            result.records += res.records
            result.put_records_calls += res.calls
            result.retried += res.retried
            pending = []

    for game, events in games:
        base = game_clock
        for t, event in events:
            if include is not None and not include(game, event):
                continue
            if speed > 0:
                game_clock = base + t
                lag = game_clock / speed - (time.monotonic() - start)
                if lag > 0:
                    flush()
                    time.sleep(lag)
            pending.append((event["game_id"], encode(event)))
            if on_record is not None:
                on_record()
            if len(pending) >= FLUSH_RECORDS:
                flush()
        game_clock = base + (events[-1][0] if events else 0.0)
    flush()
    result.seconds = time.monotonic() - start
    return result
