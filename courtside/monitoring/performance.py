"""Performance over time on labeled captures: rolling Brier, log loss and calibration error by model version and
slice, published as CloudWatch metrics (`RollingBrier`, `RollingLogLoss`, `CalibrationError`).

Why rolling windows of games (not calendar windows): traffic per day varies wildly between a Tuesday in January
and an off-season week; a window of the last N labeled games gives every value the same statistical weight, and
N = 100 keeps the standard error of the Brier near 0.01 (enough to see the 0.24 alarm line, see docs/monitoring.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from courtside.monitoring.cloudwatch import MetricPoint, publish

EPS = 1e-6
DEFAULT_WINDOW = 100


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2)) if len(p) else float("nan")


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    if not len(p):
        return float("nan")
    q = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def reliability_table(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per equal-width probability bin: count, mean predicted, observed rate."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        m = idx == b
        rows.append(
            {
                "bin": b,
                "lower": b / bins,
                "upper": (b + 1) / bins,
                "count": int(m.sum()),
                "mean_predicted": float(p[m].mean()) if m.any() else float("nan"),
                "observed_rate": float(y[m].mean()) if m.any() else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Count-weighted mean |observed - predicted| over equal-width bins."""
    if not len(p):
        return float("nan")
    t = reliability_table(p, y, bins)
    t = t[t["count"] > 0]
    return float((t["count"] * (t["observed_rate"] - t["mean_predicted"]).abs()).sum() / t["count"].sum())


def summary(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {
        "n": float(len(p)),
        "brier": brier(p, y),
        "log_loss": log_loss(p, y),
        "ece": expected_calibration_error(p, y),
    }


def rolling_metrics(labeled: pd.DataFrame, window: int = DEFAULT_WINDOW, ece_every: int = 10) -> pd.DataFrame:
    """One row per labeled prediction in time order: rolling Brier and log loss over the last `window` predictions
    (all model versions together: what users experienced), plus rolling ECE every `ece_every` rows."""
    df = labeled.sort_values(["game_date", "captured_at"], kind="stable").reset_index(drop=True)
    p = df["home_win_probability"].to_numpy(float)
    y = df["home_win"].to_numpy(float)
    q = np.clip(p, EPS, 1 - EPS)
    sq = pd.Series((p - y) ** 2)
    ll = pd.Series(-(y * np.log(q) + (1 - y) * np.log(1 - q)))
    out = pd.DataFrame(
        {
            "game_date": df["game_date"],
            "model_version": df["model_version"],
            "rolling_brier": sq.rolling(window, min_periods=min(window, 20)).mean(),
            "rolling_log_loss": ll.rolling(window, min_periods=min(window, 20)).mean(),
        }
    )
    ece = np.full(len(df), np.nan)
    for i in range(min(window, 20) - 1, len(df), ece_every):
        lo = max(0, i - window + 1)
        ece[i] = expected_calibration_error(p[lo : i + 1], y[lo : i + 1])
    out["rolling_ece"] = pd.Series(ece).ffill()
    return out


def add_slices(labeled: pd.DataFrame) -> pd.DataFrame:
    """Slice columns computable from a capture: favourite side, and the request's neutral flag."""
    df = labeled.copy()
    df["slice_favourite"] = np.where(df["home_win_probability"] >= 0.5, "home_favourite", "away_favourite")
    if "request" in df:
        neutral = df["request"].map(lambda s: bool(json.loads(s).get("neutral", 0)) if s else False)
        df["slice_site"] = np.where(neutral, "neutral", "home_court")
    return df


def latest_by_version(
    labeled: pd.DataFrame,
    window: int = DEFAULT_WINDOW,
    slice_columns: Sequence[str] = ("slice_favourite", "slice_site"),
) -> pd.DataFrame:
    """Metrics over each model version's latest `window` labeled predictions, overall (slice "all") and per slice."""
    df = add_slices(labeled).sort_values(["game_date", "captured_at"], kind="stable")
    rows = []
    for version, g in df.groupby("model_version", sort=True):
        recent = g.tail(window)
        rows.append(
            {
                "model_version": version,
                "slice": "all",
                **summary(recent.home_win_probability.to_numpy(), recent.home_win.to_numpy()),
            }
        )
        for col in slice_columns:
            if col not in recent:
                continue
            for value, s in recent.groupby(col):
                rows.append(
                    {
                        "model_version": version,
                        "slice": f"{col[6:]}={value}",
                        **summary(s.home_win_probability.to_numpy(), s.home_win.to_numpy()),
                    }
                )
    return pd.DataFrame(rows)


def metric_points(table: pd.DataFrame) -> list[MetricPoint]:
    """CloudWatch points: version-level rows carry ModelVersion only; slice rows also carry Slice."""
    points: list[MetricPoint] = []
    for r in table.itertuples(index=False):
        dims = {"ModelVersion": str(r.model_version)}
        if r.slice != "all":
            dims["Slice"] = str(r.slice)
        for name, value in (("RollingBrier", r.brier), ("RollingLogLoss", r.log_loss), ("CalibrationError", r.ece)):
            if np.isfinite(value):
                points.append(MetricPoint(name, float(value), dims))
    return points


def publish_performance(
    labeled: pd.DataFrame, window: int = DEFAULT_WINDOW, timestamp: datetime | None = None
) -> pd.DataFrame:
    """Compute :func:`latest_by_version` and publish it; returns the table."""
    table = latest_by_version(labeled, window)
    if len(table):
        publish(metric_points(table), timestamp)
    return table
