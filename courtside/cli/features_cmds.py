"""`courtside` commands of the features area: the feature registry and analyst SQL."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer


def _table(rows: list[dict], limit: int = 200) -> str:
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    shown = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows[:limit]]
    widths = [max(len(c), *(len(r[i]) for r in shown)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    if len(rows) > limit:
        out.append(f"... {len(rows) - limit} more rows (use --csv for all)")
    return "\n".join(out)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    features = typer.Typer(help="Feature registry and feature store.", no_args_is_help=True)
    app.add_typer(features, name="features")

    @features.command("list")
    def list_features(csv_out: bool = typer.Option(False, "--csv", help="CSV instead of a table")) -> None:
        """Print the feature registry: entity, type, owner, freshness SLA, TTL, source, transformation."""
        from dataclasses import asdict

        from courtside.features.registry import REGISTRY

        rows = [asdict(f) for f in REGISTRY]
        if csv_out:
            w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        else:
            typer.echo(_table(rows))

    @app.command("sql")
    def sql(
        query: str = typer.Argument(None, help="SQL text (Athena dialect)"),
        file: Path = typer.Option(None, "-f", "--file", help="run the SQL in this file"),
        csv_out: bool = typer.Option(False, "--csv", help="CSV instead of a table"),
        local_lake: Path = typer.Option(None, "--local-lake", help="read the lake from this directory, not S3"),
    ) -> None:
        """Run analyst SQL on DuckDB over the lake (the same SQL Athena runs)."""
        from courtside.sql import run_sql

        if (query is None) == (file is None):
            raise typer.BadParameter("give either a query or -f FILE")
        rows = run_sql(file.read_text() if file else query, local_lake=local_lake)
        if csv_out:
            if rows:
                w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        else:
            typer.echo(_table(rows))
