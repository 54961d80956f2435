"""Consent registry: what each app user agreed to, when, and every change (practice 10).

Storage: DynamoDB `names.consent_table`, hash key `user_id` = the user's PSEUDONYM (never the raw id). One item
per user::

    user_id            psn:<hex>
    agreement_version  "2026-01"
    status             "active" | "withdrawn"
    purposes           {"analytics": "<granted_at ISO-8601>", ...}   (only purposes currently agreed to)
    created_at / updated_at
    history            [{"at", "action": "record"|"withdraw", "agreement_version", "purposes": [...]}, ...]
    version            optimistic-concurrency counter

Writes are read-modify-write conditioned on `version`, so concurrent changes never lose a history entry.
History keeps the newest :data:`MAX_HISTORY` entries (DynamoDB items are capped at 400 KB).

:func:`allows` is on the prediction path, so it reads through a small per-process TTL cache. Every write in this
process invalidates the user's entry, so a withdrawal takes effect for the very next request here; other
processes (other Lambda containers) see it within :data:`CACHE_TTL_S` seconds. In tests that reset moto between
cases, call :func:`clear_cache`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from courtside.aws.clients import client, lite_client
from courtside.config import get_settings
from courtside.privacy.pseudonym import InvalidUserId, is_valid_user_id, pseudonymise

log = logging.getLogger(__name__)

PURPOSES: tuple[str, ...] = ("analytics", "personalisation")
CAPTURE_PURPOSE = "analytics"  # the purpose that allows storing a prediction request (monitoring captures)
CURRENT_AGREEMENT = "2026-01"
AGREEMENT_VERSION = re.compile(r"^[0-9A-Za-z._-]{1,32}$")
MAX_HISTORY = 100
MAX_WRITE_ATTEMPTS = 5
CACHE_TTL_S = float(os.environ.get("COURTSIDE_CONSENT_CACHE_TTL_S", "10"))
CACHE_MAX = 10_000


class ConsentError(ValueError):
    """Invalid consent input (bad agreement version or purpose); maps to a 400."""


@dataclass(frozen=True)
class ConsentRecord:
    """A user's current consent state, as stored (keyed by pseudonym)."""

    pseudonym: str
    agreement_version: str
    status: str
    purposes: dict[str, str]
    created_at: str
    updated_at: str
    history: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0

    def allows(self, purpose: str) -> bool:
        return self.status == "active" and purpose in self.purposes

    def public(self) -> dict[str, Any]:
        """The API view (no pseudonym: the caller knows who they asked about; the join key stays internal)."""
        return {
            "agreement_version": self.agreement_version,
            "status": self.status,
            "purposes": dict(sorted(self.purposes.items())),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "history": list(self.history),
        }


# --- DynamoDB encoding --------------------------------------------------------------------------------------


def _table() -> str:
    return os.environ.get("COURTSIDE_CONSENT_TABLE") or get_settings().names.consent_table


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _encode(rec: ConsentRecord) -> dict[str, Any]:
    def entry(h: dict[str, Any]) -> dict[str, Any]:
        return {
            "M": {
                "at": {"S": h["at"]},
                "action": {"S": h["action"]},
                "agreement_version": {"S": h["agreement_version"]},
                "purposes": {"L": [{"S": p} for p in h["purposes"]]},
            }
        }

    return {
        "user_id": {"S": rec.pseudonym},
        "agreement_version": {"S": rec.agreement_version},
        "status": {"S": rec.status},
        "purposes": {"M": {p: {"S": t} for p, t in rec.purposes.items()}},
        "created_at": {"S": rec.created_at},
        "updated_at": {"S": rec.updated_at},
        "history": {"L": [entry(h) for h in rec.history]},
        "version": {"N": str(rec.version)},
    }


