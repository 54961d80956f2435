"""`make demo`: the main job end to end on the embedded local stack, on real games.

1. start the local stack (moto server, resources, stream pollers, local API);
2. seed it with 1946-47..2017-18: games into the lake, features backfilled, first model trained (the real
   `sagemaker/train.py` under the SageMaker `SM_*` contract), registered in the SageMaker model registry, approved;
3. replay 2018-19 date by date through the public contracts only: ask the API for that date's pre-game forecasts,
   then put that date's `game_final` events on Kinesis (validate -> lake raw zone + validated stream -> features ->
   DynamoDB), plus a few deliberately broken records that must end in quarantine;
4. run an analyst SQL file from glue/sql/ on DuckDB over the lake;
5. print a summary and write it to .courtside/demo/summary.json.

During the replay the stack learns continually (docs/replay.md): the demo's app user agrees to analytics through
the consent API, so its forecasts are captured and joined to their results; the local scheduler's retrain check
retrains on the policy's triggers (every N new finished games, season boundary), promotes only through the gates,
and records each decision in the registry; `model_version` in the responses shows which model answered.
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from courtside.config import Settings, get_settings
from courtside.local.seed import load_games_file, seed_stack
from courtside.local.stack import LocalStack

BROKEN_RECORDS: list[bytes] = [
    b"{not json",
    b'{"schema_version": "1.0", "event_type": "game_final"}',
    b'{"schema_version": "9.9", "event_id": "x", "event_type": "game_final", "game_id": "20190101_BOS_at_NYK",'
    b' "occurred_at": "2019-01-01T23:59:59Z", "payload": {}}',
]
SQL_EXAMPLE = "glue/sql/examples/home_win_rate_by_season.sql"


def post_json(url: str, body: dict[str, Any], timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def brier(p: list[float], y: list[int]) -> float:
    return sum((pi - yi) ** 2 for pi, yi in zip(p, y, strict=True)) / len(p)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


DEMO_USER = "demo-replay-client"


def agree_to_analytics(api_url: str, user_id: str = DEMO_USER) -> None:
    """Record the demo user's consent to analytics through the public consent API (so its forecasts are captured)."""
    status, body = post_json(
        f"{api_url}/v1/users/{user_id}/consent", {"agreement_version": "2026-01", "purposes": ["analytics"]}
    )
    if status not in (200, 201):
        raise RuntimeError(f"recording consent failed: {status} {body}")


def timed_forecast(
    url: str, date: str, game: Any, user_id: str | None = DEMO_USER
) -> tuple[int, dict[str, Any], float]:
    """One pre-game forecast request, as an app would send it; returns (status, body, latency in ms)."""
    t = time.perf_counter()
    request = {"date": date, "home_team": game.home_team, "away_team": game.away_team, "neutral": bool(game.neutral)}
    status, body = post_json(url, {**request, **({"user_id": user_id} if user_id else {})})
    return status, body, (time.perf_counter() - t) * 1000


