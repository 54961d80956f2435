"""The capture hook: every served prediction is offered to a :class:`CaptureSink` after the response is computed.

Why only an interface here: consent checks, pseudonymisation policy and storage belong to the monitoring/privacy
work (issue 9/8). The service guarantees the call site and the record shape; the default sink drops everything,
so nothing is stored until a consent-aware sink is installed with :func:`set_sink`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class CaptureSink(Protocol):
    """Receives one record per prediction; must never raise into the request path (the caller guards anyway)."""

    def capture(self, record: dict[str, Any]) -> None: ...


class NoopCaptureSink:
    """Default sink: captures nothing (no consent logic exists yet, so storing nothing is the safe default)."""

    def capture(self, record: dict[str, Any]) -> None:
        return None


class ListCaptureSink:
    """Keeps records in memory; for tests and the local demo."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def capture(self, record: dict[str, Any]) -> None:
        self.records.append(record)


_sink: CaptureSink = NoopCaptureSink()


def get_sink() -> CaptureSink:
    return _sink


def set_sink(sink: CaptureSink) -> None:
    """Install the process-wide sink (the privacy engineer's consent-aware sink goes here)."""
    global _sink
    _sink = sink


def pseudonym_of(user_id: str | None) -> str | None:
    """The user's pseudonym per docs/privacy.md (keyed HMAC, `psn:<hex>`), or None for anonymous requests.

    A capture record carries only this, never the raw id. If the key is unavailable the record carries None and
    the consent-aware sink stores nothing for it (fail closed)."""
    if not user_id:
        return None
    try:
        from courtside.privacy.pseudonym import pseudonymise

        return pseudonymise(user_id)
    except Exception:  # noqa: BLE001 - no key / invalid id: serve, do not capture
        return None


def active_sink(sink: CaptureSink | None = None) -> CaptureSink | None:
    """The sink a record would go to (`sink`, else the process-wide one), or None when it is the no-op default.

    Why: building the record (and pseudonymising the user id, an HMAC) is wasted work on every request while no
    consent-aware sink is installed; callers skip it when this returns None."""
    chosen = sink or _sink
    return None if type(chosen) is NoopCaptureSink else chosen


def offer(record: dict[str, Any], sink: CaptureSink | None = None) -> bool:
    """Send `record` to the sink; a failing sink is swallowed so capture can never fail a prediction."""
    try:
        (sink or _sink).capture(record)
        return True
    except Exception:  # noqa: BLE001 - capture is best effort by contract
        return False
