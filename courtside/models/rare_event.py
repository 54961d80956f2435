"""Rare-event target (practice 29): upsets, with data-level imbalance methods against class weights.

Target: among games where one side is the Elo favourite by at least ``UPSET_GAP`` points (home advantage
included), did the underdog win? Features are oriented to the favourite (gap, rest and schedule of each side),
so one model serves both home and away favourites. Methods compared on the same later holdout: none,
class weights, random over-sampling, SMOTE, random under-sampling (imbalanced-learn), scored by PR-AUC and
recall at a fixed precision, which suit a ~20% positive rate better than accuracy.
"""

from __future__ import annotations

from typing import Any

UPSET_GAP = 150.0
METHODS = ("none", "class_weight", "random_over", "smote", "random_under")
FIXED_PRECISION = 0.35


def upset_frame(frame: Any, gap: float = UPSET_GAP) -> Any:
    """Rows with a clear favourite; ``upset`` = 1 when the underdog won. Features seen from the favourite's side."""
    import numpy as np

    d = frame[frame["elo_diff"].abs() >= gap].copy()
    home_fav = d["elo_diff"] > 0
    sign = np.where(home_fav, 1.0, -1.0)
    d["fav_gap"] = d["elo_diff"].abs()
    d["fav_is_home"] = home_fav.astype(float)
    for a, b, name in (
        ("home_rest_days", "away_rest_days", "rest"),
        ("home_back_to_back", "away_back_to_back", "b2b"),
        ("home_games_last_4_days", "away_games_last_4_days", "load"),
    ):
        d[f"fav_{name}"] = np.where(home_fav, d[a], d[b])
        d[f"dog_{name}"] = np.where(home_fav, d[b], d[a])
    for c in ("pl_pm_diff", "pl_gs_diff", "pl_missing_diff"):
        if c in d:
            d[f"fav_{c}"] = sign * d[c]
    d["upset"] = np.where(home_fav, 1 - d["home_win"], d["home_win"]).astype(int)
    return d


def feature_columns(d: Any) -> list[str]:
    return [c for c in d.columns if c.startswith(("fav_", "dog_"))]


def fit_predict(train: Any, test: Any, method: str, seed: int = 0) -> Any:
    """Train a LightGBM classifier with one imbalance method, return upset scores on `test`."""
    import lightgbm as lgb
    import numpy as np

    cols = feature_columns(train)
    x, y = train[cols].to_numpy(float), train["upset"].to_numpy(int)
    weight = None
    if method == "class_weight":
        pos = y.mean()
        weight = np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))
    elif method in ("random_over", "smote", "random_under"):
        from imblearn.over_sampling import SMOTE, RandomOverSampler
        from imblearn.under_sampling import RandomUnderSampler

        sampler = {"random_over": RandomOverSampler, "smote": SMOTE, "random_under": RandomUnderSampler}[method]
        x, y = sampler(random_state=seed).fit_resample(x, y)
    elif method != "none":
        raise ValueError(f"unknown method {method!r}")
    clf = lgb.LGBMClassifier(
        n_estimators=200, num_leaves=7, learning_rate=0.03, min_child_samples=100, random_state=seed, verbose=-1
    )
    clf.fit(x, y, sample_weight=weight)
    return clf.predict_proba(test[cols].to_numpy(float))[:, 1]


def compare(frame: Any, test_from: int = 2015, train_from: int = 1985) -> dict[str, Any]:
    """Every method on the same split: train seasons < `test_from`, test seasons >= `test_from`."""
    from courtside.evaluation.metrics import brier, pr_auc, recall_at_precision

    d = upset_frame(frame[frame["season"] >= train_from])
    train, test = d[d["season"] < test_from], d[d["season"] >= test_from]
    out: dict[str, Any] = {
        "gap": UPSET_GAP,
        "train_rows": int(len(train)),
        "test_rows": int(len(test)),
        "test_positive_rate": float(test["upset"].mean()),
        "precision_fixed": FIXED_PRECISION,
        "methods": {},
    }
    for m in METHODS:
        s = fit_predict(train, test, m)
        out["methods"][m] = {
            "pr_auc": pr_auc(s, test["upset"]),
            "recall_at_precision": recall_at_precision(s, test["upset"], FIXED_PRECISION),
            "brier": brier(s, test["upset"]),
            "mean_score": float(s.mean()),
        }
    return out
