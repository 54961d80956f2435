"""The predict role reads exactly the serving pointers (courtside.registry.serving_model) and nothing else new."""

from __future__ import annotations

import json

from courtside.config import get_settings
from courtside.registry import serving_pointer_key

NAMES = get_settings().names


def test_predict_role_reads_the_serving_pointers_only(synth):
    policies = [
        p for k, p in synth.resources("Courtside-Api", "AWS::IAM::Policy").items() if k.startswith("PredictRole")
    ]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    pointer_statements = [s for s in statements if "registry/serving/" in json.dumps(s["Resource"])]
    assert len(pointer_statements) == 1
    (statement,) = pointer_statements
    assert statement["Action"] == "s3:GetObject" and statement["Effect"] == "Allow"
    resources = json.dumps(statement["Resource"])
    for group in (NAMES.model_package_group, NAMES.live_model_package_group):
        assert f"{NAMES.artifacts_bucket}/{serving_pointer_key(group)}" in resources
    assert "registry/serving/*" not in resources and "registry/*" not in resources  # exact objects, no wildcard
