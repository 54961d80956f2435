"""Batch computation of pre-game features over a history of final scores (the backfill's core).

Walks games in time order, emitting for each game the features as they stood before tip-off, then applying its
result with the same :mod:`courtside.features.pregame` code the stream handler uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtside.features import players as player_state
from courtside.features.pregame import (
    TeamState,
    apply_final,
    carry_into_season,
    extended_features,
    pregame_features,
)
from courtside.ratings import elo
from courtside.teams import franchise_of, to_bref

Available = tuple[Sequence[int] | None, Sequence[int] | None]  # (home, away) player ids listed as available


@dataclass
class LeagueBook:
    """Mutable book of every franchise's state plus the league state, as the online store holds it.

    `players` holds each franchise's player availability state (:mod:`courtside.features.players`).
    """

    cfg: elo.EloConfig = field(default_factory=elo.EloConfig)
    teams: dict[str, TeamState] = field(default_factory=dict)
    league: elo.LeagueRating | None = None
    players: dict[str, player_state.PlayersState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.league is None:
            self.league = elo.LeagueRating(hca=self.cfg.initial_hca)

    def state(self, code: str, season: int) -> TeamState:
        franchise = franchise_of(code)
        current = self.teams.get(franchise) or TeamState(elo.new_team(franchise, season, self.cfg))
        return carry_into_season(current, season, self.cfg)

    def availability(self, code: str, available: Sequence[int] | None) -> float:
        """Share of the franchise's rotation minutes listed as available (1.0 when unknown)."""
        return player_state.availability(self.players.get(franchise_of(to_bref(code))), available)

    def features(
        self,
        home: str,
        away: str,
        season: int,
        game_date: str,
        neutral: bool,
        extended: bool = False,
        available: Available = (None, None),
    ) -> dict[str, float]:
        """FEATURE_NAMES (or EXTENDED_FEATURE_NAMES with `extended`) as they stand now."""
        assert self.league is not None
        h, a = self.state(home, season), self.state(away, season)
        h_av, a_av = self.availability(home, available[0]), self.availability(away, available[1])
        if extended:
            return extended_features(h, a, self.league, game_date, neutral, home, h_av, a_av)
        return pregame_features(h, a, self.league, game_date, neutral, h_av, a_av)

    def apply_box(self, line: Mapping[str, Any], game_id: str) -> None:
        """Fold one player's box line (a `player_box` payload: team, player_id, minutes) into his team's state."""
        team = franchise_of(to_bref(str(line["team"])))
        current = self.players.get(team) or player_state.empty()
        self.players[team] = player_state.apply_box(current, line, game_id)

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


def available_from_box(lines: Sequence[Mapping[str, Any]], home: str, away: str) -> Available:
    """(home, away) player ids who played: the historical stand-in for the pre-game availability list.

    A side without any line is unknown (None -> availability 1.0), never "nobody available".
    """
    h, a = franchise_of(to_bref(home)), franchise_of(to_bref(away))
    side: dict[str, list[int]] = {}
    for ln in lines:
        side.setdefault(franchise_of(to_bref(str(ln["team"]))), []).append(int(ln["player_id"]))
    return side.get(h), side.get(a)


def pregame_rows(
    games: Iterable[Mapping[str, Any]],
    book: LeagueBook | None = None,
    extended: bool = False,
    box: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one row per game: identifiers, pre-game features and the label; then apply the game's result.

    `box` maps a game key to its `player_box` payloads (team, player_id, minutes): the game's availability is
    who played (as a `game_scheduled` list would say), and after the result the lines update the players' state,
    the order in which the stream delivers game_scheduled, game_final, then player_box.

    `games` must be in time order. Games on the same date see each other's results only if they come earlier in
    the iteration, exactly as a stream would deliver them; callers that need strict date cut-offs group by date.
    With `extended`, rows carry EXTENDED_FEATURE_NAMES and `features_as_of` (the league's as_of before the game:
    the event time of the newest result the features reflect, "" before the first game).
    """
    book = book or LeagueBook()
    box = box or {}
    for game in games:
        date = str(game["date"])[:10]
        lines = box.get(str(game["game_key"]), ())
        feats = book.features(
            game["home_team"],
            game["away_team"],
            int(game["season"]),
            date,
            bool(game["neutral"]),
            extended=extended,
            available=available_from_box(lines, game["home_team"], game["away_team"]) if lines else (None, None),
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
        for line in lines:
            book.apply_box(line, str(game["game_key"]))
