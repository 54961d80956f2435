"""Experiment tracking with MLflow: one schema for local and cloud runs.

Tracking URI: `COURTSIDE_MLFLOW_URI`, else `MLFLOW_TRACKING_URI` (e.g. a SageMaker managed MLflow tracking server
ARN in the cloud), else a local SQLite store at `<state_dir>/mlflow/mlflow.db` with artifacts under
`<state_dir>/mlflow/artifacts`.

Run schema (experiment `courtside-pregame` unless told otherwise)
  params     the training hyperparameters (as SageMaker receives them)
  metrics    every metric the training script printed (`train_brier`, `validation_brier`, ...)
  tags       courtside.dataset_version, courtside.dataset_uri, courtside.dataset_rows, courtside.git_commit,
             courtside.git_dirty, courtside.code_hash, courtside.runtime (local | sagemaker),
             courtside.model_json_url, courtside.model_package_arn, courtside.model_version, env.python, env.<package>
  artifacts  model/model.json, metrics.json, hyperparameters.json, dataset/manifest.json, environment.json,
             train_stdout.txt and any evaluation report/plots the script wrote to its output data dir (report/)
MLflow is imported lazily (it takes seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT, Settings

DEFAULT_EXPERIMENT = "courtside-pregame"
TAG = "courtside."
ENV_PACKAGES = ("numpy", "pandas", "pyarrow", "scikit-learn", "lightgbm", "boto3", "mlflow-skinny", "sagemaker")
CODE_PATHS = ("courtside/training", "courtside/models", "courtside/features", "courtside/ratings",
              "courtside/teams.py", "sagemaker/train.py")  # fmt: skip


def tracking_uri(settings: Settings | None = None) -> str:
    uri = os.environ.get("COURTSIDE_MLFLOW_URI") or os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    from courtside.config import get_settings

    state = (settings or get_settings()).state_dir / "mlflow"
    state.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{state / 'mlflow.db'}"


def _artifact_root(uri: str) -> str | None:
    if uri.startswith("sqlite:///"):
        return (Path(uri[len("sqlite:///") :]).parent / "artifacts").resolve().as_uri()
    return None


def mlflow_client(uri: str | None = None) -> Any:
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri or tracking_uri())


def experiment_id(client: Any, name: str = DEFAULT_EXPERIMENT) -> str:
    exp = client.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    uri = getattr(getattr(client, "_tracking_client", None), "tracking_uri", None) or tracking_uri()
    root = _artifact_root(uri)
    return client.create_experiment(name, artifact_location=f"{root}/{name}" if root else None)


# ---- code and environment ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeVersion:
    commit: str
    dirty: bool
    code_hash: str

    def as_tags(self) -> dict[str, str]:
        return {
            f"{TAG}git_commit": self.commit,
            f"{TAG}git_dirty": str(self.dirty).lower(),
            f"{TAG}code_hash": self.code_hash,
        }


def _git(*args: str, cwd: Path = REPO_ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def code_hash(root: Path = REPO_ROOT, paths: Iterable[str] = CODE_PATHS) -> str:
    """SHA-256 over the training code files (path + bytes) as they are on disk now."""
    h = hashlib.sha256()
    files: list[Path] = []
    for p in paths:
        full = root / p
        files.extend(sorted(full.rglob("*.py")) if full.is_dir() else [full] if full.exists() else [])
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def code_version(root: Path = REPO_ROOT) -> CodeVersion:
    try:
        commit = _git("rev-parse", "HEAD", cwd=root)
        dirty = bool(_git("status", "--porcelain", "--", *CODE_PATHS, cwd=root))
    except (subprocess.CalledProcessError, FileNotFoundError):
        commit, dirty = "unknown", True
    return CodeVersion(commit=commit, dirty=dirty, code_hash=code_hash(root))


def environment() -> dict[str, str]:
    env = {"python": platform.python_version(), "platform": platform.platform(), "executable": sys.executable}
    for pkg in ENV_PACKAGES:
        try:
            env[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            continue
    return env


# ---- logging a run ------------------------------------------------------------------------------------------


def start_run(client: Any, experiment: str = DEFAULT_EXPERIMENT, run_name: str | None = None) -> str:
    run = client.create_run(experiment_id(client, experiment), run_name=run_name)
    return run.info.run_id


def log_run(
    client: Any,
    run_id: str,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    tags: Mapping[str, str],
    artifacts: Mapping[str, Path] = {},  # noqa: B006 (read only)
    artifact_dirs: Mapping[str, Path] = {},  # noqa: B006
    environment_info: Mapping[str, str] | None = None,
) -> None:
    """Log everything of one training run in the Courtside schema (batch calls)."""
    from mlflow.entities import Metric, Param, RunTag

    env = dict(environment_info or environment())
    all_tags = {**tags, **{f"env.{k}": v for k, v in env.items()}}
    ts = _now_ms()
    client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), ts, 0) for k, v in metrics.items()],
        params=[Param(k, str(v)[:6000]) for k, v in params.items() if v is not None],
        tags=[RunTag(k, str(v)[:5000]) for k, v in all_tags.items()],
    )
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / "environment.json"
        env_file.write_text(json.dumps(env, indent=2, sort_keys=True))
        client.log_artifact(run_id, str(env_file))
    for dest, path in artifacts.items():
        if path.exists():
            client.log_artifact(run_id, str(path), artifact_path=dest or None)
    for dest, path in artifact_dirs.items():
        if path.exists() and any(path.iterdir()):
            client.log_artifacts(run_id, str(path), artifact_path=dest or None)


def set_tags(client: Any, run_id: str, tags: Mapping[str, str]) -> None:
    for k, v in tags.items():
        client.set_tag(run_id, k, str(v))


def end_run(client: Any, run_id: str, ok: bool = True) -> None:
    client.set_terminated(run_id, "FINISHED" if ok else "FAILED")


@contextmanager
def tracked_run(client: Any, experiment: str = DEFAULT_EXPERIMENT) -> Iterator[str]:
    """A run that ends FINISHED when the block completes and FAILED when it raises (never left RUNNING)."""
    run_id = start_run(client, experiment)
    ok = False
    try:
        yield run_id
        ok = True
    finally:
        end_run(client, run_id, ok)


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


# ---- reading runs --------------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    run_id: str
    status: str
    start_time: int
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    artifact_uri: str

    @property
    def dataset_version(self) -> str | None:
        return self.tags.get(f"{TAG}dataset_version")

    @property
    def git_commit(self) -> str | None:
        return self.tags.get(f"{TAG}git_commit")

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "start_time": self.start_time,
            "params": self.params,
            "metrics": self.metrics,
            "tags": {k: v for k, v in self.tags.items() if not k.startswith("mlflow.")},
            "artifact_uri": self.artifact_uri,
        }


def _summary(run: Any) -> RunSummary:
    return RunSummary(
        run_id=run.info.run_id,
        status=run.info.status,
        start_time=int(run.info.start_time or 0),
        params=dict(run.data.params),
        metrics=dict(run.data.metrics),
        tags=dict(run.data.tags),
        artifact_uri=run.info.artifact_uri,
    )


def get_run(run_id: str, client: Any = None) -> RunSummary:
    client = client or mlflow_client()
    return _summary(client.get_run(run_id))


def list_runs(client: Any = None, experiment: str = DEFAULT_EXPERIMENT, limit: int = 20) -> list[RunSummary]:
    client = client or mlflow_client()
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return []
    runs = client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"], max_results=limit)
    return [_summary(r) for r in runs]


def compare(a: RunSummary, b: RunSummary) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Differences between two runs: params, metrics (with b - a) and lineage tags."""

    def diff(x: Mapping[str, Any], y: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
        return {k: (x.get(k), y.get(k)) for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)}

    lineage = [k for k in set(a.tags) | set(b.tags) if k.startswith(TAG)]
    return {
        "params": diff(a.params, b.params),
        "metrics": {k: (a.metrics.get(k), b.metrics.get(k)) for k in sorted(set(a.metrics) | set(b.metrics))},
        "lineage": diff({k: a.tags.get(k) for k in lineage}, {k: b.tags.get(k) for k in lineage}),
    }


def download_artifact(run_id: str, path: str, dest: Path, client: Any = None) -> Path:
    client = client or mlflow_client()
    dest.mkdir(parents=True, exist_ok=True)
    return Path(client.download_artifacts(run_id, path, str(dest)))
