"""Walk-forward backtest of the pre-game model: every game predicted only from what was known before tip-off.

Why walk-forward: features from :func:`courtside.features.history.pregame_rows` are already pre-game (Elo and
schedule state before the game), and the model itself is retrained on a schedule (``retrain``: once per season,
or monthly) using only games strictly earlier than the first game it will predict. Benchmarks (538, closing
line) are joined after prediction, under ``bench_*`` names, so they can never reach the feature matrix; a check
refuses any feature column that looks like one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.models import pregame
from courtside.models.training_options import assert_no_benchmark_features

PREDICTION_COLUMNS = ("game_key", "home_win_probability", "model_version")


@dataclass(frozen=True)
class BacktestConfig:
    """What to predict, from which history, with which candidate, retrained how often."""

    from_season: int = 2015
    to_season: int = 2019
    min_train_season: int = 1985
    retrain: str = "season"  # "season" or "month"
    hyperparameters: dict[str, Any] = field(default_factory=lambda: {"model_kind": "ensemble"})


def _blocks(test: Any, retrain: str) -> list[Any]:
    if retrain == "month":
        months = test["date"].astype(str).str[:7]
        return [test[months == m] for m in sorted(months.unique())]
    return [test]


def walk_forward(
    frame: Any,
    cfg: BacktestConfig,
    fit: Callable[[Any, Mapping[str, Any]], Any] = pregame.fit,
    models: list[Any] | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Predictions for seasons ``from_season..to_season`` and a log of every training window used."""
    import pandas as pd

    bench = [c for c in frame.columns if c.startswith(("bench_", "fte_"))]
    if bench:
        raise ValueError(f"the backtest frame must not carry benchmark columns: {bench}")
    hp = dict(cfg.hyperparameters)
    assert_no_benchmark_features(hp.get("features") or [])
    frame = frame[frame["season"] >= cfg.min_train_season]
    preds, log = [], []
    for season in range(cfg.from_season, cfg.to_season + 1):
        for block in _blocks(frame[frame["season"] == season], cfg.retrain):
            if block.empty:
                continue
            first_date = str(block["date"].min())
            train = frame[frame["date"].astype(str) < first_date]
            if train.empty:
                raise ValueError(f"no training games before {first_date}")
            assert str(train["date"].max()) < first_date, "training data overlaps the predicted block"
            model = fit(train, hp)
            if models is not None:
                models.append(model)
            version = pregame.model_version_of(model)
            p = model.predict_many(block.to_dict("records"))
            preds.append(
                pd.DataFrame(
                    {"game_key": block["game_key"].to_numpy(), "home_win_probability": p, "model_version": version}
                )
            )
            log.append(
                {
                    "season": season,
                    "first_predicted": first_date,
                    "train_rows": int(len(train)),
                    "train_last_date": str(train["date"].max()),
                    "model_version": version,
                    "features": list(getattr(model, "feature_names", [])),
                }
            )
    return pd.concat(preds, ignore_index=True), log


def with_context(preds: Any, frame: Any, benchmarks: Any | None) -> Any:
    """Predictions joined to labels and slice fields (and benchmarks, for evaluation only)."""
    ctx = frame[["game_key", "date", "season", "home_team", "away_team", "is_playoff", "home_win", "elo_diff"]]
    out = preds.merge(ctx, on="game_key", how="left", validate="one_to_one")
    if benchmarks is not None:
        out = out.merge(benchmarks, on="game_key", how="left", validate="one_to_one")
    return out


def build_frame(data_dir: Path | str | None, hp: Mapping[str, Any]) -> Any:
    """The pre-game frame, with player-rating features joined when the candidate asks for them."""
    from courtside.models.dataset import pregame_frame

    frame = pregame_frame(data_dir)
    if hp.get("player_features"):
        from courtside.models import player_ratings

        frame = player_ratings.add_player_features(frame, player_ratings.default_box_path(data_dir, hp))
    return frame


def run(out_dir: Path | str, cfg: BacktestConfig, data_dir: Path | str | None = None) -> dict[str, Any]:
    """Backtest, write predictions.csv + the evaluation report under `out_dir`, return the report dict."""
    from courtside.evaluation.report import evaluate
    from courtside.models.dataset import benchmarks

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = build_frame(data_dir, cfg.hyperparameters)
    models: list[Any] = []
    preds, log = walk_forward(frame, cfg, models=models)
    preds.to_csv(out / "predictions.csv", index=False, columns=list(PREDICTION_COLUMNS))
    scored = with_context(preds, frame, benchmarks(data_dir))
    scored = scored[scored["bench_fte_prob"].notna()]
    from courtside.evaluation.perturbation import pregame_suite

    last_season = frame[frame["season"] == cfg.to_season].head(300).to_dict("records")
    extra = {
        "backtest": {"config": json.loads(json.dumps(cfg.__dict__, default=str)), "training_windows": log},
        "perturbation": pregame_suite(models[-1], last_season),
    }
    report = evaluate(scored, out, title=f"Walk-forward backtest {cfg.from_season}-{cfg.to_season}", extra=extra)
    from dataclasses import asdict

    from courtside.evaluation.perturbation import promotion_gate

    gate = promotion_gate(report)
    report["gate"] = asdict(gate)
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=float))
    with (out / "report.md").open("a") as fh:
        fh.write(f"\n## Promotion gate\n\npassed: {gate.passed}; reasons: {gate.reasons or 'none'}\n")
        fh.write(f"\nPerturbation tests: passed {extra['perturbation']['passed']}\n")
    return report
