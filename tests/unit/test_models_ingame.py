"""In-game model on the repo's 300-game extract: states, weak labels, pure-Python serving, direction of leads."""

from __future__ import annotations

import pytest

from courtside.evaluation.perturbation import directional
from courtside.models import ingame


@pytest.fixture(scope="module")
def states(data_dir):
    import pandas as pd

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    pbp = pbp.sort_values(["GAME_ID", "EVENTNUM"], kind="mergesort")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    s = ingame.states_from_pbp(pbp, index)
    s, stats = ingame.add_leverage(s)
    return s, stats


def test_states_and_weak_labels(states):
    s, stats = states
    assert len(s) > 300 * 50 and s["game_key"].nunique() >= 250
    assert s["seconds_left"].between(0, 2880).all() and s["leverage"].between(0, 1).all()
    assert 0 < stats["lf_summary"]["lf_clutch"]["coverage"] < 0.2


def test_ingame_model_beats_baseline_late_and_serves_from_json(states):
    s, _ = states
    games = sorted(s["GAME_ID"].unique())
    train, test = s[s["GAME_ID"].isin(games[:220])], s[s["GAME_ID"].isin(games[220:])]
    model = ingame.fit(train, n_estimators=80)
    loaded = ingame.load_model(model.to_json())
    rows = test.head(100).to_dict("records")
    assert loaded.predict_many(rows) == pytest.approx(model.predict_many(rows))
    late = [r for r in test.to_dict("records") if r["period"] == 4 and r["seconds_left"] < 120][:50]
    res = directional(model.predict_proba, late, "margin", 6.0)
    assert res["violations"] <= len(late) * 0.1
    bins = ingame.evaluate_bins(model, ingame.fit(train, ingame.BASELINE_FEATURES, 80), test)
    assert bins["last_5_min"]["model_brier"] < 0.2
