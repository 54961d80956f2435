"""The cloud training pipeline (SageMaker Pipelines, SDK v3 `sagemaker.mlops.workflow`).

    BuildTrainingSet (processing: sagemaker/build_dataset.py)   curated games -> dataset version + train/validation
      -> TrainModel (training: sagemaker/train.py via ModelTrainer, the same trainer as `courtside.training.cloud`)
      -> EvaluateModel (processing: sagemaker/evaluate.py)      holdout Brier/ECE, champion on the same rows
      -> QualityGate (condition on evaluation.json)             Brier <= gate.max_brier and ECE <= MaxEce
           if true : RegisterModel (model package in the pre-game group, ModelApprovalStatus, metrics, lineage)
           else    : GateFailed (FailStep with the scores)

Why a pipeline next to `courtside train`: the local flow is for a laptop and CI; in the account the same code
(`courtside.training.pipeline_jobs`, `sagemaker/train.py`) runs as managed jobs with lineage, retries and an audit
trail, and a model only reaches the registry (pending manual approval) after the gate.

Definition time needs S3 (the SDK uploads the staged source for each step to the artifacts bucket) but no running
job: `definition()` works against moto. `upsert()` creates or updates the pipeline (`courtside pipeline upsert`).
The SDK is imported lazily: it takes seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT, Settings
from courtside.training import cloud
from courtside.training.pipeline_jobs import EVALUATION_FILE, MANIFEST_FILE

PIPELINE_SUFFIX = "pregame-training"
INFERENCE_IMAGE = cloud.SKLEARN_TRAINING_IMAGE  # the scikit-learn image serves sagemaker/inference.py too
PROCESSING_INSTANCE = "ml.m5.large"
STEP_NAMES = ("BuildTrainingSet", "TrainModel", "EvaluateModel", "QualityGate", "RegisterModel", "GateFailed")
# every step of both pipelines unpacks the same staged source (the in-game pipeline: courtside.training.live_pipeline)
PIPELINE_SCRIPTS = ("train.py", "build_dataset.py", "evaluate.py", "inference.py", "train_live.py", "register_live.py")


def pipeline_name(settings: Settings) -> str:
    return f"{settings.prefix}-{PIPELINE_SUFFIX}"


@dataclass(frozen=True)
class PipelineDefaults:
    """Default values of the pipeline parameters (overridable per execution)."""

    min_season: int = 1985
    holdout_seasons: int = 1
    max_brier: float = 0.235  # absolute ceiling: a coin flip scores 0.25, the shipped logistic model ~0.21
    # one season's ECE of a perfectly calibrated forecaster is ~0.028 (p90 0.039, docs/results/calibration.md):
    # a tighter ceiling would reject well-calibrated models on noise
    max_ece: float = 0.04
    max_regression: float = 0.002  # the candidate may not be worse than the champion by more than this
    c: float = 1.0
    approval_status: str = "PendingManualApproval"
    training_instance: str = cloud.DEFAULT_INSTANCE
    processing_instance: str = PROCESSING_INSTANCE


def stage_pipeline_source(dest: Path) -> Path:
    """`courtside/` + the pipeline's `sagemaker/*.py` scripts + requirements.txt (what every step unpacks)."""
    cloud.stage_source(dest)
    for script in PIPELINE_SCRIPTS:
        shutil.copy2(REPO_ROOT / "sagemaker" / script, dest / "sagemaker" / script)
    return dest


def pipeline_session(settings: Settings) -> Any:
    import boto3
    from sagemaker.core.workflow.pipeline_context import PipelineSession

    return PipelineSession(
        boto_session=boto3.session.Session(region_name=settings.region),
        default_bucket=settings.names.artifacts_bucket,
        default_bucket_prefix="pipelines",
    )


