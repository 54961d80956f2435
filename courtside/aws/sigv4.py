"""AWS Signature Version 4 (AWS4-HMAC-SHA256) with the standard library only.

Used by :mod:`courtside.aws.lite`, the boto3-free client of the predict Lambda's cold start. It reproduces what
botocore's ``SigV4Auth`` / ``S3SigV4Auth`` compute (tests/unit/test_aws_lite.py compares signatures byte for byte):
the canonical request, the string to sign and the derived signing key. The only S3 difference, as in botocore, is
that S3 signs the path exactly as sent (already percent-encoded once) instead of normalising and encoding it again.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Hop-by-hop and tracing headers botocore never signs (botocore.auth.SIGNED_HEADERS_BLACKLIST).
UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)


class Credentials:
    """Static credentials: what the Lambda runtime puts in the environment (the role's session credentials)."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, access_key: str, secret_key: str, token: str | None = None) -> None:
        self.access_key, self.secret_key, self.token = access_key, secret_key, token


_KEY_CACHE: dict[tuple[str, str, str, str], bytes] = {}


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived key for one day/region/service (cached: four HMACs saved on every request of a warm container)."""
    cache_key = (secret_key, date, region, service)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        key = hmac.new(f"AWS4{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
        for part in (region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if len(_KEY_CACHE) > 32:  # one entry per day and service in practice; bound it anyway
            _KEY_CACHE.clear()
        _KEY_CACHE[cache_key] = key
    return key


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Query pairs percent-encoded (RFC 3986 unreserved kept) and sorted by encoded key, then value."""
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in pairs)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, as botocore's ``normalize_url_path`` (empty segments collapse, trailing / kept)."""
    if not path:
        return "/"
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    normalized = "/" + "/".join(out)
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return normalized


def canonical_path(path: str, s3: bool) -> str:
    """The path as signed: S3 signs the sent (encoded-once) path verbatim, other services normalise and re-encode."""
    if s3:
        return path or "/"
    return quote(_remove_dot_segments(path), safe="/~")


def authorization(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    payload_hash: str,
    credentials: Credentials,
    region: str,
    service: str,
    amz_date: str,
    s3: bool = False,
) -> str:
    """The Authorization header value for a request whose headers (lower-case names, incl. host and x-amz-date,
    and x-amz-security-token when there is a session token) are final. `query` is the canonical query string."""
    signed = sorted(name for name in headers if name not in UNSIGNED_HEADERS)
    canonical_headers = "".join(f"{name}:{' '.join(str(headers[name]).split())}\n" for name in signed)
    signed_headers = ";".join(signed)
    canonical_request = "\n".join(
        [method.upper(), canonical_path(path, s3), query, canonical_headers, signed_headers, payload_hash]
    )
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    key = signing_key(credentials.secret_key, date, region, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
