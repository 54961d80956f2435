"""Cold start of the predict Lambda, measured: import + init of ``functions.predict.handler`` in fresh interpreters.

Why a subprocess per run: modules another test or benchmark already imported would hide both the cost and a
regression that drags pandas, scikit-learn or boto3 onto the path. The predict path talks to DynamoDB and S3
through :mod:`courtside.aws.lite` (standard library, SigV4): boto3's import and client creation alone cost about
as much as the whole 400 ms budget here, which :data:`_SDK_FLOOR` measures next to the handler for comparison.
Wall time is what a cold start costs; CPU time is reported too because on a shared machine wall time mostly
measures the neighbours.

What is imported: by default the code asset as deployed (``courtside.packaging.copy_sources`` into a temporary
directory: ``courtside/`` and ``functions/`` with their unchecked-hash bytecode), so a run measures what a Lambda
cold start runs; ``source="repo"`` imports the working tree instead (compiled from source when
``PYTHONDONTWRITEBYTECODE`` is set, as on this machine). The probe imports in phases (framework, Courtside modules,
then the handler module whose body is the init) so the report says where the time goes, and then serves
one pre-game request (its first online-store read opens the DynamoDB connection) and checks boto3 stayed unloaded.

Run: ``python -m courtside.serving.coldstart [--runs 7] [--source asset|repo] [--baseline]`` (starts its own moto
server, registers and approves the compiled model of ``.courtside/compression/`` or a small logistic one;
``--baseline`` interleaves runs of the pre-pointer path for a ratio measured under the same load).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
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
    "boto3",
)
BUDGET_MS = 400.0

_PROBE = """
import json, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
{phases}
import {handler} as h
mark("handler")
health = h.service.health()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})
first = None
if {first_request!r}:
    body = json.dumps({{"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"}})
    path = "/v1/predictions/pregame"
    event = {{"httpMethod": "POST", "path": path, "resource": path, "body": body, "isBase64Encoded": False,
             "headers": {{"content-type": "application/json"}}, "multiValueHeaders": {{}},
             "requestContext": {{"requestId": "cold-1", "stage": "v1", "resourcePath": path, "httpMethod": "POST"}}}}
    w, c = time.perf_counter(), time.process_time()
    resp = h.handler(event, None)
    first = {{"status": resp["statusCode"], "wall_ms": (time.perf_counter() - w) * 1e3,
              "cpu_ms": (time.process_time() - c) * 1e3}}
(_, w0, c0), (_, w1, c1) = marks[0], marks[-1]
print(json.dumps({{
    "wall_ms": (w1 - w0) * 1e3, "cpu_ms": (c1 - c0) * 1e3,
    "phases_cpu_ms": {{b[0]: (b[2] - a[2]) * 1e3 for a, b in zip(marks, marks[1:])}},
    "health": health,
    "handler_file": h.__file__,
    "first_request": first,
    "loaded": loaded,
    "loaded_after_first_request": sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r}),
}}))
"""
# Imported before the handler only to attribute time; the handler imports the same modules (same total).
_PHASES = (
    ("powertools+pydantic", "import pydantic, aws_lambda_powertools.logging, aws_lambda_powertools.metrics"),
    ("courtside modules", "import courtside.serving.api, courtside.serving.service, courtside.monitoring.capture"),
)


def probe_once(
    env: Mapping[str, str] | None = None,
    handler: str = HANDLER,
    extra_path: str | None = None,
    root: Path | None = None,
    first_request: bool = False,
    phases: bool = False,
) -> dict[str, Any]:
    """One fresh interpreter: import the handler module (its init builds the service) from `root`
    (default: the working tree); optionally serve one pre-game request."""
    root = root or REPO_ROOT
    lines = [f"{code}\nmark({name!r})" for name, code in _PHASES] if phases else []
    code = _PROBE.format(handler=handler, forbidden=FORBIDDEN, phases="\n".join(lines), first_request=first_request)
    path = os.pathsep.join(p for p in (str(root), extra_path) if p)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, **(env or {}), "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def code_asset() -> Iterator[Path]:
    """The Lambda code asset as ``courtside.packaging`` builds it, in a temporary directory."""
    from courtside.packaging import copy_sources

    with tempfile.TemporaryDirectory(prefix="courtside-asset-") as tmp:
        yield copy_sources(Path(tmp) / "lambda_src")


# What the same AWS work would cost through boto3 (the handler's path before courtside.aws.lite), and nothing else:
# import boto3, an S3 client reading the serving pointer and the model, a DynamoDB client.
_SDK_FLOOR = """
import json, os, time
w0, c0 = time.perf_counter(), time.process_time()
import boto3
from botocore.config import Config
region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"  # as clients.py
session = boto3.session.Session(region_name=region)
config = Config(retries={{"max_attempts": 5, "mode": "standard"}}, connect_timeout=5, read_timeout=30)
s3 = session.client("s3", config=config)
for key in {keys!r}:
    s3.get_object(Bucket={bucket!r}, Key=key)["Body"].read()
