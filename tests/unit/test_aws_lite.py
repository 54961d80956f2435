"""courtside.aws.lite without AWS: signatures equal botocore's, endpoints resolve as boto3's, binary values round-trip
as boto3 serialises/parses them, retries follow botocore's standard mode against a real local HTTP server, errors
map to boto3's ClientError, and importing the module pulls in neither boto3 nor botocore.session."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.auth
import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from botocore.exceptions import ClientError, EndpointConnectionError, SSLError
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from courtside.aws import lite, sigv4
from courtside.config import REPO_ROOT

ACCESS, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WHEN = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.UTC)
AMZ_DATE = WHEN.strftime("%Y%m%dT%H%M%SZ")


def _botocore_authorization(
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    service: str,
    region: str,
    token: str | None,
    when: dt.datetime = WHEN,
) -> str:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when.replace(tzinfo=None))
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    signer_cls = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    signer_cls(BotoCredentials(ACCESS, SECRET, token), service, region).add_auth(request)
    return str(request.headers["Authorization"])


SIGNING_CASES = [
    pytest.param(
        "POST",
        "https://dynamodb.eu-west-1.amazonaws.com/",
        {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem"},
        b'{"TableName":"t","Key":{"pk":{"S":"a"}}}',
        "dynamodb",
        "eu-west-1",
        None,
        id="dynamodb-no-token",
    ),
    pytest.param(
        "POST",
        "http://127.0.0.1:5000/",
        {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.BatchGetItem"},
        b"{}",
        "dynamodb",
        "us-east-1",
        "FQoGZXIvYXdzEXAMPLE//token+with/chars==",
        id="dynamodb-session-token-custom-port",
    ),
    pytest.param(
        "GET",
        "https://my-bucket.s3.us-east-1.amazonaws.com/models/dir%20with%20space/%C3%BCn%C3%AFc%C3%B8d%C3%A9%2B.json",
        {"x-amz-checksum-mode": "ENABLED"},
        b"",
        "s3",
        "us-east-1",
        "tok",
        id="s3-key-with-spaces-and-unicode",
    ),
    pytest.param(
        "GET",
        "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/a//b/../c?versionId=3%2Fx%20y&partNumber=2",
        {"range": "bytes=0-9"},
        b"",
        "s3",
        "us-west-2",
        None,
        id="s3-query-string-and-unnormalised-path",
    ),
    pytest.param(
        "PUT",
        "https://s3.us-west-2.amazonaws.com/bucket/k.json",
        {"content-type": "application/json", "x-amz-meta-owner": "  two   spaces  "},
        b'{"a": 1}',
        "s3",
        "us-west-2",
        "tok",
        id="s3-put-with-body-and-untrimmed-header",
    ),
]


@pytest.mark.parametrize(("method", "url", "headers", "body", "service", "region", "token"), SIGNING_CASES)
def test_signature_equals_botocore(
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    service: str,
    region: str,
    token: str | None,
) -> None:
    parts = urlsplit(url)
    payload = hashlib.sha256(body).hexdigest()
    signed = {**headers, "host": parts.netloc, "x-amz-date": AMZ_DATE}
    if service == "s3":
        signed["x-amz-content-sha256"] = payload
    if token:
        signed["x-amz-security-token"] = token
    query = sigv4.canonical_query(
        [(unquote(k), unquote(v)) for k, v in (p.split("=", 1) for p in parts.query.split("&"))] if parts.query else []
    )
    ours = sigv4.authorization(
        method,
        parts.path,
        query,
        signed,
        payload,
        sigv4.Credentials(ACCESS, SECRET, token),
        region,
        service,
        AMZ_DATE,
        s3=service == "s3",
    )
    theirs = _botocore_authorization(monkeypatch, method, url, headers, body, service, region, token)
    assert ours == theirs
    # the check can fail: any change to what is signed changes the signature
    other = sigv4.authorization(
        method, parts.path, query, {**signed, "host": "x"}, payload, sigv4.Credentials(ACCESS, SECRET, token),
        region, service, AMZ_DATE, s3=service == "s3",
    )  # fmt: skip
    assert other != theirs


# ---- a real local HTTP server ----------------------------------------------------------------------------------


class Script:
    """Responses the server gives in order (status, headers, body), and what it received."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, dict[str, str], bytes]] = []
        self.requests: list[dict[str, Any]] = []
        self.connections: set[int] = set()
        self.drop_after_response = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like AWS endpoints
    script: Script

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.script.connections.add(self.client_address[1])
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.script.requests.append({"method": self.command, "path": self.path, "headers": headers, "body": body})
        status, reply_headers, out = self.script.responses.pop(0) if self.script.responses else (200, {}, b"{}")
        self.send_response(status)
        for k, v in reply_headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)
        if self.script.drop_after_response:
            self.close_connection = True  # closes without announcing it: the client's pooled connection goes stale

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _serve  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Script]]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def _ddb(endpoint: str, delays: list[float]) -> lite.DynamoDBClient:
    return lite.DynamoDBClient("us-east-1", endpoint, sleep=delays.append, rand=lambda: 1.0)


