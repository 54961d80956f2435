"""Data and prediction drift against a training baseline (Model Monitor formats), per feature and on predictions.

Method: for each numeric feature, PSI over the baseline's deciles (categorical PSI when the baseline has at most 10
distinct values, e.g. `neutral`, back-to-back flags), the two-sample KS statistic and the Jensen-Shannon distance
over the same bins. A feature violates `baseline_drift_check` when PSI exceeds the constraints'
`comparison_threshold` (0.2, the infra alarm level; PSI < 0.1 is "no shift", 0.1-0.2 "moderate", > 0.2 "major"
by the usual credit-risk convention). Why PSI for the alarm and KS/JS alongside: PSI is what the alarm thresholds
are written in and is stable across sample sizes once n >= a few hundred; KS gives a p-value for small windows;
JS is bounded (0..1) and symmetric, handy on the dashboard.

Fewer than `min_samples` recent rows: no drift verdict (a 30-row window would raise false alarms), reported as such.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from courtside.config import Settings
from courtside.monitoring import model_monitor_format as mmf
from courtside.monitoring.cloudwatch import DRIFT_PSI_THRESHOLD, MetricPoint, publish

log = logging.getLogger(__name__)

PREDICTION = "home_win_probability"
EPS = 1e-4
MIN_SAMPLES = 200
BASELINE_PREFIX = "monitoring/baseline"
VIOLATIONS_PREFIX = "monitoring/violations"


def _bins(base: np.ndarray, recent: np.ndarray, n_bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Proportions of baseline and recent values per bin (categorical for few distinct baseline values)."""
    uniq = np.unique(base)
    if uniq.size <= n_bins:
        cats = np.union1d(uniq, np.unique(recent))
        b = np.array([(base == c).sum() for c in cats], float)
        r = np.array([(recent == c).sum() for c in cats], float)
    else:
        edges = np.unique(np.quantile(base, np.linspace(0, 1, n_bins + 1))[1:-1])
        b = np.bincount(np.searchsorted(edges, base, side="right"), minlength=edges.size + 1).astype(float)
        r = np.bincount(np.searchsorted(edges, recent, side="right"), minlength=edges.size + 1).astype(float)
    return b / max(b.sum(), 1.0), r / max(r.sum(), 1.0)


def psi(base: np.ndarray, recent: np.ndarray, n_bins: int = 10) -> float:
    """Population stability index sum((r - b) * ln(r / b)), with proportions floored at EPS."""
    b, r = _bins(np.asarray(base, float), np.asarray(recent, float), n_bins)
    b, r = np.clip(b, EPS, None), np.clip(r, EPS, None)
    return float(np.sum((r - b) * np.log(r / b)))


