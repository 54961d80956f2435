"""The record of one training run, written the same way whether the job ran locally or as a SageMaker training job.

Why one code path: "local and cloud runs land in the same schema" only holds if one function writes both. Each
runtime reduces its job to a `TrainingResult` (model dir with model.json, output data dir, metrics parsed from the
script's `metric name=value` lines, the stdout, the string hyperparameters) and calls `record_training_run`, which
  - uploads model.json / model.tar.gz / metrics.json to `s3://{artifacts}/models/<group>/<run-id>/`,
  - registers a model package (PendingManualApproval) with metrics, dataset version, features and code version,
  - logs params, metrics, lineage tags and artifacts to the MLflow run (schema in `courtside.training.tracking`).
Only `courtside.runtime` (local | sagemaker) and the runtime's own extra tags (e.g. `courtside.training_job`) differ.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training import tracking
from courtside.training.datasets import DatasetManifest
from courtside.training.local_runner import TrainingResult


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


def record_training_run(
    settings: Settings,
    mlc: Any,
    run_id: str,
    result: TrainingResult,
    manifest: DatasetManifest,
    code: tracking.CodeVersion,
    params: Mapping[str, str],
    *,
    runtime: str,
    group: str,
    who: str,
    model_kind: str,
    work_dir: Path,
    description: str = "",
    extra_tags: Mapping[str, str] | None = None,
    environment_info: Mapping[str, str] | None = None,
) -> TrainOutcome:
    """Upload, register and log one finished training job into the (already started) MLflow run `run_id`."""
    from courtside import registry

    urls = upload_artifacts(settings, group, run_id, result)
    record = registry.register_model(
        group,
        model_data_url=urls["model_tar"],
        metrics=result.metrics,
        dataset_version=manifest.version,
        code_version=code.commit,
        feature_names=list(json.loads(result.model_json.read_text())["feature_names"]),
        description=description or f"run {run_id}: {model_kind}, dataset {manifest.version}",
        model_json_url=urls["model_json"],
        metrics_url=urls["metrics"],
        extra_metadata={"run_id": run_id, "git_dirty": str(code.dirty).lower(), "runtime": runtime},
        who=who,
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "train_stdout.txt").write_text(result.stdout)
    (work_dir / "manifest.json").write_text(manifest.to_json())
    (work_dir / "hyperparameters.json").write_text(json.dumps(result.hyperparameters, sort_keys=True, indent=2))
    tags = {
        **code.as_tags(),
        f"{tracking.TAG}runtime": runtime,
        f"{tracking.TAG}dataset_name": manifest.name,
        f"{tracking.TAG}dataset_version": manifest.version,
        f"{tracking.TAG}dataset_uri": manifest.s3_uri,
        f"{tracking.TAG}dataset_rows": str(manifest.row_count),
        f"{tracking.TAG}dataset_content_hash": manifest.content_hash,
        f"{tracking.TAG}model_kind": model_kind,
        f"{tracking.TAG}model_json_url": urls["model_json"],
        f"{tracking.TAG}model_data_url": urls["model_tar"],
        f"{tracking.TAG}model_package_arn": record.arn,
        f"{tracking.TAG}model_version": record.model_version,
        f"{tracking.TAG}model_package_group": group,
        **dict(extra_tags or {}),
        "mlflow.runName": f"{model_kind}-{manifest.version[:8]}",
        "mlflow.user": who,
    }
    out_dir = result.output_data_dir
    tracking.log_run(
        mlc,
        run_id,
        params=params,
        metrics=result.metrics,
        tags=tags,
        artifacts={
            "model": result.model_json,
            "": out_dir / "metrics.json" if out_dir else Path("/nonexistent"),
            "config": work_dir / "hyperparameters.json",
            "dataset": work_dir / "manifest.json",
            "logs": work_dir / "train_stdout.txt",
        },
        artifact_dirs={"report": out_dir} if out_dir else {},
        environment_info=environment_info,
    )
    return TrainOutcome(
        run_id=run_id,
        model_version=record.model_version,
        model_package_arn=record.arn,
        metrics=result.metrics,
        dataset_version=manifest.version,
        model_json_url=urls["model_json"],
        model_data_url=urls["model_tar"],
        code_commit=code.commit,
    )
