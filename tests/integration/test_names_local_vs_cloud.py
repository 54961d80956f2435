"""The local stack and the CDK app create the same resources under the same names (one source: config.py)."""

from __future__ import annotations

import pytest

from courtside.local.bootstrap import existing_names

# API Gateway is emulated by the local API server, not created in moto.
CLOUD_ONLY = {"api_name", "api_stage"}


@pytest.mark.xdist_group("infra")
def test_local_stack_uses_the_names_the_templates_deploy(aws):
    from infra import build_app, names_in_templates

    cloud = names_in_templates(build_app({"placeholderAssets": True}))
    local = existing_names(aws)
    shared = {role: name for role, name in cloud.items() if role not in CLOUD_ONLY}
    assert shared, "the templates named no resources"
    assert {role: local.get(role) for role in shared} == shared
    assert set(local) == set(aws.names.as_dict()) - CLOUD_ONLY
