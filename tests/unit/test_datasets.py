"""Dataset versions: content-addressed ids, deterministic bytes, integrity checks on download."""

from __future__ import annotations

import pandas as pd
import pytest

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training import datasets


def _rows(n: int = 50) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "game_key": [f"2018010{i % 9}_AAA_at_B{i:02d}" for i in range(n)],
            "date": [f"2018-01-0{i % 9 + 1}" for i in range(n)],
            "season": [2018] * n,
            "elo_diff": [i * 1.5 + 0.1 for i in range(n)],
            "home_win": [i % 2 for i in range(n)],
        }
    )


def test_version_is_content_hash_and_order_independent() -> None:
    df = _rows()
    assert datasets.version_of(df) == datasets.version_of(df.sample(frac=1.0, random_state=3))
    assert len(datasets.version_of(df)) == datasets.VERSION_CHARS
    assert datasets.parquet_bytes(df) == datasets.parquet_bytes(df.sample(frac=1.0, random_state=4))


def test_changing_one_byte_changes_the_version() -> None:
    df = _rows()
    changed = df.copy()
    changed.loc[7, "game_key"] = changed.loc[7, "game_key"][:-1] + "X"  # one character of one cell
    assert datasets.version_of(changed) != datasets.version_of(df)
    nudged = df.copy()
    nudged.loc[3, "elo_diff"] = float.fromhex(float(nudged.loc[3, "elo_diff"]).hex()[:-1] + "1")  # last mantissa bit
    assert nudged.loc[3, "elo_diff"] != df.loc[3, "elo_diff"]
    assert datasets.version_of(nudged) != datasets.version_of(df)
    retyped = df.astype({"season": "int32"})  # same values, different schema
    assert datasets.version_of(retyped) != datasets.version_of(df)


def test_materialise_and_load_round_trip(aws: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bucket = aws.names.lake_bucket
    df = _rows()
    m = datasets.materialise(df, bucket, source_partitions=["s3://x/season=2018/"], local_dir=tmp_path)
    assert m.s3_uri == f"s3://{bucket}/datasets/pregame/{m.version}/" and m.row_count == 50
    assert m.data_object_version and (tmp_path / "data.parquet").exists()
    assert datasets.materialise(df, bucket).data_object_version == m.data_object_version  # idempotent
    back = datasets.load(bucket, m.version)
    assert datasets.content_hash(back) == m.content_hash
    assert datasets.manifest(bucket, m.version).source_partitions == ["s3://x/season=2018/"]

    # tampering with the stored bytes (a new object version) is detected on download
    client("s3").put_object(Bucket=bucket, Key=f"datasets/pregame/{m.version}/data.parquet", Body=b"junk")
    back_pinned = datasets.load(bucket, m.version)  # pinned to the recorded object version: still the original
    assert datasets.content_hash(back_pinned) == m.content_hash
    manifest = datasets.manifest(bucket, m.version)
    manifest.data_object_version = None
    client("s3").put_object(
        Bucket=bucket, Key=f"datasets/pregame/{m.version}/manifest.json", Body=manifest.to_json().encode()
    )
    with pytest.raises(datasets.DatasetIntegrityError):
        datasets.load(bucket, m.version)
    with pytest.raises(FileNotFoundError):
        datasets.load(bucket, "0" * 16)
