"""Replaying game_final events through the features handler gives the batch backfill's features, exactly."""

from __future__ import annotations

import base64
import json
from typing import Any

import pandas as pd
import pytest

from courtside.events import game_final_event
from courtside.features.history import LeagueBook, pregame_rows
from courtside.features.pregame import EXTENDED_FEATURE_NAMES
from courtside.online_store import OnlineStore
from functions.features import handler as features_handler

REPLAY_GAMES = 150


def kinesis_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    records = []
    for i, ev in enumerate(events):
        records.append(
            {
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000000:{i}",
                "kinesis": {
                    "data": base64.b64encode(json.dumps(ev).encode()).decode(),
                    "partitionKey": ev["game_id"],
                    "sequenceNumber": str(i),
                    "kinesisSchemaVersion": "1.0",
                    "approximateArrivalTimestamp": 0,
                },
            }
        )
    return {"Records": records}


class Ctx:
    function_name, memory_limit_in_mb, invoked_function_arn, aws_request_id = "features", 256, "arn:x", "req"


@pytest.fixture()
def games(data_dir) -> pd.DataFrame:
    g = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    g["date"] = g["date"].astype(str).str[:10]
    return g[g["season"] >= 2015].sort_values(["date", "game_key"], kind="stable").reset_index(drop=True)


def test_stream_replay_equals_batch(aws, games: pd.DataFrame) -> None:
    features_handler.reset_cache()
    history, season = games[games["season"] < 2019], games[games["season"] == 2019].head(REPLAY_GAMES)
    batch_book = LeagueBook()
    list(pregame_rows(history.to_dict("records"), batch_book))
    OnlineStore().write_book(batch_book)
    batch = list(pregame_rows(season.to_dict("records"), batch_book, extended=True))

    store = OnlineStore()
    for row, game in zip(batch, season.to_dict("records"), strict=True):
        ps = store.get_pregame_state(game["home_team"], game["away_team"], int(game["season"]))
        online = ps.features(row["date"], bool(game["neutral"]), extended=True, venue=game["home_team"])
        assert online == {k: row[k] for k in EXTENDED_FEATURE_NAMES}, game["game_key"]
        assert ps.features_as_of == row["features_as_of"]
        out = features_handler.handler(kinesis_event([game_final_event(game)]), Ctx())
        assert out == {"batchItemFailures": []}
    final = store.read_book()
    assert final.teams == batch_book.teams
    assert final.league == batch_book.league


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
    event = kinesis_event([good, sched, bad])
    event["Records"].append(
        {
            **event["Records"][0],
            "kinesis": {**event["Records"][0]["kinesis"], "data": base64.b64encode(b"{not json").decode()},
        }
    )
    assert features_handler.handler(event, Ctx()) == {"batchItemFailures": []}
    assert OnlineStore().get_pregame_state("BOS", "PHI", 2019).home.rating.games == 1


def test_pbp_events_update_live_state(aws, data_dir) -> None:
    from courtside.features.live import LiveState, pbp_payload_from_row

    features_handler.reset_cache()
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    rows = pbp[pbp["GAME_ID"] == "0021800001"].head(60).to_dict("records")
    gid = "20181016_PHI_at_BOS"
    payloads = [pbp_payload_from_row(r, "BOS") for r in rows]
    events = [
        {
            "schema_version": "1.0",
            "event_id": f"{gid}:pbp:{p['event_num']}",
            "event_type": "pbp",
            "game_id": gid,
            "occurred_at": "2018-10-17T00:10:00Z",
            "payload": p,
        }
        for p in payloads
    ]
    assert features_handler.handler(kinesis_event(events), Ctx()) == {"batchItemFailures": []}
    features_handler.reset_cache()  # cold container: state comes back from the store; replays are skipped
    assert features_handler.handler(kinesis_event(events[-5:]), Ctx()) == {"batchItemFailures": []}
    stored = OnlineStore().get_live_state(gid)
    expected = LiveState.for_game(gid).apply_all(payloads)
    assert LiveState.from_dict(stored) == expected
    assert stored["f"] == expected.features()
