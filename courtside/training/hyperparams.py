"""Training hyperparameters, parsed the same way from SageMaker's `hyperparameters.json` and from CLI arguments.

SageMaker passes every hyperparameter as a string (`{"c": "1.0"}`), so parsing coerces types explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Hyperparameters:
    model_kind: str = "logistic"
    c: float = 1.0
    min_season: int | None = None  # keep seasons >= this (None: all)
    max_season: int | None = None  # keep seasons <= this (None: all)
    recency_half_life: float | None = None  # seasons; sample weight 0.5 ** (age / half_life); None: no weights
    seed: int = 42
    extra: tuple[tuple[str, str], ...] = ()  # hyperparameters this module does not know (passed to other models)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Hyperparameters:
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        kwargs: dict[str, Any] = {}
        extra: list[tuple[str, str]] = []
        for raw_key, raw in values.items():
            key = raw_key.replace("-", "_")
            if key not in known:
                extra.append((key, _as_str(raw)))
                continue
            kwargs[key] = _coerce(key, raw)
        return cls(**kwargs, extra=tuple(sorted(extra)))

    def as_dict(self) -> dict[str, Any]:
        """Flat dict (JSON-serialisable) including the extra hyperparameters."""
        d = asdict(self)
        extra = d.pop("extra")
        d.update({k: v for k, v in extra})
        return d

    def as_sagemaker(self) -> dict[str, str]:
        """The string-valued form SageMaker writes to hyperparameters.json (None values dropped)."""
        return {k: _as_str(v) for k, v in self.as_dict().items() if v is not None}


def _as_str(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


_INTS = {"min_season", "max_season", "seed"}
_FLOATS = {"c", "recency_half_life"}


def _coerce(key: str, raw: Any) -> Any:
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith('"') and text.endswith('"'):
            text = text[1:-1]
        if text.lower() in {"", "none", "null"}:
            return None
        raw = text
    if raw is None:
        return None
    if key in _INTS:
        return int(float(raw))
    if key in _FLOATS:
        return float(raw)
    return str(raw)
