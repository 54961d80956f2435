"""Exceptions that carry a machine-readable reason code.

Why codes and not messages: a quarantined record must say *why* in a form that can be counted, alarmed on and
re-driven by reason (`courtside quarantine redrive --reason score_decreased`), so every rejection path raises
:class:`EventRejected` with one of the codes in :data:`REASONS`.
"""

from __future__ import annotations

# Every reason a record can be quarantined for. Documented in docs/events.md (a test keeps the two in sync).
REASONS: dict[str, str] = {
    "bad_base64": "the Kinesis record data is not valid base64",
    "oversized_record": "the record is larger than the per-event limit (MAX_EVENT_BYTES)",
    "broken_json": "the record bytes are not a JSON object",
    "unknown_schema_version": "schema_version is missing or not one this code understands",
    "unknown_event_type": "event_type is missing or not a known event type",
    "missing_field": "a required field is absent",
    "wrong_type": "a field has the wrong JSON type (strict: no string-to-number coercion)",
    "unexpected_field": "a field that the schema version does not define",
    "bad_game_id": "game_id is not YYYYMMDD_AWAY_at_HOME or its date is not a calendar date",
    "bad_timestamp": "occurred_at is not an ISO-8601 UTC timestamp",
    "negative_score": "a score is below zero",
    "out_of_range": "a number is outside its allowed range (score 0..250, period 1..10, clock 0..720 s, ...)",
    "unknown_team": "a team code is not a basketball-reference code valid for the game's season",
    "game_id_mismatch": "the payload (teams, date, season) disagrees with the game id",
    "score_decreased": "a team's score is lower than an earlier event of the same game already showed",
    "clock_backwards": "the period clock runs backwards, or the period goes back, within a game",
    "final_score_mismatch": "game_final disagrees with the final score of the game's play-by-play",
    "duplicate_event_id": "an event_id already stored with a different content",
    "inconsistent_stats": "numbers within one record contradict each other (e.g. made > attempted)",
    "validator_error": "the validator itself failed on this record (a bug): quarantined so the shard moves on",
    "outlier": "a statistical outlier test rejected the value (test and statistic recorded)",
}


class CourtsideError(Exception):
    """Base class of Courtside's own exceptions."""


class EventRejected(CourtsideError):
    """A record failed validation. `reason` is a key of :data:`REASONS`; `detail` is for humans."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason code {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class InfrastructureError(CourtsideError):
    """An AWS write/read failed: the batch must be retried (reported as batchItemFailures), never quarantined."""


class PutRecordsError(InfrastructureError):
    """Kinesis kept rejecting some records after every retry."""

    def __init__(self, failed: int, total: int, last_error: str) -> None:
        super().__init__(f"{failed} of {total} records still failed after retries (last error: {last_error})")
        self.failed, self.total, self.last_error = failed, total, last_error
