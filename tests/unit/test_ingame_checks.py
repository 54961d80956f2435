"""In-game perturbation checks on probe states (practice 26): what they catch and what they let through."""

from __future__ import annotations

import dataclasses
import math

import pytest

from courtside.evaluation import ingame_checks
from courtside.models import ingame


class _Logistic:
    """A smooth in-game forecaster: home-win probability from the margin, time left and pre-game strength."""

    def predict_proba(self, s):
        t = max(float(s["seconds_left"]), 1.0)
        p = min(max(float(s.get("pregame_model_prob", s["pregame_prob"])), 1e-4), 1 - 1e-4)
        return 1 / (1 + math.exp(-(float(s["margin"]) / math.sqrt(t / 60) + math.log(p / (1 - p)) * t / 2880)))


class _DropsPastTwelve(_Logistic):
    """The failure the directional check exists for: a lead passing 12 points lowers the probability."""

    def predict_proba(self, s):
        return super().predict_proba(s) - (0.2 if abs(float(s["margin"])) > 12 and float(s["margin"]) > 0 else 0)


def test_probe_states_are_seeded_and_cover_what_the_live_endpoint_sends():
    a, b = ingame_checks.probe_states(500, seed=3), ingame_checks.probe_states(500, seed=3)
    assert a == b and a != ingame_checks.probe_states(500, seed=4)
    assert {s["period"] for s in a} == {1, 2, 3, 4, 5}
    assert sum("pregame_model_prob" in s for s in a) == 250  # half reach the early trees
    assert all(0 <= s["seconds_left"] <= 2880 for s in a) and {s["home_possession"] for s in a} == {-1.0, 0.0, 1.0}
    assert all(s["seconds_left"] <= 300 for s in a if s["period"] == 5)
    assert all(set(ingame.STATE_FIELDS) <= set(s) for s in a)  # every live input the model reads


def test_a_smooth_monotone_forecaster_passes():
    suite = ingame_checks.ingame_suite(_Logistic())
    assert suite["passed"] and ingame_checks.failed_checks(suite) == []
    assert suite["states"] == 2000 and suite["directional_pregame_model"]["rows"] == 1000
    metrics = ingame_checks.gate_metrics(suite)
    assert metrics["perturbation_passed"] == 1.0 and metrics["margin_violations"] == 0.0


def test_a_lead_that_lowers_the_probability_fails_with_examples():
    suite = ingame_checks.ingame_suite(_DropsPastTwelve())
    assert not suite["passed"] and ingame_checks.failed_checks(suite) == ["directional_margin"]
    bad = suite["directional_margin"]
    assert bad["violations"] > 0 and all(e["margin"] == 12.0 and e["drop"] > 0.1 for e in bad["examples"])
    assert ingame_checks.gate_metrics(suite)["margin_violations"] == bad["violations"]


def test_a_forecaster_that_jumps_on_a_pregame_nudge_fails_noise_stability():
    class Jumpy(_Logistic):
        def predict_proba(self, s):
            return super().predict_proba(s) * (0.9 if s["pregame_prob"] * 1000 % 10 < 5 else 1.0)

    suite = ingame_checks.ingame_suite(Jumpy())
    assert "noise_stability" in ingame_checks.failed_checks(suite)
    assert suite["noise_stability"]["p99_shift"] > ingame_checks.MAX_NOISE_SHIFT_P99


@pytest.fixture(scope="module")
def fitted(data_dir):
    import pandas as pd

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    return ingame.fit(ingame.states_from_pbp(pbp, index), n_estimators=60)


def test_the_fitted_in_game_model_is_monotone_in_the_margin(fitted):
    """The trees read the weak-supervision input signed by the leader (monotone), so no threshold of a labelling
    function can make a bigger lead lower the home probability, in any period, on either serving path."""
    assert "settled_lead" in fitted.feature_names and "leverage" not in fitted.feature_names
    suite = ingame_checks.ingame_suite(fitted, ingame_checks.probe_states(800))
    assert suite["directional_margin"]["violations"] == 0
    assert suite["directional_pregame"]["passed"] and suite["invariance"]["passed"]
    # the late logistic turned against the lead is caught
    bad = dataclasses.replace(
        fitted, late=dataclasses.replace(fitted.late, coef=tuple(-abs(c) for c in fitted.late.coef))
    )
    assert not ingame_checks.ingame_suite(bad, ingame_checks.probe_states(800))["directional_margin"]["passed"]
