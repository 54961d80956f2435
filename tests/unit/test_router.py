"""The proxy-event router: matching, body validation and the documented error mapping, on a toy route table."""

from __future__ import annotations

import base64
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from courtside.serving.errors import ServiceError
from courtside.serving.router import Route, Router


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    qty: int = 1


class Out(BaseModel):
    name: str


def make() -> Router:
    r = Router()

    def create(item: Item) -> dict[str, Any]:
        if item.name == "boom":
            raise RuntimeError("secret internals")
        if item.name == "gone":
            raise ServiceError(503, "backend_unavailable", "down")
        return {"name": item.name, "qty": item.qty}

    def show(item_id: str) -> dict[str, Any]:
        return {"name": item_id}

    r.add(Route("POST", "/items", create, body=Item, responses={200: ("ok", Out)}))
    r.add(Route("GET", "/items/{item_id}", show, path_params={"item_id": {"type": "string"}}))
    return r


def event(method: str, path: str, body: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"httpMethod": method, "path": path, "body": body, **extra}


def answer(resp: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return resp["statusCode"], json.loads(resp["body"])


def test_path_parameters_and_trailing_slash():
    r = make()
    assert answer(r.resolve(event("GET", "/items/a%20b/"))) == (200, {"name": "a%20b"})
    assert answer(r.resolve(event("GET", "/items/x/y")))[0] == 404


def test_method_not_allowed_names_the_allowed_methods():
    resp = make().resolve(event("DELETE", "/items"))
    assert resp["statusCode"] == 405 and resp["headers"]["Allow"] == "POST"
    assert json.loads(resp["body"])["error"]["code"] == "method_not_allowed"


def test_body_validation_maps_to_400_422_415():
    r = make()
    ok = r.resolve(event("POST", "/items", '{"name": "a", "qty": 2}', headers={"Content-Type": "application/json"}))
    assert answer(ok) == (200, {"name": "a", "qty": 2})
    charset = r.resolve(
        event("POST", "/items", '{"name": "a"}', headers={"content-type": "application/json; charset=utf-8"})
    )
    assert answer(charset)[0] == 200
    status, body = answer(r.resolve(event("POST", "/items", "{nope")))
    assert (status, body["error"]["code"]) == (400, "malformed_json")
    status, body = answer(r.resolve(event("POST", "/items", '{"name": "a", "qty": "many", "x": 1}')))
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert {tuple(d["loc"]) for d in body["error"]["details"]} == {("body", "qty"), ("body", "x")}
    assert all("input" not in d for d in body["error"]["details"])
    assert answer(r.resolve(event("POST", "/items")))[0] == 422  # no body: a schema error, not malformed JSON
    plain = r.resolve(event("POST", "/items", "name=a", headers={"Content-Type": "text/plain"}))
    assert answer(plain)[1]["error"]["code"] == "unsupported_media_type" and plain["statusCode"] == 415


def test_base64_bodies_are_decoded_and_non_utf8_is_a_400():
    r = make()
    good = base64.b64encode(b'{"name": "z"}').decode()
    assert answer(r.resolve(event("POST", "/items", good, isBase64Encoded=True)))[0] == 200
    bad = base64.b64encode(b'{"name": "\xff"}').decode()
    status, body = answer(r.resolve(event("POST", "/items", bad, isBase64Encoded=True)))
    assert (status, body["error"]["code"]) == (400, "malformed_body")


def test_service_errors_keep_their_code_and_crashes_hide_internals():
    r = make()
    status, body = answer(r.resolve(event("POST", "/items", '{"name": "gone"}')))
    assert (status, body["error"]["code"]) == (503, "backend_unavailable")
    status, body = answer(r.resolve(event("POST", "/items", '{"name": "boom"}')))
    assert (status, body["error"]["code"]) == (500, "internal_error")
    assert "secret" not in json.dumps(body)


def test_openapi_document_from_the_route_table():
    doc = make().openapi({"title": "t", "version": "1"})
    post = doc["paths"]["/items"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Out"}
    assert doc["paths"]["/items/{item_id}"]["get"]["parameters"][0]["name"] == "item_id"
    assert set(doc["components"]["schemas"]["Item"]["required"]) == {"name"}
