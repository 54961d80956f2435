"""A small AWS client (DynamoDB and an S3 subset) built on the standard library, for the predict Lambda's cold start.

Why: the predict Lambda must import and initialise in <= 400 ms; `import boto3` alone costs ~200 ms of CPU here and
each client more, yet the prediction path makes only a handful of calls (one BatchGetItem, an S3 read of the model
and of the serving pointer). This module speaks those APIs directly with boto3's low-level request/response
shapes, so callers (courtside.online_store, courtside.registry) take either client unchanged; SigV4 signing
(:mod:`courtside.aws.sigv4`), keep-alive `http.client` connections and botocore "standard"-mode retries are in
:mod:`courtside.aws.lite_http`. Errors are `botocore.exceptions.ClientError` like boto3's (botocore.exceptions
costs ~13 ms; botocore.session, botocore.auth and boto3 are never imported: tests/unit/test_aws_lite.py checks it
in a fresh interpreter).

Configuration is boto3's: credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (what the
Lambda runtime provides; no profile files, no instance metadata), region from AWS_REGION / AWS_DEFAULT_REGION,
endpoint from AWS_ENDPOINT_URL_<SERVICE> then AWS_ENDPOINT_URL (moto server locally), else the AWS default.

Scope, deliberately: DynamoDB data-plane operations (their responses hold no timestamps, so the parsed JSON is
exactly boto3's shape once binary values are decoded) and S3 get/put/head/delete_object (the body is read eagerly,
which suits the small JSON objects of the prediction path). Anything else raises AttributeError/ValueError naming
what is supported: use boto3 (courtside.aws.clients) there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Callable, Mapping
from urllib.parse import quote, urlsplit

from courtside.aws import sigv4
from courtside.aws.lite_http import (  # noqa: F401 (re-exported: the public surface is courtside.aws.lite)
    MAX_ATTEMPTS,
    THROTTLING_CODES,
    BaseClient,
    ConnectError,
    RawResponse,
    Target,
    Transport,
    backoff_delay,
    credentials_from_env,
    decode_binary,
    endpoint_from_env,
    error_response,
    region_from_env,
    response_metadata,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of a cold start)
if TYPE_CHECKING:
    from typing import Any


DYNAMODB_OPERATIONS = frozenset(
    {
        "BatchExecuteStatement",
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "ExecuteStatement",
        "ExecuteTransaction",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
SUPPORTED_SERVICES = ("dynamodb", "s3")

_BUCKET_DNS = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def virtual_hostable(bucket: str) -> bool:
    """A bucket usable as a TLS host name label (no dots, DNS-compatible, not IP-like) as botocore decides."""
    return bool(_BUCKET_DNS.match(bucket)) and "--" not in bucket[:4] and not bucket.startswith("xn--")


def dynamodb_target(endpoint: str | None, region: str) -> Target:
    base = urlsplit(endpoint or f"https://dynamodb.{region}.amazonaws.com")
    return Target(base.scheme, base.netloc, base.path or "/")


def s3_target(endpoint: str | None, region: str, bucket: str, key: str | None) -> Target:
    """Virtual-hosted for a DNS-compatible bucket on AWS, path-style otherwise and always for a custom endpoint."""
    encoded_key = "" if key is None else quote(key, safe="/~")
    if endpoint is None and virtual_hostable(bucket):
        return Target("https", f"{bucket}.s3.{region}.amazonaws.com", "/" + encoded_key)
    base = urlsplit(endpoint or f"https://s3.{region}.amazonaws.com")
    prefix = base.path.rstrip("/")
    path = f"{prefix}/{quote(bucket, safe='~')}" + (f"/{encoded_key}" if key is not None else "")
    return Target(base.scheme, base.netloc, path)


# ---- DynamoDB --------------------------------------------------------------------------------------------------


def _encode_binary(value: Any) -> Any:
    """boto3's serialisation of blobs: bytes (or str, utf-8 encoded) under B/BS become base64 text."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "B" and isinstance(v, bytes | bytearray | str):
                out[k] = base64.b64encode(v.encode() if isinstance(v, str) else bytes(v)).decode("ascii")
            elif k == "BS" and isinstance(v, list | tuple | set):
                out[k] = [base64.b64encode(b.encode() if isinstance(b, str) else bytes(b)).decode() for b in v]
            else:
                out[k] = _encode_binary(v)
        return out
    if isinstance(value, list | tuple):
        return [_encode_binary(v) for v in value]
    return value


def encode_request(params: Mapping[str, Any]) -> bytes:
    """The JSON body boto3 would send for these low-level parameters."""
    return json.dumps(_encode_binary(dict(params)), separators=(",", ":")).encode("utf-8")


