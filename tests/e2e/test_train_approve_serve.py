"""Issue #5's "done when", through the CLI and the local API: `courtside train` on the shipped data -> MLflow run
+ pending package; `courtside models approve` -> the API serves it; `courtside reproduce` of that run succeeds;
a rollback restores the previous version in the serving path and is recorded in the deployment history."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from courtside.cli import app
from courtside.config import Settings
from courtside.local.api import LocalApi
from courtside.local.functions import api_routes
from courtside.local.moto_server import free_port
from courtside.serving.testing import seed_store
from courtside.training import tracking

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _forecast(api: LocalApi) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"date": "2019-06-13", "home_team": "GSW", "away_team": "TOR"}).encode()
    req = urllib.request.Request(f"{api.url}/v1/predictions/pregame", data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _cli(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


def _cli_json(*args: str) -> Any:
    out = _cli(*args, "--json")
    return json.loads(out[out.index("{") :])


def test_train_approve_serve_reproduce_rollback(aws: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURTSIDE_MLFLOW_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("COURTSIDE_MODEL_REFRESH_SECONDS", "0")  # the API re-reads the registry on every request
    seed_store(aws)
    api = LocalApi(api_routes(aws.names), port=free_port(), stage=aws.names.api_stage).start()
    try:
        status, body = _forecast(api)
        assert status == 503 and body["error"]["code"] == "no_approved_model"

        # 1. train on the shipped games file: MLflow run with dataset version, metrics, artifacts; package pending
        first = _cli_json("train", "--from-file", "--who", "ci")
        group = aws.names.model_package_group
        assert first["model_version"] == f"{group}/1" and not first["approved"]
        run = tracking.get_run(first["run_id"])
        assert run.tags["courtside.dataset_version"] == first["dataset_version"] and run.metrics["train_brier"] < 0.25
        paths = {a.path for a in tracking.mlflow_client().list_artifacts(first["run_id"])}
        assert {"model", "dataset", "config", "logs", "metrics.json", "environment.json"} <= paths
        assert "PendingManualApproval" in _cli("models", "list")
        assert _forecast(api)[0] == 503  # pending does not serve

        # 2. approve: the local API serves it
        _cli("models", "approve", "1", "--why", "beats baseline", "--who", "ci")
        status, body = _forecast(api)
        assert status == 200 and body["model_version"] == f"{group}/1", body
        served_v1 = body["home_win_probability"]

        # 3. reproduce that run: same dataset version, same code, same predictions
        out = _cli_json("reproduce", first["run_id"])
        assert out["max_abs_diff"] <= 1e-9 and out["dataset_version"] == first["dataset_version"]

        # 4. a second version (recent seasons only), approved: it serves; roll back: version 1 serves again
        games = pd.read_parquet(aws.data_dir / "games" / "nba_games_1947_2019.parquet")
        games[games["season"] >= 2012].to_parquet(tmp_path / "recent.parquet")
        second = _cli_json(
            "train", "--games-file", str(tmp_path / "recent.parquet"), "--min-season", "2014", "--approve"
        )
        assert second["dataset_version"] != first["dataset_version"]
        status, body = _forecast(api)
        assert status == 200 and body["model_version"] == f"{group}/2"
        assert _cli("models", "rollback", "--why", "live brier regressed", "--who", "ci").strip().endswith(f"{group}/1")
        status, body = _forecast(api)
        assert status == 200 and body["model_version"] == f"{group}/1" and body["home_win_probability"] == served_v1
        history = _cli_json("models", "history")
        assert [e["event"] for e in history["events"]][-1] == "rollback"
        assert history["events"][-1]["serving_version"] == 1 and history["events"][-1]["why"] == "live brier regressed"
        assert [t["version"] for t in history["serving"]] == [1, 2, 1]
    finally:
        api.stop()
