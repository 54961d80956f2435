"""Request and response models of the prediction API: the single source of validation and of the OpenAPI document.

Why pydantic models here rather than in the handler: the OpenAPI generator (:mod:`courtside.serving.openapi`), the
CLI client and the tests all need the same shapes, and none of them should import the Lambda handler.
"""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GAME_ID_PATTERN = r"^\d{8}_[A-Z]{2,4}_at_[A-Z]{2,4}$"


def _iso_date_only(value: Any) -> Any:
    """Accept only ``YYYY-MM-DD`` strings: pydantic's lax mode would also take epoch numbers and datetimes."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("date must be a string in YYYY-MM-DD form")
    return value


IsoDate = Annotated[Date, BeforeValidator(_iso_date_only)]
TeamCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=4,
        pattern=r"^[A-Za-z]{2,4}$",
        description="Team code, basketball-reference (BRK, PHO) or NBA.com (BKN, PHX) form; case-insensitive.",
        examples=["BOS"],
    ),
]


class PregameRequest(BaseModel):
    """A pre-game forecast request for one scheduled game."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: IsoDate = Field(description="Game date (local), YYYY-MM-DD. The season is derived from it.")
    home_team: TeamCode
    away_team: TeamCode
    neutral: StrictBool = Field(default=False, description="True when neither side has home-court advantage.")
    user_id: str | None = Field(
        default=None, min_length=1, max_length=128, description="App user id; pseudonymised before any capture."
    )


class PregameResponse(BaseModel):
    """The forecast with the model version and freshness of the features used."""

    home_win_probability: float = Field(ge=0.0, le=1.0)
    model_version: str = Field(description='Registry version that produced the number, e.g. "courtside-pregame/3".')
    features_as_of: str | None = Field(
        description="Event time (ISO-8601 UTC) of the newest game result reflected in the features; null if none."
    )
    home_team: str = Field(description="Basketball-reference code of the home franchise (after harmonisation).")
    away_team: str
    date: str
    season: int = Field(description="Season named by the year it ends (month >= August starts the next one).")
    neutral: bool
    features: dict[str, float] = Field(description="The model inputs, as computed by courtside.features.pregame.")


class LiveResponse(BaseModel):
    """The live in-game home win probability and the game state it was computed from."""

    game_id: str
    home_win_probability: float = Field(ge=0.0, le=1.0)
    model_version: str
    as_of: str | None = Field(description="Event time of the newest play reflected in the state.")
    state: dict[str, Any] = Field(
        description="Current state: score margin (home minus away), seconds remaining, period, possession, fouls, run."
    )


class HealthResponse(BaseModel):
    status: str = Field(description='"ok" when a model is approved and loaded, "degraded" otherwise.')
    model_version: str | None
    backend: str = Field(description='"local" (in-process model) or "endpoint" (SageMaker endpoint).')


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int] | None = None
    msg: str | None = None
    type: str | None = None


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. unknown_team, validation_error.")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """Every 4xx/5xx response has this body."""

    error: ErrorInfo


def season_of(day: Date) -> int:
    """NBA seasons are named by the year they end; August is the cut-over month."""
    return day.year if day.month < 8 else day.year + 1
