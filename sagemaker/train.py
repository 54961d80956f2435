"""SageMaker script-mode entry point of the pre-game model (the same script runs locally and as a training job).

Thin by design: the contract lives in `courtside.training.entry` and the logic in `courtside.training.core`.
The repository root (this file's parent's parent) is put first on sys.path so that a checkout of any commit
(`courtside reproduce` uses a git worktree) trains with its own `courtside` code. This folder has no __init__.py,
so it never shadows the `sagemaker` SDK.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(REPO_ROOT))

from courtside.training.entry import main  # noqa: E402

if __name__ == "__main__":
    main()
