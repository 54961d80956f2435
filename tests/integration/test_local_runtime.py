"""The local runtime hands real Kinesis-shaped events and API Gateway proxy events to handlers."""

from __future__ import annotations

import base64
import json
import urllib.request

from courtside.aws.clients import client
from courtside.local.api import MAX_BODY_BYTES, LocalApi, Route, json_response
from courtside.local.poller import KinesisPoller


def _put(stream: str, n: int, start: int = 0) -> None:
    client("kinesis").put_records(
        StreamName=stream,
        Records=[{"Data": json.dumps({"i": i}).encode(), "PartitionKey": f"g{i % 3}"} for i in range(start, start + n)],
    )


def test_poller_builds_kinesis_events_and_delivers_everything_once(aws, tmp_path):
    seen: list[int] = []
    shapes: list[dict] = []

    def handler(event, context):
        for r in event["Records"]:
            shapes.append(r)
            seen.append(json.loads(base64.b64decode(r["kinesis"]["data"]))["i"])
        assert context.function_name == "fn" and context.get_remaining_time_in_millis() > 0
        return {"batchItemFailures": []}

    poller = KinesisPoller(aws.names.stream, handler, "fn", failure_destination=tmp_path / "dlq.jsonl").start()
    try:
        _put(aws.names.stream, 250)
        assert poller.wait_idle(20)
    finally:
        poller.stop()
    assert sorted(seen) == list(range(250))
    rec = shapes[0]
    assert rec["eventSource"] == "aws:kinesis" and rec["eventSourceARN"].endswith(f"stream/{aws.names.stream}")
    assert rec["eventID"].startswith("shardId-") and rec["kinesis"]["partitionKey"].startswith("g")


def test_poller_retries_from_first_failed_record_then_sends_to_destination(aws, tmp_path):
    calls: list[list[int]] = []

    def handler(event, context):
        items = [
            (r["kinesis"]["sequenceNumber"], json.loads(base64.b64decode(r["kinesis"]["data"]))["i"])
            for r in event["Records"]
        ]
        calls.append([i for _, i in items])
        return {"batchItemFailures": [{"itemIdentifier": seq} for seq, i in items if i == 2]}

    dlq = tmp_path / "dlq.jsonl"
    poller = KinesisPoller(aws.names.stream, handler, "fn", max_retries=2, failure_destination=dlq).start()
    try:
        _put(aws.names.stream, 5)
        assert poller.wait_idle(20)
    finally:
        poller.stop()
    assert calls[0] == [0, 1, 2, 3, 4]
    assert calls[1] == [2, 3, 4] and calls[2] == [2, 3, 4]  # retried from the failed record, order kept
    failed = [json.loads(line) for line in dlq.read_text().splitlines()]
    assert [json.loads(base64.b64decode(f["data"]))["i"] for f in failed] == [2, 3, 4]
    assert poller.stats.failed_to_destination == 3


def test_local_api_builds_proxy_events_and_enforces_limits():
    captured = {}

    def handler(event, context):
        captured.update(event)
        return json_response(200, {"game": event["pathParameters"]["game_id"]})

    api = LocalApi([Route("/v1/games/{game_id}/live", "predict", lambda: handler)], port=0).start()
    try:
        with urllib.request.urlopen(f"{api.url}/v1/games/20181016_PHI_at_BOS/live?x=1") as resp:
            assert json.loads(resp.read()) == {"game": "20181016_PHI_at_BOS"}
        assert captured["httpMethod"] == "GET" and captured["resource"] == "/v1/games/{game_id}/live"
        assert captured["queryStringParameters"] == {"x": "1"} and captured["requestContext"]["stage"] == "v1"
        for path, body, status in [("/nope", None, 404), ("/v1/games/x/live", b"x" * (MAX_BODY_BYTES + 1), 413)]:
            req = urllib.request.Request(f"{api.url}{path}", data=body, method="POST" if body else "GET")
            try:
                urllib.request.urlopen(req)
                raise AssertionError("expected an HTTP error")
            except urllib.error.HTTPError as err:
                assert err.code == status
                assert "error" in json.loads(err.read())
    finally:
        api.stop()


def test_health_is_503_with_progress_until_ready():
    state = {"ready": False, "stage": "seeding"}
    api = LocalApi(
        [Route("/health", "predict", lambda: lambda e, c: json_response(200, {"status": "ok"}))],
        port=0,
        readiness=lambda: state,
    ).start()
    try:
        try:
            urllib.request.urlopen(f"{api.url}/health")
            raise AssertionError("expected 503")
        except urllib.error.HTTPError as err:
            assert err.code == 503 and json.loads(err.read())["stage"] == "seeding"
        state["ready"] = True
        with urllib.request.urlopen(f"{api.url}/health") as resp:
            assert json.loads(resp.read()) == {"status": "ok"}
    finally:
        api.stop()


def test_each_stack_cold_starts_its_own_handler_instances(aws):
    """A later stack in the same process never reuses an earlier stack's handler (its clients, model, caches)."""
    import importlib

    from courtside.local.functions import lazy_handler

    earlier = importlib.import_module("functions.validate.handler")
    load = lazy_handler("functions.validate.handler")
    fresh = load()
    assert fresh is not earlier.handler  # a new container: init ran again
    assert load() is fresh  # and stays warm for this stack
    assert lazy_handler("functions.validate.handler")() is not fresh  # the next stack gets its own
