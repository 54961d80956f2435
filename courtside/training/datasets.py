"""Dataset versions: a training set materialised once in the lake, named by the hash of its content.

Layout: `s3://{lake}/datasets/<name>/<version>/data.parquet` + `manifest.json`.

The version id is the first 16 hex digits of `content_hash`, the SHA-256 of a canonical serialisation that does not
depend on the Parquet writer: the schema (column names and Arrow types, in order) followed by the rows in canonical
order (date, game_key) as CSV with floats in shortest round-trip repr. So the same id always means the same values,
and changing one byte of the data changes the id. The Parquet file is written with pyarrow without pandas metadata
or timestamps; its own SHA-256 and the S3 object versions (the lake bucket is versioned) are recorded in the manifest
and verified on download.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from courtside.aws.clients import client
from courtside.training.core import canonical_order

DEFAULT_NAME = "pregame"
VERSION_CHARS = 16


@dataclass
class DatasetManifest:
    name: str
    version: str
    content_hash: str
    schema_hash: str
    parquet_sha256: str
    row_count: int
    columns: list[str]
    seasons: list[int]
    source_partitions: list[str] = field(default_factory=list)
    source_object_versions: dict[str, str] = field(default_factory=dict)
    s3_uri: str = ""
    data_object_version: str | None = None
    manifest_format: str = "courtside-dataset-v1"

    @property
    def data_uri(self) -> str:
        return f"{self.s3_uri}data.parquet"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> DatasetManifest:
        return cls(**json.loads(text))


def _table(df: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(canonical_order(df), preserve_index=False)
    return table.replace_schema_metadata(None)


def schema_hash(table: pa.Table) -> str:
    schema = [[f.name, str(f.type)] for f in table.schema]
    return hashlib.sha256(json.dumps(schema).encode()).hexdigest()


def content_hash(df: pd.DataFrame) -> str:
    """SHA-256 of (schema, canonical CSV of the canonically ordered rows)."""
    table = _table(df)
    data = canonical_order(df)
    buf = io.StringIO()
    data.to_csv(buf, index=False, lineterminator="\n", float_format=None)
    h = hashlib.sha256()
    h.update(schema_hash(table).encode())
    h.update(b"\n")
    h.update(buf.getvalue().encode())
    return h.hexdigest()


def version_of(df: pd.DataFrame) -> str:
    return content_hash(df)[:VERSION_CHARS]


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic Parquet bytes (no pandas metadata, fixed writer options)."""
    buf = io.BytesIO()
    pq.write_table(_table(df), buf, compression="zstd", use_dictionary=False, write_statistics=True)
    return buf.getvalue()


def prefix(name: str, version: str) -> str:
    return f"datasets/{name}/{version}/"


def materialise(
    df: pd.DataFrame,
    bucket: str,
    name: str = DEFAULT_NAME,
    source_partitions: Sequence[str] = (),
    source_object_versions: dict[str, str] | None = None,
    local_dir: Path | None = None,
) -> DatasetManifest:
    """Write `df` as a dataset version to `s3://bucket/datasets/<name>/<version>/` (idempotent) and optionally
    to `local_dir/data.parquet`; returns the manifest."""
    data = canonical_order(df)
    chash = content_hash(data)
    version = chash[:VERSION_CHARS]
    body = parquet_bytes(data)
    key_prefix = prefix(name, version)
    s3 = client("s3")
    existing = _read_manifest(bucket, key_prefix)
    if existing is not None and existing.content_hash == chash:
        manifest = existing
    else:
        put = s3.put_object(Bucket=bucket, Key=key_prefix + "data.parquet", Body=body)
        seasons = sorted(int(s) for s in data["season"].unique()) if "season" in data else []
        manifest = DatasetManifest(
            name=name,
            version=version,
            content_hash=chash,
            schema_hash=schema_hash(_table(data)),
            parquet_sha256=hashlib.sha256(body).hexdigest(),
            row_count=len(data),
            columns=list(data.columns),
            seasons=[seasons[0], seasons[-1]] if seasons else [],
            source_partitions=list(source_partitions),
            source_object_versions=dict(source_object_versions or {}),
            s3_uri=f"s3://{bucket}/{key_prefix}",
            data_object_version=put.get("VersionId"),
        )
        s3.put_object(Bucket=bucket, Key=key_prefix + "manifest.json", Body=manifest.to_json().encode())
    if local_dir is not None:
        local_dir.mkdir(parents=True, exist_ok=True)
        (local_dir / "data.parquet").write_bytes(body)
    return manifest


def _read_manifest(bucket: str, key_prefix: str) -> DatasetManifest | None:
    from botocore.exceptions import ClientError

    try:
        body = client("s3").get_object(Bucket=bucket, Key=key_prefix + "manifest.json")["Body"].read()
    except ClientError as err:
        if err.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            return None
        raise
    return DatasetManifest.from_json(body)


class DatasetIntegrityError(RuntimeError):
    pass


def load(bucket: str, version: str, name: str = DEFAULT_NAME, local_dir: Path | None = None) -> pd.DataFrame:
    """Download a dataset version and verify it: Parquet SHA-256 and content hash must match the manifest."""
    manifest = _read_manifest(bucket, prefix(name, version))
    if manifest is None:
        raise FileNotFoundError(f"dataset {name}/{version} not found in s3://{bucket}/datasets/")
    get: dict[str, Any] = {"Bucket": bucket, "Key": prefix(name, version) + "data.parquet"}
    if manifest.data_object_version:
        get["VersionId"] = manifest.data_object_version
    body = client("s3").get_object(**get)["Body"].read()
    if hashlib.sha256(body).hexdigest() != manifest.parquet_sha256:
        raise DatasetIntegrityError(f"dataset {name}/{version}: data.parquet does not match its manifest hash")
    df = pq.read_table(io.BytesIO(body)).to_pandas()
    if content_hash(df) != manifest.content_hash or version != manifest.content_hash[:VERSION_CHARS]:
        raise DatasetIntegrityError(f"dataset {name}/{version}: content hash mismatch")
    if local_dir is not None:
        local_dir.mkdir(parents=True, exist_ok=True)
        (local_dir / "data.parquet").write_bytes(body)
    return df


def manifest(bucket: str, version: str, name: str = DEFAULT_NAME) -> DatasetManifest:
    m = _read_manifest(bucket, prefix(name, version))
    if m is None:
        raise FileNotFoundError(f"dataset {name}/{version} not found")
    return m
