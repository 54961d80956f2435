"""Cloud launcher: the CreateTrainingJob request ModelTrainer builds, submitted to moto."""

from __future__ import annotations

import io
import tarfile

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training import cloud

ROLE = "arn:aws:iam::123456789012:role/courtside-sagemaker-training"


def test_training_job_request_runs_train_py_on_the_dataset(aws: Settings) -> None:
    dataset = f"s3://{aws.names.lake_bucket}/datasets/pregame/0123456789abcdef/"
    name = cloud.launch(
        aws, dataset, {"model_kind": "logistic", "c": "1.0", "dataset_version": "0123456789abcdef"}, role=ROLE
    )
    job = client("sagemaker").describe_training_job(TrainingJobName=name)
    assert job["RoleArn"] == ROLE and job["HyperParameters"]["dataset_version"] == "0123456789abcdef"
    assert "sagemaker-scikit-learn" in job["AlgorithmSpecification"]["TrainingImage"]
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]}
    assert channels["train"] == dataset and {"code", "sm_drivers"} <= set(channels)

    # the request as built (moto does not echo metric definitions back): entry script and staged code
    req = cloud.training_job_request(aws, dataset, {"c": "1.0"}, role=ROLE)
    names = {m["Name"] for m in req["AlgorithmSpecification"]["MetricDefinitions"]}
    assert {"train_brier", "validation_brier"} <= names
    code_prefix = next(c for c in req["InputDataConfig"] if c["ChannelName"] == "code")["DataSource"]["S3DataSource"]
    bucket, _, key = code_prefix["S3Uri"][len("s3://") :].partition("/")
    assert key.endswith("/sourcedir.tar.gz")  # one upload of the staged source, unpacked by the job's driver
    assert [o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]] == [key]
    body = client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        members = set(tar.getnames())
    assert {"sagemaker/train.py", "courtside/training/core.py", "requirements.txt"} <= members
    assert not any(".venv" in m or m.endswith((".parquet", ".pyc")) for m in members)
