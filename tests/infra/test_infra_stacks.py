"""Key resources and security properties of every Courtside stack (one shared synth, see conftest)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from courtside.config import get_settings

pytestmark = pytest.mark.xdist_group("infra")

STACKS = [
    "Courtside-Keys",
    "Courtside-Lake",
    "Courtside-Ingestion",
    "Courtside-Features",
    "Courtside-ML",
    "Courtside-Api",
    "Courtside-Monitoring",
]
NAMES = get_settings().names


def all_resources(synth, cfn_type: str) -> dict[str, dict[str, Any]]:
    found = {}
    for stack in STACKS:
        found.update({f"{stack}/{k}": v for k, v in synth.resources(stack, cfn_type).items()})
    return found


def props(resource: dict[str, Any]) -> dict[str, Any]:
    return resource.get("Properties", {})


def test_every_stack_is_synthesized(synth):
    assert set(STACKS) <= set(synth.templates)


# --- Keys ----------------------------------------------------------------------------------------------------
def test_keys_are_customer_managed_with_rotation(synth):
    keys = synth.resources("Courtside-Keys", "AWS::KMS::Key")
    assert len(keys) == 5
    for key in keys.values():
        assert props(key)["EnableKeyRotation"] is True
    aliases = {props(a)["AliasName"] for a in synth.resources("Courtside-Keys", "AWS::KMS::Alias").values()}
    assert aliases == {f"alias/{NAMES.prefix}/{n}" for n in ("s3", "kinesis", "dynamodb", "sagemaker", "ops")}


def test_no_kms_key_outside_the_keys_stack(synth):
    assert all(k.startswith("Courtside-Keys/") for k in all_resources(synth, "AWS::KMS::Key"))


# --- Encryption everywhere -----------------------------------------------------------------------------------
def test_every_bucket_is_encrypted_private_and_tls_only(synth):
    buckets = all_resources(synth, "AWS::S3::Bucket")
    assert len(buckets) == 4  # lake, quarantine, access logs, artifacts
    for path, bucket in buckets.items():
        p = props(bucket)
        algorithm = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        if "AccessLogs" in path:  # S3 server access logging cannot deliver to SSE-KMS buckets
            assert algorithm["SSEAlgorithm"] == "AES256"
        else:
            assert algorithm["SSEAlgorithm"] == "aws:kms" and "KMSMasterKeyID" in algorithm, path
        assert p["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, path
    policies = all_resources(synth, "AWS::S3::BucketPolicy")
    tls_denied = set()
    for policy in policies.values():
        for statement in props(policy)["PolicyDocument"]["Statement"]:
            if statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false":
                assert statement["Effect"] == "Deny"
                tls_denied.add(json.dumps(props(policy)["Bucket"], sort_keys=True))
    assert len(tls_denied) == len(buckets)


def test_lake_and_artifacts_buckets_are_versioned_and_logged(synth):
    for stack, prefix in (("Courtside-Lake", "LakeBucket"), ("Courtside-ML", "ArtifactsBucket")):
        (bucket,) = [v for k, v in synth.resources(stack, "AWS::S3::Bucket").items() if k.startswith(prefix)]
        assert props(bucket)["VersioningConfiguration"] == {"Status": "Enabled"}
        assert "LoggingConfiguration" in props(bucket)


def test_every_table_has_kms_pitr(synth):
    tables = all_resources(synth, "AWS::DynamoDB::Table")
    assert len(tables) == 3
    for path, table in tables.items():
        p = props(table)
        assert p["SSESpecification"]["SSEEnabled"] is True and p["SSESpecification"]["SSEType"] == "KMS", path
        assert "KMSMasterKeyId" in p["SSESpecification"], path
        assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, path
        assert p["BillingMode"] == "PAY_PER_REQUEST", path


def test_every_stream_is_kms_encrypted(synth):
    streams = all_resources(synth, "AWS::Kinesis::Stream")
    assert {props(s)["Name"] for s in streams.values()} == {NAMES.stream, NAMES.validated_stream}
    for stream in streams.values():
        assert props(stream)["StreamEncryption"]["EncryptionType"] == "KMS"
        expected = "ON_DEMAND" if get_settings().shard_count == 0 else "PROVISIONED"
        assert props(stream)["StreamModeDetails"]["StreamMode"] == expected


def test_every_queue_and_topic_is_encrypted_and_tls_only(synth):
    queues = all_resources(synth, "AWS::SQS::Queue")
    assert len(queues) == 3  # DLQs of the validate, features and outcomes stream consumers
    for queue in queues.values():
        assert props(queue).get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props(queue)
    topics = all_resources(synth, "AWS::SNS::Topic")
    assert len(topics) == 1 and all("KmsMasterKeyId" in props(t) for t in topics.values())
    for cfn in ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
        for policy in all_resources(synth, cfn).values():
            statements = props(policy)["PolicyDocument"]["Statement"]
            assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for s in statements)


def test_every_log_group_has_retention_and_kms(synth):
    groups = all_resources(synth, "AWS::Logs::LogGroup")
    assert len(groups) >= 4
    for path, group in groups.items():
        assert props(group)["RetentionInDays"] > 0, path
        assert "KmsKeyId" in props(group), path


# --- Lambda functions ----------------------------------------------------------------------------------------
def test_every_function_is_python311_x86_json_logs_traced_with_layer(synth):
    functions = all_resources(synth, "AWS::Lambda::Function")
    handlers = {props(f)["Handler"] for f in functions.values()}
    assert {
        "functions/validate/handler.handler",
        "functions/features/handler.handler",
        "functions/predict/handler.handler",
    } <= handlers
    for path, fn in functions.items():
        p = props(fn)
        assert p["Runtime"] == "python3.11", path
        assert p["Architectures"] == ["x86_64"], path
        assert p["TracingConfig"] == {"Mode": "Active"}, path
        assert p["LoggingConfig"]["LogFormat"] == "JSON", path
        assert "LogGroup" in p["LoggingConfig"], path
        assert len(p["Layers"]) == 1, path
        env = p["Environment"]["Variables"]
        assert env["COURTSIDE_PREFIX"] == get_settings().prefix
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Courtside"
        assert env["POWERTOOLS_SERVICE_NAME"].startswith("courtside-")
        assert env["LOG_LEVEL"]


def test_no_role_uses_managed_policies_or_admin_wildcards(synth):
    roles = all_resources(synth, "AWS::IAM::Role")
    for path, role in roles.items():
        if "CloudWatchRole" in path:  # API Gateway account logging role (acknowledged IAM4)
            continue
        assert not props(role).get("ManagedPolicyArns"), path
    for path, policy in all_resources(synth, "AWS::IAM::Policy").items():
        for statement in props(policy)["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (path, actions)


@pytest.mark.parametrize(
    ("stack", "stream_ref"),
    [("Courtside-Ingestion", "EventsStream"), ("Courtside-Features", "ValidatedStream")],
)
def test_stream_consumers_use_the_standard_event_source_mapping(synth, stack, stream_ref):
    synth.template(stack).has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 6 * 3600,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "StartingPosition": "TRIM_HORIZON",
            "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}},
        },
    )
    (esm,) = synth.resources(stack, "AWS::Lambda::EventSourceMapping").values()
    assert stream_ref in json.dumps(props(esm)["EventSourceArn"])


# --- Lake ----------------------------------------------------------------------------------------------------
def _bucket(synth, stack: str, prefix: str) -> dict[str, Any]:
    (bucket,) = [v for k, v in synth.resources(stack, "AWS::S3::Bucket").items() if k.startswith(prefix)]
    return props(bucket)


def test_lake_lifecycle_rules(synth):
    rules = {r["Id"]: r for r in _bucket(synth, "Courtside-Lake", "LakeBucket")["LifecycleConfiguration"]["Rules"]}
    raw = rules["raw-to-infrequent-access"]
    assert raw["Prefix"] == "raw/"
    assert raw["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}]
    assert rules["expire-captures"]["Prefix"] == "captures/"
    assert rules["expire-captures"]["ExpirationInDays"] == 365
    quarantine = _bucket(synth, "Courtside-Lake", "QuarantineBucket")["LifecycleConfiguration"]["Rules"]
    assert {"Id": "expire-quarantine", "ExpirationInDays": 90, "Status": "Enabled"} in quarantine


def _glue_table(synth, name: str) -> dict[str, Any]:
    tables = synth.resources("Courtside-Lake", "AWS::Glue::Table").values()
    (table,) = [props(t)["TableInput"] for t in tables if props(t)["TableInput"]["Name"] == name]
    return table


def test_glue_games_table_is_parquet_partitioned_by_season(synth):
    games = _glue_table(synth, "games")
    columns = {c["Name"]: c["Type"] for c in games["StorageDescriptor"]["Columns"]}
    assert columns == {
        "game_key": "string",
        "date": "string",
        "is_playoff": "boolean",
        "neutral": "boolean",
        "home_team": "string",
        "away_team": "string",
        "home_score": "int",
        "away_score": "int",
        "fte_elo_prob_home": "double",
    }
    assert [p["Name"] for p in games["PartitionKeys"]] == ["season"]
    assert "Parquet" in games["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
    assert games["StorageDescriptor"]["Location"] == f"s3://{NAMES.lake_bucket}/curated/games/"


def test_glue_raw_events_table_is_json_partitioned_by_type_and_season(synth):
    raw = _glue_table(synth, "raw_events")
    assert [p["Name"] for p in raw["PartitionKeys"]] == ["event_type", "season"]
    assert raw["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert raw["StorageDescriptor"]["Location"].startswith(f"s3://{NAMES.lake_bucket}/raw/")
    for table in synth.resources("Courtside-Lake", "AWS::Glue::Table").values():
        assert props(table)["DatabaseName"] == NAMES.glue_database


def test_athena_workgroup_enforces_encrypted_results_in_the_lake(synth):
    (wg,) = synth.resources("Courtside-Lake", "AWS::Athena::WorkGroup").values()
    config = props(wg)["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    result = config["ResultConfiguration"]
    assert result["OutputLocation"].startswith(f"s3://{NAMES.lake_bucket}/")
    assert result["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"


# --- Ingestion / Features ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stack", "name"), [("Courtside-Ingestion", "state_table"), ("Courtside-Features", "online_table")]
)
def test_kv_tables_have_pk_sk_and_ttl(synth, stack, name):
    synth.template(stack).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": getattr(NAMES, name),
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
        },
    )


def test_ingestion_alarms(synth):
    alarms = synth.resources("Courtside-Ingestion", "AWS::CloudWatch::Alarm").values()
    by_metric = {props(a).get("MetricName"): props(a) for a in alarms}
    assert by_metric["IteratorAge"]["Threshold"] == 60_000
    assert by_metric["IteratorAge"]["Namespace"] == "AWS/Lambda"
    (rate,) = [p for p in map(props, alarms) if "QuarantineRate" in json.dumps(p)]
    assert rate["Threshold"] == 0.05
    dumped = json.dumps(rate["Metrics"])
    assert '"Namespace": "Courtside"' in dumped and "RecordsQuarantined" in dumped and "RecordsIn" in dumped


def test_quarantine_rate_uses_the_validate_handlers_metric_dimension():
    """The alarm's `service` dimension must be the one functions/validate/handler.py publishes with."""
    from courtside.config import REPO_ROOT
    from infra.stacks.ingestion import VALIDATE_METRICS_SERVICE

    source = (REPO_ROOT / "functions" / "validate" / "handler.py").read_text()
    assert f'service="{VALIDATE_METRICS_SERVICE}"' in source


