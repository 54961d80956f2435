"""Feature benchmarks (not timed tests): backfill, live features over the shared pbp, per-event cost, PIT retrieval.

Run: `.venv/bin/python bench/features.py [--pbp-sample N]` (reads /work/shared/data when present; the full pbp is
read unless --pbp-sample limits the games per season). Prints each figure against its goal.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from courtside.features.book_io import team_log_row  # noqa: E402
from courtside.features.box_data import load_box_lines  # noqa: E402
from courtside.features.hashing import DEFAULT_WIDTH, collision_rate  # noqa: E402
from courtside.features.history import LeagueBook, available_from_box, final_as_of  # noqa: E402
from courtside.features.live import LiveState, pbp_payload_from_row  # noqa: E402
from courtside.features.offline import training_set  # noqa: E402
from courtside.models.ingame_states import PBP_COLUMNS  # noqa: E402
from courtside.teams import franchise_of, to_bref  # noqa: E402

SHARED = Path("/work/shared/data")


def bench_backfill(games: pd.DataFrame) -> tuple[float, list[dict]]:
    """The backfill's work: extended features + availability before each game, result, box lines, team log."""
    box = load_box_lines(ROOT / "data")
    t, c = time.perf_counter(), time.process_time()
    book, rows, log = LeagueBook(), [], []
    for g in games.to_dict("records"):
        lines = box.get(g["game_key"], ())
        available = available_from_box(lines, g["home_team"], g["away_team"]) if lines else (None, None)
        rows.append(
            book.features(
                g["home_team"],
                g["away_team"],
                int(g["season"]),
                g["date"],
                bool(g["neutral"]),
                extended=True,
                available=available,
            )
        )
        book.apply(g, as_of=final_as_of(g["date"]))
        for ln in lines:
            book.apply_box(ln, g["game_key"])
        for code in (g["home_team"], g["away_team"]):
            log.append(team_log_row(book.teams[franchise_of(code)]))
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    n_lines = sum(len(v) for v in box.values())
    print(
        f"backfill 1946-47..2018-19: {len(rows)} games + {n_lines:,} box lines in {dt:.1f} s wall, {cpu:.1f} s CPU "
        f"(goal <= 60 s; {len(rows) / dt:,.0f} games/s)"
    )
    return dt, log


def bench_live(sample: int | None) -> None:
    files = sorted((SHARED / "pbp").glob("pbp_*.parquet"))
    if not files:
        print("live: /work/shared/data/pbp not found, skipped")
        return
    index = pd.read_csv(SHARED / "pbp" / "games_index_2015_2019.csv", dtype={"GAME_ID": str})
    home_of = {r.GAME_ID.zfill(10): to_bref(r.home) for r in index.itertuples()}
    away_of = {r.GAME_ID.zfill(10): to_bref(r.away) for r in index.itertuples()}
    t0, c0, n_events, n_games, apply_s, apply_cpu = time.perf_counter(), time.process_time(), 0, 0, 0.0, 0.0
    for f in files:
        pbp = pd.read_parquet(f, columns=list(PBP_COLUMNS))
        if sample:
            keep = pbp["GAME_ID"].drop_duplicates().head(sample)
            pbp = pbp[pbp["GAME_ID"].isin(keep)]
        for gid, grp in pbp.groupby("GAME_ID", sort=False):
            gid = str(gid).zfill(10)
            home, away = home_of.get(gid, ""), away_of.get(gid, "")
            payloads = [pbp_payload_from_row(r, home, away) for r in grp.to_dict("records")]
            state = LiveState(home=home, away=away)
            t, c = time.perf_counter(), time.thread_time()
            for p in payloads:
                state = state.apply(p)
                state.features()
            apply_s += time.perf_counter() - t
            apply_cpu += time.thread_time() - c
            n_events += len(payloads)
            n_games += 1
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    scope = f"sampled {sample} games/season" if sample else "all games"
    print(
        f"live features, 4 shared pbp seasons ({scope}): {n_events:,} events, {n_games} games in {dt:.1f} s wall, "
        f"{cpu:.1f} s CPU (goal <= 300 s)"
    )
    print(
        f"per-event live update (apply + features): {apply_s / n_events * 1e6:.2f} us wall mean, "
        f"{apply_cpu / n_events * 1e6:.2f} us thread CPU mean (goal <= 20 us; wall includes preemption by other "
        "processes on this shared machine)"
    )


def bench_pit(games: pd.DataFrame, log: list[dict]) -> None:
    recent = games[games["season"] >= 2015]
    team_log = pd.DataFrame(log)
    t = time.perf_counter()
    ts = training_set(recent, team_log)
    sql_s = time.perf_counter() - t
    t = time.perf_counter()
    spine = pd.concat(
        [
            pd.DataFrame(
                {
                    "game_key": recent.game_key,
                    "team": recent.home_team.map(franchise_of),
                    "ts": recent.date + "T00:00:00Z",
                    "side": "home",
                }
            ),
            pd.DataFrame(
                {
                    "game_key": recent.game_key,
                    "team": recent.away_team.map(franchise_of),
                    "ts": recent.date + "T00:00:00Z",
                    "side": "away",
                }
            ),
        ]
    )
    spine["tsd"] = pd.to_datetime(spine["ts"])
    lg = team_log.assign(tsd=pd.to_datetime(team_log["event_time"])).sort_values("tsd")
    base = pd.merge_asof(spine.sort_values("tsd"), lg, on="tsd", by="team", allow_exact_matches=False)
    pandas_s = time.perf_counter() - t
    same = (
        ts.set_index("game_key")["home_elo"].sort_index().values
        == base[base.side == "home"].set_index("game_key")["elo"].sort_index().values
    ).all()
    print(
        f"PIT training set 2014-15..2018-19: {len(ts)} games ({2 * len(ts)} spine rows, log {len(team_log):,} rows): "
        f"SQL {sql_s:.2f} s vs pandas merge_asof {pandas_s:.2f} s (ratio {sql_s / pandas_s:.1f}x); "
        f"same values: {bool(same)}"
    )


def bench_hashing() -> None:
    box = SHARED / "box" / "player_box_2015_2019.parquet"
    if not box.exists():
        return
    players = pd.read_parquet(box, columns=["PLAYER_ID"])["PLAYER_ID"].unique()
    for width in sorted({1024, 4096, DEFAULT_WIDTH, 65536}):
        print(
            f"hashing players: {len(players)} distinct ids into {width} buckets: "
            f"collision rate {collision_rate(players, width, 'player'):.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pbp-sample", type=int, default=None, help="games per season (default: all)")
    args = ap.parse_args()
    games = pd.read_parquet(ROOT / "data" / "games" / "nba_games_1947_2019.parquet")
    games["date"] = games["date"].astype(str).str[:10]
    games = games.sort_values(["date", "game_key"], kind="stable").reset_index(drop=True)
    _, log = bench_backfill(games)
    bench_pit(games, log)
    bench_hashing()
    bench_live(args.pbp_sample)


if __name__ == "__main__":
    main()
