"""Online store against moto: key design, one BatchGetItem, conditional writes, staleness, out-of-order rule."""

from __future__ import annotations

from typing import Any

import pytest

from courtside.features.history import LeagueBook
from courtside.online_store import OnlineStore
from courtside.ratings import elo


def _final(date: str, home: str, away: str, hs: int, as_: int, season: int = 2019) -> dict[str, Any]:
    return {
        "season": season,
        "date": date,
        "home_team": home,
        "away_team": away,
        "home_score": hs,
        "away_score": as_,
        "neutral": False,
        "is_playoff": False,
    }


class CountingClient:
    """Wraps a boto3 client and counts calls by operation name."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if callable(attr):

            def wrapped(*a: Any, **k: Any) -> Any:
                self.calls.append(name)
                return attr(*a, **k)

            return wrapped
        return attr


def test_empty_store_gives_new_ratings(aws) -> None:
    ps = OnlineStore().get_pregame_state("BOS", "PHI", 2019)
    assert ps.home.rating.rating == elo.EloConfig().initial_rating
    assert ps.features_as_of is None
    assert ps.league.hca == elo.EloConfig().initial_hca


def test_apply_matches_batch_and_uses_one_batch_get(aws) -> None:
    from courtside.aws.clients import client

    counting = CountingClient(client("dynamodb"))
    store = OnlineStore(client=counting)
    book = LeagueBook()
    games = [
        _final("2018-10-16", "BOS", "PHI", 105, 87),
        _final("2018-10-17", "PHI", "CHI", 127, 108),
        _final("2018-10-18", "NJN", "BOS", 100, 90),
    ]  # NJN is franchise BRK
    for g in games:
        at = f"{g['date']}T23:59:59Z"
        assert store.apply_game_final(g, at, game_id=g["date"]) == "applied"
        book.apply(g, as_of=at, game_id=g["date"])
    counting.calls.clear()
    ps = store.get_pregame_state("BKN", "BOS", 2019)
    assert counting.calls == ["batch_get_item"]
    assert ps.home == book.state("BRK", 2019)
    assert ps.away == book.state("BOS", 2019)
    assert ps.league == book.league
    assert ps.features_as_of == "2018-10-18T23:59:59Z"
    assert ps.features("2018-10-20", False) == book.features("BRK", "BOS", 2019, "2018-10-20", False)


def test_late_and_duplicate_results_are_ignored(aws) -> None:
    store = OnlineStore()
    g1, g0 = _final("2018-10-20", "BOS", "PHI", 100, 90), _final("2018-10-19", "BOS", "PHI", 80, 120)
    assert store.apply_game_final(g1, "2018-10-20T23:59:59Z", game_id="g1") == "applied"
    before = store.get_pregame_state("BOS", "PHI", 2019)
    assert store.apply_game_final(g1, "2018-10-20T23:59:59Z", game_id="g1") == "duplicate"
    assert store.apply_game_final(g0, "2018-10-19T23:59:59Z", game_id="g0") == "late"
    assert store.get_pregame_state("BOS", "PHI", 2019) == before


def test_expired_items_are_never_served(aws) -> None:
    now = [1_000_000.0]
    store = OnlineStore(clock=lambda: now[0])
    store.apply_game_final(_final("2018-10-20", "BOS", "PHI", 100, 90), "2018-10-20T23:59:59Z", game_id="g")
    assert store.get_pregame_state("BOS", "PHI", 2019).features_as_of is not None
    now[0] += 401 * 86400
    ps = store.get_pregame_state("BOS", "PHI", 2019)
    assert ps.features_as_of is None and ps.home.rating.games == 0


def test_conflicting_writer_is_retried_not_lost(aws) -> None:
    """A writer that read an old version loses the transaction and re-reads: both results end up applied."""
    from courtside.aws.clients import client

    store = OnlineStore()
    store.apply_game_final(_final("2018-10-16", "BOS", "PHI", 100, 90), "2018-10-16T23:59:59Z", game_id="a")
    real = client("dynamodb")
    raced = {"done": False}

    class Racing(CountingClient):
        def transact_write_items(self, **kw: Any) -> Any:
            if not raced["done"]:  # another game finishes in between our read and our write
                raced["done"] = True
                OnlineStore().apply_game_final(
                    _final("2018-10-17", "LAL", "GSW", 99, 101), "2018-10-17T23:59:59Z", game_id="b"
                )
            return self.inner.transact_write_items(**kw)

    racer = OnlineStore(client=Racing(real))
    assert (
        racer.apply_game_final(_final("2018-10-17", "MIA", "ORL", 99, 98), "2018-10-17T23:59:59Z", game_id="c")
        == "applied"
    )
    assert store.read_book().league.games == 3


def test_write_book_then_read_back(aws) -> None:
    book = LeagueBook()
    book.apply(_final("2018-10-16", "BOS", "PHI", 105, 87), as_of="2018-10-16T23:59:59Z", game_id="x")
    store = OnlineStore()
    assert store.write_book(book) == 3
    back = store.read_book()
    assert back.teams == book.teams and back.league == book.league


def test_live_state_conditional_on_sequence(aws) -> None:
    store = OnlineStore()
    assert store.put_live_state("20181016_PHI_at_BOS", {"a": 1}, "2018-10-16T20:00:00Z", seq=5)
    assert not store.put_live_state("20181016_PHI_at_BOS", {"a": 0}, "2018-10-16T19:59:00Z", seq=4)
    assert store.get_live_state("20181016_PHI_at_BOS") == {"a": 1, "as_of": "2018-10-16T20:00:00Z"}
    assert store.get_live_state("20181016_XXX_at_YYY") is None


@pytest.mark.parametrize("home,away", [("BOS", "BOS")])
def test_same_franchise_twice_does_not_break_batch_get(aws, home: str, away: str) -> None:
    ps = OnlineStore().get_pregame_state(home, away, 2019)
    assert ps.home == ps.away
