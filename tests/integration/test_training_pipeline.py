"""The SageMaker Pipeline: its definition (built offline against moto), its upsert, and the code its processing
steps run (build the training set, evaluate against the champion) on local directories."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _training_support import recent_games, recent_training_set
from typer.testing import CliRunner

from courtside import registry
from courtside.aws.clients import client
from courtside.config import Settings, get_settings
from courtside.local.bootstrap import create_resources
from courtside.training import datasets, pipeline, pipeline_jobs
from courtside.training.flow import model_tarball

ROLE = "arn:aws:iam::123456789012:role/courtside-sagemaker"
MLFLOW_ARN = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/courtside"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


@pytest.fixture(scope="module")
def built(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, dict[str, Any]]]:
    """One pipeline for the module (building it costs seconds: SDK import + source uploads): settings, definition."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=10)
    settings = get_settings()
    create_resources(settings)
    src = pipeline.stage_pipeline_source(tmp_path_factory.mktemp("pipeline") / "src")
    pipe = pipeline.build_pipeline(settings, ROLE, src, mlflow_arn=MLFLOW_ARN)
    PIPES.append(pipe)
    yield settings, json.loads(pipe.definition())


PIPES: list[Any] = []


def _steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    steps = {s["Name"]: s for s in definition["Steps"]}
    for cond in [s for s in definition["Steps"] if s["Type"] == "Condition"]:
        steps.update({s["Name"]: s for s in cond["Arguments"]["IfSteps"] + cond["Arguments"]["ElseSteps"]})
    return steps


def _refs(obj: Any) -> set[str]:
    """Every `Steps.<name>` a step's arguments read (the data dependencies the service derives the DAG from)."""
    text = json.dumps(obj)
    return {part.split(".")[1] for part in text.split('"Get": "')[1:] if part.startswith("Steps.")}


