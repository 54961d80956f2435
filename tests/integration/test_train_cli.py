"""`courtside train --from-file` end to end against moto, with a temporary MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _training_support import fresh_mlflow_uri, recent_games, recent_training_set
from typer.testing import CliRunner

from courtside import registry
from courtside.aws.clients import client
from courtside.cli import app
from courtside.config import Settings
from courtside.models.linear import LinearModel
from courtside.training import datasets, tracking


@pytest.fixture()
def mlflow_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = fresh_mlflow_uri(tmp_path)
    monkeypatch.setenv("COURTSIDE_MLFLOW_URI", uri)
    return uri


@pytest.fixture()
def games_file(tmp_path: Path) -> Path:
    """Seasons 2012-2019 of the shipped games file (keeps the test fast; --from-file reads the same format)."""
    path = tmp_path / "nba_games_2012_2019.parquet"
    recent_games().to_parquet(path)
    return path


def test_train_from_file_registers_and_tracks(aws: Settings, mlflow_uri: str, games_file: Path) -> None:
    runner = CliRunner()
    args = ["train", "--from-file", "--games-file", str(games_file), "--min-season", "2014", "--json", "--who", "ci"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{") :])
    group = aws.names.model_package_group
    assert out["model_version"] == f"{group}/1" and not out["approved"]

    # registry: pending, with lineage
    rec = registry.describe(out["model_package_arn"])
    assert rec.status == registry.PENDING
    assert rec.dataset_version == out["dataset_version"] and rec.metadata["run_id"] == out["run_id"]
    assert rec.metrics["train_brier"] == pytest.approx(out["metrics"]["train_brier"])
    assert registry.approved_model(group) is None
    model = LinearModel.from_json(registry.load_model_json(rec.model_data_url))
    assert model.metadata["dataset_version"] == out["dataset_version"]
    assert model.metadata["seasons"] == [2014, 2019]

    # dataset version in the lake, verified on load
    manifest = datasets.manifest(aws.names.lake_bucket, out["dataset_version"])
    assert manifest.row_count == len(recent_games()) and manifest.data_object_version  # one row per game
    assert out["dataset_version"] == datasets.version_of(recent_training_set())  # file path == library path
    assert manifest.source_partitions == [str(games_file)]

    # MLflow run with dataset version, code version, params, metrics and artifacts
    run = tracking.get_run(out["run_id"], tracking.mlflow_client(mlflow_uri))
    assert run.status == "FINISHED"
    assert run.tags["courtside.dataset_version"] == out["dataset_version"]
    assert len(run.tags["courtside.git_commit"]) == 40 and run.tags["courtside.git_dirty"] in {"true", "false"}
    assert run.tags["courtside.model_version"] == out["model_version"]
    assert run.tags["env.python"] and run.tags["env.scikit-learn"]
    assert run.params["min_season"] == "2014" and run.params["model_kind"] == "logistic"
    assert run.metrics["train_brier"] == pytest.approx(out["metrics"]["train_brier"])
    artifacts = {a.path for a in tracking.mlflow_client(mlflow_uri).list_artifacts(out["run_id"])}
    assert {"model", "dataset", "config", "logs", "environment.json", "metrics.json"} <= artifacts

    # approve through the CLI: it becomes the served version
    res = runner.invoke(app, ["models", "approve", "1", "--why", "ship it", "--who", "ci"])
    assert res.exit_code == 0, res.output
    assert registry.approved_model(group).version == 1  # type: ignore[union-attr]
    res = runner.invoke(app, ["models", "list"])
    assert res.exit_code == 0 and f"* {group}/1" in res.stdout
    res = runner.invoke(app, ["experiments", "list"])
    assert res.exit_code == 0 and out["run_id"] in res.stdout
    # artifacts in the artifacts bucket
    keys = {o["Key"] for o in client("s3").list_objects_v2(Bucket=aws.names.artifacts_bucket)["Contents"]}
    assert f"models/{group}/{out['run_id']}/model.tar.gz" in keys
