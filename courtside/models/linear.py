"""A compact, dependency-free logistic model: the serving format of the pre-game forecast.

Why its own format: the predict Lambda must start fast and must not import pandas or scikit-learn, so the model
it loads is a small JSON document (feature names, scaling statistics fitted on training data only, coefficients)
evaluated in pure Python. Training code fits it with scikit-learn and saves it with :meth:`LinearModel.to_json`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtside.models.documents import check_document, read_document

FORMAT = "courtside-linear-v1"


@dataclass(frozen=True)
class LinearModel:
    """p = sigmoid(intercept + sum(coef_i * (x_i - mean_i) / scale_i))."""

    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.feature_names)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ValueError("feature_names, mean, scale and coef must have the same length")
        if any(s <= 0 for s in self.scale):
            raise ValueError("scale must be positive")

    def decision(self, features: Mapping[str, float]) -> float:
        z = self.intercept
        for name, mu, sd, w in zip(self.feature_names, self.mean, self.scale, self.coef, strict=True):
            z += w * (float(features[name]) - mu) / sd
        return z

    def predict_proba(self, features: Mapping[str, float]) -> float:
        """Probability of the positive class (home win) for one feature mapping."""
        z = self.decision(features)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def predict_many(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "feature_names": list(self.feature_names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "metadata": self.metadata,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> LinearModel:
        return cls.from_dict(read_document(text, FORMAT))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> LinearModel:
        """The model from its parsed document (on its own or an ensemble's member)."""
        doc = check_document(doc, FORMAT)
        return cls(
            feature_names=tuple(doc["feature_names"]),
            mean=tuple(doc["mean"]),
            scale=tuple(doc["scale"]),
            coef=tuple(doc["coef"]),
            intercept=float(doc["intercept"]),
            metadata=doc.get("metadata", {}),
        )


def fit_logistic(
    rows: Any, feature_names: Sequence[str], label: str = "home_win", c: float = 1.0, sample_weight: Any = None
) -> LinearModel:
    """Fit a scaled, L2-regularised logistic regression on a DataFrame and return its compact form.

    Scaling statistics come from `rows` only (the training set), so serving applies the training scale.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = rows[list(feature_names)].to_numpy(dtype=float)
    y = rows[label].to_numpy(dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=1000)
    clf.fit((x - mean) / scale, y, sample_weight=sample_weight)
    return LinearModel(
        feature_names=tuple(feature_names),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in np.ravel(clf.coef_)),
        intercept=float(clf.intercept_[0]),
    )
