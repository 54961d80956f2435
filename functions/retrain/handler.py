"""Retrain function (scheduled, and subscribed to the drift / Brier alarms through SNS): decide whether a retrain
is due (RetrainPolicy), fit a challenger on recent games, gate it against the champion and record the verdict in
the SageMaker model registry. Thin: the logic is courtside.continual.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from courtside.config import get_settings
from courtside.continual.service import run_retrain

logger = Logger(service="courtside-retrain")


def alarms_in(event: dict[str, Any] | None) -> set[str]:
    """Alarm names from an SNS-wrapped CloudWatch alarm notification (empty for a scheduled invocation)."""
    import json

    names: set[str] = set()
    for rec in (event or {}).get("Records", []):
        try:
            msg = json.loads(rec["Sns"]["Message"])
        except (KeyError, ValueError):
            continue
        if msg.get("NewStateValue") == "ALARM":
            # Alarms are named "<prefix>-<key>" (infra/stacks/monitoring.py); the policy lists keys.
            names.add(str(msg.get("AlarmName", "")).rsplit("-", 1)[-1])
    return names


def handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    result = run_retrain(get_settings(), alarms=alarms_in(event), now=datetime.now(UTC))
    logger.info("retrain run", extra=result)
    return result
