"""Elo ratings for NBA franchises with margin of victory, an adaptive home advantage and season regression.

Why these choices (see ../shared/docs/MODELLING_NOTES.md): FiveThirtyEight's settings (K=20, MOV multiplier,
regression of 1/4 toward 1505 between seasons) reproduce their published forecast; letting home-court advantage
adapt after every non-neutral game was the largest single gain, because it shrank over the decades.

Everything here is a pure function of small immutable states, so the stream (one `game_final` at a time, state in
DynamoDB) and the batch backfill (a loop over history) produce identical numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pydantic import BaseModel


class EloConfig(BaseModel):
    """Elo hyper-parameters. Flat optima except `hca_learning_rate` (see MODELLING_NOTES)."""

    k: float = 20.0
    initial_rating: float = 1300.0
    league_mean: float = 1505.0
    season_regression: float = 0.25
    initial_hca: float = 100.0
    hca_learning_rate: float = 0.5
    mov_offset: float = 3.0
    mov_exponent: float = 0.8


@dataclass(frozen=True, slots=True)
class TeamRating:
    """One franchise's rating after its latest game."""

    team: str
    rating: float
    season: int
    games: int = 0
    as_of: str = ""  # ISO event time of the newest result reflected


@dataclass(frozen=True, slots=True)
class LeagueRating:
    """League-wide state: the current home-court advantage in Elo points."""

    hca: float
    games: int = 0
    as_of: str = ""


@dataclass(frozen=True, slots=True)
class GameOutcome:
    season: int
    home_score: int
    away_score: int
    neutral: bool = False


def win_probability(rating_diff: float) -> float:
    """Elo expected score for a side `rating_diff` points stronger (home advantage already included)."""
    return 1.0 / (1.0 + 10.0 ** (-rating_diff / 400.0))


def new_team(team: str, season: int, cfg: EloConfig) -> TeamRating:
    return TeamRating(team=team, rating=cfg.initial_rating, season=season)


def for_season(team: TeamRating, season: int, cfg: EloConfig) -> TeamRating:
    """The rating carried into `season`: regressed toward the league mean once per new season."""
    if season <= team.season:
        return team
    regressed = cfg.league_mean + (1.0 - cfg.season_regression) * (team.rating - cfg.league_mean)
    return replace(team, rating=regressed, season=season)


def home_edge(league: LeagueRating, neutral: bool) -> float:
    return 0.0 if neutral else league.hca


def rating_diff(home: TeamRating, away: TeamRating, league: LeagueRating, neutral: bool) -> float:
    """Home minus away rating including home advantage: the Elo model's single pre-game input."""
    return home.rating - away.rating + home_edge(league, neutral)


def mov_multiplier(margin: int, winner_diff: float, cfg: EloConfig) -> float:
    """FiveThirtyEight's margin-of-victory multiplier, damped for favourites to limit autocorrelation."""
    return (abs(margin) + cfg.mov_offset) ** cfg.mov_exponent / (7.5 + 0.006 * winner_diff)


def update(
    home: TeamRating,
    away: TeamRating,
    league: LeagueRating,
    game: GameOutcome,
    as_of: str,
    cfg: EloConfig,
) -> tuple[TeamRating, TeamRating, LeagueRating]:
    """Apply one final score. Inputs must already be carried into the game's season (:func:`for_season`)."""
    diff = rating_diff(home, away, league, game.neutral)
    p_home = win_probability(diff)
    margin = game.home_score - game.away_score
    result = 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5
    winner_diff = diff if margin > 0 else -diff
    shift = cfg.k * mov_multiplier(margin, winner_diff, cfg) * (result - p_home)
    if not math.isfinite(shift):
        raise ValueError(f"non-finite Elo shift for {home.team} v {away.team}")
    new_home = TeamRating(home.team, home.rating + shift, game.season, home.games + 1, as_of)
    new_away = TeamRating(away.team, away.rating - shift, game.season, away.games + 1, as_of)
    hca = league.hca
    if not game.neutral:
        hca += cfg.hca_learning_rate * (result - p_home)
    return new_home, new_away, LeagueRating(hca=hca, games=league.games + 1, as_of=max(as_of, league.as_of))
