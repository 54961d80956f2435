"""Batch computation of pre-game features over a history of final scores (the backfill's core).

Walks games in time order, emitting for each game the features as they stood before tip-off, then applying its
result with the same :mod:`courtside.features.pregame` code the stream handler uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from courtside.features.pregame import TeamState, apply_final, carry_into_season, pregame_features
from courtside.ratings import elo
from courtside.teams import franchise_of


@dataclass
class LeagueBook:
    """Mutable book of every franchise's state plus the league state, as the online store holds it."""

    cfg: elo.EloConfig = field(default_factory=elo.EloConfig)
    teams: dict[str, TeamState] = field(default_factory=dict)
    league: elo.LeagueRating | None = None

    def __post_init__(self) -> None:
        if self.league is None:
            self.league = elo.LeagueRating(hca=self.cfg.initial_hca)

    def state(self, code: str, season: int) -> TeamState:
        franchise = franchise_of(code)
        current = self.teams.get(franchise) or TeamState(elo.new_team(franchise, season, self.cfg))
        return carry_into_season(current, season, self.cfg)

    def features(self, home: str, away: str, season: int, game_date: str, neutral: bool) -> dict[str, float]:
        assert self.league is not None
        return pregame_features(
            self.state(home, season), self.state(away, season), self.league, game_date, neutral
        )

    def apply(self, game: Mapping[str, Any], as_of: str) -> None:
        """Apply one final score (a games-file row or a `game_final` payload)."""
        assert self.league is not None
        season = int(game["season"])
        home, away = self.state(game["home_team"], season), self.state(game["away_team"], season)
        outcome = elo.GameOutcome(season, int(game["home_score"]), int(game["away_score"]), bool(game["neutral"]))
        new_home, new_away, self.league = apply_final(
            home, away, self.league, outcome, str(game["date"])[:10], as_of, self.cfg
        )
        self.teams[new_home.team] = new_home
        self.teams[new_away.team] = new_away


def pregame_rows(games: Iterable[Mapping[str, Any]], book: LeagueBook | None = None) -> Iterator[dict[str, Any]]:
    """Yield one row per game: identifiers, pre-game features and the label; then apply the game's result.

    `games` must be in time order. Games on the same date see each other's results only if they come earlier in
    the iteration, exactly as a stream would deliver them; callers that need strict date cut-offs group by date.
    """
    book = book or LeagueBook()
    for game in games:
        date = str(game["date"])[:10]
        feats = book.features(game["home_team"], game["away_team"], int(game["season"]), date,
                              bool(game["neutral"]))
        yield {
            "game_key": game["game_key"],
            "date": date,
            "season": int(game["season"]),
            "home_team": game["home_team"],
            "away_team": game["away_team"],
            "is_playoff": bool(game.get("is_playoff", False)),
            **feats,
            "home_win": int(game["home_score"] > game["away_score"]),
        }
        book.apply(game, as_of=f"{date}T23:59:59Z")
