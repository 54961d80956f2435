"""The validate function's core: one handler batch of Kinesis records in, stored/forwarded/quarantined out.

Why batch-level: one state lookup for all ids of the batch, one lake object per (event type, season, date)
partition, one `PutRecords` call for the forward — per-record round trips would cost more than validation.
The sinks and the state store are parameters, so the same code runs against AWS, in unit tests and in the
benchmark.

Accounting (docs/events.md): every record is exactly one of stored, quarantined or `duplicates_ignored` (a
byte-identical redelivery of an already stored event, or of an event already quarantined by a within-game rule,
whose verdict could otherwise change against a newer game state). A different payload under a stored event_id is
quarantined as `duplicate_event_id`. The state keeps `+digest` for stored ids and `-digest` for quarantined ones.

Write order: quarantine objects, raw lake objects, the forward, then the state commit. A failure anywhere raises
(the handler reports the batch for retry); because state is committed last, the retry re-processes the batch and
overwrites the same deterministic object keys.
"""

from __future__ import annotations

import binascii
import gc
import gzip
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError
from pydantic_core import CoreConfig, SchemaValidator

from courtside.errors import EventRejected
from courtside.events import EVENT_ADAPTER, MAX_EVENT_BYTES, classify_validation_error
from courtside.ingest.fastparse import FastReject, decode_event
from courtside.ingest.quarantine import QuarantineRecord, Source
from courtside.ingest.rules import GameState, stream_facts
from courtside.ingest.state import StateStore

try:  # ISA-L: the same gzip format and CRC-32 values as zlib; deflate ~4x and crc32 ~3x cheaper
    from isal.igzip import compress as _gzip_compress
    from isal.isal_zlib import crc32

    GZIP_IMPL = "isal"
except ImportError:  # pragma: no cover - isal is pinned in requirements.txt and shipped in the Lambda layer
    from zlib import crc32

    _gzip_compress = gzip.compress
    GZIP_IMPL = "zlib"
try:  # SIMD base64: the same strict alphabet and padding rules as binascii's strict mode, ~4x cheaper per record
    from pybase64 import b64decode as _b64decode  # called positionally: keyword parsing costs as much as decoding

    B64_IMPL = "pybase64"
except ImportError:  # pragma: no cover - pybase64 is pinned in requirements.txt and shipped in the Lambda layer

    def _b64decode(data: str | bytes, altchars: None = None, validate: bool = True) -> bytes:
        return binascii.a2b_base64(data, strict_mode=validate)

    B64_IMPL = "binascii"

RAW_PREFIX = "raw"
_DIGEST_BIT = 1 << 32
# An int: `10 in raw` is a plain memchr, while `b"\n" in raw` first tries its argument as an int and builds and
# clears a TypeError on every call (~15 % of the per-record rule work).
_NEWLINE = ord("\n")
# The event union's own core schema (the same models, rules and errors as EVENT_ADAPTER) in a validator that caches
# only the JSON keys: event ids, timestamps and descriptions are unique per record, so caching string values costs
# ~5 % of the parse and never hits. Called directly (the Rust validator, no Python wrapper).
_VALIDATE_JSON = SchemaValidator(EVENT_ADAPTER.core_schema, CoreConfig(cache_strings="keys")).validate_json


class Sinks(Protocol):
    """Where the core writes. AWS implementation: courtside.ingest.aws_sinks.AwsSinks."""

    def put_raw(self, key: str, body: bytes) -> None: ...

    def put_quarantine(self, key: str, body: bytes) -> None: ...

    def forward(self, entries: list[tuple[str, bytes]]) -> None: ...


class MemorySinks:
    """In-memory sinks (tests, benchmark)."""

    def __init__(self) -> None:
        self.raw: dict[str, bytes] = {}
        self.quarantine: dict[str, bytes] = {}
        self.forwarded: list[tuple[str, bytes]] = []

    def put_raw(self, key: str, body: bytes) -> None:
        self.raw[key] = body

    def put_quarantine(self, key: str, body: bytes) -> None:
        self.quarantine[key] = body

    def forward(self, entries: list[tuple[str, bytes]]) -> None:
        self.forwarded.extend(entries)

    def stored_lines(self) -> list[bytes]:
        return [line for body in self.raw.values() for line in gzip.decompress(body).splitlines() if line]


