"""HTTP, signing and retries for :mod:`courtside.aws.lite` (the boto3-free client of the predict cold start).

Keep-alive `http.client` connections per thread and host, SigV4 with credentials from the environment, botocore
"standard"-mode retries (5 attempts, full-jitter exponential backoff: 1 s base when throttled, 50 ms otherwise,
25 ms for DynamoDB, capped at 20 s, `x-amz-retry-after` honoured) and boto3's error shape
(`botocore.exceptions.ClientError` with Error {Code, Message} and ResponseMetadata). Service-specific request and
response shapes live in :mod:`courtside.aws.lite`.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import random
import re
import ssl  # loaded by http.client anyway
import threading
import time
from collections.abc import Callable, Mapping

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    FlexibleChecksumError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import SSLError as TLSError

from courtside.aws import sigv4
from courtside.aws.clients import region_from_env  # noqa: F401 (re-exported by courtside.aws.lite)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms of a cold start)
if TYPE_CHECKING:
    from typing import Any


MAX_ATTEMPTS = 5  # botocore standard mode's default total attempts (clients.py configures the same)
MAX_BACKOFF_S = 20.0
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
USER_AGENT = "courtside-lite/1 (stdlib; boto3-compatible subset)"

# botocore.retries.standard: ThrottledRetryableChecker and TransientRetryableChecker.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"})
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
THROTTLING_STATUS = frozenset({429})

# ---- configuration ---------------------------------------------------------------------------------------------


def endpoint_from_env(service: str) -> str | None:
    """`AWS_ENDPOINT_URL_<SERVICE>` (boto3's service-specific variable), then `AWS_ENDPOINT_URL`; None: AWS."""
    specific = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}")
    return specific or os.environ.get("AWS_ENDPOINT_URL") or None


def credentials_from_env() -> sigv4.Credentials:
    """Read on every request (cheap), so a test or a rotated environment takes effect without a new client."""
    access, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not access or not secret:
        raise NoCredentialsError()
    return sigv4.Credentials(access, secret, os.environ.get("AWS_SESSION_TOKEN") or None)


class Target:
    """Where one request goes: scheme, network location and the path (percent-encoded, as sent and as S3 signs).

    A plain class rather than a dataclass: `dataclasses` (with `inspect`) costs ~7 ms to import cold."""

    __slots__ = ("scheme", "netloc", "path")

    def __init__(self, scheme: str, netloc: str, path: str) -> None:
        self.scheme, self.netloc, self.path = scheme, netloc, path

    @property
    def host(self) -> str:
        return self.netloc

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Target):
            return NotImplemented
        return (self.scheme, self.netloc, self.path) == (other.scheme, other.netloc, other.path)

    def __hash__(self) -> int:
        return hash((self.scheme, self.netloc, self.path))

    def __repr__(self) -> str:
        return f"Target({self.scheme!r}, {self.netloc!r}, {self.path!r})"


# ---- transport -------------------------------------------------------------------------------------------------


class ConnectError(OSError):
    """The TCP/TLS connection could not be opened (the cause is the original error): nothing was sent."""


class RawResponse:
    """Status, reason, headers (lower-case names) and the whole body of one HTTP response."""

    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status, self.reason, self.headers, self.body = status, reason, headers, body


