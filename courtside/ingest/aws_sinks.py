"""AWS adapters of the ingest core: S3 lake and quarantine, Kinesis forward, DynamoDB state.

State table layout (pk/sk strings, `ttl` epoch seconds):
- `pk = "evt#<event_id>"`, `sk = "v"`: `d` = content digest (negative: the record was quarantined by a within-game
  rule). Written after the lake write; TTL = DEDUP_DAYS.
- `pk = "game#<game_id>"`, `sk = "state"`: `s` = JSON of :class:`GameState`, `version` number, updated with a
  conditional write (`version` unchanged since read), so two invocations can never both advance a game.
- `pk = "stats"`, `sk = "duplicates_ignored"`: counter `n` (ADD), read by `courtside stats`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping
from typing import Any

from botocore.exceptions import ClientError

from courtside.aws.clients import client
from courtside.aws.kinesis_producer import put_raw_records
from courtside.config import Settings
from courtside.errors import InfrastructureError
from courtside.ingest.rules import GameState

DEDUP_DAYS = 400


def _chunks(items: list, n: int) -> list[list]:
    return [items[i : i + n] for i in range(0, len(items), n)]


class DynamoStateStore:
    """:class:`courtside.ingest.state.StateStore` on the DynamoDB state table."""

    def __init__(self, table: str, ddb: Any = None) -> None:
        self.table = table
        self.ddb = ddb or client("dynamodb")

    def _batch_get(self, keys: list[dict]) -> list[dict]:
        items: list[dict] = []
        for chunk in _chunks(keys, 100):
            request: dict = {self.table: {"Keys": chunk, "ConsistentRead": True}}
            for attempt in range(10):
                resp = self.ddb.batch_get_item(RequestItems=request)
                items.extend(resp.get("Responses", {}).get(self.table, []))
                request = resp.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.05 * 2**attempt))
            if request:
                raise InfrastructureError("DynamoDB BatchGetItem left unprocessed keys after retries")
        return items

    def seen(self, event_ids: Collection[str]) -> dict[str, int]:
        keys = [{"pk": {"S": f"evt#{e}"}, "sk": {"S": "v"}} for e in event_ids]
        return {it["pk"]["S"][4:]: int(it["d"]["N"]) for it in self._batch_get(keys)}

    def games(self, game_ids: Collection[str]) -> dict[str, GameState]:
        keys = [{"pk": {"S": f"game#{g}"}, "sk": {"S": "state"}} for g in game_ids]
        out = {}
        for it in self._batch_get(keys):
            st = GameState.from_dict(json.loads(it["s"]["S"]))
            st.version = int(it["version"]["N"])
            out[it["pk"]["S"][5:]] = st
        return out

    def commit(self, seen: Mapping[str, int], games: Mapping[str, GameState], duplicates_ignored: int) -> None:
        ttl = str(int(time.time()) + DEDUP_DAYS * 86400)
        puts = [
            {"PutRequest": {"Item": {"pk": {"S": f"evt#{e}"}, "sk": {"S": "v"}, "d": {"N": str(d)}, "ttl": {"N": ttl}}}}
            for e, d in seen.items()
        ]
        for chunk in _chunks(puts, 25):
            request: dict = {self.table: chunk}
            for attempt in range(10):
                resp = self.ddb.batch_write_item(RequestItems=request)
                request = resp.get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.05 * 2**attempt))
            if request:
                raise InfrastructureError("DynamoDB BatchWriteItem left unprocessed items after retries")
        for gid, st in games.items():
            old = st.version
            st.version = old + 1
            try:
                self.ddb.put_item(
                    TableName=self.table,
                    Item={
                        "pk": {"S": f"game#{gid}"},
                        "sk": {"S": "state"},
                        "s": {"S": json.dumps(st.to_dict())},
                        "version": {"N": str(st.version)},
                        "ttl": {"N": ttl},
                    },
                    ConditionExpression="attribute_not_exists(pk) OR version = :v",
                    ExpressionAttributeValues={":v": {"N": str(old)}},
                )
            except ClientError as err:
                st.version = old
                if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    raise InfrastructureError(f"game {gid} state changed concurrently; batch will be retried") from err
                raise
        if duplicates_ignored:
            self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "stats"}, "sk": {"S": "duplicates_ignored"}},
                UpdateExpression="ADD n :d",
                ExpressionAttributeValues={":d": {"N": str(duplicates_ignored)}},
            )

    def forget_quarantined(self, event_id: str) -> None:
        """Drop a quarantined-record marker (before a redrive), never a stored one."""
        try:
            self.ddb.delete_item(
                TableName=self.table,
                Key={"pk": {"S": f"evt#{event_id}"}, "sk": {"S": "v"}},
                ConditionExpression="d < :zero",
                ExpressionAttributeValues={":zero": {"N": "0"}},
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def duplicates_ignored(self) -> int:
        it = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "stats"}, "sk": {"S": "duplicates_ignored"}}).get(
            "Item"
        )
        return int(it["n"]["N"]) if it else 0


class AwsSinks:
    """:class:`courtside.ingest.core.Sinks` on S3 (lake raw zone, quarantine bucket) and Kinesis (validated)."""

    def __init__(self, settings: Settings) -> None:
        names = settings.names
        self.lake, self.quarantine, self.stream = names.lake_bucket, names.quarantine_bucket, names.validated_stream
        self.s3 = client("s3")

    def put_raw(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.lake, Key=key, Body=body, ContentType="application/x-ndjson")

    def put_quarantine(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.quarantine, Key=key, Body=body, ContentType="application/json")

    def forward(self, entries: list[tuple[str, bytes]]) -> None:
        put_raw_records(entries, self.stream, client=client("kinesis"))
