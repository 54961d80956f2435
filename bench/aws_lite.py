"""courtside.aws.lite vs boto3: what the predict cold start pays for its AWS client, and the per-call latency.

1. Import cost in fresh interpreters (CPU time via process_time, and wall), median of N: `courtside.aws.lite`,
   then `boto3` for comparison, then lite's marginal cost after what the predict handler imports anyway
   (aws_lambda_powertools Logger/Metrics and pydantic).
2. Cold first call in fresh interpreters: import + client creation + one GetItem against a moto server.
3. Warm GetItem latency against the same moto server, lite and boto3 interleaved, median/p90 of M calls.

moto server (werkzeug) answers every request with `Connection: close`, so neither client can keep its connection
alive here: the warm figures include a TCP connect per call for both; against AWS both reuse connections.

Run: .venv/bin/python bench/aws_lite.py [--runs 5] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port  # noqa: E402

TABLE = "bench-lite"
KEY = {"pk": {"S": "team#BOS"}, "sk": {"S": "pregame"}}

IMPORT_CODE = """
import time
{pre}
t, w = time.process_time(), time.perf_counter()
import {mod}
print((time.process_time() - t) * 1000, (time.perf_counter() - w) * 1000)
"""

FIRST_CALL_CODE = """
import time
t, w = time.process_time(), time.perf_counter()
{make}
c.get_item(TableName="{table}", Key={key})
print((time.process_time() - t) * 1000, (time.perf_counter() - w) * 1000)
"""
MAKERS = {
    "lite": "from courtside.aws import lite; c = lite.client('dynamodb')",
    "boto3": "import boto3; c = boto3.client('dynamodb')",
}


def _fresh(code: str, runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
        ).stdout.split()
        cpu.append(float(out[-2]))
        wall.append(float(out[-1]))
    return statistics.median(cpu), statistics.median(wall)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    report: dict[str, object] = {"runs": args.runs, "calls": args.calls}

    imports = {
        "courtside.aws.lite": ("", "courtside.aws.lite"),
        "boto3": ("", "boto3"),
        "courtside.aws.lite after powertools+pydantic": (
            "from aws_lambda_powertools import Logger, Metrics\nimport pydantic",
            "courtside.aws.lite",
        ),
    }
    for name, (pre, mod) in imports.items():
        cpu, wall = _fresh(IMPORT_CODE.format(pre=pre, mod=mod), args.runs)
        report[f"import {name}"] = {"cpu_ms_median": round(cpu, 1), "wall_ms_median": round(wall, 1)}

    with MotoServer(port=free_port()) as server:
        env = {**os.environ, **LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL": server.endpoint_url}
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
        import boto3

        from courtside.aws import lite

        boto = boto3.client("dynamodb")
        boto.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        boto.put_item(TableName=TABLE, Item={**KEY, "r": {"N": "1512.5"}, "f": {"S": "x" * 300}})

        for name, make in MAKERS.items():
            code = FIRST_CALL_CODE.format(make=make, table=TABLE, key=KEY)
            cpu, wall = _fresh(code, args.runs, env)
            report[f"cold import+client+first get_item {name}"] = {
                "cpu_ms_median": round(cpu, 1),
                "wall_ms_median": round(wall, 1),
            }

        light = lite.client("dynamodb")
        assert light.get_item(TableName=TABLE, Key=KEY)["Item"] == boto.get_item(TableName=TABLE, Key=KEY)["Item"]
        timings: dict[str, list[float]] = {"lite": [], "boto3": []}
        for _ in range(args.calls):
            for name, c in (("lite", light), ("boto3", boto)):
                t = time.perf_counter()
                c.get_item(TableName=TABLE, Key=KEY)
                timings[name].append((time.perf_counter() - t) * 1000)
        for name, values in timings.items():
            report[f"warm get_item {name}"] = {
                "ms_median": round(statistics.median(values), 2),
                "ms_p90": round(_pct(values, 0.9), 2),
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
