"""Errors the API turns into JSON bodies: one place that fixes status code, machine code and message.

Why a dedicated exception: the core must be able to say "unknown team" (a 422 with a code apps can switch on)
without knowing anything about API Gateway; the handler maps :class:`ServiceError` to the response.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A failure with an HTTP status, a stable machine-readable code and optional structured details."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The documented error envelope ``{"error": {"code", "message", "details"}}``."""
    return {"error": {"code": code, "message": message, "details": details or []}}


NO_APPROVED_MODEL = "no_approved_model"
UNKNOWN_TEAM = "unknown_team"
SAME_TEAM = "same_team"
INVALID_GAME_ID = "invalid_game_id"
GAME_NOT_LIVE = "game_not_live"
FEATURES_UNAVAILABLE = "features_unavailable"
BACKEND_UNAVAILABLE = "backend_unavailable"
