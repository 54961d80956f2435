"""The per-season ECE noise floor: what a perfectly calibrated forecaster scores on the same number of games."""

from __future__ import annotations

import numpy as np

from courtside.evaluation import metrics
from courtside.evaluation.calibration_study import ece_noise_floor, to_markdown


def test_noise_floor_shrinks_with_games_and_flags_a_real_shift():
    rng = np.random.default_rng(3)
    p_season = rng.uniform(0.15, 0.9, 1300)
    small = ece_noise_floor(p_season, draws=100)
    large = ece_noise_floor(rng.uniform(0.15, 0.9, 13000), draws=50)
    assert 0.015 < small["mean"] < 0.04 and small["p90"] > small["mean"]
    assert large["mean"] < small["mean"] / 2
    y = (rng.random(1300) < p_season).astype(int)
    shifted = np.clip(p_season + 0.08, 0, 1)  # every forecast 8 points too high
    assert metrics.ece(shifted, y) > small["p90"]


def test_markdown_has_every_variant_season_and_the_floor():
    row = {"brier": 0.2, "ece": 0.01, "ece_noise_floor": {"mean": 0.027, "p90": 0.038}}
    study = {
        "none (served model)": {"overall": {"brier": 0.2, "ece": 0.01}, "seasons": {"2018": row, "2019": row}},
        "platt, always applied": {"overall": {"brier": 0.21, "ece": 0.02}, "seasons": {"2018": row, "2019": row}},
    }
    md = to_markdown(study, "## t")
    assert "ECE 2019" in md and "platt, always applied" in md and "0.0270 (p90 0.0380)" in md


def test_calibration_always_applies_the_named_map(data_dir):
    from courtside.models import calibration, pregame
    from courtside.models.dataset import pregame_frame

    df = pregame_frame(data_dir)
    train = df[df["season"].between(2010, 2017)]
    hp = {"model_kind": "elo", "calibration": "isotonic", "calibration_always": True}
    forced = pregame.fit(train, hp)
    assert isinstance(forced, calibration.CalibratedModel) and forced.calibration.method == "isotonic"
    assert forced.metadata["calibration_chosen"] == "isotonic"
    chosen = pregame.fit(train, {**hp, "calibration_always": False}).metadata["calibration_chosen"]
    scores = forced.metadata["calibration_validation_brier"]
    assert chosen == min(scores, key=scores.__getitem__)  # without the switch the validation rule decides
