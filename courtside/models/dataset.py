"""Loading games and building the pre-game feature frame used by every training and evaluation path.

Why here: the backtest, the tests and the report all need the same frame (pregame_rows over the whole history,
so Elo has its burn-in) and the same benchmark columns joined *after* feature building, under separate names, so
they can be compared with but never enter the feature matrix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

GAMES_FILE = Path("games") / "nba_games_1947_2019.parquet"


def default_data_dir() -> Path:
    from courtside.config import get_settings

    return Path(get_settings().data_dir)


def load_games(data_dir: Path | str | None = None) -> Any:
    """Every game in time order (date, then game_key: a stable order the stream would also deliver)."""
    import pandas as pd

    path = Path(data_dir or default_data_dir()) / GAMES_FILE
    games = pd.read_parquet(path)
    return games.sort_values(["date", "game_key"], kind="mergesort").reset_index(drop=True)


@lru_cache(maxsize=4)
def _pregame_frame_cached(data_dir: str) -> Any:
    import pandas as pd

    from courtside.features.history import pregame_rows

    games = load_games(data_dir)
    rows = pd.DataFrame(list(pregame_rows(games.drop(columns=["fte_elo_prob_home"]).to_dict("records"))))
    keep = games[["game_key", "home_score", "away_score", "neutral"]].rename(columns={"neutral": "neutral_flag"})
    return rows.merge(keep, on="game_key", how="left", validate="one_to_one")


def pregame_frame(data_dir: Path | str | None = None) -> Any:
    """Pre-game features + label for every game. Benchmarks are NOT in it (see :func:`benchmarks`)."""
    return _pregame_frame_cached(str(data_dir or default_data_dir())).copy()


def benchmarks(data_dir: Path | str | None = None) -> Any:
    """game_key -> 538's published probability (``bench_fte_prob``) and the de-vigged closing line
    (``bench_market_prob``), for evaluation only."""
    from courtside.evaluation.market import market_probabilities

    d = Path(data_dir or default_data_dir())
    games = load_games(d)
    out = games[["game_key", "fte_elo_prob_home"]].rename(columns={"fte_elo_prob_home": "bench_fte_prob"})
    market = market_probabilities(games, d)
    return out.merge(market, on="game_key", how="left")
