"""In-game model on the repo's 300-game extract: states, weak labels, pure-Python serving, direction of leads."""

from __future__ import annotations

import dataclasses
import math

import pytest

from courtside.evaluation.perturbation import directional
from courtside.models import ingame, ingame_report


@pytest.fixture(scope="module")
def states(data_dir):
    import pandas as pd

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    s = ingame.states_from_pbp(pbp, index)
    s, stats = ingame.add_leverage(s)
    return s, stats


@pytest.fixture(scope="module")
def split(states):
    s, _ = states
    games = sorted(s["GAME_ID"].unique())
    return s[s["GAME_ID"].isin(games[:220])], s[s["GAME_ID"].isin(games[220:])]


@pytest.fixture(scope="module")
def model(split):
    return ingame.fit(split[0], n_estimators=60)


def test_states_and_weak_labels(states):
    s, stats = states
    assert len(s) > 300 * 50 and s["game_key"].nunique() >= 250
    assert s["seconds_left"].between(0, 2880).all() and s["leverage"].between(0, 1).all()
    assert 0 < stats["lf_summary"]["lf_clutch"]["coverage"] < 0.2
    # the label model is interior, not on clamps, and the leverage label separates close from decided late states
    assert all(0.05 < a < 0.999 for a in stats["accuracy"].values())
    late = s[(s["period"] == 4) & (s["seconds_left"] < 300)]
    assert late[late["margin"].abs() <= 3]["leverage"].mean() > late[late["margin"].abs() >= 20]["leverage"].mean()
    # state machine: bonus and timeouts accumulate, possession is known after the opening events
    assert s["bonus_home"].isin([0.0, 1.0]).all() and s["bonus_home"].mean() > 0.05
    assert s["timeouts_used_diff"].abs().max() >= 2
    # (unknown at a period's start and from a miss to its rebound: a sample lands there ~40 % of the time, since the
    # first event after a 30 s mark is usually a shot)
    known = (s[s["seconds_left"] < 2700]["home_possession"] != 0).mean()
    assert 0.5 < known < 0.8
    assert (s["period"] > 4).any()  # overtime is sampled too


def test_replay_reports_its_progress_game_by_game(data_dir, states):
    """The CLIs' progress bar: the number of games first, then one update per game, ending at that number."""
    import pandas as pd

    class Recorder:
        total: float | None = None

        def __init__(self) -> None:
            self.seen: list[float | str | None] = []

        def update(self, n: float = 1) -> None:
            self.seen.append(self.total)

        def close(self) -> None:
            self.seen.append("closed")

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    games = pbp["GAME_ID"].astype(str).str.zfill(10)
    first = sorted(games.unique())[:12]
    rec = Recorder()
    s = ingame.states_from_pbp(pbp[games.isin(first)], index, progress=rec)
    assert rec.total == s["GAME_ID"].nunique() == 12
    assert rec.seen == [12] * 12 + ["closed"]  # the total known before the first game finished; closed after the last
    full, _ = states
    assert s.equals(full[full["GAME_ID"].isin(first)].drop(columns=["leverage"]).reset_index(drop=True))


def test_model_serves_from_json_and_matches_the_booster(split, model):
    _, test = split
    loaded = ingame.load_model(model.to_json())
    rows = test.sample(200, random_state=0)
    assert loaded.predict_many(rows.to_dict("records")) == pytest.approx(list(model.predict_frame(rows)), abs=1e-9)
    # the label model travels with the model: leverage is recomputed at serving, not read from the state
    r = {**rows.to_dict("records")[0], "leverage": 0.123}
    assert loaded.predict_proba(r) == pytest.approx(model.predict_proba(rows.to_dict("records")[0]))
    # the live service's field names give the same answer
    live = {live: r[name] for name, live in ingame.STATE_FIELDS.items()}
    live["pregame_home_win_probability"] = r["pregame_prob"]
    assert loaded.predict_proba(live) == pytest.approx(loaded.predict_proba(r))
    # a missing input is an error, not a neutral default (that default was a silent train/serve skew)
    with pytest.raises(KeyError, match="margin_change_2min"):
        loaded.predict_proba({k: v for k, v in live.items() if k != "margin_change_2min"})


