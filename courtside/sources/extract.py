"""Read the repository extract (or the shared full files) and yield events game by game, in stream order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from courtside.sources.nba_stats import GameRef, game_events, normalise_nba_game_id


def iter_game_events(
    data_dir: Path,
    season: int | None = None,
    games: int | None = None,
    pbp_path: Path | None = None,
    box_path: Path | None = None,
    index_path: Path | None = None,
    details_through: str | None = None,
) -> Iterator[tuple[GameRef, list[tuple[float, dict]]]]:
    """(game, [(game-seconds, event), ...]) for each game of the games index, in date order.

    `details_through` (an ISO date) keeps the play-by-play and box lines of the games up to that date only; later
    games get just their schedule and final (a season's results with a bounded number of events).
    """
    import pandas as pd

    pbp_path = pbp_path or data_dir / "pbp" / "pbp_2018-19_first300.parquet"
    box_path = box_path or data_dir / "box" / "player_box_2018-19_first300.parquet"
    index_path = index_path or data_dir / "pbp" / "games_index_2018-19_first300.csv"
    index = pd.read_csv(index_path).dropna(subset=["game_date"])  # the full index has undated preseason games
    if season is not None:
        index = index[index["season_end"] == season]
    index = index.sort_values(["game_date", "GAME_ID"])
    if games is not None:
        index = index.head(games)
    wanted = {normalise_nba_game_id(g) for g in index["GAME_ID"]}
    if details_through is not None:
        detailed = index[index["game_date"].astype(str).str[:10] <= details_through]
        wanted = {normalise_nba_game_id(g) for g in detailed["GAME_ID"]}
    pbp = pd.read_parquet(pbp_path)
    pbp = pbp[pbp["GAME_ID"].isin(wanted)]
    box = pd.read_parquet(box_path) if Path(box_path).exists() else pd.DataFrame(columns=["GAME_ID"])
    box = box[box["GAME_ID"].isin(wanted)]
    pbp_by = {k: v.to_dict("records") for k, v in pbp.groupby("GAME_ID", sort=False)}
    box_by = {k: v.to_dict("records") for k, v in box.groupby("GAME_ID", sort=False)}
    for row in index.to_dict("records"):
        g = GameRef(row)
        yield g, list(game_events(g, pbp_by.get(g.nba_game_id, []), box_by.get(g.nba_game_id, [])))
