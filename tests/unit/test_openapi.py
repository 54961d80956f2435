"""The OpenAPI document is generated from the code, valid in shape, and docs/api.md is current."""

from __future__ import annotations

from courtside.serving.openapi import API_DOC, openapi_document, render_markdown


def test_document_covers_every_route_and_error_body():
    doc = openapi_document()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/v1/predictions/pregame", "/v1/games/{game_id}/live", "/health"}
    post = doc["paths"]["/v1/predictions/pregame"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PregameRequest")
    assert {"200", "400", "422", "503"} <= set(post["responses"])
    schemas = doc["components"]["schemas"]
    assert set(schemas["PregameRequest"]["required"]) == {"date", "home_team", "away_team"}
    assert {"home_win_probability", "model_version", "features_as_of"} <= set(schemas["PregameResponse"]["required"])
    assert "error" in schemas["ErrorResponse"]["properties"]


def test_docs_api_md_is_current():
    assert API_DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/api.md is stale: run `python -m courtside.serving.openapi --write`"
    )