def test_nested_parts_load_from_the_parsed_document_and_keep_their_format_check(model):
    """The loader builds the trees from the parsed dicts (no re-serialising); a wrong part is still refused."""
    import json

    doc = model.as_dict()
    assert json.loads(model.to_json()) == json.loads(json.dumps(doc))
    assert ingame.from_document(doc) == ingame.load_model(model.to_json())
    bad = {**doc, "trees": {**doc["trees"], "format": "courtside-linear-v1"}}
    with pytest.raises(ValueError, match="not a courtside-trees-v1 document: format='courtside-linear-v1'"):
        ingame.load_model(json.dumps(bad))
    with pytest.raises(ValueError, match="not a courtside-ingame-v6 or courtside-ingame-v5 document"):
        ingame.from_document(doc["trees"])
    # a late term this code cannot derive is refused at load, not on the first late-game request
    late = {**doc["late"], "feature_names": [*doc["late"]["feature_names"][:-1], "shot_clock_left"]}
    with pytest.raises(ValueError, match=r"names inputs this code does not derive: \['shot_clock_left'\]"):
        ingame.from_document({**doc, "late": late})


def test_late_logistic_is_fitted_by_the_brier_score_it_is_judged_on(split, model):
    """Default since stop 18: the late logistic is refitted by Brier; the log-loss fit stays selectable."""
    import numpy as np

    train, _ = split
    lm = model.label_model
    log, brier = ingame.fit_late_logistic(train, lm, loss="log"), ingame.fit_late_logistic(train, lm)
    late = train[(train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)]
    derived = [ingame.derive(r, lm) for r in late.to_dict("records")]
    y = late["home_win"].to_numpy(float)

    def score(m):
        return float(np.mean((np.asarray([m.predict_proba(d) for d in derived]) - y) ** 2))

    assert brier.feature_names == log.feature_names and brier.coef != log.coef
    assert score(brier) < score(log)
    assert model.late.coef == pytest.approx(brier.coef)  # fit() trains the same late logistic
    with pytest.raises(ValueError, match="late_loss must be one of"):
        ingame.fit_late_logistic(train, lm, loss="hinge")


def test_late_blend_only_in_the_last_five_minutes(split, model):
    _, test = split
    plain = dataclasses.replace(model, late=None)
    early = test[test["period"] <= 3].head(50)
    late = test[(test["period"] >= 4) & (test["seconds_left"] <= 300)].head(50)
    assert list(model.predict_frame(early)) == pytest.approx(list(plain.predict_frame(early)))
    assert list(model.predict_frame(late)) != pytest.approx(list(plain.predict_frame(late)))


def test_late_weight_travels_with_the_document_and_sets_the_blend(split, model):
    import json

    import numpy as np

    _, test = split
    late = test[(test["period"] >= 4) & (test["seconds_left"] <= 300)].head(50)
    trees_only = dataclasses.replace(model, late=None).predict_frame(late)
    logistic_only = dataclasses.replace(model, late_weight=1.0).predict_frame(late)
    w = ingame.LATE_WEIGHT
    assert model.late_weight == w and model.late.feature_names == ingame.LATE_FEATURES
    assert list(model.predict_frame(late)) == pytest.approx(list((1 - w) * trees_only + w * logistic_only))
    # the weight is part of the served document: a reweighted model reloads with its own weight, same scores
    other = dataclasses.replace(model, late_weight=0.25)
    loaded = ingame.load_model(other.to_json())
    assert loaded.late_weight == 0.25
    assert loaded.predict_many(late.to_dict("records")) == pytest.approx(list(other.predict_frame(late)), abs=1e-9)
    assert not np.allclose(other.predict_frame(late), model.predict_frame(late))
    # a v3 document (weight fixed at 0.5, no late_weight field) is refused, not served with a guessed weight
    v3 = {**json.loads(model.to_json()), "format": "courtside-ingame-v3"}
    v3.pop("late_weight")
    with pytest.raises(ValueError, match="courtside-ingame-v6"):
        ingame.load_model(json.dumps(v3))
    # a v4 document was fitted on the old possession (the shooter's side until the rebound): refused too
    with pytest.raises(ValueError, match="courtside-ingame-v6"):
        ingame.load_model(json.dumps({**json.loads(model.to_json()), "format": "courtside-ingame-v4"}))


@pytest.fixture(scope="module")
def early_split(split):
    """The split with a pre-game model probability per game that carries information the Elo input (0.5 in this
    extract) does not: the trees have a reason to use it."""
    import numpy as np

    def with_model_prob(s):
        rng = np.random.default_rng(0)
        games = sorted(s["GAME_ID"].unique())
        won = s.groupby("GAME_ID")["home_win"].first()
        prob = {g: float(np.clip(0.3 + 0.4 * won[g] + rng.normal(0, 0.15), 0.02, 0.98)) for g in games}
        return s.assign(pregame_model_prob=s["GAME_ID"].map(prob))

    return with_model_prob(split[0]), with_model_prob(split[1])


