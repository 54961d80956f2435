"""One continual-learning step: fit a challenger on recent games, judge it against the champion on the most recent
games, promote or reject it in the registry, and say why.

Pure over DataFrames + a :class:`RegistryPort`: the retrain Lambda, the local scheduler, the CLI and the drift
drill all call :func:`retrain_step`. The evaluation games are the newest `policy.eval_games` rows and are never
used to fit the challenger (time-aware split, no leakage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from courtside.continual.gates import GateConfig, GateResult, evaluate_gate, perturbation_checks
from courtside.continual.policy import RetrainPolicy
from courtside.continual.registry_port import Candidate, RegistryPort
from courtside.features.pregame import FEATURE_NAMES
from courtside.models.linear import LinearModel, fit_logistic

Trainer = Callable[[pd.DataFrame], LinearModel]
WHO = "courtside-retrain"


def predictor(model: LinearModel) -> Callable[[pd.DataFrame], np.ndarray]:
    """Vectorised predict for a DataFrame (same arithmetic as LinearModel.predict_proba)."""

    def predict(rows: pd.DataFrame) -> np.ndarray:
        x = rows[list(model.feature_names)].to_numpy(float)
        z = model.intercept + ((x - np.array(model.mean)) / np.array(model.scale)) @ np.array(model.coef)
        return 1.0 / (1.0 + np.exp(-z))

    return predict


def recency_trainer(policy: RetrainPolicy, features: tuple[str, ...] = FEATURE_NAMES) -> Trainer:
    """Fit on the latest `train_window_games` rows with weights halving every `recency_half_life_games` games:
    a shift (e.g. home advantage vanishing) moves the intercept within a few hundred games."""

    def train(rows: pd.DataFrame) -> LinearModel:
        recent = rows.tail(policy.train_window_games)
        age = np.arange(len(recent))[::-1].astype(float)
        weights = 0.5 ** (age / policy.recency_half_life_games)
        return fit_logistic(recent, features, sample_weight=weights * len(weights) / weights.sum())

    return train


@dataclass
class Decision:
    trigger: str
    challenger: str
    champion: str | None
    promoted: bool
    gate: GateResult
    extra: dict[str, Any] = field(default_factory=dict)

    def why(self) -> str:
        verdict = "promoted" if self.promoted else f"rejected ({', '.join(self.gate.failed)})"
        return f"{self.trigger}: {verdict} vs {self.champion or 'no champion'}; {self.gate.summary()}"[:1000]

    def as_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "challenger": self.challenger,
            "champion": self.champion,
            "promoted": self.promoted,
            "failed": self.gate.failed,
            "checks": self.gate.checks,
            **self.extra,
        }


def judge_and_record(
    challenger_model: LinearModel,
    eval_rows: pd.DataFrame,
    registry: RegistryPort,
    gate_config: GateConfig,
    trigger: str,
    who: str = WHO,
) -> Decision:
    """Register `challenger_model`, run the gate against the current champion and approve or reject it."""
    champion = registry.champion()
    gate = evaluate_gate(
        predictor(challenger_model), predictor(champion.model) if champion else None, eval_rows, gate_config
    )
    return record(challenger_model, gate, champion, registry, trigger, who)


def record(
    challenger_model: LinearModel,
    gate: GateResult,
    champion: Candidate | None,
    registry: RegistryPort,
    trigger: str,
    who: str = WHO,
    extra: dict[str, Any] | None = None,
) -> Decision:
    """Register the challenger with the gate's numbers, then approve or reject it with who/why."""
    metrics = {
        f"gate.{k}.{n}": float(v)
        for k, c in gate.checks.items()
        for n, v in c.items()
        if isinstance(v, float) and np.isfinite(v)
    }
    candidate: Candidate = registry.register(challenger_model, metrics, f"continual retrain ({trigger})")
    decision = Decision(
        trigger, candidate.ref, champion.ref if champion else None, gate.passed, gate, dict(extra or {})
    )
    if gate.passed:
        registry.approve(candidate, who, decision.why())
    else:
        registry.reject(candidate, who, decision.why())
    return decision


def retrain_step(
    rows: pd.DataFrame,
    registry: RegistryPort,
    policy: RetrainPolicy,
    gate_config: GateConfig,
    trigger: str,
    trainer: Trainer | None = None,
    who: str = WHO,
) -> Decision:
    """Split `rows` (time-ordered games with features + label) into fit / newest-eval, fit, judge, record."""
    if len(rows) <= policy.eval_games:
        raise ValueError(f"need more than {policy.eval_games} games to retrain, got {len(rows)}")
    fit_rows, eval_rows = rows.iloc[: -policy.eval_games], rows.iloc[-policy.eval_games :]
    train = trainer or recency_trainer(policy.for_trigger(trigger))
    model = train(fit_rows)
    if not policy.refit_on_all:
        return judge_and_record(model, eval_rows, registry, gate_config, trigger, who)
    # Gate the recipe on the holdout, then serve the same recipe refitted on every game: otherwise a model
    # promoted after a shift has never seen the newest `eval_games` games, which are exactly the shifted ones.
    champion = registry.champion()
    gate = evaluate_gate(predictor(model), predictor(champion.model) if champion else None, eval_rows, gate_config)
    final = train(rows) if gate.passed else model
    pert = perturbation_checks(predictor(final), eval_rows)
    if pert:
        ok = pert["directional_violations"] == 0.0 and pert["noise_shift"] <= gate_config.max_noise_shift
        gate.checks["refit_perturbation"] = {"passed": ok, **pert}
        gate.passed = gate.passed and ok
    return record(final, gate, champion, registry, trigger, who, {"refit_on_all": gate.passed})
