"""Context switches of the CDK app, on a small app (Keys + Lake + ML + Ingestion, no nag) to stay fast."""

from __future__ import annotations

import json

import pytest

from courtside.config import Settings

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    from aws_cdk import App

    from infra.constructs import InfraConfig
    from infra.stacks.ingestion import IngestionStack
    from infra.stacks.keys import KeysStack
    from infra.stacks.lake import LakeStack
    from infra.stacks.ml import MlStack

    context = {
        "aws:cdk:bundling-stacks": [],
        "placeholderAssets": True,
        "endpointMode": "serverless",
        "modelDataUrl": "s3://elsewhere/model.tar.gz",
        "nameSuffix": "dev1",
    }
    app = App(context=context, outdir=str(tmp_path_factory.mktemp("cdk.variant")))
    config = InfraConfig.from_scope(app, Settings(shard_count=0))
    keys = KeysStack(app, "Courtside-Keys", config=config)
    lake = LakeStack(app, "Courtside-Lake", config=config, s3_key=keys.s3)
    MlStack(
        app,
        "Courtside-ML",
        config=config,
        s3_key=keys.s3,
        sagemaker_key=keys.sagemaker,
        ops_key=keys.ops,
        access_logs_bucket=lake.access_logs,
    )
    IngestionStack(
        app,
        "Courtside-Ingestion",
        config=config,
        kinesis_key=keys.kinesis,
        dynamodb_key=keys.dynamodb,
        s3_key=keys.s3,
        ops_key=keys.ops,
    )
    return {s.stack_name: s.template for s in app.synth().stacks}


def _of_type(template, cfn_type):
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == cfn_type]


def test_serverless_mode_has_no_capture_and_no_schedule(variant):
    ml = variant["Courtside-ML"]
    (config,) = _of_type(ml, "AWS::SageMaker::EndpointConfig")
    assert "DataCaptureConfig" not in config
    assert "ServerlessConfig" in config["ProductionVariants"][0]
    assert _of_type(ml, "AWS::SageMaker::MonitoringSchedule") == []


def test_model_data_url_context(variant):
    (model,) = _of_type(variant["Courtside-ML"], "AWS::SageMaker::Model")
    assert model["PrimaryContainer"]["ModelDataUrl"] == "s3://elsewhere/model.tar.gz"


def test_name_suffix_applies_to_buckets_only(variant):
    names = Settings().names
    buckets = {b.get("BucketName") for t in variant.values() for b in _of_type(t, "AWS::S3::Bucket")}
    assert {f"{names.lake_bucket}-dev1", f"{names.quarantine_bucket}-dev1", f"{names.artifacts_bucket}-dev1"} <= buckets
    streams = {s["Name"] for s in _of_type(variant["Courtside-Ingestion"], "AWS::Kinesis::Stream")}
    assert streams == {names.stream, names.validated_stream}
    text = json.dumps(variant["Courtside-Ingestion"])
    assert f"{names.lake_bucket}-dev1/raw/*" in text  # grants follow the suffixed bucket


def test_zero_shards_means_on_demand(variant):
    for stream in _of_type(variant["Courtside-Ingestion"], "AWS::Kinesis::Stream"):
        assert stream["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
        assert "ShardCount" not in stream


def test_bad_endpoint_mode_is_rejected():
    from aws_cdk import App

    from infra.constructs import InfraConfig

    with pytest.raises(ValueError, match="endpointMode"):
        InfraConfig.from_scope(App(context={"endpointMode": "gpu"}))
