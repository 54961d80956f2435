"""SageMaker Pipeline step "BuildTrainingSet" (processing job): curated games -> dataset version + channels.

Thin entry: the logic is `courtside.training.pipeline_jobs.build_dataset`. The processing job unpacks the staged
source (courtside/ + sagemaker/) as its working directory, so the repository root goes first on sys.path.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(REPO_ROOT))

from courtside.training.pipeline_jobs import build_dataset_main  # noqa: E402

if __name__ == "__main__":
    build_dataset_main()
