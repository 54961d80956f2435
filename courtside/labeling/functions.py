"""Labelling functions over in-game states: is this moment still high-leverage, or is the game decided?

No data set labels "clutch" or "garbage time"; these heuristics vote instead (1 = high leverage, 0 = decided,
ABSTAIN = no opinion). Most vote both ways and several cover the same late-game states, because a label model can
only learn accuracies from functions that meet (and sometimes disagree); one-sided functions that never meet
another leave their accuracies unidentified. :mod:`courtside.labeling.label_model` combines the votes. Inputs are
the in-game state fields (margin from the home side, seconds left in regulation/OT, period, the scoring run of
the last 2 minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

ABSTAIN = -1
State = Mapping[str, Any]


def lf_clutch(s: State) -> int:
    """Last five minutes of the 4th quarter or overtime: within five points is the NBA's own clutch definition;
    15+ apart is out of reach (about five possessions in five minutes)."""
    if s["period"] < 4 or s["seconds_left"] > 300:
        return ABSTAIN
    m = abs(s["margin"])
    return 1 if m <= 5 else 0 if m >= 15 else ABSTAIN


def lf_garbage_time(s: State) -> int:
    """Fourth quarter, 20+ points apart with under 8 minutes left: starters sit, the result is settled."""
    return 0 if s["period"] >= 4 and s["seconds_left"] <= 480 and abs(s["margin"]) >= 20 else ABSTAIN


def lf_lead_beyond_time(s: State) -> int:
    """Fourth quarter: a lead larger than ~ one point per 20 seconds left is almost never overturned; one within a
    point per two minutes left (and at most 3) is still a coin flip."""
    if s["seconds_left"] >= 720:
        return ABSTAIN
    m, t = abs(s["margin"]), s["seconds_left"]
    return 0 if m > 3 + t / 20 else 1 if m <= min(3.0, t / 120) else ABSTAIN


def lf_comeback_run(s: State) -> int:
    """The trailing team has just scored 8+ unanswered-ish points in 2 minutes and is within 10: momentum."""
    trailing_run = -s["run_2min"] if s["margin"] > 0 else s["run_2min"]
    return 1 if s["period"] >= 3 and trailing_run >= 8 and abs(s["margin"]) <= 10 else ABSTAIN


def lf_close_second_half(s: State) -> int:
    """Second half: within three (one possession) is open, 25+ apart is settled."""
    if s["period"] < 3:
        return ABSTAIN
    m = abs(s["margin"])
    return 1 if m <= 3 else 0 if m >= 25 else ABSTAIN


def lf_early_game(s: State) -> int:
    """First half: within 12 is too early to call; 30+ apart is the rare rout that holds."""
    if s["period"] > 2:
        return ABSTAIN
    m = abs(s["margin"])
    return 1 if m <= 12 else 0 if m >= 30 else ABSTAIN


LABELING_FUNCTIONS: dict[str, Callable[[State], int]] = {
    f.__name__: f
    for f in (lf_clutch, lf_garbage_time, lf_lead_beyond_time, lf_comeback_run, lf_close_second_half, lf_early_game)
}


def apply_lfs(states: list[State]) -> list[list[int]]:
    """The label matrix: one row per state, one column per labelling function."""
    fns = list(LABELING_FUNCTIONS.values())
    return [[f(s) for f in fns] for s in states]
