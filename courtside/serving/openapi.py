"""The public API's one OpenAPI 3 document: the prediction routes generated from the routes and pydantic models in
:mod:`courtside.serving.api`, merged with the privacy routes (:mod:`courtside.privacy.openapi`).

Why generated: a hand-written spec drifts from the code. Why merged: API Gateway exposes both functions under one
API and clients want one document. The local API serves :func:`openapi_document` at ``GET /openapi.json``,
``docs/api.md`` embeds it (``python -m courtside.serving.openapi --write`` regenerates it, and a test fails when
the committed file is stale).
"""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT

API_DOC = REPO_ROOT / "docs" / "api.md"
TITLE = "Courtside API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Pre-game and live in-game NBA win probabilities, computed at request time from the online feature store, "
    "and the privacy routes (consent, erasure) served by the privacy function. "
    'Every 4xx/5xx body is {"error": {"code", "message", ...}}.'
)


class _NoService:
    """Route generation needs a service object but never calls it."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the OpenAPI generator never serves requests")


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole public API as a JSON-ready dict (cached: routes do not change within a process)."""
    from courtside.privacy.openapi import with_privacy_paths

    return with_privacy_paths(prediction_document())


def prediction_document() -> dict[str, Any]:
    """The prediction function's routes only, generated from the route table and the pydantic models."""
    from courtside.serving.api import create_app

    app = create_app(_NoService())  # type: ignore[arg-type]
    return app.openapi(
        {"title": TITLE, "description": DESCRIPTION, "version": VERSION},
        servers=[{"url": "http://127.0.0.1:3000", "description": "local stack (make up)"}],
    )


INTRO = """# Courtside API

Generated from the code by `python -m courtside.serving.openapi --write` (routes and pydantic models in
`courtside/serving/`, merged with the privacy routes of `courtside/privacy/openapi.py`); `tests/unit/test_openapi.py`
fails when this file is stale. The local API serves the same document at `GET http://127.0.0.1:3000/openapi.json`.

## Endpoints

- `POST /v1/predictions/pregame` -> 200 `PregameResponse`; errors: 400 `malformed_json`,
  415 `unsupported_media_type`, 422 `validation_error` / `unknown_team` / `same_team`,
  503 `no_approved_model` / `features_unavailable` / `backend_unavailable`.
- `GET /v1/games/{game_id}/live` -> 200 `LiveResponse`; errors: 404 `game_not_live`, 422 `invalid_game_id`,
  503 `features_unavailable`.
- `GET /health` -> 200 `HealthResponse` (`status` is `ok`, or `degraded` when no model is approved).
- Privacy (served by the privacy function, see docs/privacy.md): `POST /v1/users/{user_id}/consent` records the
  purposes a user agreed to, `GET` reads the record with its history, `DELETE` withdraws every purpose;
  `DELETE /v1/users/{user_id}` erases the user's data and returns the audit report.

Unknown routes get 404 `not_found`, a known path with the wrong method 405 `method_not_allowed` (with `Allow`).
Team codes are accepted in basketball-reference (`BRK`, `PHO`) or NBA.com (`BKN`, `PHX`) form, case-insensitive,
and mapped to today's franchise (`SEA` -> `OKC`). The season is the date's year, plus one from August on.
`model_version` names the registry version that produced the number (`courtside-pregame/3`); `features_as_of` is
the event time of the newest game result reflected in the features used; a live response's `as_of` is the event
time of the newest play-by-play event reflected in its state.

Example:

```
curl -s -X POST http://127.0.0.1:3000/v1/predictions/pregame \\
  -H 'content-type: application/json' \\
  -d '{"date": "2019-03-01", "home_team": "BOS", "away_team": "NYK"}'
```

## OpenAPI document

```json
"""


def render_markdown() -> str:
    return INTRO + json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n```\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {API_DOC.relative_to(REPO_ROOT)}")
    args = parser.parse_args(argv)
    text = render_markdown()
    if args.write:
        Path(API_DOC).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
