"""Courtside-Api: consent table, predict function and the REST API (API keys, usage plan, validation, WAF)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constructs import CourtsideFunction, InfraConfig, acknowledge, grant_kms, objects_arn, objects_finding
from infra.stacks.ingestion import TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS
from infra.stacks.lake import CAPTURES_PREFIX
from infra.stacks.ml import MODELS_PREFIX

#: JSON Schema of ``POST /v1/predictions/pregame`` (validated by API Gateway before the function runs).
PREGAME_REQUEST_SCHEMA = apigw.JsonSchema(
    schema=apigw.JsonSchemaVersion.DRAFT4,
    title="PregameRequest",
    type=apigw.JsonSchemaType.OBJECT,
    required=["date", "home_team", "away_team"],
    additional_properties=False,
    properties={
        "date": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, pattern=r"^\d{4}-\d{2}-\d{2}$"),
        "home_team": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, pattern="^[A-Z]{2,4}$"),
        "away_team": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, pattern="^[A-Z]{2,4}$"),
        "neutral": apigw.JsonSchema(type=apigw.JsonSchemaType.BOOLEAN),
        "user_id": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, min_length=1, max_length=128),
    },
)

API_RATE_LIMIT = 50
API_BURST_LIMIT = 100
API_DAILY_QUOTA = 100_000
WAF_RATE_LIMIT_PER_5_MIN = 2000


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        dynamodb_key: kms.IKey,
        s3_key: kms.IKey,
        ops_key: kms.IKey,
        online_table: dynamodb.ITable,
        model_package_group_arn: str,
        model_packages_arn: str,
        endpoint_name: str,
        endpoint_arn: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Courtside API: predictions, live odds, consent", **kwargs)
        names = config.names
        artifacts_bucket = config.bucket_name(names.artifacts_bucket)
        lake_bucket = config.bucket_name(names.lake_bucket)

        self.consent_table = dynamodb.Table(
            self,
            "ConsentTable",
            table_name=names.consent_table,
            partition_key=dynamodb.Attribute(name="user_id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=dynamodb_key,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        # Predict function ---------------------------------------------------------------------------------------
        self.predict = CourtsideFunction(
            self,
            "Predict",
            config=config,
            handler="functions/predict/handler.handler",
            service="courtside-predict",
            description="Serves pre-game and live win probabilities, consent records and health",
            logs_key=ops_key,
            memory_size=512,
            timeout=Duration.seconds(10),
            reserved_concurrent_executions=config.predict_reserved_concurrency,
            wildcard_resource_reason=(
                "sagemaker:ListModelPackages has no resource-level permissions either (read-only listing; "
                "Describe is scoped to the pre-game group's packages)."
            ),
            environment={
                "COURTSIDE_ONLINE_TABLE": names.online_table,
                "COURTSIDE_CONSENT_TABLE": names.consent_table,
                "COURTSIDE_ARTIFACTS_BUCKET": artifacts_bucket,
                "COURTSIDE_LAKE_BUCKET": lake_bucket,
                "COURTSIDE_MODEL_PACKAGE_GROUP": names.model_package_group,
                "COURTSIDE_PREGAME_ENDPOINT": endpoint_name,
            },
        )
        role = self.predict.role
        iam.Grant.add_to_principal(grantee=role, actions=TABLE_READ_ACTIONS, resource_arns=[online_table.table_arn])
        iam.Grant.add_to_principal(
            grantee=role,
            actions=TABLE_READ_ACTIONS + TABLE_WRITE_ACTIONS,
            resource_arns=[self.consent_table.table_arn],
        )
        grant_kms(role, dynamodb_key, encrypt=True, decrypt=True)
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["s3:GetObject"],
            resource_arns=[objects_arn(self, artifacts_bucket, f"{MODELS_PREFIX}*")],
        )
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["s3:PutObject"],
            resource_arns=[objects_arn(self, lake_bucket, f"{CAPTURES_PREFIX}*")],
        )
        grant_kms(role, s3_key, encrypt=True, decrypt=True)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ModelRegistryRead",
                actions=["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"],
                resources=[model_package_group_arn, model_packages_arn],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(sid="ModelRegistryList", actions=["sagemaker:ListModelPackages"], resources=["*"])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="InvokePregameEndpoint", actions=["sagemaker:InvokeEndpoint"], resources=[endpoint_arn]
            )
        )
        for finding, reason in {
            objects_finding(artifacts_bucket, f"{MODELS_PREFIX}*"): "Read-only access to serialized models (models/).",
            objects_finding(lake_bucket, f"{CAPTURES_PREFIX}*"): (
                "Consent-aware prediction captures are written (PutObject only) under the lake captures/ prefix."
            ),
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:"
            f"model-package/{names.model_package_group}/*]": (
                "DescribeModelPackage on the versions of the pre-game model package group only."
            ),
        }.items():
            acknowledge(self.predict, finding, reason)

        # REST API ---------------------------------------------------------------------------------------------
        self.access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=config.log_retention,
            encryption_key=ops_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cors = (
            apigw.CorsOptions(
                allow_origins=list(config.cors_allowed_origins),
                allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                allow_headers=["Content-Type", "X-Api-Key"],
            )
            if config.cors_allowed_origins
            else None
        )
        self.api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=names.api_name,
            description="Courtside prediction API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            default_cors_preflight_options=cors,
            deploy_options=apigw.StageOptions(
                stage_name=names.api_stage,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                throttling_rate_limit=API_RATE_LIMIT * 2,
                throttling_burst_limit=API_BURST_LIMIT * 2,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        api = self.api
        integration = apigw.LambdaIntegration(self.predict.function, proxy=True)
        self.body_validator = api.add_request_validator(
            "BodyValidator",
            request_validator_name="body-and-parameters",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        self.params_validator = api.add_request_validator(
            "ParamsValidator",
            request_validator_name="parameters-only",
            validate_request_body=False,
            validate_request_parameters=True,
        )
        self.pregame_model = api.add_model(
            "PregameRequestModel",
            content_type="application/json",
            model_name="PregameRequest",
            schema=PREGAME_REQUEST_SCHEMA,
        )

        v1 = api.root.add_resource("v1")
        pregame = v1.add_resource("predictions").add_resource("pregame")
        pregame.add_method(
            "POST",
            integration,
            api_key_required=True,
            request_validator=self.body_validator,
            request_models={"application/json": self.pregame_model},
        )
        live = v1.add_resource("games").add_resource("{game_id}").add_resource("live")
        live.add_method(
            "GET",
            integration,
            api_key_required=True,
            request_validator=self.params_validator,
            request_parameters={"method.request.path.game_id": True},
        )
        consent = v1.add_resource("users").add_resource("{user_id}").add_resource("consent")
        for method in ("POST", "GET", "DELETE"):
            consent.add_method(
                method,
                integration,
                api_key_required=True,
                request_validator=self.params_validator,
                request_parameters={"method.request.path.user_id": True},
            )
        self.health = api.root.add_resource("health")
        self.health_method = self.health.add_method("GET", integration, api_key_required=False)

        # Usage plan + API key -------------------------------------------------------------------------------
        self.usage_plan = api.add_usage_plan(
            "UsagePlan",
            name=f"{names.api_name}-default",
            description="Default plan for app developers",
            throttle=apigw.ThrottleSettings(rate_limit=API_RATE_LIMIT, burst_limit=API_BURST_LIMIT),
            quota=apigw.QuotaSettings(limit=API_DAILY_QUOTA, period=apigw.Period.DAY),
            api_stages=[apigw.UsagePlanPerApiStage(api=api, stage=api.deployment_stage)],
        )
        self.api_key = api.add_api_key("DefaultApiKey", api_key_name=f"{names.api_name}-default")
        self.usage_plan.add_api_key(self.api_key)

        # WAF --------------------------------------------------------------------------------------------------
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name="CourtsideApiWebAcl", sampled_requests_enabled=True
            ),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="AWSManagedRulesCommonRuleSet",
                    priority=0,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS", name="AWSManagedRulesCommonRuleSet"
                        )
                    ),
                    visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                        cloud_watch_metrics_enabled=True, metric_name="CommonRuleSet", sampled_requests_enabled=True
                    ),
                ),
                wafv2.CfnWebACL.RuleProperty(
                    name="RateLimitPerIp",
                    priority=1,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=WAF_RATE_LIMIT_PER_5_MIN, aggregate_key_type="IP"
                        )
                    ),
                    visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                        cloud_watch_metrics_enabled=True, metric_name="RateLimitPerIp", sampled_requests_enabled=True
                    ),
                ),
            ],
        )
        self.web_acl_association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=api.deployment_stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        self.web_acl_association.node.add_dependency(api.deployment_stage)

        self._api_acknowledgments()

    # ---------------------------------------------------------------------------------------------------------
    def _api_acknowledgments(self) -> None:
        acknowledge(
            self.health,
            "AwsSolutions-APIG4",
            "GET /health is a public liveness probe returning no data; every other route requires an API key.",
        )
        acknowledge(
            self.health,
            "AwsSolutions-COG4",
            "GET /health is a public liveness probe; no user pool is involved.",
        )
        api_key_reason = (
            "Clients are app developers, not end users: every data route requires an API key bound to a usage plan "
            "(throttle + quota), WAF rate limiting and request validation; end users are identified only by a "
            "pseudonymous user_id for consent, so there is no user pool or IAM caller to authorize."
        )
        acknowledge(self.api, "AwsSolutions-APIG4", api_key_reason)
        acknowledge(self.api, "AwsSolutions-COG4", api_key_reason)
        acknowledge(
            self.api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "Account-level API Gateway role for execution logging (APIG6); AmazonAPIGatewayPushToCloudWatchLogs is "
            "the AWS-documented policy for this service-linked use and the role can only be assumed by API Gateway.",
        )
