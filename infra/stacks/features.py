"""Courtside-Features: the online feature store and the streaming features function."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs import CourtsideFunction, InfraConfig
from infra.stacks.ingestion import failure_queue, grant_table, kv_table, stream_consumer


class FeaturesStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        validated_stream: kinesis.IStream,
        dynamodb_key: kms.IKey,
        ops_key: kms.IKey,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Courtside features: online store and streaming features", **kwargs)
        names = config.names

        self.online_table = kv_table(self, "OnlineTable", table_name=names.online_table, key=dynamodb_key)
        self.dlq = failure_queue(self, "FeaturesFailures")
        self.features = CourtsideFunction(
            self,
            "Features",
            config=config,
            handler="functions/features/handler.handler",
            service="courtside-features",
            description="Computes live and team-form features from validated events into the online store",
            logs_key=ops_key,
            memory_size=512,
            timeout=Duration.seconds(60),
            environment={"COURTSIDE_ONLINE_TABLE": names.online_table},
        )
        stream_consumer(self.features.function, validated_stream, self.dlq)
        grant_table(self.features.role, self.online_table, dynamodb_key, read=True, write=True)