def replay_season(
    stack: LocalStack, season_games: pd.DataFrame, broken: list[bytes], progress: bool = True
) -> dict[str, Any]:
    """Date by date: forecasts over HTTP first, then that date's results onto the stream."""
    from courtside.aws.clients import client
    from courtside.aws.kinesis_producer import put_events
    from courtside.events import game_final_event

    names = stack.settings.names
    url = f"{stack.api_url}/v1/predictions/pregame"
    agree_to_analytics(stack.api_url)
    predictions: list[dict[str, Any]] = []
    latencies_ms: list[float] = []
    events_in = 0
    leaks: list[str] = []  # a forecast that saw a result of its own date or later
    stale: list[str] = []  # a forecast that missed a result of an earlier date
    previous_date = ""
    dates = list(season_games.groupby("date", sort=True))
    pool = ThreadPoolExecutor(max_workers=4)  # an app asks for a date's games concurrently
    for i, (date, day) in enumerate(tqdm(dates, desc="replaying 2018-19", unit="date", disable=not progress)):
        games = list(day.itertuples(index=False))
        answers = list(pool.map(lambda g, d=date: timed_forecast(url, d, g), games))
        for game, (status, body, ms) in zip(games, answers, strict=True):
            latencies_ms.append(ms)
            if status != 200:
                raise RuntimeError(f"prediction for {game.game_key} failed: {status} {body}")
            predictions.append({"game_key": game.game_key, "answered_at": time.time(), **body})
            as_of_date = str(body.get("features_as_of") or "")[:10]
            if as_of_date >= date:
                leaks.append(game.game_key)
            if previous_date and as_of_date < previous_date:
                stale.append(game.game_key)
        events = [game_final_event(row) for row in day.to_dict("records")]
        events_in += put_events(events, names.stream).records
        if i == len(dates) // 2 and broken:  # bad input mid-season: quarantined, never blocks the shard
            client("kinesis").put_records(
                StreamName=names.stream,
                Records=[{"Data": raw, "PartitionKey": "broken"} for raw in broken],
            )
            events_in += len(broken)
        if not stack.wait_drained(timeout=30):
            raise TimeoutError(f"stream pollers did not drain after {date}")
        previous_date = date
    pool.shutdown()
    return {
        "predictions": predictions,
        "latencies_ms": latencies_ms,
        "events_in": events_in,
        "leaks": leaks,
        "stale": stale,
    }


