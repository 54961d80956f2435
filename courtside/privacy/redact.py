"""Keep raw user ids and secrets out of logs.

Why at the formatter: a raw id can reach a log line through the message, its arguments, `extra` fields, keys
appended to a Powertools Logger, or an exception's traceback. Scrubbing the *final* formatted line catches all
of them in one place. Two lists are scrubbed:

- sensitive values of the current request (raw user ids, registered by :func:`courtside.privacy.pseudonym.
  pseudonymise` and by the privacy handler), held in a context variable so threads/requests do not share them;
- process-wide secrets (the pseudonym key material), registered when the key is loaded.

A pattern also masks the id segment of `/users/<id>` paths, in case a path is logged before it was validated.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

MASK = "<redacted>"
MAX_SENSITIVE = 256  # per context: bounds memory if a context is never cleared
_USERS_PATH = re.compile(r"(/users/)[^/\s\"'?#]+")

_sensitive: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("courtside_sensitive", default=())
_secrets: set[str] = set()


def register_sensitive(value: str) -> None:
    """Mask `value` in every log line written from this context until :func:`clear_sensitive`."""
    if not value:
        return
    current = _sensitive.get()
    if value not in current:
        _sensitive.set((*current[-(MAX_SENSITIVE - 1) :], value))


def clear_sensitive() -> None:
    """Forget the request's sensitive values (call at the start of each invocation)."""
    _sensitive.set(())


def register_secret(value: str) -> None:
    """Mask `value` in every log line of this process (key material)."""
    if value:
        _secrets.add(value)


def scrub(text: str) -> str:
    """`text` with every registered value and `/users/<id>` path segment masked. Longest values first, so a
    value that contains another is masked whole."""
    for value in sorted({*_sensitive.get(), *_secrets}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return _USERS_PATH.sub(r"\1" + MASK, text)


class ScrubbingFormatter(LambdaPowertoolsFormatter):
    """Powertools JSON formatter whose output is scrubbed: `Logger(logger_formatter=ScrubbingFormatter())`."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubFilter(logging.Filter):
    """For plain `logging` handlers: scrubs the message (with args merged) and string `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = scrub(record.getMessage())
            record.args = None
        except Exception:  # noqa: BLE001 - a broken log call must not break the request
            record.msg, record.args = MASK, None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, name, scrub(value))
        return True


_STANDARD_ATTRS: set[str] = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def powertools_logger(service: str, **kwargs: Any) -> Any:
    """A Powertools Logger that scrubs its output (what every handler touching user ids should use)."""
    from aws_lambda_powertools import Logger

    return Logger(service=service, logger_formatter=ScrubbingFormatter(), **kwargs)
