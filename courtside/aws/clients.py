"""AWS clients shared across a process (created once per Lambda container, reused while warm).

No endpoint logic lives here: boto3 honours `AWS_ENDPOINT_URL`, so the same code reaches AWS in the cloud and moto
server on a laptop. The cache is keyed by the endpoint so tests that start a new moto server get new clients.

boto3 is the default everywhere, but it is imported lazily (inside the functions that build boto3 clients): the
predict Lambda must cold-start (import + init) in <= 400 ms and `import boto3` alone costs ~200 ms of CPU, more
with each client. The serving path asks for :func:`lite_client` explicitly (the online store's reads, the serving
pointer and model, the consent check, capture writes): the standard-library client of :mod:`courtside.aws.lite`,
with the same call and response shapes and `botocore.exceptions.ClientError` errors. Explicit rather than a
process-wide switch, because the local stack runs every function in one process and only the predict path wants
it; every other caller keeps boto3.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

LITE_SERVICES = frozenset({"dynamodb", "s3"})

_LOCK = threading.Lock()


def region_from_env() -> str:
    """The region every client here (boto3 and lite) uses: AWS_REGION (set by Lambda), AWS_DEFAULT_REGION, us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@lru_cache(maxsize=1)
def _session() -> boto3.session.Session:
    """One session per process: each new session reloads botocore's service data (hundreds of ms cold)."""
    import boto3

    return boto3.session.Session()


@lru_cache(maxsize=64)
def _client(service: str, endpoint: str | None, region: str) -> Any:
    from botocore.config import Config

    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    with _LOCK:  # creating clients from one session is not thread-safe
        return _session().client(service, region_name=region, config=config)


@lru_cache(maxsize=16)
def _lite_client(service: str, endpoint: str | None, region: str) -> Any:
    from courtside.aws import lite

    return lite.client(service, region_name=region, endpoint_url=endpoint)


def lite_client(service: str) -> Any:
    """A cached courtside.aws.lite client ("dynamodb" or "s3") for the configured region and endpoint; boto3 is
    not imported."""
    from courtside.aws import lite

    if service not in LITE_SERVICES:
        raise ValueError(f"the lite client supports {sorted(LITE_SERVICES)}, not {service!r}")
    return _lite_client(service, lite.endpoint_from_env(service), region_from_env())


def client(service: str) -> Any:
    """A cached boto3 client for `service` in the configured region and endpoint."""
    return _client(service, os.environ.get("AWS_ENDPOINT_URL"), region_from_env())


def reset() -> None:
    """Forget cached clients (after the endpoint changed, e.g. between test sessions)."""
    _client.cache_clear()
    _lite_client.cache_clear()
    _session.cache_clear()
