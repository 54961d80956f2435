"""The bad-record corpus: every kind ends in quarantine with its own reason, and the accounting holds."""

from __future__ import annotations

import gzip
import json

from _ingest_support import bad_corpus, encode, good_game, kinesis_record

from courtside.ingest.core import MemorySinks, process_records
from courtside.ingest.quarantine import QuarantineRecord
from courtside.ingest.state import MemoryStateStore


def run(records: list[dict], sinks: MemorySinks, state: MemoryStateStore):
    return process_records(records, sinks, state)


def test_good_game_is_stored_raw_and_forwarded() -> None:
    sinks, state = MemorySinks(), MemoryStateStore()
    out = run([kinesis_record(encode(e)) for e in good_game()], sinks, state)
    assert (out.stored, out.quarantined, out.duplicates_ignored) == (5, 0, 0)
    assert len(sinks.forwarded) == 5 and all(pk == "20181016_PHI_at_BOS" for pk, _ in sinks.forwarded)
    keys = sorted(sinks.raw)
    assert keys[0].startswith("raw/event_type=game_final/season=2019/date=2018-10-16/shardId-000000000000-")
    lines = gzip.decompress(sinks.raw[keys[1]]).splitlines()
    assert [json.loads(line)["event_type"] for line in lines] == ["pbp"] * 4


def test_bad_corpus_each_quarantined_with_distinct_reason() -> None:
    sinks, state = MemorySinks(), MemoryStateStore()
    run([kinesis_record(encode(e)) for e in good_game()[:3]], sinks, state)
    corpus = bad_corpus()
    out = run([rec for _, rec in corpus], sinks, state)
    assert out.stored == 0 and out.duplicates_ignored == 0
    assert out.quarantined == len(corpus)
    assert out.received == out.stored + out.quarantined + out.duplicates_ignored
    expected = sorted(reason for reason, _ in corpus)
    assert sorted(out.by_reason.elements()) == expected
    assert len(set(expected)) == len(expected), "each bad record has its own reason"
    for key, body in sinks.quarantine.items():
        q = QuarantineRecord.from_json(body)
        assert key.startswith(f"reason={q.reason}/")
        assert q.source.shard == "shardId-000000000000" and q.source.sequence_number


def test_byte_identical_redelivery_is_ignored_not_quarantined() -> None:
    sinks, state = MemorySinks(), MemoryStateStore()
    records = [kinesis_record(encode(e)) for e in good_game()]
    run(records, sinks, state)
    again = run(records, sinks, state)
    assert (again.stored, again.quarantined, again.duplicates_ignored) == (0, 0, 5)
    assert len(sinks.stored_lines()) == 5


def test_redelivered_bad_record_overwrites_same_quarantine_object() -> None:
    sinks, state = MemorySinks(), MemoryStateStore()
    bad = kinesis_record(b"{oops")
    run([bad], sinks, state)
    run([dict(bad)], sinks, state)
    assert len(sinks.quarantine) == 1


def test_quarantined_event_does_not_move_high_water_mark() -> None:
    from _ingest_support import pbp

    sinks, state = MemorySinks(), MemoryStateStore()
    events = [pbp(1, 1, 700.0, home=5, away=0), pbp(2, 1, 690.0, home=1, away=0), pbp(3, 1, 680.0, home=7, away=0)]
    out = run([kinesis_record(encode(e)) for e in events], sinks, state)
    assert (out.stored, dict(out.by_reason)) == (2, {"score_decreased": 1})


def test_outlier_screen_flags_or_quarantines_with_test_and_statistic() -> None:
    from _ingest_support import final

    from courtside.quality.outliers import OutlierConfig, RollingScreen

    finals = [final(100 + i % 7, 95 + i % 5, game_id=f"201811{d:02d}_PHI_at_BOS") for i, d in enumerate(range(1, 31))]
    finals.append(final(249, 240, game_id="20181201_PHI_at_BOS"))
    for action, stored in (("flag", 31), ("quarantine", 30)):
        sinks, state = MemorySinks(), MemoryStateStore()
        screen = RollingScreen(OutlierConfig(min_history=20, action=action))
        out = process_records([kinesis_record(encode(e)) for e in finals], sinks, state, screen=screen)
        assert out.stored == stored
        if action == "flag":
            assert {f["test"] for f in out.flags} == {"robust_z"} and out.flags[0]["statistic"] > 5
        else:
            q = QuarantineRecord.from_json(next(iter(sinks.quarantine.values())))
            assert q.reason == "outlier" and "robust_z" in q.detail


def test_redelivered_record_quarantined_by_game_rule_keeps_its_verdict() -> None:
    from _ingest_support import pbp

    sinks, state = MemorySinks(), MemoryStateStore()
    first = [pbp(1, 1, 700.0, home=5, away=0), pbp(2, 1, 690.0, home=1, away=0)]  # 2: score_decreased
    run([kinesis_record(encode(e)) for e in first], sinks, state)
    run([kinesis_record(encode(pbp(3, 2, 600.0, home=9, away=2)))], sinks, state)
    again = run([kinesis_record(encode(e)) for e in first], sinks, state)  # 2 would now also be clock_backwards
    assert (again.stored, again.quarantined, again.duplicates_ignored) == (0, 0, 2)
    assert len(sinks.quarantine) == 1
    fixed = run([kinesis_record(encode(pbp(2, 2, 500.0, home=9, away=2)))], sinks, state)  # a fixed version
    assert fixed.stored == 1


def test_utc_rule_on_the_pbp_fast_path() -> None:
    """`Z` and `+00:00` are UTC; any other offset is quarantined even though the parser accepts it."""
    from _ingest_support import pbp

    sinks, state = MemorySinks(), MemoryStateStore()
    events = [pbp(1), pbp(2), pbp(3)]
    events[1]["occurred_at"] = "2018-10-16T23:05:00+00:00"
    events[2]["occurred_at"] = "2018-10-17T01:05:00+02:00"
    out = run([kinesis_record(encode(e)) for e in events], sinks, state)
    assert (out.stored, out.quarantined) == (2, 1)
    assert dict(out.by_reason) == {"bad_timestamp": 1}
