"""Every event of the late phase as training data: does the in-game model do better in the last five minutes?

Why: the training states are sampled every 30 s of game time (10 s in overtime), so the late phase the last_5_min
bin scores is trained on about ten states per game, about 35,000 in the three training seasons, while late in a
game the probability moves with every possession. The tracker's state after every event of the 4th quarter's last
six minutes and of overtime gives about ten times as many late rows from the same games. Each is weighted by the
game-clock seconds since the previous event: that is the chance a 30 s grid point falls just before it, so the
weighted rows have the distribution of the grid-sampled ones (simultaneous events, e.g. a foul and its free throws,
weigh 0 after the first, as the grid sampler never picks them). Validation states stay the shipped 30 s sample, so
every variant is scored on the same rows as v5. 2018-19 is never read.

Variants (all with the v5 label model and features):
- ``late logistic on every late event``: v5's late logistic fitted on the weighted event rows, trees unchanged;
- ``+ late trees on every late event``: and the late blend's tree part is a LightGBM fitted on those rows alone
  (same features and monotone constraints as the main trees, ``min_data_in_leaf`` 400 for the correlated rows),
  instead of the main trees;
- ``main trees with every late event``: the main trees' late rows replaced by the weighted event rows (weights
  scaled so each game's late phase weighs what its grid rows weighed), late logistic on the event rows.

Rule, fixed before the run (as bench/ingame_shooter_validation.py): the variant with the lowest leave-one-season-out
mean last_5_min Brier replaces v5 only if that mean is lower than v5's, its latest forward fold (-> 2017-18) and
forward weighted mean are lower than v5's too, and no Q1..Q4 leave-one-season-out mean is higher than v5's by more
than 0.0001.

Run: `.venv/bin/python bench/ingame_dense_late_validation.py` (grid states cached in /tmp/ingame_states.parquet as
the other bench scripts do; event rows in /tmp/ingame_late_events.parquet, ~2.5 min to replay once).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import PBP, boost, fold_table, score_folds, shipped_recipe, training_states  # noqa: E402
from courtside.features.live import REGULATION_PERIODS  # noqa: E402
from courtside.models import ingame, ingame_states  # noqa: E402
from courtside.models.ingame_report import TRAIN_SEASONS  # noqa: E402


def late_events(cache: Path) -> pd.DataFrame:
    """The tracker's state after every event of the 4th quarter's last ``LATE_TRAIN_SECONDS`` and of overtime, in
    the training seasons' regular-season games, with ``weight`` = game-clock seconds since the previous event."""
    if cache.exists():
        return pd.read_parquet(cache)
    pbp, index = ingame.load_pbp_dir(PBP, TRAIN_SEASONS)
    pregame = ingame.pregame_probs()
    out: list[dict[str, Any]] = []
    for game in ingame_states.replayed_games(pbp, index):
        prev_period, prev_clock = 0, 0.0
        for state in game.states:
            gap = prev_clock - state.clock if state.period == prev_period else None
            prev_period, prev_clock = state.period, state.clock
            late = state.period > REGULATION_PERIODS or (
                state.period == REGULATION_PERIODS and state.clock <= ingame.LATE_TRAIN_SECONDS
            )
            if not late or gap is None:
                continue
            out.append({**ingame_states.training_row(game, state, pregame), "weight": max(gap, 0.0)})
    frame = pd.DataFrame(out)
    frame["period"] = frame["period"].astype(int)
    frame.to_parquet(cache)
    return frame


def is_late_train(s: pd.DataFrame) -> np.ndarray:
    return ((s["period"] >= 4) & (s["seconds_left"] <= ingame.LATE_TRAIN_SECONDS)).to_numpy()


def dense_recipe(train: pd.DataFrame, val: pd.DataFrame, events: pd.DataFrame, variant: str) -> np.ndarray:
    """v5 with the late phase learnt from `events` (the training seasons' late event rows) as `variant` says."""
    from sklearn.linear_model import LogisticRegression

    ev = events[events["GAME_ID"].isin(set(train["GAME_ID"]))]
    lm = ingame.fit_label_model(train)

    def frame(s: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame([ingame.derive(r, lm) for r in s.to_dict("records")])

    dtr, dva, dev = frame(train), frame(val), frame(ev)
    ytr, yev, wev = train["home_win"].to_numpy(int), ev["home_win"].to_numpy(int), ev["weight"].to_numpy(float)
    full, lf = ingame.FULL_FEATURES, list(ingame.LATE_FEATURES)
    xva = dva[list(full)].to_numpy(float)
    if variant == "main trees with every late event":
        keep = ~is_late_train(train)
        late_rows = int((~keep).sum())
        x = np.vstack([dtr[list(full)].to_numpy(float)[keep], dev[list(full)].to_numpy(float)])
        y = np.concatenate([ytr[keep], yev])
        w = np.concatenate([np.ones(int(keep.sum())), wev * late_rows / wev.sum()])
        import lightgbm as lgb

        params = dict(ingame._PARAMS, monotone_constraints=[ingame.MONOTONE.get(f, 0) for f in full])
        p = lgb.train(params, lgb.Dataset(x, y, weight=w), num_boost_round=300).predict(xva)
    else:
        p = boost(dtr[list(full)].to_numpy(float), ytr, full).predict(xva)
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(dev[lf].to_numpy(float), yev, sample_weight=wev)
    late_va = np.asarray(
        [ingame.is_late(int(a), float(b)) for a, b in zip(val["period"], val["seconds_left"], strict=True)]
    )
    q = clf.predict_proba(dva[lf].to_numpy(float))[:, 1]
    trees = p
    if variant == "+ late trees on every late event":
        import lightgbm as lgb

        params = dict(
            ingame._PARAMS, min_data_in_leaf=400, monotone_constraints=[ingame.MONOTONE.get(f, 0) for f in full]
        )
        lt = lgb.train(params, lgb.Dataset(dev[list(full)].to_numpy(float), yev, weight=wev), num_boost_round=300)
        trees = p.copy()
        trees[late_va] = lt.predict(xva[late_va])
    out = p.copy()
    out[late_va] = (1 - ingame.LATE_WEIGHT) * trees[late_va] + ingame.LATE_WEIGHT * q[late_va]
    return out


VARIANTS = (
    "late logistic on every late event",
    "+ late trees on every late event",
    "main trees with every late event",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    ap.add_argument("--events", type=Path, default=Path("/tmp/ingame_late_events.parquet"))
    args = ap.parse_args()
    s, events = training_states(args.cache), late_events(args.events)
    grid_late = int(is_late_train(s).sum())
    total = events["weight"].sum()
    print(f"{len(s)} grid states ({grid_late} late); {len(events)} late event rows, weight sum {total:.0f} s")
    candidates: dict[str, Any] = {"shipped recipe": (s, shipped_recipe)}
    for v in VARIANTS:
        candidates[v] = (s, lambda train, val, v=v: dense_recipe(train, val, events, v))
    print("\n" + fold_table(score_folds(candidates), "late-phase training rows"))


if __name__ == "__main__":
    main()
