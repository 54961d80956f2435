"""The Courtside CDK app: ``cdk.json`` runs ``.venv/bin/python infra/app.py``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from infra import build_app  # noqa: E402


def main() -> None:
    app = build_app()
    app.synth()


if __name__ == "__main__":
    main()
