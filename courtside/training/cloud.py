"""Cloud launcher: the same `sagemaker/train.py` as a SageMaker training job, through `sagemaker.train.ModelTrainer`.

Source code: a staged copy of `courtside/` and `sagemaker/train.py` (not the whole repository: no .venv, data or
node_modules) plus a `requirements.txt` for what the scikit-learn image lacks, packed as one `sourcedir.tar.gz`
next to the staged directory (one upload instead of ~170; the job's driver unpacks it); entry script
`sagemaker/train.py`.
Input: channel `train` = the dataset version's S3 prefix (`s3://{lake}/datasets/<name>/<version>/`).
Hyperparameters: the same string-valued dict the local runner writes, plus `dataset_version`.
Metrics: `metric name=value` lines, scraped with the metric definitions below.
Role: `--role`, else env `COURTSIDE_SAGEMAKER_ROLE_ARN` / `SAGEMAKER_ROLE_ARN`.

Lineage on the job: tags `courtside:git_commit`, `courtside:git_dirty`, `courtside:code_hash` (the code version staged)
and `courtside:dataset_version`.

`training_job_request` returns the exact CreateTrainingJob request ModelTrainer builds (its `boto3=True` form);
`launch` submits it with boto3 (moto implements CreateTrainingJob but runs no container) or, with
`use_sdk_submit=True`, lets ModelTrainer submit and track it. The SDK is imported lazily (slow import).

`track_training_job` turns a finished job into an MLflow run with the same schema as a local run: it rebuilds the
job's `TrainingResult` (model.json out of `ModelArtifacts.S3ModelArtifacts`, the output data of `output.tar.gz`,
metrics from the `metric name=value` lines of the job's CloudWatch log stream, completed by `FinalMetricDataList`
entries of our metric definitions) and hands it to `courtside.training.record.record_training_run`, the function
the local flow uses. MLflow goes wherever `tracking.tracking_uri()` points (a SageMaker managed MLflow tracking
server ARN via `COURTSIDE_MLFLOW_URI` / `MLFLOW_TRACKING_URI` in the cloud).
"""

from __future__ import annotations

import getpass
import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from courtside.aws.clients import client
from courtside.config import REPO_ROOT, Settings

if TYPE_CHECKING:
    from courtside.training.local_runner import TrainingResult
    from courtside.training.record import TrainOutcome
    from courtside.training.tracking import CodeVersion

SKLEARN_TRAINING_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
METRIC_NAMES = ("train_brier", "train_log_loss", "train_accuracy", "validation_brier", "validation_log_loss")
REQUIREMENTS = "pydantic>=2\npydantic-settings>=2\npyarrow>=14\n"
DEFAULT_INSTANCE = "ml.m5.large"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
TAG_PREFIX = "courtside:"


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
    for script in ("train.py", "inference.py"):  # inference.py goes into the model artifact's code/ folder
        shutil.copy2(REPO_ROOT / "sagemaker" / script, dest / "sagemaker" / script)
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
    tags: dict[str, str] | None = None,
) -> Any:
    """The ModelTrainer of `sagemaker/train.py`; `session` = a PipelineSession when building a pipeline step."""
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.region)
    if os.environ.get("AWS_ENDPOINT_URL"):
        # moto has no iam:SimulatePrincipalPolicy, which ModelTrainer uses to validate the role client-side
        os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")
    import boto3
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.shapes import MetricDefinition, Tag
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
        tags=[Tag(key=k, value=v) for k, v in (tags or {}).items()] or None,
    )
    trainer.with_metric_definitions([MetricDefinition(name=d["Name"], regex=d["Regex"]) for d in metric_definitions()])
    return trainer


def lineage_tags(hyperparameters: dict[str, Any], code: CodeVersion | None = None) -> dict[str, str]:
    """The job tags that let `track_training_job` record code and dataset versions like a local run."""
    from courtside.training import tracking

    code = code or tracking.code_version()
    tags = {
        f"{TAG_PREFIX}git_commit": code.commit,
        f"{TAG_PREFIX}git_dirty": str(code.dirty).lower(),
        f"{TAG_PREFIX}code_hash": code.code_hash,
    }
    if hyperparameters.get("dataset_version"):
        tags[f"{TAG_PREFIX}dataset_version"] = str(hyperparameters["dataset_version"])
    return tags


def _train_channel(dataset_s3_uri: str) -> Any:
    from sagemaker.train.configs import InputData

    return InputData(channel_name="train", data_source=dataset_s3_uri)


