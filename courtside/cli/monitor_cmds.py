"""`courtside monitor ...`: report, drift job, retrain run and the drift drill (heavy imports inside commands)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

monitor = typer.Typer(help="Model monitoring and continual learning (issue 8).", no_args_is_help=True)


@monitor.command("report")
def report(
    out: Path = typer.Option(Path("monitoring-report"), "--out", help="output directory"),
    window: int = typer.Option(100, help="rolling window (labeled predictions)"),
) -> None:
    """Render the HTML/PNG report from labeled captures and the latest drift comparison (needs a running stack)."""
    from courtside.config import get_settings
    from courtside.monitoring.report import report_from_lake

    page, why = report_from_lake(get_settings(), out, window)
    if why:
        typer.echo(why)
    typer.echo(str(page))


@monitor.command("drift")
def drift_job() -> None:
    """Run the scheduled monitor handler once (drift + performance metrics)."""
    from functions.monitor.handler import handler

    typer.echo(json.dumps(handler({}, None), default=str, indent=1))


@monitor.command("retrain")
def retrain(alarm: list[str] = typer.Option([], help="pretend these alarms fire")) -> None:
    """Run the retrain handler once (policy -> challenger -> gate -> registry)."""
    from datetime import UTC, datetime

    from courtside.config import get_settings
    from courtside.continual.service import run_retrain

    typer.echo(json.dumps(run_retrain(get_settings(), set(alarm), datetime.now(UTC)), default=str, indent=1))


@monitor.command("drill")
def drill(out: Path = typer.Option(None, "--out", help="write rolling Brier PNG + JSON here")) -> None:
    """Replay 2017-18 with home advantage removed from game 600; print alarm, decisions and recovery."""
    from courtside.config import get_settings
    from courtside.continual.drill import run_drill

    r = run_drill(get_settings().data_dir)
    summary = r.as_dict()
    summary["decisions"] = [
        {k: d[k] for k in ("game", "trigger", "challenger", "promoted", "failed")} for d in summary["decisions"]
    ]
    typer.echo(json.dumps(summary, default=str, indent=1))
    if out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out.mkdir(parents=True, exist_ok=True)
        fig, ax = plt.subplots(figsize=(9, 3.5))
        ax.plot(r.rolling["game"], r.rolling["counterfactual"], label="frozen champion", alpha=0.6)
        ax.plot(r.rolling["game"], r.rolling["rolling_brier"], label="served (continual)")
        ax.axhline(0.24, color="red", linestyle="--")
        ax.axvline(r.shift_start, color="grey", linestyle=":")
        ax.legend()
        fig.savefig(out / "drill.png")
        (out / "drill.json").write_text(json.dumps(summary, default=str, indent=1))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(monitor, name="monitor")
