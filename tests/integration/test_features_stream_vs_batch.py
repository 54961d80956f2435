"""Replaying a season's events through the features handler gives the batch backfill's features, exactly.

The whole-season test runs the handler's core (`handle_event`, what the Lambda calls per Kinesis record) against
moto's DynamoDB in-process (`mock_aws`): the same OnlineStore calls as in AWS, without the HTTP hop of moto server,
which would add to its time. It is marked slow: ~90 s of CPU (192-361 s wall on this shared 2-core machine), over
90% of it inside moto (a deep copy of every table per TransactWriteItems and its response serialisation; profiled
with cProfile), not in the feature code.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from _live_support import OPENER, features_ctx, opening_plays
from moto import mock_aws

from courtside.aws import clients
from courtside.config import get_settings
from courtside.events import game_final_event, make_event
from courtside.features.box_data import load_box_lines
from courtside.features.history import LeagueBook, available_from_box, final_as_of, pregame_rows
from courtside.features.pregame import EXTENDED_FEATURE_NAMES
from courtside.local.bootstrap import create_resources
from courtside.local.kinesis_events import event_of
from courtside.online_store import OnlineStore
from functions.features import handler as features_handler

BOX_GAMES = 30  # the season's first games also replay availability lists and every player_box line


@pytest.fixture()
def games(data_dir) -> pd.DataFrame:
    g = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    g["date"] = g["date"].astype(str).str[:10]
    return g[g["season"] >= 2015].sort_values(["date", "game_key"], kind="stable").reset_index(drop=True)


@pytest.fixture()
def inprocess_aws() -> Iterator[None]:
    """moto in-process: boto3 clients without an endpoint, Courtside's resources created as the local stack does."""
    saved = os.environ.pop("AWS_ENDPOINT_URL", None)
    clients.reset()
    features_handler.reset_cache()
    try:
        with mock_aws():
            create_resources(get_settings())
            yield
    finally:
        if saved is not None:
            os.environ["AWS_ENDPOINT_URL"] = saved
        clients.reset()
        features_handler.reset_cache()


