"""In-game home-win probability from play-by-play state (practice 23's labels feed it as the ``settled_lead`` feature:
the label model's posterior that the game is decided, signed by the side ahead).

Model: monotone LightGBM over margin, time, possession, pre-game strength, the recent run, the bonus, timeouts and
a Brownian-motion score ``brownian_z`` (Stern 1994: final margin = margin + possession value + pre-game drift x time
left + noise with s.d. 12 x sqrt(share of the game left)). In the last five minutes the trees are averaged with a
logistic model on the smooth late-game terms, because late in a game the probability moves steeply with one
point or one possession and piecewise-constant trees alone were worse there than the margin-and-time baseline.
The late logistic also sees the pre-game strength, the margin per possession left and the possession's value
scaled by the possessions left, and carries ``LATE_WEIGHT`` of the blend; both choices were made on
leave-one-season-out folds of the training seasons (:func:`courtside.models.ingame_report.late_phase_validation`),
never on the test season. The baseline is the same LightGBM on margin and time only (``BASELINE_FEATURES``),
trained on the same states.

Serving form ("courtside-ingame-v6", pure Python): derived features, the labelling functions and the label model's
posterior are computed here from raw state fields, so the live service and training compute ``leverage`` the same
way; the trees are :class:`courtside.models.trees.TreeEnsembleModel`. Training states come from
:mod:`courtside.models.ingame_states`, which samples the features handler's own tracker
(:class:`courtside.features.live.LiveState`); :data:`STATE_FIELDS` is the one place that says which live feature
each raw model input is, and a missing one is an error, not a neutral default (that default was a silent
train/serve skew: possession, bonus, run and timeouts read as "unknown" in production). v3 reads possession as
+1/-1/0 and the bonus, run and timeouts as LiveState defines them, so a v2 document is refused, not misread; v4 adds
the late blend's weight to the document (v3 hard-coded 0.5), so a v3 document is refused too. v5 is v4 trained on
the tracker's corrected possession (unknown, 0, from a miss until its rebound, where v4's tracker left the ball with
the shooter), so a v4 document, fitted on the other meaning, is refused. The late logistic's pace term (stop 16)
did not change the format: a document names its own late features, and every input means what it meant in v5.

v6 (stop 17) adds ``early``: trees fitted on the pre-game model's probability (``pregame_model_prob``, in training
its walk-forward backtest prediction: each game predicted by a model trained only on earlier games) instead of Elo's,
used in periods 1..``EARLY_PERIODS`` when that probability is given. Early in a game the better pre-game forecast
is worth most; from the 4th quarter on it did worse than Elo's in the trees, so the Elo-trained trees and the late
logistic serve there (``bench/ingame_phase_prior_validation.py``, chosen on validation folds). Without the pre-game
model's probability the Elo trees serve every period. A v5 document loads as a model without early trees; a v6
document is refused by v5 code, which would silently serve it without them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.features.live import LIVE_FEATURE_NAMES
from courtside.labeling.label_model import LabelModel
from courtside.models.documents import check_document, read_document
from courtside.models.ingame_events import LakeGames, season_end
from courtside.models.ingame_states import PBP_COLUMNS, STEP_SECONDS, Progress, sample_states, states_from_pbp
from courtside.models.trees import TreeEnsembleModel, sigmoid

__all__ = ["STEP_SECONDS", "states_from_pbp"]

# Raw model inputs -> the LiveState feature each one is (courtside.features.live.LIVE_FEATURE_NAMES). Training rows
# are built through this mapping and serving reads the live names through it: one source for both.
STATE_FIELDS: dict[str, str] = {
    "margin": "score_margin",
    "seconds_left": "game_seconds_remaining",
    "period": "period",
    "home_possession": "home_possession",  # +1 home ball, -1 away, 0 unknown
    "run_2min": "margin_change_2min",
    "bonus_home": "home_in_bonus",
    "bonus_away": "away_in_bonus",
    "timeouts_used_diff": "timeouts_used_diff",
    "sec_per_poss": "seconds_per_possession",  # the game's pace so far (LiveState's shrunk estimate)
}
if not set(STATE_FIELDS.values()) <= set(LIVE_FEATURE_NAMES):
    raise ImportError(
        f"in-game inputs that are not live features: {set(STATE_FIELDS.values()) - set(LIVE_FEATURE_NAMES)}"
    )

FORMAT = "courtside-ingame-v6"
READABLE_FORMATS = (FORMAT, "courtside-ingame-v5")  # v5 = v6 without early trees
# Periods whose forecast comes from the early trees when the pre-game model's probability is given (v6).
EARLY_PERIODS = 3
GAME_SECONDS = 2880.0
SIGMA_POINTS = 12.0  # s.d. of a full game's final margin
POSSESSION_POINTS = 1.0  # having the ball vs the other side having it, in points
LATE_SECONDS = 300  # the late phase: last five minutes of the 4th quarter and overtime
# The late logistic's training window: the 4th quarter's last LATE_TRAIN_SECONDS and overtime. 360 s (v5: "also the
# minute before, so it is not fitted on an edge") was reasoning; measured in stop 16 on validation folds, the window it
# is applied in fits best (bench/ingame_late_window_validation.py: LOSO mean 0.0779577 at 300 s vs 0.0779694 at 360 s,
# latest fold and forward mean lower too; 240, 480 and 720 s are worse).
LATE_TRAIN_SECONDS = 300
V1_FEATURES = ("margin", "seconds_left", "margin_per_sqrt_time", "pregame_logit_scaled", "home_possession", "run_2min")
FULL_FEATURES_STOP18 = (  # the trees until stop 18: leverage unsigned, so not monotone in the margin (report ablation)
    *V1_FEATURES,
    "brownian_z",
    "bonus_home",
    "bonus_away",
    "timeouts_used_diff",
    "leverage",
)
# Since stop 19 the trees read the weak-supervision input signed by the leader (settled_lead, monotone increasing):
# with leverage unsigned one more point could cross a labelling function's threshold and lower the home probability
# (up to 5 points on the gate's probe states, courtside.evaluation.ingame_checks). ingame_settled_lead_validation.py
FULL_FEATURES = tuple("settled_lead" if f == "leverage" else f for f in FULL_FEATURES_STOP18)
LATE_FEATURES_V3 = (  # the v3 late logistic, kept for the report's ablation
    "brownian_z",
    "margin_per_sqrt_time",
    "home_possession",
    "bonus_home",
    "bonus_away",
    "timeouts_used_diff",
)
LATE_FEATURES_V5 = (*LATE_FEATURES_V3, "pregame_logit_scaled", "margin_per_poss", "possession_per_poss", "last_minute")
# Since stop 16 the late logistic also scales the margin by the possessions left at this game's pace (Brownian
# scale: margin / sqrt(possessions left + 1)); chosen on validation folds by bench/ingame_pace_validation.py.
LATE_FEATURES_STOP18 = (*LATE_FEATURES_V5, "margin_per_sqrt_poss_left")  # kept for the report's ablation
# Since stop 19 also the pre-game strength unscaled (Elo's logit): the stronger side wins close finishes more often
# than its scoring rate alone says. Chosen on validation folds by bench/ingame_pregame_logit_validation.py (LOSO mean
# 0.0777838 vs 0.0779327, latest fold 0.0751498 vs 0.0753582, forward weighted 0.0778176 vs 0.0779826).
LATE_FEATURES_STOP19 = (*LATE_FEATURES_STOP18, "pregame_logit")  # kept for the report's ablation
# Since stop 20 also the pre-game model's logit unscaled (it knows the players and who plays, which Elo does not; Elo's
# logit where no pre-game model probability is given). Chosen on validation folds by
# bench/ingame_model_prior_late_validation.py; on the arrival-order states (stop 20's tracker fix) LOSO mean 0.0776967
# vs 0.0777788, latest fold 0.0751083 vs 0.0753141, forward weighted 0.0777407 vs 0.0778833 (first decided on the
# event-number-order states, where it also met its rule). Kept >= 0 with Elo's term, which the fit sets to 0.
LATE_FEATURES = (*LATE_FEATURES_STOP19, "pregame_model_logit")
# Weight of the late logistic in the last-five-minutes blend (the trees get the rest). Chosen on leave-one-season-out
# folds of 2015-16..2017-18 (mean last_5_min Brier 0.07842 at 0.6, 0.07844 at 0.5, 0.07897 at 0.0; the v3 late
# logistic at v3's 0.5: 0.07874). Refitted on v5's states (loose ball after a miss) 0.6 and 0.7 tie (0.07798 vs
# 0.07797), so it stayed. Since stop 18 0.7: with the Brier-fitted late logistic (LATE_LOSS) 0.7 leads 0.6 by
# 0.0000119 on the LOSO mean, outside the 0.00001 tie band, and is lower on the latest forward fold and the forward
# weighted mean too (bench/ingame_late_weight_validation.py). Since stop 19 0.8: with the pregame_logit term the
# table's best is 0.8, 0.0000167 below 0.7 on the LOSO mean (0.0777671 vs 0.0777838), and lower on the latest fold
# (0.0751361 vs 0.0751498) and forward weighted mean (0.0777593 vs 0.0778176): stop 18's weight rule, applied as it
# stands (bench/ingame_pregame_logit_validation.py's context rows). On 2018-19: see docs/results/ingame/README.md.
LATE_WEIGHT = 0.8
# The late logistic's fitting loss. Since stop 18 "brier" (log loss first, then refitted to minimise the Brier score
# it is judged by: courtside.models.brier_fit); chosen on validation folds by bench/ingame_brier_fit_validation.py
# (LOSO mean 0.0779457 vs 0.0779528, latest fold 0.0753585 vs 0.0754377, forward mean lower too). "log": before.
LATE_LOSS = "brier"
LATE_LOSSES = ("brier", "log")
# The Brier fit's pull towards the log-loss fit (standardised units; courtside.models.brier_fit). Both fits run to
# convergence since stop 18, so retraining gives the same late logistic on any machine; 1e-5 was chosen on validation
# folds by bench/ingame_shrunk_brier_validation.py (LOSO mean 0.0779327 vs the early-stopped fit's 0.0779338, latest
# fold and forward mean within the 0.00001 tie band; coefficients from two starts within 5e-6).
LATE_BRIER_SHRINK = 1e-5
# Late-logistic terms whose direction is known (the stronger pre-game side, the Brownian score that adds the lead
# and the pre-game drift): their Brier-fitted coefficients are kept >= 0, as the trees are monotone in them. Fitted on
# three seasons they are positive anyway (the bound is not active and the fit is unchanged); fitted on a few hundred
# games the unscaled pre-game term came out negative, and a stronger home side then lowered the late forecast
# (courtside.evaluation.ingame_checks' directional check caught it and the promotion gate refused the model).
LATE_NONNEGATIVE = ("brownian_z", "pregame_logit_scaled", "pregame_logit", "pregame_model_logit")
POSSESSION_SECONDS = 24.0  # one shot clock: the longest a possession lasts
BASELINE_FEATURES = ("margin", "seconds_left", "margin_per_sqrt_time")
MONOTONE = {"margin": 1, "margin_per_sqrt_time": 1, "brownian_z": 1, "pregame_logit_scaled": 1, "settled_lead": 1}
LABEL_FEATURES = ("leverage", "settled_lead")  # inputs computed from the label model's posterior
_ALIASES = {  # model name -> accepted keys: its own (training rows) and the live feature's (served state)
    **{name: (name, live) for name, live in STATE_FIELDS.items()},
    "pregame_prob": ("pregame_prob", "pregame_home_win_probability"),
    "pregame_model_prob": ("pregame_model_prob", "pregame_model_home_win_probability"),
}


def _field(state: Mapping[str, Any], name: str, default: float | None = None) -> float:
    for key in _ALIASES.get(name, (name,)):
        if state.get(key) is not None:
            return float(state[key])
    if default is None:
        raise KeyError(f"in-game model input {name!r} (live feature {STATE_FIELDS.get(name, name)!r}) is missing")
    return default


def model_prior(state: Mapping[str, Any]) -> float | None:
    """The pre-game model's probability in `state` (training or live name), or None if it is not given."""
    for key in _ALIASES["pregame_model_prob"]:
        value = state.get(key)
        if value is not None and value == value:  # NaN (a frame's missing value) counts as not given
            return float(value)
    return None


