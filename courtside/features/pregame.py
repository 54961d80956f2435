"""Pre-game team state and the pre-game feature vector.

One function, :func:`pregame_features`, turns (home state, away state, league state, date, neutral) into the
model's inputs. The batch backfill, the features handler and the predict handler all call it, so training and
serving cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date as Date
from functools import lru_cache

from courtside.features.arenas import travel_miles
from courtside.ratings import elo

RECENT_GAMES_KEPT = 4
MAX_REST_DAYS = 7  # rest beyond a week adds nothing and season openers would otherwise dominate the scale
FORM_GAMES = 10  # rolling-form window (last N results, across season boundaries)

FEATURE_NAMES: tuple[str, ...] = (
    "elo_diff",
    "home_rest_days",
    "away_rest_days",
    "home_back_to_back",
    "away_back_to_back",
    "home_games_last_4_days",
    "away_games_last_4_days",
    "neutral",
    "home_availability",
    "away_availability",
)

# Extra features for experiments and analysts. Not in the default model: MODELLING_NOTES measured that form adds
# almost nothing over a good Elo, and every feature in FEATURE_NAMES is a feature serving must provide.
EXTRA_FEATURE_NAMES: tuple[str, ...] = (
    "home_form_net_rating",
    "away_form_net_rating",
    "home_form_win_rate",
    "away_form_win_rate",
    "home_season_games",
    "away_season_games",
    "home_season_win_pct",
    "away_season_win_pct",
    "home_season_net_rating",
    "away_season_net_rating",
    "home_travel_miles",
    "away_travel_miles",
)
EXTENDED_FEATURE_NAMES: tuple[str, ...] = FEATURE_NAMES + EXTRA_FEATURE_NAMES


@dataclass(frozen=True, slots=True)
class TeamState:
    """Everything the pre-game features need to know about one franchise."""

    rating: elo.TeamRating
    recent_dates: tuple[str, ...] = ()  # ISO dates of the latest games, oldest first
    recent_margins: tuple[int, ...] = ()  # own minus opponent points of the last FORM_GAMES games, oldest first
    season_games: int = 0  # season-to-date counters, reset when the state is carried into a new season
    season_wins: int = 0
    season_points_for: int = 0
    season_points_against: int = 0
    last_venue: str = ""  # team code (of the time) whose arena hosted the latest game; "" = neutral or unknown
    last_game: str = ""  # id of the latest game applied: makes a replayed duplicate result detectable

    @property
    def team(self) -> str:
        return self.rating.team


@lru_cache(maxsize=4096)
def _day_number(iso: str) -> int:
    """Proleptic ordinal of an ISO date (or date-time) string.

    Why cached: the predict path computes schedule features for two teams per request, each from the game date and
    up to RECENT_GAMES_KEPT recent dates; the same few hundred date strings recur across requests and backfill
    rows, so each is parsed once per process (difference of ordinals == difference of dates in days)."""
    return Date.fromisoformat(iso[:10]).toordinal()


def schedule_features(state: TeamState, game_date: str) -> tuple[float, float, float]:
    """(rest days capped at a week, back-to-back flag, games in the 4 days before `game_date`)."""
    dates = state.recent_dates
    if not dates:
        return float(MAX_REST_DAYS), 0.0, 0.0
    day = _day_number(game_date)
    rest = min(day - _day_number(dates[-1]), MAX_REST_DAYS)
    recent = 0
    for d in dates:
        if 0 < day - _day_number(d) <= 4:
            recent += 1
    return float(rest), float(rest <= 1), float(recent)


def pregame_features(
    home: TeamState,
    away: TeamState,
    league: elo.LeagueRating,
    game_date: str,
    neutral: bool,
    home_availability: float = 1.0,
    away_availability: float = 1.0,
) -> dict[str, float]:
    """The model inputs for one game, from states that reflect only results before `game_date`.

    `*_availability` come from :func:`courtside.features.players.availability` (1.0 = unknown or full strength).
    """
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
        "home_availability": float(home_availability),
        "away_availability": float(away_availability),
    }


def form_features(state: TeamState) -> tuple[float, float]:
    """(mean margin, win rate) over the last FORM_GAMES results; (0, 0.5) before a team's first game."""
    m = state.recent_margins
    if not m:
        return 0.0, 0.5
    return sum(m) / len(m), sum(1.0 for x in m if x > 0) / len(m)


