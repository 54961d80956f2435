"""LeagueBook <-> JSON, for resumable backfills (the checkpoint holds the book after the last finished season)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from courtside.features.history import LeagueBook
from courtside.features.pregame import TeamState
from courtside.ratings import elo


def book_to_json(book: LeagueBook) -> str:
    assert book.league is not None
    doc: dict[str, Any] = {
        "cfg": book.cfg.model_dump(),
        "league": asdict(book.league),
        "teams": {code: asdict(state) for code, state in sorted(book.teams.items())},
        "players": dict(sorted(book.players.items())),
    }
    return json.dumps(doc, separators=(",", ":"))


def book_from_json(text: str | bytes) -> LeagueBook:
    doc = json.loads(text)
    teams: dict[str, TeamState] = {}
    for code, st in doc["teams"].items():
        rating = elo.TeamRating(**st.pop("rating"))
        st["recent_dates"] = tuple(st["recent_dates"])
        st["recent_margins"] = tuple(st["recent_margins"])
        teams[code] = TeamState(rating=rating, **st)
    return LeagueBook(
        cfg=elo.EloConfig(**doc["cfg"]),
        teams=teams,
        league=elo.LeagueRating(**doc["league"]),
        players=doc.get("players", {}),
    )


def team_log_row(state: TeamState) -> dict[str, Any]:
    """A team's game-independent feature values after a result: one row of the offline team feature log."""
    from courtside.features.pregame import form_features, season_features

    net, win = form_features(state)
    games, pct, season_net = season_features(state)
    return {
        "team": state.team,
        "event_time": state.rating.as_of,
        "season": state.rating.season,
        "elo": state.rating.rating,
        "form_net_rating": net,
        "form_win_rate": win,
        "season_games": games,
        "season_win_pct": pct,
        "season_net_rating": season_net,
        "last_game_date": state.recent_dates[-1] if state.recent_dates else "",
        "last_game": state.last_game,
    }
