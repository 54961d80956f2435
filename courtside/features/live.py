"""Live in-game state from play-by-play: one pure, incremental update per event, for serving AND training.

Why one frozen state and one `apply`: the features handler (one event at a time, state in DynamoDB), the batch
path (a loop over a game's events) and the in-game model's training states (:func:`courtside.models.ingame.
states_from_pbp`) all call the same :meth:`LiveState.apply`, so what the model was trained on and what it is served
are the same numbers (``tests/unit/test_live_skew.py`` replays real games through both paths to keep it so). The
update is plain attribute arithmetic (no pandas, no regex) to stay far below the 20 µs per-event budget.

What the state keeps beyond the score, because none of it is a column of the play-by-play: who has the ball
(made shots, turnovers and a made last free throw hand it over; a rebound, player or team, gives it to the
rebounder's side), team fouls per period and in its last two minutes (for the bonus), timeouts used, the
margin two minutes of game time ago (for the recent run), and how often the ball has changed sides (for the game's
pace: time left means more possessions left in a fast game). Overtime periods last five minutes and their foul
limit is four.

Payload fields read (courtside.events.Pbp): `event_num`, `period`, `clock_seconds`, `event_code` (EVENTMSGTYPE),
`action_code`, `home_score`/`away_score` (set on scoring events), `team` (bref code of the primary player, or of
the team for team rebounds, turnovers and timeouts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from courtside.teams import to_bref

REGULATION_PERIODS = 4
PERIOD_SECONDS = 720.0
OT_SECONDS = 300.0
BONUS_FOULS = 5  # the fifth team foul of a quarter puts the opponent in the penalty
OT_BONUS_FOULS = 4  # the fourth in an overtime period
LAST_TWO_MINUTES = 120.0  # in a period's last two minutes a side's second foul is a penalty foul
RUN_WINDOW_SECONDS = 120.0  # `margin_change_2min`: the margin's change over this much game time
# `seconds_per_possession`: game seconds per change of possession so far, shrunk towards the league rate (measured
# over every 2015-16..2017-18 regular-season game by bench/ingame_pace_validation.py) as if PACE_PRIOR_SECONDS of
# play at that rate had been seen, so the first minutes of a game say little about its pace.
LEAGUE_SECONDS_PER_POSSESSION = 15.3
PACE_PRIOR_SECONDS = 300.0

MADE, MISS, FREE_THROW, REBOUND, TURNOVER, FOUL, TIMEOUT, START_PERIOD = 1, 2, 3, 4, 5, 6, 9, 12
# Foul action codes that do not count toward the team-foul penalty (offensive, technicals, defensive 3 seconds).
NON_TEAM_FOULS = frozenset({4, 11, 12, 13, 16, 17, 18, 19, 25, 26, 30})
LAST_FREE_THROW_ACTIONS = frozenset({10, 12, 15})  # 1 of 1, 2 of 2, 3 of 3: a made one hands the ball over

LIVE_FEATURE_NAMES: tuple[str, ...] = (
    "score_margin",
    "game_seconds_remaining",
    "period",
    "home_possession",
    "home_team_fouls",
    "away_team_fouls",
    "home_in_bonus",
    "away_in_bonus",
    "scoring_run",
    "margin_change_2min",
    "timeouts_used_diff",
    "seconds_per_possession",
)


def parse_game_teams(game_id: str) -> tuple[str, str]:
    """(home, away) codes from a public game id `YYYYMMDD_AWAY_at_HOME`."""
    _, rest = game_id.split("_", 1)
    away, home = rest.split("_at_")
    return home, away


@dataclass(frozen=True, slots=True)
class LiveState:
    """A game's live state after the events applied so far (`events` of them)."""

    home: str
    away: str
    period: int = 1
    clock: float = PERIOD_SECONDS  # seconds left in the period
    home_score: int = 0
    away_score: int = 0
    possession: int = 0  # +1 home, -1 away, 0 unknown (a period's start; a loose ball from a miss to its rebound)
    home_fouls: int = 0  # team fouls in the current period
    away_fouls: int = 0
    run: int = 0  # unanswered points: positive = home run, negative = away run
    events: int = 0
    # The event numbers applied so far, as a bit set (bit n = event n). Not a high-water mark: the source numbers
    # plays out of time order (a rebound at 3:57 is 115, the layup after it at 3:47 is 114; 13.5 % of 2015-19's plays
    # arrive below the highest number seen), and a mark would drop them all. Stored as hex (`to_dict`).
    seen: int = 0
    home_late_fouls: int = 0  # team fouls in the current period's last two minutes
    away_late_fouls: int = 0
    home_timeouts: int = 0  # timeouts used this game
    away_timeouts: int = 0
    run_base: int = 0  # the margin just before the run window (RUN_WINDOW_SECONDS of game time back)
    run_marks: tuple[tuple[float, int], ...] = ()  # (elapsed game seconds, margin) of each change in the window
    possession_changes: int = 0  # changes of the side with the ball (a loose ball in between does not count)
    last_possession: int = 0  # the last known side with the ball, kept across loose balls and period starts

    @classmethod
    def for_game(cls, game_id: str) -> LiveState:
        home, away = parse_game_teams(game_id)
        return cls(home=home, away=away)

    def side(self, team: str | None) -> int:
        """+1 if `team` is the home team, -1 if away, 0 if unknown."""
        if not team:
            return 0
        if team == self.home:
            return 1
        if team == self.away:
            return -1
        code = to_bref(team)
        return 1 if code == self.home else -1 if code == self.away else 0

    def accepts(self, p: Mapping[str, Any]) -> bool:
        """False for an event already applied (by `event_num`): the stream redelivers, the source repeats rows.
        An event without a number cannot be recognised again and is accepted."""
        num = p.get("event_num")
        return num is None or not (self.seen >> int(num)) & 1

    def apply(self, p: Mapping[str, Any]) -> LiveState:
        """The state after one pbp payload (pure; unknown codes only advance the clock and the counters)."""
        code = p.get("event_code", 0)
        period = p.get("period") or self.period
        clock = p.get("clock_seconds")
        if clock is not None:
            clock = float(clock)
        elif code == START_PERIOD and period != self.period:
            clock = OT_SECONDS if period > REGULATION_PERIODS else PERIOD_SECONDS
        else:
            clock = self.clock
        hs, aws = p.get("home_score"), p.get("away_score")
        home_score = self.home_score if hs is None else hs
        away_score = self.away_score if aws is None else aws
        possession, run = self.possession, self.run
        home_fouls, away_fouls = self.home_fouls, self.away_fouls
        home_late, away_late = self.home_late_fouls, self.away_late_fouls
        home_to, away_to = self.home_timeouts, self.away_timeouts
        if period != self.period:
            home_fouls = away_fouls = home_late = away_late = 0
        side = self.side(p.get("team"))
        scored_home, scored_away = home_score - self.home_score, away_score - self.away_score
        if scored_home > 0:
            run = run + scored_home if run >= 0 else scored_home
        if scored_away > 0:
            run = run - scored_away if run <= 0 else -scored_away
        if code in (MADE, TURNOVER):
            possession = -side if side else possession
        elif code == MISS:
            possession = 0  # the ball is loose until the rebound, and about three in four go to the defence
        elif code == REBOUND:
            possession = side if side else possession
        elif code == FREE_THROW and p.get("action_code", 0) in LAST_FREE_THROW_ACTIONS:
            made = scored_home > 0 or scored_away > 0
            # a made last free throw hands the ball over; a missed one leaves it loose until the rebound
            possession = (-side if side else possession) if made else 0
        elif code == FOUL and p.get("action_code", 0) not in NON_TEAM_FOULS:
            late = clock <= LAST_TWO_MINUTES
            if side == 1:
                home_fouls += 1
                home_late += late
            elif side == -1:
                away_fouls += 1
                away_late += late
        elif code == TIMEOUT:
            if side == 1:
                home_to += 1
            elif side == -1:
                away_to += 1
        elif code == START_PERIOD:
            possession = 0
        # the recent run: margin changes inside the window, and the margin just before it
        run_base, marks = self.run_base, self.run_marks
        if marks or scored_home or scored_away:
            now = _elapsed(period, clock)
            if scored_home or scored_away:
                marks = (*marks, (now, home_score - away_score))
            start = now - RUN_WINDOW_SECONDS
            if marks[0][0] < start:
                i = 0
                while i < len(marks) and marks[i][0] < start:
                    run_base = marks[i][1]
                    i += 1
                marks = marks[i:]
        changes, last_side = self.possession_changes, self.last_possession
        if possession:
            if last_side and possession != last_side:
                changes += 1
            last_side = possession
        return LiveState(
            self.home,
            self.away,
            period,
            clock,
            home_score,
            away_score,
            possession,
            home_fouls,
            away_fouls,
            run,
            self.events + 1,
            self.seen if p.get("event_num") is None else self.seen | (1 << int(p["event_num"])),
            home_late,
            away_late,
            home_to,
            away_to,
            run_base,
            marks,
            changes,
            last_side,
        )

    def apply_all(self, payloads: Iterable[Mapping[str, Any]]) -> LiveState:
        state = self
        for p in payloads:
            state = state.apply(p)
        return state

    @property
    def game_seconds_remaining(self) -> float:
        if self.period > REGULATION_PERIODS:
            return self.clock
        return (REGULATION_PERIODS - self.period) * PERIOD_SECONDS + self.clock

    def _next_foul_shoots(self, opp_fouls: int, opp_late_fouls: int) -> bool:
        """Does the opponent's next common foul send this side to the line? (limit reached, or the last-two-minutes
        rule: a side's second foul in a period's last two minutes is a penalty foul)."""
        limit = OT_BONUS_FOULS if self.period > REGULATION_PERIODS else BONUS_FOULS
        return opp_fouls >= limit - 1 or (self.clock <= LAST_TWO_MINUTES and opp_late_fouls >= 1)

    def features(self) -> dict[str, float]:
        """LIVE_FEATURE_NAMES values (margin, possession, run and timeouts from the home side)."""
        margin = self.home_score - self.away_score
        return {
            "score_margin": float(margin),
            "game_seconds_remaining": self.game_seconds_remaining,
            "period": float(self.period),
            "home_possession": float(self.possession),
            "home_team_fouls": float(self.home_fouls),
            "away_team_fouls": float(self.away_fouls),
            "home_in_bonus": float(self._next_foul_shoots(self.away_fouls, self.away_late_fouls)),
            "away_in_bonus": float(self._next_foul_shoots(self.home_fouls, self.home_late_fouls)),
            "scoring_run": float(self.run),
            "margin_change_2min": float(margin - self.run_base),
            "timeouts_used_diff": float(self.home_timeouts - self.away_timeouts),
            "seconds_per_possession": (_elapsed(self.period, self.clock) + PACE_PRIOR_SECONDS)
            / (self.possession_changes + PACE_PRIOR_SECONDS / LEAGUE_SECONDS_PER_POSSESSION),
        }

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-safe fields; the applied event numbers as a hex string (a few hundred bits). Read field
        by field, not with `dataclasses.asdict`, whose recursive copy cost the features handler 28 us per event
        (6x the update itself)."""
        out = {name: getattr(self, name) for name in _FIELD_NAMES}
        out["seen"] = format(self.seen, "x")
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LiveState:
        """A state from `to_dict` output, also after a JSON round trip (run marks come back as lists). A state
        stored before `seen` existed (stop 20) has a high-water mark, `last_event_num`, instead: every number up to
        it counts as seen, which is what that state's dedupe assumed, so a game live across the deploy does not
        re-apply a redelivered play."""
        kw = {k: d[k] for k in cls.__slots__ if k in d}  # type: ignore[attr-defined]
        if "run_marks" in kw:
            kw["run_marks"] = tuple((float(t), int(m)) for t, m in kw["run_marks"])
        if "seen" in kw:
            kw["seen"] = int(str(kw["seen"]) or "0", 16)
        elif int(d.get("last_event_num", -1)) >= 0:
            kw["seen"] = (1 << (int(d["last_event_num"]) + 1)) - 1
        return cls(**kw)


_FIELD_NAMES = tuple(f.name for f in fields(LiveState))


def _elapsed(period: int, clock: float) -> float:
    """Game seconds played at `clock` seconds left in `period` (overtime periods are five minutes)."""
    if period > REGULATION_PERIODS:
        return REGULATION_PERIODS * PERIOD_SECONDS + (period - REGULATION_PERIODS - 1) * OT_SECONDS + OT_SECONDS - clock
    return (period - 1) * PERIOD_SECONDS + PERIOD_SECONDS - clock


def pbp_payload_from_row(row: Mapping[str, Any], home: str, away: str | None = None) -> dict[str, Any]:
    """A stats.nba.com PlayByPlayV2 row as a `pbp` payload (the batch path's input; mirrors courtside.sources).

    `SCORE` is "away - home" and set only on scoring rows; `PCTIMESTRING` is "MM:SS" left in the period. A team
    play (team rebound, team turnover, timeout) has no player team: `PERSON1TYPE` 2/3 names the home/away team,
    as the stream's producer (courtside.sources.nba_stats.pbp_event) resolves it.
    """
    mm, _, ss = str(row["PCTIMESTRING"]).partition(":")
    payload: dict[str, Any] = {
        "event_num": int(row["EVENTNUM"]),
        "period": int(row["PERIOD"]),
        "clock_seconds": float(int(mm) * 60 + int(ss or 0)),
        "event_code": int(row["EVENTMSGTYPE"]),
        "action_code": int(row["EVENTMSGACTIONTYPE"]),
    }
    score = row.get("SCORE")
    if isinstance(score, str) and "-" in score:
        away_s, home_s = score.split("-")
        payload["away_score"], payload["home_score"] = int(away_s), int(home_s)
    team = row.get("PLAYER1_TEAM_ABBREVIATION")
    if isinstance(team, str) and team:
        payload["team"] = to_bref(team)
    else:
        person = row.get("PERSON1TYPE")
        if person == 2 and home:
            payload["team"] = home
        elif person == 3 and away:
            payload["team"] = away
    return payload
