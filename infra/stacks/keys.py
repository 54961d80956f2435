"""Courtside-Keys: the customer-managed KMS keys (rotation on) every other stack encrypts with."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs import InfraConfig


class KeysStack(Stack):
    """One key per data domain, so that a grant on one never opens another:

    - ``s3``: lake, quarantine and artifacts buckets, Athena results;
    - ``kinesis``: the raw and validated streams;
    - ``dynamodb``: online feature store, ingestion state and consent tables;
    - ``sagemaker``: endpoint storage, data capture, Model Monitor outputs and volumes;
    - ``ops``: CloudWatch log groups and the alarm SNS topic (service principals need key-policy access).
    """

    def __init__(self, scope: Construct, id: str, *, config: InfraConfig, **kwargs) -> None:
        super().__init__(scope, id, description="Courtside customer-managed KMS keys", **kwargs)
        prefix = config.settings.prefix

        def key(name: str, purpose: str) -> kms.Key:
            return kms.Key(
                self,
                f"{name.capitalize()}Key",
                alias=f"alias/{prefix}/{name}",
                description=f"Courtside {purpose}",
                enable_key_rotation=True,
                rotation_period=Duration.days(365),
                removal_policy=RemovalPolicy.RETAIN,
            )

        self.s3 = key("s3", "S3 buckets (lake, quarantine, artifacts) and Athena results")
        self.kinesis = key("kinesis", "Kinesis streams")
        self.dynamodb = key("dynamodb", "DynamoDB tables")
        self.sagemaker = key("sagemaker", "SageMaker endpoint storage, data capture and monitoring")
        self.ops = key("ops", "CloudWatch Logs and alarm notifications")

        log_groups = f"arn:{self.partition}:logs:{self.region}:{self.account}:*"
        # CloudWatch Logs encrypts log groups with the ops key (scoped to this account's log groups).
        self.ops.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogs",
                principals=[iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            )
        )
        # CloudWatch alarms publish to the KMS-encrypted SNS topic.
        self.ops.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToSns",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
