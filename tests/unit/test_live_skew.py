"""Train/serve skew guard for the in-game model: real games replayed through the live path and the training path.

Live path: each PlayByPlayV2 row, in the source's order (the game's time order, as the producer streams it; the
event numbers are not in it), becomes the stream's `pbp` event (courtside.sources.nba_stats.pbp_event), goes through
the validate function's core (which quarantines a play behind the game's earlier ones and ignores a repeated one),
the features handler applies what it forwards to the online store (moto DynamoDB), and the live predictor turns the
stored state into model inputs and a probability. Training path: the same rows through
courtside.models.ingame_states (the rows `courtside ingame-report` trains on). At every event both must give the
model the same inputs and hence the same probability; a tracker or field name that differs between them (the
in-game model once read neutral defaults for possession, bonus, run and timeouts in production) fails here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from courtside.events import parse_event
from courtside.ingest.core import MemorySinks, process_records
from courtside.ingest.state import MemoryStateStore
from courtside.models import ingame, ingame_states
from courtside.online_store import OnlineStore
from courtside.serving.live import LivePredictor, live_inputs
from courtside.serving.model_source import StaticModelProvider
from courtside.sources.nba_stats import GameRef, pbp_event

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the handlers live in functions/, importable from the repository root
    sys.path.insert(0, str(REPO_ROOT))
from functions.features import handler as features_handler  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _ingest_support import kinesis_record  # noqa: E402

pytestmark = pytest.mark.slow  # about 1,000 events, each a DynamoDB put and a get on moto: tens of seconds

GAMES = ("0021800004", "0021800046")  # a game with repeated rows in the source; an overtime game
PREGAME = 0.62  # Elo's pre-game probability, the late parts' input
PREGAME_MODEL = 0.57  # the approved pre-game model's, the early trees' input
PRIORS = {"pregame_home_win_probability": PREGAME, "pregame_model_home_win_probability": PREGAME_MODEL}


@pytest.fixture(scope="module")
def extract(data_dir):
    import pandas as pd

    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")  # the source's order, as streamed
    index = pd.read_csv(data_dir / "pbp" / "games_index_2018-19_first300.csv", dtype={"GAME_ID": str})
    return pbp, index


@pytest.fixture(scope="module")
def model(extract):
    pbp, index = extract
    train_ids = sorted(set(pbp["GAME_ID"]) - set(GAMES))[:60]
    states = ingame.states_from_pbp(pbp[pbp["GAME_ID"].isin(train_ids)], index)
    # a pre-game model probability that varies by game, so the early trees split on it
    states["pregame_model_prob"] = 0.3 + 0.4 * states["home_win"] + 0.1 * (states["GAME_ID"].str[-1].astype(int) % 3)
    served = ingame.load_model(ingame.fit(states, n_estimators=30).to_json())  # the served (pure Python) form
    assert served.early is not None
    return served


def test_live_path_gives_the_model_its_training_inputs_at_every_event(aws, extract, model):
    pbp, index = extract
    features_handler.reset_cache()
    store = OnlineStore()
    predictor = LivePredictor(store=store, provider=StaticModelProvider(model), priors=lambda _gid: PRIORS)
    validation_state = MemoryStateStore()
    for nba_id in GAMES:
        game = GameRef(index[index["GAME_ID"] == nba_id].iloc[0].to_dict())
        rows = pbp[pbp["GAME_ID"] == nba_id].to_dict("records")
        trained = [
            {
                **ingame_states.model_state(s.features(), ingame.STATE_FIELDS),
                "pregame_prob": PREGAME,
                "pregame_model_prob": PREGAME_MODEL,
            }
            for s in ingame_states.replay(rows, game.home, game.away)
        ]
        served: list[tuple[dict[str, float], float]] = []
        validated = MemorySinks()
        for i, row in enumerate(rows):  # in the source's order, as the producer streams them
            before = len(validated.forwarded)
            record = kinesis_record(json.dumps(pbp_event(game, row)).encode(), game.game_id, seq=i + 1)
            process_records([record], validated, validation_state)  # the validate function's core
            if len(validated.forwarded) == before:
                continue  # quarantined or a repeated row: never reaches the features function
            event = parse_event(validated.forwarded[-1][1]).model_dump(mode="json")
            if features_handler.handle_event(event, store) != "applied":
                continue  # an event number already applied: the handler skips it, and so does the training replay
            body = predictor.predict(game.game_id)
            inputs = {**live_inputs(body["state"]), **PRIORS}
            served.append((inputs, body["home_win_probability"]))
        assert len(served) == len(trained) > 400
        for i, ((inputs, prob), row) in enumerate(zip(served, trained, strict=True)):
            for name, live_name in ingame.STATE_FIELDS.items():
                assert inputs[live_name] == row[name], (nba_id, i, name)
            assert ingame.derive(inputs, model.label_model) == ingame.derive(row, model.label_model), (nba_id, i)
            early_in, early_row = ingame.with_model_prior(inputs), ingame.with_model_prior(row)
            assert ingame.derive(early_in, model.label_model) == ingame.derive(early_row, model.label_model)
            assert model.uses_early(inputs) == model.uses_early(row) == (row["period"] <= ingame.EARLY_PERIODS)
            assert prob == model.predict_proba(row), (nba_id, i)
        # the sampled training rows are states of this very replay
        sampled = ingame.states_from_pbp(pbp[pbp["GAME_ID"] == nba_id], index, {game.game_id: PREGAME})
        keys = {tuple(r[k] for k in ingame.STATE_FIELDS) for r in trained}
        assert len(sampled) > 70 and all(
            tuple(r[k] for k in ingame.STATE_FIELDS) in keys for r in sampled.to_dict("records")
        )
    # the tracked state is informative, not neutral defaults: possession known, bonus, run and timeouts move
    last = trained
    # (possession is unknown only at a period's start and from a miss to its rebound)
    assert sum(r["home_possession"] != 0 for r in last) > 0.65 * len(last)
    assert any(r["bonus_home"] for r in last) and any(r["run_2min"] for r in last)
    assert any(r["timeouts_used_diff"] for r in last) and max(r["period"] for r in last) == 5
