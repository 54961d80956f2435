"""Courtside-ML: artifacts bucket, SageMaker execution role, model registry groups, the pre-game endpoint with
data capture, its Model Monitor data-quality schedule, and (when its function exists) scheduled retraining."""

from __future__ import annotations

from aws_cdk import Annotations, CfnMapping, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from courtside.config import REPO_ROOT
from infra.constructs import (
    SAGEMAKER_IMAGE_ACCOUNTS,
    CourtsideFunction,
    InfraConfig,
    acknowledge,
    grant_kms,
    objects_arn,
    objects_finding,
)
from infra.stacks.ingestion import failure_queue, stream_consumer
from infra.stacks.lake import CURATED_PREFIX, DATASETS_PREFIX, secure_bucket

MODELS_PREFIX = "models/"
DATACAPTURE_PREFIX = "datacapture"
MONITORING_PREFIX = "monitoring"
SKLEARN_REPOSITORY = "sagemaker-scikit-learn"
SKLEARN_TAG = "1.2-1-cpu-py3"
MODEL_MONITOR_REPOSITORY = "sagemaker-model-monitor-analyzer"
LABELED_CAPTURES_PREFIX = "captures_labeled/"
CAPTURES_PREFIX = "captures/"
#: Where training writes the current Model Monitor baseline (courtside.monitoring.drift.Baseline.save -> latest/).
BASELINE_PREFIX = f"{MONITORING_PREFIX}/baseline/latest"
MONITOR_DIR = REPO_ROOT / "functions" / "monitor"
RETRAIN_DIR = REPO_ROOT / "functions" / "retrain"
OUTCOMES_DIR = REPO_ROOT / "functions" / "outcomes"
OUTCOMES_PREFIX = "outcomes/"
OFFLINE_FEATURES_PREFIX = "features/pregame/"


class MlStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        s3_key: kms.IKey,
        sagemaker_key: kms.IKey,
        ops_key: kms.IKey,
        access_logs_bucket: s3.IBucket,
        validated_stream: kinesis.IStream | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Courtside ML: artifacts, registry, endpoint, monitoring", **kwargs)
        names = config.names
        self.config = config
        lake_bucket = config.bucket_name(names.lake_bucket)
        artifacts_bucket = config.bucket_name(names.artifacts_bucket)

        self.artifacts = secure_bucket(
            self,
            "ArtifactsBucket",
            bucket_name=artifacts_bucket,
            key=s3_key,
            access_logs=access_logs_bucket,
            log_prefix="artifacts/",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-datacapture", prefix=f"{DATACAPTURE_PREFIX}/", expiration=Duration.days(365)
                ),
                s3.LifecycleRule(
                    id="expire-monitoring-reports",
                    prefix=f"{MONITORING_PREFIX}/reports/",
                    expiration=Duration.days(180),
                ),
                s3.LifecycleRule(id="noncurrent-versions", noncurrent_version_expiration=Duration.days(180)),
                s3.LifecycleRule(id="abort-multipart", abort_incomplete_multipart_upload_after=Duration.days(7)),
            ],
        )
        artifacts_uri = f"s3://{artifacts_bucket}"

        # Public SageMaker images (region -> AWS-owned ECR account) -----------------------------------------------
        images = CfnMapping(
            self,
            "SageMakerImages",
            mapping={
                region: {"sklearn": sk, "modelmonitor": mm} for region, (sk, mm) in SAGEMAKER_IMAGE_ACCOUNTS.items()
            },
        )
        sklearn_account = images.find_in_map(self.region, "sklearn")
        monitor_account = images.find_in_map(self.region, "modelmonitor")
        ecr_host = f"dkr.ecr.{self.region}.{self.url_suffix}"
        self.sklearn_image = (
            config.sklearn_image_uri or f"{sklearn_account}.{ecr_host}/{SKLEARN_REPOSITORY}:{SKLEARN_TAG}"
        )
        self.monitor_image = (
            config.model_monitor_image_uri or f"{monitor_account}.{ecr_host}/{MODEL_MONITOR_REPOSITORY}"
        )

        # SageMaker execution role (training, hosting, monitoring) -----------------------------------------------
        self.role = iam.Role(
            self,
            "SageMakerRole",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description="Courtside SageMaker execution role (least privilege, no managed policies)",
        )
        role = self.role
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadLakeTrainingData",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[
                    objects_arn(self, lake_bucket, f"{CURATED_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{DATASETS_PREFIX}*"),
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListLakeTrainingPrefixes",
                actions=["s3:ListBucket"],
                resources=[f"arn:{self.partition}:s3:::{lake_bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{CURATED_PREFIX}*", f"{DATASETS_PREFIX}*"]}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadWriteArtifacts",
                actions=[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                ],
                resources=[objects_arn(self, artifacts_bucket)],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListArtifacts",
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[self.artifacts.bucket_arn],
            )
        )
        grant_kms(role, s3_key, encrypt=True, decrypt=True)
        grant_kms(role, sagemaker_key, encrypt=True, decrypt=True)
        role.add_to_policy(
            iam.PolicyStatement(
                sid="SageMakerVolumeGrants",
                actions=["kms:CreateGrant"],
                resources=[sagemaker_key.key_arn],
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )
        log_groups = f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:/aws/sagemaker/*"
        role.add_to_policy(
            iam.PolicyStatement(
                sid="SageMakerLogs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[log_groups],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishCourtsideMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringLike": {"cloudwatch:namespace": ["Courtside", "/aws/sagemaker/*"]}},
            )
        )
        role.add_to_policy(iam.PolicyStatement(sid="EcrAuth", actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        role.add_to_policy(
            iam.PolicyStatement(
                sid="PullSageMakerImages",
                actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                resources=[
                    f"arn:{self.partition}:ecr:{self.region}:{sklearn_account}:repository/{SKLEARN_REPOSITORY}",
                    f"arn:{self.partition}:ecr:{self.region}:{monitor_account}:repository/{MODEL_MONITOR_REPOSITORY}",
                    f"arn:{self.partition}:ecr:{self.region}:{self.account}:repository/{config.settings.prefix}-*",
                ],
            )
        )
        for finding, reason in {
            objects_finding(lake_bucket, f"{CURATED_PREFIX}*"): "Training reads curated lake tables: one prefix.",
            objects_finding(lake_bucket, f"{DATASETS_PREFIX}*"): "Training reads versioned datasets: one prefix.",
            objects_finding(artifacts_bucket): (
                "SageMaker reads and writes models, data capture and monitoring reports anywhere in the dedicated "
                "artifacts bucket (no other bucket)."
            ),
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
            "/aws/sagemaker/*]": "SageMaker jobs and endpoints create their own log groups under /aws/sagemaker/.",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/"
            f"{names.prefix}-*]": "Pull access to this account's Courtside image repositories only (name prefix).",
            "AwsSolutions-IAM5[Resource::*]": (
                "ecr:GetAuthorizationToken has no resource-level permissions; cloudwatch:PutMetricData is restricted "
                "by a cloudwatch:namespace condition (Courtside, /aws/sagemaker/*)."
            ),
        }.items():
            acknowledge(self.role, finding, reason)

        # Model registry ---------------------------------------------------------------------------------------
        self.model_package_group = sagemaker.CfnModelPackageGroup(
            self,
            "PregameModelPackageGroup",
            model_package_group_name=names.model_package_group,
            model_package_group_description="Pre-game home-win probability models (Courtside)",
        )
        self.live_model_package_group = sagemaker.CfnModelPackageGroup(
            self,
            "LiveModelPackageGroup",
            model_package_group_name=names.live_model_package_group,
            model_package_group_description="Live in-game win probability models (Courtside)",
        )
        sagemaker_arn = f"arn:{self.partition}:sagemaker:{self.region}:{self.account}"
        self.model_package_group_arn = f"{sagemaker_arn}:model-package-group/{names.model_package_group}"
        self.model_packages_arn = f"{sagemaker_arn}:model-package/{names.model_package_group}/*"

        # Pre-game endpoint --------------------------------------------------------------------------------------
        model_data_url = config.model_data_url or f"{artifacts_uri}/{MODELS_PREFIX}pregame/model.tar.gz"
        self.model = sagemaker.CfnModel(
            self,
            "PregameModel",
            execution_role_arn=role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=self.sklearn_image,
                model_data_url=model_data_url,
                environment={
                    "SAGEMAKER_PROGRAM": "inference.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
                    "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
                    "COURTSIDE_PREFIX": config.settings.prefix,
                },
            ),
        )
        self.model.node.add_dependency(role)
        self.capture_uri = f"{artifacts_uri}/{DATACAPTURE_PREFIX}"
        serverless = config.endpoint_mode == "serverless"
        if serverless:
            # SageMaker Serverless Inference supports neither data capture nor Model Monitor nor a KMS volume key:
            # in this mode drift is monitored from the API's own captures (lake captures/) only.
            variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="AllTraffic",
                model_name=self.model.attr_model_name,
                serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                    memory_size_in_mb=2048, max_concurrency=5
                ),
            )
            self.endpoint_config = sagemaker.CfnEndpointConfig(
                self, "PregameEndpointConfig", production_variants=[variant]
            )
        else:
            variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="AllTraffic",
                model_name=self.model.attr_model_name,
                initial_instance_count=1,
                instance_type=config.endpoint_instance_type,
                initial_variant_weight=1.0,
            )
            self.endpoint_config = sagemaker.CfnEndpointConfig(
                self,
                "PregameEndpointConfig",
                production_variants=[variant],
                kms_key_id=sagemaker_key.key_arn,
                data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                    enable_capture=True,
                    initial_sampling_percentage=100,
                    destination_s3_uri=self.capture_uri,
                    kms_key_id=sagemaker_key.key_arn,
                    capture_options=[
                        sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                        sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output"),
                    ],
                    capture_content_type_header=sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
                        json_content_types=["application/json"], csv_content_types=["text/csv"]
                    ),
                ),
            )
        self.endpoint = sagemaker.CfnEndpoint(
            self, "PregameEndpoint", endpoint_config_name=self.endpoint_config.attr_endpoint_config_name
        )
        self.endpoint_name = self.endpoint.attr_endpoint_name
        self.endpoint_arn = self.endpoint.ref  # Ref of AWS::SageMaker::Endpoint is its ARN

        # Model Monitor: hourly data-quality job against the training baseline --------------------------------
        self.monitoring_schedule: sagemaker.CfnMonitoringSchedule | None = None
        if not serverless:
            self._model_monitor(names.model_package_group, artifacts_uri, sagemaker_key)

        # Retraining (only when another team has added functions/retrain) -------------------------------------
        self.retrain_rule: events.Rule | None = None
        if RETRAIN_DIR.is_dir():
            self._retraining(config, ops_key, s3_key)

        # Monitor (only when functions/monitor exists): hourly drift + rolling performance -> Courtside metrics ---
        self.monitor_rule: events.Rule | None = None
        if MONITOR_DIR.is_dir():
            self._monitor(config, ops_key, s3_key)

        # Outcomes (when functions/outcomes exists and the validated stream is given): game_final -> labels ------
        self.outcomes: CourtsideFunction | None = None
        if OUTCOMES_DIR.exists() and validated_stream is not None:
            self._outcomes(config, ops_key, s3_key, validated_stream)

    def _batch_layers(self, config: InfraConfig) -> list[lambda_.ILayerVersion]:
        """pandas/numpy/pyarrow for the batch-style functions (monitor, outcomes, retrain), from context
        ``pandasLayerArn`` (e.g. AWS SDK for pandas; not built locally: the dependency layer is Powertools +
        pydantic only). Without it those functions synthesize but fail at import: `cdk synth` prints an info
        message saying so."""
        if not config.pandas_layer_arn:
            if self.node.try_find_child("PandasLayerMissing") is None:
                Construct(self, "PandasLayerMissing")
                Annotations.of(self).add_info(
                    "courtside:pandasLayer: no pandasLayerArn context: the monitor, outcomes and retrain functions "
                    "need pandas, numpy and pyarrow (e.g. the AWS SDK for pandas layer) and fail at import without it."
                )
            return []
        existing = self.node.try_find_child("PandasLayer")
        return [existing or lambda_.LayerVersion.from_layer_version_arn(self, "PandasLayer", config.pandas_layer_arn)]

    def _retrain_layers(self, config: InfraConfig) -> list[lambda_.ILayerVersion]:
        """The batch layers plus ``retrainLayerArns`` (scikit-learn for the challenger fit); at most 5 in all."""
        extra = [
            lambda_.LayerVersion.from_layer_version_arn(self, f"RetrainLayer{i}", arn)
            for i, arn in enumerate(config.retrain_layer_arns)
        ]
        if config.pandas_layer_arn and not extra:
            Annotations.of(self).add_info(
                "courtside:retrainLayers: no retrainLayerArns context: the retrain function fits with scikit-learn, "
                "which the pandas layer does not ship; pass a layer with scikit-learn in retrainLayerArns."
            )
        return [*self._batch_layers(config), *extra]

    def _monitor(self, config: InfraConfig, ops_key: kms.IKey, s3_key: kms.IKey) -> None:
        names = config.names
        artifacts_bucket = config.bucket_name(names.artifacts_bucket)
        lake_bucket = config.bucket_name(names.lake_bucket)
        self.monitor = CourtsideFunction(
            self,
            "Monitor",
            config=config,
            handler="functions/monitor/handler.handler",
            service="courtside-monitor",
            description="Hourly drift (PSI vs the training baseline) and rolling Brier of labeled captures",
            logs_key=ops_key,
            memory_size=1024,
            timeout=Duration.minutes(5),
            extra_layers=self._batch_layers(config),
            wildcard_resource_reason=(
                "cloudwatch:PutMetricData has no resource-level permissions; it is restricted by a "
                "cloudwatch:namespace condition to Courtside."
            ),
            environment={"COURTSIDE_ARTIFACTS_BUCKET": artifacts_bucket, "COURTSIDE_LAKE_BUCKET": lake_bucket},
        )
        role = self.monitor.role
        reads = [
            objects_arn(self, artifacts_bucket, f"{MONITORING_PREFIX}/baseline/*"),
            objects_arn(self, lake_bucket, f"{CAPTURES_PREFIX}*"),
            objects_arn(self, lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"),
            objects_arn(self, lake_bucket, f"{OUTCOMES_PREFIX}*"),
        ]
        role.add_to_policy(
            iam.PolicyStatement(sid="ReadBaselineAndCaptures", actions=["s3:GetObject"], resources=reads)
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteViolations",
                actions=["s3:PutObject"],
                resources=[
                    objects_arn(self, artifacts_bucket, f"{MONITORING_PREFIX}/violations/*"),
                    # late captures are labeled by the monitor's sweep (courtside.monitoring.outcomes.relabel_stale)
                    objects_arn(self, lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"),
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListMonitoringInputs",
                actions=["s3:ListBucket"],
                resources=[f"arn:{self.partition}:s3:::{artifacts_bucket}", f"arn:{self.partition}:s3:::{lake_bucket}"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishCourtsideMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": "Courtside"}},
            )
        )
        grant_kms(role, s3_key, encrypt=True, decrypt=True)
        for finding, reason in {
            objects_finding(
                artifacts_bucket, f"{MONITORING_PREFIX}/baseline/*"
            ): "Reads the Model Monitor training baseline files only.",
            objects_finding(artifacts_bucket, f"{MONITORING_PREFIX}/violations/*"): (
                "Writes drift reports and constraint violations under one prefix only."
            ),
            objects_finding(
                lake_bucket, f"{CAPTURES_PREFIX}*"
            ): "Reads recent prediction captures for drift, read-only.",
            objects_finding(
                lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"
            ): "Reads labeled captures (joined outcomes) for rolling Brier and rebuilds those of late captures.",
            objects_finding(lake_bucket, f"{OUTCOMES_PREFIX}*"): "Reads game outcomes to label late captures.",
        }.items():
            acknowledge(self.monitor, finding, reason)
        self.monitor_rule = events.Rule(
            self,
            "MonitorSchedule",
            description="Hourly drift and performance monitoring of the pre-game model",
            schedule=events.Schedule.cron(minute="15"),
            targets=[targets.LambdaFunction(self.monitor.function, retry_attempts=2)],
        )

    def _outcomes(
        self, config: InfraConfig, ops_key: kms.IKey, s3_key: kms.IKey, validated_stream: kinesis.IStream
    ) -> None:
        """A second consumer of the validated stream: each `game_final` is joined to its captured predictions."""
        lake_bucket = config.bucket_name(config.names.lake_bucket)
        self.outcomes = CourtsideFunction(
            self,
            "Outcomes",
            config=config,
            handler="functions/outcomes/handler.handler",
            service="courtside-outcomes",
            description="Joins each game_final to every captured prediction of that game (labeled captures)",
            logs_key=ops_key,
            memory_size=1024,
            timeout=Duration.minutes(2),
            extra_layers=self._batch_layers(config),
            environment={"COURTSIDE_LAKE_BUCKET": lake_bucket},
        )
        role = self.outcomes.role
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadCapturesAndOutcomes",
                actions=["s3:GetObject"],
                resources=[
                    objects_arn(self, lake_bucket, f"{CAPTURES_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{OUTCOMES_PREFIX}*"),
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteOutcomesAndLabels",
                actions=["s3:PutObject"],
                resources=[
                    objects_arn(self, lake_bucket, f"{OUTCOMES_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"),
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListLake", actions=["s3:ListBucket"], resources=[f"arn:{self.partition}:s3:::{lake_bucket}"]
            )
        )
        grant_kms(role, s3_key, encrypt=True, decrypt=True)
        self.outcomes_dlq = failure_queue(self, "OutcomesFailures")
        stream_consumer(self.outcomes.function, validated_stream, self.outcomes_dlq)
        for finding, reason in {
            objects_finding(lake_bucket, f"{CAPTURES_PREFIX}*"): "Reads the captures of finished games, read-only.",
            objects_finding(lake_bucket, f"{OUTCOMES_PREFIX}*"): "Keeps the outcomes table under one lake prefix.",
            objects_finding(lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"): "Writes labeled captures, one lake prefix.",
        }.items():
            acknowledge(self.outcomes, finding, reason)

    # ---------------------------------------------------------------------------------------------------------
    def _model_monitor(self, group: str, artifacts_uri: str, key: kms.IKey) -> None:
        baseline = f"{artifacts_uri}/{BASELINE_PREFIX}"
        self.data_quality_job = sagemaker.CfnDataQualityJobDefinition(
            self,
            "DataQualityJobDefinition",
            job_definition_name=f"{group}-data-quality",
            role_arn=self.role.role_arn,
            data_quality_app_specification=sagemaker.CfnDataQualityJobDefinition.DataQualityAppSpecificationProperty(
                image_uri=self.monitor_image,
                environment={"publish_cloudwatch_metrics": "Enabled"},
            ),
            data_quality_baseline_config=sagemaker.CfnDataQualityJobDefinition.DataQualityBaselineConfigProperty(
                constraints_resource=sagemaker.CfnDataQualityJobDefinition.ConstraintsResourceProperty(
                    s3_uri=f"{baseline}/constraints.json"
                ),
                statistics_resource=sagemaker.CfnDataQualityJobDefinition.StatisticsResourceProperty(
                    s3_uri=f"{baseline}/statistics.json"
                ),
            ),
            data_quality_job_input=sagemaker.CfnDataQualityJobDefinition.DataQualityJobInputProperty(
                endpoint_input=sagemaker.CfnDataQualityJobDefinition.EndpointInputProperty(
                    endpoint_name=self.endpoint_name,
                    local_path="/opt/ml/processing/input/endpoint",
                    s3_input_mode="File",
                    s3_data_distribution_type="FullyReplicated",
                )
            ),
            data_quality_job_output_config=sagemaker.CfnDataQualityJobDefinition.MonitoringOutputConfigProperty(
                kms_key_id=key.key_arn,
                monitoring_outputs=[
                    sagemaker.CfnDataQualityJobDefinition.MonitoringOutputProperty(
                        s3_output=sagemaker.CfnDataQualityJobDefinition.S3OutputProperty(
                            s3_uri=f"{artifacts_uri}/{MONITORING_PREFIX}/reports",
                            local_path="/opt/ml/processing/output",
                            s3_upload_mode="EndOfJob",
                        )
                    )
                ],
            ),
            job_resources=sagemaker.CfnDataQualityJobDefinition.MonitoringResourcesProperty(
                cluster_config=sagemaker.CfnDataQualityJobDefinition.ClusterConfigProperty(
                    instance_count=1,
                    instance_type="ml.m5.large",
                    volume_size_in_gb=20,
                    volume_kms_key_id=key.key_arn,
                )
            ),
            network_config=sagemaker.CfnDataQualityJobDefinition.NetworkConfigProperty(
                enable_inter_container_traffic_encryption=True
            ),
            stopping_condition=sagemaker.CfnDataQualityJobDefinition.StoppingConditionProperty(
                max_runtime_in_seconds=1800
            ),
        )
        self.data_quality_job.node.add_dependency(self.endpoint)
        self.data_quality_job.node.add_dependency(self.role)
        self.monitoring_schedule = sagemaker.CfnMonitoringSchedule(
            self,
            "DataQualitySchedule",
            monitoring_schedule_name=f"{group}-data-quality",
            monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                monitoring_job_definition_name=f"{group}-data-quality",
                monitoring_type="DataQuality",
                schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(
                    schedule_expression="cron(0 * ? * * *)"
                ),
            ),
        )
        self.monitoring_schedule.node.add_dependency(self.data_quality_job)

    def _retraining(self, config: InfraConfig, ops_key: kms.IKey, s3_key: kms.IKey) -> None:
        names = config.names
        artifacts_bucket = config.bucket_name(names.artifacts_bucket)
        self.retrain = CourtsideFunction(
            self,
            "Retrain",
            config=config,
            handler="functions/retrain/handler.handler",
            service="courtside-retrain",
            description="Retrains the pre-game model when due (schedule or drift alarm) and gates it in the registry",
            logs_key=ops_key,
            memory_size=1024,
            extra_layers=self._retrain_layers(config),
            wildcard_resource_reason=(
                "sagemaker:ListModelPackages has no resource-level permissions (read-only listing of the registry)."
            ),
            timeout=Duration.minutes(5),
            environment={
                "COURTSIDE_ARTIFACTS_BUCKET": artifacts_bucket,
                "COURTSIDE_LAKE_BUCKET": config.bucket_name(names.lake_bucket),
                "COURTSIDE_SAGEMAKER_ROLE_ARN": self.role.role_arn,
                "COURTSIDE_MODEL_PACKAGE_GROUP": names.model_package_group,
            },
        )
        fn_role = self.retrain.role
        lake_bucket = config.bucket_name(names.lake_bucket)
        fn_role.add_to_policy(
            iam.PolicyStatement(
                sid="RegistryWrite",
                actions=[
                    "sagemaker:CreateModelPackage",
                    "sagemaker:UpdateModelPackage",
                    "sagemaker:DescribeModelPackage",
                    "sagemaker:AddTags",
                ],
                resources=[self.model_package_group_arn, self.model_packages_arn],
            )
        )
        fn_role.add_to_policy(
            iam.PolicyStatement(sid="RegistryList", actions=["sagemaker:ListModelPackages"], resources=["*"])
        )
        fn_role.add_to_policy(
            iam.PolicyStatement(
                sid="ArtifactsReadWrite",
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[objects_arn(self, artifacts_bucket)],
            )
        )
        fn_role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadTrainingRows",
                actions=["s3:GetObject"],
                resources=[
                    objects_arn(self, lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{CAPTURES_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{OUTCOMES_PREFIX}*"),
                    objects_arn(self, lake_bucket, f"{OFFLINE_FEATURES_PREFIX}*"),
                ],
            )
        )
        fn_role.add_to_policy(
            iam.PolicyStatement(
                sid="LabelLateCaptures",
                actions=["s3:PutObject"],
                resources=[objects_arn(self, lake_bucket, f"{LABELED_CAPTURES_PREFIX}*")],
            )
        )
        fn_role.add_to_policy(
            iam.PolicyStatement(
                sid="ListBuckets",
                actions=["s3:ListBucket"],
                resources=[f"arn:{self.partition}:s3:::{artifacts_bucket}", f"arn:{self.partition}:s3:::{lake_bucket}"],
            )
        )
        grant_kms(fn_role, s3_key, encrypt=True, decrypt=True)
        for finding, reason in {
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:"
            f"model-package/{names.model_package_group}/*]": "Model package versions of the pre-game group only.",
            objects_finding(artifacts_bucket): (
                "Retraining keeps its state, decision log and candidate models in the dedicated artifacts bucket."
            ),
            objects_finding(lake_bucket, f"{LABELED_CAPTURES_PREFIX}*"): (
                "Training rows include the labeled prediction captures; late captures are labeled first."
            ),
            objects_finding(lake_bucket, f"{CAPTURES_PREFIX}*"): "Reads captures to label late ones, read-only.",
            objects_finding(lake_bucket, f"{OUTCOMES_PREFIX}*"): "Counts finished games (retrain trigger), read-only.",
            objects_finding(lake_bucket, f"{OFFLINE_FEATURES_PREFIX}*"): (
                "Training rows start from the offline feature store's pre-game rows, read-only."
            ),
        }.items():
            acknowledge(self.retrain, finding, reason)
        self.retrain.role.node.add_dependency(self.model_package_group)
        self.retrain_rule = events.Rule(
            self,
            "RetrainSchedule",
            description="Scheduled retraining of the pre-game model (enable with context retrainEnabled=true)",
            schedule=events.Schedule.cron(minute="0", hour="9"),
            enabled=config.retrain_enabled,
            targets=[targets.LambdaFunction(self.retrain.function, retry_attempts=2)],
        )