def training_job_request(
    settings: Settings, dataset_s3_uri: str, hyperparameters: dict[str, Any], role: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """The CreateTrainingJob request ModelTrainer builds (uploads the staged source code to the artifacts bucket)."""
    kwargs.setdefault("tags", lineage_tags(hyperparameters))
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
        kwargs.setdefault("tags", lineage_tags(hyperparameters))
        with tempfile.TemporaryDirectory(prefix="courtside-src-") as tmp:
            trainer = build_model_trainer(
                settings, hyperparameters, stage_source(Path(tmp) / "src"), role=role, **kwargs
            )
            trainer.train(input_data_config=[_train_channel(dataset_s3_uri)], wait=False, logs=False)
            return str(trainer._latest_training_job.training_job_name)
    request = training_job_request(settings, dataset_s3_uri, hyperparameters, role=role, **kwargs)
    client("sagemaker").create_training_job(**request)
    return str(request["TrainingJobName"])


# ---- tracking a finished job ---------------------------------------------------------------------------------------


def _s3_bytes(url: str) -> bytes | None:
    from botocore.exceptions import ClientError

    bucket, _, key = url[len("s3://") :].partition("/")
    try:
        return bytes(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as err:
        if err.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            return None
        raise


def _extract(tar_bytes: bytes, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")


def job_log_text(job_name: str) -> str:
    """The job's CloudWatch log text (all streams `<job>/...` of /aws/sagemaker/TrainingJobs, in order)."""
    logs = client("logs")
    lines: list[str] = []
    try:
        streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job_name}/")["logStreams"]
    except logs.exceptions.ResourceNotFoundException:
        return ""
    for stream in sorted(s["logStreamName"] for s in streams):
        kwargs: dict[str, Any] = {"logGroupName": LOG_GROUP, "logStreamName": stream, "startFromHead": True}
        while True:
            page = logs.get_log_events(**kwargs)
            lines.extend(e["message"] for e in page["events"])
            if not page["events"] or page.get("nextForwardToken") == kwargs.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextForwardToken"]
    return "\n".join(lines)


def job_metrics(job: dict[str, Any], log_text: str) -> dict[str, float]:
    """Metrics of a job: every `metric name=value` log line (full precision, as the local runner parses stdout),
    completed by FinalMetricDataList entries for our metric definitions (SageMaker's scrape of the same lines)."""
    from courtside.training.entry import parse_metric_lines

    metrics = parse_metric_lines(log_text)
    for m in job.get("FinalMetricDataList", []):
        if m["MetricName"] in METRIC_NAMES and m["MetricName"] not in metrics:
            metrics[m["MetricName"]] = float(m["Value"])
    return metrics


def job_result(job: dict[str, Any], dest: Path) -> TrainingResult:
    """The `TrainingResult` of a finished SageMaker training job, rebuilt under `dest` from what it left in S3 and
    CloudWatch (the same shape the local runner returns)."""
    from courtside.training.local_runner import TrainingResult

    name = job["TrainingJobName"]
    if job.get("TrainingJobStatus") != "Completed":
        raise RuntimeError(f"training job {name} is {job.get('TrainingJobStatus')}, not Completed")
    model_url = job["ModelArtifacts"]["S3ModelArtifacts"]
    model_tar = _s3_bytes(model_url)
    if model_tar is None:
        raise FileNotFoundError(f"training job {name}: no model artifact at {model_url}")
    _extract(model_tar, dest / "model")
    output_dir: Path | None = None
    output_tar = _s3_bytes(model_url.rsplit("/", 1)[0] + "/output.tar.gz")
    if output_tar is not None:
        output_dir = dest / "output" / "data"
        _extract(output_tar, output_dir)
    log_text = job_log_text(name)
    return TrainingResult(
        model_dir=dest / "model",
        metrics=job_metrics(job, log_text),
        stdout=log_text,
        output_data_dir=output_dir,
        hyperparameters=dict(job.get("HyperParameters", {})),
    )


def _job_code_version(tags: dict[str, str]) -> CodeVersion:
    from courtside.training.tracking import CodeVersion

    return CodeVersion(
        commit=tags.get(f"{TAG_PREFIX}git_commit", "unknown"),
        dirty=tags.get(f"{TAG_PREFIX}git_dirty", "true") != "false",
        code_hash=tags.get(f"{TAG_PREFIX}code_hash", ""),
    )


def track_training_job(
    settings: Settings,
    job_name: str,
    who: str | None = None,
    group: str | None = None,
    experiment: str | None = None,
    mlflow_uri: str | None = None,
) -> TrainOutcome:
    """Record a finished training job as an MLflow run + pending model package, exactly as a local run is."""
    from courtside.training import datasets, tracking
    from courtside.training.hyperparams import Hyperparameters
    from courtside.training.record import record_training_run

    sm = client("sagemaker")
    job = sm.describe_training_job(TrainingJobName=job_name)
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=job["TrainingJobArn"]).get("Tags", [])}
    hps = dict(job.get("HyperParameters", {}))
    version = json.loads(hps["dataset_version"]) if hps.get("dataset_version", "").startswith('"') else None
    version = version or hps.get("dataset_version") or tags.get(f"{TAG_PREFIX}dataset_version")
    if not version:
        raise ValueError(f"training job {job_name} records no dataset_version (hyperparameter or tag)")
    manifest = datasets.manifest(settings.names.lake_bucket, version)
    hp = Hyperparameters.from_mapping({k: v for k, v in hps.items() if k != "dataset_version"})
    mlc = tracking.mlflow_client(mlflow_uri or tracking.tracking_uri(settings))
    with (
        tracking.tracked_run(mlc, experiment or tracking.DEFAULT_EXPERIMENT) as run_id,
        tempfile.TemporaryDirectory(prefix="courtside-job-") as tmp,
    ):
        result = job_result(job, Path(tmp) / "job")
        outcome = record_training_run(
            settings,
            mlc,
            run_id,
            result,
            manifest,
            _job_code_version(tags),
            hp.as_sagemaker(),
            runtime="sagemaker",
            group=group or settings.names.model_package_group,
            who=who or getpass.getuser(),
            model_kind=hp.model_kind,
            work_dir=Path(tmp) / "record",
            extra_tags={
                "courtside.training_job": job_name,
                "courtside.training_job_arn": job["TrainingJobArn"],
                "courtside.training_image": job["AlgorithmSpecification"].get("TrainingImage", ""),
            },
        )
    return outcome
