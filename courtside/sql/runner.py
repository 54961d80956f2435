"""Run glue/sql on DuckDB over the lake: external tables become views over a local Parquet cache.

Why a local cache instead of httpfs: the DuckDB build here has no httpfs offline, and moto's S3 is reached through
boto3 anyway. Objects are copied once per (key, size, ETag) into `state_dir/lake_cache`; a `LOCATION` that is a
local directory is read in place. Hive partitions (`season=YYYY/`) come back as columns, as on Athena.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from courtside.config import REPO_ROOT, Settings, get_settings
from courtside.sql.dialect import athena_to_duckdb, external_table, split_statements

SQL_ROOT = REPO_ROOT / "glue" / "sql"
DDL_DIRS = ("ddl", "views")  # executed in this order: tables first, then the views built on them


def cache_prefix(settings: Settings, prefix: str, cache_root: Path | None = None) -> Path:
    """Mirror `s3://{lake}/{prefix}/` into the local cache; returns the local directory (maybe empty)."""
    from courtside.aws.clients import client

    root = (cache_root or settings.state_dir / "lake_cache") / prefix
    root.mkdir(parents=True, exist_ok=True)
    s3 = client("s3")
    listed: set[Path] = set()
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.names.lake_bucket, Prefix=prefix + "/")
        for page in pages:
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith(".parquet"):
                    continue
                local = root / obj["Key"][len(prefix) + 1 :]
                listed.add(local)
                stamp = local.with_suffix(".etag")
                tag = f"{obj['Size']}:{obj.get('ETag', '')}"
                if local.exists() and stamp.exists() and stamp.read_text() == tag:
                    continue
                local.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(settings.names.lake_bucket, obj["Key"], str(local))
                stamp.write_text(tag)
    except Exception as err:  # noqa: BLE001 - no lake reachable: the table is simply empty locally
        if "NoSuchBucket" not in str(err) and "Could not connect" not in str(err):
            raise
        return root
    for stale in root.rglob("*.parquet"):  # objects deleted from the lake must disappear from the cache too
        if stale not in listed:
            stale.unlink()
            stale.with_suffix(".etag").unlink(missing_ok=True)
    return root


def _register(con: duckdb.DuckDBPyConnection, name: str, directory: Path) -> None:
    files = list(directory.rglob("*.parquet"))
    if files:
        glob = str(directory / "**" / "*.parquet")
        con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{glob}', hive_partitioning=true, "
            "union_by_name=true)"
        )


def connect(
    settings: Settings | None = None, local_lake: Path | None = None, sql_root: Path = SQL_ROOT
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every lake table of glue/sql/ddl and every view of glue/sql/views defined.

    `local_lake`: read table locations under this directory instead of S3 (tests, offline analysis).
    """
    settings = settings or get_settings()
    con = duckdb.connect()
    for sub in DDL_DIRS:
        for path in sorted((sql_root / sub).glob("*.sql")):
            for stmt in split_statements(path.read_text()):
                ext = external_table(stmt)
                if ext:
                    name, prefix = ext
                    where = local_lake / prefix if local_lake else cache_prefix(settings, prefix)
                    if where.exists():
                        _register(con, name, where)
                    continue
                try:
                    con.execute(athena_to_duckdb(stmt))
                except duckdb.CatalogException:
                    continue  # a view over a table this lake does not hold yet
    return con


def run_sql(
    sql: str, settings: Settings | None = None, local_lake: Path | None = None, con: Any = None
) -> list[dict[str, Any]]:
    """Run one or more statements; returns the rows of the last one as dicts."""
    con = con or connect(settings, local_lake)
    rows: list[dict[str, Any]] = []
    for stmt in split_statements(sql):
        cur = con.execute(athena_to_duckdb(stmt))
        if cur.description:
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return rows


def run_sql_file(path: str | Path, settings: Settings | None = None, local_lake: Path | None = None) -> list[dict]:
    """Run an analyst SQL file (e.g. glue/sql/examples/*.sql) locally; rows of its last statement."""
    return run_sql(Path(path).read_text(), settings, local_lake)
