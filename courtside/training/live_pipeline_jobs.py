"""What the in-game training pipeline's processing steps run (entries: `sagemaker/train_live.py`,
`sagemaker/register_live.py`), on directories laid out as SageMaker Processing mounts them.

train_live     play-by-play files (``pbp_<season>.parquet`` + ``games_index_*.csv``) or the lake's raw zone (the
               stream's validated ``pbp`` and ``game_final`` events), the lake's curated games (Elo's
               pre-game probability, through the same pre-game feature code as everywhere) and a ``courtside
               backtest`` predictions CSV (the early trees' input) -> ``model.json`` (the document
               ``courtside models train-live`` writes) and ``evaluation.json`` (a PropertyFile for the gate: the test
               season's Brier, the serving model's on the same states, the promotion gate's perturbation figures,
               ``gate.max_test_brier`` = min(ceiling, serving model's Brier + allowed regression)).
register_live  ``model.json`` -> a model package in the live group, pending manual approval, through
               :func:`courtside.training.live_model.register_live_model`: the function ``train-live --register``
               and the local stack's seeding call, so the package, its artifacts and its gate figures are the same
               wherever a model was trained.

Why a pipeline and not only the command: in the account the same training runs as a managed job with lineage and an
audit trail, next to the pre-game pipeline, and a model reaches the registry only past the gate.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from courtside.training.pipeline_jobs import EVALUATION_FILE, PROCESSING, champion_model_json, read_curated_games

MODEL_FILE = "model.json"


def train_live(
    pbp_dir: Path,
    games_dir: Path,
    predictions: Path | None,
    model_dir: Path,
    out_dir: Path,
    train_seasons: Sequence[str],
    test_season: str,
    max_test_brier: float,
    n_estimators: int = 300,
    max_regression: float = 0.0,
    champion: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Train the in-game model, check it, write ``model.json`` and ``evaluation.json``; returns the evaluation.

    `champion` = (version, document) of the serving in-game model: it is scored on the same test states, and the
    gate's ceiling becomes min(`max_test_brier`, its Brier + `max_regression`), as the pre-game pipeline's."""
    from courtside.evaluation.ingame_checks import failed_checks, gate_metrics, ingame_suite
    from courtside.evaluation.metrics import brier
    from courtside.models import ingame, ingame_events, ingame_train

    elo = ingame.pregame_probs(games=read_curated_games(games_dir)[0])
    source: Path | ingame_events.LakeGames = pbp_dir
    if ingame_events.is_raw_zone(pbp_dir):  # InputPbpUri = s3://{lake}/raw/: the stream's own validated events
        source = ingame_events.read_dir(pbp_dir, [*train_seasons, test_season])
    trained = ingame_train.train(source, train_seasons, test_season, n_estimators, predictions, elo_probs=elo)
    suite = ingame_suite(trained.model)
    meta = trained.metadata
    report: dict[str, Any] = {
        "metrics": {k: meta[k] for k in ("test_brier", "train_states", "test_states", "train_games") if k in meta},
        "perturbation": {**gate_metrics(suite), "failed": failed_checks(suite)},
        "champion": None,
    }
    ceiling = max_test_brier
    if champion is not None:
        version, text = champion
        test = trained.test_states
        champ_brier = brier(ingame.load_model(text).predict_frame(test), test["home_win"].to_numpy(int))
        report["champion"] = {"model_version": version, "test_brier": champ_brier}
        ceiling = min(max_test_brier, champ_brier + max_regression)
    report["gate"] = {"max_test_brier": ceiling, "passed": bool(suite["passed"]) and meta["test_brier"] <= ceiling}
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / MODEL_FILE).write_text(trained.to_json() + "\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / EVALUATION_FILE).write_text(json.dumps(report, indent=2, sort_keys=True))
    return report


def register_live(model_dir: Path, who: str, why: str) -> Any:
    """Register ``model.json`` in the live group, pending manual approval; returns the registry record."""
    from courtside.config import get_settings
    from courtside.training.live_model import register_live_model

    document = (model_dir / MODEL_FILE).read_bytes()
    return register_live_model(get_settings(), document, approve=False, who=who, why=why)


# ---- command lines (what the processing containers run) ------------------------------------------------------------


def train_live_main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=train_live.__doc__)
    p.add_argument("--pbp", type=Path, default=PROCESSING / "input" / "pbp")
    p.add_argument("--games", type=Path, default=PROCESSING / "input" / "games")
    p.add_argument("--predictions", type=Path, default=PROCESSING / "input" / "predictions")
    p.add_argument("--model", type=Path, default=PROCESSING / "model")
    p.add_argument("--out", type=Path, default=PROCESSING / "evaluation")
    p.add_argument("--train-seasons", required=True, help="comma-separated, e.g. 2015-16,2016-17,2017-18")
    p.add_argument("--test-season", required=True)
    p.add_argument("--max-test-brier", type=float, required=True)
    p.add_argument("--n-estimators", type=int, default=300)
    p.add_argument("--max-regression", type=float, default=0.0)
    p.add_argument("--group", default="", help="live model package group whose approved package is the champion")
    a = p.parse_args(argv)
    csv = sorted(a.predictions.rglob("*.csv")) if a.predictions.exists() else []
    if len(csv) > 1:
        raise ValueError(f"one backtest predictions CSV expected under {a.predictions}, found {len(csv)}")
    seasons = [s.strip() for s in a.train_seasons.split(",") if s.strip()]
    report = train_live(
        a.pbp, a.games, csv[0] if csv else None, a.model, a.out, seasons, a.test_season, a.max_test_brier,
        a.n_estimators, a.max_regression, champion_model_json(a.group) if a.group else None,
    )  # fmt: skip
    print(json.dumps(report), flush=True)


def register_live_main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=register_live.__doc__)
    p.add_argument("--model", type=Path, default=PROCESSING / "model")
    p.add_argument("--who", default="sagemaker-pipeline")
    p.add_argument("--why", default="trained by the in-game training pipeline; passed its gate")
    a = p.parse_args(argv)
    record = register_live(a.model, a.who, a.why)
    print(json.dumps({"model_version": record.model_version, "status": record.status}), flush=True)
