"""Offline store retrieval: point-in-time-correct training sets (practice 20).

Semantics: for each spine row (entity, ts) take the log row of the same entity with the latest `event_time`
strictly before `ts` (ties between log rows broken by the later `ingested_at`, then the higher `seq`). A value
stamped exactly at tip-off is not visible: it may describe the game itself. With `knowledge_cutoff`, a log row
is only visible if it had also *arrived* before `ts` (`ingested_at < ts`): the training set then holds exactly what
the online store could have served, late-arriving events included only once they arrived.

Two implementations, both proven against the brute-force reference on randomised data: :data:`PIT_SQL`, a portable
window query (Athena/Trino has no ASOF JOIN; glue/sql/examples/pit_training_set.sql), and :data:`ASOF_SQL`, DuckDB's
ASOF JOIN, used locally because the window query's range join is quadratic per entity (see bench/features.py).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

PIT_SQL = """
SELECT * EXCLUDE (rn) FROM (
  SELECT s.*, {value_cols}, l.event_time AS feature_event_time,
         ROW_NUMBER() OVER (
           PARTITION BY s.row_id
           ORDER BY l.event_time DESC NULLS LAST, l.ingested_at DESC NULLS LAST, l.seq DESC NULLS LAST
         ) AS rn
  FROM spine s
  LEFT JOIN feature_log l
    ON l.entity = s.entity AND l.event_time < s.ts {knowledge}
) t
WHERE rn = 1
ORDER BY row_id
"""


def pit_sql(value_cols: list[str], knowledge_cutoff: bool = False) -> str:
    """The as-of join SQL (Athena/DuckDB); `spine(row_id, entity, ts)`, `feature_log(entity, event_time, ...)`."""
    return PIT_SQL.format(
        value_cols=", ".join(f"l.{c}" for c in value_cols),
        knowledge="AND l.ingested_at < s.ts" if knowledge_cutoff else "",
    )


ASOF_SQL = """
WITH latest AS (  -- one log row per (entity, event_time): ties go to the later arrival, then the higher seq
  SELECT * EXCLUDE (rn) FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY entity, event_time ORDER BY ingested_at DESC, seq DESC) AS rn
    FROM feature_log
  ) WHERE rn = 1
)
SELECT s.*, {value_cols}, l.event_time AS feature_event_time
FROM spine s
ASOF LEFT JOIN latest l ON l.entity = s.entity AND s.ts > l.event_time
ORDER BY row_id
"""


def point_in_time(
    spine: pd.DataFrame, log: pd.DataFrame, value_cols: list[str], knowledge_cutoff: bool = False
) -> pd.DataFrame:
    """Spine rows with the latest feature values strictly before each row's `ts` (NULL when none)."""
    log = log.copy()
    for col, default in (("ingested_at", None), ("seq", 0)):
        if col not in log:
            log[col] = log["event_time"] if col == "ingested_at" else default
    con = duckdb.connect()
    con.register("spine", spine)
    con.register("feature_log", log)
    if knowledge_cutoff:  # visibility depends on each row's ts: the portable window query (range join, slower)
        return con.execute(pit_sql(value_cols, knowledge_cutoff)).df()
    # DuckDB's ASOF JOIN gives the same rows as PIT_SQL (proven by the tests) in O(n log n) instead of a range join
    return con.execute(ASOF_SQL.format(value_cols=", ".join(f"l.{c}" for c in value_cols))).df()


def point_in_time_bruteforce(
    spine: pd.DataFrame, log: pd.DataFrame, value_cols: list[str], knowledge_cutoff: bool = False
) -> list[dict[str, Any]]:
    """Reference implementation: a scan of the whole log per spine row (obviously correct, O(n*m))."""
    out = []
    records = log.to_dict("records")
    for s in spine.to_dict("records"):
        best = None
        for r in records:
            if r["entity"] != s["entity"] or not r["event_time"] < s["ts"]:
                continue
            if knowledge_cutoff and not r.get("ingested_at", r["event_time"]) < s["ts"]:
                continue
            rank = (r["event_time"], r.get("ingested_at", r["event_time"]), r.get("seq", 0))
            if best is None or rank > best[0]:
                best = (rank, r)
        row = dict(s)
        for c in value_cols:
            row[c] = None if best is None else best[1][c]
        row["feature_event_time"] = None if best is None else best[1]["event_time"]
        out.append(row)
    return out


def training_spine(games: pd.DataFrame) -> pd.DataFrame:
    """Two spine rows per game (home, away side), ts = tip-off (the game's date at 00:00 UTC: no same-day results)."""
    from courtside.teams import franchise_of

    rows = []
    for i, g in enumerate(games.itertuples()):
        ts = f"{str(g.date)[:10]}T00:00:00Z"
        rows.append(
            {"row_id": 2 * i, "game_key": g.game_key, "side": "home", "entity": franchise_of(g.home_team), "ts": ts}
        )
        rows.append(
            {"row_id": 2 * i + 1, "game_key": g.game_key, "side": "away", "entity": franchise_of(g.away_team), "ts": ts}
        )
    return pd.DataFrame(rows)


TEAM_LOG_VALUES = [
    "elo",
    "form_net_rating",
    "form_win_rate",
    "season_games",
    "season_win_pct",
    "season_net_rating",
    "last_game_date",
    "last_game",
]


def training_set(games: pd.DataFrame, team_log: pd.DataFrame) -> pd.DataFrame:
    """One row per game with both teams' logged feature values as of tip-off (home_*, away_* columns)."""
    log = team_log.rename(columns={"team": "entity"})
    got = point_in_time(training_spine(games), log, TEAM_LOG_VALUES)
    home = got[got.side == "home"].set_index("game_key")
    away = got[got.side == "away"].set_index("game_key")
    cols = [*TEAM_LOG_VALUES, "feature_event_time"]
    out = home[["ts"]].join(home[cols].add_prefix("home_")).join(away[cols].add_prefix("away_"))
    return out.reset_index()
