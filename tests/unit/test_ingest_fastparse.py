"""The fast parser's contract: what it accepts, the pydantic schema accepts with the same values (it may only be
stricter, since pydantic re-parses whatever it rejects). Checked on valid events of every type and on
hypothesis-mutated ones aimed at the places where two parsers could differ (patterns and `$`, strict numbers,
big ints, timestamps, unicode, duplicate and unknown keys)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import msgspec
import pytest
from _ingest_support import GAME, final, pbp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from courtside.events import EVENT_ADAPTER, EVENT_MODELS, PAYLOAD_MODELS, make_event
from courtside.ingest.fastparse import FastReject, _rust_anchored, decode_event, struct_for


def scheduled() -> dict:
    payload = {"season": 2019, "date": "2018-10-16", "home_team": "BOS", "away_team": "PHI", "home_players": [1, 2]}
    return make_event("game_scheduled", GAME, "2018-10-16T12:00:00Z", payload)


def box() -> dict:
    payload = {
        "player_id": 202681,
        "player_name": "Kyrie Irving",
        "team": "BOS",
        "starter": True,
        "start_position": "G",
        "minutes": 30.5,
        "pts": 7,
        "fgm": 2,
        "fga": 14,
        "fg3m": 1,
        "fg3a": 5,
        "ftm": 2,
        "fta": 2,
        "plus_minus": -4,
    }
    return make_event("player_box", GAME, "2018-10-17T02:00:00Z", payload, seq=202681)


VALID = [
    pbp(7, 2, 431.5, home=40, away=38, team="BOS", player1_id=1, description="Irving 3PT Jump Shot"),
    pbp(1),
    final(105, 87),
    scheduled(),
    box(),
]


def plain(value: Any) -> Any:
    """A parsed event (Struct or model) as comparable builtins."""
    if isinstance(value, msgspec.Struct):
        return {f: plain(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, BaseModel):
        return {f: plain(getattr(value, f)) for f in type(value).model_fields}
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None), value.utcoffset())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return (type(value), value)


def verdicts(raw: bytes) -> tuple[Any, Any]:
    try:
        fast = plain(decode_event(raw))
    except FastReject:
        fast = None
    try:
        model = plain(EVENT_ADAPTER.validate_json(raw))
    except ValidationError:
        model = None
    return fast, model


def assert_contract(raw: bytes) -> None:
    fast, model = verdicts(raw)
    if fast is not None:
        assert model is not None, f"fast parser accepted what pydantic rejects: {raw!r}"
        assert fast == model, raw


@pytest.mark.parametrize("event", VALID, ids=lambda e: e["event_type"])
def test_valid_events_of_every_type_parse_alike(event: dict) -> None:
    for raw in (json.dumps(event).encode(), json.dumps(event, separators=(",", ":")).encode()):
        fast, model = verdicts(raw)
        assert model is not None and fast == model
        assert decode_event(raw).event_type == event["event_type"]  # the rules read it as they read the model's


def test_every_model_field_is_translated() -> None:
    for model in [*EVENT_MODELS.values(), *PAYLOAD_MODELS.values()]:
        assert struct_for(model).__struct_fields__ == tuple(
            sorted(model.model_fields, key=lambda n: not model.model_fields[n].is_required())
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e | {"game_id": GAME + "\n"},  # Python's `$` would match before the newline; Rust's does not
        lambda e: e | {"occurred_at": "2018-10-16T23:05:00"},  # naive
        lambda e: e | {"payload": e["payload"] | {"period": 2.0}},  # strict int
        lambda e: e | {"payload": e["payload"] | {"period": True}},
        lambda e: e | {"payload": e["payload"] | {"team": "bos"}},
        lambda e: e | {"payload": e["payload"] | {"clock_seconds": "12"}},
        lambda e: e | {"payload": e["payload"] | {"extra": 1}},
        lambda e: e | {"schema_version": "1.1"},
        lambda e: {k: v for k, v in e.items() if k != "event_id"},
    ],
)
def test_bad_input_is_rejected_by_both(change: Any) -> None:
    fast, model = verdicts(json.dumps(change(pbp(3, home=2, away=0))).encode())
    assert fast is None and model is None


def test_stricter_cases_go_to_pydantic_and_keep_its_verdict() -> None:
    base = json.dumps(pbp(3, home=2, away=0))
    big = base.replace('"event_num": 3', f'"event_num": 3, "player1_id": {2**70}').encode()  # beyond 64 bits
    dup = base.replace('"period": 1', '"period": 99, "period": 1').encode()  # duplicate key, last wins
    spaced = base.replace('"event_type": "pbp"', '"event_type" :  "pbp"').encode()
    for raw in (big, dup, spaced):
        fast, model = verdicts(raw)
        assert model is not None
        assert fast is None or fast == model


def test_rust_anchoring() -> None:
    assert _rust_anchored("^[A-Z]{2}$") == r"^[A-Z]{2}\Z"
    assert _rust_anchored(r"^a\$") == r"^a\$"


def test_untranslatable_models_raise_instead_of_parsing_differently() -> None:
    class Lax(BaseModel):
        model_config = ConfigDict(extra="forbid")
        x: int

    class Multiple(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        x: Annotated[int, Field(multiple_of=3)]

    for model in (Lax, Multiple):
        with pytest.raises(TypeError):
            struct_for(model)


# Values chosen where two JSON/validation engines could disagree.
tricky = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**66), 2**66),
    st.sampled_from([0, -1, 250, 251, 720, 10_000, 2**63 - 1, 2**63, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 720.0, 720.0000001, 1e308, 5e-324]),
    st.sampled_from(
        [
            "BOS",
            "BOS\n",
            "BO",
            "B0S1",
            "BOSTN",
            "\u0661\u0662",
            "2018-10-16",
            "2018-10-16\n",
            "2018-1-16",
            GAME,
            GAME + "\n",
            "20181016_PHI_at_BO",
            "2018-10-16T23:05:00Z",
            "2018-10-16t23:05:00z",
            "2018-10-16 23:05:00Z",
            "2018-10-16T23:05:00.123456789Z",
            "2018-10-16T23:05:00+00:00",
            "2018-10-16T23:05:00-05:30",
            "2018-10-16T23:05:00+24:00",
            "2018-10-16T23:05:60Z",
            "2018-10-16T24:00:00Z",
            "2018-02-30T23:05:00Z",
            "0000-01-01T00:00:00Z",
            "2018-10-16T23:05Z",
            "2018-10-16",
            "1539731100",
            "1.0",
            "pbp",
            "",
            "\x00",
            "\u00e9\u00e9",
        ]
    ),
    st.text(max_size=12),
    st.lists(st.integers(-5, 2**65), max_size=3),
)


def near(value: Any) -> st.SearchStrategy:
    """Values like `value` (mostly still valid, sometimes just over an edge) or, now and then, anything tricky."""
    if isinstance(value, bool):
        like = st.booleans()
    elif isinstance(value, int):
        like = st.integers(value - 3, value + 3) | st.sampled_from([0, 1, 200, 250, 251])
    elif isinstance(value, float):
        like = st.floats(-1, 800, allow_nan=False) | st.integers(0, 720)
    elif isinstance(value, str):
        like = st.sampled_from([value, value + "\n", value.lower(), value[:-1], " " + value, value.replace("-", "/")])
    else:
        like = st.none()
    return st.one_of(like, like, like, tricky)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    ev = json.loads(json.dumps(draw(st.sampled_from(VALID))))
    for _ in range(draw(st.integers(0, 2))):
        where = ev if draw(st.booleans()) else ev.get("payload")
        if not isinstance(where, dict) or not where:
            break
        key = draw(st.sampled_from(sorted(where)))
        action = draw(st.sampled_from(["set", "set", "set", "delete", "extra"]))
        if action == "set":
            where[key] = draw(near(where[key]))
        elif action == "delete":
            del where[key]
        else:
            where[key + draw(st.sampled_from(["_x", ""]))] = draw(tricky)
    raw = json.dumps(ev, ensure_ascii=draw(st.booleans()), separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])))
    if draw(st.booleans()):  # a duplicate key, spliced in front of the real one
        key = draw(st.sampled_from(["period", "home_score", "game_id", "event_type", "occurred_at", "team"]))
        raw = raw.replace(f'"{key}":', f'"{key}": {json.dumps(draw(tricky))}, "{key}":', 1)
    return raw.encode()


@given(mutated())
@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_fast_parser_never_accepts_what_pydantic_rejects(raw: bytes) -> None:
    assert_contract(raw)


@given(st.binary(max_size=80).map(lambda b: json.dumps(pbp(2, home=1, away=0)).encode()[:120] + b))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_contract_holds_on_corrupted_bytes(raw: bytes) -> None:
    assert_contract(raw)


def test_pattern_memo_remembers_only_matching_values() -> None:
    good = pbp(5, home=2, away=0, team="BOS")
    for _ in range(3):  # the second and third decode hit the memo
        assert decode_event(json.dumps(good).encode()).payload.team == "BOS"
    for bad in (good | {"game_id": GAME + "\n"}, good | {"payload": good["payload"] | {"team": "BOS\n"}}):
        with pytest.raises(FastReject):
            decode_event(json.dumps(bad).encode())
