"""Cloud launcher: the same `sagemaker/train.py` as a SageMaker training job, through `sagemaker.train.ModelTrainer`.

Source code: a staged copy of `courtside/` and `sagemaker/train.py` (not the whole repository: no .venv, data or
node_modules) plus a `requirements.txt` for what the scikit-learn image lacks, packed as one `sourcedir.tar.gz`
next to the staged directory (one upload instead of ~170; the job's driver unpacks it); entry script
`sagemaker/train.py`.
Input: channel `train` = the dataset version's S3 prefix (`s3://{lake}/datasets/<name>/<version>/`).
Hyperparameters: the same string-valued dict the local runner writes, plus `dataset_version`.
Metrics: `metric name=value` lines, scraped with the metric definitions below.
Role: `--role`, else env `COURTSIDE_SAGEMAKER_ROLE_ARN` / `SAGEMAKER_ROLE_ARN`.

`training_job_request` returns the exact CreateTrainingJob request ModelTrainer builds (its `boto3=True` form);
`launch` submits it with boto3 (moto implements CreateTrainingJob but runs no container) or, with
`use_sdk_submit=True`, lets ModelTrainer submit and track it. The SDK is imported lazily (slow import).
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from courtside.aws.clients import client
from courtside.config import REPO_ROOT, Settings

SKLEARN_TRAINING_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
METRIC_NAMES = ("train_brier", "train_log_loss", "train_accuracy", "validation_brier", "validation_log_loss")
REQUIREMENTS = "pydantic>=2\npydantic-settings>=2\npyarrow>=14\n"
DEFAULT_INSTANCE = "ml.m5.large"


def role_arn(role: str | None = None) -> str:
    arn = role or os.environ.get("COURTSIDE_SAGEMAKER_ROLE_ARN") or os.environ.get("SAGEMAKER_ROLE_ARN")
    if not arn:
        raise ValueError("no SageMaker execution role: pass --role or set COURTSIDE_SAGEMAKER_ROLE_ARN")
    return arn


def stage_source(dest: Path) -> Path:
    """Copy what the training job needs into `dest` (the ModelTrainer source_dir)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "courtside", dest / "courtside", ignore=ignore, dirs_exist_ok=True)
    (dest / "sagemaker").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / "sagemaker" / "train.py", dest / "sagemaker" / "train.py")
    (dest / "requirements.txt").write_text(REQUIREMENTS)
    return dest


def pack_source(source_dir: Path) -> Path:
    """`<parent>/sourcedir.tar.gz` of the staged directory (sorted members, fixed mtime: same tree, same bytes)."""
    archive = source_dir.parent / "sourcedir.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(p for p in source_dir.rglob("*") if p.is_file()):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(source_dir)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with path.open("rb") as fh:
                tar.addfile(info, fh)
    return archive


def metric_definitions() -> list[dict[str, str]]:
    return [{"Name": n, "Regex": f"metric {n}=([-+0-9.eE]+)"} for n in METRIC_NAMES]


def build_model_trainer(
    settings: Settings,
    hyperparameters: dict[str, Any],
    source_dir: Path,
    role: str | None = None,
    instance_type: str = DEFAULT_INSTANCE,
    image_uri: str | None = None,
    base_job_name: str = "courtside-pregame",
    session: Any = None,
    environment: dict[str, Any] | None = None,
) -> Any:
    """The ModelTrainer of `sagemaker/train.py`; `session` = a PipelineSession when building a pipeline step."""
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.region)
    if os.environ.get("AWS_ENDPOINT_URL"):
        # moto has no iam:SimulatePrincipalPolicy, which ModelTrainer uses to validate the role client-side
        os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")
    import boto3
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.shapes import MetricDefinition
    from sagemaker.train.configs import Compute, OutputDataConfig, SourceCode, StoppingCondition

    from sagemaker.train import ModelTrainer

    bucket = settings.names.artifacts_bucket
    session = session or Session(
        boto_session=boto3.session.Session(region_name=settings.region),
        default_bucket=bucket,
        default_bucket_prefix="training",
    )
    trainer = ModelTrainer(
        sagemaker_session=session,
        role=role_arn(role),
        base_job_name=base_job_name,
        training_image=image_uri or SKLEARN_TRAINING_IMAGE.format(region=settings.region),
        source_code=SourceCode(
            source_dir=str(pack_source(source_dir)), entry_script="sagemaker/train.py", requirements="requirements.txt"
        ),
        compute=Compute(instance_type=instance_type, instance_count=1, volume_size_in_gb=10),
        hyperparameters={k: v if hasattr(v, "expr") else str(v) for k, v in hyperparameters.items() if v is not None},
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/training/jobs/"),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=3600),
        environment=environment or {"COURTSIDE_PREFIX": settings.prefix},
    )
    trainer.with_metric_definitions([MetricDefinition(name=d["Name"], regex=d["Regex"]) for d in metric_definitions()])
    return trainer


def _train_channel(dataset_s3_uri: str) -> Any:
    from sagemaker.train.configs import InputData

    return InputData(channel_name="train", data_source=dataset_s3_uri)


def training_job_request(
    settings: Settings, dataset_s3_uri: str, hyperparameters: dict[str, Any], role: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """The CreateTrainingJob request ModelTrainer builds (uploads the staged source code to the artifacts bucket)."""
    with tempfile.TemporaryDirectory(prefix="courtside-src-") as tmp:
        trainer = build_model_trainer(settings, hyperparameters, stage_source(Path(tmp) / "src"), role=role, **kwargs)
        request = trainer._create_training_job_args(input_data_config=[_train_channel(dataset_s3_uri)], boto3=True)
    return {k: v for k, v in request.items() if v is not None}


def launch(
    settings: Settings,
    dataset_s3_uri: str,
    hyperparameters: dict[str, Any],
    role: str | None = None,
    use_sdk_submit: bool = False,
    **kwargs: Any,
) -> str:
    """Start the training job; returns its name."""
    if use_sdk_submit:
        with tempfile.TemporaryDirectory(prefix="courtside-src-") as tmp:
            trainer = build_model_trainer(
                settings, hyperparameters, stage_source(Path(tmp) / "src"), role=role, **kwargs
            )
            trainer.train(input_data_config=[_train_channel(dataset_s3_uri)], wait=False, logs=False)
            return str(trainer._latest_training_job.training_job_name)
    request = training_job_request(settings, dataset_s3_uri, hyperparameters, role=role, **kwargs)
    client("sagemaker").create_training_job(**request)
    return str(request["TrainingJobName"])
