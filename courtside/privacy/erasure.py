"""Right to erasure: remove one user's data from every store and write a proof report (practice 10).

Order matters: the consent record goes first, so this process stops capturing the user at once (other
containers within the consent cache TTL; see docs/privacy.md), then the lake (every version), then the online
store. Before and after counts come from the same scan (:func:`scan`), so "after = 0" is measured, not assumed.
The report names the subject only by :func:`~courtside.privacy.pseudonym.subject_reference` (a one-way hash of
the pseudonym): it proves which subject was erased to anyone who knows the raw id, without keeping a join key.

Idempotent: running it again for the same user finds nothing and writes another report with zeros.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from courtside.aws.clients import client
from courtside.config import get_settings
from courtside.privacy import consent, lake_scan
from courtside.privacy.pseudonym import pseudonymise, subject_reference

LAKE_PREFIXES: tuple[str, ...] = ("captures/", "users/")
AUDIT_PREFIX = "privacy/audit/"
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def online_pk(pseudonym: str) -> str:
    """Partition key of a user's items in the online store."""
    return f"user#{pseudonym}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- scan ---------------------------------------------------------------------------------------------------


def _online_keys(table: str, pseudonym: str) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    pager = client("dynamodb").get_paginator("query")
    for page in pager.paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": online_pk(pseudonym)}},
        ProjectionExpression="pk, sk",
        ConsistentRead=True,
    ):
        keys.extend(page.get("Items", []))
    return keys


def _consent_counts(pseudonym: str) -> dict[str, int]:
    rec = consent._read(pseudonym)
    return {"records": 1 if rec else 0, "history_entries": len(rec.history) if rec else 0}


def _lake_counts(bucket: str, pseudonym: str, prefixes: tuple[str, ...]) -> dict[str, int]:
    counts = {
        "parquet_rows": 0,
        "parquet_rows_in_old_versions": 0,
        "jsonl_lines": 0,
        "jsonl_lines_in_old_versions": 0,
        "keyed_object_versions": 0,
        "unhandled_object_versions": 0,
    }
    for v in lake_scan.versions(bucket, prefixes):
        if v.key.startswith(AUDIT_PREFIX):
            continue
        if v.delete_marker:
            counts["keyed_object_versions"] += int(pseudonym in v.key)
            continue
        m = lake_scan.inspect(v.key, b"" if pseudonym in v.key else lake_scan.read_version(bucket, v), pseudonym)
        if m.kind in ("parquet", "jsonl"):
            name = "parquet_rows" if m.kind == "parquet" else "jsonl_lines"
            counts[name if v.is_latest else f"{name}_in_old_versions"] += m.matched
        elif m.kind == "keyed":
            counts["keyed_object_versions"] += 1
        elif m.kind == "unhandled":
            counts["unhandled_object_versions"] += m.matched
    return counts


def scan(pseudonym: str, prefixes: tuple[str, ...] = LAKE_PREFIXES) -> dict[str, dict[str, int]]:
    """Everything the platform holds of `pseudonym`, per store (the proof's "before" and "after")."""
    names = get_settings().names
    return {
        "lake": _lake_counts(names.lake_bucket, pseudonym, prefixes),
        "online_store": {"items": len(_online_keys(names.online_table, pseudonym))},
        "consent": _consent_counts(pseudonym),
    }


def _total(counts: dict[str, dict[str, int]]) -> int:
    return sum(n for store in counts.values() for name, n in store.items() if name != "history_entries")


# --- erase --------------------------------------------------------------------------------------------------


def _delete_version(bucket: str, v: lake_scan.Version) -> None:
    kwargs = {} if v.version_id == "null" else {"VersionId": v.version_id}
    client("s3").delete_object(Bucket=bucket, Key=v.key, **kwargs)


def _erase_lake(bucket: str, pseudonym: str, prefixes: tuple[str, ...]) -> dict[str, int]:
    """Rewrite current versions without the user; delete every version that held the user."""
    actions = {"objects_rewritten": 0, "objects_removed": 0, "versions_deleted": 0, "unhandled_versions": 0}
    for v in list(lake_scan.versions(bucket, prefixes)):
        if v.key.startswith(AUDIT_PREFIX):
            continue
        if pseudonym in v.key:
            _delete_version(bucket, v)
            actions["versions_deleted"] += 1
            continue
        if v.delete_marker:
            continue
        m = lake_scan.inspect(v.key, lake_scan.read_version(bucket, v), pseudonym)
        if not m.matched:
            continue
        if m.kind == "unhandled":
            actions["unhandled_versions"] += 1  # unknown format: reported, left for a human (never guessed)
            continue
        if v.is_latest:
            if m.rewritten is not None:
                client("s3").put_object(Bucket=bucket, Key=v.key, Body=m.rewritten)
                actions["objects_rewritten"] += 1
            else:
                actions["objects_removed"] += 1
        _delete_version(bucket, v)
        actions["versions_deleted"] += 1
    return actions


def _erase_online(table: str, pseudonym: str) -> int:
    keys = _online_keys(table, pseudonym)
    ddb = client("dynamodb")
    for i in range(0, len(keys), 25):
        batch = [{"DeleteRequest": {"Key": k}} for k in keys[i : i + 25]]
        pending: dict[str, Any] = {table: batch}
        for _ in range(8):
            out = ddb.batch_write_item(RequestItems=pending)
            pending = out.get("UnprocessedItems") or {}
            if not pending:
                break
        if pending:
            raise RuntimeError("online store kept throttling deletes; rerun the erasure")
    return len(keys)


def erase_user(
    user_id: str,
    request_id: str | None = None,
    prefixes: tuple[str, ...] = LAKE_PREFIXES,
    write_report: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Erase `user_id` (raw id or pseudonym) everywhere; returns (and stores) the audit report."""
    request_id = request_id or uuid.uuid4().hex
    if not REQUEST_ID.match(request_id):
        raise ValueError("request id must be 1..64 characters of [A-Za-z0-9_-]")
    say = progress or (lambda _msg: None)
    names = get_settings().names
    pseudonym = pseudonymise(user_id)
    started = _now()
    before = scan(pseudonym, prefixes)
    say("consent")
    consent_deleted = consent.delete_consent(pseudonym)
    say("lake")
    lake_actions = _erase_lake(names.lake_bucket, pseudonym, prefixes)
    say("online store")
    online_deleted = _erase_online(names.online_table, pseudonym)
    after = scan(pseudonym, prefixes)
    consent.invalidate(pseudonym)
    report: dict[str, Any] = {
        "request_id": request_id,
        "subject_ref": subject_reference(pseudonym),
        "started_at": started,
        "completed_at": _now(),
        "lake_bucket": names.lake_bucket,
        "lake_prefixes": list(prefixes),
        "before": before,
        "after": after,
        "actions": {
            "consent_records_deleted": consent_deleted,
            "online_items_deleted": online_deleted,
            **lake_actions,
        },
        "complete": _total(after) == 0,
    }
    if write_report:
        key = f"{AUDIT_PREFIX}{request_id}.json"
        body = json.dumps(report, indent=2, sort_keys=True).encode()
        client("s3").put_object(Bucket=names.lake_bucket, Key=key, Body=body, ContentType="application/json")
        report["report_uri"] = f"s3://{names.lake_bucket}/{key}"
    return report
