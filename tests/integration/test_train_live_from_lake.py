"""`courtside models train-live --from-lake`: the in-game model trained on the games the platform streamed, read
from the lake bucket where the validate function's sinks wrote them (moto S3, the same boto3 calls as on AWS)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from _ingest_support import encode, kinesis_record  # noqa: E402

from courtside.cli import app  # noqa: E402
from courtside.config import Settings  # noqa: E402
from courtside.ingest.aws_sinks import AwsSinks  # noqa: E402
from courtside.ingest.core import process_records  # noqa: E402
from courtside.ingest.state import MemoryStateStore  # noqa: E402
from courtside.models import ingame_events  # noqa: E402
from courtside.models.ingame import load_model  # noqa: E402
from courtside.models.ingame_train import read_metadata  # noqa: E402
from courtside.sources.extract import iter_game_events  # noqa: E402

GAMES = 40


def _stream(settings: Settings, data_dir: Path) -> None:
    """The extract's first games through the validate function's core into the lake bucket."""
    sinks, state = AwsSinks(settings), MemoryStateStore()
    for _, events in iter_game_events(data_dir, games=GAMES):
        records = [kinesis_record(encode(ev), ev["game_id"]) for _, ev in events]
        for i in range(0, len(records), 500):
            process_records(records[i : i + 500], sinks, state)


def test_train_live_from_the_lakes_events(aws: Settings, data_dir: Path, tmp_path: Path) -> None:
    _stream(aws, data_dir)
    lake = ingame_events.read_bucket(aws.names.lake_bucket, ["2018-19"])
    assert len(lake.finals) == GAMES and len(lake.pbp) == GAMES

    out = tmp_path / "ingame.json"
    args = ["models", "train-live", "--out", str(out), "--from-lake", "--train-seasons", "2018-19"]
    args += ["--test-season", "", "--n-estimators", "10"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    meta = read_metadata(out.read_bytes())
    assert meta["source"] == "lake events" and meta["lake_games_skipped"] == {}
    assert meta["train_games"] == GAMES and meta["train_states"] > GAMES * 70
    model = load_model(out.read_bytes())
    assert model.late is not None and len(model.trees.trees) == 10


def test_no_events_for_the_seasons_is_a_clear_error(aws: Settings, tmp_path: Path) -> None:
    args = ["models", "train-live", "--out", str(tmp_path / "m.json"), "--from-lake", "--train-seasons", "2015-16"]
    res = CliRunner().invoke(app, [*args, "--test-season", ""])
    assert res.exit_code == 2
    assert json.loads(res.stderr) == {"error": "no_lake_events", "seasons": ["2015-16"]}
    assert not (tmp_path / "m.json").exists()