def decode_response(body: bytes) -> dict[str, Any]:
    """The parsed response boto3 returns (binary attribute values as bytes), ResponseMetadata aside."""
    return json.loads(body.decode("utf-8"), object_hook=decode_binary) if body else {}


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class DynamoDBClient(BaseClient):
    """DynamoDB JSON 1.0: `client.get_item(TableName=..., Key=...)` posts target `DynamoDB_20120810.GetItem`."""

    service = "dynamodb"

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        operation = _pascal(name)
        if name.startswith("_") or name != name.lower() or operation not in DYNAMODB_OPERATIONS:
            supported = ", ".join(sorted(_snake(op) for op in DYNAMODB_OPERATIONS))
            raise AttributeError(
                f"courtside.aws.lite DynamoDB client has no {name!r}; it supports the data-plane operations "
                f"{supported}. Use boto3 (courtside.aws.clients.client) for others."
            )

        def call(**params: Any) -> dict[str, Any]:
            return self.invoke(operation, params)

        call.__name__ = name
        return call

    def invoke(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        body = encode_request(params)
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": f"DynamoDB_20120810.{operation}",
        }
        target = dynamodb_target(self.endpoint_url, self.region)
        raw, retries = self._call(operation, "POST", target, "", headers, body, check=_crc32_matches)
        result = decode_response(raw.body)
        result["ResponseMetadata"] = response_metadata(self.service, raw, retries)
        return result


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _crc32_matches(raw: RawResponse) -> str | None:
    """DynamoDB sends x-amz-crc32 of the body; botocore retries a response that does not match it."""
    expected = raw.headers.get("x-amz-crc32")
    if expected is not None and expected.isdigit() and int(expected) != zlib.crc32(raw.body) & 0xFFFFFFFF:
        return f"DynamoDB response CRC32 {zlib.crc32(raw.body) & 0xFFFFFFFF} != header {expected}"
    return None


# ---- S3 --------------------------------------------------------------------------------------------------------


class StreamingBody:
    """The `Body` of get_object: already read (keep-alive needs the response drained), with botocore
    StreamingBody's reading API (read, iter_chunks, close, context manager)."""

    def __init__(self, data: bytes) -> None:
        self._data, self._pos = data, 0

    def read(self, amt: int | None = None) -> bytes:
        end = len(self._data) if amt is None else min(len(self._data), self._pos + amt)
        chunk, self._pos = self._data[self._pos : end], end
        return chunk

    def iter_chunks(self, chunk_size: int = 1024) -> Any:
        while chunk := self.read(chunk_size):
            yield chunk

    def close(self) -> None:
        self._pos = len(self._data)

    def __enter__(self) -> StreamingBody:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_STR, _INT, _BOOL, _TIME = "str", "int", "bool", "time"
_CHECKSUMS = {f"x-amz-checksum-{a.lower()}": (f"Checksum{a}", _STR) for a in ("CRC32", "CRC32C", "CRC64NVME", "SHA1")}
_CHECKSUMS.update({f"x-amz-checksum-{a.lower()}": (f"Checksum{a}", _STR) for a in ("SHA256", "SHA512", "MD5")})
_CHECKSUMS.update({f"x-amz-checksum-{a.lower()}": (f"Checksum{a}", _STR) for a in ("XXHASH64", "XXHASH3", "XXHASH128")})
_CHECKSUMS["x-amz-checksum-type"] = ("ChecksumType", _STR)
_SSE = {
    "x-amz-server-side-encryption": ("ServerSideEncryption", _STR),
    "x-amz-server-side-encryption-customer-algorithm": ("SSECustomerAlgorithm", _STR),
    "x-amz-server-side-encryption-customer-key-md5": ("SSECustomerKeyMD5", _STR),
    "x-amz-server-side-encryption-aws-kms-key-id": ("SSEKMSKeyId", _STR),
    "x-amz-server-side-encryption-bucket-key-enabled": ("BucketKeyEnabled", _BOOL),
}
_OBJECT_HEADERS = {
    "x-amz-delete-marker": ("DeleteMarker", _BOOL),
    "accept-ranges": ("AcceptRanges", _STR),
    "x-amz-expiration": ("Expiration", _STR),
    "x-amz-restore": ("Restore", _STR),
    "last-modified": ("LastModified", _TIME),
    "content-length": ("ContentLength", _INT),
    "etag": ("ETag", _STR),
    **_CHECKSUMS,
    "x-amz-missing-meta": ("MissingMeta", _INT),
    "x-amz-version-id": ("VersionId", _STR),
    "cache-control": ("CacheControl", _STR),
    "content-disposition": ("ContentDisposition", _STR),
    "content-encoding": ("ContentEncoding", _STR),
    "content-language": ("ContentLanguage", _STR),
    "content-range": ("ContentRange", _STR),
    "content-type": ("ContentType", _STR),
    "x-amz-website-redirect-location": ("WebsiteRedirectLocation", _STR),
    **_SSE,
    "x-amz-storage-class": ("StorageClass", _STR),
    "x-amz-request-charged": ("RequestCharged", _STR),
    "x-amz-replication-status": ("ReplicationStatus", _STR),
    "x-amz-mp-parts-count": ("PartsCount", _INT),
    "x-amz-tagging-count": ("TagCount", _INT),
    "x-amz-object-lock-mode": ("ObjectLockMode", _STR),
    "x-amz-object-lock-retain-until-date": ("ObjectLockRetainUntilDate", _TIME),
    "x-amz-object-lock-legal-hold": ("ObjectLockLegalHoldStatus", _STR),
}
_HEAD_HEADERS = {**_OBJECT_HEADERS, "x-amz-archive-status": ("ArchiveStatus", _STR)}
_PUT_HEADERS = {
    "x-amz-expiration": ("Expiration", _STR),
    "etag": ("ETag", _STR),
    **_CHECKSUMS,
    **_SSE,
    "x-amz-version-id": ("VersionId", _STR),
    "x-amz-server-side-encryption-context": ("SSEKMSEncryptionContext", _STR),
    "x-amz-object-size": ("Size", _INT),
    "x-amz-request-charged": ("RequestCharged", _STR),
}
_DELETE_HEADERS = {
    "x-amz-delete-marker": ("DeleteMarker", _BOOL),
    "x-amz-version-id": ("VersionId", _STR),
    "x-amz-request-charged": ("RequestCharged", _STR),
}

