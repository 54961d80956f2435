"""The lake capture sink: served predictions -> `s3://{lake}/captures/date=YYYY-MM-DD/part-<n>.parquet`.

Why this shape (agreed with the privacy work): a capture row holds only a pseudonym, never the raw user id, and only
for users whose consent allows analytics (`courtside.privacy.consent.capture_allowed`). If the privacy module is
not importable, nothing is captured: without a consent check the safe default is to store nothing.

Why sampled and buffered: capture runs inside the predict Lambda after the response is computed. A token bucket
caps the write rate, a per-hour reservoir keeps a uniform sample of each hour in bounded memory, and rows are
written as one Parquet file per hour and date on flush (hour rollover, buffer age, or explicit `flush()`), so a
traffic spike costs neither latency nor a file per request.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from courtside.config import resource_names
from courtside.monitoring.sampling import HourlyReservoir, TokenBucket

if TYPE_CHECKING:
    from courtside.config import Settings

log = logging.getLogger(__name__)

CAPTURE_PREFIX = "captures"
CAPTURE_COLUMNS: tuple[str, ...] = (
    "user_pseudonym",
    "model_version",
    "home_win_probability",
    "request",
    "captured_at",
    "game_key",
    "game_date",
    "home_team",
    "away_team",
)

ConsentCheck = Callable[[str], tuple[bool, str | None]]


def default_consent() -> ConsentCheck | None:
    """The privacy module's check, or None (then nothing is captured) when it is not installed."""
    try:
        from courtside.privacy.consent import capture_allowed  # type: ignore[import-not-found]
    except ImportError as err:
        log.warning("capture disabled: courtside.privacy.consent is not importable (%s); storing nothing", err)
        return None
    return capture_allowed


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def game_key_for(date: str, away: str, home: str) -> str:
    """The games file's key `YYYYMMDD_AWAY_at_HOME` (same rule as courtside.events.game_id_for)."""
    return f"{str(date)[:10].replace('-', '')}_{away.strip().upper()}_at_{home.strip().upper()}"


def capture_row(record: dict[str, Any], pseudonym: str | None, now: float) -> dict[str, Any]:
    """One capture row from a serving record (tolerates both the agreed shape and the serving draft's keys)."""
    request = record.get("request") if isinstance(record.get("request"), dict) else {}
    features = record.get("features") or record.get("request_features") or {}
    game_date = str(record.get("game_date") or record.get("date") or request.get("date") or "")[:10]
    home = str(record.get("home_team") or request.get("home_team") or "")
    away = str(record.get("away_team") or request.get("away_team") or "")
    prob = record.get("home_win_probability", record.get("prediction"))
    at = record.get("requested_at")
    captured_at = _iso(float(at)) if isinstance(at, int | float) else str(at or _iso(now))
    return {
        "user_pseudonym": pseudonym,
        "model_version": str(record.get("model_version") or ""),
        "home_win_probability": float(prob) if prob is not None else float("nan"),
        "request": json.dumps({**{k: v for k, v in request.items()}, **features}, sort_keys=True, default=str),
        "captured_at": captured_at,
        "game_key": str(record.get("game_key") or (game_key_for(game_date, away, home) if game_date else "")),
        "game_date": game_date,
        "home_team": home,
        "away_team": away,
    }


def rows_to_parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{c: r.get(c) for c in CAPTURE_COLUMNS} for r in rows])
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    return buf.getvalue()


