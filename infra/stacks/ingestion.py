"""Courtside-Ingestion: the event streams, the validate function, its state table, DLQ and alarms."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs import CourtsideFunction, InfraConfig, acknowledge, grant_kms, objects_arn, objects_finding
from infra.stacks.lake import RAW_PREFIX

#: ``service`` dimension of the validate function's Powertools metrics (``functions/validate/handler.py``).
VALIDATE_METRICS_SERVICE = "validate"
QUARANTINE_RATE_THRESHOLD = 0.05

PREFIX_WILDCARD_REASON = (
    "Object-level S3 permissions are scoped to one key prefix of one bucket ({}); the trailing wildcard is the "
    "object key below that prefix, no broader access is granted."
)


def kv_table(scope: Construct, id: str, *, table_name: str, key: kms.IKey, ttl: str | None = "ttl") -> dynamodb.Table:
    """DynamoDB table with pk/sk strings, on-demand billing, PITR, customer-managed KMS and TTL."""
    return dynamodb.Table(
        scope,
        id,
        table_name=table_name,
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        time_to_live_attribute=ttl,
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
    )


def event_stream(scope: Construct, id: str, *, stream_name: str, key: kms.IKey, shard_count: int) -> kinesis.Stream:
    """KMS-encrypted stream: on-demand when ``shard_count`` is 0, provisioned otherwise."""
    on_demand = shard_count <= 0
    return kinesis.Stream(
        scope,
        id,
        stream_name=stream_name,
        encryption=kinesis.StreamEncryption.KMS,
        encryption_key=key,
        stream_mode=kinesis.StreamMode.ON_DEMAND if on_demand else kinesis.StreamMode.PROVISIONED,
        shard_count=None if on_demand else shard_count,
        retention_period=Duration.hours(48),
        removal_policy=RemovalPolicy.RETAIN,
    )


def failure_queue(scope: Construct, id: str) -> sqs.Queue:
    """On-failure destination of a stream consumer. It receives batch metadata (shard, sequence numbers), never
    the records, so SQS-managed SSE is sufficient and keeps KMS grants off the function role."""
    queue = sqs.Queue(
        scope,
        id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(queue, "AwsSolutions-SQS3", "This queue is itself the dead-letter (on-failure) destination.")
    return queue


def stream_consumer(function: lambda_.IFunction, stream: kinesis.IStream, dlq: sqs.IQueue) -> None:
    """The platform's standard Kinesis event source mapping (partial batch responses, bisect, bounded retries)."""
    function.add_event_source(
        sources.KinesisEventSource(
            stream,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=100,
            max_batching_window=Duration.seconds(1),
            bisect_batch_on_error=True,
            retry_attempts=3,
            max_record_age=Duration.hours(6),
            report_batch_item_failures=True,
            on_failure=sources.SqsDlq(dlq),
        )
    )


def grant_stream_write(role: iam.IGrantable, stream: kinesis.IStream, key: kms.IKey) -> None:
    iam.Grant.add_to_principal(
        grantee=role,
        actions=["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards", "kinesis:DescribeStreamSummary"],
        resource_arns=[stream.stream_arn],
    )
    grant_kms(role, key, encrypt=True)


TABLE_READ_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]
TABLE_WRITE_ACTIONS = [
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
]


def grant_table(
    role: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey, *, read: bool = True, write: bool = False
) -> None:
    actions = (TABLE_READ_ACTIONS if read else []) + (TABLE_WRITE_ACTIONS if write else [])
    iam.Grant.add_to_principal(grantee=role, actions=actions, resource_arns=[table.table_arn])
    grant_kms(role, key, encrypt=write, decrypt=read)


class IngestionStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        kinesis_key: kms.IKey,
        dynamodb_key: kms.IKey,
        s3_key: kms.IKey,
        ops_key: kms.IKey,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Courtside ingestion: streams, validation, state, DLQ", **kwargs)
        names = config.names
        lake_bucket = config.bucket_name(names.lake_bucket)
        quarantine_bucket = config.bucket_name(names.quarantine_bucket)
        shards = config.settings.shard_count

        kds3 = (
            "Streams are encrypted with the customer-managed Courtside Kinesis key (rotation on, key policy "
            "auditable) on purpose, instead of the AWS-managed aws/kinesis key."
        )
        self.stream = event_stream(self, "EventsStream", stream_name=names.stream, key=kinesis_key, shard_count=shards)
        self.validated_stream = event_stream(
            self, "ValidatedStream", stream_name=names.validated_stream, key=kinesis_key, shard_count=shards
        )
        acknowledge(self.stream, "AwsSolutions-KDS3", kds3)
        acknowledge(self.validated_stream, "AwsSolutions-KDS3", kds3)
        self.state_table = kv_table(self, "StateTable", table_name=names.state_table, key=dynamodb_key)
        self.dlq = failure_queue(self, "ValidateFailures")

        self.validate = CourtsideFunction(
            self,
            "Validate",
            config=config,
            handler="functions/validate/handler.handler",
            service="courtside-validate",
            description="Validates raw game events; stores them in the lake, quarantines bad ones, forwards good ones",
            logs_key=ops_key,
            memory_size=512,
            timeout=Duration.seconds(60),
            environment={
                "COURTSIDE_VALIDATED_STREAM": names.validated_stream,
                "COURTSIDE_LAKE_BUCKET": lake_bucket,
                "COURTSIDE_QUARANTINE_BUCKET": quarantine_bucket,
                "COURTSIDE_STATE_TABLE": names.state_table,
            },
        )
        role = self.validate.role
        stream_consumer(self.validate.function, self.stream, self.dlq)
        grant_stream_write(role, self.validated_stream, kinesis_key)
        grant_table(role, self.state_table, dynamodb_key, read=True, write=True)
        iam.Grant.add_to_principal(
            grantee=role, actions=["s3:PutObject"], resource_arns=[objects_arn(self, lake_bucket, f"{RAW_PREFIX}*")]
        )
        iam.Grant.add_to_principal(
            grantee=role, actions=["s3:PutObject"], resource_arns=[objects_arn(self, quarantine_bucket)]
        )
        grant_kms(role, s3_key, encrypt=True)
        acknowledge(
            self.validate,
            objects_finding(lake_bucket, f"{RAW_PREFIX}*"),
            PREFIX_WILDCARD_REASON.format(f"lake {RAW_PREFIX}"),
        )
        acknowledge(
            self.validate,
            objects_finding(quarantine_bucket),
            "The validate function writes quarantined records with machine-readable reasons as new objects anywhere "
            "in the dedicated quarantine bucket (PutObject only, no read or delete).",
        )

        # Alarms ---------------------------------------------------------------------------------------------
        self.iterator_age_alarm = cloudwatch.Alarm(
            self,
            "IteratorAgeAlarm",
            alarm_description="Validate function is falling behind the events stream (iterator age > 60 s)",
            metric=self.validate.function.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(1)),
            threshold=60_000,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

        # QuarantineRate = quarantined / received, from the counts the validate handler publishes (Powertools EMF,
        # namespace Courtside, dimension service=VALIDATE_METRICS_SERVICE).
        def counter(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="Courtside",
                metric_name=name,
                dimensions_map={"service": VALIDATE_METRICS_SERVICE},
                statistic="Sum",
                period=Duration.minutes(5),
            )

        self.quarantine_rate = cloudwatch.MathExpression(
            expression="IF(received > 0, quarantined / received, 0)",
            using_metrics={"quarantined": counter("RecordsQuarantined"), "received": counter("RecordsIn")},
            label="QuarantineRate",
            period=Duration.minutes(5),
        )
        self.quarantine_rate_alarm = cloudwatch.Alarm(
            self,
            "QuarantineRateAlarm",
            alarm_description="QuarantineRate: more than 5% of incoming events are quarantined (Courtside namespace)",
            metric=self.quarantine_rate,
            threshold=QUARANTINE_RATE_THRESHOLD,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarms = [self.iterator_age_alarm, self.quarantine_rate_alarm]