def test_definition_steps_and_dependencies(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, d = built
    assert [s["Name"] for s in d["Steps"]] == ["BuildTrainingSet", "TrainModel", "EvaluateModel", "QualityGate"]
    steps = _steps(d)
    assert {n: s["Type"] for n, s in steps.items()} == {
        "BuildTrainingSet": "Processing",
        "TrainModel": "Training",
        "EvaluateModel": "Processing",
        "QualityGate": "Condition",
        "RegisterModel": "RegisterModel",
        "GateFailed": "Fail",
    }
    assert _refs(steps["BuildTrainingSet"]["Arguments"]) == set()
    assert _refs(steps["TrainModel"]["Arguments"]) == {"BuildTrainingSet"}
    assert _refs(steps["EvaluateModel"]["Arguments"]) == {"BuildTrainingSet", "TrainModel"}
    assert _refs(steps["QualityGate"]["Arguments"]["Conditions"]) == {"EvaluateModel"}
    assert _refs(steps["RegisterModel"]["Arguments"]) == {"BuildTrainingSet", "TrainModel", "EvaluateModel"}

    # role and images: every job runs as the execution role in the scikit-learn image
    for name in ("BuildTrainingSet", "EvaluateModel"):
        args = steps[name]["Arguments"]
        assert args["RoleArn"] == ROLE and args["AppSpecification"]["ImageUri"] == IMAGE
    train = steps["TrainModel"]["Arguments"]
    assert train["RoleArn"] == ROLE and train["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    container = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]["Containers"][0]
    assert container["Image"] == IMAGE and container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert container["ModelDataUrl"] == {"Get": "Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"}


def test_definition_parameters_channels_and_property_files(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, d = built
    assert d["MlflowConfig"] == {"MlflowResourceArn": MLFLOW_ARN, "MlflowExperimentName": "courtside-pregame"}
    params = {p["Name"]: (p["Type"], p["DefaultValue"]) for p in d["Parameters"]}
    defaults = pipeline.PipelineDefaults()
    assert params["InputGamesUri"] == ("String", f"s3://{settings.names.lake_bucket}/curated/games/")
    assert params["MaxBrier"] == ("Float", defaults.max_brier) and params["MaxEce"] == ("Float", defaults.max_ece)
    assert params["ModelApprovalStatus"] == ("String", "PendingManualApproval")
    assert {"MinSeason", "HoldoutSeasons", "C", "MaxBrierRegression", "TrainingInstanceType"} <= set(params)
    steps = _steps(d)

    build = steps["BuildTrainingSet"]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in build["Arguments"]["ProcessingInputs"]}
    assert inputs["games"] == {"Get": "Parameters.InputGamesUri"}
    outputs = [o["OutputName"] for o in build["Arguments"]["ProcessingOutputConfig"]["Outputs"]]
    assert outputs == ["train", "validation", "manifest"]
    assert build["PropertyFiles"] == [
        {"PropertyFileName": "DatasetManifest", "OutputName": "manifest", "FilePath": "manifest.json"}
    ]
    assert "--lake-bucket" in build["Arguments"]["AppSpecification"]["ContainerArguments"]

    train = steps["TrainModel"]["Arguments"]
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in train["InputDataConfig"]}
    assert channels["train"] == {"Get": "Steps.BuildTrainingSet.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
    assert "validation" in channels and {"code", "sm_drivers"} <= set(channels)
    assert train["HyperParameters"]["c"] == {"Get": "Parameters.C"}
    assert train["Environment"]["DATASET_VERSION"]["Std:JsonGet"]["Path"] == "version"
    assert train["ResourceConfig"]["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}
    assert {"train_brier", "validation_brier"} <= {
        m["Name"] for m in train["AlgorithmSpecification"]["MetricDefinitions"]
    }

    evaluate = steps["EvaluateModel"]
    assert evaluate["PropertyFiles"] == [
        {"PropertyFileName": "Evaluation", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    args = evaluate["Arguments"]["AppSpecification"]["ContainerArguments"]
    assert args[args.index("--group") + 1] == settings.names.model_package_group

    # the staged source every step unpacks holds the scripts and the package, nothing else
    code = next(i for i in evaluate["Arguments"]["ProcessingInputs"] if i["InputName"] == "code")["S3Input"]["S3Uri"]
    bucket, _, key = code[len("s3://") :].partition("/")
    keys = [o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]]
    assert keys and bucket == settings.names.artifacts_bucket


def test_definition_quality_gate_and_registration(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, d = built
    steps = _steps(d)
    gate = steps["QualityGate"]["Arguments"]
    evaluation = {"Get": "Steps.EvaluateModel.PropertyFiles.Evaluation"}
    assert gate["Conditions"] == [
        {
            "Type": "LessThanOrEqualTo",
            "LeftValue": {"Std:JsonGet": {"PropertyFile": evaluation, "Path": "metrics.brier"}},
            "RightValue": {"Std:JsonGet": {"PropertyFile": evaluation, "Path": "gate.max_brier"}},
        },
        {
            "Type": "LessThanOrEqualTo",
            "LeftValue": {"Std:JsonGet": {"PropertyFile": evaluation, "Path": "metrics.ece"}},
            "RightValue": {"Get": "Parameters.MaxEce"},
        },
    ]
    assert [s["Name"] for s in gate["IfSteps"]] == ["RegisterModel"]
    assert [s["Name"] for s in gate["ElseSteps"]] == ["GateFailed"]

    reg = steps["RegisterModel"]["Arguments"]
    assert reg["ModelPackageGroupName"] == settings.names.model_package_group
    assert reg["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    stats = reg["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert stats["ContentType"] == "application/json" and "evaluation.json" in json.dumps(stats["S3Uri"])
    meta = reg["CustomerMetadataProperties"]
    assert meta["dataset_version"]["Std:JsonGet"]["Path"] == "version"
    assert {"metric.validation_brier", "metric.validation_ece", "model_json_url"} <= set(meta)
    assert len(meta["code_version"]) == 40 and len(meta["code_hash"]) == 64  # the code staged with the definition


def test_upsert_creates_then_updates_through_the_cli(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = built
    runner = CliRunner()
    name = pipeline.pipeline_name(settings)
    res = runner.invoke(app_cli(), ["pipeline", "upsert", "--role", ROLE])  # creates
    assert res.exit_code == 0, res.output
    assert f"pipeline/{name}" in res.stdout
    sm = client("sagemaker")
    created = sm.describe_pipeline(PipelineName=name)
    out = pipeline.upsert(settings, ROLE, description="second", pipe=PIPES[0])  # exists: updates in place
    assert out["PipelineArn"] == created["PipelineArn"]
    assert [p["PipelineName"] for p in sm.list_pipelines()["PipelineSummaries"]] == [name]
    described = sm.describe_pipeline(PipelineName=name)
    assert described["RoleArn"] == ROLE and described["PipelineDescription"] == "second"
    assert [s["Name"] for s in json.loads(described["PipelineDefinition"])["Steps"]][-1] == "QualityGate"


def app_cli() -> Any:
    from courtside.cli import app

    return app


# ---- what the processing steps run --------------------------------------------------------------------------------


def test_build_dataset_versions_and_splits(aws: Settings, tmp_path: Path) -> None:
    games = recent_games()  # seasons 2012-2019
    games_dir = tmp_path / "games"
    for season, part in games.groupby("season"):
        (games_dir / f"season={season}").mkdir(parents=True)
        part.to_parquet(games_dir / f"season={season}" / "part-0.parquet")
    out = {name: tmp_path / name for name in ("train", "validation", "manifest")}
    pipeline_jobs.build_dataset_main(
        ["--games", str(games_dir), "--train", str(out["train"]), "--validation", str(out["validation"]),
         "--manifest", str(out["manifest"]), "--lake-bucket", aws.names.lake_bucket, "--holdout-seasons", "1"]
    )  # fmt: skip
    doc = json.loads((out["manifest"] / "manifest.json").read_text())
    rows = recent_training_set()  # what flow.build_training_set makes of the same games
    assert doc["version"] == datasets.version_of(rows)  # the same id `courtside train` gives the same rows
    assert datasets.manifest(aws.names.lake_bucket, doc["version"]).row_count == len(rows) == doc["row_count"]
    train = pd.read_parquet(out["train"] / "data.parquet")
    validation = pd.read_parquet(out["validation"] / "data.parquet")
    assert set(validation["season"]) == {2019} and (train["season"].min(), train["season"].max()) == (2012, 2018)
    assert len(train) + len(validation) == len(rows) == doc["split"]["train_rows"] + doc["split"]["validation_rows"]
    assert doc["source_partitions"] == [f"season={s}" for s in range(2012, 2020)]


def _fit(rows: pd.DataFrame, c: float) -> str:
    from courtside.training.core import train
    from courtside.training.hyperparams import Hyperparameters

    return train(rows, Hyperparameters(c=c)).model.to_json()


def test_evaluate_scores_candidate_against_champion(aws: Settings, tmp_path: Path) -> None:
    rows = recent_training_set()
    train_rows, holdout = pipeline_jobs.split_holdout(rows, 1)
    (tmp_path / "validation").mkdir()
    holdout.to_parquet(tmp_path / "validation" / "data.parquet")
    (tmp_path / "model.tar.gz").write_bytes(model_tarball(_fit(train_rows, 1.0).encode()))
    group = aws.names.model_package_group

    # no champion: the absolute thresholds decide
    report = pipeline_jobs.evaluate(tmp_path / "model.tar.gz", tmp_path / "validation", tmp_path / "e1", 0.235, 0.05)
    written = json.loads((tmp_path / "e1" / "evaluation.json").read_text())
    assert written == json.loads(json.dumps(report))
    m = report["metrics"]
    assert report["rows"] == len(holdout) and 0.15 < m["brier"] < 0.25 and 0 <= m["ece"] < 0.1
    assert report["champion"] is None and report["gate"]["max_brier"] == 0.235 and report["gate"]["passed"]
    assert written["binary_classification_metrics"]["brier"]["value"] == m["brier"]

    # a champion that is better on the holdout tightens the Brier gate below the candidate's score
    bucket = aws.names.artifacts_bucket
    champion_json = _fit(rows, 1.0)  # trained on the holdout too: scores better there
    client("s3").put_object(Bucket=bucket, Key="models/champ/model.tar.gz", Body=model_tarball(champion_json.encode()))
    rec = registry.register_model(
        group,
        model_data_url=f"s3://{bucket}/models/champ/model.tar.gz",
        metrics={},
        dataset_version="x",
        code_version="y",
        feature_names=json.loads(champion_json)["feature_names"],
        description="champion",
    )
    registry.approve(rec.arn, "ci", "champion")
    pipeline_jobs.evaluate_main(
        ["--model", str(tmp_path / "model.tar.gz"), "--validation", str(tmp_path / "validation"),
         "--out", str(tmp_path / "e2"), "--max-brier", "0.235", "--max-ece", "0.05", "--group", group]
    )  # fmt: skip
    gated = json.loads((tmp_path / "e2" / "evaluation.json").read_text())
    champ = gated["champion"]
    assert champ["model_version"] == f"{group}/1" and champ["metrics"]["brier"] < gated["metrics"]["brier"]
    assert gated["gate"]["max_brier"] == pytest.approx(champ["metrics"]["brier"])
    assert gated["gate"]["passed"] is False
