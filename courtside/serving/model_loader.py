"""Turn a serving-model JSON document into an object with ``predict_proba(features) -> float``.

Why a dispatcher: the models engineer's ``courtside.models.pregame.load_model`` knows every training format; until
it exists (and for the formats this package owns, e.g. the compressed trees of :mod:`compression`) we dispatch on
the document's ``format`` field ourselves. Pure Python only: this runs inside the predict Lambda.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol


class ServingModel(Protocol):
    def predict_proba(self, features: Mapping[str, float]) -> float: ...


def model_format(text: str | bytes) -> str | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc.get("format") if isinstance(doc, dict) else None


def parse_model(text: str | bytes) -> ServingModel:
    """Load any supported serving format; raises ValueError for an unknown one."""
    fmt = model_format(text)
    if fmt is not None and fmt.startswith("courtside-compiled"):
        from courtside.serving import compiled  # this package's compressed (code-generated) format

        return compiled.load(text)
    from courtside.models.pregame import load_model

    model: Any = load_model(text)
    return model
