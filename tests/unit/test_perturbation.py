"""Perturbation tests on a model trained on the repo data, and the promotion gate."""

from __future__ import annotations

import pytest

from courtside.evaluation.perturbation import GateConfig, directional, pregame_suite, promotion_gate
from courtside.models import pregame
from courtside.models.dataset import pregame_frame


@pytest.fixture(scope="module")
def trained(data_dir):
    f = pregame_frame(data_dir)
    train, test = f[f["season"].between(2005, 2017)], f[f["season"] == 2018]
    return pregame.fit(train, {"model_kind": "ensemble", "n_estimators": 60}), test.head(200).to_dict("records")


def test_pregame_model_passes_invariance_direction_and_noise(trained):
    model, rows = trained
    res = pregame_suite(model, rows)
    assert res["invariance"]["passed"], res
    assert res["directional_elo"]["passed"], res
    assert res["noise_stability"]["passed"], res


def test_directional_check_catches_a_reversed_model():
    rows = [{"elo_diff": float(d)} for d in range(-100, 100, 10)]
    assert not directional(lambda r: 1 / (1 + 10 ** (r["elo_diff"] / 400)), rows, "elo_diff", 25)["passed"]


def test_gate_reads_the_report():
    good = {
        "overall": {"brier": 0.208, "ece": 0.01},
        "bias": {"worst_gap": 0.02},
        "fte_elo": {"model_same_games": {"brier": 0.208}, "benchmark": {"brier": 0.211}},
        "perturbation": {"passed": True},
    }
    assert promotion_gate(good).passed
    bad = {**good, "overall": {"brier": 0.22, "ece": 0.05}, "perturbation": {"passed": False, "x": {"passed": False}}}
    res = promotion_gate(bad, GateConfig())
    assert not res.passed and len(res.reasons) >= 3
