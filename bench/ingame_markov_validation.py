"""Possession-level Markov win probability as a late-phase input (issue #6), on validation folds only.

Why: v4's late phase blends the trees with a logistic on smooth terms; it wins last_5_min on every validation fold
but lost it on 2018-19. The Markov recursion (:mod:`courtside.models.ingame_markov`: margin, seconds left, who has
the ball; possession outcomes from the training seasons' play-by-play) keeps the integer score structure that
smooth terms blur. This measures it three ways against v4, on the leave-one-season-out folds of
bench/ingame_validation.py and the forward-chaining folds of bench/ingame_forward_validation.py, with the possession
model refitted on each fold's training seasons. It also splits last_5_min into the 4th quarter and overtime
(overtime is sampled every 10 s, regulation every 30 s) to see whether overtime needs its own treatment.
2018-19 is never read.

Rule, fixed before the first run: the candidate with the lowest mean last_5_min Brier over the leave-one-season-out
folds (family and blend weight chosen there, as v4's weight was) replaces v4 only if that mean is lower than v4's AND
it is also lower than v4's on the latest forward fold (2015-16..2016-17 -> 2017-18) and on the forward weighted mean
(1/3 earlier fold, 2/3 latest fold). Q1..Q4 do not move (only the late blend changes).

The "trusted" rows were added after the first run, for a defect that run's diagnosis found on the training states:
the tracker keeps the ball with the shooter after a miss until the rebound, so in close late games its possession
barely predicts the winner, and the raw table (which believes it fully) was worse than the baseline alone. The trusted
table weighs the tracker's possession against the other side's by ``possession_trust``, fitted per fold on the
fold's late training states (:func:`courtside.models.ingame_markov.fit_possession_trust`). The rule was not changed.
The overtime rows (idea 2 of issue #6) and the shrinkage towards the baseline are measured with the same folds.

Run: `.venv/bin/python bench/ingame_markov_validation.py` (states cached in /tmp/ingame_states.parquet as the other
bench scripts do, possessions in /tmp/ingame_possessions.parquet; the first run replays the play-by-play for them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import PBP, boost, brier_by_bin, training_states  # noqa: E402
from courtside.models import ingame, ingame_markov  # noqa: E402
from courtside.models.ingame_report import BINS, TRAIN_SEASONS, _season_code  # noqa: E402

WEIGHTS = tuple(round(0.1 * i, 1) for i in range(2, 11))
FOLD_WEIGHTS = (1 / 3, 2 / 3)  # forward folds: earlier, latest
# the Markov logit replaces margin, time and possession terms; what it does not know stays
MARKOV_ONLY = ("markov_logit", "pregame_logit_scaled", "bonus_home", "bonus_away", "timeouts_used_diff")


def possessions(cache: Path) -> pd.DataFrame:
    """Late-game possessions of the training seasons (LiveState replay), cached as parquet."""
    if cache.exists():
        return pd.read_parquet(cache)
    pbp, index = ingame.load_pbp_dir(PBP, TRAIN_SEASONS)
    poss = ingame_markov.possessions_from_pbp(pbp, index)
    poss.to_parquet(cache)
    return poss


def fold(train: pd.DataFrame, val: pd.DataFrame, poss: pd.DataFrame) -> dict[str, np.ndarray]:
    """Probabilities on `val` of v4, the baseline and every Markov variant, all fitted on `train` (and its
    possessions) only."""
    lm = ingame.fit_label_model(train)
    ytr = train["home_win"].to_numpy(int)
    late_tr = ((train["period"] >= 4) & (train["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)).to_numpy()
    raw = ingame_markov.MarkovTable.fit(poss)
    tables = {"": raw, "trusted ": ingame_markov.fit_possession_trust(raw, train[late_tr])}
    print(f"possession trust fitted on the fold's training states: {tables['trusted '].possession_trust}")
    dtr = pd.DataFrame([ingame.derive(r, lm) for r in train.to_dict("records")])
    dva = pd.DataFrame([ingame.derive(r, lm) for r in val.to_dict("records")])
    for d, s in ((dtr, train), (dva, val)):
        for tag, table in tables.items():
            d[f"{tag}markov_logit"] = [
                table.logit(m, t, p)
                for m, t, p in zip(s["margin"], s["seconds_left"], s["home_possession"], strict=True)
            ]
    late_va = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    full, base = ingame.FULL_FEATURES, ingame.BASELINE_FEATURES

    def cols(d: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray:
        return d[list(names)].to_numpy(float)

    def late_fit(names: tuple[str, ...]) -> np.ndarray:
        """As ``ingame._fit_late`` (scikit-learn, C=1.0) on the late training states; probabilities on `val`."""
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=1.0, max_iter=5000).fit(cols(dtr, names)[late_tr], ytr[late_tr])
        return clf.predict_proba(cols(dva, names))[:, 1]

    def blend(p: np.ndarray, q: np.ndarray, w: float) -> np.ndarray:
        p = p.copy()
        p[late_va] = (1 - w) * p[late_va] + w * q[late_va]
        return p

    out: dict[str, np.ndarray] = {}
    out["baseline"] = boost(cols(dtr, base), ytr, base, monotone_constraints=[0, 0, 0]).predict(cols(dva, base))
    trees = boost(cols(dtr, full), ytr, full).predict(cols(dva, full))
    v4_late = late_fit(ingame.LATE_FEATURES)
    v4 = out["v4 (late logistic, weight 0.6)"] = blend(trees, v4_late, ingame.LATE_WEIGHT)
    # overtime (sampled every 10 s): its own blend weight, or its own late logistic fitted on overtime states only
    ot_va = (val["period"] > 4).to_numpy()
    ot_tr = (train["period"] > 4).to_numpy()
    for w in (0.0, 1.0):
        p = v4.copy()
        p[ot_va] = (1 - w) * trees[ot_va] + w * v4_late[ot_va]
        out[f"v4, overtime blend weight {w}"] = p
    from sklearn.linear_model import LogisticRegression

    ot_clf = LogisticRegression(C=1.0, max_iter=5000).fit(cols(dtr, ingame.LATE_FEATURES)[ot_tr], ytr[ot_tr])
    p = v4.copy()
    p[ot_va] = (1 - ingame.LATE_WEIGHT) * trees[ot_va] + ingame.LATE_WEIGHT * ot_clf.predict_proba(
        cols(dva, ingame.LATE_FEATURES)[ot_va]
    )[:, 1]
    out["v4, overtime late logistic fitted on overtime states only"] = p
    # shrink the late phase towards the margin-and-time baseline
    for a in (0.2, 0.4):
        out[f"v4 late phase shrunk {a} towards the baseline"] = blend(v4, out["baseline"], a)
    families: dict[str, np.ndarray] = {}
    for tag in tables:
        families[f"{tag}Markov table alone"] = 1 / (1 + np.exp(-dva[f"{tag}markov_logit"].to_numpy()))
        families[f"v4 late logistic + {tag}markov_logit"] = late_fit((*ingame.LATE_FEATURES, f"{tag}markov_logit"))
        families[f"logistic on {tag}markov_logit, pre-game, bonus, timeouts"] = late_fit(
            (f"{tag}markov_logit", *MARKOV_ONLY[1:])
        )
    for name, q in families.items():
        for w in WEIGHTS:
            out[f"{name}, weight {w}"] = blend(trees, q, w)
    return out


def late_split(p: np.ndarray, val: pd.DataFrame) -> dict[str, float]:
    """Brier of the 4th quarter's last five minutes and of overtime separately."""
    y = val["home_win"].to_numpy(int)
    per = val["period"].to_numpy(int)
    late = np.asarray([ingame.is_late(int(a), float(b)) for a, b in zip(per, val["seconds_left"], strict=True)])
    return {
        "Q4 last 5": float(np.mean((p[late & (per == 4)] - y[late & (per == 4)]) ** 2)),
        "OT": float(np.mean((p[per > 4] - y[per > 4]) ** 2)),
    }


