"""The validate handler against moto: raw zone, quarantine, forward, dedup state, stats, partial failures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from _ingest_support import bad_corpus, encode, good_game, kinesis_record  # noqa: E402

from courtside.config import Settings  # noqa: E402


def context() -> SimpleNamespace:
    return SimpleNamespace(
        function_name="courtside-validate",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:courtside-validate",
        aws_request_id="req-1",
        get_remaining_time_in_millis=lambda: 60_000,
    )


def invoke(records: list[dict]) -> dict:
    from functions.validate.handler import handler

    return handler({"Records": records}, context())


@pytest.fixture(autouse=True)
def _fresh_samples() -> None:
    from courtside.quality import hooks

    hooks.reset()


def test_replay_twice_stores_each_valid_event_once(aws: Settings) -> None:
    from courtside.ingest.stats import ingest_stats

    good = [kinesis_record(encode(e)) for e in good_game()[:3]]
    assert invoke(good) == {"batchItemFailures": []}
    corpus = bad_corpus()
    assert invoke([r for _, r in corpus]) == {"batchItemFailures": []}
    # the same records again, as a Kinesis retry and as a replay under new sequence numbers
    assert invoke(good + [r for _, r in corpus]) == {"batchItemFailures": []}
    replay = [kinesis_record(encode(e)) for e in good_game()[:3]]
    assert invoke(replay) == {"batchItemFailures": []}

    stats = ingest_stats(aws)
    assert stats["stored"] == 3
    assert stats["quarantined"] == len(corpus)
    assert stats["in"] == stats["stored"] + stats["quarantined"]
    # 3 stored events twice, plus the 3 records quarantined by within-game rules redelivered once
    assert stats["duplicates_ignored"] == 9
    assert sorted(stats["by_reason"]) == sorted(reason for reason, _ in corpus)

    from courtside.aws.clients import client

    kin = client("kinesis")
    shard = kin.list_shards(StreamName=aws.names.validated_stream)["Shards"][0]["ShardId"]
    it = kin.get_shard_iterator(StreamName=aws.names.validated_stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    got = kin.get_records(ShardIterator=it["ShardIterator"])["Records"]
    assert len(got) == 3 and all(r["PartitionKey"] == "20181016_PHI_at_BOS" for r in got)

    from courtside.quality.reservoir import load

    sample = load(aws.names.lake_bucket, "pbp")
    assert sample.n == 3 and sorted(e["payload"]["event_num"] for e in sample.items) == [1, 2, 3]


def test_quarantine_redrive_after_fix(aws: Settings) -> None:
    """Quarantined records can be listed and re-driven onto the input stream; the accounting stays balanced."""
    from typer.testing import CliRunner

    from courtside.cli import app
    from courtside.ingest.stats import ingest_stats

    good = good_game()
    # the final arrives before the pbp that shows a higher score: quarantined; the pbp is then stored
    assert invoke([kinesis_record(encode(good[1]))]) == {"batchItemFailures": []}
    late = {**good[0], "payload": {**good[0]["payload"], "clock_seconds": 720.0}}
    invoke([kinesis_record(encode(late))])
    stats = ingest_stats(aws)
    assert (stats["stored"], stats["quarantined"], stats["by_reason"]) == (1, 1, {"clock_backwards": 1})
    listed = CliRunner().invoke(app, ["quarantine", "list"])
    assert listed.exit_code == 0 and "clock_backwards" in listed.output
    result = CliRunner().invoke(app, ["quarantine", "redrive", "--reason", "clock_backwards"])
    assert result.exit_code == 0 and '"redriven": 1' in result.output
    assert ingest_stats(aws)["quarantined"] == 0
    # the re-driven record is on the input stream again; the validate function decides again (still late here)
    from courtside.aws.clients import client

    kin = client("kinesis")
    shard = kin.list_shards(StreamName=aws.names.stream)["Shards"][0]["ShardId"]
    it = kin.get_shard_iterator(StreamName=aws.names.stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    got = kin.get_records(ShardIterator=it["ShardIterator"])["Records"]
    assert len(got) == 1
    invoke([kinesis_record(got[0]["Data"])])
    stats = ingest_stats(aws)
    assert stats["in"] == stats["stored"] + stats["quarantined"] == 2


def test_infrastructure_failure_reports_batch_item_failures(aws: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from courtside.aws.clients import client

    client("s3").delete_bucket(Bucket=aws.names.quarantine_bucket)  # quarantine writes now fail
    records = [kinesis_record(b"{broken"), kinesis_record(encode(good_game()[0]))]
    resp = invoke(records)
    assert [f["itemIdentifier"] for f in resp["batchItemFailures"]] == [r["kinesis"]["sequenceNumber"] for r in records]
    # nothing was committed: after the fix the retry stores the good record
    client("s3").create_bucket(Bucket=aws.names.quarantine_bucket)
    assert invoke(records) == {"batchItemFailures": []}
    from courtside.ingest.stats import ingest_stats

    assert ingest_stats(aws)["stored"] == 1


def test_replay_cli_puts_real_games_and_handler_stores_them_once(aws: Settings) -> None:
    from typer.testing import CliRunner

    from courtside.aws.clients import client
    from courtside.cli import app
    from courtside.ingest.stats import ingest_stats

    result = CliRunner().invoke(app, ["replay", "--games", "2", "--speed", "0"])
    assert result.exit_code == 0, result.output
    lines = [x[x.index("{") :] for x in result.output.splitlines() if "{" in x]
    assert lines, result.output
    sent = json.loads(lines[-1])["records"]
    kin = client("kinesis")
    shard = kin.list_shards(StreamName=aws.names.stream)["Shards"][0]["ShardId"]
    it = kin.get_shard_iterator(StreamName=aws.names.stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    got = kin.get_records(ShardIterator=it["ShardIterator"], Limit=10000)["Records"]
    assert len(got) == sent > 900
    records = [kinesis_record(r["Data"], seq=i) for i, r in enumerate(got)]
    for i in range(0, len(records), 500):
        assert invoke(records[i : i + 500]) == {"batchItemFailures": []}
    for i in range(0, len(records), 500):  # the same records put twice
        assert invoke(records[i : i + 500]) == {"batchItemFailures": []}
    stats = ingest_stats(aws)
    assert stats["in"] == stats["stored"] + stats["quarantined"]
    assert stats["stored"] + stats["quarantined"] + stats["duplicates_ignored"] == 2 * sent
    assert stats["stored_by_type"]["game_final"] == 2 and stats["stored"] >= sent - 5
