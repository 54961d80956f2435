"""Analyst SQL: dialect shim, DDL parsing, examples and views on DuckDB over a local lake."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from courtside.config import REPO_ROOT
from courtside.features.book_io import team_log_row
from courtside.features.history import LeagueBook, pregame_rows
from courtside.sql import run_sql, run_sql_file
from courtside.sql.dialect import athena_to_duckdb, external_table, split_statements
from glue.jobs.build_relational import build_tables, write_tables


def test_dialect_rewrites() -> None:
    assert athena_to_duckdb("SELECT approx_percentile(x, 0.5) FROM courtside.games") == (
        "SELECT approx_quantile(x, 0.5) FROM games"
    )
    assert athena_to_duckdb("SELECT from_iso8601_timestamp(t)") == "SELECT CAST(t AS TIMESTAMP)"
    assert split_statements("SELECT ';' AS a; -- c;\nSELECT 2;") == ["SELECT ';' AS a", "SELECT 2"]
    ddl = "CREATE EXTERNAL TABLE IF NOT EXISTS courtside.games (a int) LOCATION 's3://${lake}/curated/games/'"
    assert external_table(ddl) == ("games", "curated/games")


@pytest.fixture(scope="module")
def lake(tmp_path_factory, data_dir=REPO_ROOT / "data") -> Path:
    root = tmp_path_factory.mktemp("lake")
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[games["season"] >= 2017].copy()
    games["date"] = games["date"].astype(str).str[:10]
    for season, part in games.groupby("season"):
        (root / f"curated/games/season={season}").mkdir(parents=True)
        part.to_parquet(root / f"curated/games/season={season}/part-0.parquet", index=False)
    book = LeagueBook()
    rows, log = [], []
    for row in pregame_rows(games.to_dict("records"), book, extended=True):
        rows.append(row)
    for state in book.teams.values():
        log.append(team_log_row(state))
    (root / "features/pregame/season=2019").mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(root / "features/pregame/season=2019/part-0.parquet", index=False)
    (root / "features/team_log/season=2019").mkdir(parents=True)
    pd.DataFrame(log).to_parquet(root / "features/team_log/season=2019/part-0.parquet", index=False)
    write_tables(build_tables(data_dir), out_dir=root)
    return root


def test_home_win_rate_example(lake: Path) -> None:
    rows = run_sql_file(REPO_ROOT / "glue/sql/examples/home_win_rate_by_season.sql", local_lake=lake)
    assert [r["season"] for r in rows] == [2017, 2018, 2019]
    assert all(0.5 < r["home_win_rate"] < 0.65 for r in rows)


def test_top_elo_example(lake: Path) -> None:
    rows = run_sql_file(REPO_ROOT / "glue/sql/examples/top_elo_teams.sql", local_lake=lake)
    assert len(rows) == 10 and rows[0]["elo"] >= rows[-1]["elo"]


def test_views_and_relational_keys(lake: Path) -> None:
    one = run_sql("SELECT COUNT(*) AS n, COUNT(elo_diff) AS f FROM v_games_pregame", local_lake=lake)[0]
    assert one["n"] == one["f"] > 3000
    orphans = run_sql(
        "SELECT COUNT(*) AS n FROM team_games tg LEFT JOIN teams t ON t.team_code = tg.team_code "
        "WHERE t.team_code IS NULL",
        local_lake=lake,
    )
    assert orphans == [{"n": 0}]
    pbp = run_sql("SELECT COUNT(DISTINCT game_key) AS g FROM pbp_events", local_lake=lake)[0]
    assert pbp["g"] == 300