def _json_error(code: str, status: int = 400) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"{code} happened"})
    return status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "req-err"}, body.encode()


def test_client_requests_are_signed_as_botocore_signs_them(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: what the clients put on the wire (path encoding, query, host, token) verifies with botocore."""
    endpoint, script = server
    script.responses = [(200, {}, b"{}"), (200, {}, b"data")]
    lite.DynamoDBClient("eu-west-1", endpoint).get_item(TableName="t", Key={"pk": {"B": b"\x00"}})
    lite.S3Client("eu-west-1", endpoint).get_object(Bucket="b", Key="dir with space/ü+.json", VersionId="v 1/2")
    for req, service in zip(script.requests, ("dynamodb", "s3"), strict=True):
        sent = req["headers"]
        signed_names = sent["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
        assert {"host", "x-amz-date", "x-amz-security-token"} <= set(signed_names)
        when = dt.datetime.strptime(sent["x-amz-date"], "%Y%m%dT%H%M%SZ")
        headers = {n: sent[n] for n in signed_names if n not in ("x-amz-date", "x-amz-security-token")}
        monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
        theirs = _botocore_authorization(
            monkeypatch, req["method"], endpoint + req["path"], headers, req["body"], service, "eu-west-1",
            "session-token", when,
        )  # fmt: skip
        assert sent["authorization"] == theirs
    assert script.requests[1]["path"] == "/b/dir%20with%20space/%C3%BC%2B.json?versionId=v%201%2F2"


def test_throttling_then_success_backs_off_like_standard_mode(server: tuple[str, Script]) -> None:
    endpoint, script = server
    ok = (200, {"x-amzn-RequestId": "req-ok"}, b'{"Item": {"pk": {"S": "a"}}}')
    script.responses = [_json_error("ProvisionedThroughputExceededException"), _json_error("InternalError", 500), ok]
    delays: list[float] = []
    resp = _ddb(endpoint, delays).get_item(TableName="t", Key={"pk": {"S": "a"}})
    assert resp["Item"] == {"pk": {"S": "a"}}
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2 and resp["ResponseMetadata"]["RequestId"] == "req-ok"
    assert delays == [1.0, 0.025 * 2]  # throttled: base 1 s; transient 5xx on DynamoDB: base 25 ms; x 2**(n-1)
    assert len(script.requests) == 3
    assert [r["headers"]["x-amz-target"] for r in script.requests] == ["DynamoDB_20120810.GetItem"] * 3
    assert len({r["headers"]["x-amz-date"] + r["headers"]["authorization"] for r in script.requests}) >= 1


def test_gives_up_after_five_attempts_with_the_last_error(server: tuple[str, Script]) -> None:
    endpoint, script = server
    script.responses = [_json_error("ThrottlingException")] * 6
    delays: list[float] = []
    with pytest.raises(ClientError) as err:
        _ddb(endpoint, delays).query(TableName="t")
    assert len(script.requests) == 5 and delays == [1.0, 2.0, 4.0, 8.0]
    assert err.value.response["Error"] == {"Code": "ThrottlingException", "Message": "ThrottlingException happened"}
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 4
    assert err.value.operation_name == "Query"


def test_backoff_is_full_jitter_capped_at_20_s() -> None:
    assert lite.backoff_delay(10, True, "s3", rand=lambda: 1.0) == 20.0
    assert lite.backoff_delay(1, False, "s3", rand=lambda: 1.0) == 0.05
    assert lite.backoff_delay(3, False, "s3", rand=lambda: 0.5) == 0.5 * 0.05 * 4
    assert lite.backoff_delay(2, True, "dynamodb", rand=lambda: 0.0) == 0.0


def test_non_retryable_errors_fail_at_once(server: tuple[str, Script]) -> None:
    endpoint, script = server
    script.responses = [_json_error("ConditionalCheckFailedException")]
    delays: list[float] = []
    with pytest.raises(ClientError) as err:
        _ddb(endpoint, delays).put_item(TableName="t", Item={})
    assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert err.value.response["ResponseMetadata"] == {
        "RequestId": "req-err",
        "HTTPStatusCode": 400,
        "HTTPHeaders": err.value.response["ResponseMetadata"]["HTTPHeaders"],
        "RetryAttempts": 0,
    }
    assert len(script.requests) == 1 and delays == []


def test_s3_slowdown_is_throttling_and_retried(server: tuple[str, Script]) -> None:
    endpoint, script = server
    slow = b"<?xml version='1.0'?><Error><Code>SlowDown</Code><Message>Reduce &amp; retry</Message></Error>"
    script.responses = [(503, {"x-amz-request-id": "r1"}, slow), (200, {"ETag": '"e"'}, b"")]
    delays: list[float] = []
    s3 = lite.S3Client("us-east-1", endpoint, sleep=delays.append, rand=lambda: 1.0)
    assert s3.put_object(Bucket="b", Key="k", Body=b"x")["ETag"] == '"e"'
    assert delays == [1.0]
    put = script.requests[0]
    assert put["body"] == b"x" and put["headers"]["x-amz-content-sha256"] == hashlib.sha256(b"x").hexdigest()
    assert put["headers"]["x-amz-checksum-crc32"] == _botocore_crc32(b"x")  # the checksum botocore sends


def _botocore_crc32(data: bytes) -> str:
    from botocore.httpchecksum import Crc32Checksum

    checksum = Crc32Checksum()
    checksum.update(data)
    return base64.b64encode(checksum.digest()).decode()


def test_corrupted_dynamodb_response_is_retried(server: tuple[str, Script]) -> None:
    endpoint, script = server
    body = b'{"Item": {"pk": {"S": "a"}}}'
    import zlib

    crc = zlib.crc32(body)
    script.responses = [(200, {"x-amz-crc32": str(crc ^ 1)}, body), (200, {"x-amz-crc32": str(crc)}, body)]
    delays: list[float] = []
    assert _ddb(endpoint, delays).get_item(TableName="t", Key={})["Item"] == {"pk": {"S": "a"}}
    assert len(script.requests) == 2


def test_connection_refused_is_retried_then_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        delays: list[float] = []
        with pytest.raises(EndpointConnectionError):
            _ddb(f"http://127.0.0.1:{port}", delays).get_item(TableName="t", Key={})
    assert delays == [0.025, 0.05, 0.1, 0.2]


def test_keep_alive_reuses_one_connection_and_recovers_a_dropped_one(server: tuple[str, Script]) -> None:
    endpoint, script = server
    delays: list[float] = []
    ddb = _ddb(endpoint, delays)
    for _ in range(3):
        ddb.get_item(TableName="t", Key={})
    assert len(script.connections) == 1  # one TCP connection for three calls
    script.drop_after_response = True
    ddb.get_item(TableName="t", Key={})  # server closes after answering ...
    script.drop_after_response = False
    ddb.get_item(TableName="t", Key={})  # ... the next call reconnects without a retry or a backoff
    assert len(script.connections) == 2 and delays == []


def test_each_thread_has_its_own_connection(server: tuple[str, Script]) -> None:
    endpoint, script = server
    ddb = _ddb(endpoint, [])
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                ddb.get_item(TableName="t", Key={})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(script.requests) == 20 and len(script.connections) == 4


def test_https_verifies_the_server_certificate(
    server: tuple[str, Script], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS is always HTTPS: a server whose certificate the CA bundle vouches for is reached, any other refused."""
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"script": script}))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        endpoint = f"https://localhost:{httpd.server_address[1]}"
        monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
        script.responses = [(200, {}, b'{"Item": {"pk": {"S": "tls"}}}')]
        assert lite.DynamoDBClient("us-east-1", endpoint).get_item(TableName="t", Key={})["Item"]["pk"]["S"] == "tls"
        monkeypatch.delenv("AWS_CA_BUNDLE")
        untrusted = lite.DynamoDBClient("us-east-1", endpoint, sleep=lambda _: None, max_attempts=1)
        with pytest.raises(SSLError) as err:
            untrusted.get_item(TableName="t", Key={})
        assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)  # botocore's SSLError, as boto3 raises
        assert len(script.requests) == 1
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---- endpoints -------------------------------------------------------------------------------------------------


