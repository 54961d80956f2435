"""Live in-game features from play-by-play: one pure, incremental update per event.

Why one frozen state and one `apply`: the features handler (one event at a time, state in DynamoDB) and the batch
path (a loop over a game's events) call the same :meth:`LiveState.apply`, so live training rows and served values
are the same numbers. The update is plain attribute arithmetic (no pandas, no regex) to stay far below the 20 µs
per-event budget.

Payload fields read (courtside.events.Pbp): `event_num`, `period`, `clock_seconds`, `event_code` (EVENTMSGTYPE),
`action_code`, `home_score`/`away_score` (set on scoring events), `team` (bref code of the primary player).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from courtside.teams import to_bref

REGULATION_PERIODS = 4
PERIOD_SECONDS = 720.0
OT_SECONDS = 300.0
BONUS_FOULS = 5  # the fifth team foul of a quarter puts the opponent in the penalty

MADE, MISS, FREE_THROW, REBOUND, TURNOVER, FOUL, START_PERIOD, END_PERIOD = 1, 2, 3, 4, 5, 6, 12, 13
# Foul action codes that do not count toward the team-foul penalty (offensive, technicals, flagrants, ...).
NON_TEAM_FOULS = frozenset({4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29, 30})
LAST_FREE_THROW_ACTIONS = frozenset({10, 12, 15, 16, 17, 19, 20, 22})  # 1 of 1, 2 of 2, 3 of 3, technicals, ...

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
    possession: int = 0  # +1 home, -1 away, 0 unknown
    home_fouls: int = 0  # team fouls in the current period
    away_fouls: int = 0
    run: int = 0  # unanswered points: positive = home run, negative = away run
    events: int = 0
    last_event_num: int = -1

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

    def apply(self, p: Mapping[str, Any]) -> LiveState:
        """The state after one pbp payload (pure; unknown codes only advance the clock and the counters)."""
        code = p.get("event_code", 0)
        period = p.get("period") or self.period
        clock = p.get("clock_seconds")
        clock = self.clock if clock is None else float(clock)
        hs, aws = p.get("home_score"), p.get("away_score")
        home_score = self.home_score if hs is None else hs
        away_score = self.away_score if aws is None else aws
        possession, run = self.possession, self.run
        home_fouls, away_fouls = self.home_fouls, self.away_fouls
        if period != self.period:
            home_fouls = away_fouls = 0
        side = self.side(p.get("team"))
        scored_home, scored_away = home_score - self.home_score, away_score - self.away_score
        if scored_home > 0:
            run = run + scored_home if run >= 0 else scored_home
        if scored_away > 0:
            run = run - scored_away if run <= 0 else -scored_away
        if code == MADE:
            possession = -side
        elif code == REBOUND or (code == MISS and side == 0):
            possession = side if side else possession
        elif code == TURNOVER:
            possession = -side
        elif code == FREE_THROW:
            if p.get("action_code", 0) in LAST_FREE_THROW_ACTIONS and (scored_home > 0 or scored_away > 0):
                possession = -side
        elif code == FOUL and p.get("action_code", 0) not in NON_TEAM_FOULS:
            if side == 1:
                home_fouls += 1
            elif side == -1:
                away_fouls += 1
        elif code == START_PERIOD:
            possession = 0
            clock = OT_SECONDS if period > REGULATION_PERIODS and p.get("clock_seconds") is None else clock
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
            p.get("event_num", self.last_event_num),
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

    def features(self) -> dict[str, float]:
        """LIVE_FEATURE_NAMES values (margin and run from the home side)."""
        return {
            "score_margin": float(self.home_score - self.away_score),
            "game_seconds_remaining": self.game_seconds_remaining,
            "period": float(self.period),
            "home_possession": float(self.possession),
            "home_team_fouls": float(self.home_fouls),
            "away_team_fouls": float(self.away_fouls),
            "home_in_bonus": float(self.away_fouls >= BONUS_FOULS),
            "away_in_bonus": float(self.home_fouls >= BONUS_FOULS),
            "scoring_run": float(self.run),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LiveState:
        return cls(**{k: d[k] for k in cls.__slots__ if k in d})  # type: ignore[attr-defined]


def pbp_payload_from_row(row: Mapping[str, Any], home: str) -> dict[str, Any]:
    """A stats.nba.com PlayByPlayV2 row as a `pbp` payload (the batch path's input; mirrors courtside.sources).

    `SCORE` is "away - home" and set only on scoring rows; `PCTIMESTRING` is "MM:SS" left in the period.
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
    return payload
