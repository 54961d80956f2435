"""Monitor function (scheduled, hourly): drift of recent captures vs the training baseline, and rolling
performance of labeled captures. Thin: the logic is courtside.monitoring.drift / performance.

Locally, courtside.local.scheduler runs the same :func:`handler` on an interval.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from courtside.config import get_settings
from courtside.monitoring.capture import read_captures
from courtside.monitoring.drift import Baseline, run_drift_job
from courtside.monitoring.outcomes import read_labeled, relabel_stale
from courtside.monitoring.performance import publish_performance

logger = Logger(service="courtside-monitor")
RECENT_DAYS = 7


def handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    settings = get_settings()
    now = datetime.now(UTC)
    days = int((event or {}).get("recent_days", RECENT_DAYS))
    dates = [(now - timedelta(days=i)).date().isoformat() for i in range(days + 1)]
    out: dict[str, Any] = {}
    try:
        baseline = Baseline.load(settings)
    except Exception as err:  # noqa: BLE001 - no baseline yet is a state, not a failure
        logger.warning("no drift baseline", extra={"error": str(err)})
        baseline = None
    if baseline is not None:
        result = run_drift_job(settings, baseline, read_captures(settings, dates), now=now)
        out["drift"] = {
            "violations": len(result.violations.violations),
            "feature_psi_max": result.feature_psi_max,
            "prediction_psi": result.prediction_psi,
            "location": result.location,
        }
    out["relabeled_dates"] = relabel_stale(settings)  # captures flushed after their game's outcome was joined
    labeled = read_labeled(settings)
    if len(labeled):
        out["performance"] = publish_performance(labeled, timestamp=now).to_dict("records")
    logger.info("monitor run", extra=out)
    return out
