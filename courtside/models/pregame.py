"""Pre-game home-win models: one ``fit`` entry point for every candidate and one JSON loader for serving.

Why this shape: the training job (sagemaker/train.py) and the backtest both call :func:`fit` with a
hyper-parameter dict, so a candidate measured in the backtest is exactly what gets trained and shipped. Every
returned model is a small serving object (``predict_proba``, ``predict_many``, ``to_json``) and
:func:`load_model` rebuilds it from JSON with the standard library only, so the predict Lambda never imports
pandas, scikit-learn or LightGBM. Training-only libraries are imported inside the fit functions.

``hyperparameters`` keys (all optional except ``model_kind``):

- ``model_kind``: ``elo`` (logistic on elo_diff), ``logistic`` (scaled L2 logistic), ``lightgbm``, ``ensemble``.
- ``features``: input columns (default FEATURE_NAMES; ``elo`` uses only elo_diff). Benchmark columns are refused.
- ``c``: inverse L2 strength of the logistic models.
- ``num_leaves``, ``n_estimators``, ``learning_rate``, ``min_child_samples``, ``lambda_l2``, ``seed``: LightGBM.
- ``members``: ensemble member hyper-parameter dicts (default elo + logistic + lightgbm).
- ``half_life``: recency sample weights, in seasons (practice 9). None = equal weights.
- ``cost_matrix``: {"false_home": x, "false_away": y}: cost-sensitive class weights (practice 7).
- ``split``: ``time`` (time-aware stratified validation block, practice 8) or ``random`` (its absence), used to fit
  ensemble weights and calibration.
- ``calibration``: ``none``, ``platt``, ``isotonic`` or ``auto``: the map is kept only if it helps on validation,
  unless ``calibration_always`` is true (then the named map is always applied, to measure it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from courtside.models import calibration as cal
from courtside.models import ensemble as ens
from courtside.models import linear, trees
from courtside.models.training_options import (
    CostMatrix,
    assert_no_benchmark_features,
    cost_weights,
    random_split,
    recency_weights,
    time_aware_stratified_split,
)

MODEL_KINDS = ("elo", "logistic", "lightgbm", "ensemble")
LABEL = "home_win"

DEFAULT_LIGHTGBM: dict[str, Any] = {
    "num_leaves": 7,
    "n_estimators": 300,
    "learning_rate": 0.02,
    "min_child_samples": 200,
    "lambda_l2": 10.0,
    "seed": 7,
}
DEFAULT_MEMBERS: tuple[dict[str, Any], ...] = (
    {"model_kind": "elo"},
    {"model_kind": "logistic"},
    {"model_kind": "lightgbm"},
)


def default_features() -> tuple[str, ...]:
    from courtside.features.pregame import FEATURE_NAMES

    return tuple(FEATURE_NAMES)


def model_version(hyperparameters: Mapping[str, Any], train_seasons: tuple[int, int] | None = None) -> str:
    """A readable, content-derived version: kind + hash of the hyper-parameters and training window."""
    doc = json.dumps({"hp": _jsonable(hyperparameters), "seasons": train_seasons}, sort_keys=True, default=str)
    return f"{hyperparameters.get('model_kind', 'logistic')}-{hashlib.sha256(doc.encode()).hexdigest()[:10]}"


def _jsonable(hp: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hp.items() if isinstance(v, str | int | float | bool | list | tuple | dict | type(None))}


def _features_for(hp: Mapping[str, Any]) -> tuple[str, ...]:
    if hp.get("features"):
        names = tuple(hp["features"])
    elif hp.get("model_kind") == "elo":
        names = ("elo_diff",)
    else:
        names = default_features()
    assert_no_benchmark_features(names)
    return names


def training_weights(train_df: Any, hp: Mapping[str, Any]) -> Any:
    """Product of recency and cost weights (ones when both switches are off)."""
    w = recency_weights(train_df["season"], hp.get("half_life")) if "season" in train_df else 1.0
    return w * cost_weights(train_df[LABEL], CostMatrix.from_hp(hp.get("cost_matrix")))


def _fit_linear(train_df: Any, hp: Mapping[str, Any], names: Sequence[str]) -> linear.LinearModel:
    c = float(hp.get("c", 1.0 if hp.get("model_kind") != "elo" else 100.0))
    return linear.fit_logistic(train_df, names, label=LABEL, c=c, sample_weight=training_weights(train_df, hp))


def _fit_lightgbm(train_df: Any, hp: Mapping[str, Any], names: Sequence[str]) -> trees.TreeEnsembleModel:
    import lightgbm as lgb

    p = {**DEFAULT_LIGHTGBM, **{k: v for k, v in hp.items() if k in DEFAULT_LIGHTGBM}}
    params = {
        "objective": "binary",
        "num_leaves": int(p["num_leaves"]),
        "learning_rate": float(p["learning_rate"]),
        "min_data_in_leaf": int(p["min_child_samples"]),
        "lambda_l2": float(p["lambda_l2"]),
        "seed": int(p["seed"]),
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbose": -1,
    }
    data = lgb.Dataset(
        train_df[list(names)].to_numpy(dtype=float),
        label=train_df[LABEL].to_numpy(dtype=int),
        weight=training_weights(train_df, hp),
        free_raw_data=True,
    )
    booster = lgb.train(params, data, num_boost_round=int(p["n_estimators"]), init_model=hp.get("init_booster"))
    return trees.from_lightgbm(booster, names)


def _split(train_df: Any, hp: Mapping[str, Any]) -> tuple[Any, Any]:
    if hp.get("split", "time") == "random":
        return random_split(train_df, float(hp.get("val_fraction", 0.15)))
    return time_aware_stratified_split(train_df, float(hp.get("val_fraction", 0.15)))


def _fit_ensemble(train_df: Any, hp: Mapping[str, Any]) -> ens.EnsembleModel:
    """Stack members: fit each on the early part, learn logit weights on the validation block, refit on all."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    shared = {k: v for k, v in hp.items() if k in ("half_life", "cost_matrix", "features")}
    member_hps = [{**shared, **m} for m in hp.get("members", DEFAULT_MEMBERS)]
    early, val = _split(train_df, hp)
    z = np.column_stack(
        [[ens.logit(p) for p in _fit_base(early, m).predict_many(val.to_dict("records"))] for m in member_hps]
    )
    stacker = LogisticRegression(C=float(hp.get("stack_c", 1.0)), max_iter=1000).fit(z, val[LABEL].to_numpy(int))
    members = tuple(_fit_base(train_df, m) for m in member_hps)
    return ens.EnsembleModel(
        members=members,
        weights=tuple(float(w) for w in stacker.coef_[0]),
        intercept=float(stacker.intercept_[0]),
        member_names=tuple(m["model_kind"] for m in member_hps),
    )


