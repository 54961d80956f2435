"""Compiled tree ensembles: LightGBM-style trees turned, at model load, into bit masks scored with a few C calls.

Why: the models engineer's pure-Python trees walk parallel arrays (an index lookup, a comparison and a branch per
node); even as generated straight-line code, 300 trees cost ~900 interpreted comparisons per row. The default
evaluation here is QuickScorer (Lucchese et al., SIGIR 2015) over Python's big integers:

- every tree's leaves are numbered left to right and own one byte (<= 8 leaves) of one ensemble-wide bit vector;
- a node is *false* when ``x[f] > threshold``; then no leaf of its left subtree can be the exit, so its mask
  clears those bits. Sorting each feature's nodes by threshold lets one ``bisect`` find every false node of that
  feature at once, and a precomputed running AND of their masks applies them in one big-integer ``&``;
- after the split features, each tree's exit leaf is the lowest bit still set in its byte: ``int.to_bytes`` splits the
  vector and a per-tree 256-entry table maps the byte to the leaf value, summed by ``sum(map(...))`` in C.

A row costs one bisect and one big-integer AND per split feature and one C-level pass over the trees instead of
~900 bytecode branches. The pass skips the leading trees whose thresholds cut the input space into few boxes
(the first 144 of 300): their running sum is precomputed per box at load, and the request continues it
(:func:`_bitvector`), so the float additions, and the score, stay exactly those of the tree-order sum.
Ensembles with a tree of more than 8 leaves fall back to generated straight-line code (nested ``if x3 <= 1.5:``).
The document stores only numbers (feature indices, thresholds, leaf values), validated as such before anything is
built, so loading a model file can never inject code. Both paths take the same branch as the array-walking form
at every node (``x <= threshold`` goes left; finite inputs only: the pre-game features are never NaN); the sum of
leaf values may differ from it in the last bit (summation order), measured in docs/compression.md.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from itertools import product
from operator import and_, getitem, itemgetter
from typing import Any

from courtside.models.documents import read_document

FORMAT = "courtside-compiled-trees-v1"
# Box budgets of the stages that precompute the leading trees' running sums (a box: one bin of every feature
# between the distinct thresholds of the trees summed so far). Cost at load: boxes x trees of each stage; one
# stage of 512 boxes takes the pre-game LightGBM's first 144 trees (368 boxes) for a few ms. A second stage
# (e.g. 2500 or 8192 boxes) measured 10-60 ms more load for at most 56 trees fewer per request: not worth it.
PREFIX_STAGE_BOXES: tuple[int, ...] = (512,)
_LOWEST_BIT = [0] + [(b & -b).bit_length() - 1 for b in range(1, 256)]  # index of a byte's lowest set bit


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _num(value: Any) -> str:
    v = float(value)
    if not math.isfinite(v):
        raise ValueError("thresholds and leaf values must be finite")
    return repr(v)


def _tree_lines(tree: Mapping[str, Sequence[Any]], n_features: int) -> list[str]:
    feature, threshold, left, right, value = (tree[k] for k in ("feature", "threshold", "left", "right", "value"))
    lines: list[str] = []
    stack: list[tuple[int, int, str]] = [(0, 1, "")]  # (node, indent, prefix line)
    while stack:
        node, depth, prefix = stack.pop()
        pad = "    " * depth
        if prefix:
            lines.append("    " * (depth - 1) + prefix)
        f = int(feature[node])
        if f < 0:
            lines.append(f"{pad}z += {_num(value[node])}")
            continue
        if f >= n_features:
            raise ValueError(f"feature index {f} out of range")
        # push right first so the left branch is emitted first (stack order)
        stack.append((int(right[node]), depth + 1, "else:"))
        stack.append((int(left[node]), depth + 1, f"if x{f} <= {_num(threshold[node])}:"))
    return lines


def _compile(feature_names: Sequence[str], trees: Sequence[Mapping[str, Sequence[Any]]], base: float) -> Any:
    n = len(feature_names)
    body = [f"def decision({', '.join(f'x{i}' for i in range(n))}):", f"    z = {_num(base)}"]
    for tree in trees:
        # each tree is a self-contained if/else block at indent 1 so its leaves add to z
        body.extend(_tree_lines(tree, n))
    body.append("    return z")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), f"<{FORMAT}>", "exec"), {"__builtins__": {}}, namespace)  # noqa: S102
    return namespace["decision"]


def _tree_masks(tree: Mapping[str, Sequence[Any]], n_features: int) -> tuple[list[tuple[int, float, int]], list[float]]:
    """(feature, threshold, left-subtree leaf bits) per internal node, and the leaf values left to right."""
    feature, threshold, left, right, value = (tree[k] for k in ("feature", "threshold", "left", "right", "value"))
    nodes: list[tuple[int, float, int]] = []
    leaves: list[float] = []

    def walk(node: int) -> int:  # returns the bits of the leaves under `node`
        f = int(feature[node])
        if f < 0:
            leaves.append(float(_num(value[node])))
            return 1 << (len(leaves) - 1)
        if f >= n_features:
            raise ValueError(f"feature index {f} out of range")
        left_bits = walk(int(left[node]))
        right_bits = walk(int(right[node]))
        nodes.append((f, float(_num(threshold[node])), left_bits))
        return left_bits | right_bits

    walk(0)
    return nodes, leaves


class _QuickScorer:
    """QuickScorer's parts for a run of trees (<= 8 leaves each): one byte per tree in a bit vector, per split
    feature the sorted node thresholds with the running AND of their masks, and per tree a byte -> leaf table."""

    def __init__(self, trees: Sequence[Mapping[str, Sequence[Any]]], n_features: int) -> None:
        self.width = width = len(trees)
        all_bits = (1 << (8 * width)) - 1
        by_feature: list[list[tuple[float, int]]] = [[] for _ in range(n_features)]
        self.tables: list[list[float]] = []
        self.start = 0  # every tree's real leaves set; unused bits of a byte stay clear: its lowest set bit is a leaf
        self.ok = True
        for t, tree in enumerate(trees):
            nodes, leaves = _tree_masks(tree, n_features)
            if len(leaves) > 8:
                self.ok = False
                return
            self.start |= ((1 << len(leaves)) - 1) << (8 * t)
            for f, threshold, left_bits in nodes:
                by_feature[f].append((threshold, ~(left_bits << (8 * t)) & all_bits))
            # byte -> value of its lowest set leaf; only bytes below 1 << len(leaves) occur (never 0: the exit leaf
            # stays set)
            self.tables.append(list(map(leaves.__getitem__, _LOWEST_BIT[: 1 << len(leaves)])))
        # feature -> (node thresholds ascending, cumulative[k]: AND of the masks of the k lowest, i.e. of the
        # nodes that are false when exactly k thresholds are below x)
        self.features: dict[int, tuple[list[float], list[int]]] = {}
        for f, nodes_f in enumerate(by_feature):
            nodes_f.sort(key=lambda node: node[0])
            running, cumulative = all_bits, [all_bits]
            for _, mask in nodes_f:
                running &= mask
                cumulative.append(running)
            self.features[f] = ([th for th, _ in nodes_f], cumulative)

    def mask(self, f: int, x: float) -> int:
        """AND of the masks of every node on feature `f` that `x` makes false."""
        thresholds, cumulative = self.features[f]
        return cumulative[bisect_left(thresholds, x)]

    def leaf_sum(self, bits: int, start: float = 0) -> float:
        """`start` plus the exit leaves' values, added one by one in tree order (the trees' own float sum)."""
        return sum(map(getitem, self.tables, bits.to_bytes(self.width, "little")), start)


def _first_use(trees: Sequence[Mapping[str, Sequence[Any]]], n_features: int) -> dict[int, dict[float, int]]:
    """feature -> threshold -> index of the first tree splitting there (features never split on are absent)."""
    first: dict[int, dict[float, int]] = {}
    for k, tree in enumerate(trees):
        for f, th in zip(tree["feature"], tree["threshold"], strict=True):
            if 0 <= int(f) < n_features:
                first.setdefault(int(f), {}).setdefault(float(th), k)
    return first


def _stage_ends(first: Mapping[int, Mapping[float, int]], n_trees: int, caps: Sequence[int]) -> list[int]:
    """Per cap, the most leading trees whose distinct thresholds cut the input space into at most `cap` boxes."""
    new_at: list[list[int]] = [[] for _ in range(n_trees)]
    for f, thresholds in first.items():
        for k in thresholds.values():
            new_at[k].append(f)
    sides = dict.fromkeys(first, 1)
    ends: list[int] = []
    remaining = sorted(caps)
    for k, features in enumerate(new_at):
        for f in features:
            sides[f] += 1
        boxes = math.prod(sides.values())
        while remaining and boxes > remaining[0]:
            remaining.pop(0)
            ends.append(k)
    ends.extend(n_trees for _ in remaining)
    return sorted({k for k in ends if k > 0})


def _bitvector(feature_names: Sequence[str], trees: Sequence[Mapping[str, Sequence[Any]]], base: float) -> Any:
    """The QuickScorer decision function, or None when a tree has more than 8 leaves (one byte per tree).

    The leading trees are not scored per request: their thresholds cut the input space into boxes, every input in
    a box takes the same path in each of them, so the running sum of their leaf values is precomputed per box, in
    tree order (the same float additions); for the pre-game LightGBM, the first 144 of the 300 trees over 368 boxes
    (stages, each continuing the previous one's sums, are supported: see PREFIX_STAGE_BOXES). A request finds its
    box with the same bisects that pick the remaining trees' masks and continues the box's running sum with those
    trees' leaves (``sum(..., start)``), so the score is bit for bit the tree-order sum: ~half the leaf lookups."""
    n = len(feature_names)
    first = _first_use(trees, n)
    ends = _stage_ends(first, len(trees), PREFIX_STAGE_BOXES)
    parts = [_QuickScorer(trees[a:b], n) for a, b in zip([0, *ends], [*ends, len(trees)], strict=True)]
    if not all(part.ok for part in parts):
        return None
    axes = sorted(first)

    def distinct(f: int, end: int) -> list[float]:
        """Distinct thresholds on `f` of the first `end` trees."""
        return sorted(th for th, k in first[f].items() if k < end)

    sums: list[float] = [0]  # before any tree: one box, sum()'s own start
    previous: dict[int, list[float]] = {f: [] for f in axes}  # distinct thresholds of the trees summed so far

    def coordinates(cuts: Mapping[int, list[float]], reps: list[float], f: int) -> list[int]:
        """Flat offset, in the row-major boxes of `cuts`, of the box side holding each representative value."""
        stride = math.prod(len(cuts[g]) + 1 for g in axes[axes.index(f) + 1 :])
        return [bisect_left(cuts[f], r) * stride for r in reps]

    for part, end in zip(parts, ends, strict=False):  # every stage but the tail
        cuts = {f: distinct(f, end) for f in axes}
        per_axis = []
        for f in axes:
            reps = [*cuts[f], math.inf]  # a value inside each box side: bisect_left(cuts[f], reps[b]) == b
            per_axis.append(list(zip([part.mask(f, r) for r in reps], coordinates(previous, reps, f), strict=True)))
        sums = [
            part.leaf_sum(reduce(and_, [m for m, _ in box], part.start), sums[sum(o for _, o in box)])
            for box in product(*per_axis)
        ]
        previous = cuts
    tail = parts[-1]
    features: list[tuple[int, list[float], list[int], list[int]]] = []
    for f in axes:
        every = distinct(f, len(trees))
        reps = [*every, math.inf]
        features.append((f, every, coordinates(previous, reps, f), [tail.mask(f, r) for r in reps]))
    start, width, tables, prefix = tail.start, tail.width, tail.tables, sums

    def decision(*xs: float) -> float:
        bits, box = start, 0
        for f, thresholds, offsets, masks in features:
            b = bisect_left(thresholds, xs[f])
            box += offsets[b]
            bits &= masks[b]
        # sum(..., start) continues the box's running float sum with the remaining trees' leaves, in order
        return base + sum(map(getitem, tables, bits.to_bytes(width, "little")), prefix[box])

    return decision


@dataclass
class CompiledTrees:
    """p = sigmoid(base + sum of trees), evaluated by generated code."""

    feature_names: tuple[str, ...]
    trees: list[dict[str, list[Any]]]
    base: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)
    evaluation: str = field(init=False, default="", compare=False)  # "bitvector" or "generated-code"

    def __post_init__(self) -> None:
        fast = _bitvector(self.feature_names, self.trees, float(_num(self.base)))
        self.evaluation = "bitvector" if fast is not None else "generated-code"
        self._decision: Callable[..., float] = fast or _compile(self.feature_names, self.trees, self.base)
        names = self.feature_names
        # one C call picks the row out of the feature dict (a 1-tuple by hand: itemgetter of one name is a scalar)
        self._row: Callable[[Mapping[str, float]], tuple[float, ...]] = (
            itemgetter(*names) if len(names) > 1 else (lambda f: (f[names[0]],))
        )

    def decision(self, features: Mapping[str, float]) -> float:
        """Raw score; the features are numbers (int, float or bool compare exactly against float thresholds)."""
        return float(self._decision(*self._row(features)))

    def predict_proba(self, features: Mapping[str, float]) -> float:
        return _sigmoid(float(self._decision(*self._row(features))))  # the per-request call: no decision() hop

    def predict_many(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "feature_names": list(self.feature_names),
                "trees": self.trees,
                "base": self.base,
                "metadata": self.metadata,
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_tree_model(cls, model: Any, metadata: dict[str, Any] | None = None) -> CompiledTrees:
        """From ``courtside.models.trees.TreeEnsembleModel`` (the LightGBM conversion)."""
        trees = [
            {
                "feature": list(t.feature),
                "threshold": list(t.threshold),
                "left": list(t.left),
                "right": list(t.right),
                "value": list(t.value),
            }
            for t in model.trees
        ]
        return cls(tuple(model.feature_names), trees, 0.0, dict(metadata or getattr(model, "metadata", {})))


def load(text: str | bytes) -> CompiledTrees:
    doc = read_document(text, FORMAT)
    return CompiledTrees(
        tuple(doc["feature_names"]), list(doc["trees"]), float(doc.get("base", 0.0)), doc.get("metadata", {})
    )
