"""Bounded-memory sampling for capture and baselines: a token bucket and reservoir samplers (practice 14).

Why both: the token bucket caps the write rate of capture (cost and Lambda time stay bounded on a traffic spike);
the reservoir keeps a *uniform* sample of each hour within a fixed size, so a busy hour is not over-represented in
drift statistics and memory never grows with traffic.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class TokenBucket:
    """`rate` tokens per second up to `burst`; :meth:`try_take` never blocks."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 0 or burst <= 0:
            raise ValueError("rate must be >= 0 and burst > 0")
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.updated = clock()
        self._lock = threading.Lock()

    def try_take(self, n: float = 1.0) -> bool:
        with self._lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= n:
                self.tokens -= n
                return True
            return False


class Reservoir(Generic[T]):
    """Algorithm R: after n offers, each offered item is kept with probability size/n."""

    def __init__(self, size: int, seed: int | None = None) -> None:
        if size <= 0:
            raise ValueError("size must be positive")
        self.size = size
        self.seen = 0
        self.items: list[T] = []
        self._rng = random.Random(seed)

    def offer(self, item: T) -> bool:
        """Offer one item; True when it was kept (it may be evicted later)."""
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
            return True
        j = self._rng.randrange(self.seen)
        if j < self.size:
            self.items[j] = item
            return True
        return False

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.offer(item)


class HourlyReservoir(Generic[T]):
    """One reservoir per hour key (e.g. "2024-01-05T13"); :meth:`drain` hands back closed hours."""

    def __init__(self, size_per_hour: int, seed: int | None = None) -> None:
        self.size = size_per_hour
        self.seed = seed
        self.hours: dict[str, Reservoir[T]] = {}

    def offer(self, hour: str, item: T) -> bool:
        res = self.hours.get(hour)
        if res is None:
            res = self.hours[hour] = Reservoir(self.size, None if self.seed is None else self.seed + len(self.hours))
        return res.offer(item)

    def drain(self, before: str | None = None) -> dict[str, list[T]]:
        """Remove and return the samples of every hour (or of hours strictly before `before`)."""
        keys = [h for h in self.hours if before is None or h < before]
        return {h: self.hours.pop(h).items for h in sorted(keys)}

    def __len__(self) -> int:
        return sum(len(r.items) for r in self.hours.values())