def _decode(item: dict[str, Any]) -> ConsentRecord:
    history = [
        {
            "at": h["M"]["at"]["S"],
            "action": h["M"]["action"]["S"],
            "agreement_version": h["M"]["agreement_version"]["S"],
            "purposes": [p["S"] for p in h["M"]["purposes"]["L"]],
        }
        for h in item.get("history", {}).get("L", [])
    ]
    return ConsentRecord(
        pseudonym=item["user_id"]["S"],
        agreement_version=item["agreement_version"]["S"],
        status=item["status"]["S"],
        purposes={p: v["S"] for p, v in item.get("purposes", {}).get("M", {}).items()},
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        history=history,
        version=int(item.get("version", {}).get("N", "0")),
    )


def _read(pseudonym: str) -> ConsentRecord | None:
    item = client("dynamodb").get_item(TableName=_table(), Key={"user_id": {"S": pseudonym}}, ConsistentRead=True)
    return _decode(item["Item"]) if "Item" in item else None


def _write(new: ConsentRecord, expected_version: int | None) -> bool:
    """Put `new` if the stored version is still `expected_version` (None: the item must not exist)."""
    kwargs: dict[str, Any] = {"TableName": _table(), "Item": _encode(new)}
    if expected_version is None:
        kwargs["ConditionExpression"] = "attribute_not_exists(user_id)"
    else:
        kwargs["ConditionExpression"] = "version = :v"
        kwargs["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
    try:
        client("dynamodb").put_item(**kwargs)
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


# --- validation -------------------------------------------------------------------------------------------


def _pseudonym_of(user_id: str) -> str:
    try:
        return pseudonymise(user_id)
    except InvalidUserId as err:
        raise ConsentError(str(err)) from None


def validate_purposes(purposes: Iterable[str]) -> list[str]:
    """Known purposes, de-duplicated and sorted; anything else is a ConsentError."""
    out = sorted(set(purposes))
    unknown = [p for p in out if p not in PURPOSES]
    if unknown:
        raise ConsentError(f"unknown purpose(s); allowed: {', '.join(PURPOSES)}")
    return out


# --- public API -------------------------------------------------------------------------------------------


def _update(user_id: str, change: Any) -> ConsentRecord | None:
    """Apply `change(old) -> new | None` with optimistic concurrency; invalidates the cache entry."""
    pseudonym = _pseudonym_of(user_id)
    try:
        for _ in range(MAX_WRITE_ATTEMPTS):
            old = _read(pseudonym)
            new = change(pseudonym, old)
            if new is None:
                return old
            if _write(new, old.version if old else None):
                return new
        raise RuntimeError("consent record changed concurrently too often; retry the request")
    finally:
        invalidate(pseudonym)


def record_consent(
    user_id: str, agreement_version: str, purposes: Iterable[str], now: str | None = None
) -> ConsentRecord:
    """Record that the user agreed to `agreement_version` for exactly `purposes` (replacing earlier purposes).

    A purpose already granted keeps its original grant time if the agreement version is unchanged."""
    if not isinstance(agreement_version, str) or not AGREEMENT_VERSION.match(agreement_version):
        raise ConsentError("agreement_version must be 1..32 characters of [0-9A-Za-z._-]")
    wanted = validate_purposes(purposes)
    if not wanted:
        raise ConsentError("purposes must name at least one purpose (withdraw with DELETE)")

    def change(pseudonym: str, old: ConsentRecord | None) -> ConsentRecord:
        at = now or _now()
        keep = old.purposes if old and old.status == "active" and old.agreement_version == agreement_version else {}
        entry = {"at": at, "action": "record", "agreement_version": agreement_version, "purposes": wanted}
        return ConsentRecord(
            pseudonym=pseudonym,
            agreement_version=agreement_version,
            status="active",
            purposes={p: keep.get(p, at) for p in wanted},
            created_at=old.created_at if old else at,
            updated_at=at,
            history=[*(old.history if old else []), entry][-MAX_HISTORY:],
            version=(old.version if old else 0) + 1,
        )

    rec = _update(user_id, change)
    assert rec is not None
    return rec


def withdraw_consent(
    user_id: str, purposes: Iterable[str] | None = None, now: str | None = None
) -> ConsentRecord | None:
    """Withdraw `purposes` (all when None). Returns the new record, or None if the user has no record."""
    drop = None if purposes is None else set(validate_purposes(purposes))

    def change(pseudonym: str, old: ConsentRecord | None) -> ConsentRecord | None:
        if old is None:
            return None
        at = now or _now()
        left = {} if drop is None else {p: t for p, t in old.purposes.items() if p not in drop}
        withdrawn = sorted(set(old.purposes) - set(left)) if drop is None else sorted(drop)
        entry = {"at": at, "action": "withdraw", "agreement_version": old.agreement_version, "purposes": withdrawn}
        return ConsentRecord(
            pseudonym=pseudonym,
            agreement_version=old.agreement_version,
            status="active" if left else "withdrawn",
            purposes=left,
            created_at=old.created_at,
            updated_at=at,
            history=[*old.history, entry][-MAX_HISTORY:],
            version=old.version + 1,
        )

    return _update(user_id, change)


def get_consent(user_id: str) -> ConsentRecord | None:
    """The user's record (raw id or pseudonym), read consistently; None if there is none."""
    return _read(_pseudonym_of(user_id))


def delete_consent(pseudonym: str) -> int:
    """Remove the record and its history (erasure). Returns the number of items deleted (0 or 1)."""
    try:
        out = client("dynamodb").delete_item(
            TableName=_table(), Key={"user_id": {"S": pseudonym}}, ReturnValues="ALL_OLD"
        )
        return 1 if out.get("Attributes") else 0
    finally:
        invalidate(pseudonym)


# --- fast path: allows / capture_allowed --------------------------------------------------------------------

_cache: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
_cache_lock = threading.Lock()


def invalidate(pseudonym: str) -> None:
    with _cache_lock:
        _cache.pop((_table(), pseudonym), None)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _allowed_purposes(pseudonym: str) -> frozenset[str]:
    key = (_table(), pseudonym)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit[0] > now:
        return hit[1]
    # the predict path's check: read with the standard-library client, so a consented request never pays boto3's
    # import and client creation (~300 ms) inside the predict Lambda; writes keep boto3
    item = (
        lite_client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"user_id": {"S": pseudonym}},
            ProjectionExpression="#s, purposes",
            ExpressionAttributeNames={"#s": "status"},
        )
        .get("Item")
    )
    purposes: frozenset[str] = frozenset()
    if item and item.get("status", {}).get("S") == "active":
        purposes = frozenset(item.get("purposes", {}).get("M", {}))
    with _cache_lock:
        if len(_cache) >= CACHE_MAX:
            _cache.clear()
        _cache[key] = (now + CACHE_TTL_S, purposes)
    return purposes


def allows(user_id: str, purpose: str) -> bool:
    """Whether the user (raw id or pseudonym) currently agrees to `purpose`. Unknown users agree to nothing."""
    return purpose in _allowed_purposes(_pseudonym_of(user_id))


def capture_allowed(raw_user_id: str | None) -> tuple[bool, str | None]:
    """(may this prediction request be captured, the user's pseudonym) for the capture writer.

    Fails closed and never raises: no id, an invalid id or an unreachable consent table all mean "do not
    capture", so a privacy problem can never fail a prediction or store data without consent."""
    if not raw_user_id or not is_valid_user_id(raw_user_id):
        return False, None
    try:
        pseudonym = pseudonymise(raw_user_id)
    except Exception:  # noqa: BLE001 - key unavailable: capture nothing
        log.warning("pseudonym key unavailable; capture skipped")
        return False, None
    try:
        return CAPTURE_PURPOSE in _allowed_purposes(pseudonym), pseudonym
    except Exception:  # noqa: BLE001 - consent store unreachable: capture nothing
        log.warning("consent lookup failed; capture skipped", exc_info=True)
        return False, pseudonym
