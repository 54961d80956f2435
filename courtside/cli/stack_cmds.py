"""`courtside up`, `courtside demo` and `courtside config`: run and inspect the local stack."""

from __future__ import annotations

import json
import signal
import threading
import time

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command()
    def up(
        aws_port: int = typer.Option(None, envvar="COURTSIDE_AWS_PORT", help="moto server port (default 5000)"),
        api_port: int = typer.Option(None, envvar="COURTSIDE_API_PORT", help="local API port (default 3000)"),
        empty: bool = typer.Option(False, "--empty", help="start without seeding history, features and model"),
    ) -> None:
        """Run the local stack in the foreground: moto server, stream pollers, local API. Ctrl-C stops it."""
        from courtside.config import get_settings
        from courtside.local.seed import load_games_file, seed_stack
        from courtside.local.stack import LocalStack

        settings = get_settings()
        stop = threading.Event()
        # Ctrl-C and SIGTERM only set a flag: the stack then stops its pollers, API and moto server in order.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        with LocalStack(settings, aws_port=aws_port, api_port=api_port) as stack:
            typer.echo(f"AWS (moto)  : {stack.endpoint_url}   export AWS_ENDPOINT_URL={stack.endpoint_url}")
            typer.echo(f"API         : {stack.api_url}   (GET /health, POST /v1/predictions/pregame)")
            if not empty:

                def report(step: str, status: str) -> None:
                    stack.readiness.step(step, status)
                    typer.echo(f"seeding {step}: {status}")

                result = seed_stack(settings, load_games_file(settings), report=report)
                typer.echo(
                    f"seeded: {result.games_loaded} games, model {result.model_version}, "
                    f"live model {result.live_model_version}"
                )
            stack.mark_ready()
            typer.echo("ready — Ctrl-C to stop")
            while not stop.is_set():
                time.sleep(0.2)
            typer.echo("stopping…")

    @app.command()
    def demo(
        max_games: int = typer.Option(None, help="replay only the first N games of 2018-19"),
        api_port: int = typer.Option(None, envvar="COURTSIDE_API_PORT", help="local API port (default 3000)"),
        aws_port: int = typer.Option(None, envvar="COURTSIDE_AWS_PORT", help="moto server port (default 5000)"),
    ) -> None:
        """Run the main job end to end on the local stack and print a summary (also .courtside/demo/summary.json)."""
        from courtside.demo import print_summary, run_demo

        summary = run_demo(max_replay_games=max_games, api_port=api_port, aws_port=aws_port)
        print_summary(summary)
        if summary["events_in"] != summary["events_stored"] + summary["events_quarantined"]:
            raise typer.Exit(1)

    @app.command()
    def config() -> None:
        """Print the resource names and settings shared by the CDK app and the local stack."""
        from courtside.config import get_settings

        s = get_settings()
        typer.echo(
            json.dumps(
                {"names": s.names.as_dict(), "region": s.region, "aws_port": s.aws_port, "api_port": s.api_port},
                indent=2,
            )
        )
