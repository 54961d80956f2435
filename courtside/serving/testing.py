"""Test and benchmark support for the prediction service: proxy events, store seeding, model registration.

Lives in the package (not tests/) so bench/predict.py can use it too; imports pandas lazily, never on the
Lambda path.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from courtside.config import REPO_ROOT, Settings

GAMES = REPO_ROOT / "data" / "games" / "nba_games_1947_2019.parquet"


def proxy_event(
    method: str,
    path: str,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the local runtime and API Gateway build it."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    return {
        "httpMethod": method,
        "path": path,
        "resource": resource or path,
        "pathParameters": path_parameters,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "headers": {"content-type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "body": text,
        "isBase64Encoded": False,
        "stageVariables": None,
        "requestContext": {
            "requestId": "req-1",
            "stage": "v1",
            "resourcePath": resource or path,
            "httpMethod": method,
            "identity": {"sourceIp": "127.0.0.1"},
            "requestTimeEpoch": 1_560_000_000_000,
        },
    }


@lru_cache(maxsize=1)
def season_2019_games() -> list[dict[str, Any]]:
    """Regular-season and playoff games of 2017-18..2018-19 (enough history for sensible ratings)."""
    import pandas as pd

    df = pd.read_parquet(GAMES)
    df = df[df["season"] >= 2018]
    rows = df.to_dict("records")
    for r in rows:
        r["date"] = str(r["date"])[:10]
    return rows


def seed_store(settings: Settings, until: str = "2019-06-13") -> str:
    """Write a LeagueBook over the games before `until` into the online store; returns the newest as_of."""
    from courtside.features.history import LeagueBook
    from courtside.online_store import OnlineStore

    book = LeagueBook()
    as_of = ""
    for game in season_2019_games():
        if game["date"] >= until:
            break
        as_of = f"{game['date']}T23:59:59Z"
        book.apply(game, as_of=as_of)
    OnlineStore(settings.names.online_table).write_book(book)
    return as_of


def logistic_json(coef: float = 1.0) -> str:
    from courtside.features.pregame import FEATURE_NAMES
    from courtside.models.linear import LinearModel

    n = len(FEATURE_NAMES)
    coefs = tuple(coef if name == "elo_diff" else 0.0 for name in FEATURE_NAMES)
    return LinearModel(tuple(FEATURE_NAMES), (0.0,) * n, (100.0,) + (1.0,) * (n - 1), coefs, 0.0).to_json()


def register_and_approve(settings: Settings, text: str, key: str = "models/test/model.json") -> Any:
    """Upload a model JSON and register + approve it through courtside.registry; returns the record."""
    from courtside import registry
    from courtside.aws.clients import client
    from courtside.features.pregame import FEATURE_NAMES

    bucket = settings.names.artifacts_bucket
    client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode())
    url = f"s3://{bucket}/{key}"
    record = registry.register_model(
        settings.names.model_package_group, url, {"brier": 0.2}, "ds-test", "code-test", list(FEATURE_NAMES)
    )
    return registry.approve(record.arn, "tests", "unit test")
