"""Glue job: load the historical games file into the curated lake with the SAME rules as the stream.

Each row becomes the `game_final` event the stream would carry (:func:`courtside.events.game_final_event`), goes
through the same parser and stateless rules (:func:`courtside.ingest.rules.check_event`) and the same dedup by
event id; rejects get the same quarantine records as the validate function. Valid games are written as Parquet
partitioned by season, `s3://{lake}/curated/games/season=YYYY/part-0.parquet`, and registered as the Glue table
`games`. Runs locally: `python glue/jobs/load_history.py [--seasons 2015-2019] [--games PATH]`.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from courtside.errors import EventRejected  # noqa: E402
from courtside.events import game_final_event, parse_event  # noqa: E402
from courtside.ingest.quarantine import QuarantineRecord, Source, digest  # noqa: E402
from courtside.ingest.rules import check_event  # noqa: E402
from courtside.quality.outliers import grubbs_flags  # noqa: E402

# Grubbs level for a season's game totals: strict, so only games like the 19-18 of 1950 are flagged.
OUTLIER_ALPHA = 0.001

CURATED_PREFIX = "curated/games"
COLUMNS = [
    "game_key",
    "date",
    "is_playoff",
    "neutral",
    "home_team",
    "away_team",
    "home_score",
    "away_score",
    "fte_elo_prob_home",
]


@dataclass
class LoadResult:
    """Counts of one load. `in == stored + quarantined` (+ `duplicates_ignored`, byte-identical repeats)."""

    received: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicates_ignored: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    seasons: list[int] = field(default_factory=list)
    flagged: int = 0  # valid games flagged as outliers (stored, with the flag under quality/outliers/)

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def as_dict(self) -> dict[str, Any]:
        return {
            "in": self.received,
            "stored": self.stored,
            "quarantined": self.quarantined,
            "duplicates_ignored": self.duplicates_ignored,
            "by_reason": dict(sorted(self.by_reason.items())),
            "seasons": len(self.seasons),
            "flagged": self.flagged,
        }


def validate_rows(rows: Iterable[dict], source_name: str = "games") -> tuple[list[dict], list[QuarantineRecord], int]:
    """(valid rows, quarantine records, duplicates ignored) — the stream's rules, applied to a batch."""
    valid: list[dict] = []
    rejects: list[QuarantineRecord] = []
    seen: dict[str, int] = {}
    dups = 0
    for i, row in enumerate(rows):
        try:
            raw = json.dumps(game_final_event(row), separators=(",", ":")).encode()
        except (KeyError, TypeError, ValueError) as err:
            raw = json.dumps(row, default=str).encode()
            rejects.append(QuarantineRecord("missing_field", str(err)[:200], raw, Source(source_name, "batch", str(i))))
            continue
        try:
            ev = parse_event(raw)
            check_event(ev)
        except EventRejected as r:
            rejects.append(QuarantineRecord(r.reason, r.detail, raw, Source(source_name, "batch", str(i))))
            continue
        d = digest(raw)
        prev = seen.get(ev.event_id)
        if prev is not None:
            if prev == d:
                dups += 1
            else:
                rejects.append(
                    QuarantineRecord(
                        "duplicate_event_id", f"{ev.event_id} twice", raw, Source(source_name, "batch", str(i))
                    )
                )
            continue
        seen[ev.event_id] = d
        valid.append(row)
    return valid, rejects, dups


def _season_filter(spec: str | None) -> set[int] | None:
    if not spec:
        return None
    if "-" in spec:
        lo, hi = spec.split("-", 1)
        return set(range(int(lo), int(hi) + 1))
    return {int(s) for s in spec.split(",")}


