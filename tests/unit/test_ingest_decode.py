"""The core's fast helpers agree with the standard library ones they replace (same bytes, same verdicts).

The validate core decodes base64 with pybase64 and checksums with ISA-L's crc32 for speed; a record must get the
same verdict (decoded bytes or `bad_base64`) and the same content digest as with binascii / zlib, or redeliveries
and quarantine decisions would change with the installed wheels.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from courtside.ingest.core import B64_IMPL, GZIP_IMPL, _b64decode, crc32
from courtside.ingest.quarantine import digest

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
# mostly base64 characters, with the ones strict mode must reject: whitespace, url-safe, junk, non-ASCII
_CHARS = st.sampled_from(_ALPHABET) | st.sampled_from(" \n-_*!é")


def _verdict(fn, data: str | bytes) -> bytes | str:
    try:
        return fn(data)
    except (binascii.Error, ValueError, TypeError):
        return "rejected"


def test_fast_implementations_are_the_ones_in_use() -> None:
    """requirements.txt pins both; a silent fallback would only show up as a slower handler."""
    assert (B64_IMPL, GZIP_IMPL) == ("pybase64", "isal")


@given(st.text(_CHARS, max_size=40) | st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_b64decode_matches_binascii_strict(text: str) -> None:
    strict = _verdict(lambda d: binascii.a2b_base64(d, strict_mode=True), text)
    assert _verdict(lambda d: _b64decode(d, None, True), text) == strict
    if text.isascii():
        assert _verdict(lambda d: _b64decode(d, None, True), text.encode()) == strict


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_crc32_and_digest_match_zlib(raw: bytes) -> None:
    assert crc32(raw) == zlib.crc32(raw)
    assert crc32(raw) | (1 << 32) == digest(raw)
