"""The serving pointer (courtside.registry): approve/reject/rollback write it, the predict path reads it instead of
asking the SageMaker registry, and falls back to the registry when it is absent. Against moto."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from courtside import registry
from courtside.aws import clients
from courtside.aws.clients import client
from courtside.config import REPO_ROOT, Settings
from courtside.serving.model_source import RegistryModelProvider
from courtside.serving.testing import logistic_json, proxy_event, register_and_approve


def _pointer_object(settings: Settings) -> dict[str, Any]:
    key = registry.serving_pointer_key(settings.names.model_package_group)
    body = client("s3").get_object(Bucket=settings.names.artifacts_bucket, Key=key)["Body"].read()
    doc: dict[str, Any] = json.loads(body)
    return doc


class SageMakerWatch:
    """Records SageMaker client creations and API calls made through the shared session after `fresh_container`."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def fresh_container(self) -> None:
        """Forget every cached client (as a new Lambda container) and watch the new session."""
        clients.reset()
        self.calls.clear()
        session = clients._session()._session  # the botocore session every cached client is created from
        session.register("before-call.sagemaker", lambda model, **_: self.calls.append(model.name))
        session.register("creating-client-class.sagemaker", lambda **_: self.calls.append("<client created>"))


@pytest.fixture()
def sagemaker() -> Iterator[SageMakerWatch]:
    yield SageMakerWatch()
    clients.reset()


def test_approve_writes_pointer_and_provider_serves_it_without_sagemaker(
    aws: Settings, sagemaker: SageMakerWatch
) -> None:
    group = aws.names.model_package_group
    record = register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    doc = _pointer_object(aws)
    assert doc["model_version"] == record.model_version == f"{group}/1"
    assert doc["arn"] == record.arn and doc["version"] == 1
    assert doc["model_json_url"] == f"s3://{aws.names.artifacts_bucket}/models/a/model.json"
    assert doc["approved_by"] == "tests" and doc["since"] == doc["updated_at"]

    sagemaker.fresh_container()
    loaded = RegistryModelProvider(group).refresh()
    assert loaded is not None and loaded.version == record.model_version
    assert loaded.source == doc["model_json_url"]
    assert sagemaker.calls == []  # one S3 read found the version: no SageMaker client, no List/Describe


def test_handler_init_loads_pointer_version_without_a_sagemaker_client(
    aws: Settings, sagemaker: SageMakerWatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO_ROOT))  # `functions/` is not a package on the default path
    register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    second = register_and_approve(aws, logistic_json(2.0), "models/b/model.json")
    sagemaker.fresh_container()
    sys.modules.pop("functions.predict.handler", None)
    mod = importlib.import_module("functions.predict.handler")
    health = json.loads(mod.handler(proxy_event("GET", "/health"), None)["body"])
    assert health == {"status": "ok", "model_version": second.model_version, "backend": "local"}
    assert sagemaker.calls == []


def test_rollback_and_reject_rewrite_the_pointer(aws: Settings) -> None:
    group = aws.names.model_package_group
    first = register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    first_since = _pointer_object(aws)["since"]
    second = register_and_approve(aws, logistic_json(2.0), "models/b/model.json")
    assert _pointer_object(aws)["model_version"] == second.model_version

    registry.rollback(group, "oncall", "bad model")
    doc = _pointer_object(aws)
    assert doc["model_version"] == first.model_version and doc["approved_by"] == "oncall"
    assert doc["since"] > first_since and "rollback" in doc["reason"]
    loaded = RegistryModelProvider(group).refresh()
    assert loaded is not None and loaded.version == first.model_version

    registry.reject(first.arn, "oncall", "withdrawn")  # nothing approved any more: the pointer says so
    doc = _pointer_object(aws)
    assert doc["model_version"] is None and doc["arn"] is None
    assert registry.serving_model(group) is None
    assert RegistryModelProvider(group).refresh() is None


def test_registration_keeps_since_and_approver_of_the_serving_version(aws: Settings) -> None:
    first = register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    before = _pointer_object(aws)
    client("s3").put_object(Bucket=aws.names.artifacts_bucket, Key="models/c/model.json", Body=logistic_json(3.0))
    registry.register_model(
        aws.names.model_package_group,
        f"s3://{aws.names.artifacts_bucket}/models/c/model.json",
        {"brier": 0.3},
        "ds",
        "code",
        ["elo_diff"],
        who="trainer",
    )
    after = _pointer_object(aws)
    assert after["model_version"] == first.model_version
    assert (after["since"], after["approved_by"]) == (before["since"], before["approved_by"])
    assert after["updated_at"] >= before["updated_at"] and "registered v2" in after["reason"]


def test_without_pointer_the_registry_is_asked_and_sync_restores_it(aws: Settings, sagemaker: SageMakerWatch) -> None:
    group = aws.names.model_package_group
    record = register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    bucket = aws.names.artifacts_bucket
    client("s3").delete_object(Bucket=bucket, Key=registry.serving_pointer_key(group))  # e.g. first deploy
    sagemaker.fresh_container()
    found = registry.serving_model(group)
    assert found is not None and found.model_version == record.model_version
    assert found.model_json_url == f"s3://{bucket}/models/a/model.json"
    assert "ListModelPackages" in sagemaker.calls  # the fallback really asked the registry

    # an approval made outside courtside (console): the pointer is stale until synced from the registry
    client("sagemaker").update_model_package(ModelPackageArn=record.arn, ModelApprovalStatus=registry.REJECTED)
    registry.sync_serving_pointer(group, "ops", "console change")
    assert _pointer_object(aws)["model_version"] is None


def test_cli_shows_and_syncs_the_pointer(aws: Settings) -> None:
    from typer.testing import CliRunner

    from courtside.cli import app

    group = aws.names.model_package_group
    record = register_and_approve(aws, logistic_json(1.0), "models/a/model.json")
    runner = CliRunner()
    shown = runner.invoke(app, ["models", "pointer"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["model_version"] == record.model_version

    client("s3").delete_object(Bucket=aws.names.artifacts_bucket, Key=registry.serving_pointer_key(group))
    absent = runner.invoke(app, ["models", "pointer"])
    assert absent.exit_code == 0 and "no serving pointer" in absent.output
    synced = runner.invoke(app, ["models", "pointer", "--sync", "--who", "ops"])
    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.output)["model_version"] == record.model_version
    assert _pointer_object(aws)["approved_by"] == "ops"