def test_endpoint_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert lite.region_from_env() == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert lite.region_from_env() == "ap-south-1"  # AWS_REGION wins, as in courtside.aws.clients
    assert lite.endpoint_from_env("dynamodb") is None
    assert lite.DynamoDBClient().endpoint_url is None
    assert lite.dynamodb_target(None, "ap-south-1") == lite.Target("https", "dynamodb.ap-south-1.amazonaws.com", "/")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    assert lite.endpoint_from_env("s3") == "http://127.0.0.1:5000"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000")
    assert lite.endpoint_from_env("dynamodb") == "http://localhost:8000"
    assert lite.endpoint_from_env("s3") == "http://127.0.0.1:5000"
    assert lite.DynamoDBClient().endpoint_url == "http://localhost:8000"
    assert lite.S3Client(endpoint_url="http://other:1").endpoint_url == "http://other:1"


@pytest.mark.parametrize(
    ("endpoint", "bucket", "key", "expected"),
    [
        (None, "my-bucket", "a b/ü.json", ("https", "my-bucket.s3.eu-west-1.amazonaws.com", "/a%20b/%C3%BC.json")),
        (None, "my.dotted.bucket", "k", ("https", "s3.eu-west-1.amazonaws.com", "/my.dotted.bucket/k")),
        (None, "Upper_Case", "k", ("https", "s3.eu-west-1.amazonaws.com", "/Upper_Case/k")),
        ("http://127.0.0.1:5000", "my-bucket", "k~1+2", ("http", "127.0.0.1:5000", "/my-bucket/k~1%2B2")),
        ("https://proxy.example/base/", "b", "x/y", ("https", "proxy.example", "/base/b/x/y")),
    ],
)
def test_s3_addressing(endpoint: str | None, bucket: str, key: str, expected: tuple[str, str, str]) -> None:
    assert lite.s3_target(endpoint, "eu-west-1", bucket, key) == lite.Target(*expected)


