"""Builders of Kinesis-shaped records for the ingest tests."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

from courtside.events import make_event

GAME = "20181016_PHI_at_BOS"
_SEQ = itertools.count(1)


def kinesis_record(data: bytes | str, game_id: str = GAME, seq: int | None = None) -> dict[str, Any]:
    n = next(_SEQ) if seq is None else seq
    b64 = data if isinstance(data, str) else base64.b64encode(data).decode()
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": game_id,
            "sequenceNumber": f"{n:056d}",
            "data": b64,
            "approximateArrivalTimestamp": 1539731100.0,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{n:056d}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/validate",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/courtside-events",
    }


def encode(ev: dict) -> bytes:
    return json.dumps(ev, separators=(",", ":")).encode()


def pbp(
    num: int, period: int = 1, clock: float = 700.0, home: int | None = None, away: int | None = None, **kw: Any
) -> dict:
    payload = {"event_num": num, "period": period, "clock_seconds": clock, "event_code": 1 if home is not None else 4}
    if home is not None:
        payload.update(home_score=home, away_score=away)
    payload.update(kw)
    return make_event("pbp", kw.pop("game_id", GAME), "2018-10-16T23:05:00Z", payload, seq=num)


def final(home: int, away: int, game_id: str = GAME, **kw: Any) -> dict:
    date = f"{game_id[:4]}-{game_id[4:6]}-{game_id[6:8]}"
    _, a, _, h = game_id.split("_")
    payload = {
        "season": 2019,
        "date": date,
        "home_team": h,
        "away_team": a,
        "home_score": home,
        "away_score": away,
        "neutral": False,
        "is_playoff": False,
    }
    payload.update(kw)
    return make_event("game_final", game_id, f"{date}T23:59:59Z", payload)


def good_game() -> list[dict]:
    """A tiny consistent game: a few plays and its final."""
    return [
        pbp(1, 1, 720.0),
        pbp(2, 1, 690.0, home=2, away=0),
        pbp(3, 1, 650.0, home=2, away=3),
        pbp(4, 4, 0.0, event_code=13),
        final(2, 3),
    ]


def bad_corpus() -> list[tuple[str, dict[str, Any]]]:
    """(expected reason, Kinesis record) for every kind of bad record. Needs good_game()[:3] stored first."""
    base = pbp(10, 2, 600.0, home=4, away=3)
    out: list[tuple[str, dict[str, Any]]] = [
        ("broken_json", kinesis_record(b'{"schema_version": "1.0", "event_id": ')),
        ("bad_base64", kinesis_record("!!!not-base64***")),
        ("wrong_type", kinesis_record(encode({**base, "payload": {**base["payload"], "period": "2"}}))),
        ("missing_field", kinesis_record(encode({k: v for k, v in base.items() if k != "event_id"}))),
        ("unknown_team", kinesis_record(encode(pbp(11, 2, 590.0, team="XYZ")))),
        ("negative_score", kinesis_record(encode(pbp(12, 2, 580.0, home=-1, away=3)))),
        ("score_decreased", kinesis_record(encode(pbp(13, 2, 570.0, home=1, away=3)))),
        ("clock_backwards", kinesis_record(encode(pbp(14, 1, 715.0)))),
        ("duplicate_event_id", kinesis_record(encode(pbp(2, 1, 690.0, home=2, away=0, description="changed")))),
        ("unknown_schema_version", kinesis_record(encode({**base, "schema_version": "2.0"}))),
        (
            "oversized_record",
            kinesis_record(encode(pbp(15, 2, 560.0, description="x" * 400)).replace(b"x", b"x" * 100)),
        ),
        ("game_id_mismatch", kinesis_record(encode(final(2, 3, home_team="NYK")))),
        ("unknown_event_type", kinesis_record(encode({**base, "event_type": "tweet"}))),
        ("out_of_range", kinesis_record(encode(pbp(16, 12, 100.0)))),
        ("bad_timestamp", kinesis_record(encode({**base, "occurred_at": "yesterday"}))),
        ("final_score_mismatch", kinesis_record(encode(final(1, 3)))),
        ("inconsistent_stats", kinesis_record(encode(final(3, 3)))),
    ]
    return out
