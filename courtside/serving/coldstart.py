"""Cold start of the predict Lambda, measured: import + init of ``functions.predict.handler`` in fresh interpreters.

Why a subprocess per run: modules another test or benchmark already imported would hide both the cost and a
regression that drags pandas or scikit-learn onto the path. ``boto3`` is imported first and timed on its own, so
the report can say which share of the budget the AWS SDK takes (the Lambda runtime ships it, but a cold start
still imports it). Wall time is what a cold start costs; CPU time is reported too because on a shared machine
wall time mostly measures the neighbours.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from courtside.config import REPO_ROOT

HANDLER = "functions.predict.handler"
# Never on the Lambda path: heavy (pandas, numpy, ...), training-only (SageMaker SDK) or slow to import.
FORBIDDEN = (
    "pandas",
    "numpy",
    "sklearn",
    "lightgbm",
    "sagemaker",
    "scipy",
    "onnxruntime",
    "pyarrow",
    "pydantic_settings",
)
BUDGET_MS = 400.0

_PROBE = """
import json, sys, time
w0, c0 = time.perf_counter(), time.process_time()
import boto3
w1, c1 = time.perf_counter(), time.process_time()
import {handler} as h
w2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{
    "wall_ms": (w2 - w0) * 1e3, "cpu_ms": (c2 - c0) * 1e3,
    "boto3_wall_ms": (w1 - w0) * 1e3, "boto3_cpu_ms": (c1 - c0) * 1e3,
    "health": h.service.health(),
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r}),
}}))
"""


def probe_once(
    env: Mapping[str, str] | None = None, handler: str = HANDLER, extra_path: str | None = None
) -> dict[str, Any]:
    """One fresh interpreter: import boto3, then the handler module (its init builds the service)."""
    code = _PROBE.format(handler=handler, forbidden=FORBIDDEN)
    path = os.pathsep.join(p for p in (str(REPO_ROOT), extra_path) if p)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {}), "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(runs: int = 7, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Medians over `runs` fresh interpreters, and boto3's share of the import + init time."""
    samples = [probe_once(env) for _ in range(runs)]

    def med(key: str) -> float:
        return round(statistics.median(s[key] for s in samples), 1)

    wall, cpu = med("wall_ms"), med("cpu_ms")
    return {
        "runs": runs,
        "import_init_wall_ms_median": wall,
        "import_init_cpu_ms_median": cpu,
        "boto3_import_wall_ms_median": med("boto3_wall_ms"),
        "boto3_import_cpu_ms_median": med("boto3_cpu_ms"),
        "boto3_share_of_cpu": round(med("boto3_cpu_ms") / cpu, 2) if cpu else None,
        "budget_ms": BUDGET_MS,
        "heavy_modules_loaded": sorted({m for s in samples for m in s["loaded"]}),
        "model_version": samples[-1]["health"].get("model_version"),
    }
