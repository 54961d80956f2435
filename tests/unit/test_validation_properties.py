"""Property tests: whatever bytes arrive, no exception escapes and every record is stored, quarantined or
ignored as a redelivery (received == stored + quarantined + duplicates_ignored)."""

from __future__ import annotations

import base64
import json

from _ingest_support import encode, kinesis_record, pbp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courtside.ingest.core import MemorySinks, process_records
from courtside.ingest.state import MemoryStateStore

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def mutated_pbp(draw: st.DrawFn) -> bytes:
    ev = pbp(
        draw(st.integers(0, 50)),
        draw(st.integers(-1, 12)),
        draw(st.floats(-10, 800, allow_nan=False)),
        home=draw(st.none() | st.integers(-5, 300)),
        away=draw(st.integers(-5, 300)),
    )
    if draw(st.booleans()):
        field = draw(st.sampled_from(["schema_version", "event_id", "event_type", "game_id", "occurred_at", "payload"]))
        ev[field] = draw(json_values)
    if draw(st.booleans()) and isinstance(ev["payload"], dict):
        ev["payload"] = {**ev["payload"], draw(st.sampled_from(["period", "team", "clock_seconds"])): draw(json_values)}
    return encode(ev)


record_data = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_pbp(),
)


@given(st.lists(st.tuples(record_data, st.booleans()), max_size=25))
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_every_record_is_accounted_for(items: list[tuple[bytes, bool]]) -> None:
    records = []
    for data, corrupt_b64 in items:
        b64 = base64.b64encode(data).decode()
        records.append(kinesis_record(b64[:-1] + "*" if corrupt_b64 and b64 else b64))
    sinks, state = MemorySinks(), MemoryStateStore()
    out = process_records(records, sinks, state)
    assert out.received == out.stored + out.quarantined + out.duplicates_ignored
    assert len(sinks.stored_lines()) == out.stored == len(sinks.forwarded)
    assert sum(out.by_reason.values()) == out.quarantined
    again = process_records(records, sinks, state)  # a full redelivery stores nothing new
    assert again.stored == 0
    assert again.received == again.duplicates_ignored + again.quarantined
    # every stored event is ignored as a redelivery; so is a record whose first verdict was a within-game
    # quarantine (it keeps that verdict rather than being quarantined twice)
    assert again.duplicates_ignored >= out.stored + out.duplicates_ignored
