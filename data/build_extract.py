"""Rebuild the attributed extract in data/ from the full shared data set (../shared/data).

Kept in the repository so anyone can see exactly how the extract was cut: the full games history (needed for
ratings), the full sportsbook lines file (the evaluation yardstick), and play-by-play plus box scores of the first
300 regular-season games of 2018-19 (enough for the live-feature demo and the tests), and the minutes of every
player in every 2015-16..2018-19 regular-season and playoff game (`box/player_minutes_2015_2019.parquet`, ~0.3 MB:
game_key, team, player_id, minutes), from which the pre-game player availability features are backfilled.
Usage: python data/build_extract.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
N_PBP_GAMES = 300


def main(src: Path) -> None:
    (HERE / "games").mkdir(exist_ok=True)
    (HERE / "pbp").mkdir(exist_ok=True)
    (HERE / "box").mkdir(exist_ok=True)
    (HERE / "lines").mkdir(exist_ok=True)
    shutil.copyfile(src / "games/nba_games_1947_2019.parquet", HERE / "games/nba_games_1947_2019.parquet")
    shutil.copyfile(
        src / "lines/sbr_moneyline_by_book_2014_2019.csv.gz", HERE / "lines/sbr_moneyline_by_book_2014_2019.csv.gz"
    )
    index = pd.read_csv(src / "pbp/games_index_2015_2019.csv", dtype={"GAME_ID": str})
    index["GAME_ID"] = index["GAME_ID"].str.zfill(10)
    pbp = pd.read_parquet(src / "pbp/pbp_2018-19.parquet")
    regular = pbp[pbp["GAME_ID"].str.startswith("002")]
    game_ids = sorted(regular["GAME_ID"].unique())[:N_PBP_GAMES]
    keep = set(game_ids)
    regular[regular["GAME_ID"].isin(keep)].to_parquet(
        HERE / "pbp/pbp_2018-19_first300.parquet", compression="zstd", index=False
    )
    index[index["GAME_ID"].isin(keep)].to_csv(HERE / "pbp/games_index_2018-19_first300.csv", index=False)
    box = pd.read_parquet(src / "box/player_box_2015_2019.parquet")
    box[box["GAME_ID"].isin(keep)].to_parquet(
        HERE / "box/player_box_2018-19_first300.parquet", compression="zstd", index=False
    )
    player_minutes(src).to_parquet(HERE / "box/player_minutes_2015_2019.parquet", compression="zstd", index=False)


def player_minutes(src: Path) -> pd.DataFrame:
    """Minutes per player per game (games-file game keys, bref team codes), only games also in the games file."""
    sys.path.insert(0, str(HERE.parent))
    from courtside.models.player_ratings import load_box

    box = load_box(src / "box/player_box_2015_2019.parquet", src / "pbp/games_index_2015_2019.csv")
    games = pd.read_parquet(src / "games/nba_games_1947_2019.parquet", columns=["game_key"])
    box = box[box["game_key"].isin(set(games["game_key"]))]
    out = box[["game_key", "team", "PLAYER_ID", "minutes"]].rename(columns={"PLAYER_ID": "player_id"})
    out = out.assign(player_id=out["player_id"].astype("int64"), minutes=out["minutes"].round(2))
    return out.sort_values(["game_key", "team", "player_id"], kind="mergesort").reset_index(drop=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data")
