"""Play-by-play files into the lake (``s3://{lake}/raw/pbp/``), where the in-game training pipeline reads them.

Why a command and not ``aws s3 sync``: a file the training step could not read (a missing column, an index that does
not name its games) would fail a SageMaker job minutes in; here it is refused before anything is written, with the
file and what it lacks. The layout is the one ``courtside models train-live --pbp-dir`` reads: ``pbp_<season>.parquet``
per season and one ``games_index_*.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from courtside.aws.s3io import put_bytes
from courtside.models.ingame_states import PBP_COLUMNS

PBP_PREFIX = "raw/pbp/"
INDEX_COLUMNS = ("GAME_ID", "game_date", "home", "away", "home_pts", "away_pts")


class PbpFileError(ValueError):
    """A play-by-play file the in-game training step could not read."""


def check_pbp_dir(pbp_dir: Path, seasons: Sequence[str] | None = None) -> list[Path]:
    """The files to upload (season files, then the games index), each checked for the columns training reads."""
    import pandas as pd
    import pyarrow.parquet as pq

    pbp_dir = Path(pbp_dir)
    season_files = [pbp_dir / f"pbp_{s}.parquet" for s in seasons] if seasons else sorted(pbp_dir.glob("pbp_*.parquet"))
    indexes = sorted(pbp_dir.glob("games_index_*.csv"))
    if not season_files or len(indexes) != 1:
        raise PbpFileError(
            f"{pbp_dir}: expected pbp_<season>.parquet files and one games_index_*.csv, found "
            f"{len(season_files)} and {len(indexes)}"
        )
    for f in season_files:
        if not f.exists():
            raise PbpFileError(f"{f}: no such file")
        missing = sorted(set(PBP_COLUMNS) - set(pq.read_schema(f).names))
        if missing:
            raise PbpFileError(f"{f}: missing columns {missing}")
    header = pd.read_csv(indexes[0], nrows=0).columns
    missing = sorted(set(INDEX_COLUMNS) - set(header))
    if missing:
        raise PbpFileError(f"{indexes[0]}: missing columns {missing}")
    return [*season_files, indexes[0]]


def upload_pbp(pbp_dir: Path, bucket: str, seasons: Sequence[str] | None = None) -> list[str]:
    """Check every file, then write them under ``raw/pbp/`` of `bucket`; returns the keys written."""
    files = check_pbp_dir(pbp_dir, seasons)
    keys = []
    for f in files:
        key = PBP_PREFIX + f.name
        put_bytes(bucket, key, f.read_bytes(), "text/csv" if f.suffix == ".csv" else "application/octet-stream")
        keys.append(key)
    return keys
