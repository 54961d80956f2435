"""Pseudonyms (keyed HMAC, local 0600 key file) and log scrubbing, without AWS."""

from __future__ import annotations

import io
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from courtside.privacy import pseudonym as ps
from courtside.privacy import redact


@pytest.fixture()
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "secrets" / "pseudonym.key"
    monkeypatch.setenv("COURTSIDE_PSEUDONYM_KEY_FILE", str(path))
    monkeypatch.delenv("COURTSIDE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("COURTSIDE_PSEUDONYM_SOURCE", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    ps.reset_key()
    yield path
    ps.reset_key()


def test_local_key_is_created_0600_once_and_pseudonyms_are_stable(key_file: Path) -> None:
    p1 = ps.pseudonymise("alice")
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    material = key_file.read_text()
    ps.reset_key()
    assert ps.pseudonymise("alice") == p1 and key_file.read_text() == material
    assert ps.is_pseudonym(p1) and p1.startswith("psn:") and len(p1) == 68
    assert ps.pseudonymise(p1) == p1  # already a pseudonym
    assert ps.pseudonymise("bob") != p1


def test_a_different_key_gives_unlinkable_pseudonyms(key_file: Path, tmp_path: Path, monkeypatch) -> None:
    p1 = ps.pseudonymise("alice")
    monkeypatch.setenv("COURTSIDE_PSEUDONYM_KEY_FILE", str(tmp_path / "other.key"))
    ps.reset_key()
    assert ps.pseudonymise("alice") != p1


@pytest.mark.parametrize("bad", ["", "a" * 129, "a b", "x/y", "ü", "psn:zz", None, 7])
def test_invalid_ids_are_rejected(key_file: Path, bad: object) -> None:
    with pytest.raises(ps.InvalidUserId):
        ps.pseudonymise(bad)  # type: ignore[arg-type]


def test_source_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COURTSIDE_PSEUDONYM_SECRET", "COURTSIDE_PSEUDONYM_SOURCE", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    assert ps.key_source() == "file"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "courtside-privacy")
    assert ps.key_source() == "ssm" and ps.parameter_name() == "/courtside/privacy/pseudonym-key"
    monkeypatch.setenv("COURTSIDE_PSEUDONYM_SECRET", "courtside/pseudonym-key")
    assert ps.key_source() == "secretsmanager"


def test_scrubbing_formatter_masks_ids_secrets_and_user_paths(key_file: Path) -> None:
    from aws_lambda_powertools import Logger

    redact.clear_sensitive()
    ps.pseudonymise("carol@example.com")  # registers the raw id for this context
    buf = io.StringIO()
    logger = Logger(service="t-redact", logger_formatter=redact.ScrubbingFormatter(), stream=buf)
    logger.info("user carol@example.com asked", extra={"key": ps.get_key().hex(), "p": "/v1/users/dave/consent"})
    try:
        raise ValueError("carol@example.com")
    except ValueError:
        logger.exception("failed")
    text = buf.getvalue()
    assert "carol@example.com" not in text and ps.get_key().hex() not in text and "dave" not in text
    assert text.count(redact.MASK) >= 4

    plain = logging.getLogger("t-redact-plain")
    out = io.StringIO()
    h = logging.StreamHandler(out)
    h.addFilter(redact.ScrubFilter())
    plain.addHandler(h)
    plain.warning("id %s", "carol@example.com")
    plain.removeHandler(h)
    assert "carol@example.com" not in out.getvalue()
    redact.clear_sensitive()
