"""Benchmark: the validate handler's core vs a plain `model_validate_json` loop, on 100,000 real pbp events.

Both sides get the same Kinesis-shaped records (base64 JSON) and both decode base64: the plain loop with the
standard library's `binascii.a2b_base64`, the core with what it ships (strict pybase64, `"base64"` in the output;
its parse is courtside.ingest.fastparse's msgspec Structs, with pydantic for what they do not accept).
The core additionally dedups (batch-level state lookup), applies the rule set and per-game state, groups and gzips
lake objects and collects the forward; its S3/Kinesis/DynamoDB writes go to in-memory sinks through the core's own
interfaces (the state store keeps every id in memory, as DynamoDB would; the sinks count what they receive).
Goal: >= 100,000 records/s on one core and core/plain >= 0.5. Medians of `--runs` interleaved runs, measured both as
wall-clock time and as this process's CPU time (`time.process_time`): on a shared machine the CPU-time figure is the
one-core rate, the wall-clock one also counts the time other processes held the core.

    .venv/bin/python bench/ingest.py [--n 100000] [--batch 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = Path("/work/shared/data")


def load_records(n: int) -> list[dict]:
    import pandas as pd

    from courtside.sources.nba_stats import GameRef, normalise_nba_game_id, pbp_event

    index = pd.read_csv(SHARED / "pbp" / "games_index_2015_2019.csv").dropna(subset=["game_date", "home", "away"])
    refs = {normalise_nba_game_id(r["GAME_ID"]): GameRef(r) for r in index.to_dict("records")}
    pbp = pd.read_parquet(SHARED / "pbp" / "pbp_2018-19.parquet")
    pbp = pbp[pbp["GAME_ID"].isin(set(refs)) & pbp["GAME_ID"].str.startswith("002")].head(n)
    records = []
    for i, row in enumerate(pbp.to_dict("records")):
        ev = pbp_event(refs[row["GAME_ID"]], row)
        data = base64.b64encode(json.dumps(ev, separators=(",", ":")).encode()).decode()
        records.append(
            {
                "kinesis": {"data": data, "sequenceNumber": f"{i:056d}", "partitionKey": ev["game_id"]},
                "eventID": f"shardId-000000000000:{i:056d}",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/courtside-events",
            }
        )
    return records


def run_plain(records: list[dict]) -> tuple[float, float]:
    """(wall, cpu) records/s of the plain parse loop."""
    from courtside.events import PbpEvent

    validate = PbpEvent.model_validate_json
    a2b = binascii.a2b_base64
    t, c = time.perf_counter(), time.process_time()
    for r in records:
        validate(a2b(r["kinesis"]["data"]))
    return len(records) / (time.perf_counter() - t), len(records) / (time.process_time() - c)


class CountingSinks:
    """In-memory sinks that behave like the AWS ones: they take the bytes and keep only counts.

    (Keeping 100,000 forwarded records alive would make the benchmark measure Python's garbage collector
    scanning them, which a Lambda that ships each batch off never does.)
    """

    def __init__(self) -> None:
        self.raw_objects = self.raw_bytes = self.quarantined = self.forwarded = 0

    def put_raw(self, key: str, body: bytes) -> None:
        self.raw_objects += 1
        self.raw_bytes += len(body)

    def put_quarantine(self, key: str, body: bytes) -> None:
        self.quarantined += 1

    def forward(self, entries: list[tuple[str, bytes]]) -> None:
        self.forwarded += len(entries)


def run_core(records: list[dict], batch: int) -> tuple[float, float, dict]:
    from courtside.ingest.core import process_records
    from courtside.ingest.state import MemoryStateStore

    sinks, state = CountingSinks(), MemoryStateStore()
    totals = {"stored": 0, "quarantined": 0, "duplicates_ignored": 0}
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(records), batch):
        out = process_records(records[i : i + batch], sinks, state)
        totals["stored"] += out.stored
        totals["quarantined"] += out.quarantined
        totals["duplicates_ignored"] += out.duplicates_ignored
    return len(records) / (time.perf_counter() - t), len(records) / (time.process_time() - c), totals


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not (SHARED / "pbp" / "pbp_2018-19.parquet").exists():
        print("shared data not found; skipping")
        return
    t = time.perf_counter()
    records = load_records(args.n)
    print(f"prepared {len(records)} records in {time.perf_counter() - t:.1f} s")
    from courtside.ingest.core import B64_IMPL, GZIP_IMPL

    plain: list[tuple[float, float]] = []
    core: list[tuple[float, float]] = []
    totals: dict = {}
    for _ in range(args.runs):
        plain.append(run_plain(records))
        wall, cpu, totals = run_core(records, args.batch)
        core.append((wall, cpu))
    p, c = statistics.median(w for w, _ in plain), statistics.median(w for w, _ in core)
    pc, cc = statistics.median(x for _, x in plain), statistics.median(x for _, x in core)
    result = {
        "records": len(records),
        "plain_model_validate_json_per_s": round(p),
        "core_per_s": round(c),
        "ratio": round(c / p, 3),
        "cpu_time": {"plain_per_s": round(pc), "core_per_s": round(cc), "ratio": round(cc / pc, 3)},
        "runs": args.runs,
        "batch": args.batch,
        "gzip": GZIP_IMPL,
        "base64": B64_IMPL,
        "core_outcome": totals,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
