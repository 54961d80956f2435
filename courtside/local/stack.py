"""The local stack: moto server + resources + stream pollers + API server, in one context manager.

`courtside up`, `make demo` and the end-to-end tests all start Courtside through :class:`LocalStack`, so they run
exactly the wiring the CDK app deploys (same names, same handlers), with moto standing in for AWS.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from courtside.aws import clients
from courtside.config import Settings, get_settings
from courtside.local.api import LocalApi
from courtside.local.bootstrap import create_resources
from courtside.local.functions import api_routes, cold_start, stream_functions
from courtside.local.moto_server import LOCAL_CREDENTIALS, MotoServer
from courtside.local.poller import KinesisPoller
from courtside.local.scheduler import LocalScheduler, scheduled_jobs

log = logging.getLogger(__name__)


@dataclass
class Readiness:
    """What /health reports while the stack starts (and seeds)."""

    stage: str = "starting"
    ready: bool = False
    steps: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def step(self, name: str, status: str) -> None:
        with self._lock:
            self.steps[name] = status
            self.stage = name

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "ready": self.ready,
                "stage": self.stage,
                "steps": dict(self.steps),
                "elapsed_s": round(time.time() - self.started_at, 1),
            }


class LocalStack:
    """Start with `with LocalStack(settings) as stack:`; `stack.api_url` and `stack.endpoint_url` are live inside.

    `pollers` is True (every stream function), False (none) or the function names to run (e.g. only
    `<prefix>-validate`, for a test of ingestion alone).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        api: bool = True,
        pollers: bool | Collection[str] = True,
        api_port: int | None = None,
        aws_port: int | None = None,
        scheduler: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        self.want_api, self.want_pollers, self.want_scheduler = api, pollers, scheduler
        self.scheduler: LocalScheduler | None = None
        self.aws_port = self.settings.aws_port if aws_port is None else aws_port
        self.api_port = self.settings.api_port if api_port is None else api_port
        self.readiness = Readiness()
        self.moto: MotoServer | None = None
        self.api: LocalApi | None = None
        self.pollers: list[KinesisPoller] = []
        self._saved_env: dict[str, str | None] = {}

    @property
    def endpoint_url(self) -> str:
        assert self.moto is not None
        return self.moto.endpoint_url

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return self.api.url

    def _set_env(self, values: dict[str, str]) -> None:
        for k, v in values.items():
            self._saved_env.setdefault(k, os.environ.get(k))
            os.environ[k] = v

    def start(self) -> LocalStack:
        state_dir = self.settings.state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self.readiness.step("aws", "starting moto server")
        self.moto = MotoServer(self.settings.host, self.aws_port, log_file=state_dir / "moto.log").start()
        self._set_env(
            {
                **LOCAL_CREDENTIALS,
                "AWS_ENDPOINT_URL": self.moto.endpoint_url,
                "AWS_DEFAULT_REGION": self.settings.region,
                "COURTSIDE_PREFIX": self.settings.prefix,
            }
        )
        # Handlers log JSON and emit EMF to stdout, as in Lambda where CloudWatch collects them; on a laptop
        # that would drown the progress output, so they log warnings only unless the user asks for more.
        # Locally a replay runs far faster than real time: captures are flushed after 1 s (60 s in Lambda) and the
        # predict function re-reads the serving pointer every 2 s (30 s), so a promotion answers from the next few
        # dates.
        for key, value in {
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "COURTSIDE_CAPTURE_MAX_AGE_S": "1",
            "COURTSIDE_MODEL_REFRESH_SECONDS": "2",
        }.items():
            if key not in os.environ:
                self._set_env({key: value})
        clients.reset()
        self.readiness.step("resources", "creating resources")
        create_resources(self.settings)
        if self.want_api:
            self.readiness.step("api", "starting API server")
            self.api = LocalApi(
                api_routes(self.settings.names),
                host=self.settings.host,
                port=self.api_port,
                readiness=self.readiness.snapshot,
                extra_get=self._extra_get(),
                stage=self.settings.names.api_stage,
            ).start()
        if self.want_pollers:
            self.readiness.step("pollers", "starting stream pollers")
            for stream, function_name, module in stream_functions(self.settings.names):
                if self.want_pollers is not True and function_name not in self.want_pollers:
                    continue
                handler = cold_start(module)
                poller = KinesisPoller(
                    stream,
                    handler,
                    function_name,
                    failure_destination=state_dir / "failed-records" / f"{function_name}.jsonl",
                    region=self.settings.region,
                )
                self.pollers.append(poller.start())
        return self

    def _extra_get(self) -> dict[str, Callable[[], dict[str, Any]]]:
        def openapi() -> dict[str, Any]:
            return importlib.import_module("courtside.serving.openapi").openapi_document()

        return {"/openapi.json": openapi}

    def mark_ready(self) -> None:
        """Healthy from now on; the scheduled jobs start here, so they never run against a half-seeded stack."""
        if self.want_scheduler and self.scheduler is None:
            self.scheduler = LocalScheduler(
                scheduled_jobs(
                    self.settings.names,
                    {"monitor": self.settings.monitor_interval_s, "retrain": self.settings.retrain_interval_s},
                    self.settings.region,
                )
            ).start()
        self.readiness.step("ready", "ready")
        self.readiness.ready = True

    def wait_drained(self, timeout: float = 60.0) -> bool:
        """Wait until every poller, in wiring order, has handed over everything on its stream."""
        deadline = time.monotonic() + timeout
        return all(p.wait_idle(max(0.1, deadline - time.monotonic())) for p in self.pollers)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop(timeout=60)
            self.scheduler = None
        if self.moto is not None:  # the predict function's buffered captures reach the lake before moto stops
            from courtside.serving import capture

            flush = getattr(capture.get_sink(), "flush", None)
            if callable(flush):
                try:
                    flush()
                except Exception:  # noqa: BLE001 - shutting down: a lost capture buffer is not worth a traceback
                    log.warning("capture buffer not flushed at stop", exc_info=True)
        for p in self.pollers:
            p.stop()
        self.pollers.clear()
        if self.api:
            self.api.stop()
            self.api = None
        if self.moto:
            self.moto.stop()
            self.moto = None
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._saved_env.clear()
        clients.reset()

    def __enter__(self) -> LocalStack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
