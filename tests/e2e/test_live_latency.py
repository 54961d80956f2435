"""Near-real-time (issue 7): a play-by-play event put on the stream shows in GET /v1/games/{id}/live within 2 s.

Measured end to end through the local stack's public contracts only: the event goes onto the input Kinesis stream
(validate function -> validated stream -> features function -> online store) and the clock stops when the live
endpoint answers with that event's `as_of` and score. One event at a time, so each latency is one event's path.
The stack's live group holds the shipped in-game model (seeded as `courtside up` does), so the path measured is
the one production serves: the model scores every state, not the closed-form baseline.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from courtside.aws.kinesis_producer import put_events
from courtside.config import Settings
from courtside.events import make_event
from courtside.local.moto_server import free_port
from courtside.local.seed import seed_live_model
from courtside.local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GAME = "20190613_TOR_at_GSW"
EVENTS = 9
BOUND_S = 2.0


def _live(api_url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{api_url}/v1/games/{GAME}/live", timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _pbp(n: int) -> tuple[dict[str, Any], str]:
    occurred_at = f"2019-06-14T01:{n:02d}:00Z"
    payload = {
        "event_num": n,
        "period": 1,
        "clock_seconds": 720.0 - 20 * n,
        "event_code": 1,
        "home_score": 2 * n,
        "away_score": n,
        "team": "GSW",
    }
    return make_event("pbp", GAME, occurred_at, payload, seq=n), occurred_at


def test_pbp_event_reaches_live_endpoint_within_two_seconds(tmp_path):
    settings = Settings(state_dir=tmp_path, aws_port=free_port(), api_port=0)
    latencies: list[float] = []
    with LocalStack(settings) as stack:
        live_version = seed_live_model(settings)
        stack.mark_ready()
        assert _live(stack.api_url)[0] == 404  # warm the predict container; no state yet
        for n in range(1, EVENTS + 1):
            event, occurred_at = _pbp(n)
            started = time.perf_counter()
            put_events([event], settings.names.stream)
            body: dict[str, Any] = {}
            while time.perf_counter() - started < 10.0:
                status, body = _live(stack.api_url)
                if status == 200 and body["as_of"] == occurred_at:
                    break
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
            assert body.get("as_of") == occurred_at, body
            assert body["state"]["home_score"] == 2 * n and body["state"]["away_score"] == n
            assert body["model_version"] == live_version
    median = statistics.median(latencies)
    print(f"\npbp -> GET live: median {median * 1e3:.0f} ms, max {max(latencies) * 1e3:.0f} ms over {EVENTS} events")
    assert max(latencies) < BOUND_S, latencies
