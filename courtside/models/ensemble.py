"""Blended/stacked ensemble of serving models, evaluated without any numeric library.

Why logit space: a stacker that adds weighted log-odds of its members (plus an intercept) can both blend and
re-calibrate them; weights are fitted on out-of-time validation predictions, so the ensemble is measured against
its members on the same holdout (practice 13).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtside.models.trees import sigmoid

FORMAT = "courtside-ensemble-v1"
_EPS = 1e-6


def logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class EnsembleModel:
    """p = sigmoid(intercept + sum_i weight_i * logit(p_i))."""

    members: tuple[Any, ...]
    weights: tuple[float, ...]
    intercept: float = 0.0
    member_names: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.members) != len(self.weights) or not self.members:
            raise ValueError("an ensemble needs one weight per member and at least one member")

    @property
    def feature_names(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for m in self.members:
            names.update(dict.fromkeys(m.feature_names))
        return tuple(names)

    def predict_proba(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            w * logit(m.predict_proba(features)) for m, w in zip(self.members, self.weights, strict=True)
        )
        return sigmoid(z)

    def predict_many(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "members": [m.as_dict() for m in self.members],
            "member_names": list(self.member_names),
            "weights": list(self.weights),
            "intercept": self.intercept,
            "metadata": self.metadata,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)
