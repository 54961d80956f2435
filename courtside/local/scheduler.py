"""A small thread-based scheduler of (interval, callable) jobs: the local stand-in for EventBridge schedules.

Why threads and not a library: two or three jobs (drift monitor, retrain) on fixed intervals; a daemon thread per
job with an Event to stop is enough, and a failing job is logged and retried at its next tick instead of killing
the stack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from courtside.config import ResourceNames

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    interval_s: float
    fn: Callable[[], object]
    name: str = ""
    run_at_start: bool = False


class LocalScheduler:
    def __init__(self, jobs: Sequence[Job | tuple[float, Callable[[], object]]]) -> None:
        self.jobs = [j if isinstance(j, Job) else Job(float(j[0]), j[1]) for j in jobs]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.runs: dict[str, int] = {}
        self.errors: dict[str, int] = {}

    def _loop(self, job: Job, key: str) -> None:
        if not job.run_at_start and self._stop.wait(job.interval_s):
            return
        while not self._stop.is_set():
            try:
                job.fn()
                self.runs[key] = self.runs.get(key, 0) + 1
            except Exception:  # noqa: BLE001 - a failing job must not stop the scheduler
                self.errors[key] = self.errors.get(key, 0) + 1
                log.exception("scheduled job %s failed", key)
            if self._stop.wait(job.interval_s):
                return

    def start(self) -> LocalScheduler:
        self._stop.clear()
        for i, job in enumerate(self.jobs):
            key = job.name or getattr(job.fn, "__name__", f"job{i}")
            t = threading.Thread(target=self._loop, args=(job, key), name=f"scheduler-{key}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()


def scheduled_jobs(names: ResourceNames, intervals_s: Mapping[str, float], region: str = "us-east-1") -> list[Job]:
    """One job per scheduled function (courtside.local.functions.scheduled_functions), calling its handler as its
    EventBridge rule does: an empty scheduled event and a Lambda context. `intervals_s` is keyed by the function
    name's suffix ("monitor", "retrain")."""
    from courtside.local.functions import lazy_handler, scheduled_functions
    from courtside.local.lambda_context import LocalLambdaContext

    jobs = []
    for function_name, module in scheduled_functions(names):
        load = lazy_handler(module)

        def run(load: Callable[[], Callable[..., object]] = load, name: str = function_name) -> object:
            return load()({}, LocalLambdaContext(function_name=name, region=region))

        jobs.append(Job(float(intervals_s[function_name.rsplit("-", 1)[-1]]), run, function_name))
    return jobs


def monitoring_jobs(monitor_every_s: float = 3600.0, retrain_every_s: float = 6 * 3600.0) -> list[Job]:
    """The monitor and retrain jobs with the default resource names (for `LocalScheduler(monitoring_jobs())`)."""
    return scheduled_jobs(ResourceNames(), {"monitor": monitor_every_s, "retrain": retrain_every_s})
