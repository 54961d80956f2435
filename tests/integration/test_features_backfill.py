"""Backfill job against moto: partitions, checkpoint/resume, online seed."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow.parquet as pq

from courtside.aws.clients import client
from courtside.features.history import pregame_rows
from courtside.online_store import OnlineStore
from glue.jobs.backfill_features import backfill_pregame, load_checkpoint


def test_backfill_partitions_resume_and_seed(aws, data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[games["season"] <= 1951]
    first, book1 = backfill_pregame(aws, games[games["season"] <= 1949], progress=False)
    assert load_checkpoint(aws)[0] == 1949
    rest, book = backfill_pregame(aws, games, resume=True, progress=False)
    assert sorted(rest["season"].unique()) == [1950, 1951]
    expected = pd.DataFrame(pregame_rows(games.sort_values(["date", "game_key"]).to_dict("records"), extended=True))
    got = pd.concat([first, rest], ignore_index=True)
    pd.testing.assert_frame_equal(got[expected.columns], expected)
    body = client("s3").get_object(Bucket=aws.names.lake_bucket, Key="features/pregame/season=1951/part-0.parquet")
    part = pq.read_table(io.BytesIO(body["Body"].read())).to_pandas()
    assert len(part) == (games["season"] == 1951).sum() and "features_as_of" in part
    assert OnlineStore().read_book().teams == book.teams


def test_sql_over_the_moto_lake(aws, data_dir, tmp_path, monkeypatch) -> None:
    from courtside.config import REPO_ROOT
    from courtside.sql import run_sql_file

    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    backfill_pregame(aws, games[games["season"] <= 1950], progress=False, seed_online=False)
    settings = aws.model_copy(update={"state_dir": tmp_path})
    rows = run_sql_file(REPO_ROOT / "glue/sql/examples/top_elo_teams.sql", settings)
    assert len(rows) == 10 and {r["season"] for r in rows} == {1950}
