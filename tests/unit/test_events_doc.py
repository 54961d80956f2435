"""docs/events.md is generated from the models; this fails when someone changes a model but not the doc."""

from __future__ import annotations

from courtside.errors import REASONS
from courtside.ingest.docgen import DOC, render


def test_events_doc_is_up_to_date() -> None:
    assert DOC.read_text() == render(), "run: .venv/bin/python -m courtside.ingest.docgen"


def test_every_reason_code_is_documented() -> None:
    text = DOC.read_text()
    assert all(f"`{code}`" in text for code in REASONS)
