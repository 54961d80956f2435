"""Glue job: build the normalised relational tables (glue/sql/ddl/03_relational.sql) from games, pbp and box data.

Why a job and not views: the raw sources use different team codes and game ids (NBA.com vs basketball-reference);
harmonising them once (courtside.teams.to_bref, courtside.events.game_id_for) gives every table the same keys.
Runs locally (`python -m glue.jobs.build_relational`) against moto/AWS S3, or writes into a local directory.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from courtside.config import Settings, get_settings
from courtside.events import game_id_for
from courtside.features.arenas import arena_of
from courtside.teams import SEASONS, franchise_of, to_bref

PREFIX = "relational"


def franchises_and_teams() -> tuple[pd.DataFrame, pd.DataFrame]:
    teams = pd.DataFrame(
        [
            {
                "team_code": code,
                "franchise_id": franchise_of(code),
                "first_season": first,
                "last_season": last,
                "arena_lat": (arena_of(code) or (None, None))[0],
                "arena_lon": (arena_of(code) or (None, None))[1],
            }
            for code, (first, last) in sorted(SEASONS.items())
        ]
    )
    fr = teams.groupby("franchise_id").agg(first_season=("first_season", "min")).reset_index()
    active = teams[teams["last_season"].isna()].set_index("franchise_id")
    fr["current_code"] = fr["franchise_id"]
    fr["last_season"] = [
        None if f in active.index else teams[teams.franchise_id == f]["last_season"].max() for f in fr["franchise_id"]
    ]
    return fr[["franchise_id", "current_code", "first_season", "last_season"]], teams


def seasons_table(games: pd.DataFrame) -> pd.DataFrame:
    g = games.assign(date=games["date"].astype(str).str[:10])
    out = g.groupby("season").agg(
        first_date=("date", "min"),
        last_date=("date", "max"),
        regular_games=("is_playoff", lambda s: int((~s).sum())),
        playoff_games=("is_playoff", lambda s: int(s.sum())),
        teams=("home_team", "nunique"),
    )
    return out.reset_index()


def team_games_table(games: pd.DataFrame) -> pd.DataFrame:
    g = games.assign(date=games["date"].astype(str).str[:10])
    home = pd.DataFrame(
        {
            "game_key": g.game_key,
            "team_code": g.home_team,
            "opponent_code": g.away_team,
            "is_home": True,
            "points": g.home_score,
            "opponent_points": g.away_score,
        }
    )
    away = pd.DataFrame(
        {
            "game_key": g.game_key,
            "team_code": g.away_team,
            "opponent_code": g.home_team,
            "is_home": False,
            "points": g.away_score,
            "opponent_points": g.home_score,
        }
    )
    out = pd.concat([home, away], ignore_index=True)
    out["win"] = out["points"] > out["opponent_points"]
    meta = g.set_index("game_key")[["date", "is_playoff", "season"]]
    return out.join(meta, on="game_key").sort_values(["date", "game_key", "is_home"]).reset_index(drop=True)


def game_keys_from_index(index: pd.DataFrame) -> dict[str, str]:
    """NBA.com GAME_ID -> public game id, via the games index (date, home, away)."""
    return {
        str(r.GAME_ID).zfill(10): game_id_for(str(r.game_date), to_bref(r.away), to_bref(r.home))
        for r in index.itertuples()
    }


def player_tables(box: pd.DataFrame, keys: dict[str, str], season: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    def minutes(v: object) -> float:
        if not isinstance(v, str) or not v:
            return 0.0
        mm, _, ss = v.partition(":")
        return float(mm) + float(ss or 0) / 60.0

    pg = pd.DataFrame(
        {
            "game_key": box["GAME_ID"].astype(str).str.zfill(10).map(keys),
            "player_id": box["PLAYER_ID"].astype("int64"),
            "team_code": box["TEAM_ABBREVIATION"].map(to_bref),
            "starter": box["START_POSITION"].fillna("").astype(str).str.len() > 0,
            "minutes": box["MIN"].map(minutes),
            "pts": box["PTS"].fillna(0).astype(int),
            "reb": box["REB"].fillna(0).astype(int),
            "ast": box["AST"].fillna(0).astype(int),
            "plus_minus": box["PLUS_MINUS"].fillna(0).astype(int),
            "season": season,
        }
    ).dropna(subset=["game_key"])
    pg["date"] = pg["game_key"].str[:8]
    players = (
        box.assign(date=pg["date"])
        .groupby("PLAYER_ID")
        .agg(player_name=("PLAYER_NAME", "last"), first_game_date=("date", "min"), last_game_date=("date", "max"))
        .reset_index()
        .rename(columns={"PLAYER_ID": "player_id"})
    )
    return players, pg.drop(columns=["date"])


def pbp_table(pbp: pd.DataFrame, keys: dict[str, str], season: int) -> pd.DataFrame:
    clock = pbp["PCTIMESTRING"].astype(str).str.split(":", expand=True)
    score = pbp["SCORE"].astype("string").str.split(" - ", expand=True)
    return pd.DataFrame(
        {
            "game_key": pbp["GAME_ID"].astype(str).str.zfill(10).map(keys),
            "event_num": pbp["EVENTNUM"].astype(int),
            "period": pbp["PERIOD"].astype(int),
            "clock_seconds": clock[0].astype(float) * 60 + clock[1].astype(float),
            "event_code": pbp["EVENTMSGTYPE"].astype(int),
            "action_code": pbp["EVENTMSGACTIONTYPE"].astype(int),
            "home_score": pd.to_numeric(score[1], errors="coerce").astype("Int64"),
            "away_score": pd.to_numeric(score[0], errors="coerce").astype("Int64"),
            "team_code": pbp["PLAYER1_TEAM_ABBREVIATION"].map(lambda v: to_bref(v) if isinstance(v, str) else None),
            "player1_id": pbp["PLAYER1_ID"].astype("int64"),
            "season": season,
        }
    ).dropna(subset=["game_key"])


def build_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every relational table from the repository's data extract (games; pbp + box of the first 300 games)."""
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    fr, teams = franchises_and_teams()
    tables = {"franchises": fr, "teams": teams, "seasons": seasons_table(games), "team_games": team_games_table(games)}
    index = pd.read_csv(next((data_dir / "pbp").glob("games_index_*.csv")), dtype={"GAME_ID": str})
    keys = game_keys_from_index(index)
    box = pd.read_parquet(next((data_dir / "box").glob("player_box_*.parquet")))
    tables["players"], tables["player_games"] = player_tables(box, keys, 2019)
    tables["pbp_events"] = pbp_table(pd.read_parquet(next((data_dir / "pbp").glob("pbp_*.parquet"))), keys, 2019)
    return tables


def write_tables(
    tables: dict[str, pd.DataFrame], settings: Settings | None = None, out_dir: Path | None = None
) -> None:
    """Write each table under `relational/<name>/` (partitioned by season when it has one) to S3 or `out_dir`."""
    from courtside.aws.clients import client

    for name, df in tables.items():
        parts = df.groupby("season") if "season" in df.columns and name != "seasons" else [(None, df)]
        for season, part in parts:
            key = f"{PREFIX}/{name}/" + (f"season={season}/" if season is not None else "") + "part-0.parquet"
            buf = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(part.reset_index(drop=True), preserve_index=False), buf)
            if out_dir is not None:
                path = out_dir / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(buf.getvalue())
            else:
                s = settings or get_settings()
                client("s3").put_object(Bucket=s.names.lake_bucket, Key=key, Body=buf.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, help="write into this directory instead of the S3 lake")
    args = parser.parse_args(list(argv) if argv is not None else None)
    settings = get_settings()
    tables = build_tables(settings.data_dir)
    write_tables(tables, settings, args.out_dir)
    print({k: len(v) for k, v in tables.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
