"""Find and remove one pseudonym's rows in lake objects (Parquet, JSON lines), across every object version.

Why every version: the lake bucket is versioned (for dataset versioning, practices 11/18), so rewriting the
current object would leave the user's rows in the previous versions. Erasure therefore inspects each version:
the current version is rewritten without the user's rows (a new version) and every version that contained them
is then deleted by version id. Versions without the user's rows are left alone, so other users' history stays.

Formats (see docs/privacy.md, "capture format"):
- ``*.parquet``: rows whose ``user_pseudonym`` column equals the pseudonym;
- ``*.jsonl`` / ``*.jsonl.gz`` / ``*.ndjson``: lines that contain the pseudonym (it is 68 characters of a fixed
  shape, so a substring match has no false positives and also catches the pseudonym in nested fields);
- any object whose *key* contains the pseudonym (``users/user_pseudonym=<p>/...``) belongs to the user whole.
Other objects are inspected for the pseudonym's bytes and reported as ``unhandled`` if found (never silently).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from courtside.aws.clients import client

PSEUDONYM_COLUMN = "user_pseudonym"


@dataclass(frozen=True)
class Version:
    key: str
    version_id: str
    is_latest: bool
    delete_marker: bool


@dataclass
class Match:
    """What one object version holds of the user: `kind` (parquet/jsonl/keyed/unhandled/none), rows matched/total,
    and the rewritten bytes without the user's rows (None when nothing is left or nothing matched)."""

    kind: str
    matched: int
    total: int
    rewritten: bytes | None = None


def versions(bucket: str, prefixes: tuple[str, ...]) -> Iterator[Version]:
    """Every object version and delete marker under `prefixes`."""
    pager = client("s3").get_paginator("list_object_versions")
    for prefix in prefixes:
        for page in pager.paginate(Bucket=bucket, Prefix=prefix):
            for v in page.get("Versions", []):
                yield Version(v["Key"], v.get("VersionId") or "null", bool(v.get("IsLatest")), False)
            for m in page.get("DeleteMarkers", []):
                yield Version(m["Key"], m.get("VersionId") or "null", bool(m.get("IsLatest")), True)


def read_version(bucket: str, v: Version) -> bytes:
    kwargs = {} if v.version_id == "null" else {"VersionId": v.version_id}
    return client("s3").get_object(Bucket=bucket, Key=v.key, **kwargs)["Body"].read()


def _parquet(body: bytes, pseudonym: str) -> Match:
    table = pq.read_table(io.BytesIO(body))
    if PSEUDONYM_COLUMN not in table.column_names:
        return Match("parquet", 0, table.num_rows)
    column = table[PSEUDONYM_COLUMN]
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    mine = pc.fill_null(pc.equal(column, pseudonym), False)
    matched = pc.sum(mine).as_py() or 0
    if not matched:
        return Match("parquet", 0, table.num_rows)
    kept = table.filter(pc.invert(mine))
    out = None
    if kept.num_rows:
        buf = io.BytesIO()
        pq.write_table(kept, buf)
        out = buf.getvalue()
    return Match("parquet", matched, table.num_rows, out)


def _jsonl(body: bytes, pseudonym: str, gz: bool) -> Match:
    text = (gzip.decompress(body) if gz else body).decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [line for line in lines if pseudonym not in line]
    matched = len(lines) - len(kept)
    if not matched:
        return Match("jsonl", 0, len(lines))
    out = None
    if kept:
        data = ("\n".join(kept) + "\n").encode("utf-8")
        out = gzip.compress(data) if gz else data
    return Match("jsonl", matched, len(lines), out)


def inspect(key: str, body: bytes, pseudonym: str) -> Match:
    """How much of the user one object version holds (and its bytes without them)."""
    if pseudonym in key:
        return Match("keyed", 1, 1)
    lower = key.lower()
    if lower.endswith(".parquet"):
        return _parquet(body, pseudonym)
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return _jsonl(body, pseudonym, gz=False)
    if lower.endswith((".jsonl.gz", ".ndjson.gz", ".json.gz")):
        return _jsonl(body, pseudonym, gz=True)
    found = pseudonym.encode() in body
    return Match("unhandled", int(found), 1)
