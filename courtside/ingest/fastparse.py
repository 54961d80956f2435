"""The stream's fast parser: msgspec Structs generated from the pydantic event models of :mod:`courtside.events`.

Why: on the validate function's hot path the JSON parse is most of the cost. pydantic-core builds two model
instances and a datetime per record at ~5 us; msgspec decodes the same JSON into the same checks at a
fraction of that. The pydantic models stay the one schema: the Structs are derived from them at import
(:func:`struct_for`), never written by hand, so a new field or constraint reaches both parsers.

Contract (what :mod:`courtside.ingest.core` relies on, and what ``tests/unit/test_ingest_fastparse.py`` checks on
real and mutated events):
- whatever this parser accepts, the pydantic schema accepts too, with the same field values;
- whatever it rejects goes to pydantic, which either accepts it (the fast parser may be stricter, e.g. on
  integers beyond 64 bits) or raises the error whose classification becomes the quarantine reason.
So the outcome of a record never depends on which parser looked at it; pydantic remains the arbiter of bad input.

Translation rules: ``strict`` pydantic types map to msgspec's strict types (a JSON int for an int, int or float
for a float, true/false for a bool); ``ge/le/gt/lt`` and ``min_length/max_length`` map to ``msgspec.Meta``;
``extra="forbid"`` maps to ``forbid_unknown_fields``; ``AwareDatetime`` to a datetime with ``tz=True``; the
event union's ``event_type`` discriminator to one decoder per event type (:func:`decode_event`). Regex patterns
are anchored the Rust way (pydantic's default engine): a final ``$`` becomes ``\\Z``, because Python's ``$``
also matches before a trailing newline. A type this module cannot translate raises at import instead of parsing
differently.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import msgspec
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from courtside.events import EVENT_MODELS

__all__ = ["FastReject", "decode_event", "struct_for"]

# A record the fast parser does not accept: hand it to pydantic (the arbiter).
FastReject = msgspec.DecodeError

_SCALARS = (int, float, str, bool)
_META_KEYS = {
    at.Ge: "ge",
    at.Le: "le",
    at.Gt: "gt",
    at.Lt: "lt",
    at.MinLen: "min_length",
    at.MaxLen: "max_length",
}


def _rust_anchored(pattern: str) -> str:
    """A pydantic (Rust regex) pattern as a Python one with the same matches: `$` anchors at the very end only."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + r"\Z"
    return pattern


def _constraints(metadata: typing.Iterable[Any]) -> dict[str, Any]:
    """msgspec.Meta keywords from pydantic/annotated-types metadata. Unknown constraints are an error."""
    out: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, FieldInfo):
            out.update(_constraints(m.metadata))
            continue
        key = _META_KEYS.get(type(m))
        if key is not None:
            out[key] = getattr(m, key)
            continue
        pattern = getattr(m, "pattern", None)
        if pattern is not None and type(m).__name__ == "_PydanticGeneralMetadata":
            extra = {k: v for k, v in vars(m).items() if k != "pattern"}
            if extra:
                raise TypeError(f"constraints without a msgspec translation: {extra}")
            out["pattern"] = _rust_anchored(pattern)
            continue
        raise TypeError(f"constraint without a msgspec translation: {m!r}")
    return out


def _translate(tp: Any, constraints: dict[str, Any]) -> Any:
    """The msgspec type for one pydantic annotation; field-level constraints apply to the non-None members."""
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *meta = get_args(tp)
        return _translate(inner, {**constraints, **_constraints(meta)})
    if origin in (Union, types.UnionType):
        return Union[tuple(_translate(a, constraints) if a is not type(None) else a for a in get_args(tp))]  # noqa: UP007
    if origin is Literal:
        if constraints:
            raise TypeError(f"constraints on a Literal: {constraints}")
        return tp
    if origin is list:
        (item,) = get_args(tp)
        return _with_meta(list[_translate(item, {})], constraints)
    if tp is AwareDatetime:
        return _with_meta(dt.datetime, {**constraints, "tz": True})
    if tp in _SCALARS:
        return _with_meta(tp, constraints)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if constraints:
            raise TypeError(f"constraints on a nested model: {constraints}")
        return struct_for(tp)
    raise TypeError(f"no msgspec translation for {tp!r}")


def _with_meta(tp: Any, constraints: dict[str, Any]) -> Any:
    return Annotated[tp, msgspec.Meta(**constraints)] if constraints else tp


_STRUCTS: dict[type[BaseModel], type[msgspec.Struct]] = {}


def struct_for(model: type[BaseModel]) -> type[msgspec.Struct]:
    """The msgspec Struct with the fields, defaults and constraints of `model` (cached)."""
    if model in _STRUCTS:
        return _STRUCTS[model]
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict"):
        raise TypeError(f"{model.__name__}: only strict, extra='forbid' models have a msgspec translation")
    required: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for name, f in model.model_fields.items():
        if f.alias not in (None, name) or f.default_factory is not None:
            raise TypeError(f"{model.__name__}.{name}: aliases and default factories are not translated")
        tp = _translate(f.annotation, _constraints(f.metadata))
        if f.is_required():
            required.append((name, tp))
        else:
            optional.append((name, tp, f.default))
    fields = [*required, *((n, t, msgspec.field(default=d)) for n, t, d in optional)]
    namespace = {"__module__": __name__, "__doc__": f"msgspec form of {model.__qualname__}."}
    struct = msgspec.defstruct(
        f"Fast{model.__name__}", fields, namespace=namespace, forbid_unknown_fields=True, frozen=True
    )
    _STRUCTS[model] = struct
    return struct


def _decoders() -> dict[bytes, Any]:
    out = {}
    for etype, model in EVENT_MODELS.items():
        literal = model.model_fields["event_type"].annotation
        if get_args(literal) != (etype,):
            raise TypeError(f"{model.__name__}.event_type is {literal!r}, expected Literal[{etype!r}]")
        out[etype.encode()] = msgspec.json.Decoder(struct_for(model)).decode
    return out


_DECODERS = _decoders()
# Play-by-play is ~95 % of the stream: its decoder is tried first, with no dispatch at all.
_DECODE_PBP = _DECODERS[b"pbp"]
_TYPE_KEY = re.compile(rb'"event_type"\s*:\s*"([a-z_]+)"')


def decode_event(raw: bytes) -> Any:
    """The event in `raw` as the msgspec Struct of its type; raises FastReject on anything not accepted.

    pbp first; anything else is dispatched by a search for its `"event_type": "<type>"` key (a msgspec tagged
    union would parse ahead whenever the tag is not the first key, and producers do not promise key order).
    Either way the pick is only a guess: each Struct's own `event_type` Literal still checks it, and input spelled
    otherwise (e.g. escapes) raises FastReject and goes to pydantic.
    """
    try:
        return _DECODE_PBP(raw)
    except FastReject:
        pass
    m = _TYPE_KEY.search(raw)
    decode = _DECODERS.get(m.group(1)) if m is not None else None
    if decode is None or decode is _DECODE_PBP:
        raise FastReject("not accepted by the fast parser")
    return decode(raw)
