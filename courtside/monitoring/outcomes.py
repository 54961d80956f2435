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
from datetime import date as Date
from datetime import timedelta
from typing import Any

import pandas as pd

from courtside.config import Settings
from courtside.monitoring.capture import read_captures

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
        d = Date.fromisoformat(str(game_date))
        dates = [(d - timedelta(days=i)).isoformat() for i in range(lookback_days + 1)]
        captures = read_captures(settings, dates)
        labeled = label_captures(captures[captures["game_date"] == game_date], outcomes)
        put_bytes(bucket, f"{LABELED_PREFIX}/date={game_date}/labeled.parquet", _to_parquet(labeled))
        written[str(game_date)] = len(labeled)
    return written


def read_labeled(settings: Settings) -> pd.DataFrame:
    """Every labeled capture (empty frame with the capture + outcome columns when none)."""
    from courtside.monitoring.capture import CAPTURE_COLUMNS, read_parquet_prefix

    df = read_parquet_prefix(settings.names.lake_bucket, f"{LABELED_PREFIX}/")
    if not len(df):
        return pd.DataFrame(columns=[*CAPTURE_COLUMNS, "home_score", "away_score", "home_win"])
    return df.sort_values(["game_date", "captured_at"], kind="stable").reset_index(drop=True)
