"""Perturbation tests of a serving model (practice 26) and the promotion gate that reads the evaluation report.

Three kinds, each returning (passed, details) so CI tests and the gate share them:
- invariance: fields that must not matter (team name strings, game_key, dates) do not change the probability;
- directional expectation: a higher elo_diff raises the pre-game probability; a bigger late lead raises the live
  probability;
- small-noise stability: +/-1 Elo point of noise moves the probability by at most ``max_noise_shift``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

IRRELEVANT_FIELDS: dict[str, Any] = {
    "home_team": "ZZZ",
    "away_team": "YYY",
    "game_key": "19000101_YYY_at_ZZZ",
    "date": "1900-01-01",
}


@dataclass(frozen=True)
class GateConfig:
    """Promotion bounds. A candidate is promoted only if every bound holds (practices 1, 2, 15, 26)."""

    max_brier: float = 0.2114  # must at least match FiveThirtyEight's published Elo on the backtest
    max_ece: float = 0.02
    max_slice_gap: float = 0.05
    require_perturbation: bool = True
    must_beat_fte: bool = True


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)


def invariance(model: Any, rows: Sequence[Mapping[str, Any]], tol: float = 1e-12) -> dict[str, Any]:
    worst = 0.0
    for r in rows:
        base = model.predict_proba(r)
        worst = max(worst, abs(model.predict_proba({**r, **IRRELEVANT_FIELDS}) - base))
    return {"passed": worst <= tol, "max_shift": worst}


def directional(
    predict: Callable[[Mapping[str, Any]], float],
    rows: Sequence[Mapping[str, Any]],
    field_name: str,
    step: float,
    min_gain: float = 0.0,
) -> dict[str, Any]:
    """Raising `field_name` by `step` must not lower the probability (by more than float noise)."""
    violations = 0
    for r in rows:
        lo = predict(r)
        hi = predict({**r, field_name: float(r[field_name]) + step})
        if hi < lo + min_gain - 1e-12:
            violations += 1
    return {"passed": violations == 0, "violations": violations, "rows": len(rows), "field": field_name}


def noise_stability(
    model: Any,
    rows: Sequence[Mapping[str, Any]],
    field_name: str = "elo_diff",
    noise: float = 1.0,
    max_noise_shift: float = 0.01,
    seed: int = 0,
) -> dict[str, Any]:
    rng = random.Random(seed)
    worst = 0.0
    for r in rows:
        noisy = {**r, field_name: float(r[field_name]) + rng.uniform(-noise, noise)}
        worst = max(worst, abs(model.predict_proba(noisy) - model.predict_proba(r)))
    return {"passed": worst <= max_noise_shift, "max_shift": worst, "noise": noise}


def pregame_suite(model: Any, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """All perturbation checks of a pre-game model on `rows`; ``passed`` is their conjunction."""
    res = {
        "invariance": invariance(model, rows),
        "directional_elo": directional(model.predict_proba, rows, "elo_diff", 25.0),
        "noise_stability": noise_stability(model, rows),
    }
    res["passed"] = all(v["passed"] for v in res.values() if isinstance(v, dict))
    return res


def promotion_gate(report: Mapping[str, Any], config: GateConfig | None = None) -> GateResult:
    """Read an evaluation report (plus its optional ``perturbation`` block) and decide promotion."""
    cfg = config or GateConfig()
    reasons: list[str] = []
    o = report["overall"]
    if o["brier"] > cfg.max_brier:
        reasons.append(f"brier {o['brier']:.4f} > {cfg.max_brier}")
    if o["ece"] > cfg.max_ece:
        reasons.append(f"ece {o['ece']:.4f} > {cfg.max_ece}")
    bias = report.get("bias") or {}
    if bias.get("worst_gap", 0.0) > cfg.max_slice_gap:
        reasons.append(f"worst slice calibration gap {bias['worst_gap']:.4f} > {cfg.max_slice_gap}")
    fte = report.get("fte_elo")
    if cfg.must_beat_fte and fte and fte["model_same_games"]["brier"] >= fte["benchmark"]["brier"]:
        reasons.append("does not beat FiveThirtyEight's Elo on the same games")
    if cfg.require_perturbation:
        pert = report.get("perturbation")
        if pert is None:
            reasons.append("no perturbation results in the report")
        elif not pert.get("passed", False):
            failed = [k for k, v in pert.items() if isinstance(v, dict) and not v.get("passed", True)]
            reasons.append(f"perturbation tests failed: {failed}")
    return GateResult(passed=not reasons, reasons=reasons)
