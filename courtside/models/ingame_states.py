"""Play-by-play events -> sampled in-game states (the training rows of the in-game model).

Why a state machine over events rather than per-event features: what decides a close game late is who has the ball,
whether the next foul sends the other side to the line (the bonus) and how many timeouts each side has left; none
of these is a column of the play-by-play, each is the running result of earlier events. One pass per game keeps
them, and a state is sampled every ``STEP_SECONDS`` of game time (every ``OT_STEP_SECONDS`` in overtime) so the
training set stays small. Sides come from ``PERSON1TYPE`` (4/2 home player/team, 5/3 away player/team), which also
covers team rebounds and team turnovers that carry no player team code.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

STEP_SECONDS = 30
OT_STEP_SECONDS = 10
PERIOD_SECONDS = 720
HOME_TYPES, AWAY_TYPES = {2, 4}, {3, 5}
LAST_FREE_THROW = {10, 12, 15}  # "1 of 1", "2 of 2", "3 of 3": a made last free throw hands the ball over
NON_TEAM_FOULS = {4, 26, 11, 12, 13, 16, 17, 18, 19, 25, 30}  # offensive and technical fouls: no team-foul count
BONUS_FOULS = 5  # the fifth team foul of a period puts the other side in the penalty
LAST_TWO_MINUTES = 120


def clock(period: int, pctime: str) -> int:
    """Seconds left in regulation (the period clock in overtime)."""
    m, s = str(pctime).split(":")
    left_in_period = int(m) * 60 + int(s)
    return left_in_period + max(4 - min(period, 4), 0) * PERIOD_SECONDS


def _side(person_type: Any) -> int:
    """+1 home, -1 away, 0 neither (neutral events, officials)."""
    try:
        t = int(person_type)
    except (TypeError, ValueError):
        return 0
    return 1 if t in HOME_TYPES else -1 if t in AWAY_TYPES else 0


class _Game:
    """Running state of one game while its events are replayed in order."""

    def __init__(self) -> None:
        self.margin = 0
        self.poss = 0.5  # P(home has the ball): unknown at tip-off
        self.period = 1
        self.fouls = {1: 0, -1: 0}  # team fouls this period
        self.late_fouls = {1: 0, -1: 0}  # team fouls in the last two minutes of this period
        self.timeouts = {1: 0, -1: 0}  # timeouts used this game
        self.history: deque[tuple[int, int]] = deque()  # (elapsed seconds, margin) over the last two minutes

    def new_period(self, period: int) -> None:
        self.period = period
        self.fouls = {1: 0, -1: 0}
        self.late_fouls = {1: 0, -1: 0}

    def apply(self, etype: int, action: int, side: int, score: Any, period_left: int) -> None:
        if isinstance(score, str) and " - " in score:
            a, h = score.split(" - ")
            self.margin = int(h) - int(a)
        if not side:
            return
        if etype in (1, 5):  # made shot / turnover: the other side gets the ball
            self.poss = 0.0 if side == 1 else 1.0
        elif etype == 4:  # rebound (player or team): the rebounder's side has it
            self.poss = 1.0 if side == 1 else 0.0
        elif etype == 3 and action in LAST_FREE_THROW and isinstance(score, str) and " - " in score:
            self.poss = 0.0 if side == 1 else 1.0
        elif etype == 6 and action not in NON_TEAM_FOULS:
            self.fouls[side] += 1
            if period_left <= LAST_TWO_MINUTES:
                self.late_fouls[side] += 1
        elif etype == 9:
            self.timeouts[side] += 1

    def in_bonus(self, side: int, period_left: int) -> float:
        """Does `side` shoot free throws on the opponent's next common foul?"""
        opp = -side
        if self.fouls[opp] >= BONUS_FOULS - 1:
            return 1.0
        return float(period_left <= LAST_TWO_MINUTES and self.late_fouls[opp] >= 1)

    def run(self, elapsed: int) -> int:
        """Margin change over the last two minutes of game time."""
        self.history.append((elapsed, self.margin))
        while self.history and self.history[0][0] < elapsed - LAST_TWO_MINUTES:
            self.history.popleft()
        return self.margin - self.history[0][1]


def states_from_pbp(pbp: Any, index: Any, pregame: Mapping[str, float] | None = None) -> Any:
    """Sampled regular-season game states with label ``home_win`` (the final result from the games index)."""
    import pandas as pd

    from courtside.teams import to_bref

    pregame = pregame or {}
    idx = index.assign(GAME_ID=index["GAME_ID"].astype(str).str.zfill(10)).set_index("GAME_ID")
    pbp = pbp.assign(GAME_ID=pbp["GAME_ID"].astype(str).str.zfill(10))
    pbp = pbp[pbp["GAME_ID"].str[:3] == "002"]
    cols = ["GAME_ID", "EVENTMSGTYPE", "EVENTMSGACTIONTYPE", "PERIOD", "PCTIMESTRING", "SCORE", "PERSON1TYPE"]
    out = []
    for gid, g in pbp[cols].groupby("GAME_ID", sort=False):
        if gid not in idx.index:
            continue
        info = idx.loc[gid]
        date = str(info["game_date"]).replace("-", "")[:8]
        key = f"{date}_{to_bref(str(info['away']))}_at_{to_bref(str(info['home']))}"
        label = int(info["home_pts"] > info["away_pts"])
        game, next_sample = _Game(), None
        for gid_, etype, action, period, pctime, score, ptype in g.itertuples(index=False, name=None):
            del gid_
            try:
                period, t = int(period), clock(int(period), pctime)
            except (ValueError, AttributeError, TypeError):
                continue
            if period != game.period:
                game.new_period(period)
                if period > 4:  # overtime restarts the clock: sample it too
                    next_sample = None
            period_left = t if period > 4 else t - (4 - period) * PERIOD_SECONDS
            game.apply(int(etype), int(action), _side(ptype), score, period_left)
            elapsed = (period - 1) * PERIOD_SECONDS + (PERIOD_SECONDS - period_left if period <= 4 else 0)
            run = game.run(elapsed)
            if next_sample is not None and t > next_sample:
                continue
            out.append(
                {
                    "game_key": key,
                    "GAME_ID": gid,
                    "period": period,
                    "seconds_left": t,
                    "margin": game.margin,
                    "possession_home": game.poss,
                    "run_2min": run,
                    "bonus_home": game.in_bonus(1, period_left),
                    "bonus_away": game.in_bonus(-1, period_left),
                    "timeouts_used_diff": game.timeouts[1] - game.timeouts[-1],
                    "pregame_prob": pregame.get(key, 0.5),
                    "home_win": label,
                }
            )
            next_sample = t - (STEP_SECONDS if period <= 4 else OT_STEP_SECONDS)
    return pd.DataFrame(out)
