"""Publishing monitoring metrics to CloudWatch (namespace Courtside).

Why plain `put_metric_data` (not EMF logs): the monitor and retrain jobs run on a schedule, not per request, and
publish a handful of values each run; the infra alarms take the maximum of each metric across all dimensions, so
dimensions here are free to describe (ModelVersion, Feature, Slice) without breaking the alarms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from courtside.aws.clients import client

NAMESPACE = "Courtside"
# Alarm thresholds provisioned by infra (infra/stacks/monitoring.py); the drill and the retrain trigger use them.
DRIFT_PSI_THRESHOLD = 0.2
ROLLING_BRIER_THRESHOLD = 0.24


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str = "None"


def publish(points: Iterable[MetricPoint], timestamp: datetime | None = None, namespace: str = NAMESPACE) -> int:
    """Send the points in batches of 20 (the API limit); returns how many were sent."""
    ts = timestamp or datetime.now(UTC)
    data = [
        {
            "MetricName": p.name,
            "Value": float(p.value),
            "Unit": p.unit,
            "Timestamp": ts,
            "Dimensions": [{"Name": k, "Value": str(v)[:255]} for k, v in sorted(p.dimensions.items())],
        }
        for p in points
    ]
    cw = client("cloudwatch")
    for i in range(0, len(data), 20):
        cw.put_metric_data(Namespace=namespace, MetricData=data[i : i + 20])
    return len(data)
