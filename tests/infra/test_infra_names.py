"""Every physical name in the synthesized templates comes from courtside.config (the local stack uses the same)."""

from __future__ import annotations

import pytest

from courtside.config import get_settings

pytestmark = pytest.mark.xdist_group("infra")

#: CloudFormation name-bearing properties that must only ever hold configured names.
NAME_PROPERTIES = {
    "AWS::Kinesis::Stream": ("Name",),
    "AWS::DynamoDB::Table": ("TableName",),
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::Glue::Database": ("DatabaseInput", "Name"),
    "AWS::Athena::WorkGroup": ("Name",),
    "AWS::SageMaker::ModelPackageGroup": ("ModelPackageGroupName",),
    "AWS::ApiGateway::RestApi": ("Name",),
}


def test_names_match_config(synth):
    from infra import names_in_templates
    from infra.names import configured_names

    expected = configured_names(get_settings().names)
    found = names_in_templates(synth.app)
    assert found == expected


def test_no_physical_name_outside_config(synth):
    from infra.names import configured_names

    configured = set(configured_names().values())
    for stack, template in synth.templates.items():
        for logical_id, resource in template["Resources"].items():
            path = NAME_PROPERTIES.get(resource["Type"])
            if path is None:
                continue
            value = resource.get("Properties", {})
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None and resource["Type"] == "AWS::S3::Bucket":
                continue  # the access-log bucket is unnamed on purpose (CloudFormation generates its name)
            assert value in configured, f"{stack}/{logical_id}: {value!r} is not a configured name"


def test_bucket_name_suffix_context_only_changes_buckets():
    from aws_cdk import App

    from infra.constructs import InfraConfig

    names = get_settings().names
    config = InfraConfig.from_scope(App(context={"nameSuffix": "dev1"}))
    assert config.bucket_name(names.lake_bucket) == f"{names.lake_bucket}-dev1"
    assert InfraConfig.from_scope(App()).bucket_name(names.lake_bucket) == names.lake_bucket
