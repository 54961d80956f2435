"""The in-game training pipeline: its definition (built offline against moto), its upsert through the CLI, and the
code its two processing steps run (train + check, register) on local directories laid out as SageMaker mounts them."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from courtside import registry
from courtside.aws.clients import client
from courtside.cli import app
from courtside.config import Settings, get_settings
from courtside.local.bootstrap import create_resources
from courtside.models.ingame import WALK_FORWARD_PREDICTIONS, load_model
from courtside.training import live_pipeline, live_pipeline_jobs, pipeline

ROLE = "arn:aws:iam::123456789012:role/courtside-sagemaker"


@pytest.fixture(scope="module")
def built(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=10)
    settings = get_settings()
    create_resources(settings)
    src = pipeline.stage_pipeline_source(tmp_path_factory.mktemp("live-pipeline") / "src")
    assert (src / "sagemaker" / "train_live.py").exists() and (src / "sagemaker" / "register_live.py").exists()
    pipe = live_pipeline.build_live_pipeline(settings, ROLE, src)
    return settings, json.loads(pipe.definition())


def test_definition_trains_checks_and_registers_only_behind_the_gate(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, d = built
    assert [s["Name"] for s in d["Steps"]] == ["TrainLiveModel", "LiveGate"]
    train, gate = d["Steps"]
    params = {p["Name"]: p["DefaultValue"] for p in d["Parameters"]}
    assert params["InputPbpUri"] == f"s3://{settings.names.lake_bucket}/raw/pbp/"
    assert params["InputGamesUri"] == f"s3://{settings.names.lake_bucket}/curated/games/"
    assert params["TrainSeasons"] == "2015-16,2016-17,2017-18" and params["TestSeason"] == "2018-19"
    assert params["MaxTestBrier"] == live_pipeline.LivePipelineDefaults().max_test_brier

    args = train["Arguments"]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in args["ProcessingInputs"]}
    assert inputs["pbp"] == {"Get": "Parameters.InputPbpUri"} and inputs["games"] == {"Get": "Parameters.InputGamesUri"}
    assert inputs["predictions"] == {"Get": "Parameters.InputPredictionsUri"}
    assert [o["OutputName"] for o in args["ProcessingOutputConfig"]["Outputs"]] == ["model", "evaluation"]
    assert train["PropertyFiles"] == [
        {"PropertyFileName": "LiveEvaluation", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    assert args["RoleArn"] == ROLE and "--max-test-brier" in args["AppSpecification"]["ContainerArguments"]

    evaluation = {"Get": "Steps.TrainLiveModel.PropertyFiles.LiveEvaluation"}
    conditions = gate["Arguments"]["Conditions"]
    assert [c["Type"] for c in conditions] == ["GreaterThanOrEqualTo", "LessThanOrEqualTo"]
    assert conditions[0]["LeftValue"]["Std:JsonGet"] == {
        "PropertyFile": evaluation,
        "Path": "perturbation.perturbation_passed",
    }
    assert conditions[1]["RightValue"] == {"Std:JsonGet": {"PropertyFile": evaluation, "Path": "gate.max_test_brier"}}
    container_args = args["AppSpecification"]["ContainerArguments"]
    assert container_args[container_args.index("--group") + 1] == settings.names.live_model_package_group
    assert params["MaxTestBrierRegression"] == live_pipeline.LivePipelineDefaults().max_regression
    register = gate["Arguments"]["IfSteps"][0]
    assert register["Name"] == "RegisterLiveModel"
    model_in = register["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert model_in == {"Get": "Steps.TrainLiveModel.ProcessingOutputConfig.Outputs['model'].S3Output.S3Uri"}
    assert [s["Name"] for s in gate["Arguments"]["ElseSteps"]] == ["LiveGateFailed"]


def test_upsert_through_the_cli(built: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = built
    res = CliRunner().invoke(app, ["pipeline", "upsert", "--live", "--role", ROLE])
    assert res.exit_code == 0, res.output
    described = client("sagemaker").describe_pipeline(PipelineName=live_pipeline.live_pipeline_name(settings))
    assert [s["Name"] for s in json.loads(described["PipelineDefinition"])["Steps"]] == ["TrainLiveModel", "LiveGate"]


@pytest.fixture(scope="module")
def mounts(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped 300-game extract as two seasons (its first 200 games relabelled 2017-18), the shipped games history
    as the lake's curated games, and the committed backtest predictions: the processing job's input mounts."""
    root = tmp_path_factory.mktemp("processing")
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    first = set(sorted(index["GAME_ID"])[:200])

    def relabel(ids: pd.Series) -> pd.Series:
        return ids.where(~ids.isin(first), ids.str.replace("00218", "00217", n=1))

    (root / "pbp").mkdir()
    train = pbp["GAME_ID"].astype(str).isin(first)
    pbp.assign(GAME_ID=relabel(pbp["GAME_ID"].astype(str)))[train].to_parquet(root / "pbp" / "pbp_2017-18.parquet")
    pbp[~train].to_parquet(root / "pbp" / "pbp_2018-19.parquet")
    index.assign(GAME_ID=relabel(index["GAME_ID"])).to_csv(root / "pbp" / "games_index_2015_2019.csv", index=False)
    (root / "games" / "season=all").mkdir(parents=True)
    shutil.copy(data_dir / "games" / "nba_games_1947_2019.parquet", root / "games" / "season=all" / "part-0.parquet")
    (root / "predictions").mkdir()
    shutil.copy(WALK_FORWARD_PREDICTIONS, root / "predictions" / "predictions.csv")
    return root


