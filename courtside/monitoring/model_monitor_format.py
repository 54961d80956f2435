"""SageMaker Model Monitor's data-quality file formats: `statistics.json`, `constraints.json` and
`constraint_violations.json`, as pydantic models plus builders from a training DataFrame.

Why Model Monitor's formats rather than our own: the CDK app gives the SageMaker endpoint a Model Monitor
data-quality schedule, and that job reads its baseline from these files. Writing our baseline in the same shape
means one baseline serves both the managed job (cloud) and our drift job (Lambda / local scheduler), and the
violation files of both can be read by the same tools. Schemas follow the "Schema for Statistics" and
"Schema for Constraints" pages of the SageMaker developer guide (version 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from courtside.monitoring.sampling import Reservoir

KLL_BUCKETS = 10  # Model Monitor materialises distributions in 10 buckets (not configurable there either)
KLL_C, KLL_K = 0.64, 2048.0  # the prebuilt container's sketch parameters

InferredType = Literal["Integral", "Fractional", "String", "Unknown"]
CheckType = Literal[
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "missing_column_check",
    "extra_column_check",
    "categorical_values_check",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---- statistics.json ----------------------------------------------------------------------------------------


class Common(_Strict):
    num_present: int
    num_missing: int


class KllBucket(_Strict):
    lower_bound: float
    upper_bound: float
    count: float


class KllSketchParameters(_Strict):
    c: float
    k: float


class KllSketch(_Strict):
    parameters: KllSketchParameters
    data: list[list[float]]


class Kll(_Strict):
    buckets: list[KllBucket]
    sketch: KllSketch


class Distribution(_Strict):
    kll: Kll


class NumericalStatistics(_Strict):
    common: Common
    mean: float
    sum: float
    std_dev: float
    min: float
    max: float
    distribution: Distribution


class FeatureStatistics(_Strict):
    name: str
    inferred_type: InferredType
    numerical_statistics: NumericalStatistics | None = None
    string_statistics: dict[str, Any] | None = None


class Dataset(_Strict):
    item_count: int


class Statistics(_Strict):
    version: float = 0
    dataset: Dataset
    features: list[FeatureStatistics]

    def feature(self, name: str) -> FeatureStatistics:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)


# ---- constraints.json ---------------------------------------------------------------------------------------


class NumConstraints(_Strict):
    is_non_negative: bool


class FeatureConstraints(_Strict):
    name: str
    inferred_type: InferredType
    completeness: float = Field(ge=0.0, le=1.0)
    num_constraints: NumConstraints | None = None


class DistributionConstraints(_Strict):
    perform_comparison: Literal["Enabled", "Disabled"] = "Enabled"
    comparison_threshold: float = 0.1
    comparison_method: Literal["Simple", "Robust"] = "Robust"


class MonitoringConfig(_Strict):
    evaluate_constraints: Literal["Enabled", "Disabled"] = "Enabled"
    emit_metrics: Literal["Enabled", "Disabled"] = "Enabled"
    datatype_check_threshold: float = 0.1
    domain_content_threshold: float = 0.1
    distribution_constraints: DistributionConstraints = Field(default_factory=DistributionConstraints)


class Constraints(_Strict):
    version: float = 0
    features: list[FeatureConstraints]
    monitoring_config: MonitoringConfig = Field(default_factory=MonitoringConfig)


# ---- constraint_violations.json -----------------------------------------------------------------------------


class Violation(_Strict):
    feature_name: str
    constraint_check_type: CheckType
    description: str


class ConstraintViolations(_Strict):
    violations: list[Violation]


# ---- JSON-schema-ish required keys (checked on the raw dict, independent of the pydantic models) ----------------

REQUIRED_KEYS: dict[str, dict[str, Any]] = {
    "statistics": {
        "version": None,
        "dataset": {"item_count": None},
        "features": [
            {
                "name": None,
                "inferred_type": None,
                "numerical_statistics": {
                    "common": {"num_present": None, "num_missing": None},
                    "mean": None,
                    "sum": None,
                    "std_dev": None,
                    "min": None,
                    "max": None,
                    "distribution": {
                        "kll": {
                            "buckets": [{"lower_bound": None, "upper_bound": None, "count": None}],
                            "sketch": {"parameters": {"c": None, "k": None}, "data": None},
                        }
                    },
                },
            }
        ],
    },
    "constraints": {
        "version": None,
        "features": [{"name": None, "inferred_type": None, "completeness": None}],
        "monitoring_config": {
            "evaluate_constraints": None,
            "emit_metrics": None,
            "datatype_check_threshold": None,
            "domain_content_threshold": None,
            "distribution_constraints": {
                "perform_comparison": None,
                "comparison_threshold": None,
                "comparison_method": None,
            },
        },
    },
    "constraint_violations": {
        "violations": [{"feature_name": None, "constraint_check_type": None, "description": None}],
    },
}


def missing_keys(doc: Any, spec: Any, path: str = "$") -> list[str]:
    """Paths of required keys absent from `doc` (lists: every element is checked against the spec's one element)."""
    out: list[str] = []
    if isinstance(spec, dict):
        if not isinstance(doc, dict):
            return [f"{path} (expected object)"]
        for key, sub in spec.items():
            if key not in doc:
                out.append(f"{path}.{key}")
            elif sub is not None:
                out.extend(missing_keys(doc[key], sub, f"{path}.{key}"))
    elif isinstance(spec, list):
        if not isinstance(doc, list):
            return [f"{path} (expected array)"]
        for i, item in enumerate(doc):
            # numerical_statistics is only required for numeric features
            out.extend(missing_keys(item, spec[0], f"{path}[{i}]"))
    return out


def validate_document(kind: Literal["statistics", "constraints", "constraint_violations"], doc: dict) -> BaseModel:
    """Check required keys, then parse with the pydantic model; raises ValueError listing what is missing."""
    missing = missing_keys(doc, REQUIRED_KEYS[kind])
    if missing:
        raise ValueError(f"{kind}: missing keys {missing}")
    model = {"statistics": Statistics, "constraints": Constraints, "constraint_violations": ConstraintViolations}[kind]
    return model.model_validate(doc)


# ---- builders ------------------------------------------------------------------------------------------------


def _inferred_type(values: np.ndarray) -> InferredType:
    finite = values[np.isfinite(values)]
    if finite.size and np.all(np.equal(np.mod(finite, 1), 0)):
        return "Integral"
    return "Fractional"


def _kll(values: np.ndarray) -> Kll:
    """Ten equal-width buckets between min and max, plus a one-level "sketch" of at most k sampled values.

    Why a reservoir sample as the sketch level: a one-level KLL sketch is a uniform sample of the stream, which is
    exactly what a reservoir keeps (bounded memory, one pass); KS / PSI on the drift side read it directly.
    """
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    edges = np.linspace(lo, hi, KLL_BUCKETS + 1) if hi > lo else np.array([lo] * (KLL_BUCKETS + 1))
    if hi > lo:
        counts, _ = np.histogram(values, bins=edges)
    else:
        counts = np.zeros(KLL_BUCKETS)
        counts[0] = values.size
    buckets = [
        KllBucket(lower_bound=float(edges[i]), upper_bound=float(edges[i + 1]), count=float(counts[i]))
        for i in range(KLL_BUCKETS)
    ]
    sample = Reservoir[float](int(KLL_K), seed=0)
    sample.extend(float(v) for v in values)
    sketch = KllSketch(parameters=KllSketchParameters(c=KLL_C, k=KLL_K), data=[sorted(sample.items)])
    return Kll(buckets=buckets, sketch=sketch)


def feature_statistics(name: str, series: pd.Series) -> FeatureStatistics:
    raw = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    present = raw[np.isfinite(raw)]
    n = int(present.size)
    return FeatureStatistics(
        name=name,
        inferred_type=_inferred_type(present),
        numerical_statistics=NumericalStatistics(
            common=Common(num_present=n, num_missing=int(raw.size - n)),
            mean=float(present.mean()) if n else 0.0,
            sum=float(present.sum()),
            std_dev=float(present.std()) if n else 0.0,
            min=float(present.min()) if n else 0.0,
            max=float(present.max()) if n else 0.0,
            distribution=Distribution(kll=_kll(present)),
        ),
    )


def build_statistics(df: pd.DataFrame, columns: Iterable[str]) -> Statistics:
    """statistics.json for the numeric `columns` of a training set (features, and the prediction column)."""
    cols = list(columns)
    return Statistics(
        version=0, dataset=Dataset(item_count=len(df)), features=[feature_statistics(c, df[c]) for c in cols]
    )


def build_constraints(stats: Statistics, comparison_threshold: float = 0.2) -> Constraints:
    """constraints.json suggested from the statistics, as Model Monitor's suggest_baseline does.

    `comparison_threshold` is our PSI alarm level (0.2): Model Monitor's own comparison uses a distance, and the
    value is recorded so both jobs read the threshold from one file.
    """
    feats: list[FeatureConstraints] = []
    for f in stats.features:
        ns = f.numerical_statistics
        assert ns is not None
        total = ns.common.num_present + ns.common.num_missing
        feats.append(
            FeatureConstraints(
                name=f.name,
                inferred_type=f.inferred_type,
                completeness=(ns.common.num_present / total) if total else 1.0,
                num_constraints=NumConstraints(is_non_negative=ns.min >= 0),
            )
        )
    return Constraints(
        version=0,
        features=feats,
        monitoring_config=MonitoringConfig(
            distribution_constraints=DistributionConstraints(comparison_threshold=comparison_threshold)
        ),
    )


def baseline_sample(stats: Statistics, name: str) -> np.ndarray:
    """The baseline values of one feature, from the sketch data."""
    ns = stats.feature(name).numerical_statistics
    assert ns is not None
    return np.array([v for level in ns.distribution.kll.sketch.data for v in level], dtype=float)


def dump(model: BaseModel) -> dict[str, Any]:
    """The JSON document (no None-valued optional sections, as Model Monitor writes them)."""
    return model.model_dump(mode="json", exclude_none=True)


def finite_or_zero(x: float) -> float:
    return x if math.isfinite(x) else 0.0


__all__: Sequence[str] = (
    "Constraints",
    "ConstraintViolations",
    "Statistics",
    "Violation",
    "build_constraints",
    "build_statistics",
    "baseline_sample",
    "dump",
    "validate_document",
)
