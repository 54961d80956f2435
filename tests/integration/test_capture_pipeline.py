"""Capture -> lake Parquet -> outcome join -> CloudWatch metrics -> drift job -> violations, on moto."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from courtside.aws.clients import client
from courtside.aws.s3io import get_json, list_keys
from courtside.config import Settings
from courtside.monitoring import model_monitor_format as mmf
from courtside.monitoring.capture import LakeCaptureSink, read_captures
from courtside.monitoring.drift import Baseline, run_drift_job
from courtside.monitoring.outcomes import join_outcomes, read_labeled
from courtside.monitoring.performance import publish_performance


def test_capture_join_metrics_drift(aws: Settings) -> None:
    rng = np.random.default_rng(0)
    sink = LakeCaptureSink(
        aws, consent=lambda uid: (uid != "nope", f"ps-{uid}" if uid != "nope" else None), burst=1000, seed=1
    )
    finals = []
    for i in range(240):
        home, away, date = "BOS", f"T{i:02d}", "2018-01-05"
        sink.capture(
            {
                "user_id": "nope" if i % 10 == 0 else f"u{i}",
                "model_version": "courtside-pregame/1",
                "home_win_probability": 0.75,
                "features": {"elo_diff": float(rng.normal(250, 30)), "neutral": 1.0},
                "request": {"date": date, "home_team": home, "away_team": away},
                "requested_at": 1515150000.0 + i,
            }
        )
        finals.append({"game_key": f"20180105_{away}_at_{home}", "date": date, "home_score": 90, "away_score": 100})
    sink.flush()
    caps = read_captures(aws)
    assert len(caps) == 216 and caps["user_pseudonym"].str.startswith("ps-").all()
    assert all(k.startswith("captures/date=2018-01-05/part-") for k in list_keys(aws.names.lake_bucket, "captures/"))

    assert join_outcomes(aws, pd.DataFrame(finals)) == {"2018-01-05": 216}
    labeled = read_labeled(aws)
    assert (labeled["home_win"] == 0).all()
    table = publish_performance(labeled, timestamp=datetime.now(UTC))
    assert table.loc[table.slice == "all", "brier"].iloc[0] > 0.5
    listed = client("cloudwatch").list_metrics(Namespace="Courtside")["Metrics"]
    assert {"RollingBrier", "RollingLogLoss", "CalibrationError"} <= {m["MetricName"] for m in listed}

    train = pd.DataFrame(
        {"elo_diff": rng.normal(60, 120, 2000), "neutral": np.zeros(2000), "home_win_probability": rng.beta(6, 4, 2000)}
    )
    baseline = Baseline.from_training(train, ["elo_diff", "neutral"], "courtside-pregame/1")
    baseline.save(aws)
    loaded = Baseline.load(aws)
    result = run_drift_job(aws, loaded, caps, now=datetime(2018, 1, 6, tzinfo=UTC))
    assert result.alarm
    doc = get_json(aws.names.artifacts_bucket, "monitoring/violations/2018-01-06T00-00-00Z/constraint_violations.json")
    mmf.validate_document("constraint_violations", doc)
    assert {v["feature_name"] for v in doc["violations"]} >= {"elo_diff", "neutral", "home_win_probability"}
    listed = client("cloudwatch").list_metrics(Namespace="Courtside")["Metrics"]
    assert {"FeatureDriftPSI", "PredictionDriftPSI"} <= {m["MetricName"] for m in listed}
