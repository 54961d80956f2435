"""The feature registry (practice 20): every feature defined once, with its metadata and its transformation.

Why here and not in a service: the definitions must sit next to the code that computes them so a new feature
cannot ship without an owner, a TTL and a freshness SLA; `courtside features list` prints this table and
docs/features.md explains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from courtside.features.live import LEAGUE_SECONDS_PER_POSSESSION, LIVE_FEATURE_NAMES, PACE_PRIOR_SECONDS
from courtside.features.online_items import LIVE_TTL_SECONDS, SCHEDULE_TTL_SECONDS, TEAM_TTL_SECONDS
from courtside.features.pregame import EXTENDED_FEATURE_NAMES, FEATURE_NAMES

OWNER = "features"


@dataclass(frozen=True)
class FeatureDef:
    name: str
    entity: str  # team | game | player
    dtype: str
    description: str
    owner: str
    freshness_sla_s: int  # event time -> online store, at most
    ttl_s: int
    source: str  # stream | batch | stream+batch
    transformation: str  # dotted name of the callable that computes it
    in_default_model: bool = False


_PREGAME_T = "courtside.features.pregame.pregame_features"
_EXTRA_T = "courtside.features.pregame.extra_features"
_AVAIL_T = "courtside.features.players.availability"
_DESCRIPTIONS = {
    "elo_diff": "home minus away Elo rating plus the adaptive home advantage (0 at a neutral site)",
    "rest_days": "days since the team's previous game, capped at 7",
    "back_to_back": "1 when the team played the day before",
    "games_last_4_days": "games the team played in the 4 days before tip-off",
    "neutral": "1 at a neutral site",
    "form_net_rating": "mean points margin over the last 10 games",
    "form_win_rate": "win share over the last 10 games",
    "season_games": "games played this season so far (playoffs included)",
    "season_win_pct": "win share this season so far (0.5 before the first game)",
    "season_net_rating": "mean points margin this season so far",
    "travel_miles": "great-circle miles from the previous game's arena to this game's arena",
    "availability": "share of the rotation's expected minutes (top 9) whose players are listed available; 1.0 unknown",
}
_LIVE = {
    "score_margin": "home minus away points",
    "game_seconds_remaining": "seconds left in the game (overtime: in the period)",
    "period": "1-4, 5+ overtime",
    "home_possession": "+1 home ball, -1 away ball, 0 unknown (period start; loose ball from a miss to its rebound)",
    "home_team_fouls": "home team fouls in the current period",
    "away_team_fouls": "away team fouls in the current period",
    "home_in_bonus": "1 when the away team's next common foul sends home to the line (4+ team fouls, 3+ in "
    "overtime, or 1+ in the period's last two minutes)",
    "away_in_bonus": "1 when the home team's next common foul sends away to the line (same rule)",
    "scoring_run": "unanswered points, positive for a home run",
    "margin_change_2min": "change of the home margin over the last two minutes of game time",
    "timeouts_used_diff": "home minus away timeouts used this game",
    "seconds_per_possession": "game seconds per change of possession so far, shrunk towards the league's "
    f"{LEAGUE_SECONDS_PER_POSSESSION} (as if {PACE_PRIOR_SECONDS:.0f} s at that rate had been seen)",
}


def _describe(name: str) -> str:
    base = name.removeprefix("home_").removeprefix("away_")
    side = "home team: " if name.startswith("home_") else "away team: " if name.startswith("away_") else ""
    return side + _DESCRIPTIONS.get(base, base)


def _build() -> tuple[FeatureDef, ...]:
    defs = [
        FeatureDef(
            n,
            "team",
            "float",
            _describe(n),
            OWNER,
            60,
            SCHEDULE_TTL_SECONDS if n.endswith("_availability") else TEAM_TTL_SECONDS,
            "stream+batch",
            _AVAIL_T if n.endswith("_availability") else _PREGAME_T if n in FEATURE_NAMES else _EXTRA_T,
            n in FEATURE_NAMES,
        )
        for n in EXTENDED_FEATURE_NAMES
    ]
    defs += [
        FeatureDef(
            n,
            "game",
            "float",
            _LIVE[n],
            OWNER,
            5,
            LIVE_TTL_SECONDS,
            "stream+batch",
            "courtside.features.live.LiveState.apply",
        )
        for n in LIVE_FEATURE_NAMES
    ]
    defs.append(
        FeatureDef(
            "expected_minutes",
            "player",
            "float",
            "a player's expected minutes for his team (EWMA of box minutes, half-life 5 team games)",
            OWNER,
            60,
            TEAM_TTL_SECONDS,
            "stream+batch",
            "courtside.features.players.apply_box",
        )
    )
    defs.append(
        FeatureDef(
            "players_on_court_hash",
            "player",
            "float[2^14]",
            "hashed bag of player ids (hashing trick, fixed width)",
            OWNER,
            5,
            LIVE_TTL_SECONDS,
            "stream+batch",
            "courtside.features.hashing.hash_bag",
        )
    )
    defs.append(
        FeatureDef(
            "arena_hash",
            "game",
            "int",
            "hashed arena (home team code of the time)",
            OWNER,
            86400,
            TEAM_TTL_SECONDS,
            "batch",
            "courtside.features.hashing.hash_index",
        )
    )
    return tuple(defs)


REGISTRY: tuple[FeatureDef, ...] = _build()
BY_NAME: dict[str, FeatureDef] = {f.name: f for f in REGISTRY}


def get(name: str) -> FeatureDef:
    return BY_NAME[name]