def build_pipeline(
    settings: Settings,
    role: str | None = None,
    source_dir: Path | None = None,
    defaults: PipelineDefaults = PipelineDefaults(),  # noqa: B008 (frozen)
    mlflow_arn: str | None = None,
) -> Any:
    """The `sagemaker.mlops.workflow.Pipeline` object; `source_dir` = a staged copy (see stage_pipeline_source)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.region)
    if os.environ.get("AWS_ENDPOINT_URL"):
        os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")  # moto has no iam:SimulatePrincipalPolicy
    from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
    from sagemaker.core.workflow.conditions import ConditionLessThanOrEqualTo
    from sagemaker.core.workflow.execution_variables import ExecutionVariables
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow import ConditionStep, FailStep, ModelStep, Pipeline, ProcessingStep, TrainingStep
    from sagemaker.serve.model_builder import ModelBuilder
    from sagemaker.train.configs import InputData

    from courtside.training import tracking

    arn = cloud.role_arn(role)
    code = tracking.code_version()  # what gets staged and uploaded now is what every execution runs
    session = pipeline_session(settings)
    names = settings.names
    src = str(source_dir or stage_pipeline_source(Path(tempfile.mkdtemp(prefix="courtside-pipeline-")) / "src"))
    d = defaults

    p_games = ParameterString("InputGamesUri", default_value=f"s3://{names.lake_bucket}/curated/games/")
    p_min_season = ParameterInteger("MinSeason", default_value=d.min_season)
    p_holdout = ParameterInteger("HoldoutSeasons", default_value=d.holdout_seasons)
    p_c = ParameterString("C", default_value=repr(d.c))
    p_max_brier = ParameterFloat("MaxBrier", default_value=d.max_brier)
    p_max_ece = ParameterFloat("MaxEce", default_value=d.max_ece)
    p_max_regression = ParameterFloat("MaxBrierRegression", default_value=d.max_regression)
    p_approval = ParameterString("ModelApprovalStatus", default_value=d.approval_status)
    p_train_instance = ParameterString("TrainingInstanceType", default_value=d.training_instance)
    p_proc_instance = ParameterString("ProcessingInstanceType", default_value=d.processing_instance)
    parameters = [p_games, p_min_season, p_holdout, p_c, p_max_brier, p_max_ece, p_max_regression, p_approval,
                  p_train_instance, p_proc_instance]  # fmt: skip

    def processor(job: str) -> Any:
        return framework_processor(settings, arn, p_proc_instance, session, job)

    out_root = Join(
        on="/", values=[f"s3://{names.artifacts_bucket}/pipelines", ExecutionVariables.PIPELINE_EXECUTION_ID]
    )

    # 1. training set ------------------------------------------------------------------------------------------------
    manifest_file = PropertyFile(name="DatasetManifest", output_name="manifest", path=MANIFEST_FILE)
    build_args = processor("build-dataset").run(
        code="sagemaker/build_dataset.py",
        source_dir=src,
        requirements="requirements.txt",
        inputs=[processing_input("games", p_games, "/opt/ml/processing/input/games")],
        outputs=[
            processing_output(
                name,
                f"/opt/ml/processing/{name}",
                Join(on="/", values=[out_root, name]),
            )
            for name in ("train", "validation", "manifest")
        ],  # fmt: skip
        arguments=[
            "--lake-bucket",
            names.lake_bucket,
            "--holdout-seasons",
            p_holdout.to_string(),
            "--min-season",
            p_min_season.to_string(),
        ],  # fmt: skip
    )
    build = ProcessingStep(name="BuildTrainingSet", step_args=build_args, property_files=[manifest_file])
    outputs = build.properties.ProcessingOutputConfig.Outputs
    dataset_version = JsonGet(step_name=build.name, property_file=manifest_file, json_path="version")

    # 2. train -------------------------------------------------------------------------------------------------------
    trainer = cloud.build_model_trainer(
        settings,
        {"model_kind": "logistic", "c": p_c, "min_season": p_min_season.to_string(), "seed": "42"},
        Path(src),
        role=arn,
        instance_type=p_train_instance,
        session=session,
        environment={"COURTSIDE_PREFIX": settings.prefix, "DATASET_VERSION": dataset_version},
    )
    train_args = trainer.train(
        input_data_config=[
            InputData(channel_name="train", data_source=outputs["train"].S3Output.S3Uri),
            InputData(channel_name="validation", data_source=outputs["validation"].S3Output.S3Uri),
        ]
    )
    train = TrainingStep(name="TrainModel", step_args=train_args)
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts

    # 3. evaluate ----------------------------------------------------------------------------------------------------
    evaluation_file = PropertyFile(name="Evaluation", output_name="evaluation", path=EVALUATION_FILE)
    eval_args = processor("evaluate").run(
        code="sagemaker/evaluate.py",
        source_dir=src,
        requirements="requirements.txt",
        inputs=[
            processing_input("model", model_data, "/opt/ml/processing/model"),
            processing_input(
                "validation",
                outputs["validation"].S3Output.S3Uri,
                "/opt/ml/processing/validation",
            ),
        ],  # fmt: skip
        outputs=[
            processing_output(
                "evaluation",
                "/opt/ml/processing/evaluation",
                Join(on="/", values=[out_root, "evaluation"]),
            )
        ],  # fmt: skip
        arguments=[
            "--max-brier",
            p_max_brier.to_string(),
            "--max-ece",
            p_max_ece.to_string(),
            "--max-regression",
            p_max_regression.to_string(),
            "--group",
            names.model_package_group,
        ],  # fmt: skip
    )
    evaluate = ProcessingStep(name="EvaluateModel", step_args=eval_args, property_files=[evaluation_file])
    report = property_reader(evaluate, evaluation_file)

    # 4. register (only behind the gate) -----------------------------------------------------------------------------
    eval_uri = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    builder = ModelBuilder(
        image_uri=INFERENCE_IMAGE.format(region=settings.region),
        s3_model_data_url=model_data,
        role_arn=arn,
        sagemaker_session=session,
        env_vars={  # as the CDK app's pre-game model (infra/stacks/ml.py)
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
            "COURTSIDE_PREFIX": settings.prefix,
        },
    )
    register_args = builder.register(
        model_package_group_name=names.model_package_group,
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        approval_status=p_approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                content_type="application/json", s3_uri=Join(on="/", values=[eval_uri, EVALUATION_FILE])
            )
        ),
        customer_metadata_properties={
            "dataset_version": dataset_version,
            "code_version": code.commit,
            "code_hash": code.code_hash,
            "model_json_url": model_data,
            "metric.validation_brier": report("metrics.brier").to_string(),
            "metric.validation_ece": report("metrics.ece").to_string(),
            "pipeline_execution": ExecutionVariables.PIPELINE_EXECUTION_ID,
        },
    )
    register = ModelStep(name="RegisterModel", step_args=register_args)
    failed = FailStep(
        name="GateFailed",
        error_message=Join(
            on=" ",
            values=[
                "quality gate failed: brier",
                report("metrics.brier"),
                "> max",
                report("gate.max_brier"),
                "or ece",
                report("metrics.ece"),
                "> max",
                report("gate.max_ece"),
            ],  # fmt: skip
        ),
    )
    gate = ConditionStep(
        name="QualityGate",
        conditions=[
            ConditionLessThanOrEqualTo(left=report("metrics.brier"), right=report("gate.max_brier")),
            ConditionLessThanOrEqualTo(left=report("metrics.ece"), right=p_max_ece),
        ],
        if_steps=[register],
        else_steps=[failed],
    )
    mlflow_config = None
    if mlflow_arn:
        from sagemaker.core.shapes import MlflowConfig

        mlflow_config = MlflowConfig(mlflow_resource_arn=mlflow_arn, mlflow_experiment_name="courtside-pregame")
    return Pipeline(
        name=pipeline_name(settings),
        parameters=parameters,
        steps=[build, train, evaluate, gate],
        sagemaker_session=session,
        pipeline_experiment_config=None,
        mlflow_config=mlflow_config,
    )


def framework_processor(settings: Settings, role_arn: str, instance_type: Any, session: Any, job: str) -> Any:
    """A processing job in the scikit-learn image that runs one of the pipeline's scripts (``python3 <script>``)
    from the staged source, as `role_arn`, with the stack's prefix in its environment."""
    from sagemaker.core.processing import FrameworkProcessor

    return FrameworkProcessor(
        image_uri=cloud.SKLEARN_TRAINING_IMAGE.format(region=settings.region),
        role=role_arn,
        instance_count=1,
        instance_type=instance_type,
        command=["python3"],
        base_job_name=f"{settings.prefix}-{job}",
        sagemaker_session=session,
        env={"COURTSIDE_PREFIX": settings.prefix},
    )


