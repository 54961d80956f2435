"""`courtside ingest load-pbp`: play-by-play files into s3://{lake}/raw/pbp/, checked first (a file the in-game
training step could not read is refused with a machine-readable error, and nothing is written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from courtside.aws.s3io import list_keys
from courtside.cli import app
from courtside.config import Settings


def test_load_pbp_writes_the_layout_train_live_reads(aws: Settings, data_dir: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", "load-pbp", "--pbp-dir", str(data_dir / "pbp")])
    assert res.exit_code == 0, res.output
    keys = json.loads(res.stdout)["uploaded"]
    assert keys == ["raw/pbp/pbp_2018-19_first300.parquet", "raw/pbp/games_index_2018-19_first300.csv"]
    assert sorted(list_keys(aws.names.lake_bucket, "raw/pbp/")) == sorted(keys)


def test_a_file_missing_a_column_is_refused_and_nothing_is_written(aws: Settings, data_dir: Path, tmp_path: Path):
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    pbp.drop(columns=["PCTIMESTRING"]).to_parquet(tmp_path / "pbp_2018-19.parquet")
    shutil.copy(data_dir / "pbp" / "games_index_2018-19_first300.csv", tmp_path / "games_index_2018-19.csv")
    res = CliRunner().invoke(app, ["ingest", "load-pbp", "--pbp-dir", str(tmp_path)])
    assert res.exit_code == 2
    err = json.loads(res.stderr)
    assert err["error"] == "bad_pbp_file" and "missing columns ['PCTIMESTRING']" in err["detail"]
    assert list(list_keys(aws.names.lake_bucket, "raw/pbp/")) == []
    res = CliRunner().invoke(app, ["ingest", "load-pbp", "--pbp-dir", str(tmp_path), "--seasons", "2016-17"])
    assert res.exit_code == 2 and "no such file" in json.loads(res.stderr)["detail"]
