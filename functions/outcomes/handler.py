"""Outcomes function: `game_final` events from the validated stream -> outcomes table + labeled captures.

When a game ends its result is joined to every captured prediction for it (courtside.monitoring.outcomes), so the
monitor and retrain jobs read predictions with their outcome. Thin: the logic is in courtside. Other event types are
skipped; an undecodable record is logged and dropped (it cannot succeed on retry); S3 errors raise, so the batch is
retried (the join is idempotent).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools import Logger

from courtside.config import get_settings
from courtside.monitoring.outcomes import join_outcomes

logger = Logger(service="courtside-outcomes")


def game_finals(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The `game_final` envelopes of a Kinesis batch (others and undecodable records skipped)."""
    out = []
    for rec in event.get("Records", []):
        try:
            envelope = json.loads(base64.b64decode(rec["kinesis"]["data"]))
        except (KeyError, ValueError, UnicodeDecodeError):
            logger.warning(
                "undecodable record", extra={"sequence_number": rec.get("kinesis", {}).get("sequenceNumber")}
            )
            continue
        if isinstance(envelope, dict) and envelope.get("event_type") == "game_final":
            payload = envelope.get("payload")
            if isinstance(payload, dict) and {"date", "home_score", "away_score"} <= payload.keys():
                out.append(envelope)
    return out


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    finals = game_finals(event)
    if not finals:
        return {"game_finals": 0, "labeled": {}}
    labeled = join_outcomes(get_settings(), finals)
    logger.info("outcomes joined", extra={"game_finals": len(finals), "labeled": labeled})
    return {"game_finals": len(finals), "labeled": labeled}
