"""Model Monitor formats: what we write validates against the pydantic models and the required-key schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from courtside.monitoring import model_monitor_format as mmf
from courtside.monitoring.drift import Baseline, evaluate


def _train(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "elo_diff": rng.normal(60, 120, n),
            "home_rest_days": rng.integers(1, 8, n).astype(float),
            "neutral": (rng.random(n) < 0.01).astype(float),
            "home_win_probability": rng.beta(6, 4, n),
        }
    )


def test_baseline_documents_validate() -> None:
    b = Baseline.from_training(_train(), ["elo_diff", "home_rest_days", "neutral"], "g/1")
    stats, cons = mmf.dump(b.statistics), mmf.dump(b.constraints)
    assert mmf.missing_keys(stats, mmf.REQUIRED_KEYS["statistics"]) == []
    assert mmf.missing_keys(cons, mmf.REQUIRED_KEYS["constraints"]) == []
    parsed = mmf.validate_document("statistics", stats)
    assert parsed.dataset.item_count == 3000  # type: ignore[attr-defined]
    f = stats["features"][0]["numerical_statistics"]
    assert len(f["distribution"]["kll"]["buckets"]) == mmf.KLL_BUCKETS
    assert sum(x["count"] for x in f["distribution"]["kll"]["buckets"]) == 3000
    assert len(f["distribution"]["kll"]["sketch"]["data"][0]) <= mmf.KLL_K
    assert {x["inferred_type"] for x in stats["features"]} == {"Fractional", "Integral"}
    assert cons["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.2
    mmf.validate_document("constraints", cons)


def test_missing_keys_are_reported() -> None:
    doc = mmf.dump(Baseline.from_training(_train(100), ["elo_diff"]).statistics)
    del doc["features"][0]["numerical_statistics"]["distribution"]["kll"]["sketch"]
    with pytest.raises(ValueError, match="sketch"):
        mmf.validate_document("statistics", doc)


def test_violations_document_validates_and_flags_shift() -> None:
    b = Baseline.from_training(_train(), ["elo_diff", "home_rest_days", "neutral"])
    recent = _train(500, seed=1)
    recent["elo_diff"] += 150  # shifted
    recent["neutral"] = 1.0  # bubble: every game neutral
    result = evaluate(b, recent)
    doc = mmf.dump(result.violations)
    mmf.validate_document("constraint_violations", doc)
    flagged = {v["feature_name"] for v in doc["violations"] if v["constraint_check_type"] == "baseline_drift_check"}
    assert flagged == {"elo_diff", "neutral"}
    assert result.alarm and result.feature_psi_max > 0.2
    assert result.prediction_psi is not None and result.prediction_psi < 0.1
