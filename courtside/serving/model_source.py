"""Which model serves, and when to look again: the approved registry version, cached per container.

Where "approved" is read: :func:`courtside.registry.serving_model`, i.e. the serving pointer that approve, reject
and rollback write to S3 (one GetObject with the S3 client the model download needs anyway; no SageMaker client at
init), falling back to the registry's ListModelPackages + DescribeModelPackage when no pointer exists yet.

Why a TTL and not a reload per request: the lookup (a pointer read, or the registry calls) costs milliseconds to
tens of milliseconds; the Lambda loads at init and re-checks at most every ``refresh_seconds`` (default 30 s, env
``COURTSIDE_MODEL_REFRESH_SECONDS``), so a promotion or rollback reaches every warm container within that bound.
A failed re-check keeps serving the model already loaded (stale-while-error) rather than failing requests.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from courtside.serving.model_loader import ServingModel, parse_model

log = logging.getLogger(__name__)

DEFAULT_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class LoadedModel:
    version: str
    model: ServingModel
    source: str = ""  # where the document came from (model data URL or file)


class ModelProvider(Protocol):
    def current(self) -> LoadedModel | None: ...


class StaticModelProvider:
    """One fixed model (benchmarks, tests, the SageMaker container, or `COURTSIDE_MODEL_FILE`)."""

    def __init__(self, model: ServingModel | None, version: str = "static/0") -> None:
        self._loaded = LoadedModel(version, model) if model is not None else None

    @classmethod
    def from_file(cls, path: str, version: str | None = None) -> StaticModelProvider:
        with open(path, encoding="utf-8") as fh:
            return cls(parse_model(fh.read()), version or f"file/{os.path.basename(path)}")

    def current(self) -> LoadedModel | None:
        return self._loaded


def _registry_functions() -> tuple[Callable[[str], Any], Callable[[str], str]]:
    """The registry reads, through the standard-library S3 client: creating a boto3 client costs ~150 ms of the
    predict Lambda's 400 ms cold-start budget (the registry fallback, a SageMaker call, still uses boto3)."""
    from courtside import registry  # type: ignore[attr-defined]
    from courtside.aws.clients import lite_client

    s3 = lite_client("s3")
    return partial(registry.serving_model, s3=s3), partial(registry.load_model_json, s3=s3)


class RegistryModelProvider:
    """The approved version of a model package group, re-checked at most every `refresh_seconds`."""

    def __init__(
        self,
        group: str,
        refresh_seconds: float | None = None,
        approved: Callable[[str], Any] | None = None,
        load_text: Callable[[str], str] | None = None,
        parse: Callable[[str], ServingModel] = parse_model,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if refresh_seconds is None:
            refresh_seconds = float(os.environ.get("COURTSIDE_MODEL_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))
        self.group, self.refresh_seconds = group, refresh_seconds
        self._approved, self._load_text, self._parse, self._clock = approved, load_text, parse, clock
        self._loaded: LoadedModel | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def _functions(self) -> tuple[Callable[[str], Any], Callable[[str], str]]:
        if self._approved is None or self._load_text is None:
            approved, load_text = _registry_functions()
            self._approved = self._approved or approved
            self._load_text = self._load_text or load_text
        assert self._approved is not None and self._load_text is not None
        return self._approved, self._load_text

    def refresh(self) -> LoadedModel | None:
        """Ask the registry now; load the document only when the approved version changed."""
        with self._lock:
            self._checked_at = self._clock()
            try:
                approved, load_text = self._functions()
                record = approved(self.group)
                if record is None:
                    self._loaded = None  # a rejection/rollback with nothing approved stops serving the old one
                else:
                    version = str(getattr(record, "model_version", None) or record.version)
                    if self._loaded is None or self._loaded.version != version:
                        url = getattr(record, "model_json_url", None) or record.model_data_url
                        self._loaded = LoadedModel(version, self._parse(load_text(url)), url)
                        log.info("loaded model %s from %s", version, url)
                self.last_error = None
            except Exception as err:  # noqa: BLE001 - keep serving the loaded model; surfaced via /health
                self.last_error = f"{type(err).__name__}: {err}"
                log.warning("model registry check failed for %s: %s", self.group, self.last_error)
            return self._loaded

    def current(self) -> LoadedModel | None:
        checked = self._checked_at
        if checked is None or self._clock() - checked >= self.refresh_seconds:
            return self.refresh()
        return self._loaded
