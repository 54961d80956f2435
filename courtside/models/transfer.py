"""Transfer learning (practice 24): a model pre-trained on 1979-80..2009-10 adapted to one recent season with
little data, against training from scratch on the same little data.

Adaptation = warm-started LightGBM (``init_model``): the old booster's trees stay, a few shallow trees at a low
learning rate are added on the new season's first games. Both are judged on the rest of that season.
"""

from __future__ import annotations

from typing import Any

PRETRAIN = (1980, 2010)
FEATURES = (
    "elo_diff",
    "home_rest_days",
    "away_rest_days",
    "home_back_to_back",
    "away_back_to_back",
    "home_games_last_4_days",
    "away_games_last_4_days",
    "neutral",
)


def compare(frame: Any, season: int = 2019, n_small: int = 200) -> dict[str, Any]:
    """Scratch vs pre-trained vs warm-started, trained on the first `n_small` games of `season`."""
    from courtside.evaluation.metrics import brier, log_loss
    from courtside.models import pregame

    old = frame[frame["season"].between(*PRETRAIN)]
    cur = frame[frame["season"] == season].sort_values("date", kind="mergesort")
    small, test = cur.iloc[:n_small], cur.iloc[n_small:]
    test = test[test["date"].astype(str) > str(small["date"].max())]
    hp = {"model_kind": "lightgbm", "features": list(FEATURES)}
    base = {"n_estimators": 300, "learning_rate": 0.02}
    results: dict[str, Any] = {
        "pretrain_seasons": list(PRETRAIN),
        "season": season,
        "small_rows": int(len(small)),
        "test_rows": int(len(test)),
    }
    pre, booster = _fit_booster(old, {**hp, **base})
    scratch = pregame.fit(small, {**hp, **base, "min_child_samples": 20})
    _, warm = _fit_booster(
        small, {**hp, "n_estimators": 40, "learning_rate": 0.01, "min_child_samples": 20}, init=booster
    )
    rows = test.to_dict("records")
    for name, model in (("pretrained_only", pre), ("scratch_small", scratch), ("warm_started", warm)):
        p = model.predict_many(rows)
        results[name] = {"brier": brier(p, test["home_win"]), "log_loss": log_loss(p, test["home_win"])}
    return results


def _fit_booster(df: Any, hp: dict[str, Any], init: Any = None) -> tuple[Any, Any]:
    """LightGBM booster + its pure-Python serving model (warm start from `init` when given)."""
    import lightgbm as lgb

    from courtside.models.trees import from_lightgbm

    params = {
        "objective": "binary",
        "num_leaves": 7,
        "learning_rate": hp["learning_rate"],
        "min_data_in_leaf": hp.get("min_child_samples", 200),
        "lambda_l2": 10.0,
        "verbose": -1,
        "seed": 7,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
    }
    cols = list(hp["features"])
    ds = lgb.Dataset(df[cols].to_numpy(float), df["home_win"].to_numpy(int), free_raw_data=False)
    booster = lgb.train(params, ds, num_boost_round=hp["n_estimators"], init_model=init, keep_training_booster=True)
    model = from_lightgbm(booster, cols)
    return (model, booster) if init is None else (booster, model)