def test_validate_function_grants_are_least_privilege(synth):
    policies = [
        p for k, p in synth.resources("Courtside-Ingestion", "AWS::IAM::Policy").items() if k.startswith("ValidateRole")
    ]
    statements = [s for p in policies for s in props(p)["PolicyDocument"]["Statement"]]
    s3_resources = [json.dumps(s["Resource"]) for s in statements if "s3:PutObject" in json.dumps(s["Action"])]
    assert any(f"{NAMES.lake_bucket}/raw/*" in r for r in s3_resources)
    assert any(f"{NAMES.quarantine_bucket}/*" in r for r in s3_resources)
    assert not any("s3:GetObject" in json.dumps(s["Action"]) for s in statements)
    puts = [s for s in statements if "kinesis:PutRecords" in json.dumps(s["Action"])]
    assert len(puts) == 1 and "ValidatedStream" in json.dumps(puts[0]["Resource"])


# --- ML ------------------------------------------------------------------------------------------------------
def test_model_package_groups(synth):
    groups = synth.resources("Courtside-ML", "AWS::SageMaker::ModelPackageGroup").values()
    assert {props(g)["ModelPackageGroupName"] for g in groups} == {
        NAMES.model_package_group,
        NAMES.live_model_package_group,
    }


def test_pregame_model_uses_sklearn_image_and_artifacts_model_data(synth):
    (model,) = synth.resources("Courtside-ML", "AWS::SageMaker::Model").values()
    container = props(model)["PrimaryContainer"]
    assert container["ModelDataUrl"] == f"s3://{NAMES.artifacts_bucket}/models/pregame/model.tar.gz"
    assert "sagemaker-scikit-learn:1.2-1-cpu-py3" in json.dumps(container["Image"])
    mapping = synth.templates["Courtside-ML"]["Mappings"]["SageMakerImages"]
    assert mapping["us-east-1"]["sklearn"] == "683313688378"


