"""The promotion gate: a challenger replaces the champion only if every check passes on the most recent games.

Checks (each recorded with its numbers, pass or fail):
- brier: challenger Brier <= champion Brier + `brier_tolerance` (business metric, practice 2);
- ece: challenger expected calibration error (10 bins) <= `max_ece`, or no worse than the champion's on the same
  games (on 100 games the ECE of a well-calibrated model is itself ~0.08-0.12, so an absolute bound alone would
  reject good models by noise; the bound catches gross miscalibration);
- bias_gap: worst gap in Brier between slices (home favourite vs away favourite, regular season vs playoffs)
  <= `max_bias_gap` (practice 1);
- perturbation: directional expectation (a higher Elo difference never lowers the home probability) and small
  noise (+-10 Elo points move the probability by less than `max_noise_shift` on average) (practice 26).

Why our own checks: courtside.evaluation had no `promotion_gate` when this was written. If it exists at run time it
is called as well (`evaluation_gate` check) and must also pass; if its call fails the check is recorded as skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from courtside.monitoring.performance import brier, expected_calibration_error, log_loss

Predict = Callable[[pd.DataFrame], np.ndarray]


class GateConfig(BaseModel):
    brier_tolerance: float = 0.002
    max_ece: float = 0.10
    max_bias_gap: float = 0.12
    max_noise_shift: float = 0.03
    min_eval_games: int = 30


@dataclass
class GateResult:
    passed: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.checks.items() if v.get("passed") is False]

    def summary(self) -> str:
        parts = []
        for k, v in self.checks.items():
            nums = ", ".join(f"{n}={x:.4f}" for n, x in v.items() if isinstance(x, float))
            parts.append(f"{k}:{'ok' if v.get('passed') else 'skip' if v.get('passed') is None else 'FAIL'}({nums})")
        return "; ".join(parts)


def slice_gap(p: np.ndarray, y: np.ndarray, slices: Mapping[str, np.ndarray], min_n: int = 10) -> float:
    """Largest difference in Brier between the values of any one slice column (slices with < min_n rows skipped)."""
    worst = 0.0
    for labels in slices.values():
        scores = [brier(p[labels == v], y[labels == v]) for v in np.unique(labels) if (labels == v).sum() >= min_n]
        if len(scores) >= 2:
            worst = max(worst, max(scores) - min(scores))
    return worst


def perturbation_checks(predict: Predict, rows: pd.DataFrame, noise: float = 10.0) -> dict[str, float]:
    """Directional (+50 Elo never lowers p) and small-noise (mean |dp| under +-`noise` Elo) checks."""
    if "elo_diff" not in rows:
        return {}
    base = predict(rows)
    up = rows.assign(elo_diff=rows["elo_diff"] + 50.0)
    rng = np.random.default_rng(0)
    jitter = rows.assign(elo_diff=rows["elo_diff"] + rng.uniform(-noise, noise, len(rows)))
    return {
        "directional_violations": float(np.mean(predict(up) < base - 1e-9)),
        "noise_shift": float(np.mean(np.abs(predict(jitter) - base))),
    }


def _evaluation_gate() -> Callable[..., Any] | None:
    for mod in ("courtside.evaluation", "courtside.evaluation.gate", "courtside.evaluation.promotion"):
        try:
            fn = getattr(importlib.import_module(mod), "promotion_gate", None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


def evaluate_gate(
    challenger: Predict, champion: Predict | None, eval_rows: pd.DataFrame, config: GateConfig, label: str = "home_win"
) -> GateResult:
    """Run every check on `eval_rows` (the most recent games, not used to fit the challenger)."""
    y = eval_rows[label].to_numpy(float)
    p = challenger(eval_rows)
    checks: dict[str, dict[str, Any]] = {}
    if len(y) < config.min_eval_games:
        checks["sample"] = {"passed": False, "n": float(len(y)), "min": float(config.min_eval_games)}
        return GateResult(False, checks)
    ch_brier = brier(p, y)
    champ_brier = brier(champion(eval_rows), y) if champion else float("inf")
    checks["brier"] = {
        "passed": ch_brier <= champ_brier + config.brier_tolerance,
        "challenger": ch_brier,
        "champion": champ_brier if np.isfinite(champ_brier) else float("nan"),
        "challenger_log_loss": log_loss(p, y),
    }
    ece = expected_calibration_error(p, y)
    champ_ece = expected_calibration_error(champion(eval_rows), y) if champion else float("inf")
    checks["ece"] = {
        "passed": ece <= max(config.max_ece, champ_ece),
        "ece": ece,
        "champion": champ_ece if np.isfinite(champ_ece) else float("nan"),
        "bound": config.max_ece,
    }
    slices = {"favourite": np.where(p >= 0.5, "home", "away")}
    if "is_playoff" in eval_rows:
        slices["playoff"] = eval_rows["is_playoff"].astype(str).to_numpy()
    gap = slice_gap(p, y, slices)
    checks["bias_gap"] = {"passed": gap <= config.max_bias_gap, "gap": gap, "bound": config.max_bias_gap}
    pert = perturbation_checks(challenger, eval_rows)
    if pert:
        checks["perturbation"] = {
            "passed": pert["directional_violations"] == 0.0 and pert["noise_shift"] <= config.max_noise_shift,
            **pert,
        }
    external = _evaluation_gate()
    if external is not None:
        try:
            verdict = external({"predictions": p, "labels": y, "rows": eval_rows, "checks": checks}, config)
            ok = bool(getattr(verdict, "passed", verdict))
            checks["evaluation_gate"] = {"passed": ok}
        except Exception as err:  # noqa: BLE001 - an interface mismatch must not block our own gate
            checks["evaluation_gate"] = {"passed": None, "error": str(err)[:200]}
    passed = all(v.get("passed") is not False for v in checks.values())
    return GateResult(passed, checks)
