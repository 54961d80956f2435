"""Which retrain recipe should scheduled / every-N-games retraining use? Replays 2018-19 offline (no stack): the
champion is fitted on 1985..2017-18, then every 200 games a challenger is fitted with a recipe, gated against the
champion on the newest 100 games and promoted only if it passes (courtside.continual.loop.retrain_step).

Prints the Brier of what would have been served per recipe, and its ratio to the frozen champion (the baseline,
same process, same games). `.venv/bin/python bench/continual_recipes.py` (~1 min).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from courtside.config import REPO_ROOT  # noqa: E402
from courtside.continual.gates import GateConfig  # noqa: E402
from courtside.continual.loop import predictor, retrain_step  # noqa: E402
from courtside.continual.policy import RetrainPolicy  # noqa: E402
from courtside.continual.registry_port import InMemoryRegistry  # noqa: E402
from courtside.features.history import pregame_rows  # noqa: E402
from courtside.features.pregame import FEATURE_NAMES  # noqa: E402
from courtside.models.linear import fit_logistic  # noqa: E402

EVERY = 200
RECIPES = {  # (recency half-life in games, window in games)
    "fast (alarm recipe)": (150.0, 3000),
    "stable (default)": (3000.0, 10000),
    "unweighted, all": (1e12, 40000),
}


def main() -> None:
    games = pd.read_parquet(REPO_ROOT / "data" / "games" / "nba_games_1947_2019.parquet")
    games = games[games.season >= 1977].sort_values(["date", "game_key"], kind="stable")
    rows = pd.DataFrame(pregame_rows(games.to_dict("records")))
    history = rows[(rows.season >= 1985) & (rows.season < 2019)].reset_index(drop=True)
    season = rows[rows.season == 2019].reset_index(drop=True)
    y = season.home_win.to_numpy(float)
    champion = fit_logistic(history, FEATURE_NAMES)
    frozen = float(np.mean((predictor(champion)(season) - y) ** 2))
    fte = season.merge(games[["game_key", "fte_elo_prob_home"]], on="game_key")["fte_elo_prob_home"].to_numpy()
    fte_brier = float(np.mean((fte - y) ** 2))
    print(f"2018-19, {len(season)} games: frozen champion Brier {frozen:.4f}; FiveThirtyEight {fte_brier:.4f}")
    for name, (half_life, window) in RECIPES.items():
        policy = RetrainPolicy(recency_half_life_games=half_life, train_window_games=window)
        registry = InMemoryRegistry()
        first = registry.register(champion, {}, "champion")
        registry.approve(first, "bench", "initial")
        served = np.zeros(len(season))
        promoted = 0
        for start in range(0, len(season), EVERY):
            stop = min(start + EVERY, len(season))
            current = registry.champion()
            assert current is not None
            served[start:stop] = predictor(current.model)(season.iloc[start:stop])
            seen = pd.concat([history, season.iloc[:stop]], ignore_index=True)
            promoted += retrain_step(seen, registry, policy, GateConfig(), "new_games").promoted
        brier = float(np.mean((served - y) ** 2))
        print(f"{name:22s} served Brier {brier:.4f}  ratio to frozen {brier / frozen:.4f}  promotions {promoted}")


if __name__ == "__main__":
    main()