def test_s3_addressing_matches_botocore_for_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtual-hosted vs path-style as botocore's endpoint rules decide (no request is sent)."""
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)
    session = botocore.session.get_session()
    s3 = session.create_client("s3", region_name="eu-west-1", aws_access_key_id=ACCESS, aws_secret_access_key=SECRET)
    urls: list[str] = []
    s3.meta.events.register("before-send.s3", lambda request, **_: urls.append(request.url) or _Stop())
    for bucket in ("my-bucket", "my.dotted.bucket", "abc"):
        with pytest.raises(_StopError):
            s3.head_object(Bucket=bucket, Key="a b/ü.json")
        target = lite.s3_target(None, "eu-west-1", bucket, "a b/ü.json")
        assert urls[-1] == f"{target.scheme}://{target.netloc}{target.path}"


class _StopError(Exception):
    pass


def _Stop() -> None:  # noqa: N802
    raise _StopError


# ---- DynamoDB serialisation ------------------------------------------------------------------------------------


ITEM = {
    "pk": {"S": "a"},
    "blob": {"B": b"\x00\x01\xff"},
    "text_blob": {"B": "é"},
    "blobs": {"BS": [b"x", b"\x00y"]},
    "m": {"M": {"B": {"S": "named B"}, "BS": {"L": [{"B": b"\xfe"}]}}},
}


def _dynamodb_model() -> Any:
    return botocore.session.get_session().get_service_model("dynamodb")


def test_request_body_equals_botocore_serialisation() -> None:
    op = _dynamodb_model().operation_model("PutItem")
    params = {"TableName": "t", "Item": ITEM, "ConditionExpression": "attribute_not_exists(pk)"}
    theirs = create_serializer("json").serialize_to_request(params, op)
    assert json.loads(lite.encode_request(params)) == json.loads(theirs["body"])


def test_response_parsing_equals_botocore_with_binary() -> None:
    op = _dynamodb_model().operation_model("BatchGetItem")
    wire = lite.encode_request({"Responses": {"t": [ITEM]}, "UnprocessedKeys": {}})
    theirs = create_parser("json").parse({"body": wire, "headers": {}, "status_code": 200}, op.output_shape)
    theirs.pop("ResponseMetadata", None)
    ours = lite.decode_response(wire)
    assert ours == theirs
    assert ours["Responses"]["t"][0]["blob"] == {"B": b"\x00\x01\xff"}
    assert ours["Responses"]["t"][0]["text_blob"] == {"B": "é".encode()}


