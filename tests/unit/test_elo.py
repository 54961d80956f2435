"""Elo numbers are pinned: extending the features must never move the ratings."""

from __future__ import annotations

import pandas as pd

from courtside.features.history import pregame_rows
from courtside.ratings.elo import win_probability


def test_brier_2015_2019_pinned(data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    rows = pd.DataFrame(pregame_rows(games.to_dict("records")))
    recent = rows[rows["season"] >= 2015]
    p = recent["elo_diff"].map(win_probability)
    assert len(recent) == 6560
    assert abs(((p - recent["home_win"]) ** 2).mean() - 0.2103) <= 0.0001