class LakeCaptureSink:
    """A :class:`courtside.serving.capture.CaptureSink` writing consented, sampled captures to the lake."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        consent: ConsentCheck | None | str = "default",
        rate_per_s: float = 50.0,
        burst: float = 200.0,
        per_hour: int = 5000,
        max_buffer_age_s: float = 60.0,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
    ) -> None:
        # resource_names(), not get_settings(): pydantic-settings stays off the predict Lambda's cold start
        self.names = settings.names if settings is not None else resource_names()
        self.consent: ConsentCheck | None = default_consent() if consent == "default" else consent  # type: ignore[assignment]
        self.bucket = TokenBucket(rate_per_s, burst, clock=clock)
        self.reservoir: HourlyReservoir[dict[str, Any]] = HourlyReservoir(per_hour, seed=seed)
        self.max_buffer_age_s = max_buffer_age_s
        self.clock = clock
        self._oldest: float | None = None
        self._lock = threading.Lock()
        self.stats = {"offered": 0, "no_consent": 0, "rate_limited": 0, "sampled": 0, "written": 0, "files": 0}

    def capture(self, record: dict[str, Any]) -> None:
        """Consent check -> rate bound -> hourly reservoir; flushes closed hours. Never raises by contract."""
        try:
            self._capture(record)
        except Exception:  # noqa: BLE001 - capture must never fail a prediction
            log.exception("capture failed; record dropped")

    def _capture(self, record: dict[str, Any]) -> None:
        self.stats["offered"] += 1
        if self.consent is None:
            self.stats["no_consent"] += 1
            return
        user_id = record.get("user_id")
        if not user_id:
            # Only a raw id can be checked against the consent table; anonymous requests are served, not captured.
            self.stats["no_consent"] += 1
            return
        allowed, pseudonym = self.consent(str(user_id))
        if not allowed or not pseudonym:
            self.stats["no_consent"] += 1
            return
        if not self.bucket.try_take():
            self.stats["rate_limited"] += 1
            return
        now = self.clock()
        row = capture_row(record, pseudonym, now)
        hour = row["captured_at"][:13]
        with self._lock:
            self.reservoir.offer(hour, row)
            self.stats["sampled"] += 1
            if self._oldest is None:
                self._oldest = now
            stale = now - self._oldest >= self.max_buffer_age_s
        self.flush(before=None if stale else hour)

    def flush(self, before: str | None = None) -> list[str]:
        """Write buffered hours (all, or those before hour `before`) as Parquet; returns the keys written."""
        with self._lock:
            drained = self.reservoir.drain(before)
            if len(self.reservoir) == 0:
                self._oldest = None
        rows = [r for hour_rows in drained.values() for r in hour_rows]
        if not rows:
            return []
        by_date: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_date.setdefault(r["captured_at"][:10], []).append(r)
        from courtside.aws.s3io import put_bytes

        keys = []
        for date, date_rows in sorted(by_date.items()):
            part = f"{int(self.clock() * 1000)}-{uuid.uuid4().hex[:8]}"
            key = f"{CAPTURE_PREFIX}/date={date}/part-{part}.parquet"
            put_bytes(
                self.names.lake_bucket, key, rows_to_parquet(date_rows), "application/vnd.apache.parquet"
            )
            keys.append(key)
            self.stats["written"] += len(date_rows)
            self.stats["files"] += 1
        return keys


def read_parquet_prefix(bucket: str, prefix: str) -> Any:
    """Concatenate every Parquet object under `prefix` into one DataFrame (empty frame when there is none)."""
    import pandas as pd

    from courtside.aws.s3io import get_bytes, list_keys

    frames = [
        pd.read_parquet(io.BytesIO(get_bytes(bucket, k))) for k in list_keys(bucket, prefix) if k.endswith(".parquet")
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_captures(settings: Settings, dates: list[str] | None = None) -> Any:
    """Captures for the given dates (all dates when None)."""
    import pandas as pd

    bucket = settings.names.lake_bucket
    if dates is None:
        df = read_parquet_prefix(bucket, f"{CAPTURE_PREFIX}/")
    else:
        parts = [read_parquet_prefix(bucket, f"{CAPTURE_PREFIX}/date={d}/") for d in sorted(set(dates))]
        parts = [p for p in parts if len(p)]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return df if len(df) else pd.DataFrame(columns=list(CAPTURE_COLUMNS))