def test_endpoint_config_captures_data_with_kms(synth):
    synth.template("Courtside-ML").has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "KmsKeyId": Match.any_value(),
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": f"s3://{NAMES.artifacts_bucket}/datacapture",
                "KmsKeyId": Match.any_value(),
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            },
        },
    )
    synth.template("Courtside-ML").resource_count_is("AWS::SageMaker::Endpoint", 1)


def test_model_monitor_data_quality_schedule_is_hourly_against_the_baseline(synth):
    (job,) = synth.resources("Courtside-ML", "AWS::SageMaker::DataQualityJobDefinition").values()
    baseline = props(job)["DataQualityBaselineConfig"]
    base = f"s3://{NAMES.artifacts_bucket}/monitoring/baseline/latest"  # where Baseline.save writes
    assert baseline["ConstraintsResource"]["S3Uri"] == f"{base}/constraints.json"
    assert baseline["StatisticsResource"]["S3Uri"] == f"{base}/statistics.json"
    assert "EndpointName" in props(job)["DataQualityJobInput"]["EndpointInput"]
    assert "KmsKeyId" in props(job)["DataQualityJobOutputConfig"]
    assert "VolumeKmsKeyId" in props(job)["JobResources"]["ClusterConfig"]
    (schedule,) = synth.resources("Courtside-ML", "AWS::SageMaker::MonitoringSchedule").values()
    config = props(schedule)["MonitoringScheduleConfig"]
    assert config["MonitoringType"] == "DataQuality"
    assert config["ScheduleConfig"]["ScheduleExpression"] == "cron(0 * ? * * *)"


