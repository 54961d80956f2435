"""Cleaning rules of the stats.nba.com mappings, tested on the repository extract."""

from __future__ import annotations

import json

import pytest

from courtside.errors import EventRejected
from courtside.events import parse_event
from courtside.ingest.rules import check_event
from courtside.sources.extract import iter_game_events
from courtside.sources.nba_stats import parse_clock, parse_minutes, parse_score, wall_clock_utc


def test_clock_score_minutes_and_time_parsing() -> None:
    assert parse_clock("11:40") == 700.0 and parse_clock("0:00") == 0.0 and parse_clock("0:04.5") == 4.5
    with pytest.raises(ValueError):
        parse_clock("1140")
    assert parse_score("87 - 105") == (105, 87)  # SCORE is "away - home"
    assert parse_score(float("nan")) is None
    assert parse_minutes("22:54") == 22.9 and parse_minutes(None) == 0.0
    assert wall_clock_utc("2018-10-16", "8:03 PM") == "2018-10-17T00:03:00Z"  # EDT
    assert wall_clock_utc("2018-12-25", "12:10 AM") == "2018-12-26T05:10:00Z"  # past midnight, EST


def test_extract_games_map_to_valid_events(data_dir) -> None:
    games = list(iter_game_events(data_dir, games=3))
    assert [g.game_id for g, _ in games][:2] == ["20181016_PHI_at_BOS", "20181016_OKC_at_GSW"]
    kinds: dict[str, int] = {}
    for _g, events in games:
        assert events[0][1]["event_type"] == "game_scheduled" and events[-1][1]["event_type"] == "game_final"
        times = [t for t, _ in events]
        assert times == sorted(times)
        for _, ev in events:
            parsed = parse_event(json.dumps(ev).encode())
            try:
                check_event(parsed)
            except EventRejected as r:  # pragma: no cover - message helps when a mapping regresses
                raise AssertionError(f"{ev['event_id']}: {r}") from None
            kinds[ev["event_type"]] = kinds.get(ev["event_type"], 0) + 1
    assert kinds["game_final"] == kinds["game_scheduled"] == 3 and kinds["pbp"] > 1000 and kinds["player_box"] > 50


def test_nba_com_codes_become_bref_and_team_plays_get_a_side(data_dir) -> None:
    events = [ev for g, evs in iter_game_events(data_dir, games=40) for _, ev in evs]
    teams = {ev["payload"].get("team") for ev in events if ev["event_type"] in ("pbp", "player_box")}
    assert {"BRK", "CHO", "PHO"} & teams and not {"BKN", "CHA", "PHX"} & teams
    rebounds = [ev for ev in events if ev["event_type"] == "pbp" and ev["payload"]["event_code"] == 4]
    team_rebounds = [ev for ev in rebounds if ev["payload"]["player1_id"] is None]
    assert team_rebounds and all(ev["payload"]["team"] for ev in team_rebounds[:50])
