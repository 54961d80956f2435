"""The light resource-name path the Lambdas use agrees with the full pydantic-settings model."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from courtside.config import REPO_ROOT, Settings, resource_names


@pytest.mark.parametrize("key", ["COURTSIDE_PREFIX", "courtside_prefix", "Courtside_Prefix"])
def test_resource_names_match_settings(monkeypatch, key):
    for k in [k for k in os.environ if k.lower() == "courtside_prefix"]:
        monkeypatch.delenv(k)
    assert resource_names().as_dict() == Settings().names.as_dict()  # both default to "courtside"
    monkeypatch.setenv(key, "cs-test")
    assert resource_names().as_dict() == Settings().names.as_dict()
    assert resource_names().online_table == "cs-test-online-features"


def test_config_import_does_not_load_pydantic_settings():
    code = "import sys, courtside.config as c; c.resource_names(); print('pydantic_settings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
