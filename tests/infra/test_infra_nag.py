"""cdk-nag (AWS Solutions pack, CDK policy validation) passes with every acknowledgment written down."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.xdist_group("infra")


def test_synth_reports_no_violation(synth):
    # The session fixture already proved that synth() did not raise (an unacknowledged error stops synthesis);
    # the validation report must also be free of warnings and of any non-successful plugin.
    report_path = synth.outdir / "validation-report.json"
    if report_path.exists():
        report = json.loads(report_path.read_text())
        for plugin in report["pluginReports"]:
            assert plugin["conclusion"] == "success", plugin["pluginName"]
            assert plugin["violations"] == [], plugin["violations"]


def test_no_warning_or_error_annotations(synth):
    problems = [
        (stack, path, entry["type"], entry.get("data"))
        for stack in synth.templates
        for path, entries in synth.metadata(stack).items()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]
    assert problems == []


def test_every_acknowledgment_has_a_reason(synth):
    acknowledged = {}
    for stack in synth.templates:
        for path, entries in synth.metadata(stack).items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        acknowledged[f"{path} {rule}"] = reason
    nag = {k: v for k, v in acknowledged.items() if "AwsSolutions-" in k}
    assert nag, "expected the documented cdk-nag acknowledgments"
    for key, reason in nag.items():
        assert len(reason.split()) >= 5, f"{key}: reason too short: {reason!r}"
    # Bulk suppressions are not allowed: IAM5 is always acknowledged per finding.
    assert not [k for k in nag if re.search(r"AwsSolutions-IAM5$", k)]


def test_nag_plugin_is_active_and_fails_synth_on_a_finding(tmp_path):
    """The mechanism the whole app relies on: an unacknowledged finding makes synth raise."""
    from aws_cdk import App, Stack, Validations
    from aws_cdk import aws_sqs as sqs
    from cdk_nag import AwsSolutionsChecks

    app = App(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "NagProbe"), "Plain")
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert {"AwsSolutions-SQS3", "AwsSolutions-SQS4"} <= rules


def test_build_app_registers_nag(synth):
    from infra import build_app

    source = build_app.__code__.co_names
    assert "AwsSolutionsChecks" in source and "Validations" in source
