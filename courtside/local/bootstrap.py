"""Create Courtside's resources in moto, with the names and key schemas the CDK app deploys.

Idempotent: existing resources are left alone, so `courtside up` can restart against a running moto server.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from courtside.aws.clients import client
from courtside.config import Settings

# Key schema shared by the DynamoDB tables with a pk/sk design (the CDK stacks use the same).
PK_SK_TABLES = ("online_table", "state_table")


def _ignore_exists(fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except ClientError as err:
        code = err.response["Error"]["Code"]
        if code not in {
            "ResourceInUseException",
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
            "AlreadyExistsException",
            "ValidationException",
            "InvalidRequestException",
        }:
            raise


def create_resources(settings: Settings) -> dict[str, str]:
    """Create every resource; returns role -> physical name of what exists afterwards."""
    names = settings.names
    kinesis, s3, ddb = client("kinesis"), client("s3"), client("dynamodb")
    for stream in (names.stream, names.validated_stream):
        _ignore_exists(kinesis.create_stream, StreamName=stream, ShardCount=max(settings.shard_count, 1))
    for stream in (names.stream, names.validated_stream):
        kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    for bucket in (names.lake_bucket, names.quarantine_bucket, names.artifacts_bucket):
        _ignore_exists(s3.create_bucket, Bucket=bucket)
    for bucket in (names.lake_bucket, names.artifacts_bucket):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for role in PK_SK_TABLES:
        _ignore_exists(
            ddb.create_table,
            TableName=getattr(names, role),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        _ignore_exists(
            ddb.update_time_to_live,
            TableName=getattr(names, role),
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
        )
    _ignore_exists(
        ddb.create_table,
        TableName=names.consent_table,
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _ignore_exists(client("glue").create_database, DatabaseInput={"Name": names.glue_database})
    _ignore_exists(
        client("athena").create_work_group,
        Name=names.athena_workgroup,
        Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{names.lake_bucket}/athena-results/"}},
    )
    sm = client("sagemaker")
    for group in (names.model_package_group, names.live_model_package_group):
        _ignore_exists(sm.create_model_package_group, ModelPackageGroupName=group)
    return existing_names(settings)


def existing_names(settings: Settings) -> dict[str, str]:
    """Role -> physical name, read back from the services (what the local stack really created)."""
    names = settings.names
    found: dict[str, str] = {}
    streams = set(client("kinesis").list_streams()["StreamNames"])
    buckets = {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    tables = set(client("dynamodb").list_tables()["TableNames"])
    dbs = {d["Name"] for d in client("glue").get_databases()["DatabaseList"]}
    groups = {
        g["ModelPackageGroupName"]
        for g in client("sagemaker").list_model_package_groups()["ModelPackageGroupSummaryList"]
    }
    workgroups = {w["Name"] for w in client("athena").list_work_groups()["WorkGroups"]}
    for role, name in names.as_dict().items():
        if name in streams | buckets | tables | dbs | groups | workgroups:
            found[role] = name
    return found
