"""Training core and the script-mode contract of sagemaker/train.py (via the local runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from courtside.features.pregame import FEATURE_NAMES
from courtside.models.linear import LinearModel
from courtside.training import core
from courtside.training.entry import parse_args, parse_metric_lines, read_hyperparameters
from courtside.training.hyperparams import Hyperparameters
from courtside.training.local_runner import TrainingJobError, run_training_job

DATA = Path(__file__).resolve().parents[2] / "data" / "games" / "nba_games_1947_2019.parquet"


@lru_cache(maxsize=1)
def slice_rows() -> pd.DataFrame:
    """Pre-game rows of seasons 2008-2018 (Elo warmed up over 2008-2009), trained on 2010-2018."""
    from courtside.training.flow import build_training_set

    games = pd.read_parquet(DATA)
    games = games[(games["season"] >= 2008) & (games["season"] <= 2018)]
    return build_training_set(games)


def test_hyperparameters_parse_sagemaker_strings() -> None:
    hp = Hyperparameters.from_mapping(
        {"model_kind": '"logistic"', "c": "0.5", "min_season": "2010", "recency_half_life": "null", "num_leaves": "7"}
    )
    assert hp.c == 0.5 and hp.min_season == 2010 and hp.recency_half_life is None
    assert dict(hp.extra) == {"num_leaves": "7"}
    assert Hyperparameters.from_mapping(hp.as_sagemaker()) == hp


def test_cli_args_override_hyperparameters_file(tmp_path: Path) -> None:
    (tmp_path / "hyperparameters.json").write_text(json.dumps({"c": "2.0", "seed": "1"}))
    values = read_hyperparameters({"SM_INPUT_CONFIG_DIR": str(tmp_path)}, ["--c", "1.0", "--model-kind=logistic"])
    assert values == {"c": "1.0", "seed": "1", "model_kind": "logistic"}
    with pytest.raises(SystemExit):
        parse_args(["--c"])


def test_metric_lines_round_trip() -> None:
    metrics = {"train_brier": 0.2101234567891, "train_rows": 1230.0}
    lines = core.metric_lines(metrics)
    assert "metric train_rows=1230" in lines
    assert parse_metric_lines("noise\n" + "\n".join(lines)) == metrics


def test_recency_weights_halve_per_half_life() -> None:
    w = core.recency_weights(pd.Series([2018, 2016, 2014]), 2.0)
    assert list(w) == [1.0, 0.5, 0.25]
    assert core.recency_weights(pd.Series([2018]), None) is None


def test_train_is_deterministic_and_carries_metadata() -> None:
    rows = slice_rows()
    hp = Hyperparameters(min_season=2010, recency_half_life=4.0)
    a = core.train(rows, hp, dataset_version="abc")
    b = core.train(rows.sample(frac=1.0, random_state=1), hp, dataset_version="abc")  # row order must not matter
    assert a.model.to_json() == b.model.to_json()
    meta = a.model.metadata
    assert meta["seasons"] == [2010, 2018] and meta["dataset_version"] == "abc"
    assert meta["training_rows"] == int(a.metrics["train_rows"])
    assert meta["feature_names"] == list(FEATURE_NAMES)
    assert 0.18 < a.metrics["train_brier"] < 0.23


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        core.train(slice_rows().drop(columns=["elo_diff"]), Hyperparameters())


def test_train_script_under_sagemaker_contract(tmp_path: Path) -> None:
    rows = slice_rows()
    (tmp_path / "train").mkdir()
    (tmp_path / "validation").mkdir()
    rows[rows["season"] < 2018].to_parquet(tmp_path / "train" / "part-0.parquet")
    rows[rows["season"] == 2018].to_parquet(tmp_path / "validation" / "part-0.parquet")
    result = run_training_job(
        tmp_path / "train",
        {"model_kind": "logistic", "c": 1.0, "min_season": 2010, "seed": 7, "dataset_version": "v1"},
        tmp_path / "job",
        validation_dir=tmp_path / "validation",
    )
    model = LinearModel.from_json(result.model_json.read_text())
    assert model.metadata["model_kind"] == "logistic"
    assert model.metadata["dataset_version"] == "v1"
    assert model.metadata["seasons"] == [2010, 2017]
    assert json.loads((tmp_path / "job" / "input" / "config" / "hyperparameters.json").read_text())["c"] == "1.0"
    written = json.loads((result.output_data_dir / "metrics.json").read_text())
    assert written == pytest.approx(result.metrics)
    assert {"train_brier", "train_log_loss", "validation_brier", "validation_rows"} <= set(result.metrics)
    assert any(line.startswith("metric validation_brier=") for line in result.stdout.splitlines())
    assert result.metrics["validation_rows"] == float((rows["season"] == 2018).sum())
    assert_artifact_is_hostable(result.model_dir, model, rows.head(5))


def assert_artifact_is_hostable(model_dir: Path, model: LinearModel, rows) -> None:
    """The artifact's `code/` serves the model the way the SageMaker container does: from that folder alone.

    A fresh interpreter without site-packages (`-S`) imports `code/inference.py` and goes through
    model_fn -> input_fn -> predict_fn -> output_fn; its answers must equal the trained model's.
    """
    features = [{name: float(row[name]) for name in model.feature_names} for row in rows.to_dict("records")]
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import inference as i; "
        "served = i.model_fn(sys.argv[2]); "
        "body, _ = i.output_fn(i.predict_fn(i.input_fn(sys.argv[3], 'application/json'), served), 'application/json'); "
        "print(body)"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            script,
            str(model_dir / "code"),
            str(model_dir),
            json.dumps({"instances": features}),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=model_dir,
    )
    served = [p["home_win_probability"] for p in json.loads(out.stdout)["predictions"]]
    assert served == pytest.approx([model.predict_proba(f) for f in features], abs=1e-12)


def test_runner_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrainingJobError, match="exited with status 1"):
        run_training_job(tmp_path / "empty", {"c": 1.0}, tmp_path / "job")
    assert (tmp_path / "job" / "output" / "failure").exists()
