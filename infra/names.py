"""Read the physical names back out of the synthesized templates (role -> name, as ``ResourceNames.as_dict()``)."""

from __future__ import annotations

from typing import Any

from aws_cdk import App

from courtside.config import ResourceNames, get_settings

#: role -> (stack name, CloudFormation type, logical-id prefix, path to the name inside Properties)
NAME_LOCATIONS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "stream": ("Courtside-Ingestion", "AWS::Kinesis::Stream", "EventsStream", ("Name",)),
    "validated_stream": ("Courtside-Ingestion", "AWS::Kinesis::Stream", "ValidatedStream", ("Name",)),
    "state_table": ("Courtside-Ingestion", "AWS::DynamoDB::Table", "StateTable", ("TableName",)),
    "online_table": ("Courtside-Features", "AWS::DynamoDB::Table", "OnlineTable", ("TableName",)),
    "consent_table": ("Courtside-Api", "AWS::DynamoDB::Table", "ConsentTable", ("TableName",)),
    "lake_bucket": ("Courtside-Lake", "AWS::S3::Bucket", "LakeBucket", ("BucketName",)),
    "quarantine_bucket": ("Courtside-Lake", "AWS::S3::Bucket", "QuarantineBucket", ("BucketName",)),
    "artifacts_bucket": ("Courtside-ML", "AWS::S3::Bucket", "ArtifactsBucket", ("BucketName",)),
    "glue_database": ("Courtside-Lake", "AWS::Glue::Database", "Database", ("DatabaseInput", "Name")),
    "athena_workgroup": ("Courtside-Lake", "AWS::Athena::WorkGroup", "Workgroup", ("Name",)),
    "model_package_group": (
        "Courtside-ML",
        "AWS::SageMaker::ModelPackageGroup",
        "PregameModelPackageGroup",
        ("ModelPackageGroupName",),
    ),
    "live_model_package_group": (
        "Courtside-ML",
        "AWS::SageMaker::ModelPackageGroup",
        "LiveModelPackageGroup",
        ("ModelPackageGroupName",),
    ),
    "api_name": ("Courtside-Api", "AWS::ApiGateway::RestApi", "RestApi", ("Name",)),
    "api_stage": ("Courtside-Api", "AWS::ApiGateway::Stage", "RestApiDeploymentStage", ("StageName",)),
}


def _dig(properties: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = properties
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def templates(app: App) -> dict[str, dict[str, Any]]:
    """Stack name -> synthesized template (synthesizes ``app`` once; later calls reuse the assembly)."""
    assembly = app.synth()
    return {stack.stack_name: stack.template for stack in assembly.stacks}


def extract_names(app: App) -> dict[str, str]:
    suffix = app.node.try_get_context("nameSuffix") or ""
    by_stack = templates(app)
    found: dict[str, str] = {}
    for role, (stack, cfn_type, logical_prefix, path) in NAME_LOCATIONS.items():
        resources = by_stack[stack]["Resources"]
        matches = [
            _dig(r.get("Properties", {}), path)
            for logical_id, r in resources.items()
            if r["Type"] == cfn_type and logical_id.startswith(logical_prefix)
        ]
        if len(matches) != 1 or not isinstance(matches[0], str):
            raise LookupError(
                f"{role}: expected one literal name in {stack} {cfn_type} {logical_prefix}*, got {matches}"
            )
        name = matches[0]
        if suffix and cfn_type == "AWS::S3::Bucket" and name.endswith(f"-{suffix}"):
            name = name[: -len(suffix) - 1]
        found[role] = name
    return found


def configured_names(names: ResourceNames | None = None) -> dict[str, str]:
    """``ResourceNames.as_dict()`` restricted to the names Courtside declares (``as_dict`` also returns pydantic's own
    properties such as ``model_fields_set``, which are not resource names)."""
    names = names or get_settings().names
    own = {k for k, v in vars(ResourceNames).items() if isinstance(v, property)}
    return {k: v for k, v in names.as_dict().items() if k in own and isinstance(v, str)}
