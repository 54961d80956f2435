"""Courtside-Lake: the S3 lake (raw zone + curated tables), quarantine and access-log buckets, the Glue catalog
and the Athena workgroup."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs import InfraConfig, acknowledge

RAW_PREFIX = "raw/"
CURATED_PREFIX = "curated/"
DATASETS_PREFIX = "datasets/"
CAPTURES_PREFIX = "captures/"
ATHENA_RESULTS_PREFIX = "athena-results/"

#: Glue schema of the curated ``games`` table (partitioned by season).
GAMES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("game_key", "string"),
    ("date", "string"),
    ("is_playoff", "boolean"),
    ("neutral", "boolean"),
    ("home_team", "string"),
    ("away_team", "string"),
    ("home_score", "int"),
    ("away_score", "int"),
    ("fte_elo_prob_home", "double"),
)
#: Glue schema of the raw event envelope (JSON lines, partitioned by event_type and season).
RAW_EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("schema_version", "string"),
    ("event_id", "string"),
    ("game_id", "string"),
    ("occurred_at", "string"),
    ("payload", "string"),
)


def secure_bucket(
    scope: Construct,
    id: str,
    *,
    bucket_name: str,
    key: kms.IKey | None,
    access_logs: s3.IBucket | None,
    log_prefix: str = "",
    versioned: bool = False,
    lifecycle_rules: list[s3.LifecycleRule] | None = None,
) -> s3.Bucket:
    """A bucket with the platform's non-negotiables: SSE-KMS (bucket key on), all public access blocked,
    TLS-only, server access logs, objects owned by the bucket owner, retained on stack deletion."""
    return s3.Bucket(
        scope,
        id,
        bucket_name=bucket_name,
        encryption=s3.BucketEncryption.KMS if key is not None else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        bucket_key_enabled=key is not None,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=versioned,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix or None,
        lifecycle_rules=lifecycle_rules,
        removal_policy=RemovalPolicy.RETAIN,
    )


class LakeStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: InfraConfig, s3_key: kms.IKey, **kwargs) -> None:
        super().__init__(scope, id, description="Courtside lake: buckets, Glue catalog, Athena workgroup", **kwargs)
        names = config.names

        # S3 server access logging cannot deliver to SSE-KMS buckets: the log bucket uses SSE-S3.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the server-access-log destination bucket; logging it into itself would loop.",
        )

        self.lake = secure_bucket(
            self,
            "LakeBucket",
            bucket_name=config.bucket_name(names.lake_bucket),
            key=s3_key,
            access_logs=self.access_logs,
            log_prefix="lake/",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="raw-to-infrequent-access",
                    prefix=RAW_PREFIX,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=Duration.days(30)
                        )
                    ],
                ),
                s3.LifecycleRule(id="expire-captures", prefix=CAPTURES_PREFIX, expiration=Duration.days(365)),
                s3.LifecycleRule(
                    id="expire-athena-results", prefix=ATHENA_RESULTS_PREFIX, expiration=Duration.days(30)
                ),
                s3.LifecycleRule(id="noncurrent-versions", noncurrent_version_expiration=Duration.days(90)),
                s3.LifecycleRule(id="abort-multipart", abort_incomplete_multipart_upload_after=Duration.days(7)),
            ],
        )
        self.quarantine = secure_bucket(
            self,
            "QuarantineBucket",
            bucket_name=config.bucket_name(names.quarantine_bucket),
            key=s3_key,
            access_logs=self.access_logs,
            log_prefix="quarantine/",
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-quarantine", expiration=Duration.days(90)),
                s3.LifecycleRule(id="abort-multipart", abort_incomplete_multipart_upload_after=Duration.days(7)),
            ],
        )

        # Glue catalog -------------------------------------------------------------------------------------------
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=self.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=names.glue_database, description="Courtside lake: curated tables and raw events"
            ),
        )
        lake_uri = f"s3://{config.bucket_name(names.lake_bucket)}"
        self.games_table = glue.CfnTable(
            self,
            "GamesTable",
            catalog_id=self.account,
            database_name=names.glue_database,
            table_input=glue.CfnTable.TableInputProperty(
                name="games",
                description="One row per game (curated, Parquet)",
                table_type="EXTERNAL_TABLE",
                parameters={"classification": "parquet", "parquet.compression": "SNAPPY", "EXTERNAL": "TRUE"},
                partition_keys=[glue.CfnTable.ColumnProperty(name="season", type="int")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in GAMES_COLUMNS],
                    location=f"{lake_uri}/{CURATED_PREFIX}games/",
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                        parameters={"serialization.format": "1"},
                    ),
                ),
            ),
        )
        self.games_table.node.add_dependency(self.database)
        self.raw_events_table = glue.CfnTable(
            self,
            "RawEventsTable",
            catalog_id=self.account,
            database_name=names.glue_database,
            table_input=glue.CfnTable.TableInputProperty(
                name="raw_events",
                description="Validated raw events as received (JSON lines)",
                table_type="EXTERNAL_TABLE",
                parameters={"classification": "json", "EXTERNAL": "TRUE"},
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name="event_type", type="string"),
                    glue.CfnTable.ColumnProperty(name="season", type="int"),
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in RAW_EVENT_COLUMNS],
                    location=f"{lake_uri}/{RAW_PREFIX}events/",
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe",
                        parameters={"ignore.malformed.json": "FALSE"},
                    ),
                ),
            ),
        )
        self.raw_events_table.node.add_dependency(self.database)

        # Athena ---------------------------------------------------------------------------------------------
        self.workgroup = athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=names.athena_workgroup,
            description="Courtside analysts: encrypted results in the lake, settings enforced",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=10 * 1024**3,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"{lake_uri}/{ATHENA_RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=s3_key.key_arn
                    ),
                ),
            ),
        )
