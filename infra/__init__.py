"""Courtside CDK app (importable: ``from infra import build_app, names_in_templates``).

One CloudFormation stack per concern, named ``Courtside-<Name>``; every physical name comes from
``courtside.config.get_settings().names``; cdk-nag's AWS Solutions checks run on every synth.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from courtside.config import Settings
from infra.constructs import InfraConfig, warn_if_placeholder
from infra.stacks.api import ApiStack
from infra.stacks.features import FeaturesStack
from infra.stacks.ingestion import IngestionStack
from infra.stacks.keys import KeysStack
from infra.stacks.lake import LakeStack
from infra.stacks.ml import MlStack
from infra.stacks.monitoring import MonitoringStack

STACK_PREFIX = "Courtside-"
#: Context defaults (cdk.json and ``-c`` win). Cross-stack references stay CloudFormation exports ("strong"), the
#: current behaviour, stated explicitly so CDK does not warn on every synth.
DEFAULT_CONTEXT: dict[str, Any] = {"@aws-cdk/core:defaultCrossStackReferences": "strong"}


def build_app(
    context: dict[str, Any] | None = None, *, settings: Settings | None = None, outdir: str | None = None
) -> App:
    """Create the app with every stack and the cdk-nag AWS Solutions validation plugin (runs at ``synth()``)."""
    app = App(context={**DEFAULT_CONTEXT, **(context or {})}, outdir=outdir)
    config = InfraConfig.from_scope(app, settings)
    warn_if_placeholder(config)

    keys = KeysStack(app, f"{STACK_PREFIX}Keys", config=config)
    lake = LakeStack(app, f"{STACK_PREFIX}Lake", config=config, s3_key=keys.s3)
    ingestion = IngestionStack(
        app,
        f"{STACK_PREFIX}Ingestion",
        config=config,
        kinesis_key=keys.kinesis,
        dynamodb_key=keys.dynamodb,
        s3_key=keys.s3,
        ops_key=keys.ops,
    )
    ingestion.add_stack_dependency(lake, "writes raw events and quarantined records to the lake buckets")
    features = FeaturesStack(
        app,
        f"{STACK_PREFIX}Features",
        config=config,
        validated_stream=ingestion.validated_stream,
        dynamodb_key=keys.dynamodb,
        ops_key=keys.ops,
    )
    ml = MlStack(
        app,
        f"{STACK_PREFIX}ML",
        config=config,
        s3_key=keys.s3,
        sagemaker_key=keys.sagemaker,
        ops_key=keys.ops,
        access_logs_bucket=lake.access_logs,
        validated_stream=ingestion.validated_stream,
    )
    ml.add_stack_dependency(lake, "SageMaker reads training data from the lake")
    api = ApiStack(
        app,
        f"{STACK_PREFIX}Api",
        config=config,
        dynamodb_key=keys.dynamodb,
        s3_key=keys.s3,
        ops_key=keys.ops,
        online_table=features.online_table,
        model_package_group_arn=ml.model_package_group_arn,
        model_packages_arn=ml.model_packages_arn,
        endpoint_name=ml.endpoint_name,
        endpoint_arn=ml.endpoint_arn,
    )
    MonitoringStack(
        app,
        f"{STACK_PREFIX}Monitoring",
        config=config,
        ops_key=keys.ops,
        api=api.api,
        validate_function=ingestion.validate.function,
        features_function=features.features.function,
        predict_function=api.predict.function,
        retrain_function=ml.retrain.function if ml.retrain_rule is not None else None,
        outcomes_function=ml.outcomes.function if ml.outcomes is not None else None,
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def courtside_stacks(app: App) -> list[Stack]:
    return [c for c in app.node.children if isinstance(c, Stack) and c.stack_name.startswith(STACK_PREFIX)]


def names_in_templates(app: App) -> dict[str, str]:
    """Physical names in the synthesized templates, keyed by the same roles as ``ResourceNames.as_dict()``.

    Synthesizes ``app`` if needed (``app.synth()`` is idempotent). Bucket names are reported without the optional
    ``nameSuffix`` context so that they compare with the local stack; ``api_stage`` is the deployed stage name.
    """
    from infra.names import extract_names

    return extract_names(app)


__all__ = ["STACK_PREFIX", "build_app", "courtside_stacks", "names_in_templates"]
