"""The OpenAPI document is generated from the code, valid in shape, and docs/api.md is current."""

from __future__ import annotations

import json
import re

from courtside.serving.openapi import API_DOC, openapi_document, render_markdown


def test_document_covers_every_route_and_error_body():
    doc = openapi_document()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/v1/predictions/pregame",
        "/v1/games/{game_id}/live",
        "/health",
        "/v1/users/{user_id}/consent",  # the privacy function's routes, merged into the one public document
        "/v1/users/{user_id}",
    }
    assert set(doc["paths"]["/v1/users/{user_id}/consent"]) >= {"post", "get", "delete"}
    assert "delete" in doc["paths"]["/v1/users/{user_id}"]
    post = doc["paths"]["/v1/predictions/pregame"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PregameRequest")
    assert {"200", "400", "422", "503"} <= set(post["responses"])
    schemas = doc["components"]["schemas"]
    assert set(schemas["PregameRequest"]["required"]) == {"date", "home_team", "away_team"}
    assert {"home_win_probability", "model_version", "features_as_of"} <= set(schemas["PregameResponse"]["required"])
    assert "error" in schemas["ErrorResponse"]["properties"]
    assert {"ConsentRequest", "ConsentRecord", "ErasureReport", "PrivacyError"} <= set(schemas)
    assert {"as_of"} <= set(schemas["LiveResponse"]["properties"])


def test_every_reference_resolves():
    doc = openapi_document()
    text = json.dumps(doc)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs and refs <= set(doc["components"]["schemas"])


def test_docs_api_md_is_current():
    assert API_DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/api.md is stale: run `python -m courtside.serving.openapi --write`"
    )
