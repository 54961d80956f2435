"""Glue job: backfill pre-game features over the whole history into the offline and online stores.

Runs as a Glue Python-shell job in the cloud and as a plain script locally (`python -m glue.jobs.backfill_features`).
Why chunked by season with a checkpoint in the lake: a 70-season backfill that dies in season 60 resumes from the
last finished season (the checkpoint holds the LeagueBook after it), and each season's partition is written once.

Outputs:
- `s3://{lake}/features/pregame/season=YYYY/part-0.parquet`: one row per game, EXTENDED features as of before
  tip-off, the label, `features_as_of` (event time of the newest result reflected) and `event_time` (tip-off day).
- `s3://{lake}/features/team_log/season=YYYY/part-0.parquet`: the team feature log for point-in-time joins, one row
  per team per game with the values valid from `event_time` (the result's event time) on.
- `s3://{lake}/features/pregame/_checkpoint/book.json` + `state.json`: the resume point.
- the online store, seeded with the final book (`OnlineStore.write_book`), player availability states included.

Box lines (`data/box/player_minutes_2015_2019.parquet`, or `box=` given) feed the availability features: for a
game with lines, who played is its availability list and the lines update the players' state after the result.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from courtside.aws.clients import client
from courtside.config import Settings, get_settings
from courtside.features.book_io import book_from_json, book_to_json, team_log_row
from courtside.features.box_data import BoxLines, load_box_lines
from courtside.features.history import LeagueBook, pregame_rows
from courtside.teams import franchise_of

PREGAME_PREFIX = "features/pregame"
TEAM_LOG_PREFIX = "features/team_log"
CHECKPOINT_PREFIX = f"{PREGAME_PREFIX}/_checkpoint"


def _put_parquet(bucket: str, key: str, df: pd.DataFrame) -> None:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf, compression="zstd")
    client("s3").put_object(Bucket=bucket, Key=key, Body=buf.getvalue())


def _get(bucket: str, key: str) -> bytes | None:
    s3 = client("s3")
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def load_checkpoint(settings: Settings) -> tuple[int | None, LeagueBook | None]:
    """(last finished season, book after it), or (None, None) without a checkpoint."""
    bucket = settings.names.lake_bucket
    state, book = _get(bucket, f"{CHECKPOINT_PREFIX}/state.json"), _get(bucket, f"{CHECKPOINT_PREFIX}/book.json")
    if state is None or book is None:
        return None, None
    return int(json.loads(state)["last_season"]), book_from_json(book)


def _save_checkpoint(settings: Settings, season: int, book: LeagueBook) -> None:
    s3, bucket = client("s3"), settings.names.lake_bucket
    s3.put_object(Bucket=bucket, Key=f"{CHECKPOINT_PREFIX}/book.json", Body=book_to_json(book).encode())
    s3.put_object(Bucket=bucket, Key=f"{CHECKPOINT_PREFIX}/state.json", Body=json.dumps({"last_season": season}))


def season_rows(
    games: pd.DataFrame, book: LeagueBook, box: BoxLines | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(pregame rows, team log rows) of one season's games, advancing `book`."""
    rows: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []

    def log_after(row: dict[str, Any]) -> None:  # called once the generator has applied the row's result
        for code in (row["home_team"], row["away_team"]):
            log.append(team_log_row(book.teams[franchise_of(code)]))

    for row in pregame_rows(games.to_dict("records"), book, extended=True, box=box):
        if rows:
            log_after(rows[-1])
        row["event_time"] = f"{row['date']}T00:00:00Z"
        rows.append(row)
    if rows:
        log_after(rows[-1])
    return rows, log


def backfill_pregame(
    settings: Settings | None,
    games_df: pd.DataFrame,
    resume: bool = False,
    write_lake: bool = True,
    seed_online: bool = True,
    progress: bool = True,
    box: BoxLines | None = None,
) -> tuple[pd.DataFrame, LeagueBook]:
    """Backfill every season of `games_df` (any order; sorted here); returns (training rows, final book).

    With `resume`, seasons up to the lake checkpoint are skipped (their partitions are already written) and the
    returned rows cover only the seasons computed in this run. `box` defaults to the shipped box extract.
    """
    settings = settings or get_settings()
    games = games_df.copy()
    games["date"] = games["date"].astype(str).str[:10]
    games = games.sort_values(["date", "game_key"], kind="stable").reset_index(drop=True)
    box = load_box_lines(settings.data_dir, set(games["game_key"])) if box is None else box
    book, done = LeagueBook(), None
    if resume:
        done, saved = load_checkpoint(settings)
        book = saved or book
    bucket = settings.names.lake_bucket
    frames: list[pd.DataFrame] = []
    seasons = sorted(int(s) for s in games["season"].unique() if done is None or s > done)
    for season in tqdm(seasons, desc="backfill seasons", unit="season", disable=not progress, file=sys.stderr):
        rows, log = season_rows(games[games["season"] == season], book, box)
        df = pd.DataFrame(rows)
        frames.append(df)
        if write_lake:
            _put_parquet(bucket, f"{PREGAME_PREFIX}/season={season}/part-0.parquet", df)
            _put_parquet(bucket, f"{TEAM_LOG_PREFIX}/season={season}/part-0.parquet", pd.DataFrame(log))
            _save_checkpoint(settings, season, book)
    if seed_online:
        from courtside.online_store import OnlineStore

        OnlineStore(settings.names.online_table).write_book(book)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out, book


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", help="games parquet (default: the curated games in the lake's local extract)")
    parser.add_argument("--resume", action="store_true", help="continue after the lake checkpoint")
    parser.add_argument("--no-online", action="store_true", help="do not seed the online store")
    args = parser.parse_args(list(argv) if argv is not None else None)
    settings = get_settings()
    path = args.games or str(settings.data_dir / "games" / "nba_games_1947_2019.parquet")
    games = pd.read_parquet(path)
    rows, book = backfill_pregame(settings, games, resume=args.resume, seed_online=not args.no_online)
    print(json.dumps({"rows": len(rows), "teams": len(book.teams), "as_of": book.league.as_of if book.league else ""}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