@dataclass
class BatchOutcome:
    """What one batch did. `stored_records` (event type, game id, raw bytes) feeds reservoir samples and outliers."""

    received: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicates_ignored: int = 0
    by_reason: Counter = field(default_factory=Counter)
    stored_records: list[tuple[str, str, bytes]] = field(default_factory=list)
    objects_written: int = 0
    flags: list[dict] = field(default_factory=list)  # outlier flags of stored events (test, statistic, ...)


def raw_key(event_type: str, season: int, date: str, shard: str, first_seq: str) -> str:
    """`raw/event_type=<type>/season=<season>/date=<YYYY-MM-DD>/<shard>-<first seq>.jsonl.gz`."""
    return f"{RAW_PREFIX}/event_type={event_type}/season={season}/date={date}/{shard}-{first_seq}.jsonl.gz"


def _source(rec: Mapping[str, Any]) -> Source:
    k = rec.get("kinesis", {})
    arn = rec.get("eventSourceARN", "") or ""
    ts = k.get("approximateArrivalTimestamp")
    arrival = ""
    if ts is not None:
        import datetime as dt

        try:
            arrival = dt.datetime.fromtimestamp(float(ts), dt.UTC).isoformat(timespec="seconds")
        except (TypeError, ValueError, OverflowError):
            arrival = str(ts)
    return Source(
        stream=arn.rsplit("/", 1)[-1],
        shard=str(rec.get("eventID", "")).split(":", 1)[0],
        sequence_number=str(k.get("sequenceNumber", "")),
        partition_key=str(k.get("partitionKey", "")),
        arrival=arrival,
    )


