"""Perturbation checks of an in-game model (practice 26) on probe states, for CI and the live model's promotion.

The pre-game checks (:mod:`courtside.evaluation.perturbation`) perturb held-out games; an in-game model is checked
on probe states instead: a seeded sample of raw live states over every period, clock, margin, possession, bonus,
timeout and pre-game strength the live endpoint can send, each scored both ways the model serves (with the approved
pre-game model's probability, so periods 1-3 reach the early trees, and without it). No data is needed, so the
check runs where a model is registered, on exactly the document that would serve.

- invariance: fields that must not matter (team names, game key, date) do not change the probability;
- directional: one more point for the home side, a stronger pre-game home side (Elo's and the pre-game model's
  probability) never lower it;
- small-noise stability: half a percentage point of noise on the pre-game probability moves it by at most
  ``MAX_NOISE_SHIFT_P99`` in 99 states of 100. Not in every state: the trees split on the pre-game strength, so a
  nudge that crosses a split can move a forecast by several points in a few states (the shipped model's worst is
  about 8 points, at a split on an even pre-game match-up). The bound is what one point of margin is worth in
  mid-game, against a nudge worth under a tenth of a point of expected margin; the worst shift is reported too.

Why probe states and not test states: the failures these checks exist for sit at thresholds (a labelling function
that changes its vote when a lead passes 12 points), which a sample of real states crosses rarely and a uniform
probe crosses on purpose.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from courtside.evaluation.perturbation import IRRELEVANT_FIELDS

PERIOD_SECONDS = 720.0
OVERTIME_SECONDS = 300.0
MAX_NOISE_SHIFT_P99 = 0.03  # half a point of pre-game probability: at most 3 points of live probability (p99)
PREGAME_NOISE = 0.005


def probe_states(n: int = 2000, seed: int = 0) -> list[dict[str, Any]]:
    """`n` raw live states (training names, as :func:`courtside.models.ingame.derive` reads them), seeded: every
    period including overtime, clock, margins -25..25, possession, bonus, timeouts (up to 3 apart, fewer early),
    two-minute runs up to 8 points and pace; half carry the pre-game model's probability."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        period = rng.choice((1, 2, 3, 4, 4, 5))  # the 4th quarter twice: the late phase is where leads matter most
        in_period = rng.uniform(0.0, OVERTIME_SECONDS if period > 4 else PERIOD_SECONDS)
        seconds_left = in_period + max(0, 4 - period) * PERIOD_SECONDS
        pregame = rng.uniform(0.1, 0.9)
        state = {
            "margin": float(rng.randint(-25, 25)),
            "seconds_left": round(seconds_left, 1),
            "period": period,
            "home_possession": float(rng.choice((-1, 0, 1))),
            "run_2min": float(rng.randint(-8, 8)),
            "bonus_home": float(rng.random() < 0.4),
            "bonus_away": float(rng.random() < 0.4),
            "timeouts_used_diff": float(rng.randint(-min(period, 3), min(period, 3))),  # more used as the game goes on
            "sec_per_poss": rng.uniform(11.0, 17.0),
            "pregame_prob": pregame,
        }
        if i % 2:
            state["pregame_model_prob"] = min(max(pregame + rng.uniform(-0.1, 0.1), 0.05), 0.9)
        out.append(state)
    return out


def _noise(
    predict: Callable[[Mapping[str, Any]], float], rows: Sequence[Mapping[str, Any]], base: Sequence[float], seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    shifts = []
    for r, p in zip(rows, base, strict=True):
        shift = rng.uniform(-PREGAME_NOISE, PREGAME_NOISE)
        noisy = {**r, **{k: r[k] + shift for k in ("pregame_prob", "pregame_model_prob") if k in r}}
        shifts.append(abs(predict(noisy) - p))
    shifts.sort()
    p99 = shifts[min(len(shifts) - 1, int(0.99 * len(shifts)))]
    return {"passed": p99 <= MAX_NOISE_SHIFT_P99, "p99_shift": p99, "max_shift": shifts[-1], "noise": PREGAME_NOISE}


def ingame_suite(model: Any, rows: Sequence[Mapping[str, Any]] | None = None, seed: int = 0) -> dict[str, Any]:
    """Every perturbation check of an in-game model (anything with ``predict_proba(state)``) on `rows` (default
    :func:`probe_states`); ``passed`` is their conjunction. A failed directional check lists a few of its
    failing states, so whoever reads a rejected promotion sees where. Each state's own forecast is computed once
    and shared by the checks (the suite runs on every registration)."""
    rows = list(rows if rows is not None else probe_states(seed=seed))
    predict = model.predict_proba
    base = [predict(r) for r in rows]
    worst_invariance = max(abs(predict({**r, **IRRELEVANT_FIELDS}) - p) for r, p in zip(rows, base, strict=True))
    res: dict[str, Any] = {
        "states": len(rows),
        "invariance": {"passed": worst_invariance <= 1e-12, "max_shift": worst_invariance},
        "directional_margin": _directional(predict, rows, base, "margin", 1.0),
        "directional_pregame": _directional(predict, rows, base, "pregame_prob", 0.05),
        "directional_pregame_model": _directional(predict, rows, base, "pregame_model_prob", 0.05),
        "noise_stability": _noise(predict, rows, base, seed),
    }
    res["passed"] = all(v["passed"] for v in res.values() if isinstance(v, dict))
    return res


def _directional(
    predict: Callable[[Mapping[str, Any]], float],
    rows: Sequence[Mapping[str, Any]],
    base: Sequence[float],
    field_name: str,
    step: float,
) -> dict[str, Any]:
    """Raising `field_name` by `step` must not lower the forecast (beyond float noise), on the rows that carry it;
    a failure keeps its five worst states as examples."""
    drops = []
    for r, p in zip(rows, base, strict=True):
        if field_name in r:
            drops.append((p - predict({**r, field_name: float(r[field_name]) + step}), r))
    bad = sorted((d for d in drops if d[0] > 1e-12), key=lambda d: -d[0])
    res: dict[str, Any] = {"passed": not bad, "violations": len(bad), "rows": len(drops), "field": field_name}
    if bad:
        keys = ("period", "seconds_left", "margin", "home_possession", "pregame_prob")
        res["examples"] = [{**{k: r[k] for k in keys}, "drop": drop} for drop, r in bad[:5]]
    return res


def failed_checks(suite: Mapping[str, Any]) -> list[str]:
    """Names of the checks of an :func:`ingame_suite` result that failed."""
    return [k for k, v in suite.items() if isinstance(v, dict) and not v.get("passed", True)]


def gate_metrics(suite: Mapping[str, Any]) -> dict[str, float]:
    """The suite as registry metrics (numbers only): what a reviewer of the model package sees."""
    return {
        "perturbation_passed": float(bool(suite["passed"])),
        "margin_violations": float(suite["directional_margin"]["violations"]),
        "pregame_violations": float(
            suite["directional_pregame"]["violations"] + suite["directional_pregame_model"]["violations"]
        ),
        "pregame_noise_p99_shift": float(suite["noise_stability"]["p99_shift"]),
    }
