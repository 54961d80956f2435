"""The event a Kinesis event source mapping hands a Lambda function, built in one place.

The local poller builds it from GetRecords responses; tests and tools that call a stream handler directly build it
from event dicts through :func:`event_of`, so every caller exercises the same record shape the handlers parse
(base64 `data`, `eventID` = shard:sequence, partition key = game id).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

DEFAULT_STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/courtside-events"


def lambda_event(
    records: Iterable[tuple[str, Mapping[str, Any]]],
    function_name: str,
    region: str = "us-east-1",
    stream_arn: str = DEFAULT_STREAM_ARN,
) -> dict[str, Any]:
    """`{"Records": [...]}` from (shard id, GetRecords record) pairs, as Lambda's Kinesis integration sends it."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{r['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::123456789012:role/{function_name}",
                "awsRegion": region,
                "eventSourceARN": stream_arn,
            }
            for shard_id, r in records
        ]
    }


def event_of(events: Sequence[Mapping[str, Any]], function_name: str = "courtside-features") -> dict[str, Any]:
    """The Lambda event for Courtside events as if read in order from one shard (partition key = game id)."""
    now = datetime.now(UTC)
    records = [
        (
            "shardId-000000000000",
            {
                "PartitionKey": str(ev.get("game_id", "")),
                "SequenceNumber": f"{i:056d}",
                "Data": json.dumps(ev, separators=(",", ":")).encode(),
                "ApproximateArrivalTimestamp": now,
            },
        )
        for i, ev in enumerate(events)
    ]
    return lambda_event(records, function_name)
