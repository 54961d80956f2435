"""Probability metrics the users pay for (practice 2): Brier, log loss, accuracy, calibration error by bins.

Pure Python + numpy so that both the report and the live monitor compute identical numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

EPS = 1e-12


def brier(p: Sequence[float], y: Sequence[int]) -> float:
    p_arr, y_arr = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p_arr - y_arr) ** 2))


def log_loss(p: Sequence[float], y: Sequence[int]) -> float:
    p_arr = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y_arr = np.asarray(y, float)
    return float(-np.mean(y_arr * np.log(p_arr) + (1 - y_arr) * np.log(1 - p_arr)))


def accuracy(p: Sequence[float], y: Sequence[int], threshold: float = 0.5) -> float:
    return float(np.mean((np.asarray(p, float) > threshold) == (np.asarray(y, int) == 1)))


def reliability_table(p: Sequence[float], y: Sequence[int], n_bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width probability bins: count, mean forecast, observed frequency and each bin's |gap|.

    ``ece_contribution`` is the bin's weight x gap, so the ECE is their sum and the table shows where it comes from.
    """
    p_arr, y_arr = np.asarray(p, float), np.asarray(y, float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(p_arr, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        mask = idx == b
        n = int(mask.sum())
        if n == 0:
            rows.append(
                {
                    "bin": b,
                    "lo": float(edges[b]),
                    "hi": float(edges[b + 1]),
                    "count": 0,
                    "mean_forecast": None,
                    "observed": None,
                    "gap": None,
                    "ece_contribution": 0.0,
                }
            )
            continue
        mf, obs = float(p_arr[mask].mean()), float(y_arr[mask].mean())
        rows.append(
            {
                "bin": b,
                "lo": float(edges[b]),
                "hi": float(edges[b + 1]),
                "count": n,
                "mean_forecast": mf,
                "observed": obs,
                "gap": abs(mf - obs),
                "ece_contribution": n / len(p_arr) * abs(mf - obs),
            }
        )
    return rows


def ece(p: Sequence[float], y: Sequence[int], n_bins: int = 10) -> float:
    """Expected calibration error: count-weighted mean |forecast - observed| over equal-width bins."""
    return float(sum(r["ece_contribution"] for r in reliability_table(p, y, n_bins)))


def summary(p: Sequence[float], y: Sequence[int]) -> dict[str, float]:
    return {
        "n": len(y),
        "brier": brier(p, y),
        "log_loss": log_loss(p, y),
        "accuracy": accuracy(p, y),
        "ece": ece(p, y),
    }


def pr_auc(scores: Sequence[float], y: Sequence[int]) -> float:
    """Average precision (area under the precision-recall curve): the rare-event metric (practice 29)."""
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(np.asarray(y, int), np.asarray(scores, float)))


def recall_at_precision(scores: Sequence[float], y: Sequence[int], precision: float) -> float:
    """Highest recall reachable with precision >= `precision` (0 when never reached)."""
    from sklearn.metrics import precision_recall_curve

    prec, rec, _ = precision_recall_curve(np.asarray(y, int), np.asarray(scores, float))
    ok = prec >= precision
    return float(rec[ok].max()) if ok.any() else 0.0
