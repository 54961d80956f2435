"""Kinesis producer: batches within limits, retries only failed records, gives up with a clear error."""

from __future__ import annotations

import pytest

from courtside.aws.kinesis_producer import MAX_BYTES_PER_CALL, batches, put_events, put_raw_records
from courtside.errors import PutRecordsError
from courtside.events import make_event


class FlakyKinesis:
    """Fails the records whose index is in `fail_first` on their first attempt (throttling)."""

    def __init__(self, fail_always: set[bytes] | None = None, fail_first: int = 0) -> None:
        self.calls: list[list[dict]] = []
        self.fail_always = fail_always or set()
        self.fail_first = fail_first

    def put_records(self, StreamName: str, Records: list[dict]) -> dict:  # noqa: N803 - boto3 names
        self.calls.append(Records)
        out, failed = [], 0
        for j, r in enumerate(Records):
            bad = r["Data"] in self.fail_always or (len(self.calls) == 1 and j < self.fail_first)
            failed += bad
            out.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow"} if bad else {})
        return {"FailedRecordCount": failed, "Records": out}


def events(n: int) -> list[dict]:
    return [make_event("pbp", "20181016_PHI_at_BOS", "2018-10-16T23:00:00Z", {"event_num": i}, seq=i) for i in range(n)]


def test_batches_respect_record_and_size_limits() -> None:
    assert [len(b) for b in batches((("k", b"x"),) * 1201)] == [500, 500, 201]
    big = [("k", b"x" * 900_000)] * 12
    assert all(sum(len(d) + 1 for _, d in b) <= MAX_BYTES_PER_CALL for b in batches(big))
    with pytest.raises(ValueError, match="1 MB"):
        list(batches([("k", b"x" * 1_100_000)]))


def test_retries_only_the_failed_records_with_partition_key_game_id() -> None:
    kin = FlakyKinesis(fail_first=3)
    res = put_events(events(10), "s", client=kin, sleep=lambda s: None)
    assert res.records == 10 and res.retried == 3
    assert [len(c) for c in kin.calls] == [10, 3]
    assert kin.calls[1] == kin.calls[0][:3]
    assert {r["PartitionKey"] for r in kin.calls[0]} == {"20181016_PHI_at_BOS"}


def test_gives_up_after_bounded_attempts_with_clear_error() -> None:
    sleeps: list[float] = []
    kin = FlakyKinesis(fail_always={b"poison"})
    with pytest.raises(PutRecordsError, match="1 of 2 records still failed"):
        put_raw_records([("k", b"ok"), ("k", b"poison")], "s", client=kin, max_attempts=4, sleep=sleeps.append)
    assert len(kin.calls) == 4 and len(sleeps) == 3
    assert all(0 <= s <= 2.0 for s in sleeps)  # full jitter, capped


def test_replay_of_real_games_with_details_through_a_date(data_dir) -> None:
    """Results for every game, play-by-play and box lines only up to the date; game order and keys kept."""
    from courtside.ingest.replay import replay
    from courtside.sources.extract import iter_game_events

    games = list(iter_game_events(data_dir, season=2019, games=4, details_through="2018-10-16"))
    assert [g.date for g, _ in games] == ["2018-10-16", "2018-10-16", "2018-10-17", "2018-10-17"]
    types = [[ev["event_type"] for _, ev in events] for _, events in games]
    assert all("pbp" in t and "player_box" in t for t in types[:2])
    assert types[2:] == [["game_scheduled", "game_final"]] * 2
    kinesis = FlakyKinesis(fail_first=3)
    result = replay(games, "s", client=kinesis, include=lambda _g, ev: ev["event_type"] != "player_box")
    sent = [r for call in kinesis.calls for r in call]
    expected = sum(1 for t in types for x in t if x != "player_box")
    assert result.records == expected and result.retried == 3 and len(sent) == expected + 3
    assert all(r["PartitionKey"] in r["Data"].decode() for r in sent)
