"""The predict Lambda entry point answers correctly when invoked from several threads at once.

Why: Powertools' ``Metrics`` and ``Logger`` share one metric set and one key set per process (and the REST resolver
this service used before kept the request itself in process-wide state), so overlapping resolves could mix their
metrics and request ids, or answer another caller's question. The handler serialises the resolve; this test
overlaps many mixed requests and checks every answer belongs to its own request.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from typing import Any

from courtside.serving.testing import logistic_json, proxy_event, register_and_approve, seed_store

PREGAME = "/v1/predictions/pregame"
PAIRS = [("GSW", "TOR"), ("BOS", "NYK"), ("LAL", "PHO"), ("MIL", "DET"), ("DEN", "UTA"), ("HOU", "SAS")]
THREADS, ROUNDS = 8, 12


def _request(i: int) -> tuple[dict[str, Any], Any]:
    """Request number `i` and what its answer must contain (home team, 404 code or 422 code)."""
    kind = i % 4
    if kind == 3:  # a live game that has no state: 404 with its own game id in the message
        gid = f"2019061{i % 10}_TOR_at_GSW"
        event = proxy_event(
            "GET", f"/v1/games/{gid}/live", resource="/v1/games/{game_id}/live", path_parameters={"game_id": gid}
        )
        return event, (404, gid)
    if kind == 2:  # invalid body: 422 even when a valid request is resolved at the same moment
        return proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": "BOS", "away_team": "BOS"}), (422, "")
    home, away = PAIRS[i % len(PAIRS)]
    return proxy_event("POST", PREGAME, {"date": "2019-03-01", "home_team": home, "away_team": away}), (200, home)


def test_handler_serves_concurrent_invocations_without_crosstalk(aws):
    seed_store(aws)
    register_and_approve(aws, logistic_json())
    sys.modules.pop("functions.predict.handler", None)
    mod = importlib.import_module("functions.predict.handler")

    start = threading.Barrier(THREADS)
    failures: list[str] = []

    def worker(t: int) -> None:
        start.wait()
        for r in range(ROUNDS):
            i = t * ROUNDS + r
            event, (status, token) = _request(i)
            try:
                resp = mod.handler(event, None)
            except Exception as err:  # noqa: BLE001 - recorded and asserted on below
                failures.append(f"request {i} raised {err!r}")
                continue
            body = json.loads(resp["body"])
            if resp["statusCode"] != status:
                failures.append(f"request {i}: status {resp['statusCode']} != {status}: {body}")
            elif status == 200 and body["home_team"] != token:
                failures.append(f"request {i}: answered for {body['home_team']}, asked for {token}")
            elif status == 404 and token not in body["error"]["message"]:
                failures.append(f"request {i}: 404 for another game: {body}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not failures, failures[:5]