class Transport:
    """Keep-alive connections, one per (thread, scheme, host): threads never share an http.client connection."""

    def __init__(self, connect_timeout: float = CONNECT_TIMEOUT_S, read_timeout: float = READ_TIMEOUT_S) -> None:
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._local = threading.local()
        self._ssl_context: Any = None
        self._ssl_lock = threading.Lock()

    def _context(self) -> Any:
        """The TLS context, created on the first HTTPS connection only (loading CA certificates costs ms)."""
        with self._ssl_lock:
            if self._ssl_context is None:
                bundle = os.environ.get("AWS_CA_BUNDLE")
                ctx = ssl.create_default_context(cafile=bundle) if bundle else ssl.create_default_context()
                if not bundle and ctx.cert_store_stats().get("x509_ca", 0) == 0:
                    # no system store visible to OpenSSL: use the bundle botocore ships (as boto3 would)
                    import importlib.util

                    spec = importlib.util.find_spec("botocore")
                    if spec and spec.origin:
                        ctx.load_verify_locations(os.path.join(os.path.dirname(spec.origin), "cacert.pem"))
                self._ssl_context = ctx
            return self._ssl_context

    def _connection(self, scheme: str, netloc: str) -> tuple[http.client.HTTPConnection, bool]:
        pool: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        conn = pool.get((scheme, netloc))
        if conn is not None and conn.sock is not None:
            return conn, True
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(netloc, timeout=self.connect_timeout, context=self._context())
            else:
                conn = http.client.HTTPConnection(netloc, timeout=self.connect_timeout)
            pool[(scheme, netloc)] = conn
        try:
            conn.connect()  # connect timeout applies here ...
        except OSError as exc:
            conn.close()
            raise ConnectError(str(exc)) from exc
        conn.sock.settimeout(self.read_timeout)  # ... and the read timeout to everything after
        return conn, False

    def close(self) -> None:
        """Close this thread's connections."""
        for conn in self._local.__dict__.pop("pool", {}).values():
            conn.close()

    def request(self, method: str, target: Target, query: str, headers: Mapping[str, str], body: bytes) -> RawResponse:
        """One HTTP exchange. A kept-alive connection the server closed while idle is reopened once, transparently
        (nothing was processed); any other connection error propagates to the retry loop."""
        url = target.path + (f"?{query}" if query else "")
        for fresh_attempt in (False, True):
            conn, reused = self._connection(target.scheme, target.netloc)
            try:
                conn.request(method, url, body=body or None, headers=dict(headers))
                resp = conn.getresponse()
                data = resp.read()  # drained even on errors, so the connection can be reused
                if resp.will_close:
                    conn.close()
                return RawResponse(resp.status, resp.reason, {k.lower(): v for k, v in resp.getheaders()}, data)
            except ConnectError:
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                if not reused or fresh_attempt:
                    raise
            except BaseException:
                conn.close()
                raise
        raise AssertionError("unreachable")


# ---- retries and errors ----------------------------------------------------------------------------------------


def backoff_delay(attempt: int, throttled: bool, service: str, rand: Callable[[], float] = random.random) -> float:
    """botocore standard mode: rand(0,1) * min(base * 2**(attempt-1), 20 s); base 1 s when throttled, else 50 ms
    (25 ms for DynamoDB). `attempt` is the 1-based number of the attempt that just failed."""
    base = 1.0 if throttled else (0.025 if service == "dynamodb" else 0.05)
    return rand() * min(base * 2 ** (attempt - 1), MAX_BACKOFF_S)


def decode_binary(obj: dict[str, Any]) -> dict[str, Any]:
    """json object_hook: an AttributeValue {"B": "<base64>"} / {"BS": [...]} becomes bytes, as boto3 returns it."""
    if len(obj) == 1:
        if isinstance(obj.get("B"), str):
            return {"B": base64.b64decode(obj["B"])}
        if isinstance(obj.get("BS"), list):
            return {"BS": [base64.b64decode(b) for b in obj["BS"]]}
    return obj


_XML_CHILD = re.compile(r"<(\w+)>([^<]*)</\1>")
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def _xml_text(text: str) -> str:
    for entity, char in _XML_ENTITIES:
        text = text.replace(entity, char)
    return text


def error_response(service: str, raw: RawResponse) -> dict[str, Any]:
    """boto3's `ClientError.response` for a failed call: Error {Code, Message, ...} plus ResponseMetadata; a body
    that says nothing (HEAD, proxies) gives Code = the status ("404") and Message = its reason, as botocore does."""
    error: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if service == "dynamodb":
        try:
            doc = json.loads(raw.body.decode("utf-8"), object_hook=decode_binary) if raw.body else {}
        except ValueError:
            doc = {}
        if isinstance(doc, dict) and doc.get("__type"):
            error["Message"] = doc.get("message", doc.get("Message", ""))
            error["Code"] = str(doc["__type"]).rsplit("#", 1)[-1]
            extra = {k: v for k, v in doc.items() if k not in ("__type", "message", "Message")}
    else:
        body = raw.body.decode("utf-8", "replace")
        start = body.find("<Error>")
        if start >= 0:
            end = body.find("</Error>", start)
            for name, value in _XML_CHILD.findall(body[start : end if end >= 0 else None]):
                if name not in ("RequestId", "HostId"):
                    error[name] = _xml_text(value)
            error.setdefault("Message", "")
    if "Code" not in error:
        error = {"Code": str(raw.status), "Message": http.client.responses.get(raw.status, raw.reason or "")}
    return {"Error": error, "ResponseMetadata": response_metadata(service, raw, 0), **extra}


