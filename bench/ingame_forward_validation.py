"""Forward-chaining (time-aware) validation of drift-aware in-game options; training seasons only (issue #6).

Why: the late-phase design (``ingame.LATE_FEATURES``, ``ingame.LATE_WEIGHT``) was chosen on leave-one-season-out
folds, where the 2015-16 and 2016-17 folds train on later seasons. The league drifted every season (pace up each
year 2015-2019), so those folds look into the future and can hide drift. Here every fold trains only on seasons
before the one it validates: 2015-16 -> 2016-17 and 2015-16..2016-17 -> 2017-18. 2018-19 is never read.

Rule, fixed before the run: a variant replaces v4 only if its last_5_min Brier is lower than v4's on the latest fold
(2017-18, the closest to deployment) and on the weighted mean (1/3 earlier fold, 2/3 latest fold), and it does not
raise any of Q1..Q4 on the latest fold. The recency options cannot act on the first fold (one training season).

Run: `.venv/bin/python bench/ingame_forward_validation.py [--cache /tmp/ingame_states.parquet]` (the cache is the
training-season states of bench/ingame_validation.py). Prints the table recorded in
docs/results/ingame/validation_switches.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import brier_by_bin, training_states  # noqa: E402
from courtside.models import ingame  # noqa: E402
from courtside.models.ingame_report import BINS, _season_code  # noqa: E402
from courtside.models.training_options import recency_weights  # noqa: E402

WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
FOLD_WEIGHTS = (1 / 3, 2 / 3)  # earlier fold, latest fold


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def trees(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], weight: np.ndarray | None, mono: bool) -> Any:
    """The model's (or baseline's) LightGBM with the shipped parameters and optional sample weights."""
    params = dict(ingame._PARAMS)
    if mono:
        params["monotone_constraints"] = [ingame.MONOTONE.get(f, 0) for f in features]
    return lgb.train(params, lgb.Dataset(x, y, weight=weight), num_boost_round=300)


def late_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> LogisticRegression:
    """As ``ingame._fit_late`` (scikit-learn, C=1.0), with optional sample weights."""
    return LogisticRegression(C=1.0, max_iter=5000).fit(x, y, sample_weight=weight)


def fold(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """Probabilities on `val` of every variant, all fitted on `train` only (label model included)."""
    lm = ingame.fit_label_model(train)
    dtr = pd.DataFrame([ingame.derive(r, lm) for r in train.to_dict("records")])
    dva = pd.DataFrame([ingame.derive(r, lm) for r in val.to_dict("records")])
    ytr = train["home_win"].to_numpy(int)
    season = _season_code(train).astype(int).to_numpy()
    late_tr = ((train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)).to_numpy()
    late_va = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    full, base, lf = ingame.FULL_FEATURES, ingame.BASELINE_FEATURES, ingame.LATE_FEATURES

    def cols(d: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
        return d[list(names)].to_numpy(float)

    def blend(p: np.ndarray, q: np.ndarray, w: float) -> np.ndarray:
        p = p.copy()
        p[late_va] = (1 - w) * p[late_va] + w * q[late_va]
        return p

    out: dict[str, np.ndarray] = {}
    out["baseline"] = trees(cols(dtr, base), ytr, base, None, mono=False).predict(cols(dva, base))
    p_trees = trees(cols(dtr, full), ytr, full, None, mono=True).predict(cols(dva, full))
    xl_tr, xl_va = cols(dtr, lf)[late_tr], cols(dva, lf)
    q_v4 = late_logistic(xl_tr, ytr[late_tr], None).predict_proba(xl_va)[:, 1]
    for w in WEIGHTS:
        out[f"v4 trees + late logistic, weight {w}" + (" (v4)" if w == ingame.LATE_WEIGHT else "")] = blend(
            p_trees, q_v4, w
        )
    newest = season[late_tr] == season.max()
    q_new = late_logistic(xl_tr[newest], ytr[late_tr][newest], None).predict_proba(xl_va)[:, 1]
    for w in (ingame.LATE_WEIGHT, 1.0):
        out[f"late logistic on the newest training season only, weight {w}"] = blend(p_trees, q_new, w)
    for hl in (1.0, 0.5):
        rw = recency_weights(season, hl)
        q_rw = late_logistic(xl_tr, ytr[late_tr], rw[late_tr]).predict_proba(xl_va)[:, 1]
        out[f"late logistic with recency half-life {hl} season, weight {ingame.LATE_WEIGHT}"] = blend(
            p_trees, q_rw, ingame.LATE_WEIGHT
        )
        p_rw = trees(cols(dtr, full), ytr, full, rw, mono=True).predict(cols(dva, full))
        out[f"trees and late logistic with recency half-life {hl} season, weight {ingame.LATE_WEIGHT}"] = blend(
            p_rw, q_rw, ingame.LATE_WEIGHT
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    args = ap.parse_args()
    states = training_states(args.cache)
    code = _season_code(states).astype(int)
    seasons = sorted(code.unique())
    results: dict[str, dict[str, dict[str, float]]] = {}
    for s in seasons[1:]:
        train, val = states[code < s], states[code == s]
        name = f"20{min(seasons)}-{min(seasons) + 1:02d}..20{s - 1}-{s:02d} -> 20{s}-{s + 1:02d}"
        results[name] = {n: brier_by_bin(p, val) for n, p in fold(train, val).items()}
        print(name, flush=True)
    folds = list(results)
    names = list(results[folds[0]])
    print(
        "\n| variant | "
        + " | ".join(f"last_5_min, {f}" for f in folds)
        + " | weighted mean | latest fold: "
        + " | ".join(BINS[:-1])
        + " |"
    )
    print("|---|" + "---|" * (len(folds) + 1 + len(BINS) - 1))
    for n in names:
        per = [results[f][n]["last_5_min"] for f in folds]
        mean = float(np.dot(FOLD_WEIGHTS, per))
        early = " | ".join(f"{results[folds[-1]][n][b]:.5f}" for b in BINS[:-1])
        print(f"| {n} | " + " | ".join(f"{v:.5f}" for v in per) + f" | {mean:.5f} | {early} |")


if __name__ == "__main__":
    main()
