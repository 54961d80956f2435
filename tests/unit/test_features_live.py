"""Live features, hashing, registry and online item encoding (pure, no AWS)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from courtside.features import online_items as oi
from courtside.features.hashing import collision_rate, hash_bag, hash_index
from courtside.features.history import LeagueBook
from courtside.features.live import LIVE_FEATURE_NAMES, LiveState, pbp_payload_from_row
from courtside.features.players import apply_box, availability, empty
from courtside.features.pregame import EXTENDED_FEATURE_NAMES, FEATURE_NAMES
from courtside.features.registry import REGISTRY


def test_live_state_replays_a_real_game(data_dir) -> None:
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    rows = pbp[pbp["GAME_ID"] == "0021800001"].to_dict("records")
    state = LiveState.for_game("20181016_PHI_at_BOS").apply_all(pbp_payload_from_row(r, "BOS") for r in rows)
    f = state.features()
    assert (state.home_score, state.away_score) == (105, 87)
    assert f["game_seconds_remaining"] == 0.0 and f["period"] == 4.0
    assert set(f) == set(LIVE_FEATURE_NAMES)


def test_scoring_run_and_fouls() -> None:
    s = LiveState(home="BOS", away="PHI")
    s = s.apply({"event_code": 1, "home_score": 2, "away_score": 0, "team": "BOS", "period": 1, "clock_seconds": 700})
    s = s.apply({"event_code": 1, "home_score": 5, "away_score": 0, "team": "BOS", "period": 1, "clock_seconds": 680})
    assert s.run == 5 and s.possession == -1
    s = s.apply({"event_code": 1, "home_score": 5, "away_score": 2, "team": "PHI", "period": 1, "clock_seconds": 660})
    assert s.run == -2
    for _ in range(5):
        s = s.apply({"event_code": 6, "action_code": 1, "team": "PHI", "period": 1, "clock_seconds": 600})
    assert s.features()["home_in_bonus"] == 1.0
    s = s.apply({"event_code": 12, "period": 2, "clock_seconds": 720})
    assert s.away_fouls == 0 and s.game_seconds_remaining == 3 * 720 - 720 + 720


def test_possession_is_unknown_from_a_miss_until_its_rebound() -> None:
    def play(s: LiveState, code: int, team: str, action: int = 0, **score: int) -> LiveState:
        return s.apply(
            {"event_code": code, "action_code": action, "team": team, "period": 4, "clock_seconds": 30, **score}
        )

    s = play(LiveState(home="BOS", away="PHI"), 4, "BOS")  # home rebound: home ball
    assert s.possession == 1
    s = play(s, 2, "BOS")  # home misses: nobody has the ball until the rebound
    assert s.possession == 0
    assert play(s, 4, "PHI").possession == -1  # defensive rebound
    assert play(s, 4, "BOS").possession == 1  # offensive rebound
    s = play(s, 4, "PHI")
    s = play(s, 3, "PHI", action=11, home_score=0, away_score=1)  # 1 of 2 made: still the shooter's trip
    assert s.possession == -1
    assert play(s, 3, "PHI", action=12).possession == 0  # 2 of 2 missed: loose, like a missed shot
    assert play(s, 3, "PHI", action=12, home_score=0, away_score=2).possession == 1  # 2 of 2 made: home ball


def test_pace_counts_changes_of_the_ball_and_shrinks_towards_the_league() -> None:
    from courtside.features.live import LEAGUE_SECONDS_PER_POSSESSION, PACE_PRIOR_SECONDS

    s = LiveState(home="BOS", away="PHI")
    assert s.features()["seconds_per_possession"] == pytest.approx(LEAGUE_SECONDS_PER_POSSESSION)  # nothing seen yet

    def play(s: LiveState, code: int, team: str, clock: float) -> LiveState:
        return s.apply({"event_code": code, "team": team, "period": 1, "clock_seconds": clock})

    s = play(s, 4, "BOS", 715)  # home rebound: first known side, not a change
    s = play(s, 2, "BOS", 700)  # miss: loose ball
    s = play(s, 4, "BOS", 698)  # offensive rebound: same side, not a change
    s = play(s, 5, "BOS", 690)  # home turnover: away ball, change 1
    s = play(s, 2, "PHI", 680)  # away misses: loose
    s = play(s, 4, "BOS", 678)  # defensive rebound: change 2
    assert s.possession_changes == 2 and s.last_possession == 1
    prior = PACE_PRIOR_SECONDS / LEAGUE_SECONDS_PER_POSSESSION
    assert s.features()["seconds_per_possession"] == pytest.approx((42 + PACE_PRIOR_SECONDS) / (2 + prior))
    s = s.apply({"event_code": 12, "period": 2})  # a period start: ball unknown, the count and the last side stay
    assert s.possession == 0 and (s.possession_changes, s.last_possession) == (2, 1)
    stored_before = {k: v for k, v in s.to_dict().items() if k != "possession_changes"}  # a state from before
    assert LiveState.from_dict(stored_before).possession_changes == 0


def test_live_state_round_trips() -> None:
    s = LiveState(home="BOS", away="PHI").apply({"event_code": 1, "home_score": 2, "team": "BOS", "event_num": 3})
    assert LiveState.from_dict(s.to_dict()) == s
    assert LiveState.from_dict(json.loads(json.dumps(s.to_dict()))) == s  # as stored: `seen` travels as hex


def test_plays_numbered_out_of_time_order_all_apply_and_repeats_do_not() -> None:
    """The source numbers a rebound at 3:57 as 115 and the layup after it as 114: both apply, in arrival order; a
    redelivered play (either number) does not apply twice."""
    s = LiveState(home="BOS", away="PHI")
    rebound = {"event_num": 115, "event_code": 4, "team": "BOS", "period": 1, "clock_seconds": 237.0}
    layup = {"event_num": 114, "event_code": 1, "team": "BOS", "period": 1, "clock_seconds": 227.0}
    layup |= {"home_score": 2, "away_score": 0}
    for p in (rebound, layup):
        assert s.accepts(p)
        s = s.apply(p)
    assert s.events == 2 and s.home_score == 2 and s.possession == -1  # the made layup handed the ball over
    assert not s.accepts(rebound) and not s.accepts(layup) and s.accepts({**layup, "event_num": 113})
    assert s.accepts({"event_code": 9})  # a play without a number cannot be recognised again


def test_a_state_stored_before_the_applied_set_keeps_its_high_water_mark() -> None:
    """A live state written before stop 20 has `last_event_num` and no `seen`: numbers up to it count as seen."""
    s = LiveState(home="BOS", away="PHI").apply({"event_code": 1, "home_score": 2, "team": "BOS", "event_num": 3})
    old = {k: v for k, v in s.to_dict().items() if k != "seen"} | {"last_event_num": 3}
    restored = LiveState.from_dict(old)
    assert not any(restored.accepts({"event_num": n}) for n in range(4)) and restored.accepts({"event_num": 4})


def test_team_item_encoding_is_exact_and_compact() -> None:
    book = LeagueBook()
    for d in ("2018-10-16", "2018-10-18"):
        book.apply(
            {
                "season": 2019,
                "date": d,
                "home_team": "BOS",
                "away_team": "PHI",
                "home_score": 101,
                "away_score": 99,
                "neutral": False,
            },
            as_of=f"{d}T23:59:59Z",
            game_id=d,
        )
    state = book.teams["BOS"]
    item = oi.encode_team(state, 3, 123)
    assert oi.decode_team(item) == state
    assert len(str(item)) < 400
    assert oi.decode_league(oi.encode_league(book.league, 1, 1)) == book.league


def test_hashing_is_stable_and_fixed_width() -> None:
    assert hash_index("201143", 1024) == hash_index("201143", 1024)
    assert all(0 <= b < 64 for b in hash_bag(range(10), width=64))
    assert 0.0 <= collision_rate(range(2000), 1024) <= 1.0
    assert collision_rate(range(10), 1 << 20) == 0.0


def test_default_player_hash_width_keeps_collisions_rare(data_dir) -> None:
    """The shipped box extract's players (one season's worth) mostly get a bucket of their own at the default width."""
    import pandas as pd

    from courtside.features.hashing import DEFAULT_WIDTH

    ids = pd.read_parquet(data_dir / "box" / "player_box_2018-19_first300.parquet", columns=["PLAYER_ID"])
    players = ids["PLAYER_ID"].unique()
    assert len(players) > 300
    assert DEFAULT_WIDTH >= 16384
    assert collision_rate(players, DEFAULT_WIDTH, "player") < 0.06
    assert collision_rate(players, 1024, "player") > 0.25  # the old width: most players shared a bucket


def test_player_availability() -> None:
    st = empty()
    for g in range(3):
        for pid, mins in ((1, 36.0), (2, 30.0), (3, 10.0)):
            st = apply_box(st, {"player_id": pid, "minutes": mins}, f"g{g}")
    assert apply_box(st, {"player_id": 1, "minutes": 0.0}, "g2") is st  # replayed line
    assert availability(st, [1, 2, 3]) == 1.0
    assert abs(availability(st, [2, 3]) - 40 / 76) < 1e-9
    assert availability(None, [1]) == 1.0


def test_registry_covers_every_feature() -> None:
    names = {f.name for f in REGISTRY}
    assert set(EXTENDED_FEATURE_NAMES) | set(LIVE_FEATURE_NAMES) <= names
    assert {f.name for f in REGISTRY if f.in_default_model} == set(FEATURE_NAMES)
    assert all(f.owner and f.ttl_s > 0 and f.freshness_sla_s > 0 for f in REGISTRY)
