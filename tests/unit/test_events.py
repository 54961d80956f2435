"""Event schemas and the public helpers others call."""

from __future__ import annotations

import json

import pytest

from courtside.errors import EventRejected
from courtside.events import PbpEvent, game_final_event, game_id_for, make_event, parse_event


def pbp(**over: object) -> dict:
    payload = {"event_num": 7, "period": 1, "clock_seconds": 700.0, "event_code": 1, "home_score": 2, "away_score": 0}
    payload.update(over)
    return make_event("pbp", "20181016_PHI_at_BOS", "2018-10-16T23:05:00Z", payload, seq=payload["event_num"])


def test_game_id_for_matches_games_file_key() -> None:
    assert game_id_for("2019-06-13", "TOR", "GSW") == "20190613_TOR_at_GSW"


def test_make_event_is_deterministic_so_replays_dedup() -> None:
    assert pbp()["event_id"] == pbp()["event_id"] == "20181016_PHI_at_BOS:pbp:7"


def test_parse_event_returns_typed_model() -> None:
    ev = parse_event(json.dumps(pbp()).encode())
    assert isinstance(ev, PbpEvent) and ev.payload.home_score == 2


def test_game_final_event_from_games_row() -> None:
    import datetime as dt

    row = {
        "game_key": "20190613_TOR_at_GSW",
        "date": dt.date(2019, 6, 13),
        "season": 2019,
        "is_playoff": True,
        "neutral": False,
        "home_team": "GSW",
        "away_team": "TOR",
        "home_score": 110,
        "away_score": 114,
    }
    ev = game_final_event(row)
    assert ev["game_id"] == "20190613_TOR_at_GSW" and ev["occurred_at"] == "2019-06-13T23:59:59Z"
    assert parse_event(json.dumps(ev).encode()).payload.away_score == 114


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "broken_json"),
        (b"[1,2]", "broken_json"),
        (json.dumps({**pbp(), "schema_version": "9.9"}).encode(), "unknown_schema_version"),
        (json.dumps({**pbp(), "event_type": "tweet"}).encode(), "unknown_event_type"),
        (json.dumps({k: v for k, v in pbp().items() if k != "occurred_at"}).encode(), "missing_field"),
        (json.dumps(pbp(period="1")).encode(), "wrong_type"),
        (json.dumps(pbp(home_score=-3)).encode(), "negative_score"),
        (json.dumps(pbp(period=11)).encode(), "out_of_range"),
        (json.dumps(pbp(shoe_size=12)).encode(), "unexpected_field"),
        (json.dumps({**pbp(), "game_id": "2018-10-16 PHI at BOS"}).encode(), "bad_game_id"),
        (json.dumps({**pbp(), "occurred_at": "2018-10-16T23:05:00"}).encode(), "bad_timestamp"),
        (b"{" + b" " * 40000 + b"}", "oversized_record"),
    ],
)
def test_parse_event_reason_codes(raw: bytes, reason: str) -> None:
    with pytest.raises(EventRejected) as info:
        parse_event(raw)
    assert info.value.reason == reason
