"""Fixed-size uniform samples of a stream in one pass with bounded memory (Li's Algorithm L).

Why Algorithm L rather than R: R draws a random number for every item; L draws only when an item is taken,
skipping geometrically many items in between, so keeping samples costs O(k log(N/k)) random draws instead of O(N)
on the validate function's hot path. Every item of the stream ends in the sample with probability k/N
(tests/unit/test_reservoir.py checks it with a chi-square test over positions).

Persisted per event type at `s3://{lake}/samples/<event_type>.json` (items, count seen and the skip state), so a
new Lambda container continues the same sample; monitoring reads the items.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

SAMPLES_PREFIX = "samples"


class Reservoir:
    """A uniform sample of at most `k` items from everything passed to :meth:`add` / :meth:`extend`."""

    def __init__(self, k: int, rng: random.Random | None = None) -> None:
        if k < 1:
            raise ValueError("k must be >= 1")
        self.k = k
        self.n = 0  # items seen
        self.items: list[Any] = []
        self.rng = rng or random.Random()
        self._w = 1.0
        self._next = 0  # index (0-based, in the stream) of the next item to take once the reservoir is full

    def _skip(self) -> None:
        r = self.rng.random() or 1e-300
        self._next += int(math.floor(math.log(r) / math.log1p(-self._w))) + 1 if self._w < 1.0 else 1

    def _start(self) -> None:
        self._w = math.exp(math.log(self.rng.random() or 1e-300) / self.k)
        self._next = self.k - 1
        self._skip()

    def add(self, item: Any) -> None:
        self.extend((item,))

    def extend(self, items: Sequence[Any]) -> None:
        """Offer a batch; only the items that enter the sample are touched (the rest are skipped)."""
        start, m = self.n, len(items)
        j = 0
        while len(self.items) < self.k and j < m:
            self.items.append(items[j])
            j += 1
            if len(self.items) == self.k:
                self._start()
        end = start + m
        while len(self.items) == self.k and self._next < end:
            self.items[self.rng.randrange(self.k)] = items[self._next - start]
            self._w *= math.exp(math.log(self.rng.random() or 1e-300) / self.k)
            self._skip()
        self.n = end

    def to_dict(self) -> dict[str, Any]:
        return {"k": self.k, "n": self.n, "w": self._w, "next": self._next, "items": self.items}

    @classmethod
    def from_dict(cls, d: dict[str, Any], rng: random.Random | None = None) -> Reservoir:
        r = cls(int(d["k"]), rng)
        r.n, r.items, r._w, r._next = int(d["n"]), list(d["items"]), float(d["w"]), int(d["next"])
        return r


def sample_key(event_type: str) -> str:
    return f"{SAMPLES_PREFIX}/{event_type}.json"


def save(bucket: str, event_type: str, reservoir: Reservoir) -> None:
    from courtside.aws.s3io import put_json

    put_json(bucket, sample_key(event_type), {"event_type": event_type, **reservoir.to_dict()})


def load(bucket: str, event_type: str, k: int = 1000) -> Reservoir:
    """The persisted reservoir of `event_type`, or an empty one of size `k`."""
    from botocore.exceptions import ClientError

    from courtside.aws.s3io import get_json

    try:
        return Reservoir.from_dict(get_json(bucket, sample_key(event_type)))
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return Reservoir(k)
        raise
