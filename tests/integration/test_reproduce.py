"""`courtside reproduce`: rebuild a tracked run from its dataset version and code version."""

from __future__ import annotations

from pathlib import Path

import pytest
from _training_support import fresh_mlflow_uri, recent_training_set

from courtside.config import Settings
from courtside.training.flow import train_and_register
from courtside.training.reproduce import reproduce_run


def test_reproduce_matches_within_tolerance(aws: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURTSIDE_MLFLOW_URI", fresh_mlflow_uri(tmp_path))
    rows = recent_training_set()  # seasons 2012-2019
    outcome = train_and_register(
        aws, None, {"c": 0.5, "min_season": 2014, "recency_half_life": 3, "seed": 3}, training_set=rows, who="ci"
    )
    report = reproduce_run(aws, outcome.run_id)
    assert report.ok, report.lines()
    assert report.max_abs_diff <= 1e-9 and report.identical_json
    assert report.rows_compared == len(rows) and report.dataset_version == outcome.dataset_version
    assert report.reproduced_metrics == pytest.approx(outcome.metrics, abs=1e-12)

    if report.code_source == "working tree":  # HEAD unchanged: also check the recorded commit in a git worktree
        via_git = reproduce_run(aws, outcome.run_id, force_worktree=True)
        assert via_git.ok and via_git.code_source.startswith("git worktree of"), via_git.lines()
    else:  # another commit landed meanwhile: the worktree path was taken
        assert report.code_source.startswith("git worktree of") and report.recorded_commit == outcome.code_commit
