"""What the SageMaker Pipeline's two processing steps run (entries: `sagemaker/build_dataset.py`,
`sagemaker/evaluate.py`).

Why here and not in the scripts: the same functions run in a processing container and in tests, on local
directories laid out as SageMaker Processing mounts them (`/opt/ml/processing/...`).

build_dataset  curated games (Parquet files of `s3://{lake}/curated/games/`) -> pre-game training set -> dataset
               version in the lake (`datasets.materialise`, same id as `courtside train` would give) -> the `train`
               channel (seasons before the holdout), the `validation` channel (the last `holdout_seasons`) and
               `manifest.json` (read by the pipeline as a PropertyFile: `version`, `row_count`, ...).
evaluate       model.tar.gz of the training step + the validation channel -> `evaluation.json` (a PropertyFile for
               the quality gate): the candidate's Brier, log loss, ECE and accuracy on the holdout, the champion's
               (the approved package of the group, when there is one) on the same rows, and the gate thresholds
               `gate.max_brier` = min(max_brier, champion Brier + max_regression) and `gate.max_ece`. It also holds a
               `binary_classification_metrics` block in the Model Registry's model-quality format.
"""

from __future__ import annotations

import argparse
import json
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

PROCESSING = Path("/opt/ml/processing")
EVALUATION_FILE = "evaluation.json"
MANIFEST_FILE = "manifest.json"


# ---- build the training set -------------------------------------------------------------------------------------


def split_holdout(rows: pd.DataFrame, holdout_seasons: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, validation): validation = the last `holdout_seasons` seasons (time split, never random)."""
    seasons = sorted(int(s) for s in rows["season"].unique())
    if holdout_seasons <= 0 or holdout_seasons >= len(seasons):
        raise ValueError(f"holdout_seasons must be in 1..{len(seasons) - 1}, got {holdout_seasons}")
    first_holdout = seasons[-holdout_seasons]
    return rows[rows["season"] < first_holdout], rows[rows["season"] >= first_holdout]


def read_curated_games(games_dir: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Every curated games Parquet file under `games_dir` (the lake's ``curated/games/`` layout) as one frame, and
    the files it came from (their partitions are the dataset's lineage)."""
    files = sorted(Path(games_dir).rglob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no curated games Parquet files under {games_dir}")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True), files


def build_dataset(
    games_dir: Path,
    out_train: Path,
    out_validation: Path,
    out_manifest: Path,
    lake_bucket: str,
    holdout_seasons: int = 1,
    min_season: int | None = None,
) -> dict[str, Any]:
    """Build, version and split the training set; returns the manifest dict (also written to `out_manifest`)."""
    from courtside.training import datasets
    from courtside.training.core import canonical_order
    from courtside.training.flow import build_training_set

    games, files = read_curated_games(games_dir)
    if min_season is not None:
        games = games[games["season"] >= min_season]
    rows = build_training_set(games)
    partitions = sorted({str(f.parent.relative_to(games_dir)) for f in files})
    manifest = datasets.materialise(rows, lake_bucket, source_partitions=partitions)
    train, validation = split_holdout(canonical_order(rows), holdout_seasons)
    for df, out in ((train, out_train), (validation, out_validation)):
        out.mkdir(parents=True, exist_ok=True)
        (out / "data.parquet").write_bytes(datasets.parquet_bytes(df))
    doc = json.loads(manifest.to_json())
    doc["split"] = {"train_rows": len(train), "validation_rows": len(validation), "holdout_seasons": holdout_seasons}
    out_manifest.mkdir(parents=True, exist_ok=True)
    (out_manifest / MANIFEST_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True))
    return doc


# ---- evaluate ------------------------------------------------------------------------------------------------------


def model_json_from_tarball(path: Path) -> str:
    """`model.json` out of the training job's `model.tar.gz` (or the file itself when given model.json)."""
    if path.name.endswith(".json"):
        return path.read_text()
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("model.json")
        if member is None:
            raise FileNotFoundError(f"{path} holds no model.json")
        return member.read().decode()


def _scores(model_json: str, rows: pd.DataFrame) -> dict[str, float]:
    from courtside.evaluation import metrics
    from courtside.training.core import LABEL, load_serving_model, predict

    p = predict(load_serving_model(model_json), rows)
    return {k: float(v) for k, v in metrics.summary(p, rows[LABEL].astype(int).tolist()).items()}


def champion_model_json(group: str) -> tuple[str, str] | None:
    """(model version, model JSON) of the group's serving (newest approved) package, or None."""
    from courtside import registry

    found = registry.load_approved_model_json(group)
    if found is None:
        return None
    record, text = found
    return record.model_version, text


def evaluate(
    model_path: Path,
    validation_dir: Path,
    out_dir: Path,
    max_brier: float,
    max_ece: float,
    max_regression: float = 0.0,
    champion: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Score the candidate (and the champion) on the holdout; write and return the evaluation report."""
    from courtside.training.core import read_channel

    rows = read_channel(validation_dir)
    candidate = _scores(model_json_from_tarball(model_path), rows)
    report: dict[str, Any] = {"rows": len(rows), "metrics": candidate, "champion": None}
    gate_brier = max_brier
    if champion is not None:
        version, text = champion
        champ = _scores(text, rows)
        report["champion"] = {"model_version": version, "metrics": champ}
        gate_brier = min(max_brier, champ["brier"] + max_regression)
    report["gate"] = {"max_brier": gate_brier, "max_ece": max_ece}
    report["gate"]["passed"] = candidate["brier"] <= gate_brier and candidate["ece"] <= max_ece
    report["binary_classification_metrics"] = {
        name: {"value": candidate[name], "standard_deviation": "NaN"} for name in ("brier", "log_loss", "ece")
    } | {"accuracy": {"value": candidate["accuracy"], "standard_deviation": "NaN"}}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / EVALUATION_FILE).write_text(json.dumps(report, indent=2, sort_keys=True))
    return report


# ---- command lines (what the processing containers run) ------------------------------------------------------------


def build_dataset_main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=build_dataset.__doc__)
    p.add_argument("--games", type=Path, default=PROCESSING / "input" / "games")
    p.add_argument("--train", type=Path, default=PROCESSING / "train")
    p.add_argument("--validation", type=Path, default=PROCESSING / "validation")
    p.add_argument("--manifest", type=Path, default=PROCESSING / "manifest")
    p.add_argument("--lake-bucket", required=True)
    p.add_argument("--holdout-seasons", type=int, default=1)
    p.add_argument("--min-season", type=int, default=None)
    a = p.parse_args(argv)
    doc = build_dataset(a.games, a.train, a.validation, a.manifest, a.lake_bucket, a.holdout_seasons, a.min_season)
    print(f"dataset version {doc['version']}: {doc['row_count']} rows, split {doc['split']}", flush=True)


def evaluate_main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=evaluate.__doc__)
    p.add_argument("--model", type=Path, default=PROCESSING / "model" / "model.tar.gz")
    p.add_argument("--validation", type=Path, default=PROCESSING / "validation")
    p.add_argument("--out", type=Path, default=PROCESSING / "evaluation")
    p.add_argument("--max-brier", type=float, required=True)
    p.add_argument("--max-ece", type=float, required=True)
    p.add_argument("--max-regression", type=float, default=0.0)
    p.add_argument("--group", default="", help="model package group whose approved package is the champion")
    a = p.parse_args(argv)
    champion = champion_model_json(a.group) if a.group else None
    report = evaluate(a.model, a.validation, a.out, a.max_brier, a.max_ece, a.max_regression, champion)
    print(json.dumps({"metrics": report["metrics"], "gate": report["gate"]}), flush=True)
