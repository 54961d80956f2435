"""Prediction service benchmark (issue 7): handler core warm p50/p99, feature read, loopback load test.

1. Handler core (PregamePredictor.predict: validation-free core, features from an in-memory state, scoring,
   capture hook) with the compressed models vs the uncompressed LightGBM scikit-learn object, same run.
2. Feature read: OnlineStore.get_pregame_state (one BatchGetItem) against a moto server started here.
3. Loopback load test: a ThreadingHTTPServer that builds API Gateway proxy events and calls the Powertools app
   (the same one the Lambda runs), N requests at a stated concurrency; requests/s and p99.

Run: .venv/bin/python bench/predict.py  (about 1-2 minutes; trains the LightGBM teacher once).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from courtside.serving.compression import _percentile  # noqa: E402

CONCURRENCY, REQUESTS, CORE_ITERS = 8, 400, 3000


class FixedState:
    """An online-store stand-in returning one pre-read state: isolates the core from the feature read."""

    def __init__(self, state):
        self.state = state

    def get_pregame_state(self, home, away, season, date=None):
        return self.state

    def get_live_state(self, game_id):
        return None


class SklearnAdapter:
    """The uncompressed model: LightGBM's scikit-learn object scoring a one-row named DataFrame."""

    def __init__(self, clf, names):
        import pandas as pd

        self.clf, self.names, self.pd = clf, names, pd

    def predict_proba(self, features):
        return float(self.clf.predict_proba(self.pd.DataFrame([features], columns=self.names))[0, 1])


def timed(fn, n):
    for _ in range(100):
        fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e3)
    return {"p50_ms": round(_percentile(samples, 50), 4), "p99_ms": round(_percentile(samples, 99), 4)}


def main() -> int:
    from courtside.config import get_settings
    from courtside.features.pregame import FEATURE_NAMES
    from courtside.local.bootstrap import create_resources
    from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port
    from courtside.models.dataset import pregame_frame
    from courtside.serving.compiled import CompiledTrees
    from courtside.serving.compression import build_forms
    from courtside.serving.model_source import StaticModelProvider
    from courtside.serving.pregame import PregamePredictor
    from courtside.serving.schemas import PregameRequest

    report: dict = {"concurrency": CONCURRENCY}
    names = list(FEATURE_NAMES)
    frame = pregame_frame()
    forms = build_forms(frame[(frame["season"] >= 1980) & (frame["season"] <= 2014)], names)
    models = {
        "uncompressed-lightgbm-sklearn": SklearnAdapter(forms["sklearn"], names),
        "pure-python-trees": forms["trees"],
        "compiled-trees": CompiledTrees.from_tree_model(forms["trees"]),
        "distilled-logistic": forms["distilled"],
    }

    server = MotoServer(port=free_port()).start()
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
    try:
        from courtside.online_store import OnlineStore
        from courtside.serving.testing import seed_store

        settings = get_settings()
        create_resources(settings)
        seed_store(settings)
        store = OnlineStore()
        req = PregameRequest(date="2019-06-13", home_team="GSW", away_team="TOR")
        state = store.get_pregame_state("GSW", "TOR", 2019, "2019-06-13")
        report["feature_read"] = timed(lambda: store.get_pregame_state("GSW", "TOR", 2019, "2019-06-13"), 300)

        core = {}
        for label, model in models.items():
            predictor = PregamePredictor(store=FixedState(state), provider=StaticModelProvider(model, label))
            core[label] = timed(lambda p=predictor: p.predict(req), CORE_ITERS)
        base = core["uncompressed-lightgbm-sklearn"]["p50_ms"]
        for r in core.values():
            r["speedup_p50_vs_uncompressed"] = round(base / r["p50_ms"], 1)
        report["handler_core_without_feature_read"] = core

        # loopback load test through the Powertools app with the compiled model and the moto-backed store
        from courtside.serving.api import create_app
        from courtside.serving.live import LivePredictor
        from courtside.serving.service import PredictionService
        from courtside.serving.testing import proxy_event

        pregame = PregamePredictor(store=store, provider=StaticModelProvider(models["compiled-trees"], "bench/1"))
        app = create_app(PredictionService(pregame, LivePredictor(store=store)))
        lock = threading.Lock()  # one Lambda container serves one request at a time

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                with lock:
                    resp = app.resolve(proxy_event("POST", self.path, raw_body=body), None)
                data = resp["body"].encode()
                self.send_response(resp["statusCode"])
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                return None

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/predictions/pregame"
        payload = json.dumps({"date": "2019-06-13", "home_team": "GSW", "away_team": "TOR"}).encode()

        def one(_):
            t = time.perf_counter()
            r = urllib.request.Request(url, data=payload, headers={"content-type": "application/json"})
            with urllib.request.urlopen(r, timeout=30) as resp:
                assert resp.status == 200
                resp.read()
            return (time.perf_counter() - t) * 1e3

        t0 = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            lat = list(pool.map(one, range(REQUESTS)))
        elapsed = time.perf_counter() - t0
        httpd.shutdown()
        report["loopback_load"] = {
            "requests": REQUESTS,
            "concurrency": CONCURRENCY,
            "requests_per_s": round(REQUESTS / elapsed, 1),
            "p50_ms": round(_percentile(lat, 50), 2),
            "p99_ms": round(_percentile(lat, 99), 2),
        }
    finally:
        server.stop()
    print(json.dumps(report, indent=2))
    compiled = report["handler_core_without_feature_read"]["compiled-trees"]
    ok = compiled["p99_ms"] <= 2.0 and compiled["speedup_p50_vs_uncompressed"] >= 5.0
    print("goal (compiled p99 <= 2 ms, >= 5x uncompressed):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
