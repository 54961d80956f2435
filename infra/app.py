"""The Courtside CDK app: ``cdk.json`` runs ``.venv/bin/python infra/app.py``."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
# Run as a script, Python puts infra/ first on sys.path, where infra/constructs.py would shadow the `constructs`
# package that aws_cdk imports. Replace it with the repo root so that `import infra` / `import courtside` work.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from infra import build_app  # noqa: E402


def main() -> None:
    app = build_app()
    app.synth()


if __name__ == "__main__":
    main()
