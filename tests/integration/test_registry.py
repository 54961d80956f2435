"""Model registry against moto: register -> pending -> approve -> served -> rollback, with the history recorded."""

from __future__ import annotations

import json

import pytest

from courtside import registry
from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training.flow import model_tarball

FEATURES = ["elo_diff", "home_rest_days", "neutral"]


def _register(settings: Settings, n: int, brier: float) -> registry.ModelRecord:
    bucket = settings.names.artifacts_bucket
    doc = json.dumps({"format": "courtside-linear-v1", "n": n}).encode()
    client("s3").put_object(Bucket=bucket, Key=f"models/g/run{n}/model.tar.gz", Body=model_tarball(doc))
    client("s3").put_object(Bucket=bucket, Key=f"models/g/run{n}/model.json", Body=doc)
    return registry.register_model(
        settings.names.model_package_group,
        model_data_url=f"s3://{bucket}/models/g/run{n}/model.tar.gz",
        metrics={"train_brier": brier, "train_rows": 100.0},
        dataset_version=f"ds{n}",
        code_version="abc123" * 6,
        feature_names=FEATURES,
        description=f"run {n}",
        model_json_url=f"s3://{bucket}/models/g/run{n}/model.json",
    )


def test_register_approve_rollback(aws: Settings) -> None:
    group = aws.names.model_package_group
    v1 = _register(aws, 1, 0.211)
    assert v1.status == registry.PENDING and v1.version == 1
    assert v1.model_version == f"{group}/1"
    assert v1.metrics == {"train_brier": 0.211, "train_rows": 100.0}
    assert v1.feature_names == FEATURES and v1.dataset_version == "ds1" and v1.code_version == "abc123" * 6
    assert registry.approved_model(group) is None

    registry.approve(v1.arn, "alice", "beats baseline")
    v2 = _register(aws, 2, 0.209)
    served = registry.approved_model(group)
    assert served is not None and served.version == 1  # v2 pending: v1 still serves
    assert served.approval_description == "approved by alice: beats baseline"

    registry.approve(v2.arn, "bob", "better brier")
    served = registry.approved_model(group)
    assert served is not None and served.version == 2
    assert json.loads(registry.load_model_json(served.model_data_url))["n"] == 2  # from the tarball
    assert json.loads(registry.load_model_json(served.model_json_url))["n"] == 2
    # approval keeps the package's metrics and lineage (moto dropped them on UpdateModelPackage)
    assert served.model_json_url.endswith("/run2/model.json") and served.dataset_version == "ds2"
    assert served.metrics == {"train_brier": 0.209, "train_rows": 100.0} and served.feature_names == FEATURES

    rejected, restored = registry.rollback(group, "carol", "live brier regressed")
    assert (rejected.version, rejected.status) == (2, registry.REJECTED)
    assert restored.version == 1
    assert registry.approved_model(group).version == 1  # type: ignore[union-attr]
    record, text = registry.load_approved_model_json(group)  # type: ignore[misc]
    assert record.version == 1 and json.loads(text)["n"] == 1
    assert record.metrics["train_brier"] == 0.211 and record.code_version == "abc123" * 6

    events = registry.history(group)
    assert [e["event"] for e in events] == ["registered", "approved", "registered", "approved", "rollback"]
    assert [e["serving_version"] for e in events] == [None, 1, 1, 2, 1]
    assert events[-1]["who"] == "carol" and events[-1]["from_version"] == 2
    timeline = registry.serving_timeline(group)
    assert [t["version"] for t in timeline] == [1, 2, 1] and timeline[-1]["to"] is None
    assert [r.status for r in registry.list_models(group)] == [registry.APPROVED, registry.REJECTED]


def test_rollback_reapproves_a_rejected_previous_version(aws: Settings) -> None:
    group = aws.names.model_package_group
    v1, v2 = _register(aws, 1, 0.21), _register(aws, 2, 0.20)
    registry.approve(v1.arn, "a", "first")
    registry.approve(v2.arn, "a", "second")
    registry.reject(v1.arn, "a", "retire old version")  # v2 serves; v1 no longer Approved
    _, restored = registry.rollback(group, "a", "bad deploy")
    assert restored.version == 1 and restored.status == registry.APPROVED


def test_rollback_without_previous_version_fails(aws: Settings) -> None:
    group = aws.names.model_package_group
    with pytest.raises(registry.RegistryError, match="nothing to roll back"):
        registry.rollback(group, "a", "x")
    registry.approve(_register(aws, 1, 0.2).arn, "a", "only one")
    with pytest.raises(registry.RegistryError, match="nothing to roll back"):
        registry.rollback(group, "a", "x")


def test_resolve_version_refs(aws: Settings) -> None:
    group = aws.names.model_package_group
    v1 = _register(aws, 1, 0.2)
    assert (
        registry.resolve(group, 1) == v1.arn == registry.resolve(group, f"{group}/1") == registry.resolve(group, v1.arn)
    )
    with pytest.raises(registry.RegistryError):
        registry.resolve(group, 9)


def test_registry_module_stays_light() -> None:
    import subprocess
    import sys

    heavy = "('pandas', 'sklearn', 'sagemaker', 'mlflow')"
    code = f"import sys, courtside.registry; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
