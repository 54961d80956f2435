"""The whole training flow behind `courtside train` and the demo: training set -> dataset version -> training job
(local subprocess under the SageMaker contract) -> MLflow run -> artifacts in S3 -> model package pending approval.
"""

from __future__ import annotations

import getpass
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from courtside.aws.clients import client
from courtside.config import Settings, get_settings
from courtside.training import datasets, tracking
from courtside.training.core import TRAINING_COLUMNS
from courtside.training.hyperparams import Hyperparameters
from courtside.training.local_runner import TrainingResult, run_training_job

CURATED_GAMES_PREFIX = "curated/games/"
GAMES_FILE = "games/nba_games_1947_2019.parquet"


@dataclass
class TrainOutcome:
    run_id: str
    model_version: str
    model_package_arn: str
    metrics: dict[str, float]
    dataset_version: str
    model_json_url: str = ""
    model_data_url: str = ""
    approved: bool = False
    code_commit: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_version": self.model_version,
            "model_package_arn": self.model_package_arn,
            "metrics": self.metrics,
            "dataset_version": self.dataset_version,
            "model_json_url": self.model_json_url,
            "model_data_url": self.model_data_url,
            "approved": self.approved,
            "code_commit": self.code_commit,
        }


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


# ---- artifacts ---------------------------------------------------------------------------------------------------


def model_prefix(settings: Settings, group: str, run_id: str) -> str:
    return f"models/{group}/{run_id}/"


def model_tarball(model_json: bytes) -> bytes:
    """model.tar.gz holding model.json, deterministic (fixed mtime/owner) for SageMaker hosting."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("model.json")
        info.size, info.mtime, info.mode = len(model_json), 0, 0o644
        tar.addfile(info, io.BytesIO(model_json))
    return buf.getvalue()


def upload_artifacts(settings: Settings, group: str, run_id: str, result: TrainingResult) -> dict[str, str]:
    s3 = client("s3")
    bucket = settings.names.artifacts_bucket
    key = model_prefix(settings, group, run_id)
    model_json = result.model_json.read_bytes()
    s3.put_object(Bucket=bucket, Key=key + "model.json", Body=model_json, ContentType="application/json")
    s3.put_object(Bucket=bucket, Key=key + "model.tar.gz", Body=model_tarball(model_json))
    s3.put_object(Bucket=bucket, Key=key + "metrics.json", Body=json.dumps(result.metrics, sort_keys=True).encode())
    base = f"s3://{bucket}/{key}"
    return {"model_json": base + "model.json", "model_tar": base + "model.tar.gz", "metrics": base + "metrics.json"}


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
        run_id = tracking.start_run(mlc, experiment)
        ok = False
        try:
            sm_hps = {**hp.as_sagemaker(), "dataset_version": manifest.version}
            result = run_training_job(tmp_root / "channels" / "train", sm_hps, tmp_root / "job" / run_id)
            urls = upload_artifacts(settings, group, run_id, result)
            record = registry.register_model(
                group,
                model_data_url=urls["model_tar"],
                metrics=result.metrics,
                dataset_version=manifest.version,
                code_version=code.commit,
                feature_names=list(json.loads(result.model_json.read_text())["feature_names"]),
                description=description or f"run {run_id}: {hp.model_kind}, dataset {manifest.version}",
                model_json_url=urls["model_json"],
                metrics_url=urls["metrics"],
                extra_metadata={"run_id": run_id, "git_dirty": str(code.dirty).lower()},
                who=who,
            )
            job_dir = tmp_root / "job" / run_id
            (job_dir / "train_stdout.txt").write_text(result.stdout)
            (job_dir / "manifest.json").write_text(manifest.to_json())
            tags = {
                **code.as_tags(),
                f"{tracking.TAG}runtime": "local",
                f"{tracking.TAG}dataset_name": manifest.name,
                f"{tracking.TAG}dataset_version": manifest.version,
                f"{tracking.TAG}dataset_uri": manifest.s3_uri,
                f"{tracking.TAG}dataset_rows": str(manifest.row_count),
                f"{tracking.TAG}dataset_content_hash": manifest.content_hash,
                f"{tracking.TAG}model_kind": hp.model_kind,
                f"{tracking.TAG}model_json_url": urls["model_json"],
                f"{tracking.TAG}model_data_url": urls["model_tar"],
                f"{tracking.TAG}model_package_arn": record.arn,
                f"{tracking.TAG}model_version": record.model_version,
                f"{tracking.TAG}model_package_group": group,
                "mlflow.runName": f"{hp.model_kind}-{manifest.version[:8]}",
                "mlflow.user": who,
            }
            report_dir = result.output_data_dir
            tracking.log_run(
                mlc,
                run_id,
                params=hp.as_sagemaker(),
                metrics=result.metrics,
                tags=tags,
                artifacts={
                    "model": result.model_json,
                    "": result.output_data_dir / "metrics.json" if result.output_data_dir else Path("/nonexistent"),
                    "config": tmp_root / "job" / run_id / "input" / "config" / "hyperparameters.json",
                    "dataset": job_dir / "manifest.json",
                    "logs": job_dir / "train_stdout.txt",
                },
                artifact_dirs={"report": report_dir} if report_dir else {},
            )
            approved = False
            if approve:
                registry.approve(record.arn, who, why)
                approved = True
            ok = True
        finally:
            tracking.end_run(mlc, run_id, ok)
        return TrainOutcome(
            run_id=run_id,
            model_version=record.model_version,
            model_package_arn=record.arn,
            metrics=result.metrics,
            dataset_version=manifest.version,
            model_json_url=urls["model_json"],
            model_data_url=urls["model_tar"],
            approved=approved,
            code_commit=code.commit,
        )
    finally:
        if work_dir is None:
            shutil.rmtree(tmp_root, ignore_errors=True)
