"""In-game home-win probability from play-by-play state: margin, time left, possession, pre-game strength, runs,
and the weak-supervision leverage label.

Serving form ("courtside-ingame-v1") is pure Python: derived features are computed here from raw state fields
and the trees are :class:`courtside.models.trees.TreeEnsembleModel`. The baseline uses margin and time only.
States are sampled every ``STEP_SECONDS`` of game time per game so training stays small.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courtside.models.documents import read_document
from courtside.models.trees import TreeEnsembleModel

FORMAT = "courtside-ingame-v1"
STEP_SECONDS = 30
FULL_FEATURES = (
    "margin",
    "seconds_left",
    "margin_per_sqrt_time",
    "pregame_logit_scaled",
    "possession_home",
    "run_2min",
    "leverage",
)
BASELINE_FEATURES = ("margin", "seconds_left", "margin_per_sqrt_time")


def derive(state: Mapping[str, Any]) -> dict[str, float]:
    """Model inputs from a raw state (shared by training and serving)."""
    t = max(float(state["seconds_left"]), 0.0)
    p = min(max(float(state.get("pregame_prob", 0.5)), 1e-4), 1 - 1e-4)
    return {
        "margin": float(state["margin"]),
        "seconds_left": t,
        "margin_per_sqrt_time": float(state["margin"]) / math.sqrt(t + 1.0),
        "pregame_logit_scaled": math.log(p / (1 - p)) * t / 2880.0,
        "possession_home": float(state.get("possession_home", 0.5)),
        "run_2min": float(state.get("run_2min", 0.0)),
        "leverage": float(state.get("leverage", 0.5)),
    }


@dataclass(frozen=True)
class InGameModel:
    trees: TreeEnsembleModel

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.trees.feature_names

    def predict_proba(self, features: Mapping[str, Any]) -> float:
        return self.trees.predict_proba(derive(features))

    def predict_many(self, rows: Sequence[Mapping[str, Any]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "trees": json.loads(self.trees.to_json())})


def load_model(text: str | bytes) -> InGameModel:
    doc = read_document(text, FORMAT)
    return InGameModel(TreeEnsembleModel.from_json(json.dumps(doc["trees"])))


def _clock(period: int, pctime: str) -> int:
    m, s = str(pctime).split(":")
    left_in_period = int(m) * 60 + int(s)
    return left_in_period + max(4 - period, 0) * 720


def states_from_pbp(pbp: Any, index: Any, pregame: Mapping[str, float] | None = None) -> Any:
    """Sampled game states with label ``home_win`` (final result from the games index)."""
    import pandas as pd

    from courtside.teams import to_bref

    pregame = pregame or {}
    idx = index.assign(GAME_ID=index["GAME_ID"].astype(str).str.zfill(10)).set_index("GAME_ID")
    pbp = pbp.assign(GAME_ID=pbp["GAME_ID"].astype(str).str.zfill(10))
    pbp = pbp[pbp["GAME_ID"].str[:3] == "002"]
    out = []
    cols = ["GAME_ID", "EVENTMSGTYPE", "PERIOD", "PCTIMESTRING", "SCORE", "PLAYER1_TEAM_ABBREVIATION"]
    for gid, g in pbp[cols].groupby("GAME_ID", sort=False):
        if gid not in idx.index:
            continue
        info = idx.loc[gid]
        home = to_bref(str(info["home"]))
        key = f"{str(info['game_date']).replace('-', '')[:8]}_{to_bref(str(info['away']))}_at_{home}"
        label = int(info["home_pts"] > info["away_pts"])
        margin, poss, next_sample = 0, 0.5, 10**9
        history: list[tuple[int, int]] = []
        for ev in g.itertuples(index=False):
            try:
                t = _clock(int(ev.PERIOD), ev.PCTIMESTRING)
            except (ValueError, AttributeError):
                continue
            if int(ev.PERIOD) > 4:
                t = _clock(4, ev.PCTIMESTRING)
            if isinstance(ev.SCORE, str) and " - " in ev.SCORE:
                a, h = ev.SCORE.split(" - ")
                margin = int(h) - int(a)
            team = to_bref(str(ev.PLAYER1_TEAM_ABBREVIATION)) if isinstance(ev.PLAYER1_TEAM_ABBREVIATION, str) else None
            etype = int(ev.EVENTMSGTYPE)
            if team and etype in (1, 5):  # made shot / turnover: the other side gets the ball
                poss = 0.0 if team == home else 1.0
            elif team and etype == 4:  # rebound: rebounder's side has it
                poss = 1.0 if team == home else 0.0
            abs_t = (int(ev.PERIOD) - 1) * 720 + (720 - t % 720 if int(ev.PERIOD) <= 4 else 0)
            history.append((abs_t, margin))
            if t <= next_sample or next_sample == 10**9:
                past = [m for at, m in history if at >= abs_t - 120]
                run = margin - (past[0] if past else margin)
                out.append(
                    {
                        "game_key": key,
                        "GAME_ID": gid,
                        "period": int(ev.PERIOD),
                        "seconds_left": t,
                        "margin": margin,
                        "possession_home": poss,
                        "run_2min": run,
                        "pregame_prob": pregame.get(key, 0.5),
                        "home_win": label,
                    }
                )
                next_sample = t - STEP_SECONDS if int(ev.PERIOD) <= 4 else t - 10
    return pd.DataFrame(out)


def add_leverage(states: Any, seed: int = 0) -> tuple[Any, dict[str, Any]]:
    """Weak-supervision leverage label: LFs -> label model (fit on a sample) -> posterior per state."""
    from courtside.labeling.functions import LABELING_FUNCTIONS, apply_lfs
    from courtside.labeling.label_model import LabelModel, lf_summary

    recs = states.to_dict("records")
    matrix = apply_lfs(recs)
    sample = states.sample(n=min(20000, len(states)), random_state=seed).index
    pos = {ix: i for i, ix in enumerate(states.index)}
    lm = LabelModel(len(LABELING_FUNCTIONS)).fit([matrix[pos[i]] for i in sample], n_iter=20)
    out = states.assign(leverage=[lm.posterior(r) for r in matrix])
    stats = {
        "lf_summary": lf_summary(matrix, list(LABELING_FUNCTIONS)),
        "accuracy": dict(zip(LABELING_FUNCTIONS, lm.accuracy, strict=True)),
        "prior": lm.prior,
    }
    return out, stats


def fit(states: Any, features: Sequence[str] = FULL_FEATURES, n_estimators: int = 300) -> InGameModel:
    import lightgbm as lgb
    import numpy as np

    from courtside.models.trees import from_lightgbm

    x = np.asarray([[derive(r)[f] for f in features] for r in states.to_dict("records")], dtype=float)
    params = {
        "objective": "binary",
        "num_leaves": 31,
        "learning_rate": 0.05,
        "min_data_in_leaf": 200,
        "verbose": -1,
        "seed": 7,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
    }
    booster = lgb.train(params, lgb.Dataset(x, states["home_win"].to_numpy(int)), num_boost_round=n_estimators)
    return InGameModel(from_lightgbm(booster, features))


def time_bin(period: int, seconds_left: float) -> str:
    if period >= 4 and seconds_left <= 300:
        return "last_5_min"
    return f"Q{min(period, 4)}"


def evaluate_bins(model: InGameModel, baseline: InGameModel, test: Any) -> dict[str, dict[str, float]]:
    from courtside.evaluation.metrics import brier

    recs = test.to_dict("records")
    pm, pb = model.predict_many(recs), baseline.predict_many(recs)
    bins: dict[str, list[int]] = {}
    for i, r in enumerate(recs):
        bins.setdefault(time_bin(r["period"], r["seconds_left"]), []).append(i)
    y = test["home_win"].to_numpy(int)
    return {
        b: {
            "n": len(ix),
            "model_brier": brier([pm[i] for i in ix], y[ix]),
            "baseline_brier": brier([pb[i] for i in ix], y[ix]),
        }
        for b, ix in sorted(bins.items())
    }


def load_pbp_dir(pbp_dir: Path, seasons: Sequence[str]) -> tuple[Any, Any]:
    import pandas as pd

    cols = ["GAME_ID", "EVENTNUM", "EVENTMSGTYPE", "PERIOD", "PCTIMESTRING", "SCORE", "PLAYER1_TEAM_ABBREVIATION"]
    frames = [pd.read_parquet(pbp_dir / f"pbp_{s}.parquet", columns=cols) for s in seasons]
    index = pd.read_csv(next(pbp_dir.glob("games_index_*.csv")), dtype={"GAME_ID": str})
    pbp = pd.concat(frames).sort_values(["GAME_ID", "EVENTNUM"], kind="mergesort")
    return pbp, index


def pregame_probs(data_dir: Path | str | None = None) -> dict[str, float]:
    """Pre-game home-win probability from Elo (pre-game information only) keyed by game_key."""
    from courtside.models.dataset import pregame_frame
    from courtside.ratings.elo import win_probability

    f = pregame_frame(data_dir)
    f = f[f["season"] >= 2016]
    return dict(zip(f["game_key"], (win_probability(d) for d in f["elo_diff"]), strict=True))


def report(pbp_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Train on 2015-16..2017-18, test on 2018-19; Brier per bin vs the margin-and-time baseline."""
    train_s, test_s = ["2015-16", "2016-17", "2017-18"], ["2018-19"]
    pre = pregame_probs()
    pbp, index = load_pbp_dir(Path(pbp_dir), train_s + test_s)
    states = states_from_pbp(pbp, index, pre)
    states, lf_stats = add_leverage(states)
    test_ids = set(pbp[pbp["GAME_ID"].astype(str).str.zfill(10).str[3:5] == "18"]["GAME_ID"].astype(str).str.zfill(10))
    is_test = states["GAME_ID"].isin(test_ids)
    model, baseline = fit(states[~is_test]), fit(states[~is_test], BASELINE_FEATURES)
    bins = evaluate_bins(model, baseline, states[is_test])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = {
        "train_states": int((~is_test).sum()),
        "test_states": int(is_test.sum()),
        "bins": bins,
        "model_better_in_every_bin": all(v["model_brier"] < v["baseline_brier"] for v in bins.values()),
        "weak_supervision": lf_stats,
    }
    (out / "ingame_report.json").write_text(json.dumps(rep, indent=2, default=float))
    lines = [
        "# In-game model (train 2015-16..2017-18, test 2018-19)",
        "",
        "| bin | states | model Brier | margin+time baseline | better |",
        "|---|---|---|---|---|",
    ]
    for b, v in bins.items():
        lines.append(
            f"| {b} | {v['n']} | {v['model_brier']:.4f} | {v['baseline_brier']:.4f} | "
            f"{v['model_brier'] < v['baseline_brier']} |"
        )
    lines += [
        "",
        "## Weak supervision (leverage labelling functions)",
        "",
        "| LF | coverage | overlap | conflict | estimated accuracy |",
        "|---|---|---|---|---|",
    ]
    for name, s in lf_stats["lf_summary"].items():
        lines.append(
            f"| {name} | {s['coverage']:.3f} | {s['overlap']:.3f} | {s['conflict']:.3f} | "
            f"{lf_stats['accuracy'][name]:.3f} |"
        )
    (out / "README.md").write_text("\n".join(lines) + "\n")
    return rep