session.client("dynamodb", config=config)
print(json.dumps({{"wall_ms": (time.perf_counter() - w0) * 1e3, "cpu_ms": (time.process_time() - c0) * 1e3}}))
"""


def sdk_floor_once(bucket: str, keys: tuple[str, ...]) -> dict[str, float]:
    """One fresh interpreter doing only the SDK work the handler's cold start cannot avoid."""
    code = _SDK_FLOOR.format(bucket=bucket, keys=keys)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _summary(samples: list[dict[str, Any]], runs: int, source: str, first_request: bool) -> dict[str, Any]:
    def med(values: Any) -> float:
        return round(statistics.median(values), 1)

    wall, cpu = med(s["wall_ms"] for s in samples), med(s["cpu_ms"] for s in samples)
    report: dict[str, Any] = {
        "runs": runs,
        "source": source,
        "import_init_wall_ms_median": wall,
        "import_init_cpu_ms_median": cpu,
        "phases_cpu_ms_median": {k: med(s["phases_cpu_ms"][k] for s in samples) for k in samples[0]["phases_cpu_ms"]},
        "budget_ms": BUDGET_MS,
        "heavy_modules_loaded": sorted({m for s in samples for m in s["loaded"]}),
        "heavy_modules_after_first_request": sorted(
            {m.split(".")[0] for s in samples for m in s["loaded_after_first_request"]}
        ),
        "model_version": samples[-1]["health"].get("model_version"),
    }
    if first_request:
        report["first_request_status"] = samples[-1]["first_request"]["status"]
        report["first_request_cpu_ms_median"] = med(s["first_request"]["cpu_ms"] for s in samples)
        report["first_request_wall_ms_median"] = med(s["first_request"]["wall_ms"] for s in samples)
    return report


def measure(
    runs: int = 7, env: Mapping[str, str] | None = None, source: str = "asset", first_request: bool = True
) -> dict[str, Any]:
    """Medians over `runs` fresh interpreters, with the phase breakdown and the first request."""
    if source == "asset":
        with code_asset() as root:
            samples = [probe_once(env, root=root, first_request=first_request, phases=True) for _ in range(runs)]
    else:
        samples = [probe_once(env, first_request=first_request, phases=True) for _ in range(runs)]
    return _summary(samples, runs, source, first_request)


def measure_against_baseline(group: str, runs: int = 7) -> dict[str, Any]:
    """Current (code asset with bytecode, serving pointer present) against the baseline (working tree compiled from
    source, no pointer: the registry lookup through a SageMaker client, i.e. the path before the pointer and a
    first deploy's path still) and the same AWS work done through boto3 (:data:`_SDK_FLOOR`), interleaved run by
    run so all three see the same machine load."""
    from courtside import registry

    bucket = registry._artifacts_bucket()
    key = registry.serving_pointer_key(group)
    pointer = registry.read_serving_pointer(group, bucket)
    if pointer is None:
        raise RuntimeError(f"no serving pointer for {group}: approve a model first")
    from courtside.aws.clients import client

    s3 = client("s3")
    model_bucket, model_key = registry.split_s3_url(str(pointer["model_json_url"]))
    if model_bucket != bucket:
        raise RuntimeError(f"model {pointer['model_json_url']} is not in the artifacts bucket {bucket}")
    current: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    floor: list[dict[str, float]] = []
    with code_asset() as root:
        for _ in range(runs):
            s3.delete_object(Bucket=bucket, Key=key)
            try:
                baseline.append(probe_once(first_request=True, phases=True))
            finally:
                s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(pointer, sort_keys=True).encode())
            current.append(probe_once(root=root, first_request=True, phases=True))
            floor.append(sdk_floor_once(bucket, (key, model_key)))
    now, before = _summary(current, runs, "asset", True), _summary(baseline, runs, "repo, no pointer", True)
    return {
        "current": now,
        "baseline": before,
        "boto3_same_aws_work_cpu_ms_median": round(statistics.median(f["cpu_ms"] for f in floor), 1),
        "boto3_same_aws_work_wall_ms_median": round(statistics.median(f["wall_ms"] for f in floor), 1),
        "cpu_ratio_baseline_over_current": round(
            before["import_init_cpu_ms_median"] / now["import_init_cpu_ms_median"], 2
        ),
        "wall_ratio_baseline_over_current": round(
            before["import_init_wall_ms_median"] / now["import_init_wall_ms_median"], 2
        ),
    }


def _model_text() -> str:
    compiled = REPO_ROOT / ".courtside" / "compression" / "compiled-trees.json"
    if compiled.is_file():  # written by `python -m courtside.serving.compression --write`
        return compiled.read_text()
    from courtside.serving.testing import logistic_json

    return logistic_json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Predict Lambda cold start: import + init, fresh interpreters")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--source", choices=("asset", "repo"), default="asset")
    parser.add_argument(
        "--baseline", action="store_true", help="also measure the baseline (source tree, registry lookup), interleaved"
    )
    args = parser.parse_args(argv)

    from courtside.config import get_settings
    from courtside.local.bootstrap import create_resources
    from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port
    from courtside.serving.testing import register_and_approve

    with MotoServer(port=free_port()) as server:
        os.environ.update(LOCAL_CREDENTIALS)
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no EMF line per request on stdout
        settings = get_settings()
        create_resources(settings)
        register_and_approve(settings, _model_text(), key="models/bench/coldstart.json")
        if args.baseline:
            report = measure_against_baseline(settings.names.model_package_group, args.runs)
        else:
            report = measure(args.runs, source=args.source)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