def season_features(state: TeamState) -> tuple[float, float, float]:
    """(games played, win pct, net points per game) season to date; win pct 0.5 before the first game."""
    g = state.season_games
    if g == 0:
        return 0.0, 0.5, 0.0
    return float(g), state.season_wins / g, (state.season_points_for - state.season_points_against) / g


def extra_features(home: TeamState, away: TeamState, venue: str, neutral: bool) -> dict[str, float]:
    """The EXTRA_FEATURE_NAMES values. `venue` is the home team's code of the time (its arena hosts the game)."""
    out: dict[str, float] = {}
    where = "" if neutral else venue
    for side, st in (("home", home), ("away", away)):
        net, win = form_features(st)
        games, pct, season_net = season_features(st)
        out[f"{side}_form_net_rating"] = net
        out[f"{side}_form_win_rate"] = win
        out[f"{side}_season_games"] = games
        out[f"{side}_season_win_pct"] = pct
        out[f"{side}_season_net_rating"] = season_net
        out[f"{side}_travel_miles"] = travel_miles(st.last_venue, where)
    return {name: out[name] for name in EXTRA_FEATURE_NAMES}


def extended_features(
    home: TeamState,
    away: TeamState,
    league: elo.LeagueRating,
    game_date: str,
    neutral: bool,
    venue: str,
    home_availability: float = 1.0,
    away_availability: float = 1.0,
) -> dict[str, float]:
    """EXTENDED_FEATURE_NAMES: the default features plus form, season-to-date and travel."""
    base = pregame_features(home, away, league, game_date, neutral, home_availability, away_availability)
    return {**base, **extra_features(home, away, venue, neutral)}


def carry_into_season(state: TeamState, season: int, cfg: elo.EloConfig) -> TeamState:
    """The state as it enters `season`: rating regressed once, season-to-date counters reset."""
    if season > state.rating.season:
        return replace(
            state,
            rating=elo.for_season(state.rating, season, cfg),
            season_games=0,
            season_wins=0,
            season_points_for=0,
            season_points_against=0,
        )
    return state


def _after_game(
    state: TeamState, rating: elo.TeamRating, game_date: str, scored: int, allowed: int, venue: str, game_id: str
) -> TeamState:
    margin = scored - allowed
    return TeamState(
        rating=rating,
        recent_dates=(*state.recent_dates, game_date)[-RECENT_GAMES_KEPT:],
        recent_margins=(*state.recent_margins, margin)[-FORM_GAMES:],
        season_games=state.season_games + 1,
        season_wins=state.season_wins + (margin > 0),
        season_points_for=state.season_points_for + scored,
        season_points_against=state.season_points_against + allowed,
        last_venue=venue,
        last_game=game_id,
    )


def apply_final(
    home: TeamState,
    away: TeamState,
    league: elo.LeagueRating,
    outcome: elo.GameOutcome,
    game_date: str,
    as_of: str,
    cfg: elo.EloConfig,
    venue: str = "",
    game_id: str = "",
) -> tuple[TeamState, TeamState, elo.LeagueRating]:
    """New states after a final score (inputs already carried into the game's season).

    `venue` is the home team's code of the time ("" for a neutral site), `game_id` the game's id (for dedup).
    """
    new_home, new_away, new_league = elo.update(home.rating, away.rating, league, outcome, as_of, cfg)
    where = "" if outcome.neutral else venue
    h, a = outcome.home_score, outcome.away_score
    return (
        _after_game(home, new_home, game_date, h, a, where, game_id),
        _after_game(away, new_away, game_date, a, h, where, game_id),
        new_league,
    )
