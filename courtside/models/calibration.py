"""Post-hoc calibration maps (Platt and isotonic) in a pure-Python serving form.

Why separate from the base model: calibration is fitted on out-of-time validation predictions and is kept only
when it lowers the validation Brier score (practice 15), so the same base model may be served with or without it.
The wrapper is itself a serving model (``predict_proba``/``to_json``) so the loader treats it like any other.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT = "courtside-calibrated-v1"
_EPS = 1e-6


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class CalibrationMap:
    """``platt``: sigmoid(a * logit(p) + b). ``isotonic``: piecewise-linear through (x, y) knots."""

    method: str
    a: float = 1.0
    b: float = 0.0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()

    def __call__(self, p: float) -> float:
        if self.method == "platt":
            z = self.a * _logit(p) + self.b
            return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        if self.method == "isotonic":
            if p <= self.x[0]:
                return self.y[0]
            if p >= self.x[-1]:
                return self.y[-1]
            j = bisect.bisect_right(self.x, p)
            x0, x1, y0, y1 = self.x[j - 1], self.x[j], self.y[j - 1], self.y[j]
            return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)
        if self.method == "identity":
            return p
        raise ValueError(f"unknown calibration method {self.method!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "a": self.a, "b": self.b, "x": list(self.x), "y": list(self.y)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CalibrationMap:
        return cls(
            d["method"], float(d.get("a", 1.0)), float(d.get("b", 0.0)), tuple(d.get("x", ())), tuple(d.get("y", ()))
        )


def fit_calibration(p: Sequence[float], y: Sequence[int], method: str) -> CalibrationMap:
    """Fit a calibration map on validation predictions (training-time only: imports numpy/sklearn lazily)."""
    import numpy as np

    p_arr = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    y_arr = np.asarray(y, dtype=int)
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        z = np.log(p_arr / (1 - p_arr)).reshape(-1, 1)
        clf = LogisticRegression(C=1e6, max_iter=1000).fit(z, y_arr)
        return CalibrationMap("platt", a=float(clf.coef_[0, 0]), b=float(clf.intercept_[0]))
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip").fit(p_arr, y_arr)
        return CalibrationMap(
            "isotonic", x=tuple(map(float, iso.X_thresholds_)), y=tuple(map(float, iso.y_thresholds_))
        )
    raise ValueError(f"unknown calibration method {method!r}")


@dataclass(frozen=True)
class CalibratedModel:
    """A serving model whose probabilities pass through a fitted calibration map."""

    base: Any
    calibration: CalibrationMap
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(self.base.feature_names)

    def predict_proba(self, features: Mapping[str, float]) -> float:
        return self.calibration(self.base.predict_proba(features))

    def predict_many(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.predict_proba(r) for r in rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "base": self.base.as_dict(),
            "calibration": self.calibration.as_dict(),
            "metadata": self.metadata,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)