@pytest.fixture(scope="module")
def early_model(early_split):
    return ingame.fit(early_split[0], n_estimators=60)


def test_early_trees_serve_periods_one_to_three_on_the_pregame_models_probability(early_split, early_model):
    import json

    _, test = early_split
    model = early_model
    assert model.early is not None and model.early.feature_names == model.feature_names
    elo_only = dataclasses.replace(model, early=None, early_booster=None)
    rows = test.sample(300, random_state=1).to_dict("records")
    first3 = [r for r in rows if r["period"] <= ingame.EARLY_PERIODS]
    later = [r for r in rows if r["period"] > ingame.EARLY_PERIODS]
    assert first3 and later
    # periods 1-3: the early trees on the pre-game model's probability; from the 4th quarter: the Elo-trained parts
    for r in first3:
        d = ingame.derive({**r, "pregame_prob": r["pregame_model_prob"]}, model.label_model)
        assert model.predict_proba(r) == pytest.approx(model.early.predict_proba(d), abs=1e-12)
    assert [model.predict_proba(r) for r in later] == pytest.approx([elo_only.predict_proba(r) for r in later])
    assert [model.predict_proba(r) for r in first3] != pytest.approx([elo_only.predict_proba(r) for r in first3])
    # without the pre-game model's probability (none approved, or NaN in a frame) the Elo-trained trees serve
    for missing in (None, float("nan")):
        r = {**first3[0], "pregame_model_prob": missing}
        assert model.predict_proba(r) == pytest.approx(elo_only.predict_proba(r), abs=1e-12)
    # the live name reads the same, and a higher pre-game model probability never lowers the forecast
    r = first3[0]
    live = {live: r[name] for name, live in ingame.STATE_FIELDS.items()}
    live |= {"pregame_home_win_probability": r["pregame_prob"], "pregame_model_home_win_probability": 0.4}
    assert model.predict_proba(live) == pytest.approx(model.predict_proba({**r, "pregame_model_prob": 0.4}))
    probs = [model.predict_proba({**live, "pregame_model_home_win_probability": q}) for q in (0.2, 0.4, 0.6, 0.8)]
    assert probs == sorted(probs) and probs[-1] > probs[0]
    # batch scoring (boosters) equals the served form, and the document carries the early trees
    frame = test.sample(300, random_state=1)
    loaded = ingame.load_model(model.to_json())
    assert loaded.early is not None
    assert loaded.predict_many(frame.to_dict("records")) == pytest.approx(list(model.predict_frame(frame)), abs=1e-9)
    # a v5 document (no early trees) still loads and serves the Elo-trained parts in every period
    v5 = {**json.loads(elo_only.to_json()), "format": "courtside-ingame-v5"}
    v5.pop("early")
    old = ingame.load_model(json.dumps(v5))
    assert old.early is None
    assert old.predict_many(first3) == pytest.approx([elo_only.predict_proba(r) for r in first3], abs=1e-9)


def test_early_trees_only_where_they_can_differ(early_split):
    train = early_split[0]
    assert ingame.fit(train, n_estimators=10, early=False).early is None
    baseline = ingame.fit(train, ingame.BASELINE_FEATURES, late_model=False, monotone=False, n_estimators=10)
    assert baseline.early is None  # no pre-game input: early trees would be the same trees
    assert ingame.fit(train.drop(columns="pregame_model_prob"), n_estimators=10).early is None


