"""Benchmark: serialization formats for the three access patterns (stream records, lake scans, online items).

Real events: play-by-play of the repository extract mapped to Courtside events (the first N). Formats: JSON,
gzip JSON, Parquet (zstd) and a row/stream format — Avro via fastavro when installed, else Arrow IPC (Feather v2),
which ships with pyarrow. Prints a JSON report; the decision is in docs/serialization.md.

    .venv/bin/python bench/serialization.py [--n 50000]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def flatten(ev: dict) -> dict:
    row = {k: v for k, v in ev.items() if k != "payload"}
    row.update(ev["payload"])
    return row


def load_events(n: int) -> list[dict]:
    from courtside.sources.extract import iter_game_events

    out: list[dict] = []
    for _, events in iter_game_events(REPO / "data"):
        out.extend(ev for _, ev in events if ev["event_type"] == "pbp")
        if len(out) >= n:
            break
    return out[:n]


def stream_records(events: list[dict]) -> dict[str, dict]:
    """One event per record: encode every event alone, decode every record alone."""
    import pyarrow as pa

    res: dict[str, dict] = {}
    sample = events[:5000]
    enc = lambda e: json.dumps(e, separators=(",", ":")).encode()  # noqa: E731
    t_w, blobs = timed(lambda: [enc(e) for e in sample])
    t_r, _ = timed(lambda: [json.loads(b) for b in blobs])
    res["json"] = {
        "bytes_per_record": statistics.mean(map(len, blobs)),
        "write_us": t_w / len(sample) * 1e6,
        "read_us": t_r / len(sample) * 1e6,
    }
    t_w, gz = timed(lambda: [gzip.compress(enc(e), 6) for e in sample])
    t_r, _ = timed(lambda: [json.loads(gzip.decompress(b)) for b in gz])
    res["gzip_json"] = {
        "bytes_per_record": statistics.mean(map(len, gz)),
        "write_us": t_w / len(sample) * 1e6,
        "read_us": t_r / len(sample) * 1e6,
    }
    rows = [flatten(e) for e in sample[:500]]
    schema = pa.Table.from_pylist(rows).schema

    def ipc_one(r: dict) -> bytes:
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, schema) as w:
            w.write_table(pa.Table.from_pylist([r], schema=schema))
        return sink.getvalue()

    t_w, ipc = timed(lambda: [ipc_one(r) for r in rows])
    t_r, _ = timed(lambda: [pa.ipc.open_stream(b).read_all().to_pylist() for b in ipc])
    res["arrow_ipc"] = {
        "bytes_per_record": statistics.mean(map(len, ipc)),
        "write_us": t_w / len(rows) * 1e6,
        "read_us": t_r / len(rows) * 1e6,
    }
    avro = _avro_records(rows)
    if avro:
        res["avro"] = avro
    return res


def _avro_records(rows: list[dict]) -> dict | None:
    try:
        import fastavro
    except ImportError:
        return None
    fields = []
    for k, v in rows[0].items():
        typ = (
            "double" if isinstance(v, float) else "long" if isinstance(v, int) and not isinstance(v, bool) else "string"
        )
        fields.append({"name": k, "type": ["null", typ]})
    schema = fastavro.parse_schema({"type": "record", "name": "Pbp", "fields": fields})

    def one(r: dict) -> bytes:
        b = io.BytesIO()
        fastavro.schemaless_writer(b, schema, r)
        return b.getvalue()

    t_w, blobs = timed(lambda: [one(r) for r in rows])
    t_r, _ = timed(lambda: [fastavro.schemaless_reader(io.BytesIO(b), schema) for b in blobs])
    return {
        "bytes_per_record": statistics.mean(map(len, blobs)),
        "write_us": t_w / len(rows) * 1e6,
        "read_us": t_r / len(rows) * 1e6,
    }


def lake_scans(events: list[dict]) -> dict[str, dict]:
    """A partition file of N events: size, write time, full read, and a 2-column projection (score margin)."""
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    res: dict[str, dict] = {}
    enc = lambda: [json.dumps(e, separators=(",", ":")).encode() for e in events]  # noqa: E731
    t_w, body = timed(lambda: b"\n".join(enc()))
    t_r, _ = timed(lambda: [json.loads(x) for x in body.splitlines()])
    res["jsonl"] = {"bytes": len(body), "write_s": t_w, "read_all_s": t_r, "read_2_cols_s": t_r}
    t_w, gz = timed(lambda: gzip.compress(b"\n".join(enc()), 6))
    t_r, _ = timed(lambda: [json.loads(x) for x in gzip.decompress(gz).splitlines()])
    res["jsonl_gzip"] = {"bytes": len(gz), "write_s": t_w, "read_all_s": t_r, "read_2_cols_s": t_r}

    def pq_write() -> bytes:  # includes building the columnar table from the event dicts
        b = io.BytesIO()
        pq.write_table(pa.Table.from_pylist([flatten(e) for e in events]), b, compression="zstd")
        return b.getvalue()

    t_w, pbytes = timed(pq_write)
    t_r, _ = timed(lambda: pq.read_table(io.BytesIO(pbytes)).to_pylist())
    t_c, _ = timed(lambda: pq.read_table(io.BytesIO(pbytes), columns=["home_score", "away_score"]))
    res["parquet_zstd"] = {"bytes": len(pbytes), "write_s": t_w, "read_all_s": t_r, "read_2_cols_s": t_c}

    def fe_write() -> bytes:
        b = io.BytesIO()
        feather.write_feather(pa.Table.from_pylist([flatten(e) for e in events]), b, compression="zstd")
        return b.getvalue()

    t_w, fbytes = timed(fe_write)
    t_r, _ = timed(lambda: feather.read_table(io.BytesIO(fbytes)).to_pylist())
    t_c, _ = timed(lambda: feather.read_table(io.BytesIO(fbytes), columns=["home_score", "away_score"]))
    res["arrow_ipc_zstd"] = {"bytes": len(fbytes), "write_s": t_w, "read_all_s": t_r, "read_2_cols_s": t_c}
    return res


def online_items() -> dict[str, dict]:
    """A live-feature item (what the online store holds per game): JSON string vs DynamoDB map vs gzip JSON."""
    item = {
        "game_id": "20181016_PHI_at_BOS",
        "as_of": "2018-10-17T01:55:00Z",
        "period": 4,
        "clock_seconds": 95.0,
        "home_score": 101,
        "away_score": 85,
        "margin": 16,
        "possession": "home",
        "run_home_last_5m": 9,
        "run_away_last_5m": 4,
        "fouls_home": 18,
        "fouls_away": 21,
        "home_elo": 1612.4,
        "away_elo": 1580.2,
    }
    from decimal import Decimal

    from boto3.dynamodb.types import TypeSerializer

    ser = TypeSerializer()
    dec = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in item.items()}
    n = 20000
    t_json, js = timed(lambda: [json.dumps(item, separators=(",", ":")) for _ in range(n)])
    t_jr, _ = timed(lambda: [json.loads(s) for s in js[:n]])
    t_map, mp = timed(lambda: [{k: ser.serialize(v) for k, v in dec.items()} for _ in range(n)])
    t_gz, gz = timed(lambda: [gzip.compress(js[0].encode()) for _ in range(n)])
    # DynamoDB item size: attribute names + values (numbers ~ digits/2 + 1 bytes, strings = UTF-8 length)
    map_size = sum(
        len(k) + (len(str(v)) // 2 + 1 if isinstance(v, int | float) else len(str(v))) for k, v in item.items()
    )
    return {
        "json_string_attribute": {
            "bytes": len(js[0]) + len("f"),
            "write_us": t_json / n * 1e6,
            "read_us": t_jr / n * 1e6,
        },
        "dynamodb_native_map": {"bytes_est": map_size, "write_us": t_map / n * 1e6},
        "gzip_json_binary": {"bytes": len(gz[0]), "write_us": t_gz / n * 1e6},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50_000)
    args = ap.parse_args()
    events = load_events(args.n)
    report = {
        "events": len(events),
        "stream_record": stream_records(events),
        "lake_scan": lake_scans(events),
        "online_item": online_items(),
    }

    def rnd(x: Any) -> Any:
        if isinstance(x, float):
            return round(x, 4)
        if isinstance(x, dict):
            return {k: rnd(v) for k, v in x.items()}
        return x

    print(json.dumps(rnd(report), indent=2))


if __name__ == "__main__":
    main()