def js_distance(base: np.ndarray, recent: np.ndarray, n_bins: int = 10) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between the binned distributions (as scipy's `jensenshannon`).

    numpy only, like :func:`ks_test`: the monitor Lambda's layer (AWS SDK for pandas) has no SciPy."""
    b, r = _bins(np.asarray(base, float), np.asarray(recent, float), n_bins)
    p, q = b / b.sum(), r / r.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return float(np.sqrt(max(0.0, (kl(p) + kl(q)) / 2)))


def ks_test(base: np.ndarray, recent: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov: (D, asymptotic p-value). D is exact (as scipy's `ks_2samp`); the p-value is
    the Kolmogorov limit distribution at sqrt(n m / (n + m)) D (within ~0.02 of scipy's asymptotic p-value at the
    >= 200 rows the drift job requires; tests/unit/test_drift_stats.py compares them)."""
    a, b = np.sort(np.asarray(base, float)), np.sort(np.asarray(recent, float))
    grid = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, grid, "right") / a.size - np.searchsorted(b, grid, "right") / b.size)))
    lam = np.sqrt(a.size * b.size / (a.size + b.size)) * d
    if lam < 1e-3:
        return d, 1.0
    k = np.arange(1, 101)
    p = float(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)))
    return d, min(1.0, max(0.0, p))


def features_from_captures(captures: pd.DataFrame) -> pd.DataFrame:
    """Expand each capture's `request` JSON into feature columns (keeping the prediction column)."""
    if "request" not in captures or not len(captures):
        return captures.copy()
    expanded = pd.DataFrame([json.loads(s) if s else {} for s in captures["request"]], index=captures.index)
    keep = [c for c in captures.columns if c not in expanded.columns and c != "request"]
    return pd.concat([captures[keep], expanded], axis=1)


def compare(stats: mmf.Statistics, recent: pd.DataFrame, min_samples: int = MIN_SAMPLES) -> pd.DataFrame:
    """One row per baseline feature: kind, n, PSI, KS statistic and p-value, JS distance, missing share."""
    rows: list[dict[str, Any]] = []
    for f in stats.features:
        kind = "prediction" if f.name == PREDICTION else "feature"
        base = mmf.baseline_sample(stats, f.name)
        if f.name not in recent:
            rows.append({"feature": f.name, "kind": kind, "n": 0, "status": "missing_column"})
            continue
        raw = pd.to_numeric(recent[f.name], errors="coerce").to_numpy(float)
        vals = raw[np.isfinite(raw)]
        row: dict[str, Any] = {
            "feature": f.name,
            "kind": kind,
            "n": int(vals.size),
            "missing_share": float(1 - vals.size / raw.size) if raw.size else 0.0,
        }
        if vals.size < min_samples:
            row["status"] = "too_few_samples"
        else:
            ks, ks_p = ks_test(base, vals)
            row.update(
                status="ok",
                psi=psi(base, vals),
                ks=ks,
                ks_pvalue=ks_p,
                js=js_distance(base, vals),
                baseline_mean=float(base.mean()),
                recent_mean=float(vals.mean()),
            )
        rows.append(row)
    return pd.DataFrame(rows)


def violations(report: pd.DataFrame, constraints: mmf.Constraints) -> mmf.ConstraintViolations:
    """Model Monitor violations from a :func:`compare` report and the baseline constraints."""
    cfg = constraints.monitoring_config
    threshold = cfg.distribution_constraints.comparison_threshold
    by_name = {c.name: c for c in constraints.features}
    out: list[mmf.Violation] = []
    for r in report.to_dict("records"):
        name = r["feature"]
        if r.get("status") == "missing_column":
            out.append(
                mmf.Violation(
                    feature_name=name,
                    constraint_check_type="missing_column_check",
                    description=f"column {name} is in the baseline but not in the recent data",
                )
            )
            continue
        c = by_name.get(name)
        if c is not None and r.get("missing_share", 0.0) > (1 - c.completeness) + cfg.datatype_check_threshold:
            out.append(
                mmf.Violation(
                    feature_name=name,
                    constraint_check_type="completeness_check",
                    description=f"completeness {1 - r['missing_share']:.3f} below baseline {c.completeness:.3f}",
                )
            )
        if (
            r.get("status") == "ok"
            and cfg.distribution_constraints.perform_comparison == "Enabled"
            and r["psi"] > threshold
        ):
            out.append(
                mmf.Violation(
                    feature_name=name,
                    constraint_check_type="baseline_drift_check",
                    description=(
                        f"PSI {r['psi']:.3f} exceeds {threshold} (KS {r['ks']:.3f}, p={r['ks_pvalue']:.2g}; "
                        f"JS {r['js']:.3f}; mean {r['baseline_mean']:.3f} -> {r['recent_mean']:.3f}; n={r['n']})"
                    ),
                )
            )
    return mmf.ConstraintViolations(violations=out)


@dataclass
class Baseline:
    """A training baseline: Model Monitor statistics + constraints (and the model version it belongs to)."""

    statistics: mmf.Statistics
    constraints: mmf.Constraints
    model_version: str = ""

    @classmethod
    def from_training(
        cls,
        train: pd.DataFrame,
        feature_names: list[str],
        model_version: str = "",
        threshold: float = DRIFT_PSI_THRESHOLD,
    ) -> Baseline:
        """Baseline of `feature_names` and (when present) the prediction column of a training set."""
        cols = [*feature_names, *([PREDICTION] if PREDICTION in train else [])]
        stats = mmf.build_statistics(train, cols)
        return cls(stats, mmf.build_constraints(stats, threshold), model_version)

    def save(self, settings: Settings, prefix: str | None = None) -> str:
        """Write statistics.json + constraints.json under `s3://{artifacts}/monitoring/baseline/<version>/` and
        `.../latest/`; returns the versioned prefix."""
        from courtside.aws.s3io import put_json

        bucket = settings.names.artifacts_bucket
        tag = (self.model_version or "unversioned").replace("/", "-")
        targets = [prefix] if prefix else [f"{BASELINE_PREFIX}/{tag}", f"{BASELINE_PREFIX}/latest"]
        for p in targets:
            put_json(bucket, f"{p}/statistics.json", mmf.dump(self.statistics))
            put_json(bucket, f"{p}/constraints.json", mmf.dump(self.constraints))
            put_json(bucket, f"{p}/baseline.json", {"model_version": self.model_version})
        return targets[0]

    @classmethod
    def load(cls, settings: Settings, prefix: str = f"{BASELINE_PREFIX}/latest") -> Baseline:
        from courtside.aws.s3io import exists, get_json

        bucket = settings.names.artifacts_bucket
        stats = mmf.validate_document("statistics", get_json(bucket, f"{prefix}/statistics.json"))
        cons = mmf.validate_document("constraints", get_json(bucket, f"{prefix}/constraints.json"))
        meta = get_json(bucket, f"{prefix}/baseline.json") if exists(bucket, f"{prefix}/baseline.json") else {}
        return cls(stats, cons, meta.get("model_version", ""))  # type: ignore[arg-type]


@dataclass
class DriftResult:
    report: pd.DataFrame
    violations: mmf.ConstraintViolations
    feature_psi_max: float
    prediction_psi: float | None
    location: str | None = None
    metrics: list[MetricPoint] = field(default_factory=list)

    @property
    def alarm(self) -> bool:
        """What the infra alarms would say: any PSI above the threshold."""
        worst = max(self.feature_psi_max, self.prediction_psi or 0.0)
        return worst > DRIFT_PSI_THRESHOLD


def evaluate(baseline: Baseline, recent: pd.DataFrame, min_samples: int = MIN_SAMPLES) -> DriftResult:
    """The pure part of the drift job: compare, derive violations and the metric points."""
    frame = features_from_captures(recent) if "request" in recent else recent
    report = compare(baseline.statistics, frame, min_samples)
    viol = violations(report, baseline.constraints)
    ok = report[report.get("status", pd.Series(dtype=str)) == "ok"] if len(report) else report
    feats = ok[ok["kind"] == "feature"] if len(ok) else ok
    preds = ok[ok["kind"] == "prediction"] if len(ok) else ok
    points = [MetricPoint("FeatureDriftPSI", float(r.psi), {"Feature": r.feature}) for r in feats.itertuples()]
    pred_psi = float(preds["psi"].iloc[0]) if len(preds) else None
    if pred_psi is not None:
        dims = {"ModelVersion": baseline.model_version} if baseline.model_version else {}
        points.append(MetricPoint("PredictionDriftPSI", pred_psi, dims))
    return DriftResult(report, viol, float(feats["psi"].max()) if len(feats) else 0.0, pred_psi, metrics=points)


def run_drift_job(
    settings: Settings,
    baseline: Baseline,
    recent_df: pd.DataFrame,
    now: datetime | None = None,
    publish_metrics: bool = True,
    min_samples: int = MIN_SAMPLES,
) -> DriftResult:
    """Compare `recent_df` (captures or feature rows) with `baseline`; write
    `s3://{artifacts}/monitoring/violations/<timestamp>/constraint_violations.json` (+ drift_report.json) and
    publish `FeatureDriftPSI` (dimension Feature) and `PredictionDriftPSI`."""
    from courtside.aws.s3io import put_json

    now = now or datetime.now(UTC)
    result = evaluate(baseline, recent_df, min_samples)
    stamp = now.strftime("%Y-%m-%dT%H-%M-%SZ")
    prefix = f"{VIOLATIONS_PREFIX}/{stamp}"
    bucket = settings.names.artifacts_bucket
    doc = mmf.dump(result.violations)
    mmf.validate_document("constraint_violations", doc)
    put_json(bucket, f"{prefix}/constraint_violations.json", doc)
    put_json(
        bucket,
        f"{prefix}/drift_report.json",
        {
            "at": now.isoformat(),
            "model_version": baseline.model_version,
            "features": json.loads(result.report.to_json(orient="records")),
        },
    )
    result.location = f"s3://{bucket}/{prefix}/"
    if publish_metrics and result.metrics:
        publish(result.metrics, now)
    log.info(
        "drift job: %d violations, max feature PSI %.3f, prediction PSI %s -> %s",
        len(result.violations.violations),
        result.feature_psi_max,
        result.prediction_psi,
        result.location,
    )
    return result
