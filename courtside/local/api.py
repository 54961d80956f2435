"""Local stand-in for API Gateway: turns HTTP requests into REST API (v1) Lambda proxy events.

It calls the same handler the cloud integration calls and returns its `statusCode`/`headers`/`body`. Like the
cloud API it enforces a request size limit, and it answers `GET /health` itself while the stack is still
starting (503 with a JSON progress body), handing it to the handler once everything is ready.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from courtside.local.lambda_context import LocalLambdaContext
from courtside.serving.router import json_response  # the proxy response shape the predict router returns

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024  # mirrors the API's request size limit in the CDK app

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """A resource template (API Gateway style, e.g. /v1/games/{game_id}/live) and the function behind it."""

    resource: str
    function_name: str
    handler: Callable[[], Handler]  # resolved lazily so a missing optional function does not block start-up

    def match(self, path: str) -> dict[str, str] | None:
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.resource)) + "$"
        m = re.match(pattern, path)
        return m.groupdict() if m else None


def error_response(status: int, code: str, message: str) -> dict[str, Any]:
    return json_response(status, {"error": {"code": code, "message": message}})


class LocalApi:
    """A threaded HTTP server on loopback that routes to Lambda handlers."""

    def __init__(
        self,
        routes: list[Route],
        host: str = "127.0.0.1",
        port: int = 3000,
        readiness: Callable[[], dict[str, Any]] | None = None,
        extra_get: dict[str, Callable[[], dict[str, Any]]] | None = None,
        stage: str = "v1",
    ) -> None:
        self.routes, self.host, self.port, self.stage = routes, host, port, stage
        self.readiness = readiness or (lambda: {"ready": True})
        self.extra_get = extra_get or {}
        # One lock per function: a Lambda container serves one request at a time, so latency under concurrent
        # clients queues here as it would on one warm container. Handlers do not rely on it for correctness (the
        # predict handler serialises Powertools' process-wide request state itself; tests/unit/test_predict_threads).
        self._containers: dict[str, threading.Lock] = {r.function_name: threading.Lock() for r in routes}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def proxy_event(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[Route, dict]:
        parts = urlsplit(raw_path)
        for route in self.routes:
            params = route.match(parts.path)
            if params is not None:
                break
        else:
            raise LookupError(parts.path)
        try:
            text, is_b64 = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, is_b64 = base64.b64encode(body).decode("ascii"), True
        query = dict(parse_qsl(parts.query)) or None
        event = {
            "resource": route.resource,
            "path": parts.path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": query,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.resource,
                "httpMethod": method,
                "path": f"/{self.stage}{parts.path}",
                "stage": self.stage,
                "requestId": str(uuid.uuid4()),
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
                "accountId": "123456789012",
                "apiId": "local",
            },
            "body": text if body else None,
            "isBase64Encoded": is_b64,
        }
        return route, event

    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        path = urlsplit(raw_path).path
        if len(body) > MAX_BODY_BYTES:
            return error_response(413, "payload_too_large", f"request body exceeds {MAX_BODY_BYTES} bytes")
        if method == "GET" and path in self.extra_get:
            return json_response(200, self.extra_get[path]())
        if path == "/health":
            state = self.readiness()
            if not state.get("ready"):
                return json_response(503, {"status": "starting", **state})
        try:
            route, event = self.proxy_event(method, raw_path, headers, body)
        except LookupError:
            return error_response(404, "not_found", f"no route for {path}")
        try:
            with self._containers[route.function_name]:
                return route.handler()(event, LocalLambdaContext(function_name=route.function_name))
        except Exception:  # API Gateway turns a crashed integration into 502; keep that contract visible
            log.exception("handler for %s raised", route.resource)
            return error_response(502, "integration_error", "the function behind this route failed")

    def start(self) -> LocalApi:
        api = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self.rfile.read(length)
                    result = error_response(413, "payload_too_large", f"request body exceeds {MAX_BODY_BYTES} bytes")
                else:
                    body = self.rfile.read(length) if length else b""
                    result = api.dispatch(self.command, self.path, dict(self.headers.items()), body)
                payload = result.get("body") or ""
                data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode("utf-8")
                self.send_response(int(result.get("statusCode", 200)))
                headers = {"Content-Type": "application/json", **(result.get("headers") or {})}
                for k, v in headers.items():
                    if k.lower() != "content-length":
                        self.send_header(k, str(v))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle  # noqa: N815

            def log_message(self, fmt: str, *args: Any) -> None:
                log.debug("api %s", fmt % args)

        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
