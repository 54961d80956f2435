"""Batch computation of pre-game features over a history of final scores (the backfill's core).

Walks games in time order, emitting for each game the features as they stood before tip-off, then applying its
result with the same :mod:`courtside.features.pregame` code the stream handler uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from courtside.features.pregame import (
    TeamState,
    apply_final,
    carry_into_season,
    extended_features,
    pregame_features,
)
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

    def features(
        self, home: str, away: str, season: int, game_date: str, neutral: bool, extended: bool = False
    ) -> dict[str, float]:
        """FEATURE_NAMES (or EXTENDED_FEATURE_NAMES with `extended`) as they stand now."""
        assert self.league is not None
        h, a = self.state(home, season), self.state(away, season)
        if extended:
            return extended_features(h, a, self.league, game_date, neutral, venue=home)
        return pregame_features(h, a, self.league, game_date, neutral)

    def apply(self, game: Mapping[str, Any], as_of: str, game_id: str | None = None) -> None:
        """Apply one final score (a games-file row or a `game_final` payload)."""
        assert self.league is not None
        season = int(game["season"])
        home, away = self.state(game["home_team"], season), self.state(game["away_team"], season)
        outcome = elo.GameOutcome(season, int(game["home_score"]), int(game["away_score"]), bool(game["neutral"]))
        gid = game_id or str(game.get("game_key") or game.get("game_id") or "")
        new_home, new_away, self.league = apply_final(
            home,
            away,
            self.league,
            outcome,
            str(game["date"])[:10],
            as_of,
            self.cfg,
            venue=str(game["home_team"]),
            game_id=gid,
        )
        self.teams[new_home.team] = new_home
        self.teams[new_away.team] = new_away


def final_as_of(game_date: str) -> str:
    """Event time stamped on a historical result whose finishing time is unknown: the end of its day (UTC).

    The stream replay of history uses the same stamp, so batch and stream states carry identical `as_of`.
    """
    return f"{str(game_date)[:10]}T23:59:59Z"


def pregame_rows(
    games: Iterable[Mapping[str, Any]], book: LeagueBook | None = None, extended: bool = False
) -> Iterator[dict[str, Any]]:
    """Yield one row per game: identifiers, pre-game features and the label; then apply the game's result.

    `games` must be in time order. Games on the same date see each other's results only if they come earlier in
    the iteration, exactly as a stream would deliver them; callers that need strict date cut-offs group by date.
    With `extended`, rows carry EXTENDED_FEATURE_NAMES and `features_as_of` (the league's as_of before the game:
    the event time of the newest result the features reflect, "" before the first game).
    """
    book = book or LeagueBook()
    for game in games:
        date = str(game["date"])[:10]
        feats = book.features(
            game["home_team"], game["away_team"], int(game["season"]), date, bool(game["neutral"]), extended=extended
        )
        if extended:
            assert book.league is not None
            feats["features_as_of"] = book.league.as_of  # type: ignore[assignment]
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
        book.apply(game, as_of=final_as_of(date))
