"""Train the served in-game model (``courtside models train-live``) and write it as one JSON document.

Why a separate path from :mod:`courtside.models.ingame_report`: the report fits the model, the baseline, every
ablation, a calibration study, a late-phase validation and a bootstrap (~8 minutes); serving needs only the model.
This runs the report's recipe for the model alone - LiveState replays of 2015-16..2017-18 play-by-play, the label
model fitted on the training states, :func:`courtside.models.ingame.fit` with its defaults - and scores the 2018-19
states once for a test Brier. The per-bin Platt maps are not applied: the report's validation did not keep them.

The document is the ``courtside-ingame-v6`` serving form plus a ``metadata`` object (seasons, states, games,
code version, created time, test Brier); :func:`courtside.models.ingame.load_model` ignores the extra key, so the
same file is what the registry stores and the live endpoint parses. ``data/models/ingame_model.json`` is this
document, shipped so a machine without the full play-by-play can seed the local stack.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from courtside.models import ingame
from courtside.models.ingame_events import LakeGames
from courtside.models.ingame_report import TEST_SEASON, TRAIN_SEASONS, _brier, _season_code
from courtside.models.ingame_states import Progress

SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "data" / "models" / "ingame_model.json"


@dataclass
class TrainedLiveModel:
    model: ingame.InGameModel
    metadata: dict[str, Any] = field(default_factory=dict)
    test_states: Any = field(default=None, repr=False)  # the states the test Brier was scored on (not serialised)

    def to_json(self) -> str:
        """The serving document with its metadata (compact: this is the file the registry and the repo ship)."""
        doc = self.model.as_dict()
        doc["metadata"] = self.metadata
        return json.dumps(doc, separators=(",", ":"))


def read_metadata(text: str | bytes) -> dict[str, Any]:
    """The ``metadata`` object of a trained in-game document (empty for a bare model document)."""
    meta = json.loads(text).get("metadata") or {}
    return dict(meta)


def train(
    pbp_dir: Path | LakeGames,
    train_seasons: Sequence[str] = TRAIN_SEASONS,
    test_season: str | None = TEST_SEASON,
    n_estimators: int = 300,
    pregame_predictions: Path | None = ingame.WALK_FORWARD_PREDICTIONS,
    progress: Progress | None = None,
    elo_probs: Mapping[str, float] | None = None,
) -> TrainedLiveModel:
    """Fit on `train_seasons`; when `test_season` is given, score its states once (Brier) for the metadata.

    `pbp_dir` holds the play-by-play files, or is the lake's validated events (:mod:`courtside.models.ingame_events`).

    `pregame_predictions` is a ``courtside backtest`` predictions CSV (the committed one by default): the early trees'
    pre-game input. None fits no early trees (a v6 document that serves the Elo-trained parts in every period).
    `progress` follows the replay of the play-by-play, the slowest step. `elo_probs`: see
    :func:`courtside.models.ingame.season_states`."""
    from courtside.training.tracking import code_version

    timings: dict[str, float] = {}
    t = time.perf_counter()
    seasons = [*train_seasons, *([test_season] if test_season else [])]
    states = ingame.season_states(pbp_dir, seasons, pregame_predictions, progress, elo_probs)
    timings["states_s"] = time.perf_counter() - t
    skipped = dict(pbp_dir.skipped) if isinstance(pbp_dir, LakeGames) else None  # games the lake could not use

    is_test = (_season_code(states) == test_season[2:4]).to_numpy() if test_season else None
    train_states = states[~is_test] if is_test is not None else states
    t = time.perf_counter()
    label_model = ingame.fit_label_model(train_states)
    model = ingame.fit(train_states, n_estimators=n_estimators, label_model=label_model)
    timings["fit_s"] = time.perf_counter() - t

    code = code_version()
    metadata: dict[str, Any] = {
        "train_seasons": list(train_seasons),
        "source": "play-by-play files" if skipped is None else "lake events",
        **({} if skipped is None else {"lake_games_skipped": skipped}),
        "train_states": int(len(train_states)),
        "train_games": int(train_states["GAME_ID"].nunique()),
        "n_estimators": n_estimators,
        "pregame_predictions": Path(pregame_predictions).name if pregame_predictions is not None else None,
        "early_trees": model.early is not None,
        "code_version": code.commit,
        "code_dirty": code.dirty,
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "command": "courtside models train-live",
    }
    if is_test is not None:
        test = states[is_test]
        t = time.perf_counter()
        metadata.update(
            test_season=test_season,
            test_states=int(len(test)),
            test_games=int(test["GAME_ID"].nunique()),
            test_brier=_brier(model.predict_frame(test), test["home_win"].to_numpy(int)),
        )
        timings["test_s"] = time.perf_counter() - t
    metadata["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    return TrainedLiveModel(model, metadata, states[is_test] if is_test is not None else None)
