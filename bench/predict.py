"""Prediction service benchmark (issue 7): handler core warm p50/p99, feature read, loopback load test.

1. Handler core (PregamePredictor.predict: validation-free core, features from an in-memory state, scoring,
   capture hook) with the compressed models vs the uncompressed LightGBM models (the scikit-learn object the
   issue names, and the raw Booster, the fastest uncompressed form), same run. Wall-clock p50/p99 and, because
   this machine is shared, thread CPU time p50/p99 (time the core itself ran, without preemption by neighbours).
2. Feature read: OnlineStore.get_pregame_state (one BatchGetItem) against a moto server started here.
3. Cold start: import + init of functions.predict.handler in fresh interpreters (courtside.serving.coldstart),
   with the compiled model registered and approved, medians of wall and CPU time and where the time goes.
4. Loopback load test of the local API (courtside.local.api builds API Gateway proxy events and calls the real
   predict handler), N requests from a stated number of concurrent clients; requests/s, p50 and p99.

Run: .venv/bin/python bench/predict.py  (a few minutes; trains the LightGBM teacher once).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from courtside.serving.compression import _percentile  # noqa: E402

CONCURRENCY, REQUESTS, CORE_ITERS, COLD_RUNS = 8, 400, 3000, 7


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


class BoosterAdapter:
    """The uncompressed model at its fastest: the LightGBM Booster scoring a one-row numpy array."""

    def __init__(self, booster, names):
        import numpy as np

        self.booster, self.names, self.np = booster, names, np

    def predict_proba(self, features):
        row = self.np.array([[features[n] for n in self.names]], dtype=float)
        return float(self.booster.predict(row)[0])


def timed(fn, n):
    """Warm latency in ms: wall clock (what a caller sees) and thread CPU time (unaffected by preemption)."""
    for _ in range(100):
        fn()
    wall, cpu = [], []
    for _ in range(n):
        c, t = time.thread_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
    return {
        "p50_ms": round(_percentile(wall, 50), 4),
        "p99_ms": round(_percentile(wall, 99), 4),
        "cpu_p50_ms": round(_percentile(cpu, 50), 4),
        "cpu_p99_ms": round(_percentile(cpu, 99), 4),
    }


@contextmanager
def seeded_local_stack() -> Iterator[Any]:
    """A moto server started here, the project's resources created on it and the online store seeded (games through
    2019-06-13); yields the settings. Stopped on exit."""
    from courtside.config import get_settings
    from courtside.local.bootstrap import create_resources
    from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port
    from courtside.serving.testing import seed_store

    server = MotoServer(port=free_port()).start()
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
    try:
        settings = get_settings()
        create_resources(settings)
        seed_store(settings)
        yield settings
    finally:
        server.stop()


def main() -> int:
    from courtside.features.pregame import FEATURE_NAMES
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
        "uncompressed-lightgbm-booster": BoosterAdapter(forms["booster"], names),
        "pure-python-trees": forms["trees"],
        "compiled-trees": CompiledTrees.from_tree_model(forms["trees"]),
        "distilled-logistic": forms["distilled"],
    }

    with seeded_local_stack() as settings:
        from courtside.online_store import OnlineStore

        store = OnlineStore()
        req = PregameRequest(date="2019-06-13", home_team="GSW", away_team="TOR")
        state = store.get_pregame_state("GSW", "TOR", 2019, "2019-06-13")
        report["feature_read"] = timed(lambda: store.get_pregame_state("GSW", "TOR", 2019, "2019-06-13"), 300)

        core = {}
        for label, model in models.items():
            predictor = PregamePredictor(store=FixedState(state), provider=StaticModelProvider(model, label))
            core[label] = timed(lambda p=predictor: p.predict(req), CORE_ITERS)
        sk, bo = core["uncompressed-lightgbm-sklearn"], core["uncompressed-lightgbm-booster"]
        for r in core.values():
            r["speedup_p50_vs_sklearn"] = round(sk["p50_ms"] / r["p50_ms"], 1)
            r["speedup_p50_vs_booster"] = round(bo["p50_ms"] / r["p50_ms"], 1)
            r["speedup_cpu_p50_vs_booster"] = round(bo["cpu_p50_ms"] / r["cpu_p50_ms"], 1)
        report["handler_core_without_feature_read"] = core
        holdout = frame[frame["season"] >= 2015][names].astype(float).to_dict("records")[:2000]
        reference = [models["uncompressed-lightgbm-booster"].predict_proba(r) for r in holdout]
        report["max_abs_diff_vs_booster_2015_2019"] = {
            label: max(abs(m.predict_proba(r) - p) for r, p in zip(holdout, reference, strict=True))
            for label, m in models.items()
        }

        # cold start: the compiled model, registered and approved, loaded by the handler's init
        from courtside.serving import coldstart
        from courtside.serving.testing import register_and_approve

        register_and_approve(settings, models["compiled-trees"].to_json(), key="models/bench/compiled.json")
        report["cold_start"] = coldstart.measure(COLD_RUNS)

        # loopback load test of the local API (courtside.local.api, the stand-in for API Gateway) in front of the
        # real predict handler (init loads the approved compiled model; one request at a time per function, as a
        # Lambda container serves them), against the moto-backed online store
        from courtside.local.api import LocalApi
        from courtside.local.functions import api_routes

        for key, value in {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}.items():
            os.environ.setdefault(key, value)  # as the local stack does: no EMF lines on stdout per request
        api = LocalApi(api_routes(settings.names), port=0).start()
        url = f"{api.url}/v1/predictions/pregame"
        payload = json.dumps({"date": "2019-06-13", "home_team": "GSW", "away_team": "TOR"}).encode()

        def one(_):
            t = time.perf_counter()
            r = urllib.request.Request(url, data=payload, headers={"content-type": "application/json"})
            with urllib.request.urlopen(r, timeout=30) as resp:
                assert resp.status == 200
                resp.read()
            return (time.perf_counter() - t) * 1e3

        one(0)  # the first request imports the handler (cold start, measured above), not part of the load test
        t0 = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            lat = list(pool.map(one, range(REQUESTS)))
        elapsed = time.perf_counter() - t0
        api.stop()
        report["loopback_load"] = {
            "requests": REQUESTS,
            "concurrency": CONCURRENCY,
            "requests_per_s": round(REQUESTS / elapsed, 1),
            "p50_ms": round(_percentile(lat, 50), 2),
            "p99_ms": round(_percentile(lat, 99), 2),
        }
    print(json.dumps(report, indent=2))
    compiled = report["handler_core_without_feature_read"]["compiled-trees"]
    fast = compiled["speedup_p50_vs_booster"] >= 5.0 and compiled["speedup_p50_vs_sklearn"] >= 5.0
    print(
        f"goal >= 5x uncompressed: {'met' if fast else 'NOT met'} "
        f"({compiled['speedup_p50_vs_sklearn']}x vs sklearn, {compiled['speedup_p50_vs_booster']}x vs booster)"
    )
    for clock in ("p99_ms", "cpu_p99_ms"):
        print(
            f"goal compiled core {clock} <= 2 ms: {'met' if compiled[clock] <= 2.0 else 'NOT met'} ({compiled[clock]})"
        )
    cold = report["cold_start"]
    print(
        f"goal import+init <= {cold['budget_ms']:.0f} ms: wall median {cold['import_init_wall_ms_median']} ms, "
        f"CPU median {cold['import_init_cpu_ms_median']} ms "
        f"({'met' if cold['import_init_wall_ms_median'] <= cold['budget_ms'] else 'NOT met'} on wall, "
        f"{'met' if cold['import_init_cpu_ms_median'] <= cold['budget_ms'] else 'NOT met'} on CPU); "
        f"phases (CPU ms) {cold['phases_cpu_ms_median']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
