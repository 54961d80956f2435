"""Compiled tree ensembles: LightGBM-style trees turned into straight-line Python code at model load.

Why compile: the models engineer's pure-Python trees walk parallel arrays (an index lookup, a comparison and a
branch per node, through attribute and tuple accesses). Generating one function of nested ``if x3 <= 1.5:``
statements per ensemble removes every lookup; CPython then runs only comparisons and constant adds. The document
stores only numbers (feature indices, thresholds, leaf values), validated as such before code is generated, so
loading a model file can never inject code. Predictions equal the array-walking form exactly (same float
comparisons in the same order; finite inputs only: the pre-game features are never NaN).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtside.models.documents import read_document

FORMAT = "courtside-compiled-trees-v1"


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


@dataclass
class CompiledTrees:
    """p = sigmoid(base + sum of trees), evaluated by generated code."""

    feature_names: tuple[str, ...]
    trees: list[dict[str, list[Any]]]
    base: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._decision = _compile(self.feature_names, self.trees, self.base)

    def decision(self, features: Mapping[str, float]) -> float:
        return float(self._decision(*[float(features[name]) for name in self.feature_names]))

    def predict_proba(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.decision(features))

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
