"""boto3 clients shared across a process (created once per Lambda container, reused while warm).

No endpoint logic lives here: boto3 honours `AWS_ENDPOINT_URL`, so the same code reaches AWS in the cloud and moto
server on a laptop. The cache is keyed by the endpoint so tests that start a new moto server get new clients.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _session() -> boto3.session.Session:
    """One session per process: each new session reloads botocore's service data (hundreds of ms cold)."""
    return boto3.session.Session()


@lru_cache(maxsize=64)
def _client(service: str, endpoint: str | None, region: str) -> Any:
    with _LOCK:  # creating clients from one session is not thread-safe
        return _session().client(service, region_name=region, config=_CONFIG)


def client(service: str) -> Any:
    """A cached boto3 client for `service` in the configured region and endpoint."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return _client(service, os.environ.get("AWS_ENDPOINT_URL"), region)


def reset() -> None:
    """Forget cached clients (after the endpoint changed, e.g. between test sessions)."""
    _client.cache_clear()
    _session.cache_clear()
