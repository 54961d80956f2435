"""What capture costs a prediction request: `LakeCaptureSink.capture` (pseudonym, consent check through its TTL
cache, token bucket, reservoir, and the Parquet flush to S3 every `max_buffer_age_s`) against the default no-op
sink, on a moto server, in one process. Prints medians, p99 and the ratio. `.venv/bin/python bench/capture.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N = 400


def timed(sink: object, record: object) -> list[float]:
    out = []
    for _ in range(N):
        t = time.perf_counter()
        sink.capture(record())  # type: ignore[attr-defined]
        out.append((time.perf_counter() - t) * 1000)
        time.sleep(0.005)  # requests arrive over time, so some captures pay a flush
    return sorted(out)


def main() -> None:
    from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port

    server = MotoServer(port=free_port()).start()
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
    os.environ["COURTSIDE_PSEUDONYM_KEY_FILE"] = str(Path(tempfile.mkdtemp()) / "pseudonym.key")
    try:
        from courtside.aws import clients
        from courtside.config import get_settings
        from courtside.local.bootstrap import create_resources
        from courtside.monitoring.capture import LakeCaptureSink
        from courtside.privacy.consent import record_consent
        from courtside.serving.capture import NoopCaptureSink, pseudonym_of

        clients.reset()
        settings = get_settings()
        create_resources(settings)
        record_consent("fan-1", "2026-01", ["analytics"])

        def record() -> dict[str, object]:  # what PregamePredictor offers, pseudonym included
            return {
                "kind": "pregame",
                "requested_at": time.time(),
                "user_pseudonym": pseudonym_of("fan-1"),
                "request": {"date": "2019-01-05", "home_team": "BOS", "away_team": "NYK", "neutral": False},
                "features": {"elo_diff": 50.0, "neutral": 0.0, "home_rest_days": 1.0},
                "model_version": "courtside-pregame/1",
                "prediction": 0.6,
            }

        lake = LakeCaptureSink(settings, max_buffer_age_s=1.0)
        for _ in range(20):  # warm: pyarrow import, first consent read, first S3 client
            lake.capture(record())
        lake.flush()
        base = timed(NoopCaptureSink(), record)
        sink = timed(lake, record)
        for name, ts in (("no-op sink (baseline)", base), ("lake sink", sink)):
            print(f"{name:22s} median {statistics.median(ts):.3f} ms  p99 {ts[int(0.99 * N) - 1]:.3f} ms")
        ratio = statistics.median(sink) / statistics.median(base)
        print(f"lake / baseline median ratio {ratio:.1f}; files written {lake.stats['files']}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
