"""The whole training flow behind `courtside train` and the demo: training set -> dataset version -> training job
(local subprocess under the SageMaker contract) -> MLflow run -> artifacts in S3 -> model package pending approval.
"""

from __future__ import annotations

import getpass
import io
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from courtside.aws.clients import client
from courtside.config import Settings, get_settings
from courtside.training import datasets, tracking
from courtside.training.core import TRAINING_COLUMNS
from courtside.training.hyperparams import Hyperparameters
from courtside.training.local_runner import run_training_job
from courtside.training.record import (  # noqa: F401 (re-exported: tests and the demo import them from here)
    TrainOutcome,
    model_prefix,
    model_tarball,
    record_training_run,
    upload_artifacts,
)

CURATED_GAMES_PREFIX = "curated/games/"
GAMES_FILE = "games/nba_games_1947_2019.parquet"


# ---- training set ----------------------------------------------------------------------------------------------


def games_from_file(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def games_from_lake(settings: Settings) -> tuple[pd.DataFrame, list[str], dict[str, str]] | None:
    """Curated games from `s3://{lake}/curated/games/season=YYYY/*.parquet`: (games, partitions, object versions),
    or None when the lake holds none."""
    s3 = client("s3")
    bucket = settings.names.lake_bucket
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=CURATED_GAMES_PREFIX):
        keys.extend(o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".parquet"))
    if not keys:
        return None
    frames, versions = [], {}
    for key in sorted(keys):
        obj = s3.get_object(Bucket=bucket, Key=key)
        versions[f"s3://{bucket}/{key}"] = obj.get("VersionId") or "null"
        frames.append(pd.read_parquet(io.BytesIO(obj["Body"].read())))
    partitions = sorted({k.rsplit("/", 1)[0] + "/" for k in keys})
    return pd.concat(frames, ignore_index=True), partitions, versions


def build_training_set(games: pd.DataFrame) -> pd.DataFrame:
    """Pre-game feature rows (features as they stood before each game) plus the label, in time order."""
    from courtside.features.box_data import load_box_lines
    from courtside.features.history import pregame_rows

    ordered = games.copy()
    ordered["date"] = ordered["date"].astype(str).str[:10]
    ordered = ordered.sort_values("date", kind="mergesort")
    box = load_box_lines(get_settings().data_dir, set(ordered["game_key"]))  # availability, as the backfill does
    rows = pd.DataFrame(list(pregame_rows(ordered.to_dict("records"), box=box)))
    return rows[list(TRAINING_COLUMNS)]


# ---- the flow ----------------------------------------------------------------------------------------------------


def train_and_register(
    settings: Settings,
    games_df: pd.DataFrame | None,
    hyperparameters: Mapping[str, Any] | None = None,
    approve: bool = False,
    who: str | None = None,
    why: str = "trained by courtside train",
    *,
    training_set: pd.DataFrame | None = None,
    group: str | None = None,
    source_partitions: list[str] | None = None,
    source_object_versions: dict[str, str] | None = None,
    experiment: str = tracking.DEFAULT_EXPERIMENT,
    mlflow_uri: str | None = None,
    work_dir: Path | None = None,
    description: str = "",
) -> TrainOutcome:
    """Build the training set from `games_df` (or take `training_set`), version it, train, track, register."""
    from courtside import registry

    who = who or getpass.getuser()
    group = group or settings.names.model_package_group
    hp = Hyperparameters.from_mapping(dict(hyperparameters or {}))
    rows = training_set if training_set is not None else build_training_set(games_df)  # type: ignore[arg-type]
    tmp_root = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="courtside-train-"))
    try:
        manifest = datasets.materialise(
            rows,
            settings.names.lake_bucket,
            source_partitions=source_partitions or [],
            source_object_versions=source_object_versions,
            local_dir=tmp_root / "channels" / "train",
        )
        code = tracking.code_version()
        mlc = tracking.mlflow_client(mlflow_uri or tracking.tracking_uri(settings))
        with tracking.tracked_run(mlc, experiment) as run_id:
            sm_hps = {**hp.as_sagemaker(), "dataset_version": manifest.version}
            job_dir = tmp_root / "job" / run_id
            result = run_training_job(tmp_root / "channels" / "train", sm_hps, job_dir)
            outcome = record_training_run(
                settings,
                mlc,
                run_id,
                result,
                manifest,
                code,
                hp.as_sagemaker(),
                runtime="local",
                group=group,
                who=who,
                model_kind=hp.model_kind,
                work_dir=job_dir,
                description=description,
            )
            if approve:
                registry.approve(outcome.model_package_arn, who, why)
                outcome.approved = True
        return outcome
    finally:
        if work_dir is None:
            shutil.rmtree(tmp_root, ignore_errors=True)
