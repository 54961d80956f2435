"""`courtside models train-live` on the shipped play-by-play extract: writes a loadable in-game document with its
metadata, registers and approves it in the live group, and the live endpoint's provider loads exactly that model.
(The shipped model is the same command on 2015-16..2017-18 of /work/shared/data/pbp; ~2 minutes, not run here.)"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from courtside import registry
from courtside.cli import app
from courtside.config import Settings
from courtside.models.ingame import load_model
from courtside.models.ingame_train import read_metadata
from courtside.serving.live import default_live_provider


def test_train_live_writes_registers_and_serves(aws: Settings, data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ingame.json"
    args = ["models", "train-live", "--out", str(out), "--pbp-dir", str(data_dir / "pbp")]
    args += ["--train-seasons", "2018-19_first300", "--test-season", "", "--n-estimators", "15"]
    args += ["--register", "--approve", "--who", "ci", "--why", "test run"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout[res.stdout.index("{") :])

    doc = out.read_bytes()
    meta = read_metadata(doc)
    model = load_model(doc)
    assert meta["train_seasons"] == ["2018-19_first300"] and meta["n_estimators"] == 15
    assert meta["train_games"] == 300 and meta["train_states"] > 300 * 70  # ~80 per game, as on the full seasons
    assert "test_brier" not in meta and meta["code_version"] and meta["created"].endswith("Z")
    assert len(model.trees.trees) == 15 and model.late is not None and model.label_model is not None
    # the early trees (periods 1-3) on the committed walk-forward predictions, which cover these games
    assert model.early is not None and meta["early_trees"] and meta["pregame_predictions"] == "predictions.csv"

    group = aws.names.live_model_package_group
    assert summary["model_version"] == f"{group}/1" and summary["status"] == registry.APPROVED
    served = registry.approved_model(group)
    assert served is not None and served.approval_description == "approved by ci: test run"
    assert served.metrics["train_games"] == 300.0 and served.feature_names == list(model.feature_names)
    # the promotion gate's figures travel with the package
    assert served.metrics["perturbation_passed"] == 1.0 and served.metrics["margin_violations"] == 0.0

    provider = default_live_provider()
    assert provider is not None
    loaded = provider.refresh()
    assert loaded is not None and loaded.version == f"{group}/1"
    state = {
        "score_margin": -4.0,
        "game_seconds_remaining": 600.0,
        "period": 4,
        "home_possession": 1.0,
        "margin_change_2min": -3.0,
        "home_in_bonus": 1.0,
        "away_in_bonus": 0.0,
        "timeouts_used_diff": 1.0,
        "seconds_per_possession": 15.0,
        "pregame_home_win_probability": 0.6,
    }
    assert loaded.model.predict_proba(state) == model.predict_proba(state)


def test_train_live_without_pregame_predictions_fits_no_early_trees(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ingame.json"
    args = ["models", "train-live", "--out", str(out), "--pbp-dir", str(data_dir / "pbp")]
    args += ["--train-seasons", "2018-19_first300", "--test-season", "", "--n-estimators", "5"]
    res = CliRunner().invoke(app, [*args, "--pregame-predictions", "none"])
    assert res.exit_code == 0, res.output
    doc = out.read_bytes()
    assert load_model(doc).early is None
    assert read_metadata(doc)["early_trees"] is False and read_metadata(doc)["pregame_predictions"] is None


def test_a_model_that_fails_the_perturbation_checks_is_rejected_not_approved(aws: Settings, tmp_path: Path) -> None:
    """The shipped document with its late logistic turned against the lead: registered for the audit trail, then
    rejected with the failed check as the reason, and nothing serves."""
    import dataclasses

    from courtside.aws.clients import client
    from courtside.models.ingame_train import SHIPPED_MODEL
    from courtside.training.live_model import register_live_model

    good = load_model(SHIPPED_MODEL.read_bytes())
    late = dataclasses.replace(good.late, coef=tuple(-abs(c) for c in good.late.coef))
    bad = dataclasses.replace(good, late=late).to_json().encode()
    group = aws.names.live_model_package_group
    rec = register_live_model(aws, bad, approve=True, who="ci", why="should not serve")
    assert rec.status == registry.REJECTED and "directional_margin" in rec.approval_description
    assert registry.approved_model(group) is None and rec.metrics["perturbation_passed"] == 0.0
    key = rec.model_data_url.split(aws.names.artifacts_bucket + "/", 1)[1].replace("model.tar.gz", "perturbation.json")
    body = client("s3").get_object(Bucket=aws.names.artifacts_bucket, Key=key)["Body"].read()
    checks = json.loads(body)
    assert checks["passed"] is False and checks["directional_margin"]["violations"] > 0
    assert checks["directional_margin"]["examples"][0]["period"] >= 4  # the late phase, where the logistic serves

    # a person approving it by hand meets the recorded failure, and may override it only on the record
    args = ["models", "approve", rec.model_version, "--why", "looks fine to me", "--who", "ci"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and "--override-gate" in refused.output
    assert registry.approved_model(group) is None
    forced = CliRunner().invoke(app, [*args, "--override-gate"])
    assert forced.exit_code == 0, forced.output
    served = registry.approved_model(group)
    assert served is not None and "gate overridden" in served.approval_description