# Request parameters accepted per operation: name -> header (or "?name" for a query parameter).
_READ_PARAMS = {
    "VersionId": "?versionId",
    "Range": "range",
    "IfMatch": "if-match",
    "IfNoneMatch": "if-none-match",
    "ChecksumMode": "x-amz-checksum-mode",
    "ExpectedBucketOwner": "x-amz-expected-bucket-owner",
    "PartNumber": "?partNumber",
}
_PUT_PARAMS = {
    "ContentType": "content-type",
    "CacheControl": "cache-control",
    "ContentDisposition": "content-disposition",
    "ContentEncoding": "content-encoding",
    "ContentLanguage": "content-language",
    "ServerSideEncryption": "x-amz-server-side-encryption",
    "SSEKMSKeyId": "x-amz-server-side-encryption-aws-kms-key-id",
    "StorageClass": "x-amz-storage-class",
    "Tagging": "x-amz-tagging",
    "IfMatch": "if-match",
    "IfNoneMatch": "if-none-match",
    "ExpectedBucketOwner": "x-amz-expected-bucket-owner",
}
_DELETE_PARAMS = {
    "VersionId": "?versionId",
    "IfMatch": "if-match",
    "ExpectedBucketOwner": "x-amz-expected-bucket-owner",
}


def _timestamp(value: str) -> Any:
    """A header timestamp as the timezone-aware datetime boto3 gives: HTTP date (Last-Modified) or ISO 8601."""
    if value[:1].isdigit():
        from datetime import datetime

        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    from email.utils import parsedate_to_datetime  # only when a response carries a date (not on import)

    return parsedate_to_datetime(value)


