"""Local stand-in for a Lambda event source mapping on a Kinesis stream.

Reads every shard, builds the same event a Lambda receives from Kinesis, calls the same handler, and honours the
handler's `batchItemFailures` the way the cloud mapping is configured (ReportBatchItemFailures, bounded retries,
then the failed records go to an on-failure destination — here a JSON-lines file). Ordering per shard is kept:
a failed batch is retried from its first failed record before anything after it is handed over.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.aws.clients import client
from courtside.local.kinesis_events import lambda_event
from courtside.local.lambda_context import LocalLambdaContext

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class PollerStats:
    batches: int = 0
    records: int = 0
    retries: int = 0
    failed_to_destination: int = 0
    handler_errors: int = 0
    last_error: str = ""


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    last_sequence: str | None = None
    attempts: int = 0


@dataclass
class KinesisPoller:
    """Polls one stream and invokes `handler` with Kinesis-shaped batches, one thread for all shards."""

    stream_name: str
    handler: Handler
    function_name: str
    batch_size: int = 100
    idle_sleep_s: float = 0.02
    max_retries: int = 3
    failure_destination: Path | None = None
    region: str = "us-east-1"
    stats: PollerStats = field(default_factory=PollerStats)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._cycle = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"poller-{self.stream_name}", daemon=True)
        self._kinesis = client("kinesis")
        desc = self._kinesis.describe_stream(StreamName=self.stream_name)["StreamDescription"]
        self._arn = desc["StreamARN"]
        self._shards = [_Shard(s["ShardId"], self._iterator(s["ShardId"], "TRIM_HORIZON")) for s in desc["Shards"]]

    def _iterator(self, shard_id: str, kind: str, sequence: str | None = None) -> str:
        kwargs: dict[str, Any] = {"StreamName": self.stream_name, "ShardId": shard_id, "ShardIteratorType": kind}
        if sequence is not None:
            kwargs["StartingSequenceNumber"] = sequence
        return self._kinesis.get_shard_iterator(**kwargs)["ShardIterator"]

    def start(self) -> KinesisPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until a full poll of every shard, begun after this call, found no records."""
        deadline = time.monotonic() + timeout
        with self._cond:
            start = self._cycle
            while True:
                if self._idle.is_set() and self._cycle >= start + 2:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def _event(self, records: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        return lambda_event(records, self.function_name, self.region, self._arn)

    def _invoke(self, shard: _Shard, records: list[dict[str, Any]]) -> str | None:
        """Call the handler; return the sequence number of the first failed record, or None on success."""
        event = self._event([(shard.shard_id, r) for r in records])
        ctx = LocalLambdaContext(function_name=self.function_name, region=self.region)
        try:
            response = self.handler(event, ctx) or {}
        except Exception as err:  # the whole batch failed, as a Lambda crash would
            self.stats.handler_errors += 1
            self.stats.last_error = f"{type(err).__name__}: {err}"
            log.exception("handler %s raised", self.function_name)
            return records[0]["SequenceNumber"]
        failures = response.get("batchItemFailures") or []
        if not failures:
            return None
        failed = {f["itemIdentifier"] for f in failures}
        for r in records:  # Lambda retries from the lowest failed sequence number
            if r["SequenceNumber"] in failed:
                return r["SequenceNumber"]
        return records[0]["SequenceNumber"]

    def _to_destination(self, shard: _Shard, records: list[dict[str, Any]]) -> None:
        self.stats.failed_to_destination += len(records)
        if self.failure_destination is None:
            return
        self.failure_destination.parent.mkdir(parents=True, exist_ok=True)
        with self.failure_destination.open("a") as out:
            for r in records:
                out.write(
                    json.dumps(
                        {
                            "stream": self.stream_name,
                            "shard": shard.shard_id,
                            "sequenceNumber": r["SequenceNumber"],
                            "data": base64.b64encode(r["Data"]).decode("ascii"),
                            "error": self.stats.last_error or "batchItemFailures after retries",
                        }
                    )
                    + "\n"
                )

    def _poll_shard(self, shard: _Shard) -> int:
        if shard.iterator is None:
            return 0
        out = self._kinesis.get_records(ShardIterator=shard.iterator, Limit=self.batch_size)
        records = out["Records"]
        next_iterator = out.get("NextShardIterator")
        if not records:
            shard.iterator = next_iterator
            return 0
        self.stats.batches += 1
        failed_at = self._invoke(shard, records)
        if failed_at is None:
            shard.attempts = 0
            shard.iterator = next_iterator
            self.stats.records += len(records)
            return len(records)
        done = [r for r in records if int(r["SequenceNumber"]) < int(failed_at)]
        self.stats.records += len(done)
        shard.attempts += 1
        if shard.attempts > self.max_retries:
            rest = [r for r in records if r not in done]
            self._to_destination(shard, rest)
            shard.attempts = 0
            shard.iterator = next_iterator
            return len(records)
        self.stats.retries += 1
        shard.iterator = self._iterator(shard.shard_id, "AT_SEQUENCE_NUMBER", failed_at)
        time.sleep(min(0.05 * 2**shard.attempts, 1.0))
        return len(records)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got = sum(self._poll_shard(s) for s in self._shards)
            except Exception as err:  # a transient moto/AWS error must not kill the poller
                self.stats.last_error = f"{type(err).__name__}: {err}"
                log.warning("poller %s: %s", self.stream_name, err)
                got = 1
                time.sleep(0.2)
            with self._cond:
                self._cycle += 1
                if got:
                    self._idle.clear()
                else:
                    self._idle.set()
                self._cond.notify_all()
            if not got:
                self._stop.wait(self.idle_sleep_s)