def _fit_base(train_df: Any, hp: Mapping[str, Any]) -> Any:
    kind = hp.get("model_kind", "logistic")
    if kind not in MODEL_KINDS:
        raise ValueError(f"model_kind must be one of {MODEL_KINDS}, got {kind!r}")
    if kind == "ensemble":
        return _fit_ensemble(train_df, hp)
    names = _features_for(hp)
    if kind == "lightgbm":
        return _fit_lightgbm(train_df, hp, names)
    return _fit_linear(train_df, hp, names)


def _brier(p: Sequence[float], y: Sequence[int]) -> float:
    return sum((pi - yi) ** 2 for pi, yi in zip(p, y, strict=True)) / max(len(y), 1)


def _choose_calibration(train_df: Any, hp: Mapping[str, Any]) -> tuple[cal.CalibrationMap | None, dict[str, Any]]:
    """Fit the base model on the early block; keep a calibration map only if it lowers Brier on later games.

    The validation block is split in time: maps are fitted on its first half and judged on its second half, then
    the winner is refitted on the whole block.
    """
    method = hp.get("calibration", "none")
    if method in (None, "none"):
        return None, {}
    early, val = _split(train_df, hp)
    base = _fit_base(early, {**hp, "calibration": "none"})
    p = base.predict_many(val.to_dict("records"))
    y = val[LABEL].astype(int).tolist()
    half = len(p) // 2
    candidates = ["platt", "isotonic"] if method == "auto" else [method]
    scores = {"none": _brier(p[half:], y[half:])}
    for m in candidates:
        fitted = cal.fit_calibration(p[:half], y[:half], m)
        scores[m] = _brier([fitted(pi) for pi in p[half:]], y[half:])
    best = min(candidates if hp.get("calibration_always") else scores, key=scores.__getitem__)
    info = {"calibration_validation_brier": scores, "calibration_chosen": best}
    if best == "none":
        return None, info
    return cal.fit_calibration(p, y, best), info


def fit(train_df: Any, hyperparameters: Mapping[str, Any]) -> Any:
    """Train the candidate named by ``hyperparameters['model_kind']`` on `train_df` (rows of pregame_rows)."""
    hp = dict(hyperparameters)
    hp.setdefault("model_kind", "logistic")
    if len(train_df) == 0:
        raise ValueError("empty training set")
    cal_map, cal_info = _choose_calibration(train_df, hp)
    model = _fit_base(train_df, hp)
    seasons = (int(train_df["season"].min()), int(train_df["season"].max())) if "season" in train_df else None
    meta = {
        "model_kind": hp["model_kind"],
        "model_version": hp.get("model_version") or model_version(hp, seasons),
        "hyperparameters": _jsonable({k: v for k, v in hp.items() if k != "init_booster"}),
        "train_rows": int(len(train_df)),
        "train_seasons": list(seasons) if seasons else None,
        **cal_info,
    }
    cost = CostMatrix.from_hp(hp.get("cost_matrix"))
    if cost is not None:
        meta["cost_matrix"] = {"false_home": cost.false_home, "false_away": cost.false_away}
    model.metadata.update(meta)
    if cal_map is not None:
        return cal.CalibratedModel(model, cal_map, metadata=dict(meta))
    return model


def _from_doc(doc: Mapping[str, Any]) -> Any:
    fmt = doc.get("format")
    if fmt == linear.FORMAT:
        return linear.LinearModel.from_dict(doc)
    if fmt == trees.FORMAT:
        return trees.TreeEnsembleModel.from_dict(doc)
    if fmt == ens.FORMAT:
        return ens.EnsembleModel(
            members=tuple(_from_doc(m) for m in doc["members"]),
            weights=tuple(doc["weights"]),
            intercept=float(doc.get("intercept", 0.0)),
            member_names=tuple(doc.get("member_names", ())),
            metadata=doc.get("metadata", {}),
        )
    if fmt == cal.FORMAT:
        return cal.CalibratedModel(
            _from_doc(doc["base"]), cal.CalibrationMap.from_dict(doc["calibration"]), doc.get("metadata", {})
        )
    if fmt is not None and str(fmt).startswith("courtside-ingame"):
        from courtside.models import ingame

        return ingame.from_document(doc)
    raise ValueError(f"unknown model format {fmt!r}")


def load_model(text: str | bytes) -> Any:
    """Rebuild any pre-game serving model from its JSON (dispatch on the ``format`` field; stdlib only)."""
    return _from_doc(json.loads(text))


def model_version_of(model: Any) -> str:
    return str(getattr(model, "metadata", {}).get("model_version", "unknown"))