def test_late_terms_follow_possessions_left():
    base = {"margin": 3.0, "period": 4, "home_possession": 1.0, "run_2min": 0.0, "bonus_home": 0.0}
    base |= {"bonus_away": 0.0, "timeouts_used_diff": 0.0, "pregame_prob": 0.5, "sec_per_poss": 15.0}
    early, late = ingame.derive({**base, "seconds_left": 240.0}), ingame.derive({**base, "seconds_left": 12.0})
    assert early["margin_per_poss"] == pytest.approx(3.0 / 11.0) and late["margin_per_poss"] == pytest.approx(2.0)
    assert late["possession_per_poss"] > early["possession_per_poss"] > 0
    assert early["last_minute"] == 60.0 and late["last_minute"] == 12.0
    # the Brownian scale at the game's own pace: 240 s at 15 s a possession is 16 possessions left
    assert early["margin_per_sqrt_poss_left"] == pytest.approx(3.0 / 17**0.5)
    fast = ingame.derive({**base, "seconds_left": 240.0, "sec_per_poss": 12.0})
    assert fast["margin_per_sqrt_poss_left"] < early["margin_per_sqrt_poss_left"]  # more possessions left: less safe
    # the pre-game strength: scaled by the share of the game left, and (since stop 19) unscaled for the late logistic
    fav = {**base, "seconds_left": 240.0, "pregame_prob": 0.75}
    assert ingame.derive(fav)["pregame_logit"] == pytest.approx(math.log(3.0))
    assert ingame.derive(fav)["pregame_logit_scaled"] == pytest.approx(math.log(3.0) * 240.0 / 2880.0)
    assert ingame.derive({**fav, "seconds_left": 12.0})["pregame_logit"] == pytest.approx(math.log(3.0))
    assert "pregame_logit" in ingame.LATE_FEATURES and "pregame_logit" not in ingame.FULL_FEATURES
    # the pre-game model's logit (since stop 20): its probability when the state carries one, Elo's otherwise
    assert ingame.derive(fav)["pregame_model_logit"] == pytest.approx(math.log(3.0))
    served = ingame.derive({**fav, "pregame_model_home_win_probability": 0.2})
    assert served["pregame_model_logit"] == pytest.approx(math.log(0.25))
    assert served["pregame_logit"] == pytest.approx(math.log(3.0))  # Elo's own term is untouched
    assert ingame.derive({**fav, "pregame_model_prob": float("nan")})["pregame_model_logit"] == pytest.approx(
        math.log(3.0)
    )  # a frame's missing value is "not given"
    assert "pregame_model_logit" in ingame.LATE_FEATURES and "pregame_model_logit" in ingame.LATE_NONNEGATIVE


def test_late_logistic_leans_with_the_pregame_favourite_in_a_tied_finish(model):
    """The same tied state 30 s from the end: the side Elo favoured gets the higher late-logistic probability."""
    state = {"margin": 0.0, "seconds_left": 30.0, "period": 4, "home_possession": 0.0, "run_2min": 0.0}
    state |= {"bonus_home": 1.0, "bonus_away": 1.0, "timeouts_used_diff": 0.0, "sec_per_poss": 14.0}
    probs = [model.late.predict_proba(ingame.derive({**state, "pregame_prob": p})) for p in (0.25, 0.5, 0.75)]
    assert probs[0] < probs[1] < probs[2]


def test_late_forecast_follows_the_pregame_model_when_it_is_served(early_model):
    """With Elo's probability fixed, a served pre-game model probability for the home side moves the late forecast
    its way (trained where that probability carries what Elo's does not), and without one Elo's stands in."""
    state = {"margin": 0.0, "seconds_left": 30.0, "period": 4, "home_possession": 0.0, "run_2min": 0.0}
    state |= {"bonus_home": 1.0, "bonus_away": 1.0, "timeouts_used_diff": 0.0, "sec_per_poss": 14.0}
    state |= {"pregame_prob": 0.5}
    coef = dict(zip(early_model.late.feature_names, early_model.late.coef, strict=True))["pregame_model_logit"]
    probs = [early_model.predict_proba({**state, "pregame_model_home_win_probability": p}) for p in (0.25, 0.5, 0.75)]
    assert coef > 0 and probs[0] < probs[1] < probs[2]
    assert early_model.predict_proba(state) == pytest.approx(probs[1])  # not given: Elo's 0.5 stands in


def test_directional_and_bins(split, model):
    train, test = split
    late = [r for r in test.to_dict("records") if r["period"] == 4 and r["seconds_left"] < 120][:50]
    res = directional(model.predict_proba, late, "margin", 6.0)
    assert res["violations"] == 0  # monotone in margin by construction
    baseline = ingame.fit(train, ingame.BASELINE_FEATURES, 60, late_model=False, monotone=False)
    assert baseline.late is None and baseline.label_model is None
    bins = ingame.evaluate_bins(model, baseline, test)
    assert set(bins) == set(ingame_report.BINS) and bins["last_5_min"]["model_brier"] < 0.2


