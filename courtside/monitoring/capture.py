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

import gzip
import io
import json
import logging
import os
import re
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
    """The privacy module's check, or None (then nothing is captured) when it is not installed.

    Serving hands the sink the user's pseudonym (`user_pseudonym`, docs/privacy.md), so the check takes a raw id or
    a pseudonym and fails closed: an unreachable consent table means "do not capture"."""
    try:
        from courtside.privacy import consent
        from courtside.privacy.pseudonym import is_pseudonym
    except ImportError as err:
        log.warning("capture disabled: courtside.privacy.consent is not importable (%s); storing nothing", err)
        return None

    def check(user: str) -> tuple[bool, str | None]:
        if not is_pseudonym(user):
            return consent.capture_allowed(user)
        try:
            return consent.allows(user, consent.CAPTURE_PURPOSE), user
        except Exception:  # noqa: BLE001 - consent store unreachable: capture nothing
            log.warning("consent lookup failed; capture skipped", exc_info=True)
            return False, user

    return check


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


def encode_rows(rows: list[dict[str, Any]]) -> tuple[bytes, str, str]:
    """(body, file suffix, content type): Parquet, or gzipped JSON lines where pyarrow is not installed.

    Why the fallback: the predict Lambda's layer is kept small (no pyarrow/numpy); JSON lines under `captures/`
    are a format the privacy erasure already scans (docs/privacy.md) and the readers below read both."""
    try:
        return rows_to_parquet(rows), ".parquet", "application/vnd.apache.parquet"
    except ImportError:
        lines = "".join(json.dumps({c: r.get(c) for c in CAPTURE_COLUMNS}, default=str) + "\n" for r in rows)
        return gzip.compress(lines.encode()), ".jsonl.gz", "application/x-ndjson"


def part_name(rows: list[dict[str, Any]], now: float) -> str:
    """`part-<epoch_ms>-<uuid8>-g<first game day>_<last game day>`: the game-date range in the name lets the outcome
    join read only the files that can hold a finished game's predictions (one LIST instead of every object)."""
    days = sorted(str(r.get("game_date") or "").replace("-", "") for r in rows if r.get("game_date"))
    span = f"-g{days[0]}_{days[-1]}" if days else ""
    return f"part-{int(now * 1000)}-{uuid.uuid4().hex[:8]}{span}"


_SPAN = re.compile(r"-g(\d{8})_(\d{8})\.")


def game_date_span(key: str) -> tuple[str, str] | None:
    """The (first, last) game date (ISO) a capture file holds, from its name; None for files without a span."""
    m = _SPAN.search(key)
    if not m:
        return None
    a, b = m.groups()
    return f"{a[:4]}-{a[4:6]}-{a[6:]}", f"{b[:4]}-{b[4:6]}-{b[6:]}"


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
        s3: Any = None,
    ) -> None:
        # resource_names(), not get_settings(): pydantic-settings stays off the predict Lambda's cold start
        self.names = settings.names if settings is not None else resource_names()
        self.s3 = s3  # the S3 client writing capture files; None: the shared boto3 client
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
        user = record.get("user_pseudonym") or record.get("user_id")
        if not user:
            # Anonymous requests are served, not captured.
            self.stats["no_consent"] += 1
            return
        allowed, pseudonym = self.consent(str(user))
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
            body, suffix, content_type = encode_rows(date_rows)
            key = f"{CAPTURE_PREFIX}/date={date}/{part_name(date_rows, self.clock())}{suffix}"
            put_bytes(self.names.lake_bucket, key, body, content_type, s3=self.s3)
            keys.append(key)
            self.stats["written"] += len(date_rows)
            self.stats["files"] += 1
        return keys


def read_objects(bucket: str, keys: list[str]) -> Any:
    """Concatenate Parquet and (gzipped) JSON-lines objects into one DataFrame (empty frame when there is none)."""
    import pandas as pd

    from courtside.aws.s3io import get_bytes

    frames = []
    for k in keys:
        if k.endswith(".parquet"):
            frames.append(pd.read_parquet(io.BytesIO(get_bytes(bucket, k))))
        elif k.endswith((".jsonl", ".jsonl.gz")):
            body = get_bytes(bucket, k)
            frames.append(
                pd.read_json(
                    io.BytesIO(gzip.decompress(body) if k.endswith(".gz") else body),
                    lines=True,
                    dtype=False,
                    convert_dates=False,
                )
            )
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_parquet_prefix(bucket: str, prefix: str) -> Any:
    """Every Parquet / JSON-lines object under `prefix` as one DataFrame (empty frame when there is none)."""
    from courtside.aws.s3io import list_keys

    return read_objects(bucket, list(list_keys(bucket, prefix)))