def _parse_headers(headers: Mapping[str, str], fields: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (field, kind) in fields.items():
        value = headers.get(name)
        if value is None:
            continue
        if kind == _INT:
            out[field] = int(value)
        elif kind == _BOOL:
            out[field] = value.lower() == "true"
        elif kind == _TIME:
            out[field] = _timestamp(value)
        else:
            out[field] = value
    return out


def _crc32_b64(data: bytes) -> str:
    """S3's x-amz-checksum-crc32 form: the big-endian CRC-32 of `data`, base64-encoded."""
    return base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


def _checksum_ok(raw: RawResponse) -> str | None:
    """Validate the full-object CRC32/SHA1/SHA256 S3 returned (as botocore does for get_object with checksum mode
    on); other algorithms need awscrt and are passed through unvalidated, as are multipart ("-N") checksums."""
    h = raw.headers
    if h.get("x-amz-checksum-type", "FULL_OBJECT") != "FULL_OBJECT":
        return None
    if "x-amz-checksum-crc32" in h:
        actual = _crc32_b64(raw.body)
        expected = h["x-amz-checksum-crc32"]
    elif "x-amz-checksum-sha256" in h:
        actual, expected = base64.b64encode(hashlib.sha256(raw.body).digest()).decode(), h["x-amz-checksum-sha256"]
    elif "x-amz-checksum-sha1" in h:
        actual, expected = base64.b64encode(hashlib.sha1(raw.body).digest()).decode(), h["x-amz-checksum-sha1"]
    else:
        return None
    if "-" in expected or actual == expected:
        return None
    return f"Expected checksum {expected} did not match calculated checksum: {actual}"


class S3Client(BaseClient):
    """get_object / put_object / head_object / delete_object with boto3's parameter and response names."""

    service = "s3"

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"courtside.aws.lite S3 client has no {name!r}; it supports get_object, put_object, head_object and "
            "delete_object. Use boto3 (courtside.aws.clients.client) for others."
        )

    def _request(
        self,
        operation: str,
        method: str,
        bucket: str,
        key: str,
        params: Mapping[str, Any],
        allowed: Mapping[str, str],
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        check: Callable[[RawResponse], str | None] | None = None,
    ) -> tuple[RawResponse, int]:
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(
                f"{operation}: unsupported parameter(s) {unknown} in courtside.aws.lite; supported: "
                f"Bucket, Key, {', '.join(sorted(allowed))}"
            )
        headers = dict(headers or {})
        query: list[tuple[str, str]] = []
        for name, value in params.items():
            if value is None:
                continue
            wire = allowed[name]
            if wire.startswith("?"):
                query.append((wire[1:], str(value)))
            else:
                headers[wire] = str(value)
        headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest() if body else sigv4.EMPTY_SHA256
        target = s3_target(self.endpoint_url, self.region, bucket, key)
        return self._call(operation, method, target, sigv4.canonical_query(query), headers, body, check)

    def get_object(self, *, Bucket: str, Key: str, **params: Any) -> dict[str, Any]:  # noqa: N803 (boto3 names)
        params.setdefault("ChecksumMode", "ENABLED")  # botocore's default response checksum validation
        raw, retries = self._request("GetObject", "GET", Bucket, Key, params, _READ_PARAMS, check=_checksum_ok)
        out: dict[str, Any] = {"ResponseMetadata": response_metadata(self.service, raw, retries)}
        out.update(_parse_headers(raw.headers, _OBJECT_HEADERS))
        out["Metadata"] = _user_metadata(raw.headers)
        out["Body"] = StreamingBody(raw.body)
        return out

    def head_object(self, *, Bucket: str, Key: str, **params: Any) -> dict[str, Any]:  # noqa: N803
        raw, retries = self._request("HeadObject", "HEAD", Bucket, Key, params, _READ_PARAMS)
        out: dict[str, Any] = {"ResponseMetadata": response_metadata(self.service, raw, retries)}
        out.update(_parse_headers(raw.headers, _HEAD_HEADERS))
        out["Metadata"] = _user_metadata(raw.headers)
        return out

    def put_object(
        self,
        *,
        Bucket: str,  # noqa: N803
        Key: str,  # noqa: N803
        Body: bytes | bytearray | str = b"",  # noqa: N803
        Metadata: Mapping[str, str] | None = None,  # noqa: N803
        **params: Any,
    ) -> dict[str, Any]:
        data = Body.encode("utf-8") if isinstance(Body, str) else bytes(Body)
        # botocore's default request checksum (when_supported): CRC32 of the body
        headers = {"x-amz-checksum-crc32": _crc32_b64(data), "x-amz-sdk-checksum-algorithm": "CRC32"}
        headers.update({f"x-amz-meta-{k.lower()}": str(v) for k, v in (Metadata or {}).items()})
        raw, retries = self._request("PutObject", "PUT", Bucket, Key, params, _PUT_PARAMS, headers, data)
        return {
            "ResponseMetadata": response_metadata(self.service, raw, retries),
            **_parse_headers(raw.headers, _PUT_HEADERS),
        }

    def delete_object(self, *, Bucket: str, Key: str, **params: Any) -> dict[str, Any]:  # noqa: N803
        raw, retries = self._request("DeleteObject", "DELETE", Bucket, Key, params, _DELETE_PARAMS)
        out = {"ResponseMetadata": response_metadata(self.service, raw, retries)}
        out.update(_parse_headers(raw.headers, _DELETE_HEADERS))
        return out


def _user_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    return {k[len("x-amz-meta-") :]: v for k, v in headers.items() if k.startswith("x-amz-meta-")}


def client(service: str, region_name: str | None = None, endpoint_url: str | None = None, **kwargs: Any) -> Any:
    """A lite client for "dynamodb" or "s3" (boto3.client's signature, minus everything these do not need)."""
    if service == "dynamodb":
        return DynamoDBClient(region_name, endpoint_url, **kwargs)
    if service == "s3":
        return S3Client(region_name, endpoint_url, **kwargs)
    raise ValueError(f"courtside.aws.lite supports {', '.join(SUPPORTED_SERVICES)}, not {service!r}; use boto3")