def test_per_bin_calibration_maps_fix_a_shifted_bin():
    import numpy as np

    rng = np.random.default_rng(0)
    p_true = rng.uniform(0.05, 0.95, 4000)
    y = (rng.random(4000) < p_true).astype(int)
    bins = np.where(np.arange(4000) % 2 == 0, "Q1", "last_5_min")
    p_bad = np.where(bins == "Q1", p_true, np.clip(p_true**2, 1e-3, 1))  # the late bin is miscalibrated
    maps = ingame_report.per_bin_calibration(p_bad, y, bins)
    fixed = ingame_report.apply_calibration(p_bad, bins, maps)
    late = bins == "last_5_min"
    assert np.mean((fixed[late] - y[late]) ** 2) < np.mean((p_bad[late] - y[late]) ** 2) - 0.005
    assert abs(np.mean((fixed[~late] - y[~late]) ** 2) - np.mean((p_bad[~late] - y[~late]) ** 2)) < 0.002


def test_paired_bootstrap_interval_covers_a_known_gap():
    import numpy as np

    rng = np.random.default_rng(1)
    games = np.repeat(np.arange(300), 20)
    y = (rng.random(len(games)) < 0.5).astype(int)
    pb = np.full(len(games), 0.5)
    good = np.where(y == 1, 0.6, 0.4)  # Brier 0.16 vs 0.25: the model is 0.09 better everywhere
    lo, hi = ingame_report.paired_bootstrap(good, pb, y, games)
    assert lo == pytest.approx(-0.09, abs=1e-9) and hi == pytest.approx(-0.09, abs=1e-9)
    noisy = np.clip(pb + rng.normal(0, 0.05, len(games)), 0, 1)
    lo, hi = ingame_report.paired_bootstrap(noisy, pb, y, games)
    assert 0 < lo < 0.05**2 < hi  # noise of s.d. 0.05 costs 0.0025 Brier on average


def test_late_slices_split_the_last_five_minutes_and_measure_each_side(split, model):
    """Every late state falls in exactly one group per dimension; Brier and bias are each group's own; the
    markdown section lists every group."""
    import numpy as np

    test = split[1]
    baseline = ingame.fit(split[0], ingame.BASELINE_FEATURES, late_model=False, monotone=False, n_estimators=60)
    pm, pb = model.predict_frame(test), baseline.predict_frame(test)
    late = ingame_report._bins(test) == "last_5_min"
    assert late.any() and not late.all()
    slices = ingame_report.late_slices(pm, pb, test, late)
    assert set(slices) == set(ingame_report.LATE_SLICERS)
    y = test["home_win"].to_numpy(int)[late]
    pm_l = np.asarray(pm)[late]
    for rows in slices.values():
        assert sum(r["n"] for r in rows) == int(late.sum())
        assert sum(r["n"] * r["model_brier"] for r in rows) == pytest.approx(float(np.sum((pm_l - y) ** 2)))
    fav = {r["slice"]: r for r in slices["pre-game favourite"]}
    home_fav = test[late]["pregame_prob"].to_numpy() >= 0.5
    if home_fav.any():
        assert fav["home favourite"]["model_bias"] == pytest.approx(float(pm_l[home_fav].mean() - y[home_fav].mean()))
    lines = ingame_report.late_slices_markdown(slices)
    assert lines[1] == "## Last five minutes by slice (test season)"
    assert sum(line.startswith("| ") for line in lines) == 1 + sum(len(r) for r in slices.values())
    assert ingame_report.late_slices_markdown({}) == []

    # season by season: one row per slice present anywhere, one column per held-out season and the test season
    held_out = {"2015-16": slices, "2016-17": {"pre-game favourite": slices["pre-game favourite"]}}
    by_season = ingame_report.late_slices_by_season_markdown(held_out, slices, "2018-19")
    assert by_season[1] == "## Last five minutes by slice, season by season"
    header = next(line for line in by_season if line.startswith("| slice |"))
    assert header == "| slice | 2015-16 | 2016-17 | 2018-19 (test) |"
    rows = {line.split(" | ")[0][2:]: line for line in by_season if line.startswith("| ") and line != header}
    assert set(rows) == {r["slice"] for group in slices.values() for r in group}
    home_fav = fav.get("home favourite")
    if home_fav is not None:
        gap = home_fav["model_brier"] - home_fav["baseline_brier"]
        cell = f"{gap:+.4f} ({home_fav['model_bias']:+.3f} / {home_fav['baseline_bias']:+.3f})"
        assert rows["home favourite"].count(cell) == 3
    absent = [name for name in rows if name not in {r["slice"] for r in slices["pre-game favourite"]}]
    assert all(rows[name].split(" | ")[2] == "-" for name in absent)  # the 2016-17 column has one dimension only
    assert ingame_report.late_slices_by_season_markdown({}, slices, "2018-19") == []
