"""In-game switches measured on validation only (not timed tests): leave-one-season-out folds of 2015-16..2017-18.

Why a bench script and not the report: these are the switches tried for the late phase (issue #6) and not kept;
each needs its own trees, and the report (``courtside ingame-report``) already takes ~20 minutes. The report keeps
the ones that shipped (``late_phase_validation``: late features and blend weight); this records the rest with the
same folds, so a reader can see what was measured before the test season was scored once. 2018-19 is never read.

Run: `.venv/bin/python bench/ingame_validation.py [--cache /tmp/ingame_states.parquet]` (~2 min for the states the
first time, then ~1.5 min per fold on 2 cores). Prints Brier per bin for every variant and fold, then the means.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courtside.features import live  # noqa: E402
from courtside.ingest.rules import GameState  # noqa: E402
from courtside.models import ingame, ingame_states  # noqa: E402
from courtside.models.ingame_report import BINS, TRAIN_SEASONS, _season_code  # noqa: E402

PBP = Path("/work/shared/data/pbp")
CORRECTION = ("home_possession", "pregame_logit_scaled", "bonus_home", "bonus_away", "timeouts_used_diff")
PRIOR = ("brownian_z", "margin_per_sqrt_time")
LATE_TREE_FEATURES = (*ingame.FULL_FEATURES, "margin_per_poss", "possession_per_poss", "last_minute")


def replay_with(hook_factory: Callable[[], Any]) -> Callable[..., Iterator[Any]]:
    """A variant of :func:`courtside.models.ingame_states.replay` (same payloads, same skipped rows) for a bench's
    candidate tracker: per game, ``hook = hook_factory()``; after each applied event ``hook(payload, before, after)``
    returns (the state to carry on, the object to yield), which the shipped sampling loop then reads."""

    def replay(rows: Iterable[Mapping[str, Any]], home: str, away: str) -> Iterator[Any]:
        state, hook, game = live.LiveState(home=home, away=away), hook_factory(), GameState()
        for row in rows:
            try:
                payload = live.pbp_payload_from_row(row, home, away)
            except (ValueError, AttributeError, TypeError):
                continue
            if not ingame_states.applies(state, game, payload):
                continue
            state, out = hook(payload, state, state.apply(payload))
            yield out

    return replay


class WithFields:
    """A LiveState that also reports a bench's candidate fields from ``features()`` (what a tracker change would add),
    for :func:`replay_with` hooks; every other attribute is the state's own."""

    def __init__(self, state: live.LiveState, **fields: float) -> None:
        self._state, self._fields = state, {k: float(v) for k, v in fields.items()}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state, name)

    def features(self) -> dict[str, float]:
        return {**self._state.features(), **self._fields}


