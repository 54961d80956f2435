"""Put the inference code next to the model so the training job's `model.tar.gz` can be hosted as is.

SageMaker's framework containers serve a model artifact by importing `code/<SAGEMAKER_PROGRAM>` from inside the
unpacked `model.tar.gz` (the CDK model and the pipeline's model package both set `SAGEMAKER_PROGRAM=inference.py`
and `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code`). A training job therefore has to write that folder itself:
`sagemaker/inference.py` plus the `courtside` package it loads the model with (pure Python, stdlib-only on the
serving path), so the endpoint scores with exactly the code version that trained the model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CODE_DIR = "code"
PROGRAM = "inference.py"


def source_root() -> Path:
    """The folder holding `courtside/` and `sagemaker/` (a checkout locally, the unpacked sourcedir in a job)."""
    return Path(__file__).resolve().parents[2]


def bundle_inference_code(model_dir: Path, root: Path | None = None) -> Path:
    """Copy `sagemaker/inference.py` and `courtside/` into `model_dir/code`; returns that folder.

    Raises FileNotFoundError when the entry point is missing: a model that cannot be hosted should fail the job,
    not surface later as an endpoint that never becomes healthy.
    """
    root = root or source_root()
    program = root / "sagemaker" / PROGRAM
    if not program.is_file():
        raise FileNotFoundError(f"{program} is missing: the model artifact could not be hosted")
    code = model_dir / CODE_DIR
    code.mkdir(parents=True, exist_ok=True)
    shutil.copy2(program, code / PROGRAM)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "courtside", code / "courtside", ignore=ignore, dirs_exist_ok=True)
    return code