def _period(state: Mapping[str, Any]) -> int:
    return int(_field(state, "period"))


def is_late(period: int, seconds_left: float) -> bool:
    return period >= 4 and seconds_left <= LATE_SECONDS


def derive(state: Mapping[str, Any], label_model: LabelModel | None = None) -> dict[str, float]:
    """Model inputs from a raw state (shared by training and serving)."""
    t = max(_field(state, "seconds_left"), 0.0)
    margin = _field(state, "margin")
    p = min(max(_field(state, "pregame_prob", 0.5), 1e-4), 1 - 1e-4)
    logit = math.log(p / (1 - p))
    pm = model_prior(state)
    pm = p if pm is None else min(max(pm, 1e-4), 1 - 1e-4)
    poss = _field(state, "home_possession")
    run = _field(state, "run_2min")
    tau = max(t, 1.0) / GAME_SECONDS
    drift = SIGMA_POINTS * logit / 1.702  # the pre-game expected margin (probit ~ logit / 1.702)
    z = (margin + POSSESSION_POINTS * poss / 2.0 + drift * tau) / (SIGMA_POINTS * math.sqrt(tau))
    if label_model is not None:
        from courtside.labeling.functions import LABELING_FUNCTIONS

        lf_state = {"period": _period(state), "seconds_left": t, "margin": margin, "run_2min": run}
        leverage = label_model.posterior([f(lf_state) for f in LABELING_FUNCTIONS.values()])
    else:
        leverage = _field(state, "leverage", 0.5)
    return {
        "margin": margin,
        "seconds_left": t,
        "margin_per_sqrt_time": margin / math.sqrt(t + 1.0),
        "pregame_logit_scaled": logit * t / GAME_SECONDS,
        "home_possession": poss,
        "run_2min": run,
        "brownian_z": z,
        "bonus_home": _field(state, "bonus_home"),
        "bonus_away": _field(state, "bonus_away"),
        "timeouts_used_diff": _field(state, "timeouts_used_diff"),
        "leverage": leverage,
        # how settled the game is, towards the side ahead: leverage falls as the lead grows (the labelling functions
        # vote "decided" past thresholds of |margin|), so on its own it is not monotone in the margin, and trees
        # splitting on it could lower a bigger lead's probability; signed by the leader it rises with the margin
        "settled_lead": math.copysign(1.0 - leverage, margin) if margin else 0.0,
        # late-game terms: the margin per possession left, the ball's worth per possession left, the last minute
        "margin_per_poss": margin / (t / POSSESSION_SECONDS + 1.0),
        "possession_per_poss": poss / math.sqrt(t / POSSESSION_SECONDS + 1.0),
        "last_minute": min(t, 60.0),
        "margin_per_sqrt_poss_left": margin / math.sqrt(t / max(_field(state, "sec_per_poss"), 1.0) + 1.0),
        # the pre-game strength not scaled by the time left: who wins a close finish, beyond the scoring rate
        # that pregame_logit_scaled and brownian_z carry (bench/ingame_pregame_logit_validation.py)
        "pregame_logit": logit,
        # the pre-game model's logit (player ratings and who plays, which Elo does not see), Elo's when not given
        # (bench/ingame_model_prior_late_validation.py)
        "pregame_model_logit": math.log(pm / (1 - pm)),
    }


