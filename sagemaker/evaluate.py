"""SageMaker Pipeline step "EvaluateModel" (processing job): model.tar.gz + holdout -> evaluation.json.

Thin entry: the logic is `courtside.training.pipeline_jobs.evaluate`; evaluation.json is the PropertyFile the
quality gate (ConditionStep) reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(REPO_ROOT))

from courtside.training.pipeline_jobs import evaluate_main  # noqa: E402

if __name__ == "__main__":
    evaluate_main()
