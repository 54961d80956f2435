"""Erasure proof: seed two users everywhere (captures as Parquet and JSON lines, old object versions, online
items, consent), erase one, and show that nothing of that user remains in any store or version while the other
user's data is intact."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.privacy import consent, erasure
from courtside.privacy.pseudonym import pseudonymise, subject_reference

ALICE, BOB = "alice@example.com", "bob_42"


pytestmark = pytest.mark.usefixtures("privacy_key")


def capture_rows(pseudonyms: list[str], day: str) -> pa.Table:
    """Rows in the documented capture format (docs/privacy.md)."""
    return pa.table(
        {
            "user_pseudonym": pseudonyms,
            "model_version": ["pregame-7"] * len(pseudonyms),
            "home_win_probability": [0.5 + i / 100 for i in range(len(pseudonyms))],
            "request": [json.dumps({"date": day, "home_team": "BOS", "away_team": "NYK"})] * len(pseudonyms),
            "captured_at": [f"{day}T20:00:0{i % 10}Z" for i in range(len(pseudonyms))],
        }
    )


def put_parquet(bucket: str, key: str, table: pa.Table) -> None:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    client("s3").put_object(Bucket=bucket, Key=key, Body=buf.getvalue())


def all_bytes(bucket: str) -> list[tuple[str, str, bytes]]:
    """(key, version id, bytes) of every object version in the bucket, audit reports excluded."""
    s3, out = client("s3"), []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            if v["Key"].startswith(erasure.AUDIT_PREFIX):
                continue
            body = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
            out.append((v["Key"], v["VersionId"], body))
    return out


def seed(settings: Settings) -> tuple[str, str]:
    names = settings.names
    bucket, s3, ddb = names.lake_bucket, client("s3"), client("dynamodb")
    pa_, pb = pseudonymise(ALICE), pseudonymise(BOB)
    # a capture file with both users, overwritten once (the old version holds Alice too)
    put_parquet(bucket, "captures/date=2026-01-10/part-0.parquet", capture_rows([pa_, pb], "2026-01-10"))
    put_parquet(bucket, "captures/date=2026-01-10/part-0.parquet", capture_rows([pa_, pb, pa_, pb], "2026-01-10"))
    # a file with Alice only (must disappear entirely) and one with Bob only (must stay byte-identical)
    put_parquet(bucket, "captures/date=2026-01-11/part-0.parquet", capture_rows([pa_, pa_], "2026-01-11"))
    put_parquet(bucket, "captures/date=2026-01-11/part-1.parquet", capture_rows([pb], "2026-01-11"))
    # JSON lines captures
    lines = [{"user_pseudonym": p, "model_version": "pregame-7", "home_win_probability": 0.6} for p in (pa_, pb, pa_)]
    body = "\n".join(json.dumps(x) for x in lines) + "\n"
    s3.put_object(Bucket=bucket, Key="captures/raw/2026-01-10/batch-0.jsonl", Body=body.encode())
    # a users/-keyed object, deleted earlier (only a delete marker is current, the data sits in an old version)
    s3.put_object(Bucket=bucket, Key=f"users/user_pseudonym={pa_}/profile.json", Body=b'{"fav":"BOS"}')
    s3.delete_object(Bucket=bucket, Key=f"users/user_pseudonym={pa_}/profile.json")
    s3.put_object(Bucket=bucket, Key=f"users/user_pseudonym={pb}/profile.json", Body=b'{"fav":"NYK"}')
    # something outside the user prefixes that must not be touched
    s3.put_object(Bucket=bucket, Key="raw/events/x.jsonl", Body=b'{"event_id":"e1"}\n')
    for p in (pa_, pb):
        for sk in ("prefs", "recent"):
            ddb.put_item(TableName=names.online_table, Item={"pk": {"S": f"user#{p}"}, "sk": {"S": sk}})
    consent.record_consent(ALICE, "2026-01", ["analytics", "personalisation"])
    consent.withdraw_consent(ALICE, ["personalisation"])
    consent.record_consent(BOB, "2026-01", ["analytics"])
    return pa_, pb


def assert_gone_and_intact(settings: Settings, pa_: str, pb: str, bob_before: list) -> None:
    names = settings.names
    everything = all_bytes(names.lake_bucket)
    for key, _vid, body in everything:
        assert pa_ not in key and pa_.encode() not in body, f"Alice left in {key}"
        assert ALICE.encode() not in body
    listing = client("s3").list_object_versions(Bucket=names.lake_bucket)
    assert not [m for m in listing.get("DeleteMarkers", []) if pa_ in m["Key"]]
    assert (
        client("dynamodb").query(
            TableName=names.online_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"user#{pa_}"}},
        )["Items"]
        == []
    )
    assert consent.get_consent(ALICE) is None
    # Bob: same current rows as before, consent and online items intact
    bob_after = []
    for key, _vid, body in everything:
        if key.endswith(".parquet"):
            bob_after += [r for r in pq.read_table(io.BytesIO(body)).to_pylist() if r["user_pseudonym"] == pb]
    assert sorted(json.dumps(r, sort_keys=True) for r in bob_after) == bob_before
    assert consent.allows(BOB, "analytics")
    assert erasure.scan(pb)["online_store"]["items"] == 2
    assert erasure.scan(pb)["lake"]["jsonl_lines"] == 1
    assert client("s3").get_object(Bucket=names.lake_bucket, Key="raw/events/x.jsonl")["Body"].read()


def bob_rows(bucket: str, pb: str) -> list[str]:
    s3, rows = client("s3"), []
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix="captures/").get("Contents", []):
        if obj["Key"].endswith(".parquet"):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            rows += [r for r in pq.read_table(io.BytesIO(body)).to_pylist() if r["user_pseudonym"] == pb]
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def test_erasure_removes_every_trace_of_one_user_and_keeps_the_other(aws: Settings) -> None:
    pa_, pb = seed(aws)
    bob_before = bob_rows(aws.names.lake_bucket, pb)
    assert erasure.scan(pa_)["lake"]["parquet_rows_in_old_versions"] == 1

    report = erasure.erase_user(ALICE, request_id="req-1")

    assert report["complete"] is True
    before, after = report["before"], report["after"]
    assert before["lake"]["parquet_rows"] == 4  # 2 in the shared file + 2 in Alice's own file
    assert before["lake"]["parquet_rows_in_old_versions"] == 1
    assert before["lake"]["jsonl_lines"] == 2
    assert before["lake"]["keyed_object_versions"] == 2  # the old version and the delete marker
    assert before["online_store"]["items"] == 2
    assert before["consent"] == {"records": 1, "history_entries": 2}
    assert all(n == 0 for store in after.values() for n in store.values())
    assert report["subject_ref"] == subject_reference(pa_)
    assert ALICE not in json.dumps(report) and pa_ not in json.dumps(report)
    stored = json.loads(
        client("s3").get_object(Bucket=aws.names.lake_bucket, Key="privacy/audit/req-1.json")["Body"].read()
    )
    assert stored["after"] == after and stored["complete"] is True
    assert_gone_and_intact(aws, pa_, pb, bob_before)
    # Bob's untouched file was not rewritten (one version only)
    versions = client("s3").list_object_versions(
        Bucket=aws.names.lake_bucket, Prefix="captures/date=2026-01-11/part-1.parquet"
    )["Versions"]
    assert len(versions) == 1


def test_erasure_is_idempotent_and_cli_prints_the_report(aws: Settings, tmp_path: Path) -> None:
    from courtside.cli import app

    pa_, pb = seed(aws)
    bob_before = bob_rows(aws.names.lake_bucket, pb)
    result = CliRunner().invoke(app, ["privacy", "erase", ALICE, "--request-id", "cli-1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["complete"] and report["report_uri"].endswith("privacy/audit/cli-1.json")
    again = erasure.erase_user(ALICE, request_id="again")
    assert again["complete"] and all(n == 0 for s in again["before"].values() for n in s.values())
    assert_gone_and_intact(aws, pa_, pb, bob_before)