def process_records(
    records: Sequence[Mapping[str, Any]],
    sinks: Sinks,
    state: StateStore,
    *,
    compresslevel: int = 1,
    screen: Any = None,
) -> BatchOutcome:
    """Validate and route one batch of Lambda-shaped Kinesis records. Raises only on sink/state failures.

    `screen` (a :class:`courtside.quality.outliers.RollingScreen`) runs the outlier tests on game_final and
    player_box events: its config's action flags them (stored, flag in `outcome.flags`) or quarantines them.

    The cyclic garbage collector is paused for the batch: the batch allocates many short-lived acyclic objects
    (parsed models) and nothing cyclic, and full collections scanning them cost more than the validation.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _process(records, sinks, state, compresslevel, screen)
    finally:
        if enabled:
            gc.enable()


def _process(
    records: Sequence[Mapping[str, Any]], sinks: Sinks, state: StateStore, compresslevel: int, screen: Any
) -> BatchOutcome:
    out = BatchOutcome(received=len(records))
    quarantine: list[QuarantineRecord] = []

    def reject(rec: Mapping[str, Any], reason: str, detail: str, data: bytes) -> None:
        quarantine.append(QuarantineRecord(reason, detail, data, _source(rec)))

    # Pass 1, per record and stateless: decode, parse once (msgspec Structs generated from the event models; what
    # they do not accept is parsed by the pydantic schema itself, whose verdict and error stand), stateless rules.
    # Keeps only what pass 2 needs (ids, routing, the within-game facts and their rule), so the parsed event is freed
    # at once (the allocator then reuses its memory for the next record; keeping a batch alive costs ~10 % more).
    passed: list[tuple] = []
    append = passed.append
    b64decode, fast_decode, validate_json, facts_of = _b64decode, decode_event, _VALIDATE_JSON, stream_facts
    for rec in records:
        data = None
        try:
            data = rec["kinesis"]["data"]
            raw = b64decode(data, None, True)
        except (binascii.Error, ValueError, TypeError, KeyError) as err:
            blob = data.encode(errors="replace") if isinstance(data, str) else bytes(data or b"")
            reject(rec, "bad_base64", str(err)[:200], blob)
            continue
        if len(raw) > MAX_EVENT_BYTES:
            reject(rec, "oversized_record", f"{len(raw)} bytes > {MAX_EVENT_BYTES}", raw)
            continue
        try:
            try:
                event = fast_decode(raw)
            except FastReject:  # not necessarily bad: pydantic, the arbiter, accepts it or says why not
                event = validate_json(raw)
            append((rec, raw, facts_of(event)))
        except ValidationError as err:
            reject(rec, *classify_validation_error(err), raw)
        except EventRejected as r:
            reject(rec, r.reason, r.detail, raw)
        except Exception as err:  # noqa: BLE001 - a validator bug must not block the shard
            reject(rec, "validator_error", repr(err)[:300], raw)

    # One state lookup for the whole batch.
    known = state.seen({f[0] for _, _, f in passed}) if passed else {}
    games = state.games({f[1] for _, _, f in passed}) if passed else {}
    touched: dict[str, GameState] = {}
    new_seen: dict[str, int] = {}

    # Pass 2, in arrival order: dedup, then the within-game rules against the game's high-water mark. A shard's
    # batch holds runs of one game's events, so the game state and the lake group of the previous record are
    # reused while the game (and event type) stays the same. The game is told by its GameInfo object (one per game
    # id, from the rules' cache) and the type by identity (the parser hands back the schema's literal), so the
    # per-record test is two pointer comparisons; a false "changed" (an evicted cache entry) only costs a lookup.
    groups: dict[tuple[str, int, str], tuple[str, str, list[bytes]]] = {}
    stored = out.stored_records
    add_stored = stored.append
    last_info = last_type = None
    st = GameState()
    lines: list[bytes] = []
    for rec, raw, (eid, gid, etype, info, facts, check) in passed:
        d = crc32(raw) | _DIGEST_BIT  # == digest(raw), inlined: this loop runs once per record
        prev = new_seen.get(eid)
        if prev is None and known:
            prev = known.get(eid)
        if prev is not None:
            if prev == d or prev == -d:  # a redelivery of a stored (d) or already quarantined (-d) record
                out.duplicates_ignored += 1
                continue
            if prev > 0:
                reject(rec, "duplicate_event_id", f"{eid} already stored with other content", raw)
                continue
            # prev < 0: another version of an event quarantined earlier (e.g. the fixed one): validate it
        if info is not last_info:
            last_info, last_type = info, None
            st = touched.get(gid) or games.get(gid) or GameState()
        if check is not None:
            try:
                check(facts, st)
            except EventRejected as r:
                reject(rec, r.reason, r.detail, raw)
                new_seen[eid] = -d  # a later redelivery must not be judged again against a newer state
                continue
            touched[gid] = st
        if screen is not None and (etype == "game_final" or etype == "player_box"):
            flags = [f.as_dict() for f in getattr(screen, etype)(json.loads(raw)["payload"], eid)]
            if flags and screen.config.action == "quarantine":
                reject(rec, "outlier", json.dumps(flags), raw)
                new_seen[eid] = -d
                continue
            out.flags.extend(flags)
        new_seen[eid] = d
        if etype is not last_type:
            last_type = etype
            gkey = (etype, info.season, info.date)
            group = groups.get(gkey)
            if group is None:
                shard = str(rec.get("eventID", "shard")).split(":", 1)[0]
                group = groups[gkey] = (shard, str(rec["kinesis"].get("sequenceNumber", len(stored))), [])
            lines = group[2]
        lines.append(raw if _NEWLINE not in raw else raw.replace(b"\n", b" "))
        add_stored((etype, gid, raw))

    # Writes: quarantine, lake (each object serialised once), forward; state last.
    for q in quarantine:
        sinks.put_quarantine(q.key(), q.to_json())
        out.by_reason[q.reason] += 1
    for (etype, season, date), (shard, first, group_lines) in groups.items():
        group_lines.append(b"")  # the final newline, without copying the joined object again
        body = _gzip_compress(b"\n".join(group_lines), compresslevel=compresslevel, mtime=0)
        sinks.put_raw(raw_key(etype, season, date, shard, first), body)
    if stored:
        sinks.forward([(gid, raw) for _, gid, raw in stored])
    if new_seen or touched or out.duplicates_ignored:
        state.commit(new_seen, touched, out.duplicates_ignored)
    out.quarantined = len(quarantine)
    out.stored = len(stored)
    out.objects_written = len(quarantine) + len(groups)
    return out
