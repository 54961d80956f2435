"""Pre-game candidates: fit on the repo data, serve from JSON without training libraries, agree with the trainers."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from courtside.models import pregame
from courtside.models.dataset import pregame_frame
from courtside.models.training_options import CostMatrix, stratified_sample, time_aware_stratified_split


@pytest.fixture(scope="module")
def frame(data_dir):
    df = pregame_frame(data_dir)
    return df[df["season"].between(2005, 2018)]


@pytest.fixture(scope="module")
def split(frame):
    return frame[frame["season"] < 2018], frame[frame["season"] == 2018]


def brier(p, y) -> float:
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


@pytest.mark.parametrize("kind", ["elo", "logistic", "lightgbm", "ensemble"])
def test_every_kind_fits_serves_and_round_trips(split, kind):
    train, test = split
    model = pregame.fit(train, {"model_kind": kind, "n_estimators": 60})
    rows = test.to_dict("records")
    p = model.predict_many(rows)
    assert all(0.0 < v < 1.0 for v in p)
    assert brier(p, test["home_win"]) < 0.235  # far better than a coin (0.25) on a full season
    loaded = pregame.load_model(model.to_json())
    assert loaded.predict_many(rows[:50]) == pytest.approx(p[:50], abs=1e-12)
    assert json.loads(model.to_json())["metadata"]["model_kind"] == kind


def test_pure_python_trees_match_lightgbm(split):
    import lightgbm as lgb

    from courtside.models.trees import from_lightgbm

    train, test = split
    names = ["elo_diff", "home_rest_days", "away_rest_days"]
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 7, "verbose": -1},
        lgb.Dataset(train[names].to_numpy(float), train["home_win"].to_numpy(int)),
        num_boost_round=30,
    )
    served = from_lightgbm(booster, names).predict_many(test.to_dict("records"))
    assert served == pytest.approx(booster.predict(test[names].to_numpy(float)).tolist(), abs=1e-9)


def test_serving_loader_imports_no_training_libraries(split, tmp_path):
    model = pregame.fit(split[0], {"model_kind": "ensemble", "n_estimators": 20, "calibration": "platt"})
    path = tmp_path / "model.json"
    path.write_text(model.to_json())
    code = (
        "import sys, json; from courtside.models.pregame import load_model;"
        f"m = load_model(open({str(path)!r}).read());"
        "p = m.predict_proba({'elo_diff': 50, 'home_rest_days': 2, 'away_rest_days': 1, 'home_back_to_back': 0,"
        "'away_back_to_back': 1, 'home_games_last_4_days': 1, 'away_games_last_4_days': 2, 'neutral': 0,"
        "'home_availability': 1.0, 'away_availability': 0.8});"
        "bad = [m for m in ('pandas', 'numpy', 'sklearn', 'lightgbm') if m in sys.modules];"
        "assert not bad, bad; print(p)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0.5 < float(out.stdout) < 1.0


def test_benchmark_columns_are_refused(split):
    train = split[0].assign(fte_elo_prob_home=0.5)
    with pytest.raises(ValueError, match="benchmark"):
        pregame.fit(train, {"model_kind": "logistic", "features": ["elo_diff", "fte_elo_prob_home"]})


def test_switches_change_the_model_as_stated(split):
    train, test = split
    plain = pregame.fit(train, {"model_kind": "logistic"})
    costly = pregame.fit(train, {"model_kind": "logistic", "cost_matrix": {"false_home": 2.0, "false_away": 1.0}})
    recent = pregame.fit(train, {"model_kind": "logistic", "half_life": 2})
    rows = test.to_dict("records")
    # Making a wrong home pick costlier lowers every home probability.
    assert np.mean(costly.predict_many(rows)) < np.mean(plain.predict_many(rows))
    assert recent.predict_many(rows) != plain.predict_many(rows)
    assert CostMatrix(2.0, 1.0).bayes_threshold() == pytest.approx(2 / 3)
    calibrated = pregame.fit(train, {"model_kind": "lightgbm", "n_estimators": 40, "calibration": "auto"})
    assert calibrated.metadata["calibration_chosen"] in {"none", "platt", "isotonic"}


def test_time_aware_split_has_no_future_in_training(frame):
    train, val = time_aware_stratified_split(frame, 0.2)
    assert train["date"].max() < val["date"].min()
    assert len(val) / len(frame) == pytest.approx(0.2, abs=0.02)
    sample = stratified_sample(frame, 2000, ["home_win", "is_playoff"])
    assert sample["home_win"].mean() == pytest.approx(frame["home_win"].mean(), abs=0.01)
    assert sample["is_playoff"].mean() == pytest.approx(frame["is_playoff"].mean(), abs=0.01)
