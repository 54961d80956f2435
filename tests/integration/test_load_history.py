"""The historical load applies the stream's rules and writes a season-partitioned, catalogued lake table."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pyarrow.parquet as pq

from courtside.aws.clients import client
from courtside.config import REPO_ROOT, Settings

sys.path.insert(0, str(REPO_ROOT))
from glue.jobs.load_history import load_games  # noqa: E402


def test_load_games_validates_and_partitions(aws: Settings, data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[games["season"].isin([2018, 2019])].copy()
    bad = games.head(3).copy()
    bad.loc[bad.index[0], "home_team"] = "XYZ"  # unknown team (and disagrees with game_key)
    bad.loc[bad.index[1], "home_score"] = -5  # negative score
    bad.loc[bad.index[2], "game_key"] = "2017-10-17 BOS at CLE"  # malformed id
    frame = pd.concat([games, bad, games.head(2)])  # the last two are exact repeats
    result = load_games(aws, frame)
    assert result["in"] == result["stored"] + result["quarantined"]
    assert result["stored"] == len(games) and result["quarantined"] == 3
    assert result.duplicates_ignored == 2
    assert result.by_reason == {"bad_game_id": 1, "negative_score": 1, "unknown_team": 1}

    s3 = client("s3")
    body = s3.get_object(Bucket=aws.names.lake_bucket, Key="curated/games/season=2019/part-0.parquet")["Body"].read()
    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == (games["season"] == 2019).sum()
    assert "fte_elo_prob_home" in table.column_names and "season" not in table.column_names
    q = s3.list_objects_v2(Bucket=aws.names.quarantine_bucket)["Contents"]
    assert len(q) == 3
    glue = client("glue")
    t = glue.get_table(DatabaseName=aws.names.glue_database, Name="games")["Table"]
    assert t["PartitionKeys"] == [{"Name": "season", "Type": "int"}]
    parts = glue.get_partitions(DatabaseName=aws.names.glue_database, TableName="games")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["2018", "2019"]


def test_full_history_load_flags_outliers(aws: Settings, data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    result = load_games(aws, games, seasons=[1951, 1973])
    assert result["in"] == result["stored"] + result["quarantined"]
    assert result.flagged >= 1
    body = client("s3").get_object(Bucket=aws.names.lake_bucket, Key="quality/outliers/games/season=1951.json")
    import json

    flags = json.loads(body["Body"].read())
    assert any(f["key"] == "19501122_FTW_at_MNL" and f["test"] == "grubbs" for f in flags)
