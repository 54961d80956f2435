"""SageMaker Pipeline step of the in-game training pipeline (processing job).

Thin entry: the logic is `courtside.training.live_pipeline_jobs.register_live`.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(REPO_ROOT))

from courtside.training.live_pipeline_jobs import register_live_main  # noqa: E402

if __name__ == "__main__":
    register_live_main()
