"""Outlier tests: robust z against rolling distributions and Grubbs on batches, on real game totals."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from courtside.quality.outliers import OutlierConfig, RollingScreen, grubbs, grubbs_flags, robust_z


def test_robust_z_ignores_the_outlier_it_looks_for() -> None:
    history = [100, 102, 98, 101, 99, 103, 97, 100] * 5
    assert abs(robust_z(101, history)) < 1
    assert robust_z(300, history) > 50
    assert robust_z(100, [100] * 10) == 0.0


def test_grubbs_finds_planted_outlier_and_nothing_in_normal_data() -> None:
    rng = random.Random(0)
    values = [rng.gauss(210, 15) for _ in range(200)]
    assert grubbs(values, alpha=0.001) == []
    values[17] = 420.0
    found = grubbs(values, alpha=0.001)
    assert [i for i, _, _ in found] == [17] and found[0][1] > found[0][2]


def test_rolling_screen_flags_impossible_total_on_real_games(data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    season = games[games["season"] == 2019].sort_values("date").head(400)
    screen = RollingScreen(OutlierConfig(z_threshold=6.0, min_history=50))
    flags = [f for row in season.to_dict("records") for f in screen.game_final(row, row["game_key"])]
    assert len(flags) <= 2, flags  # real games: almost nothing is extreme
    planted = screen.game_final(
        {"home_score": 240, "away_score": 230, "home_team": "BOS", "away_team": "PHI"}, "planted"
    )
    assert any(f.metric == "game_total" and f.test == "robust_z" and f.statistic > 6 for f in planted)


def test_grubbs_on_history_flags_the_famous_19_18_game(data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    s1951 = games[games["season"] == 1951]
    totals = [(r["game_key"], r["home_score"] + r["away_score"]) for r in s1951.to_dict("records")]
    flags = grubbs_flags(totals, "game_total", alpha=0.001)
    assert "19501122_FTW_at_MNL" in {f.key for f in flags}  # Pistons 19, Lakers 18


@pytest.mark.parametrize("action", ["flag", "quarantine"])
def test_config_action_is_explicit(action: str) -> None:
    assert OutlierConfig(action=action).action == action  # type: ignore[arg-type]


def test_player_lines_only_flag_impossible_values(data_dir) -> None:
    box = pd.read_parquet(data_dir / "box" / "player_box_2018-19_first300.parquet")
    box = box[box["MIN"].apply(lambda m: isinstance(m, str))]
    screen = RollingScreen()
    flags = [
        f
        for r in box.to_dict("records")
        for f in screen.player_box({"minutes": 30, "pts": r["PTS"], "reb": r["REB"], "ast": r["AST"]}, "x")
    ]
    assert flags == []  # great nights are not data errors
    planted = screen.player_box({"minutes": 30, "pts": 150, "reb": 5, "ast": 5}, "planted")
    assert [(f.metric, f.value) for f in planted] == [("player_pts", 150)] and planted[0].statistic > 5
