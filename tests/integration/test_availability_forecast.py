"""Replay contract, optional player events (#10 item 5): availability lists and box lines move the forecast.

Through the real parts: the features handler's core (`handle_event`) writes `game_scheduled` lists and
`player_box` lines to the online store (moto server), the pre-game predictor reads them in its one batch read, and
the model is fitted by the training code's logistic fit on backfilled rows whose availability comes from box scores
(as the seeded stack's default model is).
"""

from __future__ import annotations

import pandas as pd
import pytest

from courtside.events import make_event
from courtside.features import players
from courtside.features.box_data import load_box_lines
from courtside.features.history import LeagueBook, pregame_rows
from courtside.features.pregame import FEATURE_NAMES
from courtside.models.linear import fit_logistic
from courtside.online_store import OnlineStore
from courtside.serving.model_source import StaticModelProvider
from courtside.serving.pregame import PregamePredictor
from courtside.serving.schemas import PregameRequest
from functions.features import handler as features_handler

DATE, HOME, AWAY = "2018-10-16", "BOS", "PHI"
GAME_ID = "20181016_PHI_at_BOS"


@pytest.fixture(scope="module")
def backfilled(data_dir) -> tuple[LeagueBook, object]:
    """A backfill through 2017-18 (box lines included) and a model fitted on its rows (as the seed trains)."""
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games["date"] = games["date"].astype(str).str[:10]
    history = games[(games["season"] >= 2008) & (games["season"] <= 2018)].sort_values(["date", "game_key"])
    book = LeagueBook()
    rows = pd.DataFrame(pregame_rows(history.to_dict("records"), book, box=load_box_lines(data_dir)))
    return book, fit_logistic(rows[rows["season"] >= 2010], FEATURE_NAMES)


@pytest.fixture()
def seeded(aws, backfilled) -> tuple[PregamePredictor, OnlineStore]:
    """The online store seeded from the backfill and a predictor serving the fitted model."""
    features_handler.reset_cache()
    book, model = backfilled
    store = OnlineStore()
    store.write_book(book)
    return PregamePredictor(store=store, provider=StaticModelProvider(model, "test/availability")), store


def schedule(home_players: list[int] | None, away_players: list[int] | None, at: str) -> dict:
    payload = {"season": 2019, "date": DATE, "home_team": HOME, "away_team": AWAY, "neutral": False}
    payload |= {"is_playoff": False, "home_players": home_players, "away_players": away_players}
    return make_event("game_scheduled", GAME_ID, at, payload)


def forecast(predictor: PregamePredictor) -> dict:
    return predictor.predict(PregameRequest(date=DATE, home_team=HOME, away_team=AWAY))


def test_missing_best_players_lower_the_team_forecast(seeded) -> None:
    predictor, store = seeded
    home_rot = [int(p) for p, _ in players.rotation(store.get_players_state(HOME))]
    away_rot = [int(p) for p, _ in players.rotation(store.get_players_state(AWAY))]
    unknown = forecast(predictor)
    assert unknown["features"]["home_availability"] == unknown["features"]["away_availability"] == 1.0

    assert features_handler.handle_event(schedule(home_rot, away_rot, "2018-10-15T12:00:00Z"), store) == "applied"
    full = forecast(predictor)
    assert full["features"]["home_availability"] == full["features"]["away_availability"] == 1.0

    # injury report: the home team's three most-used players are out
    later = schedule(home_rot[3:], away_rot, "2018-10-16T17:00:00Z")
    assert features_handler.handle_event(later, store) == "applied"
    assert features_handler.handle_event(schedule(home_rot, away_rot, "2018-10-15T13:00:00Z"), store) == "stale"
    short_home = forecast(predictor)
    assert short_home["features"]["home_availability"] < 0.75
    assert short_home["home_win_probability"] < full["home_win_probability"] - 0.02

    # and the away team's instead: the home side's chances go up
    assert features_handler.handle_event(schedule(home_rot, away_rot[3:], "2018-10-16T18:00:00Z"), store) == "applied"
    short_away = forecast(predictor)
    assert short_away["features"]["away_availability"] < 0.75
    assert short_away["home_win_probability"] > full["home_win_probability"] + 0.02


def test_player_box_events_update_the_rotation(seeded) -> None:
    _, store = seeded
    before = store.get_players_state(HOME)
    newcomer = 9_999_001  # a player the team never used, who then plays 40 minutes
    lines = [{"player_id": newcomer, "player_name": "New Guy", "team": HOME, "minutes": 40.0}]
    lines += [
        {"player_id": int(p), "player_name": f"p{p}", "team": HOME, "minutes": 5.0}
        for p, _ in players.rotation(before)[:4]
    ]
    events = [make_event("player_box", GAME_ID, f"{DATE}T23:59:59Z", ln, seq=i) for i, ln in enumerate(lines)]
    assert [features_handler.handle_event(ev, store) for ev in events] == ["applied"] * len(events)
    assert features_handler.handle_event(events[0], store) == "duplicate"  # a redelivered line changes nothing
    after = store.get_players_state(HOME)
    assert after["t"] == before["t"] + 1 and after["r"][-1] == GAME_ID
    assert after["p"][str(newcomer)][0] == 40.0
    assert str(newcomer) in dict(players.rotation(after))
    for pid, expected in players.rotation(before)[:4]:
        assert after["p"][pid][0] < expected  # 5 minutes tonight lowers their expected minutes


def test_reseed_wins_over_a_warm_handler_cache(seeded, backfilled) -> None:
    """A features container that cached the state it wrote must not overwrite a later authoritative backfill."""
    _, store = seeded
    book, _ = backfilled
    line = {"player_id": 9_999_002, "player_name": "A", "team": HOME, "minutes": 30.0}
    ev = make_event("player_box", GAME_ID, f"{DATE}T23:59:59Z", line)
    assert features_handler.handle_event(ev, store) == "applied"  # the handler now caches BOS's state
    store.write_book(book)  # reseeded: the line above is gone from the store
    other = {"player_id": 9_999_003, "player_name": "B", "team": HOME, "minutes": 20.0}
    ev2 = make_event("player_box", GAME_ID, f"{DATE}T23:59:59Z", other, seq=1)
    assert features_handler.handle_event(ev2, store) == "applied"
    after = store.get_players_state(HOME)
    after.pop("n")
    assert after == players.apply_box(book.players[HOME], other, GAME_ID)  # built on the reseeded state