def test_retraining_rule_exists_only_with_its_function(synth):
    from infra.stacks.ml import RETRAIN_DIR

    rules = {k: v for k, v in synth.resources("Courtside-ML", "AWS::Events::Rule").items() if "Retrain" in k}
    assert len(rules) == (1 if RETRAIN_DIR.is_dir() else 0)
    subscriptions = synth.resources("Courtside-Monitoring", "AWS::SNS::Subscription")
    assert len(subscriptions) == len(rules)
    for rule in rules.values():
        assert props(rule)["State"] == "DISABLED"  # opt in with context retrainEnabled=true


def test_monitor_function_runs_hourly_when_it_exists(synth):
    from infra.stacks.ml import MONITOR_DIR

    rules = {k: v for k, v in synth.resources("Courtside-ML", "AWS::Events::Rule").items() if "Monitor" in k}
    assert len(rules) == (1 if MONITOR_DIR.is_dir() else 0)
    for rule in rules.values():
        assert props(rule)["ScheduleExpression"] == "cron(15 * * * ? *)"
        assert props(rule)["State"] == "ENABLED"


def test_sagemaker_role_reads_only_lake_training_prefixes(synth):
    policies = [
        p for k, p in synth.resources("Courtside-ML", "AWS::IAM::Policy").items() if k.startswith("SageMakerRole")
    ]
    statements = {s.get("Sid"): s for p in policies for s in props(p)["PolicyDocument"]["Statement"]}
    lake = json.dumps(statements["ReadLakeTrainingData"]["Resource"])
    assert f"{NAMES.lake_bucket}/curated/*" in lake and f"{NAMES.lake_bucket}/datasets/*" in lake
    assert "ecr:BatchGetImage" in statements["PullSageMakerImages"]["Action"]


