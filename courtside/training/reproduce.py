"""`courtside reproduce RUN_ID`: rebuild a tracked model from its recorded dataset version and code version and
check that its predictions match the original.

Data: the dataset version recorded on the run is downloaded from the lake by version and verified (Parquet SHA-256
and content hash against its manifest) before training.
Code: if the current `git rev-parse HEAD` equals the recorded commit, the current tree's `sagemaker/train.py` runs
(the recorded `code_hash` of the training code is compared and reported, since a dirty tree may differ); otherwise
the recorded commit is checked out with `git worktree add --detach` into a temporary directory and *its*
`sagemaker/train.py` runs (with that checkout first on sys.path), then the worktree is removed.
Check: both models predict every row of the dataset; the run reproduces when the largest absolute difference of
probabilities is <= the tolerance (default 1e-9; seeds are fixed and rows canonically ordered, so in practice the
model JSON is byte-identical, which is also reported).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT, Settings
from courtside.training import datasets, tracking
from courtside.training.core import load_serving_model, predict
from courtside.training.local_runner import run_training_job

DEFAULT_TOLERANCE = 1e-9


@dataclass
class ReproduceReport:
    run_id: str
    dataset_version: str
    recorded_commit: str
    current_commit: str
    code_source: str  # "working tree" or "git worktree of <commit>"
    code_hash_matches: bool | None
    rows_compared: int
    max_abs_diff: float
    tolerance: float
    identical_json: bool
    original_metrics: dict[str, float] = field(default_factory=dict)
    reproduced_metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}

    def lines(self) -> list[str]:
        return [
            f"run             : {self.run_id}",
            f"dataset version : {self.dataset_version} (downloaded from the lake, hashes verified)",
            f"code            : {self.code_source}"
            f" (recorded {self.recorded_commit[:12]}, HEAD {self.current_commit[:12]})",
            f"code hash match : {self.code_hash_matches}",
            f"rows compared   : {self.rows_compared}",
            f"max |p - p0|    : {self.max_abs_diff:.3e} (tolerance {self.tolerance:.0e})",
            f"model JSON      : {'byte-identical' if self.identical_json else 'differs'}",
            f"result          : {'REPRODUCED' if self.ok else 'NOT REPRODUCED'}",
        ]


def _original_model_json(run: tracking.RunSummary, client: Any, tmp: Path) -> str:
    try:
        path = tracking.download_artifact(run.run_id, "model/model.json", tmp / "original", client)
        return path.read_text()
    except Exception:  # noqa: BLE001 - fall back to the registered artifact in S3
        from courtside.registry import load_model_json

        url = run.tags.get(f"{tracking.TAG}model_json_url")
        if not url:
            raise
        return load_model_json(url)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()


def reproduce_run(
    settings: Settings,
    run_id: str,
    tolerance: float = DEFAULT_TOLERANCE,
    mlflow_uri: str | None = None,
    force_worktree: bool = False,
) -> ReproduceReport:
    client = tracking.mlflow_client(mlflow_uri or tracking.tracking_uri(settings))
    run = tracking.get_run(run_id, client)
    version = run.dataset_version
    if not version:
        raise ValueError(f"run {run_id} has no recorded dataset version (tag {tracking.TAG}dataset_version)")
    name = run.tags.get(f"{tracking.TAG}dataset_name", datasets.DEFAULT_NAME)
    recorded_commit = run.git_commit or "unknown"
    current = tracking.code_version()
    tmp = Path(tempfile.mkdtemp(prefix="courtside-reproduce-"))
    worktree: Path | None = None
    try:
        data = datasets.load(settings.names.lake_bucket, version, name=name, local_dir=tmp / "channels" / "train")
        script = REPO_ROOT / "sagemaker" / "train.py"
        code_source = "working tree"
        hash_match: bool | None = run.tags.get(f"{tracking.TAG}code_hash") == current.code_hash
        if force_worktree or (recorded_commit != current.commit and recorded_commit != "unknown"):
            worktree = tmp / "src"
            _git("worktree", "add", "--detach", str(worktree), recorded_commit)
            script = worktree / "sagemaker" / "train.py"
            code_source = f"git worktree of {recorded_commit[:12]}"
            hash_match = run.tags.get(f"{tracking.TAG}code_hash") == tracking.code_hash(worktree)
        hps = {k: v for k, v in run.params.items()}
        hps["dataset_version"] = version
        result = run_training_job(tmp / "channels" / "train", hps, tmp / "job", script=script)
        original_text = _original_model_json(run, client, tmp)
        new_text = result.model_json.read_text()
        p0 = predict(load_serving_model(original_text), data)
        p1 = predict(load_serving_model(new_text), data)
        max_diff = max((abs(a - b) for a, b in zip(p0, p1, strict=True)), default=0.0)
        return ReproduceReport(
            run_id=run_id,
            dataset_version=version,
            recorded_commit=recorded_commit,
            current_commit=current.commit,
            code_source=code_source,
            code_hash_matches=hash_match,
            rows_compared=len(p0),
            max_abs_diff=float(max_diff),
            tolerance=tolerance,
            identical_json=json.loads(original_text) == json.loads(new_text),
            original_metrics=dict(run.metrics),
            reproduced_metrics=result.metrics,
        )
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=REPO_ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