# Every input :func:`derive` computes (a model document may name only these)
DERIVED_FEATURES = tuple(
    derive(
        {
            **{name: 0.0 for name in STATE_FIELDS},
            "period": 1,
            "seconds_left": GAME_SECONDS,
            "sec_per_poss": POSSESSION_SECONDS,
            "pregame_prob": 0.5,
        }
    )
)


@dataclass(frozen=True)
class LateLogistic:
    """sigmoid(intercept + coef . x) on the late-game features."""

    feature_names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def predict_proba(self, d: Mapping[str, float]) -> float:
        return sigmoid(self.intercept + sum(c * d[f] for c, f in zip(self.coef, self.feature_names, strict=True)))

    def as_dict(self) -> dict[str, Any]:
        return {"feature_names": list(self.feature_names), "coef": list(self.coef), "intercept": self.intercept}


def with_model_prior(state: Mapping[str, Any]) -> dict[str, Any]:
    """`state` with the pre-game model's probability as the pre-game input (the early trees' view of it): it
    replaces Elo's under both names, so :func:`derive` reads it whichever name the state uses."""
    p = model_prior(state)
    if p is None:
        return dict(state)
    return {**state, "pregame_prob": p, "pregame_home_win_probability": p}


@dataclass(frozen=True)
class InGameModel:
    trees: TreeEnsembleModel
    late: LateLogistic | None = None
    label_model: LabelModel | None = None
    late_weight: float = LATE_WEIGHT  # the late logistic's share of the last-five-minutes blend
    booster: Any = field(default=None, compare=False, repr=False)  # training-time only, for fast batch scoring
    early: TreeEnsembleModel | None = None  # v6: periods 1..EARLY_PERIODS, on the pre-game model's probability
    early_booster: Any = field(default=None, compare=False, repr=False)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.trees.feature_names

    def uses_early(self, state: Mapping[str, Any]) -> bool:
        """Does the early part serve `state`? (early trees, periods 1..EARLY_PERIODS, the pre-game model's
        probability given)."""
        return self.early is not None and _period(state) <= EARLY_PERIODS and model_prior(state) is not None

    def predict_proba(self, features: Mapping[str, Any]) -> float:
        if self.early is not None and self.uses_early(features):
            return self.early.predict_proba(derive(with_model_prior(features), self.label_model))
        d = derive(features, self.label_model)
        p = self.trees.predict_proba(d)
        if self.late is not None and is_late(_period(features), d["seconds_left"]):
            p = (1.0 - self.late_weight) * p + self.late_weight * self.late.predict_proba(d)
        return p

    def predict_many(self, rows: Sequence[Mapping[str, Any]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def predict_frame(self, states: Any) -> Any:
        """Batch scores of a states frame: the LightGBM boosters when present (same trees), else the served form."""
        import numpy as np

        recs = states.to_dict("records")
        if self.booster is None or (self.early is not None and self.early_booster is None):
            return np.asarray(self.predict_many(recs))
        derived = [derive(r, self.label_model) for r in recs]
        x = np.asarray([[d[f] for f in self.feature_names] for d in derived], dtype=float)
        p = self.booster.predict(x)
        if self.late is not None:
            late = np.asarray([is_late(int(r["period"]), float(r["seconds_left"])) for r in recs])
            if late.any():
                lp = np.asarray([self.late.predict_proba(d) for d, flag in zip(derived, late, strict=True) if flag])
                p[late] = (1.0 - self.late_weight) * p[late] + self.late_weight * lp
        early = np.asarray([self.uses_early(r) for r in recs], dtype=bool)
        if early.any():
            ix = np.flatnonzero(early)
            de = [derive(with_model_prior(recs[i]), self.label_model) for i in ix]
            p[ix] = self.early_booster.predict(np.asarray([[d[f] for f in self.early.feature_names] for d in de]))
        return p

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "trees": self.trees.as_dict(),
            "late": self.late.as_dict() if self.late else None,
            "late_weight": self.late_weight,
            "label_model": self.label_model.as_dict() if self.label_model else None,
            "early": self.early.as_dict() if self.early else None,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict())


def load_model(text: str | bytes) -> InGameModel:
    """A served model from its document: v6, or v5 (no early trees)."""
    return from_document(read_document(text, READABLE_FORMATS))


def from_document(doc: Mapping[str, Any]) -> InGameModel:
    """A served model from its parsed document (its parts are built from the parsed dicts, never re-serialised)."""
    doc = check_document(doc, READABLE_FORMATS)
    late = doc.get("late")
    lm = doc.get("label_model")
    early = doc.get("early")
    model = InGameModel(
        TreeEnsembleModel.from_dict(doc["trees"]),
        LateLogistic(tuple(late["feature_names"]), tuple(late["coef"]), float(late["intercept"])) if late else None,
        LabelModel.from_dict(lm) if lm else None,
        float(doc["late_weight"]),
        early=TreeEnsembleModel.from_dict(early) if early else None,
    )
    parts = (model.trees, model.late, model.early)
    unknown = {f for part in parts if part is not None for f in part.feature_names} - set(DERIVED_FEATURES)
    if unknown:  # refused at load, not with a KeyError on the first request that reaches the part
        raise ValueError(f"in-game document names inputs this code does not derive: {sorted(unknown)}")
    return model


def fit_label_model(states: Any) -> LabelModel:
    """The leverage label model, fitted on the given (training) states only.

    The class balance is fixed at 0.5 (Snorkel's default, uniform): with one-sided functions that rarely meet, an
    estimated balance drifts toward the commonest vote and drags those functions' accuracies to 1.
    """
    from courtside.labeling.functions import LABELING_FUNCTIONS, apply_lfs

    matrix = apply_lfs(states[["period", "seconds_left", "margin", "run_2min"]].to_dict("records"))
    return LabelModel(len(LABELING_FUNCTIONS), class_balance=0.5).fit(matrix)


def weak_supervision_stats(states: Any, lm: LabelModel, check_labels: Any | None = None) -> dict[str, Any]:
    """Coverage/overlap/conflict per function and overall, estimated accuracies, and (optionally) each
    function's accuracy against an outcome-based check label, to judge the estimates."""
    from courtside.labeling.functions import LABELING_FUNCTIONS, apply_lfs
    from courtside.labeling.label_model import empirical_accuracy, lf_summary, matrix_summary

    names = list(LABELING_FUNCTIONS)
    matrix = apply_lfs(states[["period", "seconds_left", "margin", "run_2min"]].to_dict("records"))
    out: dict[str, Any] = {
        "lf_summary": lf_summary(matrix, names),
        "matrix": matrix_summary(matrix),
        "accuracy": dict(zip(names, lm.accuracy, strict=True)),
        "class_balance": lm.prior,
        "em_iterations": lm.n_iter_run,
    }
    if check_labels is not None:
        out["check_accuracy"] = dict(zip(names, empirical_accuracy(matrix, list(check_labels)), strict=True))
    return out


def add_leverage(states: Any, lm: LabelModel | None = None) -> tuple[Any, dict[str, Any]]:
    """Weak-supervision leverage label per state (label model fitted on `states` unless given) and its stats."""
    lm = lm or fit_label_model(states)
    out = states.assign(leverage=[derive(r, lm)["leverage"] for r in states.to_dict("records")])
    return out, weak_supervision_stats(states, lm)


_PARAMS = {
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


def fit(
    states: Any,
    features: Sequence[str] = FULL_FEATURES,
    n_estimators: int = 300,
    label_model: LabelModel | None = None,
    late_model: bool = True,
    monotone: bool = True,
    late_features: Sequence[str] = LATE_FEATURES,
    late_weight: float = LATE_WEIGHT,
    early: bool = True,
    late_loss: str = LATE_LOSS,
) -> InGameModel:
    """Train on `states`. The baseline call is ``fit(states, BASELINE_FEATURES, late_model=False,
    monotone=False)``: plain LightGBM on margin and time, as before.

    With `early`, a ``pregame_model_prob`` column and the pre-game input among `features`, the early trees are
    fitted too: the same features, rows and parameters, with the pre-game model's probability as the pre-game input
    (Elo's where a game has none)."""
    import lightgbm as lgb
    import numpy as np

    from courtside.models.trees import from_lightgbm

    features = tuple(features)
    uses_labels = any(f in LABEL_FEATURES for f in features)
    if uses_labels and label_model is None:
        label_model = fit_label_model(states)
    recs = states.to_dict("records")
    derived = [derive(r, label_model) for r in recs]
    x = np.asarray([[d[f] for f in features] for d in derived], dtype=float)
    y = states["home_win"].to_numpy(int)
    params = dict(_PARAMS)
    if monotone:
        params["monotone_constraints"] = [MONOTONE.get(f, 0) for f in features]
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=n_estimators)
    late = None
    if late_model:
        ix = [i for i, r in enumerate(recs) if int(r["period"]) >= 4 and float(r["seconds_left"]) <= LATE_TRAIN_SECONDS]
        late = _fit_late([derived[i] for i in ix], y[ix], late_features, late_loss)
    early_trees = early_booster = None
    if early and "pregame_model_prob" in states.columns and "pregame_logit_scaled" in features:
        xe = np.asarray([[d[f] for f in features] for d in (derive(with_model_prior(r), label_model) for r in recs)])
        early_booster = lgb.train(params, lgb.Dataset(xe, y), num_boost_round=n_estimators)
        early_trees = from_lightgbm(early_booster, features)
    used_lm = label_model if uses_labels else None
    return InGameModel(
        from_lightgbm(booster, features), late, used_lm, late_weight, booster, early_trees, early_booster
    )


def _fit_late(
    derived: Sequence[Mapping[str, float]], y: Any, late_features: Sequence[str], loss: str = LATE_LOSS
) -> LateLogistic:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if loss not in LATE_LOSSES:
        raise ValueError(f"late_loss must be one of {LATE_LOSSES}, got {loss!r}")
    late_features = tuple(late_features)
    xl = np.asarray([[d[f] for f in late_features] for d in derived], dtype=float)
    # tol 1e-8: at scikit-learn's default (1e-4) lbfgs stops up to 0.24 from the optimum on these unscaled terms, and
    # where it stops depends on the platform's floating point (stop 18); converged, the fit is the same everywhere
    clf = LogisticRegression(C=1.0, max_iter=5000, tol=1e-8).fit(xl, y)
    coef, intercept = tuple(float(c) for c in clf.coef_[0]), float(clf.intercept_[0])
    if loss == "brier":
        from courtside.models.brier_fit import refit_by_brier

        keep_sign = [i for i, f in enumerate(late_features) if f in LATE_NONNEGATIVE]
        coef, intercept = refit_by_brier(coef, intercept, xl, y, shrink=LATE_BRIER_SHRINK, nonnegative=keep_sign)
    return LateLogistic(late_features, coef, intercept)


def fit_late_logistic(
    states: Any,
    label_model: LabelModel | None = None,
    late_features: Sequence[str] = LATE_FEATURES,
    window_seconds: float | None = None,
    loss: str = LATE_LOSS,
) -> LateLogistic:
    """The late-phase logistic alone (what :func:`fit` trains next to the trees), on the states of the 4th quarter's
    and overtime's last ``LATE_TRAIN_SECONDS`` (or `window_seconds`): the report compares late feature sets and
    windows without refitting trees."""
    window = LATE_TRAIN_SECONDS if window_seconds is None else window_seconds
    late = states[(states["period"] >= 4) & (states["seconds_left"] <= window)]
    derived = [derive(r, label_model) for r in late.to_dict("records")]
    return _fit_late(derived, late["home_win"].to_numpy(int), late_features, loss)


def time_bin(period: int, seconds_left: float) -> str:
    if is_late(period, seconds_left):
        return "last_5_min"
    return f"Q{min(period, 4)}"


def brier_by_bin(p: Any, test: Any) -> dict[str, dict[str, float]]:
    import numpy as np

    y = test["home_win"].to_numpy(int)
    bins = np.asarray([time_bin(int(a), float(b)) for a, b in zip(test["period"], test["seconds_left"], strict=True)])
    p = np.asarray(p, dtype=float)
    return {
        b: {"n": int((bins == b).sum()), "brier": float(np.mean((p[bins == b] - y[bins == b]) ** 2))}
        for b in sorted(set(bins))
    }


def evaluate_bins(model: InGameModel, baseline: InGameModel, test: Any) -> dict[str, dict[str, float]]:
    pm, pb = brier_by_bin(model.predict_frame(test), test), brier_by_bin(baseline.predict_frame(test), test)
    return {b: {"n": v["n"], "model_brier": v["brier"], "baseline_brier": pb[b]["brier"]} for b, v in pm.items()}


def load_pbp_dir(pbp_dir: Path, seasons: Sequence[str]) -> tuple[Any, Any]:
    import pandas as pd

    frames = [pd.read_parquet(pbp_dir / f"pbp_{s}.parquet", columns=list(PBP_COLUMNS)) for s in seasons]
    index = pd.read_csv(next(pbp_dir.glob("games_index_*.csv")), dtype={"GAME_ID": str})
    # each game's rows in the source's order, which is the game's time order and the stream's (not EVENTNUM's)
    pbp = pd.concat(frames).sort_values("GAME_ID", kind="mergesort")
    return pbp, index


# The pre-game model's walk-forward predictions (`courtside backtest`: each game predicted by a model trained only on
# games before it), the early trees' training input; committed with the backtest report.
WALK_FORWARD_PREDICTIONS = Path(__file__).resolve().parents[2] / "docs" / "results" / "predictions.csv"


def pregame_model_probs(path: Path | str | None = None) -> dict[str, float]:
    """The pre-game model's walk-forward home-win probability keyed by game_key (``courtside backtest``'s
    predictions CSV; the committed one by default): leakage-free, so training states can carry what serving will
    pass, the approved pre-game model's probability for the game."""
    import pandas as pd

    f = pd.read_csv(path or WALK_FORWARD_PREDICTIONS, usecols=["game_key", "home_win_probability"])
    return dict(zip(f["game_key"], f["home_win_probability"].astype(float), strict=True))


def pregame_probs(data_dir: Path | str | None = None, games: Any = None) -> dict[str, float]:
    """Pre-game home-win probability from Elo (pre-game information only) keyed by game_key: from the shipped games
    history under `data_dir`, or from `games` (a frame of the lake's curated games, as the cloud pipeline reads
    them), replayed through the same pre-game feature code."""
    import pandas as pd

    from courtside.features.history import pregame_rows
    from courtside.models.dataset import load_games
    from courtside.ratings.elo import win_probability

    games = load_games(data_dir) if games is None else games
    ordered = games.drop(columns=[c for c in ("fte_elo_prob_home",) if c in games.columns])
    ordered = ordered.assign(date=ordered["date"].astype(str).str[:10])  # the lake may hold timestamps
    ordered = ordered.sort_values(["date", "game_key"], kind="mergesort")
    f = pd.DataFrame(list(pregame_rows(ordered.to_dict("records"))))
    f = f[f["season"] >= 2016]
    return dict(zip(f["game_key"], (win_probability(d) for d in f["elo_diff"]), strict=True))


def season_states(
    pbp_dir: Path | str | LakeGames,
    seasons: Sequence[str],
    pregame_predictions: Path | None = WALK_FORWARD_PREDICTIONS,
    progress: Progress | None = None,
    elo_probs: Mapping[str, float] | None = None,
) -> Any:
    """The states of `seasons` that ``courtside ingame-report`` and ``courtside models train-live`` fit and score:
    the play-by-play under `pbp_dir` (or the lake's validated events, a :class:`LakeGames`) replayed through the live
    tracker, with Elo's pre-game probability and, unless `pregame_predictions` is None, the pre-game model's
    walk-forward one (the early trees' input). One function, so the report's model and the shipped model are trained
    on the same states. `elo_probs` replaces Elo's probabilities from the shipped games history (the cloud pipeline
    computes them from the lake: :func:`pregame_probs`)."""
    model_probs = pregame_model_probs(pregame_predictions) if pregame_predictions is not None else None
    elo = elo_probs or pregame_probs()
    if isinstance(pbp_dir, LakeGames):
        wanted = {season_end(s) for s in seasons}
        games = (g for g in pbp_dir.games(progress) if g.season in wanted)
        return sample_states(games, elo, model_probs)
    pbp, index = load_pbp_dir(Path(pbp_dir), seasons)
    return states_from_pbp(pbp, index, elo, model_probs, progress)
