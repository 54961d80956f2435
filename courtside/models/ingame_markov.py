"""Possession-level Markov win probability for the last minutes of a game, measured as a late-phase input.

Status: measured on validation folds of the training seasons (``bench/ingame_markov_validation.py``, table in
``docs/results/ingame/validation_switches.md``) and not used by the shipped in-game model: no variant passed the
rule fixed before the run (it must also beat v4 on the latest forward fold). It stays here, tested, because the
bench needs it. Re-measured on v5's states, whose possession the fitted ``possession_trust`` now believes
(0.925-1.0), it still lost the latest fold by 0.00001-0.00004 (same file).

Why: late in a game the score moves in whole possessions worth 0, 1, 2, 3 or 4 points, and who has the ball with
how many seconds left decides a lot (up 3 with 8 s left and the opponent's ball is not "up 2.9"). Smooth logistic
terms and piecewise-constant trees both blur that integer structure; a backward recursion over (margin, seconds
left, who has the ball) keeps it. The state is the one the live tracker already serves (``score_margin``,
``game_seconds_remaining``, ``home_possession``), so serving and training read the same three inputs.

Possession model: for a possession starting with ``t`` seconds left and the offense leading by ``m``, the points
it scores ``k`` (0..4) and its length ``d`` (whole seconds, 1..``MAX_DURATION``) are drawn from empirical
frequencies in a cell of (time-left bucket, offense-margin bucket), shrunk towards the time bucket's pooled
frequencies (``PRIOR_COUNT`` pseudo-possessions), so the late-game strategy the data shows (the trailing side
fouling, the leader running the clock, the last shot) enters without hand-written rules. Possessions are cut from
the same :class:`courtside.features.live.LiveState` replay as the training states
(:func:`possessions_from_pbp`): a possession is a run of events with the tracker's possession on one side, its
points are the offense's own points (an and-one free throw, shot after the basket handed the ball over, still
counts for the possession that scored it), its length the clock run meanwhile.

Recursion: ``P(t, m, offense)`` = sum over (k, d) of p(k, d | cell) x P(t - d, m + k, other side); a possession
longer than the time left ends the game with its points. A tie at the horn goes to overtime, won with
``OVERTIME_TIE`` (0.5: the pre-game strength is left to a logistic on top, which also sees it). The solved table
(home win probability for every margin in ``MARGIN_RANGE`` and second 0..``MAX_SECONDS``, home ball; the away
ball is its mirror) is the serving form (:meth:`MarkovTable.as_dict`, ~150 kB of JSON): pure Python, where
re-solving the recursion would take about 2 s at the first late prediction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from courtside.features.live import REGULATION_PERIODS

MAX_SECONDS = 360  # the table covers the late phase and the minute before (ingame.LATE_TRAIN_SECONDS); OT <= 300
MARGIN_RANGE = 30  # margins beyond +-30 are clipped (a 30-point swing in six minutes is not in the data)
MAX_POINTS = 4
MAX_DURATION = 30  # longer possessions (offensive rebounds) are counted as 30 s
TIME_EDGES = (10, 24, 60, 120, 240)  # time-left buckets: <=10, 11-24, 25-60, 61-120, 121-240, >240 s
MARGIN_EDGES = (-10, -7, -4, -3, -2, -1, 0, 1, 2, 3, 4, 7, 10)  # offense-margin buckets (lower bounds)
PRIOR_COUNT = 200.0  # pseudo-possessions of the time bucket's pooled frequencies in each cell
OVERTIME_TIE = 0.5
EXTRACT_SECONDS = 420  # possessions starting in the 4th quarter's last seven minutes, and all of overtime


def time_bucket(t: float) -> int:
    return sum(t > e for e in TIME_EDGES)


def margin_bucket(m: float) -> int:
    return max(sum(m >= e for e in MARGIN_EDGES) - 1, 0)


def possessions_from_pbp(pbp: Any, index: Any) -> Any:
    """Late-game possessions (4th quarter's last ``EXTRACT_SECONDS`` and overtime) of regular-season games.

    Columns: GAME_ID, period, t (seconds left at the start), margin (the offense's lead at the start), points (the
    offense's points, clipped to 0..MAX_POINTS), duration (seconds, >= 1), truncated (cut by the period's horn).
    """
    import pandas as pd

    from courtside.models.ingame_states import replayed_games

    out: list[dict[str, Any]] = []
    for game in replayed_games(pbp, index):
        events = [
            (s.period, s.clock, s.home_score, s.away_score, s.possession)
            for s in game.states
            if s.period >= REGULATION_PERIODS
        ]
        out.extend({"GAME_ID": game.game_id, **p} for p in _segments(events))
    return pd.DataFrame(out, columns=["GAME_ID", "period", "t", "margin", "points", "duration", "truncated"])


def _segments(events: Sequence[tuple[int, float, int, int, int]]) -> list[dict[str, Any]]:
    """Possessions from the tracker's states (period, clock, home score, away score, possession) after each event.

    A possession starts when the tracker's possession changes side and ends when it changes again (or at the
    period's horn). Points go to the scorer's own possession: the current one if the scorer has the ball, else the
    scorer's previous one (an and-one free throw comes after the made basket has handed the ball over).
    """
    done: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    prev: tuple[int, float, int, int, int] | None = None

    def close(end_clock: float, truncated: bool) -> None:
        assert cur is not None
        cur["duration"] = min(max(cur["t"] - end_clock, 1.0), MAX_DURATION)
        cur["truncated"] = truncated
        done.append(cur)

    for ev in events:
        period, clock, hs, aws, poss = ev
        if cur is not None and period != cur["period"]:
            close(0.0, True)
            cur = None
        scored = {1: hs - prev[2], -1: aws - prev[3]} if prev is not None and prev[0] == period else {}
        for side, pts in scored.items():
            if pts <= 0:
                continue
            if cur is not None and cur["offense"] == side:
                cur["points"] += pts
            elif done and done[-1]["offense"] == side and done[-1]["period"] == period:
                done[-1]["points"] += pts
                if cur is not None and cur["t"] == clock:  # the ball has not moved yet: its start margin too
                    cur["margin"] -= pts
        if poss != 0 and (cur is None or poss != cur["offense"]):
            if cur is not None:
                close(clock, False)
            cur = {"period": period, "t": clock, "margin": poss * (hs - aws), "offense": poss, "points": 0}
        prev = ev
    if cur is not None:
        close(0.0, True)
    keep = [p for p in done if p["period"] > REGULATION_PERIODS or p["t"] <= EXTRACT_SECONDS]
    for p in keep:
        del p["offense"]
        p["points"] = min(p["points"], MAX_POINTS)
    return keep


@dataclass(frozen=True)
class PossessionModel:
    """p(points, duration | time bucket, offense-margin bucket) as a list of (probability, points, duration)."""

    cells: tuple[tuple[tuple[tuple[float, int, int], ...], ...], ...]  # [time bucket][margin bucket] -> outcomes

    def outcomes(self, t: float, margin: float) -> tuple[tuple[float, int, int], ...]:
        return self.cells[time_bucket(t)][margin_bucket(margin)]


def fit_possessions(poss: Any, prior_count: float = PRIOR_COUNT, min_prob: float = 1e-4) -> PossessionModel:
    """Cell frequencies of (points, duration), shrunk towards the time bucket's pooled frequencies."""
    import numpy as np

    n_t, n_m = len(TIME_EDGES) + 1, len(MARGIN_EDGES)
    counts = np.zeros((n_t, n_m, MAX_POINTS + 1, MAX_DURATION + 1))
    tb = np.asarray([time_bucket(t) for t in poss["t"]])
    mb = np.asarray([margin_bucket(m) for m in poss["margin"]])
    k = poss["points"].to_numpy(int)
    d = np.rint(poss["duration"].to_numpy(float)).astype(int).clip(1, MAX_DURATION)
    np.add.at(counts, (tb, mb, k, d), 1.0)
    cells = []
    for i in range(n_t):
        pooled = counts[i].sum(axis=0)
        pooled = pooled / max(pooled.sum(), 1.0)
        row = []
        for j in range(n_m):
            c = counts[i, j]
            p = (c + prior_count * pooled) / (c.sum() + prior_count)
            p[p < min_prob] = 0.0
            p = p / p.sum()
            row.append(
                tuple(
                    (float(p[a, b]), int(a), int(b))
                    for a in range(MAX_POINTS + 1)
                    for b in range(1, MAX_DURATION + 1)
                    if p[a, b] > 0
                )
            )
        cells.append(tuple(row))
    return PossessionModel(tuple(cells))


def solve(model: PossessionModel, overtime_tie: float = OVERTIME_TIE) -> tuple[list[list[float]], list[list[float]]]:
    """Home win probability by backward recursion: (home ball, away ball) tables indexed [seconds][margin + R].

    Home and away offenses share the possession model (the pre-game strength and home court are left to the late
    logistic); the away side's outcome is the home side's mirrored.
    """
    r = MARGIN_RANGE
    width = 2 * r + 1

    def final(m: int) -> float:
        return 1.0 if m > 0 else 0.0 if m < 0 else overtime_tie

    home: list[list[float]] = [[final(m - r) for m in range(width)]]
    away: list[list[float]] = [[final(m - r) for m in range(width)]]
    for t in range(1, MAX_SECONDS + 1):
        h_row, a_row = [0.0] * width, [0.0] * width
        for i in range(width):
            m = i - r
            h = a = 0.0
            for p, k, d in model.outcomes(t, m):  # home has the ball, leads by m
                mi = min(i + k, width - 1)
                h += p * (final(mi - r) if d >= t else away[t - d][mi])
            for p, k, d in model.outcomes(t, -m):  # away has the ball, leads by -m
                mi = max(i - k, 0)
                a += p * (final(mi - r) if d >= t else home[t - d][mi])
            h_row[i], a_row[i] = h, a
        home.append(h_row)
        away.append(a_row)
    return home, away


@dataclass(frozen=True)
class MarkovTable:
    """The solved recursion: home win probability by (seconds left, margin) with the home side on the ball.

    The away side's table is the mirror (same possession model, overtime at even odds): P(away ball, m) =
    1 - P(home ball, -m), so only one is stored. ``possession_trust`` is the weight of the tracker's possession
    against the other side's: the tracker keeps the ball with the shooter after a miss until the rebound (about
    three in four go to the defence), so its possession is not always the next possession's offense; the weight
    is fitted on the training states (:func:`fit_possession_trust`).
    """

    home_ball: tuple[tuple[float, ...], ...]  # [seconds 0..MAX_SECONDS][margin + MARGIN_RANGE]
    possession_trust: float = 1.0

    @classmethod
    def fit(cls, poss: Any) -> MarkovTable:
        home, _ = solve(fit_possessions(poss))
        return cls(tuple(tuple(r) for r in home))

    def sides(self, margin: float, seconds_left: float) -> tuple[float, float]:
        """(home ball, away ball) home win probability; seconds interpolated linearly, margins clipped."""
        t = min(max(seconds_left, 0.0), float(MAX_SECONDS))
        lo = int(t)
        hi = min(lo + 1, MAX_SECONDS)
        w = t - lo
        i = int(min(max(round(margin), -MARGIN_RANGE), MARGIN_RANGE)) + MARGIN_RANGE
        j = 2 * MARGIN_RANGE - i
        table = self.home_ball
        home = (1.0 - w) * table[lo][i] + w * table[hi][i]
        away = 1.0 - ((1.0 - w) * table[lo][j] + w * table[hi][j])
        return home, away

    def prob(self, margin: float, seconds_left: float, possession: float) -> float:
        """Home win probability; an unknown possession (0) averages the two sides."""
        home, away = self.sides(margin, seconds_left)
        r = 0.5 + (self.possession_trust - 0.5) * max(min(possession, 1.0), -1.0)  # home ball's weight
        return r * home + (1.0 - r) * away

    def logit(self, margin: float, seconds_left: float, possession: float, eps: float = 1e-4) -> float:
        p = min(max(self.prob(margin, seconds_left, possession), eps), 1.0 - eps)
        return math.log(p / (1.0 - p))

    def with_trust(self, trust: float) -> MarkovTable:
        return MarkovTable(self.home_ball, trust)

    def as_dict(self, digits: int = 4) -> dict[str, Any]:
        return {
            "max_seconds": MAX_SECONDS,
            "margin_range": MARGIN_RANGE,
            "possession_trust": self.possession_trust,
            "home_ball": [[round(v, digits) for v in r] for r in self.home_ball],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MarkovTable:
        if int(d["max_seconds"]) != MAX_SECONDS or int(d["margin_range"]) != MARGIN_RANGE:
            raise ValueError(f"Markov table shape {d['max_seconds']}/{d['margin_range']} is not this code's")
        return cls(tuple(tuple(map(float, r)) for r in d["home_ball"]), float(d["possession_trust"]))


def fit_possession_trust(table: MarkovTable, states: Any, grid_step: float = 0.025) -> MarkovTable:
    """The table with the possession weight (0.5..1) of lowest Brier on the given late training states."""
    import numpy as np

    sides = np.asarray([table.sides(m, t) for m, t in zip(states["margin"], states["seconds_left"], strict=True)])
    poss = states["home_possession"].to_numpy(float).clip(-1.0, 1.0)
    y = states["home_win"].to_numpy(float)
    best, best_brier = 1.0, math.inf
    for r in np.arange(0.5, 1.0 + 1e-9, grid_step):
        w = 0.5 + (r - 0.5) * poss
        brier = float(np.mean((w * sides[:, 0] + (1 - w) * sides[:, 1] - y) ** 2))
        if brier < best_brier:
            best, best_brier = float(r), brier
    return table.with_trust(round(best, 3))
