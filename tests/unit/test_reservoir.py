"""Reservoir samples are bounded and uniform (chi-square over stream positions)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from courtside.quality.reservoir import Reservoir


@given(k=st.integers(1, 20), sizes=st.lists(st.integers(0, 60), max_size=8))
@settings(max_examples=60, deadline=None)
def test_bounded_and_made_of_stream_items(k: int, sizes: list[int]) -> None:
    r = Reservoir(k, random.Random(1))
    stream = list(range(sum(sizes)))
    pos = 0
    for s in sizes:
        r.extend(stream[pos : pos + s])
        pos += s
    assert r.n == len(stream)
    assert len(r.items) == min(k, len(stream))
    assert len(set(r.items)) == len(r.items) and set(r.items) <= set(stream)


def test_uniform_over_positions_chi_square() -> None:
    n, k, trials, bins = 1000, 20, 3000, 10
    counts = [0] * bins
    rng = random.Random(42)
    for _ in range(trials):
        r = Reservoir(k, random.Random(rng.random()))
        for start in range(0, n, 137):  # uneven batches, as handler batches are
            r.extend(range(start, min(n, start + 137)))
        for item in r.items:
            counts[item * bins // n] += 1
    _, p = stats.chisquare(counts)
    assert p > 0.001, counts


def test_roundtrip_continues_the_same_sample() -> None:
    r = Reservoir(5, random.Random(3))
    r.extend(list(range(100)))
    again = Reservoir.from_dict(r.to_dict(), random.Random(4))
    again.extend(list(range(100, 200)))
    assert again.n == 200 and len(again.items) == 5
