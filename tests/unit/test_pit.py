"""Point-in-time retrieval: SQL as-of join == brute force on randomised data; no row sees its own game or later."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from courtside.features.book_io import team_log_row
from courtside.features.history import LeagueBook, final_as_of
from courtside.features.offline import point_in_time, point_in_time_bruteforce, training_set


def _ts(day: int, minute: int = 0) -> str:
    return f"2019-01-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"


def _random_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    entities = [f"e{i}" for i in range(rng.randint(1, 6))]
    log = []
    for seq in range(rng.randint(0, 60)):
        day, minute = rng.randint(1, 9), rng.choice([0, 0, 30, 60])  # many exact ties
        late = rng.random() < 0.3  # late-arriving: ingested days after the event
        log.append(
            {
                "entity": rng.choice(entities),
                "event_time": _ts(day, minute),
                "ingested_at": _ts(min(day + (rng.randint(1, 3) if late else 0), 28), minute + rng.choice([0, 5])),
                "seq": seq,
                "value": rng.random(),
            }
        )
    spine = [
        {"row_id": i, "entity": rng.choice([*entities, "never"]), "ts": _ts(rng.randint(1, 12), rng.choice([0, 30]))}
        for i in range(rng.randint(1, 40))
    ]
    cols = ["entity", "event_time", "ingested_at", "seq", "value"]
    return pd.DataFrame(spine), pd.DataFrame(log, columns=cols).astype({"seq": "int64", "value": "float64"})


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("knowledge", [False, True])
def test_sql_matches_bruteforce(seed: int, knowledge: bool) -> None:
    spine, log = _random_case(seed)
    got = point_in_time(spine, log, ["value"], knowledge_cutoff=knowledge)
    want = point_in_time_bruteforce(spine, log, ["value"], knowledge_cutoff=knowledge)
    assert len(got) == len(want)
    for g, w in zip(got.to_dict("records"), want, strict=True):
        assert g["row_id"] == w["row_id"]
        assert (pd.isna(g["value"]) and w["value"] is None) or g["value"] == w["value"]
        if w["feature_event_time"] is not None:
            assert w["feature_event_time"] < w["ts"]


def test_training_rows_never_see_their_own_game_or_later(data_dir) -> None:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[games["season"] >= 2018].sort_values(["date", "game_key"], kind="stable")
    games["date"] = games["date"].astype(str).str[:10]
    book, log = LeagueBook(), []
    for g in games.to_dict("records"):
        book.apply(g, as_of=final_as_of(g["date"]))
        for code in (g["home_team"], g["away_team"]):
            from courtside.teams import franchise_of

            log.append(team_log_row(book.teams[franchise_of(code)]))
    ts = training_set(games, pd.DataFrame(log))
    assert len(ts) == len(games)
    by_key = dict(zip(games["game_key"], games["date"], strict=True))
    for side in ("home", "away"):
        seen = ts[ts[f"{side}_last_game"].notna()]
        assert (seen[f"{side}_feature_event_time"] < seen["ts"]).all()
        assert (seen[f"{side}_last_game"] != seen["game_key"]).all()
        assert (seen[f"{side}_last_game"].map(by_key) < seen["game_key"].map(by_key)).all()
    assert ts["home_elo"].notna().mean() > 0.99
