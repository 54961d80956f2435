"""Shared building blocks of the Courtside CDK app: context settings, Lambda assets, the standard function,
least-privilege KMS grants and cdk-nag acknowledgments."""

from __future__ import annotations

import hashlib
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from courtside.config import REPO_ROOT, ResourceNames, Settings, get_settings
from courtside.packaging import LAYER_REQUIREMENTS

BUILD_DIR = REPO_ROOT / "build"
LAYER_DIR = BUILD_DIR / "layer"
SRC_DIR = BUILD_DIR / "lambda_src"

#: Public SageMaker images per region: (scikit-learn 1.2-1 inference account, Model Monitor analyzer account).
SAGEMAKER_IMAGE_ACCOUNTS: dict[str, tuple[str, str]] = {
    "us-east-1": ("683313688378", "156813124566"),
    "us-east-2": ("257758044811", "777275614652"),
    "us-west-2": ("246618743249", "159807026194"),
    "eu-west-1": ("141502667606", "468650794304"),
    "eu-central-1": ("492215442770", "048819808253"),
}


NAG_PLUGIN = "AwsSolutions"


def _arns(value: Any) -> tuple[str, ...]:
    """A list of ARNs from context: a JSON list (cdk.json) or a comma-separated string (`-c k=a,b`)."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(str(v).strip() for v in items if str(v).strip())


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class InfraConfig:
    """Everything the stacks read: the shared :class:`Settings` plus optional CDK context values.

    Context keys (all optional): ``nameSuffix`` (appended as ``-<suffix>`` to bucket names only),
    ``placeholderAssets`` (use a tiny placeholder instead of ``build/``; the tests set it),
    ``modelDataUrl``, ``sklearnImageUri``, ``modelMonitorImageUri``, ``endpointMode`` (``instance`` |
    ``serverless``), ``endpointInstanceType``, ``retrainEnabled``, ``corsAllowedOrigins`` (list),
    ``predictReservedConcurrency``, ``predictBackend`` (``local`` | ``endpoint``), ``pandasLayerArn`` (a layer
    with pandas/numpy/pyarrow for the batch-style monitor, outcomes and retrain functions, e.g. AWS SDK for pandas),
    ``retrainLayerArns`` (more layers for the retrain function: scikit-learn), ``alarmEmail``.
    """

    settings: Settings
    name_suffix: str = ""
    placeholder_assets: bool = False
    model_data_url: str | None = None
    sklearn_image_uri: str | None = None
    model_monitor_image_uri: str | None = None
    endpoint_mode: str = "instance"
    endpoint_instance_type: str = "ml.t2.medium"
    retrain_enabled: bool = False
    cors_allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    predict_reserved_concurrency: int | None = None
    predict_backend: str = "local"
    pandas_layer_arn: str | None = None
    #: More layers for the retrain function: it fits with scikit-learn, which AWS SDK for pandas does not ship.
    retrain_layer_arns: tuple[str, ...] = ()
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH

    @classmethod
    def from_scope(cls, scope: Construct, settings: Settings | None = None) -> InfraConfig:
        node = scope.node

        def ctx(key: str, default: Any = None) -> Any:
            value = node.try_get_context(key)
            return default if value is None or value == "" else value

        origins = ctx("corsAllowedOrigins", [])
        if isinstance(origins, str):
            origins = [o.strip() for o in origins.split(",") if o.strip()]
        concurrency = ctx("predictReservedConcurrency")
        mode = str(ctx("endpointMode", "instance"))
        if mode not in {"instance", "serverless"}:
            raise ValueError(f"endpointMode must be 'instance' or 'serverless', not {mode!r}")
        return cls(
            settings=settings or get_settings(),
            name_suffix=str(ctx("nameSuffix", "")),
            placeholder_assets=_bool(ctx("placeholderAssets", False)),
            model_data_url=ctx("modelDataUrl"),
            sklearn_image_uri=ctx("sklearnImageUri"),
            model_monitor_image_uri=ctx("modelMonitorImageUri"),
            endpoint_mode=mode,
            endpoint_instance_type=str(ctx("endpointInstanceType", "ml.t2.medium")),
            retrain_enabled=_bool(ctx("retrainEnabled", False)),
            cors_allowed_origins=tuple(origins),
            predict_reserved_concurrency=int(concurrency) if concurrency is not None else None,
            predict_backend=str(ctx("predictBackend", "local")),
            pandas_layer_arn=ctx("pandasLayerArn"),
            retrain_layer_arns=_arns(ctx("retrainLayerArns", ())),
        )

    @property
    def names(self) -> ResourceNames:
        return self.settings.names

    def bucket_name(self, base: str) -> str:
        """Physical bucket name: the configured name, plus ``-<nameSuffix>`` when that context is set."""
        return f"{base}-{self.name_suffix}" if self.name_suffix else base

    def lambda_env(self, service: str, **extra: str) -> dict[str, str]:
        """Environment shared by every Courtside function."""
        return {
            "COURTSIDE_PREFIX": self.settings.prefix,
            "POWERTOOLS_SERVICE_NAME": service,
            "POWERTOOLS_METRICS_NAMESPACE": "Courtside",
            "LOG_LEVEL": "INFO",
            **extra,
        }


def objects_arn(scope: Construct, bucket_name: str, pattern: str = "*") -> str:
    """ARN of the objects matching ``pattern`` in a bucket whose physical name is known at synth time (from config).

    Literal ARNs keep IAM policies readable, avoid a CloudFormation export per bucket and give cdk-nag findings
    stable ids (``Resource::arn:<AWS::Partition>:s3:::<bucket>/<prefix>*``)."""
    return f"arn:{Stack.of(scope).partition}:s3:::{bucket_name}/{pattern}"


def objects_finding(bucket_name: str, pattern: str = "*") -> str:
    """The cdk-nag IAM5 finding id of :func:`objects_arn`."""
    return f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket_name}/{pattern}]"


def acknowledge(scope: Construct, rule: str, reason: str) -> None:
    """Acknowledge (suppress) one cdk-nag finding on ``scope`` and everything below it, with a written reason.

    ``rule`` is the finding id as cdk-nag prints it (``AwsSolutions-IAM5[Resource::...]``); it is recorded under the
    plugin's namespace (``AwsSolutions::<rule>``), the form the validation report asks for."""
    if not reason.strip():
        raise ValueError(f"acknowledging {rule} needs a written reason")
    if rule.startswith("AwsSolutions-"):
        rule = f"{NAG_PLUGIN}::{rule}"
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


