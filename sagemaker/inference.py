"""SageMaker inference entry point (serverless endpoint, scikit-learn container, script mode).

Loads the same model JSON the predict Lambda serves (``model.json`` inside ``model.tar.gz``, written by the
training job) with the same stdlib-only loader, so the endpoint and the Lambda give identical numbers. Wire format
(what ``courtside.serving.backends.EndpointBackend`` sends):

    request  {"instances": [{"elo_diff": 85.0, "home_rest_days": 2, ...}, ...]}   (or one bare feature object)
    response {"predictions": [{"home_win_probability": 0.62, "model_version": "courtside-pregame/3"}, ...]}

The model version comes from ``COURTSIDE_MODEL_VERSION`` (set on the SageMaker Model by the CDK app from the
registry) or else the model document's metadata. No ``__init__.py`` in this folder: it must not shadow the SDK.
"""

from __future__ import annotations

import json
import os
from typing import Any

JSON = "application/json"


class _Served:
    def __init__(self, model: Any, version: str) -> None:
        self.model, self.version = model, version


def model_fn(model_dir: str) -> _Served:
    """Load ``model.json`` from the unpacked model artifact directory."""
    from courtside.serving.model_loader import parse_model

    with open(os.path.join(model_dir, "model.json"), encoding="utf-8") as fh:
        text = fh.read()
    doc = json.loads(text)
    version = os.environ.get("COURTSIDE_MODEL_VERSION") or str(
        (doc.get("metadata") or {}).get("model_version") or "unknown"
    )
    return _Served(parse_model(text), version)


def input_fn(request_body: str | bytes, request_content_type: str = JSON) -> list[dict[str, float]]:
    """Parse ``{"instances": [...]}`` (or a single feature object) into feature mappings."""
    if (request_content_type or JSON).split(";")[0].strip() != JSON:
        raise ValueError(f"unsupported content type {request_content_type!r}; send {JSON}")
    doc = json.loads(request_body)
    rows = doc.get("instances", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ValueError("expected {'instances': [ {feature: value}, ... ]}")
    return [{str(k): float(v) for k, v in row.items()} for row in rows]


def predict_fn(rows: list[dict[str, float]], served: _Served) -> list[dict[str, Any]]:
    return [
        {"home_win_probability": float(served.model.predict_proba(row)), "model_version": served.version}
        for row in rows
    ]


def output_fn(predictions: list[dict[str, Any]], accept: str = JSON) -> tuple[str, str]:
    if accept and accept.split(";")[0].strip() not in (JSON, "*/*"):
        raise ValueError(f"unsupported accept type {accept!r}; accept {JSON}")
    return json.dumps({"predictions": predictions}, separators=(",", ":")), JSON
