"""The `courtside` command line. Each command group lives in its own module and registers itself here.

Why a registry of modules: each area (ingestion, features, training, serving, monitoring, privacy) owns its
commands next to its code, and importing the CLI stays cheap because heavy imports happen inside commands.
"""

from __future__ import annotations

import importlib
import sys

import typer

from courtside.config import REPO_ROOT

# The CLI runs the repository's handlers (functions/) and jobs (glue/) as the cloud runs them from their asset
# roots, so the repository root must be importable even when `courtside` is called from another directory.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

app = typer.Typer(
    name="courtside",
    help="Courtside: NBA win probabilities on a serverless AWS platform, runnable on a laptop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules exposing `register(app)`; order is the order of --help.
COMMAND_MODULES = (
    "courtside.cli.stack_cmds",
    "courtside.cli.ingest_cmds",
    "courtside.cli.features_cmds",
    "courtside.cli.train_cmds",
    "courtside.cli.model_cmds",
    "courtside.cli.serve_cmds",
    "courtside.cli.monitor_cmds",
    "courtside.cli.privacy_cmds",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