def continual_summary(settings: Settings, predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Retrain decisions made during the replay and which model versions answered (in order of first answer)."""
    from courtside import registry
    from courtside.continual.service import decisions

    made = [d for d in decisions(settings) if "decision" in d]
    verdicts = [
        {k: e.get(k) for k in ("event", "model_version", "who", "why", "at")}
        for e in registry.history(settings.names.model_package_group, settings.names.artifacts_bucket)
        if e.get("who") == "courtside-retrain" and e.get("event") in ("approved", "rejected")
    ]
    # when each promotion took effect: the registry's approval, not the start of the retrain run that led to it
    # (training and the gates take tens of seconds on a loaded machine, while requests keep being answered)
    approved_at = {v["model_version"]: v["at"] for v in verdicts if v["event"] == "approved"}
    versions: list[str] = []
    for p in predictions:
        if p.get("model_version") not in versions:
            versions.append(p["model_version"])
    return {
        "retrains": len(made),
        "promotions": [
            {
                "at": approved_at[d["decision"]["challenger"]],
                "run_started_at": d["at"],
                "trigger": d["trigger"],
                "model_version": d["decision"]["challenger"],
                "replaced": d["decision"]["champion"],
                "trained_through": d.get("trained_through"),
            }
            for d in made
            if d["decision"]["promoted"]
        ],
        "rejections": [
            {"trigger": d["trigger"], "model_version": d["decision"]["challenger"], "failed": d["decision"]["failed"]}
            for d in made
            if not d["decision"]["promoted"]
        ],
        "registry_decisions": verdicts,
        "model_versions_served": versions,
        "predictions_by_model_version": {v: sum(p.get("model_version") == v for p in predictions) for v in versions},
    }


def run_demo(
    settings: Settings | None = None,
    out_dir: Path | None = None,
    replay_season_year: int = 2019,
    max_replay_games: int | None = None,
    api_port: int | None = None,
    aws_port: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the main job; returns the summary (also written to `out_dir/summary.json`)."""
    from courtside.ingest.stats import ingest_stats
    from courtside.sql import run_sql_file

    settings = settings or get_settings()
    out_dir = out_dir or settings.state_dir / "demo"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    started = time.perf_counter()
    games = load_games_file(settings)
    history = games[games["season"] < replay_season_year]
    season = games[games["season"] == replay_season_year]
    if max_replay_games:
        season = season.head(max_replay_games)

    def say(step: str, status: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - started:6.1f}s] {step}: {status}", flush=True)

    with LocalStack(settings, api_port=api_port, aws_port=aws_port) as stack:
        say("stack", f"moto server at {stack.endpoint_url}, API at {stack.api_url}")

        def report(step: str, status: str) -> None:
            stack.readiness.step(step, status)
            say(step, status)

        seeded = seed_stack(settings, history, report=report)
        stack.mark_ready()
        say("model", f"{seeded.model_version} approved and served (run {seeded.run_id})")
        say("live_model", f"{seeded.live_model_version} approved and served on GET /v1/games/{{id}}/live")
        replay = replay_season(stack, season, BROKEN_RECORDS, progress=progress)
        counts = ingest_stats(settings)
        say("sql", f"running {SQL_EXAMPLE} on DuckDB over the lake")
        sql_rows = run_sql_file(settings.data_dir.parent / SQL_EXAMPLE, settings)
        if stack.scheduler is not None:
            stack.scheduler.stop(timeout=120)  # let a running retrain finish before reading the decisions
        learning = continual_summary(settings, replay["predictions"])
        from courtside.monitoring.report import report_from_lake

        say("monitoring", f"report of the replay's captures -> {out_dir / 'monitoring'}")
        report_from_lake(settings, out_dir / "monitoring")

    preds = pd.DataFrame(replay["predictions"]).merge(
        season[["game_key", "home_score", "away_score", "fte_elo_prob_home"]], on="game_key"
    )
    y = (preds["home_score"] > preds["away_score"]).astype(int).tolist()
    summary = {
        "events_in": replay["events_in"],
        "events_stored": counts["stored"],
        "events_quarantined": counts["quarantined"],
        "quarantine_by_reason": counts.get("by_reason", {}),
        "history_games_loaded": seeded.games_loaded,
        "training_rows": seeded.training_rows,
        "dataset_version": seeded.dataset_version,
        "run_id": seeded.run_id,
        "model_version": seeded.model_version,
        "live_model_version": seeded.live_model_version,
        "games_predicted": len(preds),
        "brier_model": round(brier(preds["home_win_probability"].tolist(), y), 5),
        "brier_fte_elo": round(brier(preds["fte_elo_prob_home"].tolist(), y), 5),
        "predictions_using_own_date_or_later": len(replay["leaks"]),
        "predictions_missing_earlier_results": len(replay["stale"]),
        "api_p50_ms": round(statistics.median(replay["latencies_ms"]), 2),
        "api_p99_ms": round(percentile(replay["latencies_ms"], 99), 2),
        "sql_file": SQL_EXAMPLE,
        "sql_rows": len(sql_rows),
        **learning,
        "seconds": round(time.perf_counter() - started, 1),
        "timings_s": {k: round(v, 1) for k, v in seeded.timings_s.items()},
    }
    preds.to_csv(out_dir / "predictions.csv", index=False)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    ok = summary["events_in"] == summary["events_stored"] + summary["events_quarantined"]
    lines = [
        "",
        "Courtside demo — summary",
        f"  events in / stored / quarantined : {summary['events_in']} / {summary['events_stored']} / "
        f"{summary['events_quarantined']}  ({'balanced' if ok else 'NOT BALANCED'})",
        f"  quarantine reasons               : {summary['quarantine_by_reason']}",
        f"  model                            : {summary['model_version']} (dataset {summary['dataset_version']})",
        f"  games predicted                  : {summary['games_predicted']}",
        f"  Brier, Courtside model           : {summary['brier_model']:.4f}",
        f"  Brier, FiveThirtyEight Elo       : {summary['brier_fte_elo']:.4f}  (same games)",
        f"  forecasts that saw their own date or later / missed an earlier result : "
        f"{summary['predictions_using_own_date_or_later']} / {summary['predictions_missing_earlier_results']}",
        f"  API latency p50 / p99            : {summary['api_p50_ms']} ms / {summary['api_p99_ms']} ms",
        f"  continual learning               : {summary['retrains']} retrains, "
        f"{len(summary['promotions'])} promoted, {len(summary['rejections'])} rejected by the gates",
        *[
            f"    promoted {p['model_version']} ({p['trigger']}, games through {p['trained_through']})"
            for p in summary["promotions"]
        ],
        f"  forecasts by model version       : {summary['predictions_by_model_version']}",
        f"  analyst SQL ({summary['sql_file']}) : {summary['sql_rows']} rows",
        f"  wall time                        : {summary['seconds']} s",
        "  written to .courtside/demo/summary.json",
    ]
    print("\n".join(lines))