def training_states(
    cache: Path, replay: Callable[..., Iterator[Any]] | None = None, extra_fields: tuple[str, ...] = ()
) -> pd.DataFrame:
    """LiveState states of the training seasons only, cached as parquet (the replay is the slow part). A bench's
    candidate tracker passes `replay` (see :func:`replay_with`; the module's replay is swapped for the call, so the
    sampling loop stays the shipped one) and `extra_fields`, live features it adds, kept as columns of that name."""
    if cache.exists():
        cached = pd.read_parquet(cache)
        if set(ingame.STATE_FIELDS) | set(extra_fields) <= set(cached.columns):
            return cached
        print(f"{cache} lacks a model input column (made by an older tracker): replaying again", flush=True)
    pbp, index = ingame.load_pbp_dir(PBP, TRAIN_SEASONS)
    original, fields = ingame_states.replay, dict(ingame.STATE_FIELDS)
    ingame_states.replay = replay or original
    ingame.STATE_FIELDS.update({f: f for f in extra_fields})
    try:
        states = ingame.states_from_pbp(pbp, index, ingame.pregame_probs())
    finally:
        ingame_states.replay = original
        ingame.STATE_FIELDS.clear()
        ingame.STATE_FIELDS.update(fields)
    states.to_parquet(cache)
    return states


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def logistic(x: np.ndarray, y: np.ndarray, offset: np.ndarray | None = None, l2: float = 1e-4) -> np.ndarray:
    """Logistic regression with an intercept and an optional fixed offset (Newton steps; sklearn has no offset)."""
    x1 = np.column_stack([np.ones(len(x)), x])
    off = np.zeros(len(y)) if offset is None else offset
    w = np.zeros(x1.shape[1])
    for _ in range(50):
        p = sigmoid(x1 @ w + off)
        hess = (x1 * (p * (1 - p))[:, None]).T @ x1 + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, x1.T @ (p - y) + l2 * w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def linear(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return x @ w[1:] + w[0]


def boost(
    x: np.ndarray,
    y: np.ndarray,
    features: tuple[str, ...],
    init: np.ndarray | None = None,
    monotone: Mapping[str, int] | None = None,
    **kw: Any,
) -> Any:
    """The shipped trees' LightGBM parameters; `monotone` adds constraints for a bench's candidate columns."""
    signs = {**ingame.MONOTONE, **(monotone or {})}
    params = dict(ingame._PARAMS, monotone_constraints=[signs.get(f, 0) for f in features])
    params.update(kw)
    rounds = params.pop("rounds", 300)
    return lgb.train(params, lgb.Dataset(x, y, init_score=init), num_boost_round=rounds)


def shipped_recipe(
    train: pd.DataFrame,
    val: pd.DataFrame,
    extra: tuple[str, ...] = (),
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    late_prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    late_extra: tuple[str, ...] = (),
    late_features: tuple[str, ...] | None = None,
    tree_extra: Mapping[str, int] | None = None,
) -> np.ndarray:
    """The shipped recipe fitted on `train`, probabilities on `val`: label model, monotone trees on
    ``ingame.FULL_FEATURES``, late logistic on ``ingame.LATE_FEATURES`` blended at ``LATE_WEIGHT`` (scikit-learn,
    C=1.0, as ``ingame._fit_late``). `late_features` replaces the late set: a bench whose table was recorded against
    an earlier set passes that set, so that it still reproduces. `extra` state columns join both parts as they are;
    `prepare` rewrites each raw state before ``ingame.derive`` (a candidate encoding of an input); `late_prepare`, if
    given, replaces it for the late logistic's inputs only (a candidate that feeds the two parts differently);
    `late_extra` state columns join the late logistic only; `tree_extra` state columns join the trees only, each
    with its monotone sign (0 for none)."""
    from sklearn.linear_model import LogisticRegression

    def frame(s: pd.DataFrame, rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None) -> pd.DataFrame:
        recs = s.to_dict("records")
        d = pd.DataFrame([ingame.derive(rewrite(r) if rewrite else r, lm) for r in recs])
        for c in (*extra, *late_extra, *(tree_extra or {})):
            d[c] = s[c].to_numpy(float)
        return d

    lm = ingame.fit_label_model(train)
    dtr, dva = frame(train, prepare), frame(val, prepare)
    ytr = train["home_win"].to_numpy(int)
    full = (*ingame.FULL_FEATURES, *extra, *(tree_extra or {}))
    lf = [*(late_features or ingame.LATE_FEATURES), *extra, *late_extra]
    trees = boost(dtr[list(full)].to_numpy(float), ytr, full, monotone=tree_extra)
    p = trees.predict(dva[list(full)].to_numpy(float))
    late_tr = ((train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)).to_numpy()
    if late_prepare is not None:
        dtr, dva = frame(train, late_prepare), frame(val, late_prepare)
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(dtr[lf].to_numpy(float)[late_tr], ytr[late_tr])
    late_va = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    q = clf.predict_proba(dva[lf].to_numpy(float))[:, 1]
    p[late_va] = (1 - ingame.LATE_WEIGHT) * p[late_va] + ingame.LATE_WEIGHT * q[late_va]
    return p


def fold(train: pd.DataFrame, val: pd.DataFrame) -> dict[str, np.ndarray]:
    """Probabilities on `val` of every variant, all fitted on `train` (label model included)."""
    lm = ingame.fit_label_model(train)
    dtr = pd.DataFrame([ingame.derive(r, lm) for r in train.to_dict("records")])
    dva = pd.DataFrame([ingame.derive(r, lm) for r in val.to_dict("records")])
    ytr = train["home_win"].to_numpy(int)
    late_tr = ((train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)).to_numpy()
    late_va = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    full, base = ingame.FULL_FEATURES, ingame.BASELINE_FEATURES

    def cols(d: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
        return d[list(names)].to_numpy(float)

    out: dict[str, np.ndarray] = {}
    b = boost(cols(dtr, base), ytr, base, monotone_constraints=[0, 0, 0])
    base_tr, base_va = b.predict(cols(dtr, base), raw_score=True), b.predict(cols(dva, base), raw_score=True)
    out["baseline"] = sigmoid(base_va)
    m = boost(cols(dtr, full), ytr, full)
    trees = sigmoid(m.predict(cols(dva, full), raw_score=True))
    w_late = logistic(cols(dtr, ingame.LATE_FEATURES)[late_tr], ytr[late_tr])
    p_late = sigmoid(linear(w_late, cols(dva, ingame.LATE_FEATURES)))

    def with_late(p: np.ndarray, q: np.ndarray = p_late, w: float = ingame.LATE_WEIGHT) -> np.ndarray:
        p = p.copy()
        p[late_va] = (1 - w) * p[late_va] + w * q[late_va]
        return p

    out["model (v4: trees + late logistic at LATE_WEIGHT)"] = with_late(trees)
    for rounds in (100, 200):
        out[f"v4 with {rounds} boosting rounds instead of 300"] = with_late(
            sigmoid(m.predict(cols(dva, full), raw_score=True, num_iteration=rounds))
        )
    reg = boost(cols(dtr, full), ytr, full, num_leaves=15, min_data_in_leaf=1000, lambda_l2=10.0)
    out["v4 with num_leaves 15, min_data_in_leaf 1000, lambda_l2 10"] = with_late(
        sigmoid(reg.predict(cols(dva, full), raw_score=True))
    )
    # trees boosted from a prior: a logistic on the Brownian-motion terms, or the baseline's own logit
    w_prior = logistic(cols(dtr, PRIOR), ytr)
    prior_tr, prior_va = linear(w_prior, cols(dtr, PRIOR)), linear(w_prior, cols(dva, PRIOR))
    out["Brownian prior alone (logistic on brownian_z, margin_per_sqrt_time)"] = sigmoid(prior_va)
    pm = boost(cols(dtr, full), ytr, full, init=prior_tr)
    out["v4 with trees boosted from the Brownian prior (init_score)"] = with_late(
        sigmoid(prior_va + pm.predict(cols(dva, full), raw_score=True))
    )
    bm = boost(cols(dtr, full), ytr, full, init=base_tr, rounds=150)
    out["trees boosted from the baseline logit (150 rounds), no late blend"] = sigmoid(
        base_va + bm.predict(cols(dva, full), raw_score=True)
    )
    # late phase = baseline + logistic correction (possession, pre-game, bonus, timeouts), alone and blended
    w_corr = logistic(cols(dtr, CORRECTION)[late_tr], ytr[late_tr], offset=base_tr[late_tr])
    corrected = sigmoid(base_va + linear(w_corr, cols(dva, CORRECTION)))
    out["late = baseline + logistic correction"] = with_late(trees, corrected, 1.0)
    out["late = 0.5 trees + 0.5 (baseline + logistic correction)"] = with_late(trees, corrected, 0.5)
    # late-only trees (fine resolution) boosted from the late logistic's logit
    lt = boost(
        cols(dtr, LATE_TREE_FEATURES)[late_tr],
        ytr[late_tr],
        LATE_TREE_FEATURES,
        init=linear(w_late, cols(dtr, ingame.LATE_FEATURES)[late_tr]),
        rounds=50,
        num_leaves=7,
        min_data_in_leaf=400,
        learning_rate=0.02,
    )
    late_trees = sigmoid(
        linear(w_late, cols(dva, ingame.LATE_FEATURES)) + lt.predict(cols(dva, LATE_TREE_FEATURES), raw_score=True)
    )
    out["late = late logistic + late-only trees on it (50 rounds, 7 leaves, min 400)"] = with_late(
        trees, late_trees, 1.0
    )
    lf = boost(cols(dtr, LATE_TREE_FEATURES), ytr, LATE_TREE_FEATURES)
    out["v4 with the late terms also in the main trees"] = with_late(
        sigmoid(lf.predict(cols(dva, LATE_TREE_FEATURES), raw_score=True))
    )
    return out


def brier_by_bin(p: np.ndarray, val: pd.DataFrame) -> dict[str, float]:
    y = val["home_win"].to_numpy(int)
    bins = np.asarray(
        [ingame.time_bin(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    return {b: float(np.mean((p[bins == b] - y[bins == b]) ** 2)) for b in BINS}


FOLD_WEIGHTS = (1 / 3, 2 / 3)  # forward folds' weights in the forward weighted mean: earlier, latest


def season_folds(code: pd.Series) -> list[tuple[str, int, Any]]:
    """(name, held-out season, is-training-season) for the leave-one-season-out folds, then the forward-chaining
    folds (train on earlier seasons only); `code` is each state's season code (15, 16, 17)."""
    seasons = sorted(int(c) for c in code.unique())
    folds: list[tuple[str, int, Any]] = [(f"held out {c}", c, lambda x, c=c: x != c) for c in seasons]
    return folds + [(f"forward -> {c}", c, lambda x, c=c: x < c) for c in seasons[1:]]


def fold_table(res: dict[str, dict[str, dict[str, float]]], label: str) -> str:
    """Markdown table of {row: {fold: {bin: Brier}}}: Q1..last_5_min LOSO means, last_5_min per LOSO fold, the
    forward folds and their weighted mean (the columns every late-phase rule reads)."""
    head = f"| {label} | " + " | ".join(f"{b} (LOSO mean)" for b in BINS)
    lines = [
        head + " | last_5_min per LOSO fold | forward -> 16 | -> 17 | forward weighted |",
        "|---|" + "---|" * (len(BINS) + 4),
    ]
    for name, r in res.items():
        loso = [f for f in r if f.startswith("held")]
        mean = {b: np.mean([r[f][b] for f in loso]) for b in BINS}
        per = " / ".join(f"{r[f]['last_5_min']:.5f}" for f in loso)
        f16, f17 = r["forward -> 16"]["last_5_min"], r["forward -> 17"]["last_5_min"]
        w = FOLD_WEIGHTS[0] * f16 + FOLD_WEIGHTS[1] * f17
        lines.append(
            f"| {name} | "
            + " | ".join(f"{mean[b]:.5f}" for b in BINS)
            + f" | {per} | {f16:.5f} | {f17:.5f} | {w:.5f} |"
        )
    return "\n".join(lines)


def rule_lines(res: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """The figures every late-phase rule compares, to seven decimals (the tables' five can tie): last_5_min LOSO
    mean, latest forward fold and forward weighted mean per row of {row: {fold: {bin: Brier}}}."""
    lines = []
    for name, r in res.items():
        loso = [r[f]["last_5_min"] for f in r if f.startswith("held")]
        f16, f17 = r["forward -> 16"]["last_5_min"], r["forward -> 17"]["last_5_min"]
        weighted = FOLD_WEIGHTS[0] * f16 + FOLD_WEIGHTS[1] * f17
        lines.append(
            f"{name}: last_5_min LOSO mean {np.mean(loso):.7f}, latest fold {f17:.7f}, forward weighted {weighted:.7f}"
        )
    return lines


def score_folds(candidates: dict[str, tuple[pd.DataFrame, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """{name: {fold: {bin: Brier}}} for candidates given as (training states, fit_predict(train, val) -> p); every
    candidate's states must be the same games (the folds are cut by season)."""
    res: dict[str, dict[str, dict[str, float]]] = {n: {} for n in candidates}
    first = next(iter(candidates.values()))[0]
    for fold, held, is_train in season_folds(_season_code(first).astype(int)):
        for name, (s, fit_predict) in candidates.items():
            train, val = _split(s, held, is_train)
            _record(res, name, fold, fit_predict(train, val), val)
    return res


def score_variants(
    states: pd.DataFrame,
    variants: Mapping[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], dict[str, Any]] | None]],
) -> dict[str, dict[str, dict[str, float]]]:
    """:func:`score_folds` for variants of the shipped recipe on one states frame, each given as (`extra` columns,
    `prepare` rewrite) of :func:`shipped_recipe`."""
    return score_folds(
        {
            name: (states, lambda train, val, extra=extra, prepare=prepare: shipped_recipe(train, val, extra, prepare))
            for name, (extra, prepare) in variants.items()
        }
    )


def score_shared_fit(
    states: pd.DataFrame, predict: Callable[[pd.DataFrame, pd.DataFrame], dict[str, np.ndarray]]
) -> dict[str, dict[str, dict[str, float]]]:
    """As :func:`score_folds` for candidates that share one fit per fold: ``predict(train, val)`` returns
    {name: probabilities on val} (e.g. one model's late part refitted or blended several ways)."""
    res: dict[str, dict[str, dict[str, float]]] = {}
    for fold, held, is_train in season_folds(_season_code(states).astype(int)):
        train, val = _split(states, held, is_train)
        for name, p in predict(train, val).items():
            _record(res, name, fold, p, val)
    return res


@dataclass(frozen=True)
class LateFitInputs:
    """What the late-logistic fitting benches share per fold: the shipped model, the late training states'
    derived rows, design matrix and labels, and the log-loss fit at scikit-learn's default tolerance and converged
    (tol 1e-8), the two starts every reproducibility check compares."""

    model: Any
    derived: list[dict[str, float]]
    x: np.ndarray
    y: np.ndarray
    starts: tuple[tuple[np.ndarray, float], tuple[np.ndarray, float]]


def late_fit_inputs(train: pd.DataFrame) -> LateFitInputs:
    """The shipped model fitted on `train` and its late logistic's training data (see :class:`LateFitInputs`)."""
    from sklearn.linear_model import LogisticRegression

    lm = ingame.fit_label_model(train)
    model = ingame.fit(train, label_model=lm)
    assert model.late is not None
    rows = train[(train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)]
    derived = [ingame.derive(r, lm) for r in rows.to_dict("records")]
    x = np.asarray([[d[f] for f in model.late.feature_names] for d in derived], dtype=float)
    y = rows["home_win"].to_numpy(float)
    fits = [LogisticRegression(C=1.0, max_iter=5000, tol=tol).fit(x, y.astype(int)) for tol in (1e-4, 1e-8)]
    starts = tuple((f.coef_[0], float(f.intercept_[0])) for f in fits)
    return LateFitInputs(model, derived, x, y, (starts[0], starts[1]))


def walk_forward_states() -> tuple[pd.DataFrame, pd.Series]:
    """The command line and inputs of the benches on the pre-game model's walk-forward probability: ``--cache`` (the
    training states) and ``--predictions`` (a ``courtside backtest`` predictions CSV, the committed one by default).
    Returns the states and, per state, that probability, Elo's where a game has none (as ``ingame.fit`` does for the
    early trees); how many states lack one is printed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    ap.add_argument("--predictions", type=Path, default=ingame.WALK_FORWARD_PREDICTIONS)
    args = ap.parse_args()
    states = training_states(args.cache)
    wf = states["game_key"].map(ingame.pregame_model_probs(args.predictions))
    games = states["game_key"].nunique()
    print(f"{len(states)} states, {games} games; states without a walk-forward prediction: {int(wf.isna().sum())}")
    return states, wf.fillna(states["pregame_prob"])


def run_shared_fit(
    predict: Callable[[pd.DataFrame, pd.DataFrame], dict[str, np.ndarray]], label: str
) -> dict[str, dict[str, dict[str, float]]]:
    """The whole run of a bench whose candidates share one fit per fold (:func:`score_shared_fit`): its command line
    (``--cache`` for the training states), every fold scored, then the fold table (first column headed `label`) and
    the figures every late-phase rule reads. Returns the results for a bench that checks more."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    args = ap.parse_args()
    res = score_shared_fit(training_states(args.cache), predict)
    print("\n" + fold_table(res, label))
    print("\n".join(rule_lines(res)))
    return res


def _split(s: pd.DataFrame, held: int, is_train: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    code = _season_code(s).astype(int)
    return s[code.map(is_train).to_numpy(bool)], s[(code == held).to_numpy()]


def _record(res: dict[str, dict[str, dict[str, float]]], name: str, fold: str, p: Any, val: pd.DataFrame) -> None:
    res.setdefault(name, {})[fold] = brier_by_bin(p, val)
    print(f"{name}, {fold}: " + ", ".join(f"{b} {res[name][fold][b]:.5f}" for b in BINS), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    args = ap.parse_args()
    states = training_states(args.cache)
    code = _season_code(states)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for season in sorted(code.unique()):
        train, val = states[code != season], states[code == season]
        results[season] = {name: brier_by_bin(p, val) for name, p in fold(train, val).items()}
        print(f"held out 20{season}: " + ", ".join(f"{n}: {r['last_5_min']:.5f}" for n, r in results[season].items()))
    names = list(next(iter(results.values())))
    print("\n| variant (mean over held-out seasons) | " + " | ".join(BINS) + " | last_5_min per fold |")
    print("|---|" + "---|" * (len(BINS) + 1))
    for n in names:
        mean = {b: np.mean([results[s][n][b] for s in results]) for b in BINS}
        per = " / ".join(f"{results[s][n]['last_5_min']:.5f}" for s in results)
        print(f"| {n} | " + " | ".join(f"{mean[b]:.5f}" for b in BINS) + f" | {per} |")


if __name__ == "__main__":
    main()