def response_metadata(service: str, raw: RawResponse, retries: int) -> dict[str, Any]:
    headers = raw.headers
    request_id = headers.get("x-amzn-requestid") or headers.get("x-amz-request-id") or ""
    meta: dict[str, Any] = {"RequestId": request_id}
    if service == "s3" and "x-amz-id-2" in headers:
        meta["HostId"] = headers["x-amz-id-2"]
    meta.update(HTTPStatusCode=raw.status, HTTPHeaders=dict(headers), RetryAttempts=retries)
    return meta


class BaseClient:
    """Signing and the retry loop, shared by the DynamoDB and S3 clients."""

    service = ""

    def __init__(
        self,
        region: str | None = None,
        endpoint_url: str | None = None,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.region = region or region_from_env()
        self.endpoint_url = endpoint_url if endpoint_url is not None else endpoint_from_env(self.service)
        self.transport = transport or Transport()
        self._sleep, self._rand, self.max_attempts = sleep, rand, max_attempts

    def _signed_headers(
        self, method: str, target: Target, query: str, headers: dict[str, str], payload_hash: str
    ) -> dict[str, str]:
        creds = credentials_from_env()
        signed = {**headers, "host": target.host, "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
        if creds.token:
            signed["x-amz-security-token"] = creds.token
        signed["authorization"] = sigv4.authorization(
            method,
            target.path,
            query,
            signed,
            payload_hash,
            creds,
            self.region,
            self.service,
            signed["x-amz-date"],
            s3=self.service == "s3",
        )
        signed["user-agent"] = USER_AGENT
        return signed

    def _call(
        self,
        operation: str,
        method: str,
        target: Target,
        query: str,
        headers: dict[str, str],
        body: bytes,
        check: Callable[[RawResponse], str | None] | None = None,
    ) -> tuple[RawResponse, int]:
        """Send with retries; returns the successful response and the number of retries it took. `check` returns
        an error text for a 2xx response that must be retried (a CRC mismatch) or None."""
        payload_hash = headers.get("x-amz-content-sha256") or (  # S3 sends it as a header: hashed once
            hashlib.sha256(body).hexdigest() if body else sigv4.EMPTY_SHA256
        )
        url = f"{target.scheme}://{target.netloc}{target.path}"
        for attempt in range(1, self.max_attempts + 1):
            headers_out = self._signed_headers(method, target, query, headers, payload_hash)
            raw: RawResponse | None = None
            throttled, failure = False, None
            try:
                raw = self.transport.request(method, target, query, headers_out, body)
            except ConnectError as exc:
                cause = exc.__cause__
                if isinstance(cause, TimeoutError):
                    failure = ConnectTimeoutError(endpoint_url=url, error=cause)
                elif isinstance(cause, ssl.SSLError):  # e.g. certificate verification failed, as botocore's
                    failure = TLSError(endpoint_url=url, error=cause)
                else:
                    failure = EndpointConnectionError(endpoint_url=url, error=cause or exc)
            except TimeoutError as exc:
                failure = ReadTimeoutError(endpoint_url=url, error=exc)
            except (OSError, http.client.HTTPException) as exc:
                failure = ConnectionClosedError(endpoint_url=url, error=exc)
            if raw is not None and raw.status < 300:
                problem = check(raw) if check else None
                if problem is None:
                    return raw, attempt - 1
                failure = FlexibleChecksumError(error_msg=problem)
            elif raw is not None:
                err = error_response(self.service, raw)
                code = err["Error"]["Code"]
                throttled = code in THROTTLING_CODES or raw.status in THROTTLING_STATUS
                retryable = throttled or code in TRANSIENT_CODES or raw.status in TRANSIENT_STATUS
                err["ResponseMetadata"]["RetryAttempts"] = attempt - 1
                if retryable and attempt == self.max_attempts:
                    err["ResponseMetadata"]["MaxAttemptsReached"] = True
                failure = ClientError(err, operation)
                if not retryable:
                    raise failure
            assert failure is not None
            if attempt == self.max_attempts:
                raise failure
            delay = backoff_delay(attempt, throttled, self.service, self._rand)
            retry_after = raw.headers.get("x-amz-retry-after", "") if raw is not None else ""
            if retry_after.isdigit():  # botocore: honour the server's hint, capped at the backoff + 5 s
                delay = max(delay, min(int(retry_after) / 1000.0, delay + 5.0))
            self._sleep(delay)
        raise AssertionError("unreachable")
