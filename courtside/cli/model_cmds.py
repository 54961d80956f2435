"""`courtside` commands of the modelling area: walk-forward backtest, experiments table, in-game report.

Heavy imports happen inside the commands so `courtside --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

SHARED_DATA = Path("/work/shared/data")


def _box_dir(box_dir: str | None) -> str | None:
    """Full box scores when available (optional benchmark data), else the repo extract is used."""
    if box_dir:
        return box_dir
    return str(SHARED_DATA) if (SHARED_DATA / "box" / "player_box_2015_2019.parquet").exists() else None


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("backtest")
    def backtest_cmd(
        from_season: int = typer.Option(2015, "--from-season"),
        to_season: int = typer.Option(2019, "--to-season"),
        out: Path = typer.Option(Path("docs/results"), "--out"),
        model_kind: str = typer.Option("logistic", "--model-kind"),
        min_train_season: int = typer.Option(1985, "--min-train-season"),
        retrain: str = typer.Option("season", "--retrain", help="season or month"),
        players: bool = typer.Option(True, "--players/--no-players", help="add box-score player ratings"),
        box_dir: str = typer.Option(None, "--box-dir", help="data dir with box/ and pbp/ index (full history)"),
        data_dir: Path = typer.Option(None, "--data-dir"),
    ) -> None:
        """Walk-forward backtest: predictions.csv + report.md/json/PNGs under OUT."""
        from courtside.backtest import BacktestConfig, run
        from courtside.evaluation.experiments import BASE, PLAYER

        hp: dict = {"model_kind": model_kind}
        if players:
            hp.update({"player_features": True, "features": BASE + PLAYER})
            if _box_dir(box_dir):
                hp["box_dir"] = _box_dir(box_dir)
        cfg = BacktestConfig(from_season, to_season, min_train_season, retrain, hp)
        report = run(out, cfg, data_dir)
        typer.echo(json.dumps({"overall": report["overall"], "gate": report["gate"]}, indent=2, default=float))

    @app.command("experiments")
    def experiments_cmd(
        from_season: int = typer.Option(2015, "--from-season"),
        to_season: int = typer.Option(2019, "--to-season"),
        out: Path = typer.Option(Path("docs/results/experiments.md"), "--out"),
        box_dir: str = typer.Option(None, "--box-dir"),
        data_dir: Path = typer.Option(None, "--data-dir"),
    ) -> None:
        """Every candidate and switch on the same walk-forward holdout, plus rare-event and transfer studies."""
        from courtside.backtest import build_frame
        from courtside.evaluation import experiments
        from courtside.models import rare_event, transfer
        from courtside.models.dataset import benchmarks

        hp = {"player_features": True, "box_dir": _box_dir(box_dir)}
        frame = build_frame(data_dir, hp)
        rows = experiments.run_all(frame, benchmarks(data_dir), from_season, to_season)
        md = experiments.to_markdown(
            rows,
            rare_event.compare(frame, test_from=from_season),
            transfer.compare(frame, season=to_season),
            f"## Candidates and switches, walk-forward {from_season}-{to_season} (`courtside experiments`)",
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(md + "\n")
        typer.echo(md)

    @app.command("calibration-study")
    def calibration_study_cmd(
        from_season: int = typer.Option(2015, "--from-season"),
        to_season: int = typer.Option(2019, "--to-season"),
        out: Path = typer.Option(Path("docs/results/calibration.md"), "--out"),
        box_dir: str = typer.Option(None, "--box-dir"),
        data_dir: Path = typer.Option(None, "--data-dir"),
    ) -> None:
        """Post-hoc calibration at every retrain vs none: per-season ECE against its sampling-noise floor."""
        from courtside.backtest import build_frame
        from courtside.evaluation import calibration_study
        from courtside.evaluation.experiments import BASE, PLAYER
        from courtside.models.dataset import benchmarks

        hp = {"player_features": True, "box_dir": _box_dir(box_dir)}
        frame = build_frame(data_dir, hp)
        base_hp = {"model_kind": "logistic", "features": BASE + PLAYER}
        study = calibration_study.run(frame, benchmarks(data_dir), from_season, to_season, base_hp)
        md = calibration_study.to_markdown(
            study,
            f"## Post-hoc calibration per retrain, walk-forward {from_season}-{to_season} "
            "(`courtside calibration-study`)",
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(md)
        (out.with_suffix(".json")).write_text(json.dumps(study, indent=2, default=float))
        typer.echo(md)

    @app.command("ingame-report")
    def ingame_cmd(
        pbp_dir: Path = typer.Option(SHARED_DATA / "pbp", "--pbp-dir"),
        out: Path = typer.Option(Path("docs/results/ingame"), "--out"),
    ) -> None:
        """In-game model: train 2015-16..2017-18, test 2018-19; Brier per quarter and last 5 minutes vs baseline."""
        from tqdm import tqdm

        from courtside.models import ingame_report

        with tqdm(desc="replaying play-by-play (fitting follows)", unit="game") as bar:
            report = ingame_report.report(pbp_dir, out, progress=bar)
        typer.echo(json.dumps(report["bins"], indent=2, default=float))
