"""Where the model runs: in the Lambda process (default) or behind a SageMaker endpoint (by configuration).

Why both: the in-process compact model is the low-latency path (no network hop); the endpoint path exists for
models too large for a Lambda and to get SageMaker data capture and Model Monitor. Selected with
``COURTSIDE_PREDICT_BACKEND=local|endpoint`` and ``COURTSIDE_ENDPOINT_NAME``. The wire format is the one
``sagemaker/inference.py`` speaks: ``{"instances": [{feature: value}]}`` -> ``{"predictions": [{...}]}``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from courtside.serving import errors
from courtside.serving.errors import ServiceError
from courtside.serving.model_source import ModelProvider

CONTENT_TYPE = "application/json"


class Scored(NamedTuple):
    """One scoring result; a NamedTuple (immutable) because one is built per request, cheaper than a frozen
    dataclass."""

    probability: float
    model_version: str


class Backend(Protocol):
    name: str

    def score(self, features: Mapping[str, float]) -> Scored: ...

    def model_version(self) -> str | None: ...


def _no_model() -> ServiceError:
    return ServiceError(
        503,
        errors.NO_APPROVED_MODEL,
        "no model version is approved in the registry yet; approve one with `courtside models approve`",
    )


class LocalBackend:
    """Scores with the model the provider currently holds (approved registry version, TTL-refreshed)."""

    name = "local"

    def __init__(self, provider: ModelProvider) -> None:
        self.provider = provider

    def score(self, features: Mapping[str, float]) -> Scored:
        loaded = self.provider.current()
        if loaded is None:
            raise _no_model()
        return Scored(float(loaded.model.predict_proba(features)), loaded.version)

    def model_version(self) -> str | None:
        loaded = self.provider.current()
        return loaded.version if loaded else None


def encode_request(features: Mapping[str, float]) -> bytes:
    return json.dumps({"instances": [dict(features)]}, separators=(",", ":")).encode()


def decode_response(body: bytes) -> Scored:
    doc = json.loads(body)
    first = doc["predictions"][0]
    return Scored(float(first["home_win_probability"]), str(first["model_version"]))


class EndpointBackend:
    """Scores through ``sagemaker-runtime invoke_endpoint``; the endpoint reports the model version it ran."""

    name = "endpoint"

    def __init__(self, endpoint_name: str, client: Any = None) -> None:
        if client is None:
            from courtside.aws.clients import client as make_client

            client = make_client("sagemaker-runtime")
        self.endpoint_name, self.client = endpoint_name, client
        self._last_version: str | None = None

    def score(self, features: Mapping[str, float]) -> Scored:
        try:
            resp = self.client.invoke_endpoint(
                EndpointName=self.endpoint_name,
                ContentType=CONTENT_TYPE,
                Accept=CONTENT_TYPE,
                Body=encode_request(features),
            )
            scored = decode_response(resp["Body"].read())
        except ServiceError:
            raise
        except Exception as err:  # noqa: BLE001 - any endpoint failure is a 503 with a code, never a bare 500
            raise ServiceError(
                503, errors.BACKEND_UNAVAILABLE, f"SageMaker endpoint {self.endpoint_name} failed: {err}"
            ) from err
        self._last_version = scored.model_version
        return scored

    def model_version(self) -> str | None:
        return self._last_version


def backend_from_env(provider_factory: Any) -> Backend:
    """``COURTSIDE_PREDICT_BACKEND=endpoint`` routes to the endpoint; anything else scores locally."""
    if os.environ.get("COURTSIDE_PREDICT_BACKEND", "local").strip().lower() == "endpoint":
        name = os.environ.get("COURTSIDE_ENDPOINT_NAME", "courtside-pregame")
        return EndpointBackend(name)
    return LocalBackend(provider_factory())
