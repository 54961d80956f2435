"""Keyed pseudonyms for app user ids (practice 10): HMAC-SHA256 under a secret key, never a plain hash.

Why keyed: a plain (or salted-with-a-public-salt) SHA-256 of a short user id can be reversed by hashing every
candidate id; an HMAC with a secret key cannot, yet stays deterministic so captures, online items and consent
records of one user still join. Whoever holds the key can re-identify, so the key lives in SSM Parameter Store
(SecureString) or Secrets Manager in the cloud and in a 0600 file under `.courtside/secrets/` on a laptop.

Pseudonym format: ``psn:`` + 64 lowercase hex digits. The ``:`` cannot occur in a raw user id (raw ids are
``[A-Za-z0-9_.@-]{1,128}``), so a value is unambiguously either raw or a pseudonym.

Key sources, in order:
1. ``COURTSIDE_PSEUDONYM_SECRET`` set: the Secrets Manager secret with that name/ARN (SecretString).
2. ``COURTSIDE_PSEUDONYM_SOURCE=ssm``, or running in Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set) with no explicit
   source: the SSM SecureString ``COURTSIDE_PSEUDONYM_PARAMETER`` (default ``/<prefix>/privacy/pseudonym-key``).
3. Otherwise the local file ``COURTSIDE_PSEUDONYM_KEY_FILE`` (default ``<state_dir>/secrets/pseudonym.key``),
   created with mode 0600 on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from pathlib import Path

from courtside.aws.clients import client
from courtside.config import get_settings
from courtside.privacy import redact

PSEUDONYM_PREFIX = "psn:"
RAW_USER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")
PSEUDONYM = re.compile(r"^psn:[0-9a-f]{64}$")
MIN_KEY_BYTES = 16

_lock = threading.Lock()
_key: bytes | None = None


class InvalidUserId(ValueError):
    """The value is neither a raw user id (`[A-Za-z0-9_.@-]{1,128}`) nor a pseudonym."""


def is_pseudonym(value: str) -> bool:
    return bool(PSEUDONYM.match(value))


def is_valid_user_id(value: object) -> bool:
    return isinstance(value, str) and bool(RAW_USER_ID.match(value))


def key_source() -> str:
    """Where the key comes from in this process: "secretsmanager", "ssm" or "file"."""
    if os.environ.get("COURTSIDE_PSEUDONYM_SECRET"):
        return "secretsmanager"
    explicit = os.environ.get("COURTSIDE_PSEUDONYM_SOURCE", "").strip().lower()
    if explicit in {"ssm", "secretsmanager", "file"}:
        return explicit
    return "ssm" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "file"


def parameter_name() -> str:
    return os.environ.get("COURTSIDE_PSEUDONYM_PARAMETER") or f"/{get_settings().prefix}/privacy/pseudonym-key"


def key_file() -> Path:
    override = os.environ.get("COURTSIDE_PSEUDONYM_KEY_FILE")
    return Path(override) if override else get_settings().state_dir / "secrets" / "pseudonym.key"


def _decode(material: str) -> bytes:
    """Key material is stored as hex (preferred) or any string of at least MIN_KEY_BYTES bytes."""
    text = material.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = text.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise RuntimeError(f"pseudonym key is shorter than {MIN_KEY_BYTES} bytes")
    return key


def _load_file_key(path: Path) -> str:
    """Read the local key, creating it atomically with 0600 (O_EXCL) so two processes agree on one key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8")
    material = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(material + "\n")
    return material


def _load_key() -> bytes:
    source = key_source()
    if source == "secretsmanager":
        secret_id = os.environ.get("COURTSIDE_PSEUDONYM_SECRET") or parameter_name()
        material = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    elif source == "ssm":
        material = client("ssm").get_parameter(Name=parameter_name(), WithDecryption=True)["Parameter"]["Value"]
    else:
        material = _load_file_key(key_file())
    key = _decode(material)
    redact.register_secret(material.strip())
    redact.register_secret(key.hex())
    return key


def get_key() -> bytes:
    """The pseudonym key, loaded once per process (per Lambda container)."""
    global _key
    if _key is None:
        with _lock:
            if _key is None:
                _key = _load_key()
    return _key


def reset_key() -> None:
    """Forget the cached key (tests, or after a rotation)."""
    global _key
    with _lock:
        _key = None


def pseudonymise(user_id: str) -> str:
    """The pseudonym of a raw user id; a pseudonym is returned unchanged. Registers the raw id for log redaction."""
    if not isinstance(user_id, str):
        raise InvalidUserId("user id must be a string")
    if is_pseudonym(user_id):
        return user_id
    if not RAW_USER_ID.match(user_id):
        raise InvalidUserId("user id must be 1..128 characters of [A-Za-z0-9_.@-]")
    redact.register_sensitive(user_id)
    digest = hmac.new(get_key(), user_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest


def subject_reference(pseudonym: str) -> str:
    """A one-way reference to a pseudonym for audit records: proves which subject was erased without storing
    the join key itself (recompute it from the raw id to verify)."""
    return "sub:" + hashlib.sha256(f"erasure:{pseudonym}".encode()).hexdigest()[:32]
