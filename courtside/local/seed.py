"""Seed a local stack the way a production account is bootstrapped: history into the lake, features backfilled
into the offline and online stores, the default pre-game model trained, registered and approved, and the shipped
in-game model (``data/models/ingame_model.json``, trained on 2015-16..2017-18 play-by-play by
``courtside models train-live``) registered and approved in the live group, so ``GET /v1/games/{id}/live`` serves
it rather than the closed-form baseline.

Shared by `courtside up` (seeded by default) and `make demo`; each step reports to the stack's readiness so
`GET /health` shows progress until the stack can serve forecasts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from courtside.config import Settings

DEFAULT_HYPERPARAMETERS: dict[str, Any] = {"model_kind": "logistic", "c": 1.0, "min_season": 1985, "seed": 7}


@dataclass
class SeedResult:
    games_loaded: int = 0
    games_quarantined: int = 0
    training_rows: int = 0
    model_version: str = ""
    live_model_version: str = ""
    run_id: str = ""
    dataset_version: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)


def load_games_file(settings: Settings) -> pd.DataFrame:
    """The shipped games history, sorted in time order."""
    games = pd.read_parquet(settings.data_dir / "games" / "nba_games_1947_2019.parquet")
    games["date"] = games["date"].astype(str).str[:10]
    return games.sort_values(["date", "game_key"], kind="stable").reset_index(drop=True)


def live_model_file(settings: Settings) -> Path:
    """The shipped in-game model document (``courtside models train-live`` writes it)."""
    return settings.data_dir / "models" / "ingame_model.json"


def seed_live_model(settings: Settings, report: Callable[[str, str], None] = lambda step, status: None) -> str:
    """Register and approve the shipped in-game model in the live group; returns its model version.

    A missing file is an error, not a silent fall-back to the baseline: the file ships with the repo."""
    from courtside import registry
    from courtside.training.live_model import register_live_model

    path = live_model_file(settings)
    report("live_model", f"registering and approving the in-game model {path.name}")
    record = register_live_model(
        settings,
        path.read_bytes(),
        approve=True,
        who="courtside-seed",
        why="shipped in-game model (trained on 2015-16..2017-18 play-by-play) of a freshly seeded stack",
    )
    if record.status != registry.APPROVED:  # the promotion gate refused the shipped file: say so, never serve less
        raise RuntimeError(f"the shipped in-game model {path} was not approved: {record.approval_description}")
    return record.model_version


def seed_stack(
    settings: Settings,
    history: pd.DataFrame,
    report: Callable[[str, str], None] = lambda step, status: None,
    hyperparameters: dict[str, Any] | None = None,
) -> SeedResult:
    """Load `history` into the lake, backfill features, train + register + approve the default model, register +
    approve the shipped in-game model."""
    from courtside.training.flow import train_and_register  # heavy imports only when seeding
    from glue.jobs.backfill_features import backfill_pregame
    from glue.jobs.load_history import load_games

    result = SeedResult()
    t = time.perf_counter()
    report("lake", f"loading {len(history)} games into the lake")
    loaded = load_games(settings, history.assign(date=pd.to_datetime(history["date"]).dt.date))
    result.games_loaded, result.games_quarantined = int(loaded.stored), int(loaded.quarantined)
    result.timings_s["lake"] = time.perf_counter() - t

    t = time.perf_counter()
    report("features", "backfilling pre-game features (offline + online store)")
    rows, _book = backfill_pregame(settings, history, progress=False)
    result.training_rows = len(rows)
    result.timings_s["features"] = time.perf_counter() - t

    t = time.perf_counter()
    report("model", "training, registering and approving the pre-game model")
    outcome = train_and_register(
        settings,
        history,
        hyperparameters or DEFAULT_HYPERPARAMETERS,
        training_set=rows,  # the offline store's rows: training reads exactly what the backfill wrote
        approve=True,
        who="courtside-seed",
        why="default model of a freshly seeded stack",
    )
    result.model_version = outcome.model_version
    result.run_id = outcome.run_id
    result.dataset_version = outcome.dataset_version
    result.metrics = dict(outcome.metrics)
    result.timings_s["model"] = time.perf_counter() - t

    t = time.perf_counter()
    result.live_model_version = seed_live_model(settings, report)
    result.timings_s["live_model"] = time.perf_counter() - t

    # Monitoring starts from the model just approved: its training set is the drift baseline (Model Monitor
    # statistics/constraints), and the retrain policy counts new games from its last training game.
    from courtside.continual.service import init_state
    from courtside.features.pregame import FEATURE_NAMES
    from courtside.monitoring.drift import Baseline

    report("monitoring", "writing the drift baseline and the retrain state")
    modern = rows[rows["season"] >= int((hyperparameters or DEFAULT_HYPERPARAMETERS).get("min_season", 0))]
    Baseline.from_training(modern, FEATURE_NAMES, outcome.model_version).save(settings)
    init_state(settings, trained_through=str(rows["date"].max())[:10])
    return result
