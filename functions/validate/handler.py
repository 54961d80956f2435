"""Validate function: Kinesis `courtside-events` -> lake raw zone + `courtside-validated`, or quarantine.

Thin on purpose: all logic is in :mod:`courtside.ingest.core`. The core handles the whole batch at once (batch-level
dedup lookups, one lake object per partition); the Powertools record handler then only reports, per record,
whether the batch's writes succeeded. Bad records are quarantined and count as successes; only infrastructure
failures (S3/Kinesis/DynamoDB) become `batchItemFailures`, so Lambda retries them and nothing else.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from courtside.config import get_settings
from courtside.errors import InfrastructureError
from courtside.ingest.core import BatchOutcome, process_records

logger = Logger(service="validate")
metrics = Metrics(namespace="Courtside", service="validate")
processor = BatchProcessor(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)

_FAILED: set[str] = set()
_RUNTIME: dict[str, Any] = {}


def _runtime() -> tuple[Any, Any]:
    """Sinks and state store, created once per container (and again if the endpoint changed, e.g. in tests)."""
    import os

    from courtside.ingest.aws_sinks import AwsSinks, DynamoStateStore

    key = (os.environ.get("AWS_ENDPOINT_URL"), get_settings().prefix)
    if _RUNTIME.get("key") != key:
        settings = get_settings()
        _RUNTIME.update(key=key, sinks=AwsSinks(settings), state=DynamoStateStore(settings.names.state_table))
    return _RUNTIME["sinks"], _RUNTIME["state"]


def _screen() -> Any:
    """Outlier screen kept per container (rolling distributions warm up as games arrive)."""
    if "screen" not in _RUNTIME:
        from courtside.quality.outliers import RollingScreen

        _RUNTIME["screen"] = RollingScreen()
    return _RUNTIME["screen"]


def record_handler(record: KinesisStreamRecord) -> str:
    """Report one record: fail it only if the batch's infrastructure writes failed."""
    seq = record.kinesis.sequence_number
    if seq in _FAILED:
        raise InfrastructureError(f"batch writes failed; record {seq} will be retried")
    return seq


def _emit(outcome: BatchOutcome) -> None:
    metrics.add_metric(name="RecordsIn", unit=MetricUnit.Count, value=outcome.received)
    metrics.add_metric(name="RecordsStored", unit=MetricUnit.Count, value=outcome.stored)
    metrics.add_metric(name="RecordsQuarantined", unit=MetricUnit.Count, value=outcome.quarantined)
    metrics.add_metric(name="DuplicatesIgnored", unit=MetricUnit.Count, value=outcome.duplicates_ignored)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    _FAILED.clear()
    try:
        sinks, state = _runtime()
        outcome = process_records(records, sinks, state, screen=_screen())
        _emit(outcome)
        _after_batch(outcome)
        logger.info(
            "batch done",
            extra={
                "received": outcome.received,
                "stored": outcome.stored,
                "quarantined": outcome.quarantined,
                "duplicates_ignored": outcome.duplicates_ignored,
                "by_reason": dict(outcome.by_reason),
            },
        )
    except Exception:
        logger.exception("batch failed on infrastructure; reporting every record for retry")
        metrics.add_metric(name="BatchInfraFailures", unit=MetricUnit.Count, value=1)
        _FAILED.update(str(r.get("kinesis", {}).get("sequenceNumber")) for r in records)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)


def _after_batch(outcome: BatchOutcome) -> None:
    """Hooks on stored events (reservoir samples, outlier flags); failures here never fail the batch."""
    try:
        from courtside.quality.hooks import after_batch

        after_batch(outcome, get_settings())
    except ImportError:
        return
    except Exception:
        logger.exception("quality hooks failed (batch already stored)")
