"""The training core behind `sagemaker/train.py`: read a channel, fit, evaluate, write `model.json` + metrics.

Pure functions of (data, hyperparameters): no AWS, no MLflow, no environment variables (the script reads those).
Rows are put in a canonical order before fitting so the same dataset version gives the same model bit for bit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from courtside.features.pregame import FEATURE_NAMES
from courtside.models.linear import LinearModel, fit_logistic
from courtside.training.entry import metric_lines, parse_metric_lines  # noqa: F401 (re-exported)
from courtside.training.hyperparams import Hyperparameters

LABEL = "home_win"
ID_COLUMNS: tuple[str, ...] = ("game_key", "date", "season", "home_team", "away_team", "is_playoff")
TRAINING_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, *FEATURE_NAMES, LABEL)
SORT_KEYS = ["date", "game_key"]
EPS = 1e-15


@dataclass
class TrainOutput:
    model: Any  # LinearModel or a LinearModel-compatible serving model (to_json, predict_many, metadata)
    metrics: dict[str, float]


def read_channel(path: Path | str) -> pd.DataFrame:
    """All Parquet files of a SageMaker channel directory (or one file), in canonical row order."""
    p = Path(path)
    files = sorted(p.rglob("*.parquet")) if p.is_dir() else [p]
    if not files:
        raise FileNotFoundError(f"no Parquet files in channel {p}")
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return canonical_order(df)


def canonical_order(df: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS if k in df.columns]
    if keys:
        df = df.sort_values(keys, kind="mergesort")
    return df.reset_index(drop=True)


def check_columns(df: pd.DataFrame, feature_names: Sequence[str] = FEATURE_NAMES) -> None:
    missing = [c for c in ("season", *feature_names, LABEL) if c not in df.columns]
    if missing:
        raise ValueError(f"training data lacks columns {missing}; expected the output of pregame_rows")


def select_seasons(df: pd.DataFrame, hp: Hyperparameters) -> pd.DataFrame:
    if hp.min_season is not None:
        df = df[df["season"] >= hp.min_season]
    if hp.max_season is not None:
        df = df[df["season"] <= hp.max_season]
    if df.empty:
        raise ValueError(f"no rows left after season filter min={hp.min_season} max={hp.max_season}")
    return df.reset_index(drop=True)


def recency_weights(seasons: pd.Series, half_life: float | None) -> np.ndarray | None:
    """Weight 0.5 ** ((newest season - season) / half_life); None when no half-life is set."""
    if half_life is None or half_life <= 0:
        return None
    age = (seasons.max() - seasons).to_numpy(dtype=float)
    return np.power(0.5, age / float(half_life))


def fit(train: pd.DataFrame, hp: Hyperparameters) -> Any:
    """Fit the model kind named by `hp.model_kind`; the models area provides kinds other than logistic."""
    np.random.seed(hp.seed)
    if hp.model_kind == "logistic":
        weights = recency_weights(train["season"], hp.recency_half_life)
        return fit_logistic(train, FEATURE_NAMES, label=LABEL, c=hp.c, sample_weight=weights)
    try:
        from courtside.models import pregame as pregame_models  # provided by the models area (issue 6)
    except ImportError as err:
        raise ValueError(f"model_kind {hp.model_kind!r} needs courtside.models.pregame, which is missing") from err
    params = hp.as_dict()
    params["half_life"] = params.pop("recency_half_life")  # the models area's name for the same thing
    return pregame_models.fit(train, params)


def evaluate(model: Any, df: pd.DataFrame, prefix: str) -> dict[str, float]:
    """Brier score, log loss, accuracy and row count of `model` on `df` (names prefixed `prefix_`)."""
    p = np.asarray(predict(model, df), dtype=float)
    y = df[LABEL].to_numpy(dtype=float)
    pc = np.clip(p, EPS, 1 - EPS)
    return {
        f"{prefix}_brier": float(np.mean((p - y) ** 2)),
        f"{prefix}_log_loss": float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc))),
        f"{prefix}_accuracy": float(np.mean((p >= 0.5) == (y == 1))),
        f"{prefix}_base_rate": float(np.mean(y)),
        f"{prefix}_rows": float(len(df)),
    }


def predict(model: Any, df: pd.DataFrame) -> list[float]:
    names = list(dict.fromkeys([*FEATURE_NAMES, *getattr(model, "feature_names", ())]))
    return model.predict_many(df[[n for n in names if n in df.columns]].to_dict("records"))


def load_serving_model(text: str | bytes) -> Any:
    """Any serving model JSON: the models area's loader when present, else the compact LinearModel."""
    try:
        from courtside.models.pregame import load_model
    except ImportError:
        return LinearModel.from_json(text)
    return load_model(text)


def with_metadata(model: Any, metadata: Mapping[str, Any]) -> Any:
    """The model with `metadata` merged in (LinearModel is frozen, so rebuild it)."""
    if isinstance(model, LinearModel):
        return LinearModel(
            feature_names=model.feature_names,
            mean=model.mean,
            scale=model.scale,
            coef=model.coef,
            intercept=model.intercept,
            metadata={**model.metadata, **metadata},
        )
    model.metadata.update(metadata)
    return model


def train(
    train_df: pd.DataFrame,
    hp: Hyperparameters,
    validation_df: pd.DataFrame | None = None,
    dataset_version: str | None = None,
) -> TrainOutput:
    """Filter seasons, fit, evaluate on train (and validation), attach metadata."""
    check_columns(train_df)
    data = select_seasons(canonical_order(train_df), hp)
    model = fit(data, hp)
    seasons = sorted(int(s) for s in data["season"].unique())
    meta = {
        "model_kind": hp.model_kind,
        "feature_names": list(getattr(model, "feature_names", FEATURE_NAMES)),
        "training_rows": len(data),
        "seasons": [seasons[0], seasons[-1]],
        "hyperparameters": hp.as_dict(),
    }
    if dataset_version:
        meta["dataset_version"] = dataset_version
    model = with_metadata(model, meta)
    metrics = evaluate(model, data, "train")
    if validation_df is not None and not validation_df.empty:
        check_columns(validation_df)
        metrics.update(evaluate(model, canonical_order(validation_df), "validation"))
    return TrainOutput(model=model, metrics=metrics)


def write_outputs(out: TrainOutput, model_dir: Path, output_data_dir: Path) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    output_data_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "model.json").write_text(out.model.to_json())
    (output_data_dir / "metrics.json").write_text(json.dumps(out.metrics, sort_keys=True, indent=2))