def season_events(game: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """(before tip-off, after the final) events of one game, as a producer would put them on the stream."""
    gid, date = str(game["game_key"]), str(game["date"])
    before, after = [], [game_final_event(game)]
    if lines:
        home, away = available_from_box(lines, game["home_team"], game["away_team"])
        sched = {
            "season": int(game["season"]),
            "date": date,
            "home_team": game["home_team"],
            "away_team": game["away_team"],
            "neutral": bool(game["neutral"]),
            "is_playoff": bool(game["is_playoff"]),
            "home_players": home,
            "away_players": away,
        }
        before.append(make_event("game_scheduled", gid, f"{date}T00:00:00Z", sched))
        for i, ln in enumerate(lines):
            box = {**ln, "player_name": f"player {ln['player_id']}"}
            after.append(make_event("player_box", gid, final_as_of(date), box, seq=i))
    return before, after


@pytest.mark.slow
def test_whole_season_stream_replay_equals_batch(inprocess_aws, games: pd.DataFrame, data_dir) -> None:
    """Every 2018-19 game (regular season and playoffs): served features == backfill features, same final state."""
    history, season = games[games["season"] < 2019], games[games["season"] == 2019]
    box = load_box_lines(data_dir, set(games["game_key"]))
    season_box = {k: box[k] for k in season["game_key"].head(BOX_GAMES) if k in box}
    assert len(season_box) == BOX_GAMES and season["is_playoff"].any()

    batch_book = LeagueBook()
    list(pregame_rows(history.to_dict("records"), batch_book, box=box))
    store = OnlineStore()
    store.write_book(batch_book)  # the stack is seeded from the backfill, then the stream takes over
    batch = list(pregame_rows(season.to_dict("records"), batch_book, extended=True, box=season_box))

    store = OnlineStore()
    moved = 0
    for row, game in zip(batch, season.to_dict("records"), strict=True):
        before, after = season_events(game, season_box.get(str(game["game_key"]), []))
        assert [features_handler.handle_event(ev, store) for ev in before] == ["applied"] * len(before)
        ps = store.get_pregame_state(game["home_team"], game["away_team"], int(game["season"]), row["date"])
        online = ps.features(row["date"], bool(game["neutral"]), extended=True, venue=game["home_team"])
        assert online == {k: row[k] for k in EXTENDED_FEATURE_NAMES}, game["game_key"]
        assert ps.features_as_of == row["features_as_of"]
        moved += online["home_availability"] < 1.0 or online["away_availability"] < 1.0
        outcomes = [features_handler.handle_event(ev, store) for ev in after]
        assert outcomes == ["applied"] * len(after), game["game_key"]
    assert len(batch) == len(season) > 1300
    assert moved > BOX_GAMES // 2  # the availability lists were really used, not all defaults
    final = store.read_book()
    assert final.teams == batch_book.teams
    assert final.league == batch_book.league
    assert final.players == batch_book.players


def test_handler_skips_bad_records_and_ignores_other_types(aws) -> None:
    features_handler.reset_cache()
    good = game_final_event(
        {
            "game_key": "20181016_PHI_at_BOS",
            "date": "2018-10-16",
            "season": 2019,
            "home_team": "BOS",
            "away_team": "PHI",
            "home_score": 105,
            "away_score": 87,
            "neutral": False,
            "is_playoff": False,
        }
    )
    sched = {**good, "event_type": "game_scheduled", "event_id": "s"}
    bad = {**good, "payload": {"season": "x"}}
    event = event_of([good, sched, bad])
    event["Records"].append(
        {
            **event["Records"][0],
            "kinesis": {**event["Records"][0]["kinesis"], "data": base64.b64encode(b"{not json").decode()},
        }
    )
    assert features_handler.handler(event, features_ctx()) == {"batchItemFailures": []}
    assert OnlineStore().get_pregame_state("BOS", "PHI", 2019).home.rating.games == 1


def test_pbp_events_update_live_state(aws, data_dir) -> None:
    from courtside.features.live import LiveState

    features_handler.reset_cache()
    payloads, events = opening_plays(data_dir, 60, "2018-10-17T00:10:00Z")
    gid = OPENER
    assert features_handler.handler(event_of(events), features_ctx()) == {"batchItemFailures": []}
    features_handler.reset_cache()  # cold container: state comes back from the store; replays are skipped
    assert features_handler.handler(event_of(events[-5:]), features_ctx()) == {"batchItemFailures": []}
    stored = OnlineStore().get_live_state(gid)
    expected = LiveState.for_game(gid).apply_all(payloads)
    assert LiveState.from_dict(stored) == expected
    assert stored["f"] == expected.features()


def test_a_stale_warm_cache_does_not_lose_a_play(aws, data_dir) -> None:
    """Container A cached the state after 40 plays; container B then applied plays 41-50. When A gets play 51, its
    write (conditional on the count of applied plays growing) is refused, and it re-reads B's state and applies
    the play to it instead of dropping it."""
    from courtside.features.live import LiveState

    features_handler.reset_cache()
    payloads, events = opening_plays(data_dir, 51, "2018-10-17T00:10:00Z")
    assert features_handler.handler(event_of(events[:40]), features_ctx()) == {"batchItemFailures": []}
    stale = dict(features_handler._live_cache)
    features_handler.reset_cache()  # container B
    assert features_handler.handler(event_of(events[40:50]), features_ctx()) == {"batchItemFailures": []}
    features_handler._live_cache.clear()
    features_handler._live_cache.update(stale)  # container A again, with its old state
    assert features_handler.handler(event_of(events[50:]), features_ctx()) == {"batchItemFailures": []}
    stored = LiveState.from_dict(OnlineStore().get_live_state(OPENER))
    assert stored == LiveState.for_game(OPENER).apply_all(payloads) and stored.events == 51
