"""The SageMaker script-mode contract, implemented once for `sagemaker/train.py`.

Inputs
  hyperparameters  `$SM_INPUT_CONFIG_DIR/hyperparameters.json` (default `/opt/ml/input/config`), then `--name value`
                   arguments (arguments win); SageMaker writes every value as a string.
  SM_CHANNEL_TRAIN       directory of Parquet files (output of `courtside.features.history.pregame_rows`)
  SM_CHANNEL_VALIDATION  optional, same layout
  DATASET_VERSION / hyperparameter `dataset_version`: recorded in the model metadata when given
Outputs
  $SM_MODEL_DIR/model.json             the compact LinearModel JSON with metadata
  $SM_OUTPUT_DATA_DIR/metrics.json     metrics
  stdout                               one `metric name=value` line per metric
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_DIR = "/opt/ml/input/config"


def read_hyperparameters(environ: Mapping[str, str], argv: Sequence[str]) -> dict[str, Any]:
    config_dir = Path(environ.get("SM_INPUT_CONFIG_DIR", DEFAULT_CONFIG_DIR))
    values: dict[str, Any] = {}
    hp_file = config_dir / "hyperparameters.json"
    if hp_file.exists():
        values.update(json.loads(hp_file.read_text()))
    values.update(parse_args(argv))
    return values


def parse_args(argv: Sequence[str]) -> dict[str, str]:
    """`--name value` and `--name=value` pairs (SageMaker's CLI form of hyperparameters)."""
    out: dict[str, str] = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise SystemExit(f"unexpected argument {arg!r}; use --name value")
        name = arg[2:]
        if "=" in name:
            name, value = name.split("=", 1)
            i += 1
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 2
        else:
            raise SystemExit(f"argument {arg} needs a value")
        out[name.replace("-", "_")] = value
    return out


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, float]:
    from courtside.training import core
    from courtside.training.hyperparams import Hyperparameters
    from courtside.training.model_package import bundle_inference_code

    env = os.environ if environ is None else environ
    values = read_hyperparameters(env, sys.argv[1:] if argv is None else argv)
    dataset_version = str(values.pop("dataset_version", "") or env.get("DATASET_VERSION", "")).strip('"') or None
    hp = Hyperparameters.from_mapping(values)
    train_dir = env.get("SM_CHANNEL_TRAIN")
    if not train_dir:
        raise SystemExit("SM_CHANNEL_TRAIN is not set: no training data channel")
    model_dir = Path(env.get("SM_MODEL_DIR", "/opt/ml/model"))
    output_dir = Path(env.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
    train_df = core.read_channel(train_dir)
    val_dir = env.get("SM_CHANNEL_VALIDATION")
    val_df = core.read_channel(val_dir) if val_dir and Path(val_dir).exists() else None
    out = core.train(train_df, hp, val_df, dataset_version=dataset_version)
    core.write_outputs(out, model_dir, output_dir)
    bundle_inference_code(model_dir)
    for line in core.metric_lines(out.metrics):
        print(line, flush=True)
    print(f"model written to {model_dir / 'model.json'}", flush=True)
    return out.metrics


def metric_lines(metrics: Mapping[str, float]) -> list[str]:
    """`metric name=value` lines (the regex `metric NAME=([-0-9.eE]+)` reads them in SageMaker)."""
    return [f"metric {k}={_fmt(v)}" for k, v in sorted(metrics.items())]


def _fmt(v: float) -> str:
    if isinstance(v, float) and math.isfinite(v) and v != int(v):
        return repr(v)
    return str(int(v)) if isinstance(v, float) and math.isfinite(v) else str(v)


def parse_metric_lines(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("metric ") and "=" in line:
            name, _, value = line[len("metric ") :].partition("=")
            try:
                out[name.strip()] = float(value)
            except ValueError:
                continue
    return out
