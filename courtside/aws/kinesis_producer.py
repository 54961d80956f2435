"""Kinesis producer: `put_records` in batches within the service limits, retrying only the failed records.

Why retry per record: `PutRecords` is not atomic; a throttled shard fails some entries while the rest succeed.
Re-sending the whole batch would duplicate the successes (dedup would drop them, but it costs shard capacity), so
only the failed entries are re-sent, with exponential backoff and full jitter, for a bounded number of attempts.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from courtside.errors import PutRecordsError

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
MAX_BYTES_PER_RECORD = 1024 * 1024  # data + partition key


@dataclass
class PutResult:
    """Counts of one `put_events` call: records sent, API calls made and records that needed a retry."""

    records: int = 0
    calls: int = 0
    retried: int = 0
    bytes: int = 0


def encode(event: dict) -> bytes:
    """The wire format: compact UTF-8 JSON, one event per record."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def batches(entries: Iterable[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    """Group (partition key, data) entries into PutRecords calls of at most 500 records and 5 MB."""
    batch: list[tuple[str, bytes]] = []
    size = 0
    for key, data in entries:
        rec_size = len(data) + len(key.encode())
        if rec_size > MAX_BYTES_PER_RECORD:
            raise ValueError(f"record for partition key {key!r} is {rec_size} bytes, above the 1 MB Kinesis limit")
        if batch and (len(batch) >= MAX_RECORDS_PER_CALL or size + rec_size > MAX_BYTES_PER_CALL):
            yield batch
            batch, size = [], 0
        batch.append((key, data))
        size += rec_size
    if batch:
        yield batch


def put_raw_records(
    entries: Iterable[tuple[str, bytes]],
    stream_name: str,
    client: Any = None,
    max_attempts: int = 8,
    base_delay: float = 0.05,
    max_delay: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PutResult:
    """Put (partition key, data) entries; raise :class:`PutRecordsError` if some still fail after `max_attempts`."""
    if client is None:
        from courtside.aws.clients import client as make_client

        client = make_client("kinesis")
    result = PutResult()
    for batch in batches(entries):
        pending = batch
        last_error = ""
        for attempt in range(max_attempts):
            if attempt:
                sleep(random.uniform(0, min(max_delay, base_delay * 2**attempt)))  # full jitter
                result.retried += len(pending)
            resp = client.put_records(
                StreamName=stream_name,
                Records=[{"Data": data, "PartitionKey": key} for key, data in pending],
            )
            result.calls += 1
            if not resp.get("FailedRecordCount"):
                pending = []
                break
            failed = []
            for entry, rec in zip(pending, resp["Records"], strict=True):
                if rec.get("ErrorCode"):
                    failed.append(entry)
                    last_error = f"{rec['ErrorCode']}: {rec.get('ErrorMessage', '')}"
            pending = failed
        if pending:
            raise PutRecordsError(len(pending), len(batch), last_error)
        result.records += len(batch)
        result.bytes += sum(len(d) for _, d in batch)
    return result


def put_events(events: Iterable[dict], stream_name: str, client: Any = None, **kwargs: Any) -> PutResult:
    """JSON-encode envelopes and put them with partition key = game_id (so a game's events stay ordered)."""
    return put_raw_records(((e["game_id"], encode(e)) for e in events), stream_name, client=client, **kwargs)
