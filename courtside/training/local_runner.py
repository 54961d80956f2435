"""Run `sagemaker/train.py` in a subprocess under the SageMaker training-job environment contract.

Layout created under `output_root` (mirrors /opt/ml in a container):
  input/config/hyperparameters.json   string-valued hyperparameters, as SageMaker writes them
  input/config/resourceconfig.json    current host and hosts
  model/                              SM_MODEL_DIR
  output/data/                        SM_OUTPUT_DATA_DIR (metrics.json)
  output/failure                      written when the script fails
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT
from courtside.training.entry import parse_metric_lines

TRAIN_SCRIPT = REPO_ROOT / "sagemaker" / "train.py"


class TrainingJobError(RuntimeError):
    """The training script exited with a non-zero status."""


@dataclass
class TrainingResult:
    model_dir: Path
    metrics: dict[str, float]
    stdout: str
    output_data_dir: Path | None = None
    hyperparameters: dict[str, str] = field(default_factory=dict)

    @property
    def model_json(self) -> Path:
        return self.model_dir / "model.json"


def _as_sm_string(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def run_training_job(
    train_dir: Path,
    hyperparameters: dict[str, Any],
    output_root: Path,
    validation_dir: Path | None = None,
    script: Path | None = None,
    timeout: float = 600.0,
    extra_env: dict[str, str] | None = None,
) -> TrainingResult:
    """Run the training script like a one-host SageMaker training job; returns model dir, metrics and stdout."""
    script = Path(script or TRAIN_SCRIPT)
    output_root = Path(output_root)
    config_dir = output_root / "input" / "config"
    model_dir = output_root / "model"
    output_data_dir = output_root / "output" / "data"
    for d in (config_dir, model_dir, output_data_dir):
        d.mkdir(parents=True, exist_ok=True)
    hps = {k: _as_sm_string(v) for k, v in hyperparameters.items() if v is not None}
    (config_dir / "hyperparameters.json").write_text(json.dumps(hps, sort_keys=True, indent=2))
    (config_dir / "resourceconfig.json").write_text(json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))
    channels = {"train": Path(train_dir)}
    if validation_dir is not None:
        channels["validation"] = Path(validation_dir)
    env = {
        **os.environ,
        "SM_INPUT_CONFIG_DIR": str(config_dir),
        "SM_MODEL_DIR": str(model_dir),
        "SM_OUTPUT_DATA_DIR": str(output_data_dir),
        "SM_OUTPUT_DIR": str(output_root / "output"),
        "SM_HPS": json.dumps(hps, sort_keys=True),
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_CURRENT_HOST": "algo-1",
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
        "SM_TRAINING_ENV": json.dumps({"hyperparameters": hps, "current_host": "algo-1", "job_name": "local"}),
        "PYTHONPATH": os.pathsep.join([str(script.resolve().parent.parent), os.environ.get("PYTHONPATH", "")]),
        "PYTHONHASHSEED": "0",
    }
    for name, path in channels.items():
        env[f"SM_CHANNEL_{name.upper()}"] = str(path)
    env.update(extra_env or {})
    proc = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(script.resolve().parent.parent),
    )
    if proc.returncode != 0:
        (output_root / "output" / "failure").write_text(proc.stderr[-5000:])
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise TrainingJobError(f"{script} exited with status {proc.returncode}:\n{tail}")
    return TrainingResult(
        model_dir=model_dir,
        metrics=parse_metric_lines(proc.stdout),
        stdout=proc.stdout,
        output_data_dir=output_data_dir,
        hyperparameters=hps,
    )
