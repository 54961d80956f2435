"""The features handler's per-event tracker work, this checkout's `LiveState` against another commit's.

What the handler does per `pbp` event: `accepts` (is it new?), `apply`, `features()` and `to_dict()` (the stored
item). Both versions run interleaved in one process on the same payloads (a season's first games, in the source's
order, as streamed), and the figure is thread CPU per *applied* event, median of the runs, so a version that skips
events is not flattered by them. Use: compare against the commit before a tracker change (stop 20:
`--baseline-rev 2bb0245`, the high-water-mark dedupe and `dataclasses.asdict` in `to_dict`).

Run: `.venv/bin/python bench/live_tracker_vs_commit.py --baseline-rev 2bb0245 [--games 200] [--runs 5]`
(reads /work/shared/data/pbp; about 1 min).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courtside.features import live  # noqa: E402
from courtside.models.ingame_states import PBP_COLUMNS  # noqa: E402

PBP = Path("/work/shared/data/pbp/pbp_2018-19.parquet")


def module_at(rev: str) -> ModuleType:
    """`courtside/features/live.py` as it was at `rev`, imported under its own name."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:courtside/features/live.py"], check=True, capture_output=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "live_baseline.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("live_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["live_baseline"] = module
    spec.loader.exec_module(module)
    return module


def per_applied_event(mod: Any, games: list[list[dict[str, Any]]]) -> tuple[float, int]:
    """Thread CPU microseconds per applied event of the handler's tracker work, and the events applied."""
    start, applied = time.thread_time(), 0
    for payloads in games:
        state = mod.LiveState(home="H", away="A")
        for p in payloads:
            if not state.accepts(p):
                continue
            state = state.apply(p)
            state.features()
            state.to_dict()
            applied += 1
    return (time.thread_time() - start) / applied * 1e6, applied


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-rev", required=True)
    ap.add_argument("--games", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    baseline = module_at(a.baseline_rev)
    pbp = pd.read_parquet(PBP, columns=list(PBP_COLUMNS))
    pbp = pbp[pbp["GAME_ID"].isin(pbp["GAME_ID"].drop_duplicates().head(a.games))]
    games = [
        [live.pbp_payload_from_row(r, "H", "A") for r in g.to_dict("records")]
        for _, g in pbp.groupby("GAME_ID", sort=False)
    ]
    times: dict[str, list[float]] = {"baseline": [], "this checkout": []}
    applied: dict[str, int] = {}
    for _ in range(a.runs):
        for name, mod in (("baseline", baseline), ("this checkout", live)):
            us, applied[name] = per_applied_event(mod, games)
            times[name].append(us)
    base, new = statistics.median(times["baseline"]), statistics.median(times["this checkout"])
    print(f"{sum(map(len, games))} payloads, {len(games)} games of 2018-19 in the source's order")
    print(
        f"events applied: baseline ({a.baseline_rev}) {applied['baseline']}, this checkout {applied['this checkout']}"
    )
    print(
        f"thread CPU per applied event (accepts + apply + features + to_dict), median of {a.runs}: "
        f"baseline {base:.2f} us, this checkout {new:.2f} us, ratio {new / base:.2f}x (goal for the update: <= 20 us)"
    )


if __name__ == "__main__":
    main()
