"""Training test data shared by the training tests of one worker: built once, not once per test.

Why a cache and not a session fixture: the training tests live in several modules and each resets moto per test;
the pre-game rows are pure functions of the shipped games file, so one process-wide build is safe.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from courtside.config import REPO_ROOT

GAMES_FILE = REPO_ROOT / "data" / "games" / "nba_games_1947_2019.parquet"
FIRST_SEASON = 2012  # 8 seasons (~10k games): enough for a stable fit, seconds to build


@lru_cache(maxsize=1)
def recent_games() -> pd.DataFrame:
    """Seasons FIRST_SEASON..2019 of the shipped games file (callers must not mutate it)."""
    games = pd.read_parquet(GAMES_FILE)
    return games[games["season"] >= FIRST_SEASON].reset_index(drop=True)


@lru_cache(maxsize=1)
def recent_training_set() -> pd.DataFrame:
    """The pre-game training rows of `recent_games()`, as `courtside train` builds them."""
    from courtside.training.flow import build_training_set

    return build_training_set(recent_games())


@lru_cache(maxsize=1)
def _mlflow_template() -> Path:
    """An empty MLflow SQLite store with its schema migrated (alembic takes seconds per new database)."""
    from courtside.training import tracking

    root = Path(tempfile.mkdtemp(prefix="courtside-mlflow-template-"))
    atexit.register(shutil.rmtree, root, True)
    tracking.mlflow_client(f"sqlite:///{root / 'mlflow.db'}").search_experiments()  # creates + migrates
    return root / "mlflow.db"


def fresh_mlflow_uri(directory: Path) -> str:
    """A new, empty, already migrated MLflow store under `directory` (a copy of the template)."""
    shutil.copyfile(_mlflow_template(), directory / "mlflow.db")
    return f"sqlite:///{directory / 'mlflow.db'}"