def run_folds(
    states: pd.DataFrame, poss: pd.DataFrame, splits: list[tuple[str, Callable[[int], bool]]]
) -> dict[str, dict[str, dict[str, float]]]:
    """{fold name: {variant: {bin: Brier}}} for (name, is-training-season) splits; validation = the named season."""
    code = _season_code(states).astype(int)
    pcode = poss["GAME_ID"].astype(str).str.zfill(10).str[3:5].astype(int)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, is_train in splits:
        held = int(name[-2:])
        train_mask = code.map(is_train).to_numpy(bool)
        val = states[(code == held).to_numpy()]
        probs = fold(states[train_mask], val, poss[pcode.map(is_train).to_numpy(bool)])
        results[name] = {n: {**brier_by_bin(p, val), **late_split(p, val)} for n, p in probs.items()}
        print(f"{name}: " + ", ".join(f"{n}: {r['last_5_min']:.5f}" for n, r in results[name].items()), flush=True)
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    ap.add_argument("--possessions", type=Path, default=Path("/tmp/ingame_possessions.parquet"))
    args = ap.parse_args()
    states, poss = training_states(args.cache), possessions(args.possessions)
    seasons = sorted(int(c) for c in _season_code(states).unique())  # 15, 16, 17
    loso = [(f"held out {s}", lambda c, s=s: c != s) for s in seasons]
    forward = [(f"forward -> {s}", lambda c, s=s: c < s) for s in seasons[1:]]
    lo, fw = run_folds(states, poss, loso), run_folds(states, poss, forward)
    names = list(next(iter(lo.values())))
    cols = ["last_5_min", "Q4 last 5", "OT"]
    print(
        "\n| variant | LOSO last_5_min per fold | LOSO mean | Q4 last 5 (mean) | OT (mean) | forward -> 16 | -> 17 | "
        "forward weighted |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in names:
        per = " / ".join(f"{lo[f][n]['last_5_min']:.5f}" for f in lo)
        mean = {c: np.mean([lo[f][n][c] for f in lo]) for c in cols}
        f16, f17 = (fw[f][n]["last_5_min"] for f in fw)
        wmean = FOLD_WEIGHTS[0] * f16 + FOLD_WEIGHTS[1] * f17
        print(
            f"| {n} | {per} | {mean['last_5_min']:.5f} | {mean['Q4 last 5']:.5f} | {mean['OT']:.5f} | {f16:.5f} | "
            f"{f17:.5f} | {wmean:.5f} |"
        )
    q = {n: np.mean([lo[f][n]["Q1"] for f in lo]) for n in names}
    print(f"\nQ1 mean (unchanged by late variants): v4 {q['v4 (late logistic, weight 0.6)']:.5f}; bins: {BINS}")


if __name__ == "__main__":
    main()