def _typed(df: Any) -> Any:
    import pandas as pd

    if not len(df):
        return pd.DataFrame(columns=list(CAPTURE_COLUMNS))
    for c in ("game_date", "captured_at", "game_key", "model_version", "request", "user_pseudonym"):
        if c in df:
            df[c] = df[c].astype(str).where(df[c].notna(), None)
    df["game_date"] = df["game_date"].str[:10]
    return df


def read_captures(settings: Settings, dates: list[str] | None = None) -> Any:
    """Captures made on the given (UTC capture) dates; every capture when None."""
    import pandas as pd

    bucket = settings.names.lake_bucket
    if dates is None:
        return _typed(read_parquet_prefix(bucket, f"{CAPTURE_PREFIX}/"))
    parts = [read_parquet_prefix(bucket, f"{CAPTURE_PREFIX}/date={d}/") for d in sorted(set(dates))]
    parts = [p for p in parts if len(p)]
    return _typed(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame())


def capture_objects_since(settings: Settings, first_date: str) -> list[tuple[str, Any]]:
    """(key, last modified) of capture objects of capture dates >= `first_date`, in one paginated LIST."""
    from courtside.aws.clients import client

    found: list[tuple[str, Any]] = []
    paginator = client("s3").get_paginator("list_objects_v2")
    start = f"{CAPTURE_PREFIX}/date={first_date}"
    for page in paginator.paginate(Bucket=settings.names.lake_bucket, Prefix=f"{CAPTURE_PREFIX}/", StartAfter=start):
        found += [(o["Key"], o["LastModified"]) for o in page.get("Contents", [])]
    return found


def covers(key: str, game_date: str) -> bool:
    """Whether capture object `key` can hold predictions for games on `game_date` (unknown span: yes)."""
    span = game_date_span(key)
    return span is None or span[0] <= game_date <= span[1]


def captures_for_games(settings: Settings, game_dates: set[str], lookback_days: int = 14) -> Any:
    """Captures of predictions for games on `game_dates`, wherever they were captured from `lookback_days` before
    the earliest game on (later capture dates included: a replayed season is captured years after its games)."""
    from datetime import date as Date
    from datetime import timedelta

    if not game_dates:
        return _typed(read_objects(settings.names.lake_bucket, []))
    first = (Date.fromisoformat(min(game_dates)) - timedelta(days=lookback_days)).isoformat()
    keys = [k for k, _ in capture_objects_since(settings, first) if any(covers(k, d) for d in game_dates)]
    df = _typed(read_objects(settings.names.lake_bucket, keys))
    return df[df["game_date"].isin(game_dates)].reset_index(drop=True)


def sink_from_env(settings: Settings | None = None) -> LakeCaptureSink | None:
    """The predict function's sink, configured by `COURTSIDE_CAPTURE_*` env vars (None when `COURTSIDE_CAPTURE=off`).

    Defaults: 50 captures/s (burst 200), 5,000 per hour, buffers flushed after 60 s. The local stack sets a 1 s
    buffer age so a replayed season's captures reach the lake before the next simulated day."""
    if os.environ.get("COURTSIDE_CAPTURE", "on").strip().lower() in ("off", "0", "false", "no"):
        return None
    from courtside.aws.clients import lite_client

    env = os.environ.get
    return LakeCaptureSink(
        settings,
        s3=lite_client("s3"),  # the predict Lambda's standard-library client: no boto3 on its cold start
        rate_per_s=float(env("COURTSIDE_CAPTURE_RATE_PER_S", "50")),
        burst=float(env("COURTSIDE_CAPTURE_BURST", "200")),
        per_hour=int(env("COURTSIDE_CAPTURE_PER_HOUR", "5000")),
        max_buffer_age_s=float(env("COURTSIDE_CAPTURE_MAX_AGE_S", "60")),
    )


def install(settings: Settings | None = None) -> object:
    """Install :func:`sink_from_env` as serving's process-wide capture sink (predict function init); returns it."""
    from courtside.serving import capture as hook

    sink = sink_from_env(settings)
    if sink is not None:
        hook.set_sink(sink)
    return hook.get_sink()
