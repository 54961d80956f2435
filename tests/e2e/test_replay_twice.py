"""End to end: replaying real events through the local stack twice stores every valid event exactly once.

Scope (sized for about a minute through moto on an idle machine; 101-131 s measured under heavy shared load,
see docs/events.md for the throughput): the
repository extract of 2018-19 (`data/pbp/games_index_2018-19_first300.csv`, the first 300 regular-season games,
2018-10-16 .. 2018-11-26): the `game_scheduled` and `game_final` events of all 300 games, plus the play-by-play and
player box lines of the games of the first two dates (2018-10-16 and 2018-10-17, 15 games). The records are put
by the real producer (:func:`courtside.ingest.replay.replay` over
:func:`courtside.sources.extract.iter_game_events` with `details_through`, what
`courtside replay --season 2019 --details-through 2018-10-17` runs) onto the input stream
of a local stack (moto server + the validate function's poller); then the very same records are put a second time.

Accounting checked (docs/events.md, "Dedup and accounting"): every distinct record put is stored or quarantined
(`in == stored + quarantined`); each stored event is in the raw zone and on the validated stream exactly once; a
redelivery is `duplicates_ignored`, except a record quarantined by a stateless rule, which overwrites its own
quarantine object; the state table holds each event id once.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from courtside.config import Settings
from courtside.local.moto_server import free_port

# `make test` distributes by module (`--dist loadscope`): one worker builds this stack and double replay once.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PBP_THROUGH = "2018-10-17"  # play-by-play and box lines of the games up to this date (inclusive)
# Opt-in larger scope (not in CI: through moto a whole season of play-by-play takes about 50 minutes per put):
# COURTSIDE_REPLAY_SHARED=<dir with pbp/games_index_2015_2019.csv, pbp/pbp_2018-19.parquet,
# box/player_box_2015_2019.parquet> replays the whole 2018-19 season from it (every game's schedule and final),
# with play-by-play and box lines through COURTSIDE_REPLAY_PBP_THROUGH (default: the whole season).
SHARED = os.environ.get("COURTSIDE_REPLAY_SHARED")
THROUGH = os.environ.get("COURTSIDE_REPLAY_PBP_THROUGH") if SHARED else PBP_THROUGH  # None: every game


def _scope() -> dict:
    if not SHARED:
        return {}
    root = Path(SHARED)
    return {
        "index_path": root / "pbp" / "games_index_2015_2019.csv",
        "pbp_path": root / "pbp" / "pbp_2018-19.parquet",
        "box_path": root / "box" / "player_box_2015_2019.parquet",
    }


# Quarantines by within-game rules mark the id in the state table, so their redeliveries are ignored.
STATEFUL_REASONS = {"clock_backwards", "score_decreased", "final_score_mismatch", "outlier"}


def _lake_lines(bucket: str) -> list[bytes]:
    from courtside.aws.s3io import get_bytes, list_keys

    return [
        line
        for key in list_keys(bucket, "raw/")
        for line in gzip.decompress(get_bytes(bucket, key)).splitlines()
        if line.strip()
    ]


def _stream_records(stream: str) -> list[bytes]:
    from courtside.aws.clients import client

    kin = client("kinesis")
    out: list[bytes] = []
    for shard in kin.list_shards(StreamName=stream)["Shards"]:
        it = kin.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        iterator = it["ShardIterator"]
        while iterator:
            resp = kin.get_records(ShardIterator=iterator, Limit=10_000)
            out.extend(r["Data"] for r in resp["Records"])
            if not resp["Records"] and resp.get("MillisBehindLatest", 0) == 0:
                break
            iterator = resp.get("NextShardIterator")
    return out


def _state_ids(table: str) -> list[tuple[str, int]]:
    from courtside.aws.clients import client

    ids: list[tuple[str, int]] = []
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=table):
        ids.extend((it["pk"]["S"][4:], int(it["d"]["N"])) for it in page["Items"] if it["pk"]["S"].startswith("evt#"))
    return ids


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> dict:
    from courtside.aws.kinesis_producer import encode
    from courtside.ingest.quarantine import QuarantineRecord
    from courtside.ingest.replay import replay
    from courtside.ingest.stats import ingest_stats
    from courtside.local.stack import LocalStack
    from courtside.sources.extract import iter_game_events

    settings = Settings(state_dir=tmp_path_factory.mktemp("state"), aws_port=free_port(), api_port=0)
    games = list(iter_game_events(settings.data_dir, season=2019, details_through=THROUGH, **_scope()))
    put = [encode(ev) for _, events in games for _, ev in events]
    names = settings.names
    with LocalStack(settings, api=False, scheduler=False, pollers=[f"{names.prefix}-validate"]) as stack:
        runs = []
        for _ in range(2):  # the same records, put twice
            result = replay(games, names.stream)
            assert stack.wait_drained(timeout=max(600, len(put) // 20)), "the validate poller did not go idle"
            runs.append(result)
        from courtside.aws.s3io import get_bytes, list_keys

        quarantine = [
            QuarantineRecord.from_json(get_bytes(names.quarantine_bucket, k))
            for k in list_keys(names.quarantine_bucket, "reason=")
        ]
        return {
            "games": games,
            "put": put,
            "runs": runs,
            "stats": ingest_stats(settings),
            "lake": _lake_lines(names.lake_bucket),
            "validated": _stream_records(names.validated_stream),
            "quarantine": quarantine,
            "state": _state_ids(names.state_table),
            "pollers": [p.stats for p in stack.pollers],
        }


def test_scope_is_the_extract_with_two_dates_of_play_by_play(replayed):
    types = Counter(json.loads(raw)["event_type"] for raw in replayed["put"])
    games = 1312 if SHARED else 300  # 2018-19: 1,230 regular-season and 82 playoff games
    assert len(replayed["games"]) == games
    assert types["game_scheduled"] == types["game_final"] == games
    assert types["pbp"] > 6000 and types["player_box"] > 300
    assert [r.records for r in replayed["runs"]] == [len(replayed["put"])] * 2
    assert all(p.failed_to_destination == 0 and p.handler_errors == 0 for p in replayed["pollers"])


def test_every_valid_event_is_stored_exactly_once(replayed):
    lake, put = replayed["lake"], replayed["put"]
    ids = [json.loads(line)["event_id"] for line in lake]
    assert len(ids) == len(set(ids)), "an event id is in the raw zone twice"
    assert len(ids) == replayed["stats"]["stored"]
    assert set(lake) <= set(put), "the raw zone holds exactly the bytes that were put"
    quarantined_ids = {json.loads(q.data)["event_id"] for q in replayed["quarantine"]}
    assert {json.loads(raw)["event_id"] for raw in put} == set(ids) | quarantined_ids
    assert len(ids) > 0.99 * len(set(put))
    # and each stored event went downstream exactly once
    assert sorted(replayed["validated"]) == sorted(lake)


def test_accounting_with_the_second_put_counted_as_duplicates(replayed):
    stats, put, quarantine = replayed["stats"], replayed["put"], replayed["quarantine"]
    times_put = Counter(put)
    assert stats["in"] == stats["stored"] + stats["quarantined"] == len(times_put)
    assert stats["by_reason"] == dict(Counter(q.reason for q in quarantine))
    # Every record was put 2 x times_put[record] times. The first arrival is stored or quarantined; any later one
    # is a duplicate, except that a record quarantined by a stateless rule is quarantined again (same object).
    requarantined = sum(2 * times_put[q.data] - 1 for q in quarantine if q.reason not in STATEFUL_REASONS)
    assert stats["duplicates_ignored"] == 2 * len(put) - stats["stored"] - stats["quarantined"] - requarantined


def test_dedup_state_holds_each_id_once(replayed):
    state = replayed["state"]
    ids = [i for i, _ in state]
    assert len(ids) == len(set(ids))
    stored = {json.loads(line)["event_id"] for line in replayed["lake"]}
    assert {i for i, d in state if d > 0} == stored
    marked = {json.loads(q.data)["event_id"] for q in replayed["quarantine"] if q.reason in STATEFUL_REASONS}
    assert {i for i, d in state if d < 0} == marked - stored
