"""The pseudonym key from the cloud sources (SSM SecureString, Secrets Manager), against moto."""

from __future__ import annotations

import secrets

import pytest

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.privacy import pseudonym as ps


def test_key_from_ssm_and_from_secrets_manager(aws: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    material = secrets.token_hex(32)
    client("ssm").put_parameter(Name="/courtside/privacy/pseudonym-key", Value=material, Type="SecureString")
    client("secretsmanager").create_secret(Name="courtside/pseudonym-key", SecretString=material)
    monkeypatch.delenv("COURTSIDE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.setenv("COURTSIDE_PSEUDONYM_SOURCE", "ssm")
    ps.reset_key()
    try:
        assert ps.get_key() == bytes.fromhex(material)
        from_ssm = ps.pseudonymise("alice")
        monkeypatch.setenv("COURTSIDE_PSEUDONYM_SECRET", "courtside/pseudonym-key")
        ps.reset_key()
        assert ps.pseudonymise("alice") == from_ssm  # same key material, same pseudonym, whatever the store
    finally:
        ps.reset_key()
