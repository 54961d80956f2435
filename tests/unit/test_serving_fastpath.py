"""The per-request shortcuts of the pre-game path compute exactly what the plain definitions compute."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from courtside.features.pregame import MAX_REST_DAYS, TeamState, schedule_features
from courtside.ratings import elo
from courtside.serving import capture
from courtside.serving.errors import ServiceError
from courtside.serving.pregame import freshness_seconds, parse_event_time
from courtside.serving.teams import franchise_code
from courtside.teams import NBA_COM_TO_BREF, SEASONS, franchise_of, to_bref


def _reference_schedule(recent: tuple[str, ...], game_date: str) -> tuple[float, float, float]:
    """The definition: calendar-day differences of the ISO dates."""
    if not recent:
        return float(MAX_REST_DAYS), 0.0, 0.0
    days = [(date.fromisoformat(game_date[:10]) - date.fromisoformat(d[:10])).days for d in recent]
    rest = min(days[-1], MAX_REST_DAYS)
    return float(rest), float(rest <= 1), float(sum(1 for n in days if 0 < n <= 4))


def test_schedule_features_match_calendar_day_differences():
    rng = random.Random(5)
    rating = elo.TeamRating("BOS", 1500.0, 2019)
    for _ in range(500):
        game = date(2019, 1, 1) + timedelta(days=rng.randrange(400))
        recent = tuple(
            sorted((game - timedelta(days=rng.randrange(0, 12))).isoformat() for _ in range(rng.randrange(0, 5)))
        )
        state = TeamState(rating=rating, recent_dates=recent)
        iso = game.isoformat() if rng.random() < 0.5 else f"{game.isoformat()}T19:30:00Z"  # date-time prefixes too
        assert schedule_features(state, iso) == _reference_schedule(recent, iso)


def test_franchise_code_resolves_every_known_code_and_keeps_rejecting_unknown_ones():
    for raw in [*SEASONS, *NBA_COM_TO_BREF, "bos", " gsw "]:
        assert franchise_code(raw, "home_team") == franchise_of(to_bref(raw))
    for _ in range(2):  # the second call is served from the cache: still a 422 naming the field
        with pytest.raises(ServiceError) as err:
            franchise_code("XYZ", "away_team")
        assert err.value.status == 422 and err.value.details[0]["loc"] == ["body", "away_team"]


def test_freshness_uses_the_event_time_of_the_string():
    now = datetime(2019, 6, 11, tzinfo=UTC).timestamp()
    for value in ("2019-06-10T23:59:59Z", "2019-06-10T23:59:59+00:00", "2019-06-10T23:59:59"):
        parsed = parse_event_time(value)
        assert parsed is not None
        for _ in range(2):  # first parse, then the cached timestamp
            assert freshness_seconds(value, now) == max(0.0, now - parsed.timestamp()) == 1.0
    assert freshness_seconds(None, now) is None and freshness_seconds("", now) is None
    assert freshness_seconds("not a time", now) is None
    assert freshness_seconds("2019-06-12T00:00:00Z", now) == 0.0  # a future event time is clamped


def test_active_sink_is_none_only_for_the_noop_default():
    installed = capture.get_sink()
    try:
        capture.set_sink(capture.NoopCaptureSink())
        assert capture.active_sink() is None
        explicit = capture.ListCaptureSink()
        assert capture.active_sink(explicit) is explicit
        capture.set_sink(explicit)
        assert capture.active_sink() is explicit
    finally:
        capture.set_sink(installed)
