"""Possession-level Markov win probability: possession cutting, the backward recursion, its stored form."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from courtside.models import ingame_markov as mk


def coin_flip_possessions(n: int = 400, duration: float = 10.0) -> pd.DataFrame:
    """Every possession scores 2 or nothing, half and half in every cell, and lasts `duration` seconds."""
    starts = [(float(5 + (i * 7) % 400), float((i % 21) - 10)) for i in range(n)]
    return pd.DataFrame(
        {
            "GAME_ID": ["0021800001"] * 2 * n,
            "period": [4] * 2 * n,
            "t": [t for t, _ in starts] * 2,
            "margin": [m for _, m in starts] * 2,
            "points": [0] * n + [2] * n,
            "duration": [duration] * 2 * n,
            "truncated": [False] * 2 * n,
        }
    )


@pytest.fixture(scope="module")
def table() -> mk.MarkovTable:
    return mk.MarkovTable.fit(coin_flip_possessions())


def test_segments_give_points_to_the_scorer_and_cut_at_the_horn():
    # (period, clock, home score, away score, possession): home scores 2 + an and-one free throw after the
    # basket handed the ball over, away misses, home rebounds, is fouled and makes both free throws, the horn
    events = [
        (4, 100.0, 90, 90, 1),
        (4, 90.0, 92, 90, -1),  # home basket: away ball
        (4, 90.0, 93, 90, -1),  # and-one free throw: still away ball, the point is home's
        (4, 75.0, 93, 90, -1),  # away miss
        (4, 74.0, 93, 90, 1),  # home rebound
        (4, 70.0, 95, 90, -1),  # two free throws, the last hands the ball over
        (4, 60.0, 95, 90, -1),
    ]
    got = mk._segments(events)
    assert [(p["t"], p["margin"], p["points"], p["duration"], p["truncated"]) for p in got] == [
        (100.0, 0, 3, 10.0, False),
        (90.0, -3, 0, 16.0, False),
        (74.0, 3, 2, 4.0, False),
        (70.0, -5, 0, 30.0, True),  # 70 s to the horn, counted as MAX_DURATION
    ]


def test_possessions_from_real_play_by_play(data_dir):
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    poss = mk.possessions_from_pbp(pbp.sort_values(["GAME_ID", "EVENTNUM"], kind="mergesort"), index)
    regulation = poss[poss["period"] == 4]
    assert len(regulation) > 300 * 25  # about 29 (both sides) in the last seven minutes
    assert regulation["t"].max() <= mk.EXTRACT_SECONDS and poss["points"].between(0, mk.MAX_POINTS).all()
    assert 0.95 < poss["points"].mean() < 1.2  # NBA points per possession
    assert poss["duration"].between(1, mk.MAX_DURATION).all() and 10 < poss["duration"].mean() < 20


def test_recursion_on_coin_flip_possessions(table):
    # one possession left (10 s long, 5 s on the clock): home ball down 1 wins on a basket, down 2 ties
    assert table.prob(-1, 5, 1) == pytest.approx(0.5)
    assert table.prob(-2, 5, 1) == pytest.approx(0.25)
    assert table.prob(2, 5, -1) == pytest.approx(0.75)  # the away side's half-chance of a tie
    assert table.prob(0, 0, 1) == 0.5 and table.prob(1, 0, -1) == 1.0 and table.prob(-1, 0, 1) == 0.0
    # two possessions left (home, then away): down 2 with the ball at 15 s
    # (a basket, then the away side misses: overtime; anything else loses)
    assert table.prob(-2, 15, 1) == pytest.approx(0.5 * 0.5 * 0.5)
    # more points are worth more; with an odd number of 10-s possessions left, so is the ball
    for t in (3.0, 25.0, 205.0):
        probs = [table.prob(m, t, 1) for m in range(-8, 9)]
        assert probs == sorted(probs) and table.prob(0, t, 1) > table.prob(0, t, -1)
        assert table.prob(0, t, 0) == pytest.approx(0.5)  # symmetric possessions, unknown ball


def test_stored_table_is_the_mirror_of_the_away_recursion():
    home, away = mk.solve(mk.fit_possessions(coin_flip_possessions(duration=13.0)))
    r = mk.MARGIN_RANGE
    assert max(abs(away[t][i] - (1.0 - home[t][2 * r - i])) for t in (0, 7, 100, 360) for i in range(2 * r + 1)) < 1e-12
    stored = mk.MarkovTable(tuple(tuple(row) for row in home))
    assert stored.prob(-3, 100.0, -1) == pytest.approx(away[100][r - 3])


def test_possession_trust_and_document_round_trip(table):
    # tie games with 5 s left that the side on the ball always wins: trust the tracker's possession fully
    states = pd.DataFrame(
        {
            "margin": [0.0] * 40,
            "seconds_left": [5.0] * 40,
            "home_possession": [1.0, -1.0] * 20,
            "home_win": [1, 0] * 20,
        }
    )
    assert mk.fit_possession_trust(table, states).possession_trust == 1.0
    # ... and not at all when the ball says nothing about who wins
    states["home_win"] = [1, 1, 0, 0] * 10
    assert mk.fit_possession_trust(table, states).possession_trust == 0.5
    half = table.with_trust(0.75)
    loaded = mk.MarkovTable.from_dict(json.loads(json.dumps(half.as_dict())))
    assert loaded.possession_trust == 0.75
    assert loaded.prob(-2, 15.0, 1) == pytest.approx(half.prob(-2, 15.0, 1), abs=1e-4)
    with pytest.raises(ValueError, match="shape"):
        mk.MarkovTable.from_dict({**half.as_dict(), "max_seconds": 300})
