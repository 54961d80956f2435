"""Join game outcomes to captured predictions: `captures_labeled/date=<game date>/labeled.parquet`.

Why materialised (not only an on-read join): rolling metrics, the drift job and the report read labeled captures
many times; one file per game date keeps those reads small. The join is idempotent: outcomes are merged into
`outcomes/date=<game date>/outcomes.parquet` and each touched date's labeled file is rebuilt from all its captures,
so a replayed `game_final` rewrites the same rows. Predictions for a game are usually made on earlier days, so the
captures of the `lookback_days` before the game are scanned.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from datetime import date as Date
from typing import Any

import pandas as pd

from courtside.config import Settings
from courtside.monitoring.capture import capture_objects_since, captures_for_games, covers

OUTCOME_COLUMNS = ("game_key", "game_date", "home_score", "away_score", "home_win")
LABELED_PREFIX = "captures_labeled"
OUTCOMES_PREFIX = "outcomes"


def finals_frame(finals: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Outcomes from a finals DataFrame (games-file columns) or `game_final` events (envelopes or payloads)."""
    if isinstance(finals, pd.DataFrame):
        df = finals.copy()
        if "game_date" not in df and "date" in df:
            df["game_date"] = df["date"].astype(str).str[:10]
    else:
        rows = []
        for ev in finals:
            payload = ev.get("payload", ev)
            if ev.get("event_type", "game_final") != "game_final":
                continue
            rows.append(
                {
                    "game_key": ev.get("game_id") or payload.get("game_key"),
                    "game_date": str(payload["date"])[:10],
                    "home_score": int(payload["home_score"]),
                    "away_score": int(payload["away_score"]),
                }
            )
        df = pd.DataFrame(rows, columns=["game_key", "game_date", "home_score", "away_score"])
    df["game_date"] = df["game_date"].astype(str).str[:10]
    df["home_win"] = (df["home_score"] > df["away_score"]).astype(int)
    return df[list(OUTCOME_COLUMNS)].drop_duplicates("game_key", keep="last")


def label_captures(captures: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The on-read join: every capture of a finished game with its outcome (inner join on game_key)."""
    out = captures.drop(columns=[c for c in ("home_score", "away_score", "home_win") if c in captures])
    merged = out.merge(outcomes[["game_key", "home_score", "away_score", "home_win"]], on="game_key", how="inner")
    return merged.sort_values(["game_date", "captured_at"], kind="stable").reset_index(drop=True)


def _to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _read(bucket: str, key: str) -> pd.DataFrame | None:
    from courtside.aws.s3io import exists, get_bytes

    return pd.read_parquet(io.BytesIO(get_bytes(bucket, key))) if exists(bucket, key) else None


def join_outcomes(
    settings: Settings, finals: pd.DataFrame | Iterable[Mapping[str, Any]], lookback_days: int = 14
) -> dict[str, int]:
    """Merge `finals` into the outcomes table and rebuild the labeled captures of each touched game date.

    Returns {game date: labeled rows written}.
    """
    from courtside.aws.s3io import put_bytes

    bucket = settings.names.lake_bucket
    new = finals_frame(finals)
    written: dict[str, int] = {}
    for game_date, day in new.groupby("game_date"):
        okey = f"{OUTCOMES_PREFIX}/date={game_date}/outcomes.parquet"
        prev = _read(bucket, okey)
        outcomes = pd.concat([prev, day], ignore_index=True) if prev is not None else day
        outcomes = outcomes.drop_duplicates("game_key", keep="last")
        put_bytes(bucket, okey, _to_parquet(outcomes))
        written[str(game_date)] = relabel_date(settings, str(game_date), outcomes, lookback_days)
    return written


def relabel_date(
    settings: Settings, game_date: str, outcomes: pd.DataFrame | None = None, lookback_days: int = 14
) -> int:
    """Rebuild `captures_labeled/date=<game_date>/` from every capture of that date's games; returns its rows."""
    from courtside.aws.s3io import put_bytes

    bucket = settings.names.lake_bucket
    if outcomes is None:
        outcomes = _read(bucket, f"{OUTCOMES_PREFIX}/date={game_date}/outcomes.parquet")
        if outcomes is None:
            return 0
    captures = captures_for_games(settings, {game_date}, lookback_days)
    labeled = label_captures(captures, outcomes)
    put_bytes(bucket, f"{LABELED_PREFIX}/date={game_date}/labeled.parquet", _to_parquet(labeled))
    return len(labeled)


def _listing(settings: Settings, prefix: str) -> list[tuple[str, datetime]]:
    """(game date, last written) of every partition file under `prefix`, from one paginated listing."""
    from courtside.aws.clients import client

    out = []
    paginator = client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.names.lake_bucket, Prefix=f"{prefix}/date="):
        for o in page.get("Contents", []):
            out.append((o["Key"].split("date=", 1)[1][:10], o["LastModified"]))
    return sorted(out)


def outcome_files(settings: Settings) -> list[tuple[str, datetime]]:
    """(game date, last written) of every outcomes partition."""
    return _listing(settings, OUTCOMES_PREFIX)


def stale_dates(
    settings: Settings, within: timedelta = timedelta(days=30), lookback_days: int = 14, now: datetime | None = None
) -> list[str]:
    """Game dates (outcomes written in the last `within`) whose labeled file is missing, older than their outcomes,
    or older than a capture object that can hold their predictions. Three listings, no object reads."""
    now = now or datetime.now(UTC)
    outcomes = [(d, t) for d, t in outcome_files(settings) if now - t <= within]
    if not outcomes:
        return []
    labeled = dict(_listing(settings, LABELED_PREFIX))
    first = (Date.fromisoformat(min(d for d, _ in outcomes)) - timedelta(days=lookback_days)).isoformat()
    captures = capture_objects_since(settings, first)
    stale = []
    for d, written in outcomes:
        done = labeled.get(d)
        if done is None or done < written or any(t >= done and covers(k, d) for k, t in captures):
            stale.append(d)
    return stale


def relabel_stale(settings: Settings, within: timedelta = timedelta(days=30)) -> int:
    """Re-join every :func:`stale_dates` date: captures flushed after their game's `game_final` was joined (buffered
    in a predict container, or a replay running faster than real time) get their label here. Idempotent; the
    monitor and retrain jobs call it before they read labeled captures. Returns the dates rebuilt."""
    dates = stale_dates(settings, within)
    for d in dates:
        relabel_date(settings, d)
    return len(dates)


def read_outcomes(settings: Settings, after: str | None = None) -> pd.DataFrame:
    """Every outcome (of games after date `after`, when given), in game order."""
    from courtside.monitoring.capture import read_objects

    keys = [
        f"{OUTCOMES_PREFIX}/date={d}/outcomes.parquet" for d, _ in outcome_files(settings) if after is None or d > after
    ]
    df = read_objects(settings.names.lake_bucket, keys)
    if not len(df):
        return pd.DataFrame(columns=list(OUTCOME_COLUMNS))
    return df.sort_values(["game_date", "game_key"], kind="stable").reset_index(drop=True)


def read_labeled(settings: Settings) -> pd.DataFrame:
    """Every labeled capture (empty frame with the capture + outcome columns when none)."""
    from courtside.monitoring.capture import CAPTURE_COLUMNS, read_parquet_prefix

    df = read_parquet_prefix(settings.names.lake_bucket, f"{LABELED_PREFIX}/")
    if not len(df):
        return pd.DataFrame(columns=[*CAPTURE_COLUMNS, "home_score", "away_score", "home_win"])
    return df.sort_values(["game_date", "captured_at"], kind="stable").reset_index(drop=True)