def load_games(settings: Any, games_df: Any, seasons: Iterable[int] | None = None) -> LoadResult:
    """Validate `games_df` (the games file's columns) and write the curated, season-partitioned lake table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from courtside.aws.clients import client

    df = games_df
    if seasons is not None:
        df = df[df["season"].isin(list(seasons))]
    rows = df.to_dict("records")
    valid, rejects, dups = validate_rows(rows)
    names = settings.names
    s3 = client("s3")
    for q in rejects:
        s3.put_object(Bucket=names.quarantine_bucket, Key=q.key(), Body=q.to_json(), ContentType="application/json")
    by_season: dict[int, list[dict]] = {}
    for row in valid:
        by_season.setdefault(int(row["season"]), []).append(row)
    schema = pa.schema(
        [
            ("game_key", pa.string()),
            ("date", pa.date32()),
            ("is_playoff", pa.bool_()),
            ("neutral", pa.bool_()),
            ("home_team", pa.string()),
            ("away_team", pa.string()),
            ("home_score", pa.int32()),
            ("away_score", pa.int32()),
            ("fte_elo_prob_home", pa.float64()),
        ]
    )
    for season, srows in sorted(by_season.items()):
        table = pa.Table.from_pylist([{c: r.get(c) for c in COLUMNS} for r in srows], schema=schema)
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        s3.put_object(
            Bucket=names.lake_bucket, Key=f"{CURATED_PREFIX}/season={season}/part-0.parquet", Body=buf.getvalue()
        )
    register_table(settings, sorted(by_season))
    flagged = 0
    for season, srows in sorted(by_season.items()):
        flags = grubbs_flags(
            ((r["game_key"], r["home_score"] + r["away_score"]) for r in srows), "game_total", OUTLIER_ALPHA
        )
        if flags:
            flagged += len(flags)
            s3.put_object(
                Bucket=names.lake_bucket,
                Key=f"quality/outliers/games/season={season}.json",
                Body=json.dumps([f.as_dict() for f in flags]).encode(),
                ContentType="application/json",
            )
    reasons: dict[str, int] = {}
    for q in rejects:
        reasons[q.reason] = reasons.get(q.reason, 0) + 1
    return LoadResult(len(rows) - dups, len(valid), len(rejects), dups, reasons, sorted(by_season), flagged)


def register_table(settings: Any, seasons: list[int]) -> None:
    """Create or update the Glue table `games` (partitioned by season) and add the partitions written."""
    from botocore.exceptions import ClientError

    from courtside.aws.clients import client

    glue = client("glue")
    names = settings.names
    location = f"s3://{names.lake_bucket}/{CURATED_PREFIX}/"
    types = {
        "game_key": "string",
        "date": "date",
        "is_playoff": "boolean",
        "neutral": "boolean",
        "home_team": "string",
        "away_team": "string",
        "home_score": "int",
        "away_score": "int",
        "fte_elo_prob_home": "double",
    }
    storage = {
        "Columns": [{"Name": c, "Type": types[c]} for c in COLUMNS],
        "Location": location,
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    }
    table_input = {
        "Name": "games",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "StorageDescriptor": storage,
        "PartitionKeys": [{"Name": "season", "Type": "int"}],
    }
    try:
        glue.create_table(DatabaseName=names.glue_database, TableInput=table_input)
    except ClientError as err:
        if err.response["Error"]["Code"] != "AlreadyExistsException":
            raise
        glue.update_table(DatabaseName=names.glue_database, TableInput=table_input)
    parts = [
        {"Values": [str(s)], "StorageDescriptor": {**storage, "Location": f"{location}season={s}/"}} for s in seasons
    ]
    for i in range(0, len(parts), 100):
        glue.batch_create_partition(
            DatabaseName=names.glue_database, TableName="games", PartitionInputList=parts[i : i + 100]
        )  # existing partitions come back in Errors, which is fine


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import pandas as pd

    from courtside.config import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=Path, default=settings.data_dir / "games" / "nba_games_1947_2019.parquet")
    parser.add_argument("--seasons", default=None, help="e.g. 2015-2019 or 2018,2019")
    args = parser.parse_args(argv)
    result = load_games(settings, pd.read_parquet(args.games), _season_filter(args.seasons)).as_dict()
    print(json.dumps(result, sort_keys=True))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
