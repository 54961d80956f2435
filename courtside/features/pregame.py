"""Pre-game team state and the pre-game feature vector.

One function, :func:`pregame_features`, turns (home state, away state, league state, date, neutral) into the
model's inputs. The batch backfill, the features handler and the predict handler all call it, so training and
serving cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date as Date

from courtside.ratings import elo

RECENT_GAMES_KEPT = 4
MAX_REST_DAYS = 7  # rest beyond a week adds nothing and season openers would otherwise dominate the scale

FEATURE_NAMES: tuple[str, ...] = (
    "elo_diff",
    "home_rest_days",
    "away_rest_days",
    "home_back_to_back",
    "away_back_to_back",
    "home_games_last_4_days",
    "away_games_last_4_days",
    "neutral",
)


@dataclass(frozen=True, slots=True)
class TeamState:
    """Everything the pre-game features need to know about one franchise."""

    rating: elo.TeamRating
    recent_dates: tuple[str, ...] = ()  # ISO dates of the latest games, oldest first

    @property
    def team(self) -> str:
        return self.rating.team


def _days_between(earlier: str, later: str) -> int:
    return (Date.fromisoformat(later[:10]) - Date.fromisoformat(earlier[:10])).days


def schedule_features(state: TeamState, game_date: str) -> tuple[float, float, float]:
    """(rest days capped at a week, back-to-back flag, games in the 4 days before `game_date`)."""
    if not state.recent_dates:
        return float(MAX_REST_DAYS), 0.0, 0.0
    rest = min(_days_between(state.recent_dates[-1], game_date), MAX_REST_DAYS)
    recent = sum(1 for d in state.recent_dates if 0 < _days_between(d, game_date) <= 4)
    return float(rest), float(rest <= 1), float(recent)


def pregame_features(
    home: TeamState, away: TeamState, league: elo.LeagueRating, game_date: str, neutral: bool
) -> dict[str, float]:
    """The model inputs for one game, from states that reflect only results before `game_date`."""
    h_rest, h_b2b, h_recent = schedule_features(home, game_date)
    a_rest, a_b2b, a_recent = schedule_features(away, game_date)
    return {
        "elo_diff": elo.rating_diff(home.rating, away.rating, league, neutral),
        "home_rest_days": h_rest,
        "away_rest_days": a_rest,
        "home_back_to_back": h_b2b,
        "away_back_to_back": a_b2b,
        "home_games_last_4_days": h_recent,
        "away_games_last_4_days": a_recent,
        "neutral": float(neutral),
    }


def carry_into_season(state: TeamState, season: int, cfg: elo.EloConfig) -> TeamState:
    return replace(state, rating=elo.for_season(state.rating, season, cfg))


def apply_final(
    home: TeamState,
    away: TeamState,
    league: elo.LeagueRating,
    outcome: elo.GameOutcome,
    game_date: str,
    as_of: str,
    cfg: elo.EloConfig,
) -> tuple[TeamState, TeamState, elo.LeagueRating]:
    """New states after a final score (inputs already carried into the game's season)."""
    new_home, new_away, new_league = elo.update(home.rating, away.rating, league, outcome, as_of, cfg)
    return (
        TeamState(new_home, (*home.recent_dates, game_date)[-RECENT_GAMES_KEPT:]),
        TeamState(new_away, (*away.recent_dates, game_date)[-RECENT_GAMES_KEPT:]),
        new_league,
    )
