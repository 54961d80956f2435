"""One synthesized Courtside CDK app per test session (synth takes ~20 s; every infra test shares it)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

#: Context for test synths: no bundling, placeholder Lambda assets (never pip, never build/).
TEST_CONTEXT: dict[str, Any] = {"aws:cdk:bundling-stacks": [], "placeholderAssets": True}


@dataclass
class Synth:
    app: Any
    outdir: Path
    templates: dict[str, dict[str, Any]]

    def template(self, stack: str) -> Any:
        from aws_cdk.assertions import Template

        return Template.from_json(self.templates[stack])

    def resources(self, stack: str, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.templates[stack]["Resources"].items() if v["Type"] == cfn_type}

    def metadata(self, stack: str) -> dict[str, list[dict[str, Any]]]:
        return json.loads((self.outdir / f"{stack}.metadata.json").read_text())


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from infra import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(dict(TEST_CONTEXT), outdir=str(outdir))
    assembly = app.synth()  # raises if cdk-nag (or any validation plugin) reports an unacknowledged finding
    return Synth(app=app, outdir=outdir, templates={s.stack_name: s.template for s in assembly.stacks})