def property_reader(step: Any, property_file: Any) -> Any:
    """``reader(path)``: the value at `path` of a step's JSON property file, as a pipeline variable (what a gate's
    conditions and a failure message read)."""
    from sagemaker.core.workflow.functions import JsonGet

    def reader(path: str) -> Any:
        return JsonGet(step_name=step.name, property_file=property_file, json_path=path)

    return reader


def processing_input(name: str, source: Any, dest: str) -> Any:
    """A processing input: the S3 prefix `source` (str or pipeline variable) mounted at `dest`."""
    from sagemaker.core.shapes import ProcessingInput, ProcessingS3Input

    s3 = ProcessingS3Input(s3_uri=source, local_path=dest, s3_data_type="S3Prefix", s3_input_mode="File")
    return ProcessingInput(input_name=name, s3_input=s3)


def processing_output(name: str, source: str, dest: Any) -> Any:
    """A processing output: the container directory `source` uploaded to `dest` when the job ends."""
    from sagemaker.core.shapes import ProcessingOutput, ProcessingS3Output

    s3 = ProcessingS3Output(s3_uri=dest, local_path=source, s3_upload_mode="EndOfJob")
    return ProcessingOutput(output_name=name, s3_output=s3)


def definition(
    settings: Settings, role: str | None = None, builder: Callable[..., Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """The pipeline definition (the JSON CreatePipeline receives), as a dict. `builder` builds it from a staged
    source (default :func:`build_pipeline`; the in-game pipeline passes its own)."""
    with tempfile.TemporaryDirectory(prefix="courtside-pipeline-src-") as tmp:
        pipe = (builder or build_pipeline)(settings, role, stage_pipeline_source(Path(tmp) / "src"), **kwargs)
        return json.loads(pipe.definition())


def upsert(
    settings: Settings,
    role: str | None = None,
    description: str = "",
    pipe: Any = None,
    builder: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Create or update the pipeline in the configured account (moto when AWS_ENDPOINT_URL is set);
    `pipe` = an already built Pipeline (else `builder`, default :func:`build_pipeline`, builds one from the working
    tree)."""
    description = description or "Courtside pre-game: build set -> train -> evaluate -> gate -> register"
    if pipe is not None:
        return dict(pipe.upsert(role_arn=cloud.role_arn(role), description=description))
    with tempfile.TemporaryDirectory(prefix="courtside-pipeline-src-") as tmp:
        pipe = (builder or build_pipeline)(settings, role, stage_pipeline_source(Path(tmp) / "src"), **kwargs)
        return dict(pipe.upsert(role_arn=cloud.role_arn(role), description=description))