def test_train_live_step_writes_the_model_and_the_gate_figures(mounts: Path) -> None:
    args = ["--pbp", str(mounts / "pbp"), "--games", str(mounts / "games")]
    args += ["--predictions", str(mounts / "predictions"), "--model", str(mounts / "model")]
    args += ["--out", str(mounts / "evaluation"), "--n-estimators", "15"]
    live_pipeline_jobs.train_live_main([*args, "--train-seasons", "2017-18", "--test-season", "2018-19",
                                        "--max-test-brier", "0.25"])  # fmt: skip
    report = json.loads((mounts / "evaluation" / "evaluation.json").read_text())
    model = load_model((mounts / "model" / "model.json").read_bytes())
    assert model.early is not None and model.late is not None  # the predictions reached the early trees
    assert report["metrics"]["train_games"] == 200 and 0 < report["metrics"]["test_brier"] < 0.25
    assert report["perturbation"]["perturbation_passed"] == 1.0 and report["perturbation"]["failed"] == []
    assert report["gate"] == {"max_test_brier": 0.25, "passed": True} and report["champion"] is None
    # a ceiling the model cannot meet fails the gate (what LiveGate reads)
    live_pipeline_jobs.train_live_main([*args, "--train-seasons", "2017-18", "--test-season", "2018-19",
                                        "--max-test-brier", "0.01"])  # fmt: skip
    assert json.loads((mounts / "evaluation" / "evaluation.json").read_text())["gate"]["passed"] is False


def test_train_live_step_reads_the_lakes_raw_zone(data_dir: Path, mounts: Path, tmp_path: Path) -> None:
    """`InputPbpUri` = s3://{lake}/raw/: the step sees the raw zone's layout and trains on the validated events,
    split by the lake's season partitions (here the extract's first 28 games filed under 2017-18)."""
    import gzip

    from courtside.sources.extract import iter_game_events

    raw = tmp_path / "raw"
    for n, (ref, events) in enumerate(iter_game_events(data_dir, games=40)):
        season = 2018 if n < 28 else 2019
        for etype in ("pbp", "game_final", "player_box"):
            lines = [json.dumps(ev).encode() for _, ev in events if ev["event_type"] == etype]
            part = raw / f"event_type={etype}" / f"season={season}" / f"date={ref.date}"
            part.mkdir(parents=True, exist_ok=True)
            (part / f"{ref.game_id}.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    report = live_pipeline_jobs.train_live(
        raw, mounts / "games", mounts / "predictions" / "predictions.csv", tmp_path / "model", tmp_path / "eval",
        ["2017-18"], "2018-19", 0.30, 10,
    )  # fmt: skip
    meta = json.loads((tmp_path / "model" / "model.json").read_text())["metadata"]
    assert meta["source"] == "lake events" and meta["train_games"] == 28 and meta["test_games"] == 12
    assert 0 < report["metrics"]["test_brier"] < 0.30


def test_train_live_step_is_held_to_the_serving_model_on_the_same_states(mounts: Path) -> None:
    """With a champion (the shipped model, trained on three full seasons) the ceiling is its Brier on the same test
    states plus the allowed regression; a 15-tree model on 200 games does not reach it and fails the gate."""
    from courtside.models.ingame_train import SHIPPED_MODEL

    shipped = ("courtside-live/1", SHIPPED_MODEL.read_text())
    report = live_pipeline_jobs.train_live(
        mounts / "pbp", mounts / "games", mounts / "predictions" / "predictions.csv", mounts / "model-c",
        mounts / "evaluation-c", ["2017-18"], "2018-19", 0.25, 15, 0.002, shipped,
    )  # fmt: skip
    champion = report["champion"]
    assert champion["model_version"] == "courtside-live/1" and 0 < champion["test_brier"] < 0.25
    assert report["gate"]["max_test_brier"] == pytest.approx(champion["test_brier"] + 0.002)
    assert report["metrics"]["test_brier"] > report["gate"]["max_test_brier"] and report["gate"]["passed"] is False


def test_elo_from_the_lakes_curated_games_equals_elo_from_the_shipped_history(mounts: Path) -> None:
    """The pipeline computes the late phase's pre-game input from the lake; it must be the laptop's, game by game."""
    from courtside.models import ingame

    lake = live_pipeline_jobs.read_curated_games(mounts / "games")[0].sample(frac=1.0, random_state=0)  # any order
    assert ingame.pregame_probs(games=lake) == ingame.pregame_probs()


def test_register_live_step_leaves_the_model_pending_approval(aws: Settings, mounts: Path) -> None:
    model_dir = mounts / "model-r"
    live_pipeline_jobs.train_live(
        mounts / "pbp", mounts / "games", None, model_dir, mounts / "evaluation-r", ["2017-18"], "2018-19", 0.25, 10
    )
    live_pipeline_jobs.register_live_main(["--model", str(model_dir), "--why", "pipeline run 1"])
    group = aws.names.live_model_package_group
    records = registry.list_models(group)
    assert len(records) == 1 and records[0].status == registry.PENDING
    assert records[0].metrics["perturbation_passed"] == 1.0 and registry.approved_model(group) is None
