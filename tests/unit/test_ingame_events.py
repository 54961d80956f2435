"""The in-game training states from the lake's validated events equal those from the play-by-play files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest
from _ingest_support import encode, kinesis_record

from courtside.ingest.core import MemorySinks, process_records
from courtside.ingest.state import MemoryStateStore
from courtside.models import ingame, ingame_events
from courtside.models.ingame_report import _season_code
from courtside.models.ingame_states import sample_states, states_from_pbp
from courtside.sources.extract import iter_game_events

GAMES = 12


@pytest.fixture(scope="module")
def streamed(data_dir, tmp_path_factory):
    """The extract's first games streamed through the validate function's core; its lake objects written to a
    directory laid out as the bucket."""
    sinks, state = MemorySinks(), MemoryStateStore()
    refs, received, duplicates = [], 0, 0
    for ref, events in iter_game_events(data_dir, games=GAMES):
        refs.append(ref)
        records = [kinesis_record(encode(ev), ev["game_id"]) for _, ev in events]
        received += len(records)
        for i in range(0, len(records), 500):
            duplicates += process_records(records[i : i + 500], sinks, state).duplicates_ignored
    root = tmp_path_factory.mktemp("lake")
    for key, body in sinks.raw.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(body)
    # the source has a few scoring rows out of order, which the validator quarantines (score_decreased)
    quarantined = set()
    for body in sinks.quarantine.values():
        rec = json.loads(body)
        event = json.loads(base64.b64decode(rec["data_b64"]))
        assert rec["reason"] == "score_decreased" and event["event_type"] == "pbp"
        quarantined.add((event["game_id"], event["payload"]["event_num"]))
    # nothing lost: the source's repeated rows (same event number) are the stream's redeliveries, ignored once stored
    assert len(sinks.stored_lines()) + len(quarantined) + duplicates == received
    assert 0 < len(quarantined) < received / 1000
    assert ingame_events.is_raw_zone(root / "raw") and not ingame_events.is_raw_zone(root)
    return refs, root, quarantined


def test_lake_states_equal_the_play_by_play_files_states(data_dir, streamed):
    """The lake's states are the files' states, state by state: both replay the plays in the source's (arrival)
    order, and the files' replay skips the plays the validate function quarantined, by its rule."""
    refs, root, quarantined = streamed
    lake = ingame_events.read_dir(root / "raw", ["2018-19"])
    assert len(lake.finals) == GAMES and dict(lake.skipped) == {}
    from_lake = sample_states(lake.games())

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")  # rows in the source's order
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    index = index[index["GAME_ID"].astype(str).str.zfill(10).isin({r.nba_game_id for r in refs})]
    from_files = states_from_pbp(pbp, index)  # the replay skips what the stream quarantined, by the same rule
    assert quarantined  # so the rule had work to do here

    cols = ["game_key", *ingame.STATE_FIELDS, "pregame_prob", "home_win"]
    a = from_lake.sort_values("game_key", kind="mergesort")[cols].reset_index(drop=True)
    b = from_files.sort_values("game_key", kind="mergesort")[cols].reset_index(drop=True)
    assert a["game_key"].nunique() == GAMES and len(a) > GAMES * 70
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # the season comes from the lake's partition; the split reads it as it reads the files' GAME_ID
    assert set(_season_code(from_lake)) == set(_season_code(from_files)) == {"18"}


def test_games_without_a_result_or_in_the_playoffs_are_counted_not_used(streamed, tmp_path):
    _, root, _ = streamed
    lake = ingame_events.read_dir(root / "raw", ["2018-19"])
    some, other = sorted(lake.finals)[:2]
    del lake.finals[some]  # still in progress: no label yet
    lake.finals[other] = {**lake.finals[other], "is_playoff": True}
    used = [g.game_key for g in lake.games()]
    assert some not in used and other not in used and len(used) == GAMES - 2
    assert dict(lake.skipped) == {"no_game_final": 1, "playoff": 1}
    # a final with no play-by-play (a result-only game) is counted too
    lake2 = ingame_events.LakeGames()
    final = {"event_type": "game_final", "game_id": "20181017_MIL_at_CHO", "payload": lake.finals[other]}
    lake2.add_lines([json.dumps({**final, "payload": {**final["payload"], "is_playoff": False}}).encode()], 2019)
    assert list(lake2.games()) == [] and dict(lake2.skipped) == {"no_pbp_events": 1}
    assert ingame_events.read_dir(Path(tmp_path), ["2018-19"]).pbp == {}  # an empty lake reads as no games