# ---------------------------------------------------------------------------------------------------------------
# Lambda assets
# ---------------------------------------------------------------------------------------------------------------


def _placeholder_dir(kind: str) -> Path:
    """A tiny, content-stable directory used as asset when ``build/`` is absent (synth without the network)."""
    digest = hashlib.sha256(kind.encode()).hexdigest()[:8]
    root = Path(tempfile.gettempdir()) / f"courtside-placeholder-{kind}-{digest}"
    target = root / "python" if kind == "layer" else root
    target.mkdir(parents=True, exist_ok=True)
    marker = target / "PLACEHOLDER.txt"
    if not marker.exists():
        marker.write_text("Placeholder asset: run `python -m courtside.packaging` before deploying.\n")
    return root


def use_build_assets(config: InfraConfig) -> bool:
    """True when the packaged sources and layer exist and the placeholder was not requested."""
    return not config.placeholder_assets and SRC_DIR.is_dir() and (LAYER_DIR / "python").is_dir()


def code_asset_dir(config: InfraConfig) -> Path:
    return SRC_DIR if use_build_assets(config) else _placeholder_dir("code")


def layer_asset_dir(config: InfraConfig) -> Path:
    return LAYER_DIR if use_build_assets(config) else _placeholder_dir("layer")


def warn_if_placeholder(config: InfraConfig) -> None:
    if not config.placeholder_assets and not use_build_assets(config):
        print(
            "courtside infra: build/ not found, Lambda code is a placeholder; run `make synth` (or "
            "`python -m courtside.packaging`) before deploying.",
            file=sys.stderr,
        )


def dependency_layer(stack: Stack, config: InfraConfig) -> lambda_.ILayerVersion:
    """One dependency layer per stack (same asset hash everywhere, so it is uploaded once)."""
    existing = stack.node.try_find_child("DependencyLayer")
    if existing is not None:
        return existing  # type: ignore[return-value]
    return lambda_.LayerVersion(
        stack,
        "DependencyLayer",
        code=lambda_.Code.from_asset(str(layer_asset_dir(config))),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
        compatible_architectures=[lambda_.Architecture.X86_64],
        description="Courtside runtime dependencies: " + ", ".join(LAYER_REQUIREMENTS),
    )


# ---------------------------------------------------------------------------------------------------------------
# KMS
# ---------------------------------------------------------------------------------------------------------------


def grant_kms(principal: iam.IGrantable, key: kms.IKey, *, encrypt: bool = False, decrypt: bool = False) -> iam.Grant:
    """Explicit, wildcard-free KMS permissions (the L2 ``grant_*`` helpers add ``kms:GenerateDataKey*``)."""
    actions = ["kms:DescribeKey"]
    if encrypt:
        actions += ["kms:Encrypt", "kms:GenerateDataKey"]
    if decrypt:
        actions += ["kms:Decrypt"]
    return iam.Grant.add_to_principal(grantee=principal, actions=actions, resource_arns=[key.key_arn])


# ---------------------------------------------------------------------------------------------------------------
# The standard Courtside function
# ---------------------------------------------------------------------------------------------------------------

XRAY_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; "
    "the wildcard is the only valid resource for active tracing."
)
RUNTIME_REASON = (
    "Runtime pinned to python3.11 on purpose: the dependency layer is built for CPython 3.11 manylinux wheels "
    "and the local stack and CI run 3.11; upgraded together, not per function."
)


class CourtsideFunction(Construct):
    """A Python 3.11 x86_64 Lambda with its own role (no AWS-managed policies), an explicit log group with retention
    (KMS-encrypted), JSON logging, active X-Ray tracing and the shared dependency layer."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        handler: str,
        service: str,
        description: str,
        logs_key: kms.IKey,
        memory_size: int = 256,
        timeout: Duration | None = None,
        environment: dict[str, str] | None = None,
        reserved_concurrent_executions: int | None = None,
        wildcard_resource_reason: str | None = None,
        extra_layers: list[lambda_.ILayerVersion] | None = None,
    ) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=config.log_retention,
            encryption_key=logs_key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the Courtside {service} function (least privilege, no managed policies)",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.X86_64,
            handler=handler,
            code=lambda_.Code.from_asset(str(code_asset_dir(config))),
            layers=[dependency_layer(stack, config), *(extra_layers or [])],
            role=self.role,
            description=description,
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(30),
            environment=config.lambda_env(service, **(environment or {})),
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=reserved_concurrent_executions,
        )
        # Explicit log permissions on this function's own log group only (instead of AWSLambdaBasicExecutionRole).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        star_reason = XRAY_REASON + (f" {wildcard_resource_reason}" if wildcard_resource_reason else "")
        acknowledge(self, "AwsSolutions-IAM5[Resource::*]", star_reason)
        acknowledge(self, "AwsSolutions-L1", RUNTIME_REASON)