# --- API -----------------------------------------------------------------------------------------------------
def _methods(synth) -> dict[tuple[str, str], dict[str, Any]]:
    """(resource path, HTTP method) -> method properties, with paths rebuilt from the Resource tree."""
    resources = synth.resources("Courtside-Api", "AWS::ApiGateway::Resource")

    def path_of(ref: Any) -> str:
        if isinstance(ref, dict) and "Ref" in ref and ref["Ref"] in resources:
            r = props(resources[ref["Ref"]])
            return f"{path_of(r['ParentId'])}/{r['PathPart']}"
        return ""

    return {
        (path_of(props(m)["ResourceId"]), props(m)["HttpMethod"]): props(m)
        for m in synth.resources("Courtside-Api", "AWS::ApiGateway::Method").values()
    }


def test_api_routes_and_api_keys(synth):
    methods = _methods(synth)
    expected_keyed = {
        ("/v1/predictions/pregame", "POST"),
        ("/v1/games/{game_id}/live", "GET"),
        ("/v1/users/{user_id}/consent", "POST"),
        ("/v1/users/{user_id}/consent", "GET"),
        ("/v1/users/{user_id}/consent", "DELETE"),
    }
    assert expected_keyed | {("/health", "GET")} <= set(methods)
    for route in expected_keyed:
        assert methods[route]["ApiKeyRequired"] is True, route
        assert methods[route]["Integration"]["Type"] == "AWS_PROXY", route
        assert "RequestValidatorId" in methods[route], route
    assert methods[("/health", "GET")].get("ApiKeyRequired") in (None, False)
    pregame = methods[("/v1/predictions/pregame", "POST")]
    assert "application/json" in pregame["RequestModels"]


def test_privacy_routes_go_to_the_privacy_function_when_it_exists(synth):
    from infra.stacks.api import PRIVACY_DIR

    methods = _methods(synth)
    consent = json.dumps(methods[("/v1/users/{user_id}/consent", "POST")]["Integration"])
    if PRIVACY_DIR.is_dir():
        assert "Privacy" in consent
        erase = methods[("/v1/users/{user_id}", "DELETE")]
        assert erase["ApiKeyRequired"] is True and "Privacy" in json.dumps(erase["Integration"])
    else:
        assert "Predict" in consent


