"""Bounded schemathesis run against the local API (prediction + privacy routes): no 5xx, JSON error bodies.

The document is the serving area's generated OpenAPI document with the privacy routes merged in
(:func:`courtside.privacy.openapi.with_privacy_paths`). A model is registered and the online store seeded first,
so "no approved model" (a documented 503) does not hide real failures. Both generation modes run: positive
(schema-valid requests) and negative (schema-violating ones, which must be rejected with a 4xx).
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from courtside.config import REPO_ROOT, Settings
from courtside.privacy.openapi import with_privacy_paths

schemathesis = pytest.importorskip("schemathesis")

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

MAX_EXAMPLES = {"positive": 15, "negative": 10}


pytestmark = pytest.mark.usefixtures("privacy_key")


def api_document() -> dict[str, Any]:
    """The serving document (when that module exists) plus the privacy routes."""
    try:
        from courtside.serving.openapi import openapi_document
    except ImportError:
        return with_privacy_paths({"openapi": "3.0.3", "info": {"title": "Courtside", "version": "0"}, "paths": {}})
    return with_privacy_paths(openapi_document())


def seed_serving(aws: Settings) -> None:
    """A registered model and a seeded online store, when the serving test helpers exist."""
    try:
        from courtside.serving.testing import logistic_json, register_and_approve, seed_store
    except ImportError:
        return
    seed_store(aws, until="2017-12-01")  # a month of history: enough for valid features, quick to write
    register_and_approve(aws, logistic_json())


def violable(op: Any) -> bool:
    """Whether negative generation can break the operation's schema (a body, or a constrained parameter);
    otherwise hypothesis searches in vain until it gives up, which costs seconds and tests nothing."""
    raw = op.definition.raw
    if raw.get("requestBody"):
        return True
    params = [*raw.get("parameters", []), *op.definition.raw.get("x-path-parameters", [])]
    params += [p for p in (op.schema.raw_schema["paths"][op.path].get("parameters") or [])]
    keys = {"pattern", "maxLength", "minLength", "enum", "minimum", "maximum", "format"}
    return any(keys & set((p.get("schema") or {}).keys()) for p in params if isinstance(p, dict))


def check(case: Any, response: Any) -> str | None:
    """A failure description, or None when the response keeps the contract."""
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 500:
        return f"{where}: server error {response.text[:300]}"
    try:
        body = response.json()
    except ValueError:
        return f"{where}: body is not JSON: {response.text[:200]!r}"
    if response.status_code >= 400:
        err = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)):
            return f"{where}: error body is not {{'error': {{'code', 'message'}}}}: {body}"
    return None


@pytest.mark.slow
def test_schemathesis_bounded_run_against_the_local_api(aws: Settings) -> None:
    from courtside.local.api import LocalApi
    from courtside.local.functions import api_routes

    seed_serving(aws)
    api = LocalApi(api_routes(aws.names), port=0).start()
    schema = schemathesis.openapi.from_dict(api_document())
    failures: dict[str, list[str]] = {"privacy": [], "serving": []}
    calls = {"n": 0}
    try:
        operations = [result.ok() for result in schema.get_all_operations()]
        assert any(op.path.startswith("/v1/users/") for op in operations)
        for op in operations:
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

                @settings(
                    max_examples=MAX_EXAMPLES[mode.value],
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=op.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    response = case.call(base_url=api.url, timeout=15)
                    calls["n"] += 1
                    problem = check(case, response)
                    area = "privacy" if case.operation.path.startswith("/v1/users/") else "serving"
                    if problem and len(failures[area]) < 20:
                        failures[area].append(problem)

                if mode is schemathesis.GenerationMode.NEGATIVE and not violable(op):
                    continue
                try:
                    run()
                except Unsatisfiable:
                    continue  # e.g. no way to violate the schema of GET /health
    finally:
        api.stop()
    assert calls["n"] > 50
    assert not failures["privacy"], "\n".join(failures["privacy"])
    assert not failures["serving"], "\n".join(failures["serving"])
