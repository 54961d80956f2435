"""Shared fixtures: a moto server per test worker, with Courtside's resources created as the local stack does."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Courtside")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "courtside-tests")

from courtside.aws import clients  # noqa: E402
from courtside.config import REPO_ROOT, Settings, get_settings  # noqa: E402
from courtside.local.bootstrap import create_resources  # noqa: E402
from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer, free_port  # noqa: E402

DATA_DIR: Path = REPO_ROOT / "data"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server subprocess for this test worker; AWS_ENDPOINT_URL points every boto3 client at it."""
    server = MotoServer(port=free_port())
    server.start()
    saved = {k: os.environ.get(k) for k in [*LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL"]}
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
    clients.reset()
    try:
        yield server.endpoint_url
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        clients.reset()


@pytest.fixture()
def aws(moto_endpoint: str) -> Settings:
    """Empty moto state with every Courtside resource created; returns the settings whose names were used."""
    req = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    settings = get_settings()
    create_resources(settings)
    return settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture()
def privacy_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A per-session local pseudonym key file and empty consent cache, restored afterwards."""
    from courtside.privacy import consent
    from courtside.privacy.pseudonym import reset_key

    key_file = tmp_path_factory.getbasetemp() / "privacy-secrets" / "pseudonym.key"
    saved = os.environ.get("COURTSIDE_PSEUDONYM_KEY_FILE")
    os.environ["COURTSIDE_PSEUDONYM_KEY_FILE"] = str(key_file)
    reset_key()
    consent.clear_cache()
    yield
    consent.clear_cache()
    reset_key()
    if saved is None:
        os.environ.pop("COURTSIDE_PSEUDONYM_KEY_FILE", None)
    else:
        os.environ["COURTSIDE_PSEUDONYM_KEY_FILE"] = saved