def test_pregame_request_model_schema(synth):
    (model,) = synth.resources("Courtside-Api", "AWS::ApiGateway::Model").values()
    schema = props(model)["Schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"date", "home_team", "away_team"}
    p = schema["properties"]
    assert p["date"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert p["home_team"]["pattern"] == p["away_team"]["pattern"] == "^[A-Z]{2,4}$"
    assert p["neutral"]["type"] == "boolean"
    assert p["user_id"]["maxLength"] == 128


def test_usage_plan_throttle_quota_and_key(synth):
    template = synth.template("Courtside-Api")
    template.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {"Throttle": {"RateLimit": 50, "BurstLimit": 100}, "Quota": {"Limit": Match.any_value(), "Period": "DAY"}},
    )
    template.resource_count_is("AWS::ApiGateway::ApiKey", 1)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", 1)


def test_stage_logging_tracing_throttling(synth):
    (stage,) = synth.resources("Courtside-Api", "AWS::ApiGateway::Stage").values()
    p = props(stage)
    assert p["StageName"] == NAMES.api_stage
    assert p["TracingEnabled"] is True
    assert "DestinationArn" in p["AccessLogSetting"]
    (settings,) = p["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    validators = synth.resources("Courtside-Api", "AWS::ApiGateway::RequestValidator").values()
    assert any(props(v)["ValidateRequestBody"] and props(v)["ValidateRequestParameters"] for v in validators)


def test_waf_protects_the_stage(synth):
    (acl,) = synth.resources("Courtside-Api", "AWS::WAFv2::WebACL").values()
    rules = props(acl)["Rules"]
    managed = [r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") for r in rules]
    assert "AWSManagedRulesCommonRuleSet" in managed
    assert any("RateBasedStatement" in r["Statement"] for r in rules)
    (assoc,) = synth.resources("Courtside-Api", "AWS::WAFv2::WebACLAssociation").values()
    assert "/stages/" in json.dumps(props(assoc)["ResourceArn"])


def test_no_cors_by_default(synth):
    assert ("/health", "OPTIONS") not in _methods(synth)


def test_predict_function_settings_and_grants(synth):
    (fn,) = [
        props(f)
        for f in synth.resources("Courtside-Api", "AWS::Lambda::Function").values()
        if props(f)["Handler"] == "functions/predict/handler.handler"
    ]
    assert fn["MemorySize"] == 512 and fn["Timeout"] == 10
    env = fn["Environment"]["Variables"]
    assert {"COURTSIDE_ENDPOINT_NAME", "COURTSIDE_PREDICT_BACKEND", "COURTSIDE_PSEUDONYM_SECRET"} <= set(env)
    policies = [
        p for k, p in synth.resources("Courtside-Api", "AWS::IAM::Policy").items() if k.startswith("PredictRole")
    ]
    statements = [s for p in policies for s in props(p)["PolicyDocument"]["Statement"]]
    online = [s for s in statements if "OnlineTable" in json.dumps(s["Resource"])]
    assert online and all(
        set(s["Action"]) <= {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"} for s in online
    )
    text = json.dumps(statements)
    for needle in (
        "sagemaker:InvokeEndpoint",
        "sagemaker:ListModelPackages",
        "sagemaker:DescribeModelPackage",
        f"{NAMES.artifacts_bucket}/models/*",
        f"{NAMES.lake_bucket}/captures/*",
        "secretsmanager:GetSecretValue",
    ):
        assert needle in text, needle


def test_consent_table(synth):
    synth.template("Courtside-Api").has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": NAMES.consent_table,
            "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


# --- Monitoring ----------------------------------------------------------------------------------------------
def test_dashboard_shows_every_service_metric(synth):
    (dashboard,) = synth.resources("Courtside-Monitoring", "AWS::CloudWatch::Dashboard").values()
    assert props(dashboard)["DashboardName"] == "Courtside"
    body = json.dumps(props(dashboard)["DashboardBody"])
    for metric in (
        "EventsIn",
        "EventsStored",
        "EventsQuarantined",
        "IteratorAge",
        "PredictLatencyMs",
        "FeatureFreshnessSeconds",
        "PredictionCount",
        "4XXError",
        "5XXError",
        "Latency",
        "FeatureDriftPSI",
        "PredictionDriftPSI",
        "RollingBrier",
        "RecordsIn",  # what functions/validate publishes today (alias of EventsIn)
    ):
        assert metric in body, metric


def test_monitoring_alarms_notify_the_encrypted_topic(synth):
    alarms = list(synth.resources("Courtside-Monitoring", "AWS::CloudWatch::Alarm").values())
    text = {json.dumps(props(a)): props(a) for a in alarms}
    thresholds = {}
    for dumped, p in text.items():
        for metric in ("5XXError", "Latency", "FeatureDriftPSI", "PredictionDriftPSI", "RollingBrier"):
            if metric in dumped:
                thresholds[metric] = p["Threshold"]
        assert p["AlarmActions"] and "AlarmTopic" in json.dumps(p["AlarmActions"])
    assert thresholds == {
        "5XXError": 0,
        "Latency": 300,
        "FeatureDriftPSI": 0.2,
        "PredictionDriftPSI": 0.2,
        "RollingBrier": 0.24,
    }
    latency = next(p for d, p in text.items() if "Latency" in d)
    assert latency["ExtendedStatistic"] == "p99"


# --- Model monitoring (issue 8) ---------------------------------------------------------------------------------
def test_model_alarms_are_named_for_the_retrain_policy(synth):
    """Drift, Brier and calibration alarms exist, notify the topic, and are named "<prefix>-<key>" so the retrain
    function (subscribed to the topic) maps each notification to a RetrainPolicy trigger."""
    from courtside.continual.policy import ALARMS
    from functions.retrain.handler import alarms_in

    alarms = [props(a) for a in synth.resources("Courtside-Monitoring", "AWS::CloudWatch::Alarm").values()]
    by_name = {a["AlarmName"]: a for a in alarms}
    for key in ALARMS:
        assert f"{NAMES.prefix}-{key}" in by_name, key
    calibration = by_name[f"{NAMES.prefix}-CalibrationError"]
    assert calibration["Threshold"] == 0.15
    assert 'MAX(\\"CalibrationError\\")' in json.dumps(calibration["Metrics"])
    assert "AlarmTopic" in json.dumps(calibration["AlarmActions"])
    sns = {
        "Records": [
            {
                "Sns": {
                    "Message": json.dumps({"AlarmName": f"{NAMES.prefix}-CalibrationError", "NewStateValue": "ALARM"})
                }
            }
        ]
    }
    assert alarms_in(sns) == {"CalibrationError"}


def test_stream_consumers_have_iterator_age_alarms(synth):
    from infra.stacks.ml import OUTCOMES_DIR

    alarms = [props(a) for a in synth.resources("Courtside-Monitoring", "AWS::CloudWatch::Alarm").values()]
    ages = {a["AlarmName"]: a for a in alarms if a.get("MetricName") == "IteratorAge"}
    expected = {f"{NAMES.prefix}-FeaturesIteratorAge"} | (
        {f"{NAMES.prefix}-OutcomesIteratorAge"} if OUTCOMES_DIR.is_dir() else set()
    )
    assert set(ages) == expected
    for a in ages.values():
        assert a["Threshold"] == 60_000 and a["Statistic"] == "Maximum" and a["Namespace"] == "AWS/Lambda"


def test_outcomes_function_consumes_the_validated_stream(synth):
    fns = {k: props(v) for k, v in synth.resources("Courtside-ML", "AWS::Lambda::Function").items()}
    (outcomes,) = [p for k, p in fns.items() if k.startswith("Outcomes")]
    assert outcomes["Handler"] == "functions/outcomes/handler.handler"
    assert len(outcomes["Layers"]) >= 1  # the dependency layer (+ pandas layer from context pandasLayerArn)
    (mapping,) = synth.resources("Courtside-ML", "AWS::Lambda::EventSourceMapping").values()
    assert props(mapping)["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "ValidatedStream" in json.dumps(props(mapping)["EventSourceArn"])
    policies = json.dumps(
        [p for k, p in synth.resources("Courtside-ML", "AWS::IAM::Policy").items() if "Outcomes" in k]
    )
    for prefix in ("captures/*", "outcomes/*", "captures_labeled/*"):
        assert f"{NAMES.lake_bucket}/{prefix}" in policies, prefix
