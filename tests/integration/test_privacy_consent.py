"""Consent registry and the consent-aware capture decision (practice 10), against moto DynamoDB."""

from __future__ import annotations

import pytest

from courtside.aws.clients import client
from courtside.config import Settings
from courtside.privacy import consent
from courtside.privacy.pseudonym import pseudonymise

pytestmark = pytest.mark.usefixtures("privacy_key")


def test_capture_allowed_follows_consent_in_the_same_process(aws: Settings) -> None:
    user = "app-user-17"
    allowed, pseudonym = consent.capture_allowed(user)
    assert allowed is False and pseudonym == pseudonymise(user)

    consent.record_consent(user, "2026-01", ["analytics"])
    assert consent.capture_allowed(user) == (True, pseudonym)

    consent.withdraw_consent(user)  # must take effect for the very next request, despite the cache
    assert consent.capture_allowed(user) == (False, pseudonym)


def test_capture_needs_the_analytics_purpose_and_a_valid_id(aws: Settings) -> None:
    consent.record_consent("u-personal", "2026-01", ["personalisation"])
    assert consent.capture_allowed("u-personal")[0] is False
    assert consent.allows("u-personal", "personalisation")
    assert consent.capture_allowed(None) == (False, None)
    assert consent.capture_allowed("") == (False, None)
    assert consent.capture_allowed("not valid/id") == (False, None)


def test_capture_fails_closed_when_the_store_is_unreachable(aws: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURTSIDE_CONSENT_TABLE", "no-such-table")
    allowed, pseudonym = consent.capture_allowed("u1")
    assert allowed is False and pseudonym is not None


def test_records_are_keyed_by_pseudonym_with_history(aws: Settings) -> None:
    user = "carol.smith@example.org"
    consent.record_consent(user, "2026-01", ["analytics"], now="2026-01-01T00:00:00.000Z")
    consent.record_consent(user, "2026-01", ["analytics", "personalisation"], now="2026-01-02T00:00:00.000Z")
    consent.withdraw_consent(user, ["analytics"], now="2026-01-03T00:00:00.000Z")
    rec = consent.get_consent(user)
    assert rec is not None
    assert rec.status == "active"
    assert rec.purposes == {"personalisation": "2026-01-02T00:00:00.000Z"}
    assert [h["action"] for h in rec.history] == ["record", "record", "withdraw"]
    assert rec.history[-1]["purposes"] == ["analytics"]
    assert consent.allows(user, "personalisation") and not consent.allows(rec.pseudonym, "analytics")

    items = client("dynamodb").scan(TableName=aws.names.consent_table)["Items"]
    assert [i["user_id"]["S"] for i in items] == [pseudonymise(user)]
    assert user not in str(items)

    consent.withdraw_consent(user)
    rec = consent.get_consent(user)
    assert rec is not None and rec.status == "withdrawn" and rec.purposes == {}
    assert not consent.allows(user, "personalisation")
    assert consent.withdraw_consent("never-seen") is None


def test_regranting_keeps_original_grant_time_and_bad_input_is_rejected(aws: Settings) -> None:
    consent.record_consent("d", "2026-01", ["analytics"], now="2026-01-01T00:00:00.000Z")
    rec = consent.record_consent("d", "2026-01", ["analytics", "personalisation"], now="2026-02-01T00:00:00.000Z")
    assert rec.purposes["analytics"] == "2026-01-01T00:00:00.000Z"
    for version, purposes in [("", ["analytics"]), ("2026-01", []), ("2026-01", ["marketing"]), ("a b", ["analytics"])]:
        with pytest.raises(consent.ConsentError):
            consent.record_consent("d", version, purposes)
    with pytest.raises(consent.ConsentError):
        consent.get_consent("bad id!")
