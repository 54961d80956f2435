"""Cloud launcher: the CreateTrainingJob request ModelTrainer builds, submitted to moto; a finished job tracked in
MLflow with the same schema as a local run."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import time
from pathlib import Path

import pytest
from _training_support import fresh_mlflow_uri, recent_training_set

from courtside import registry
from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training import cloud, datasets, tracking
from courtside.training.flow import train_and_register
from courtside.training.hyperparams import Hyperparameters

ROLE = "arn:aws:iam::123456789012:role/courtside-sagemaker-training"


def test_training_job_request_runs_train_py_on_the_dataset(aws: Settings) -> None:
    dataset = f"s3://{aws.names.lake_bucket}/datasets/pregame/0123456789abcdef/"
    hps = {"model_kind": "logistic", "c": "1.0", "dataset_version": "0123456789abcdef"}
    # the request as ModelTrainer builds it (moto does not echo metric definitions back), submitted as launch() does
    req = cloud.training_job_request(aws, dataset, hps, role=ROLE)
    names = {m["Name"] for m in req["AlgorithmSpecification"]["MetricDefinitions"]}
    assert {"train_brier", "validation_brier"} <= names
    tags = {t["Key"]: t["Value"] for t in req["Tags"]}
    assert tags["courtside:dataset_version"] == "0123456789abcdef" and len(tags["courtside:git_commit"]) == 40
    name = client("sagemaker").create_training_job(**req) and req["TrainingJobName"]
    job = client("sagemaker").describe_training_job(TrainingJobName=name)
    assert job["RoleArn"] == ROLE and job["HyperParameters"]["dataset_version"] == "0123456789abcdef"
    assert "sagemaker-scikit-learn" in job["AlgorithmSpecification"]["TrainingImage"]
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]}
    assert channels["train"] == dataset and {"code", "sm_drivers"} <= set(channels)

    # entry script and staged code
    bucket, _, key = channels["code"][len("s3://") :].partition("/")
    assert key.endswith("/sourcedir.tar.gz")  # one upload of the staged source, unpacked by the job's driver
    assert [o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]] == [key]
    body = client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        members = set(tar.getnames())
    assert {"sagemaker/train.py", "courtside/training/core.py", "requirements.txt"} <= members
    assert not any(".venv" in m or m.endswith((".parquet", ".pyc")) for m in members)


def _emulate_sagemaker_job(settings: Settings, job_name: str, dataset_version: str, tmp: Path) -> None:
    """Do what SageMaker does for a job moto only records: run the entry script's code on the channel under the
    script-mode environment, upload model.tar.gz / output.tar.gz where the job says, and ship stdout to the job's
    CloudWatch log stream."""
    from courtside.training import datasets, entry

    job = client("sagemaker").describe_training_job(TrainingJobName=job_name)
    channel, config, model_dir, out_dir = tmp / "train", tmp / "config", tmp / "model", tmp / "output" / "data"
    datasets.load(settings.names.lake_bucket, dataset_version, local_dir=channel)
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(job["HyperParameters"]))
    env = {"SM_INPUT_CONFIG_DIR": str(config), "SM_CHANNEL_TRAIN": str(channel), "SM_MODEL_DIR": str(model_dir),
           "SM_OUTPUT_DATA_DIR": str(out_dir)}  # fmt: skip
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        entry.main([], env)
    model_url = job["ModelArtifacts"]["S3ModelArtifacts"]
    bucket, _, key = model_url[len("s3://") :].partition("/")
    for name, src in (("model.tar.gz", model_dir), ("output.tar.gz", out_dir)):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for f in sorted(src.iterdir()):
                tar.add(f, arcname=f.name)
        client("s3").put_object(Bucket=bucket, Key=key.rsplit("/", 1)[0] + "/" + name, Body=buf.getvalue())
    logs = client("logs")
    logs.create_log_group(logGroupName=cloud.LOG_GROUP)
    stream = f"{job_name}/algo-1-{int(time.time())}"
    logs.create_log_stream(logGroupName=cloud.LOG_GROUP, logStreamName=stream)
    events = [
        {"timestamp": int(time.time() * 1000) + i, "message": line}
        for i, line in enumerate(stdout.getvalue().splitlines())
    ]
    logs.put_log_events(logGroupName=cloud.LOG_GROUP, logStreamName=stream, logEvents=events)


def test_cloud_run_lands_in_mlflow_with_the_local_schema(
    aws: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = fresh_mlflow_uri(tmp_path)
    monkeypatch.setenv("COURTSIDE_MLFLOW_URI", uri)
    hps = {"c": 0.5, "min_season": 2016, "seed": 7}
    local = train_and_register(aws, None, hps, training_set=recent_training_set(), who="ci")

    # the same hyperparameters and dataset version as a SageMaker training job (moto), then tracked from the job
    manifest = datasets.manifest(aws.names.lake_bucket, local.dataset_version)
    sm_hps = {**Hyperparameters.from_mapping(hps).as_sagemaker(), "dataset_version": manifest.version}
    job_name = cloud.launch(aws, manifest.s3_uri, sm_hps, role=ROLE)
    _emulate_sagemaker_job(aws, job_name, manifest.version, tmp_path / "container")
    remote = cloud.track_training_job(aws, job_name, who="ci")

    mlc = tracking.mlflow_client(uri)
    a, b = tracking.get_run(local.run_id, mlc), tracking.get_run(remote.run_id, mlc)
    assert a.status == b.status == "FINISHED"
    assert a.params == b.params  # same names, same SageMaker string form
    assert set(a.metrics) == set(b.metrics) and b.metrics == pytest.approx(a.metrics, abs=1e-12)
    job_tags = {"courtside.training_job", "courtside.training_job_arn", "courtside.training_image"}
    assert set(b.tags) - set(a.tags) == job_tags and set(a.tags) - set(b.tags) == set()
    assert (a.tags["courtside.runtime"], b.tags["courtside.runtime"]) == ("local", "sagemaker")
    assert b.tags["courtside.training_job"] == job_name
    same = ("dataset_version", "dataset_uri", "dataset_rows", "dataset_content_hash", "git_commit", "code_hash")
    assert all(a.tags[f"courtside.{k}"] == b.tags[f"courtside.{k}"] for k in same)

    def artifacts(run_id: str) -> set[str]:
        top = mlc.list_artifacts(run_id)
        return {f.path for d in top for f in (mlc.list_artifacts(run_id, d.path) if d.is_dir else [d])}

    expected = {"model/model.json", "dataset/manifest.json", "metrics.json", "config/hyperparameters.json",
                "logs/train_stdout.txt"}  # fmt: skip
    assert artifacts(a.run_id) == artifacts(b.run_id) >= expected
    # and a pending package with the same lineage, registered by the same code
    rec = registry.describe(remote.model_package_arn)
    assert rec.status == registry.PENDING and rec.dataset_version == local.dataset_version
    assert rec.metadata["runtime"] == "sagemaker" and rec.metrics == pytest.approx(local.metrics)
    assert remote.model_version == f"{aws.names.model_package_group}/2"
