"""Pure-Python evaluation of gradient-boosted trees: the serving format of LightGBM models.

Why not ship the LightGBM model file: the predict Lambda must not import lightgbm or numpy (cold start, layer
size). :func:`from_lightgbm` flattens ``booster.dump_model()`` into parallel arrays per tree, which a loop of
comparisons evaluates in microseconds. Raw scores are log-odds (binary objective), so ``sigmoid(sum)`` is the
probability; LightGBM folds its initial score into the first tree, so nothing else is needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtside.models.documents import check_document, read_document

FORMAT = "courtside-trees-v1"


def sigmoid(z: float) -> float:
    """Numerically stable logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Tree:
    """One tree as flat arrays; node i is a leaf when ``feature[i] < 0`` and then ``value[i]`` is its output."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    default_left: tuple[bool, ...]
    value: tuple[float, ...]

    def score(self, x: Sequence[float]) -> float:
        i = 0
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        while feature[i] >= 0:
            v = x[feature[i]]
            if v != v:  # NaN: follow the side LightGBM learned for missing values
                i = left[i] if self.default_left[i] else right[i]
            else:
                i = left[i] if v <= threshold[i] else right[i]
        return self.value[i]

    def as_dict(self) -> dict[str, list[Any]]:
        return {
            "feature": list(self.feature),
            "threshold": list(self.threshold),
            "left": list(self.left),
            "right": list(self.right),
            "default_left": list(self.default_left),
            "value": list(self.value),
        }


def _flatten(node: Mapping[str, Any]) -> Tree:
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    default_left: list[bool] = []
    value: list[float] = []

    def visit(n: Mapping[str, Any]) -> int:
        idx = len(feature)
        feature.append(-1)
        threshold.append(0.0)
        left.append(-1)
        right.append(-1)
        default_left.append(True)
        value.append(0.0)
        if "leaf_value" in n and "split_feature" not in n:
            value[idx] = float(n["leaf_value"])
            return idx
        if n.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {n.get('decision_type')!r} (categorical splits are not used)")
        feature[idx] = int(n["split_feature"])
        threshold[idx] = float(n["threshold"])
        default_left[idx] = bool(n.get("default_left", True))
        left[idx] = visit(n["left_child"])
        right[idx] = visit(n["right_child"])
        return idx

    visit(node)
    return Tree(tuple(feature), tuple(threshold), tuple(left), tuple(right), tuple(default_left), tuple(value))


@dataclass(frozen=True)
class TreeEnsembleModel:
    """Sum of trees on the named features, then a sigmoid: LightGBM's binary model without LightGBM."""

    feature_names: tuple[str, ...]
    trees: tuple[Tree, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def decision(self, features: Mapping[str, float]) -> float:
        x = [float(features[name]) for name in self.feature_names]
        return sum(t.score(x) for t in self.trees)

    def predict_proba(self, features: Mapping[str, float]) -> float:
        """Probability of the positive class (home win)."""
        return sigmoid(self.decision(features))

    def predict_many(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "feature_names": list(self.feature_names),
            "trees": [t.as_dict() for t in self.trees],
            "metadata": self.metadata,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> TreeEnsembleModel:
        return cls.from_dict(read_document(text, FORMAT))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> TreeEnsembleModel:
        """The model from its parsed document (on its own or nested in a bigger one)."""
        doc = check_document(doc, FORMAT)
        trees = tuple(
            Tree(
                tuple(t["feature"]),
                tuple(t["threshold"]),
                tuple(t["left"]),
                tuple(t["right"]),
                tuple(t["default_left"]),
                tuple(t["value"]),
            )
            for t in doc["trees"]
        )
        return cls(tuple(doc["feature_names"]), trees, doc.get("metadata", {}))


def from_lightgbm(
    booster: Any, feature_names: Sequence[str], metadata: dict[str, Any] | None = None
) -> TreeEnsembleModel:
    """Convert a trained binary-objective LightGBM booster into the pure-Python format."""
    dump = booster.dump_model()
    if dump.get("num_tree_per_iteration", 1) != 1:
        raise ValueError("only single-output (binary) boosters are supported")
    trees = tuple(_flatten(info["tree_structure"]) for info in dump["tree_info"])
    return TreeEnsembleModel(tuple(feature_names), trees, dict(metadata or {}))