def test_operations_exist_in_the_dynamodb_model_and_others_are_refused() -> None:
    model_ops = set(_dynamodb_model().operation_names)
    assert model_ops >= lite.DYNAMODB_OPERATIONS
    ddb = lite.DynamoDBClient("us-east-1", "http://127.0.0.1:1")
    assert callable(ddb.batch_get_item) and callable(ddb.transact_write_items) and callable(ddb.query)
    with pytest.raises(AttributeError, match="batch_get_item"):
        ddb.create_table  # noqa: B018
    with pytest.raises(AttributeError):
        ddb.GetItem  # noqa: B018
    with pytest.raises(AttributeError, match="get_object"):
        lite.S3Client("us-east-1").list_objects_v2  # noqa: B018
    with pytest.raises(ValueError, match="dynamodb, s3"):
        lite.client("sqs")
    with pytest.raises(ValueError, match="unsupported parameter"):
        lite.S3Client("us-east-1", "http://127.0.0.1:1").get_object(Bucket="b", Key="k", SSECustomerKey="x")


# ---- error mapping ---------------------------------------------------------------------------------------------


def _raw(status: int, body: bytes, headers: dict[str, str] | None = None) -> lite.RawResponse:
    return lite.RawResponse(status, "", headers or {}, body)


def test_error_code_mapping() -> None:
    ddb = lite.error_response(
        "dynamodb",
        _raw(400, b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"m",'
             b'"CancellationReasons":[{"Code":"ConditionalCheckFailed"}]}', {"x-amzn-requestid": "R"}),
    )  # fmt: skip
    assert ddb["Error"] == {"Code": "TransactionCanceledException", "Message": "m"}
    assert ddb["CancellationReasons"] == [{"Code": "ConditionalCheckFailed"}]  # modeled fields, as botocore
    assert ddb["ResponseMetadata"]["RequestId"] == "R" and ddb["ResponseMetadata"]["HTTPStatusCode"] == 400
    s3 = lite.error_response(
        "s3",
        _raw(404, b"<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>The key &lt;k&gt; is gone"
             b"</Message><Key>k</Key><RequestId>X</RequestId></Error>", {"x-amz-request-id": "X"}),
    )  # fmt: skip
    assert s3["Error"] == {"Code": "NoSuchKey", "Message": "The key <k> is gone", "Key": "k"}
    assert s3["ResponseMetadata"]["RequestId"] == "X"
    assert lite.error_response("s3", _raw(404, b""))["Error"] == {"Code": "404", "Message": "Not Found"}
    assert lite.error_response("dynamodb", _raw(502, b"<html>bad gateway</html>"))["Error"] == {
        "Code": "502",
        "Message": "Bad Gateway",
    }


def test_s3_header_timestamps_are_aware_datetimes() -> None:
    fields = {"last-modified": ("LastModified", "time"), "x-amz-object-lock-retain-until-date": ("Until", "time")}
    headers = {
        "last-modified": "Thu, 26 Nov 2026 12:51:26 GMT",
        "x-amz-object-lock-retain-until-date": "2027-01-02T03:04:05.000Z",
    }
    parsed = lite._parse_headers(headers, fields)
    assert parsed == {
        "LastModified": dt.datetime(2026, 11, 26, 12, 51, 26, tzinfo=dt.UTC),
        "Until": dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    }


def test_s3_checksum_mismatch_is_detected() -> None:
    crc = _botocore_crc32(b"x")
    assert lite._checksum_ok(_raw(200, b"x", {"x-amz-checksum-crc32": crc})) is None
    assert lite._checksum_ok(_raw(200, b"y", {"x-amz-checksum-crc32": crc})) is not None
    sha = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    assert lite._checksum_ok(_raw(200, b"x", {"x-amz-checksum-sha256": sha})) is None
    assert lite._checksum_ok(_raw(200, b"z", {"x-amz-checksum-sha256": sha})) is not None


def test_missing_credentials_raise_like_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import NoCredentialsError

    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with pytest.raises(NoCredentialsError):
        lite.DynamoDBClient("us-east-1", "http://127.0.0.1:1").get_item(TableName="t", Key={})


# ---- import cost -----------------------------------------------------------------------------------------------

_PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "s3transfer"))))
"""


def _loaded(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code)], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_lite_and_clients_does_not_load_boto3() -> None:
    loaded = _loaded("import courtside.aws.lite, courtside.aws.clients")
    assert "boto3" not in loaded
    assert not {"botocore.session", "botocore.auth", "botocore.client", "botocore.loaders"} & set(loaded)
    assert "botocore.exceptions" in loaded  # errors stay boto3-compatible
    # the probe can fail: asking clients for a boto3 client does load boto3
    assert "boto3" in _loaded("from courtside.aws import clients; clients._session()")


def test_lite_client_via_clients_keeps_boto3_unloaded() -> None:
    code = "from courtside.aws.clients import lite_client; lite_client('dynamodb'); lite_client('s3')"
    loaded = _loaded(code)
    assert "boto3" not in loaded and "botocore.session" not in loaded
