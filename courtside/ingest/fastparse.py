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
are checked after the decode, once per distinct value (:func:`pattern_check`), and anchored the Rust way
(pydantic's default engine): a final ``$`` becomes ``\\Z``, because Python's ``$`` also matches before a trailing
newline. A type this module cannot translate raises at import instead of parsing differently.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Callable
from operator import attrgetter
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import msgspec
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from courtside.events import EVENT_MODELS

__all__ = ["FastReject", "decode_event", "pattern_check", "struct_for"]

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


def _translate(tp: Any, constraints: dict[str, Any], deferred: list[str] | None = None) -> Any:
    """The msgspec type for one pydantic annotation; field-level constraints apply to the non-None members.

    A regex on the field's own string (not inside a list) is moved to `deferred` instead of the msgspec type:
    :func:`pattern_check` then runs it once per distinct value (Python's `re`, which msgspec calls per value, is
    about a third of the whole decode for a game id).
    """
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *meta = get_args(tp)
        return _translate(inner, {**constraints, **_constraints(meta)}, deferred)
    if origin in (Union, types.UnionType):
        members = tuple(_translate(a, constraints, deferred) if a is not type(None) else a for a in get_args(tp))
        return Union[members]  # noqa: UP007
    if origin is Literal:
        if constraints:
            raise TypeError(f"constraints on a Literal: {constraints}")
        return tp
    if origin is list:
        (item,) = get_args(tp)
        return _with_meta(list[_translate(item, {})], constraints)
    if tp is AwareDatetime:
        return _with_meta(dt.datetime, {**constraints, "tz": True})
    if tp is str and "pattern" in constraints and deferred is not None:
        rest = dict(constraints)
        deferred.append(rest.pop("pattern"))
        return _with_meta(str, rest)
    if tp in _SCALARS:
        return _with_meta(tp, constraints)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        raise TypeError(f"{tp.__name__}: a nested model is translated only as a field's whole type")
    raise TypeError(f"no msgspec translation for {tp!r}")


def _with_meta(tp: Any, constraints: dict[str, Any]) -> Any:
    return Annotated[tp, msgspec.Meta(**constraints)] if constraints else tp


_STRUCTS: dict[type[BaseModel], type[msgspec.Struct]] = {}
# Struct -> (dotted field path, pattern) of every deferred regex, nested models' included.
_PATTERNS: dict[type[msgspec.Struct], tuple[tuple[str, str], ...]] = {}


def struct_for(model: type[BaseModel]) -> type[msgspec.Struct]:
    """The msgspec Struct with the fields, defaults and constraints of `model` (cached).

    Its regex constraints are not in the Struct: decode with :func:`pattern_check` of the Struct as well.
    """
    if model in _STRUCTS:
        return _STRUCTS[model]
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict"):
        raise TypeError(f"{model.__name__}: only strict, extra='forbid' models have a msgspec translation")
    required: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    patterns: list[tuple[str, str]] = []
    for name, f in model.model_fields.items():
        if f.alias not in (None, name) or f.default_factory is not None:
            raise TypeError(f"{model.__name__}.{name}: aliases and default factories are not translated")
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if f.metadata or not f.is_required():
                raise TypeError(f"{model.__name__}.{name}: a nested model must be a required, unconstrained field")
            tp = struct_for(ann)
            patterns += [(f"{name}.{path}", rx) for path, rx in _PATTERNS[tp]]
        else:
            deferred: list[str] = []
            tp = _translate(ann, _constraints(f.metadata), deferred)
            patterns += [(name, rx) for rx in deferred]
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
    _PATTERNS[struct] = tuple(patterns)
    return struct


_MEMO_SIZE = 4096  # distinct accepted value combinations kept per Struct (game id + team code, dates, ...)


def pattern_check(struct: type[msgspec.Struct]) -> Callable[[Any], None]:
    """A function that raises FastReject unless every deferred pattern of `struct` matches its decoded value.

    The combinations of values seen to match are remembered (at most `_MEMO_SIZE`, then the memo starts over), so
    the regexes run once per distinct (game id, team code) pair instead of once per record: one C-level attribute
    fetch and one set lookup. `None` (an optional field left out) has nothing to match.
    """
    paths = [path for path, _ in _PATTERNS[struct]]
    searches = [re.compile(rx).search for _, rx in _PATTERNS[struct]]
    if not paths:
        return lambda event: None
    get = attrgetter(*paths) if len(paths) > 1 else (lambda event, one=attrgetter(paths[0]): (one(event),))
    memo: set[tuple] = set()

    def check(event: Any) -> None:
        values = get(event)
        if values in memo:
            return
        for value, search, path in zip(values, searches, paths, strict=True):
            if value is not None and search(value) is None:
                raise FastReject(f"{path} does not match its pattern")
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo.add(values)

    return check


def _decoders() -> dict[bytes, tuple[Callable[[bytes], Any], Callable[[Any], None]]]:
    """event_type -> (msgspec decode, pattern check) of its Struct."""
    out = {}
    for etype, model in EVENT_MODELS.items():
        literal = model.model_fields["event_type"].annotation
        if get_args(literal) != (etype,):
            raise TypeError(f"{model.__name__}.event_type is {literal!r}, expected Literal[{etype!r}]")
        struct = struct_for(model)
        out[etype.encode()] = (msgspec.json.Decoder(struct).decode, pattern_check(struct))
    return out


_DECODERS = _decoders()
# Play-by-play is ~95 % of the stream: its decoder is tried first, with no dispatch at all.
_DECODE_PBP, _CHECK_PBP = _DECODERS[b"pbp"]
_TYPE_KEY = re.compile(rb'"event_type"\s*:\s*"([a-z_]+)"')


def decode_event(raw: bytes) -> Any:
    """The event in `raw` as the msgspec Struct of its type; raises FastReject on anything not accepted.

    pbp first; anything else is dispatched by a search for its `"event_type": "<type>"` key (a msgspec tagged
    union would parse ahead whenever the tag is not the first key, and producers do not promise key order).
    Either way the pick is only a guess: each Struct's own `event_type` Literal still checks it, and input spelled
    otherwise (e.g. escapes) raises FastReject and goes to pydantic.
    """
    try:
        event = _DECODE_PBP(raw)
    except FastReject:
        pass
    else:
        _CHECK_PBP(event)
        return event
    m = _TYPE_KEY.search(raw)
    etype = m.group(1) if m is not None else b"pbp"
    if etype == b"pbp" or etype not in _DECODERS:  # pbp was tried above
        raise FastReject("not accepted by the fast parser")
    decode, check = _DECODERS[etype]
    event = decode(raw)
    check(event)
    return event
