"""Errors of models built in Python, extras that are not JSON, and UNSET where it cannot go.

A model built in Python must report one error per wrong field, at the field's path,
as the JSON path does; an extra that is not JSON must say where and what it is; and
UNSET in a place that is written (a required field, a list item, an extra) must be
refused with the field's path, never with the name of a private class.
"""

import decimal
import json
import math
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaFunctionCall,
    ChatCompletionChunkTopLogprob,
    CompletionUsage,
    dump,
    dump_chunk,
    parse,
    parse_chunk,
)
from chatchunk._base import NOT_FINITE, find_unset
from chatchunk._unset import UnsetFieldError
from strategies import MODEL_SPECS, assert_json_identical, json_chunks, json_values, minimal_object

Errors = List[Tuple[Tuple[Any, ...], str]]

_CHUNK = (
    b'{"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1764288000,'
    b'"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb",'
    b'"choices":[{"index":0,"delta":{"content":"Hel","tool_calls":[{"index":0,"id":"call_1",'
    b'"type":"function","function":{"name":"get_weather","arguments":""}}]},'
    b'"logprobs":null,"finish_reason":null}]}'
)


def _errors(call: Callable[[], object]) -> List[Dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [dict(error) for error in caught.value.errors(include_url=False)]


def _python_errors(model: Type[BaseModel], data: Dict[str, Any]) -> List[Dict[str, Any]]:
    return _errors(lambda: model(**data))


def _json_errors(model: Type[BaseModel], data: Dict[str, Any]) -> List[Dict[str, Any]]:
    return _errors(lambda: parse(model, json.dumps(data)))  # type: ignore[arg-type]


# --- one error per wrong field, as from JSON ------------------------------------------

# (model, field, wrong value, path of the one error, its type): every shape of field.
SHAPES = [
    pytest.param(ChatCompletionChunkDelta, "content", 5, ("content",), "string_type", id="str"),
    pytest.param(CompletionUsage, "prompt_tokens", "3", ("prompt_tokens",), "int_type", id="int"),
    pytest.param(
        ChatCompletionChunkTopLogprob, "logprob", "x", ("logprob",), "number_type", id="number"
    ),
    pytest.param(
        ChatCompletionChunkChoice,
        "finish_reason",
        3,
        ("finish_reason",),
        "string_type",
        id="open-enum",
    ),
    pytest.param(
        ChatCompletionChunkChoice,
        "stop_reason",
        1.5,
        ("stop_reason",),
        "union_type",
        id="int-or-str",
    ),
    pytest.param(
        ChatCompletionChunkDelta, "function_call", 5, ("function_call",), "model_type", id="model"
    ),
    pytest.param(
        ChatCompletionChunkDelta,
        "function_call",
        {"name": 5},
        ("function_call", "name"),
        "string_type",
        id="inside-a-model",
    ),
    pytest.param(
        ChatCompletionChunkDelta, "tool_calls", 5, ("tool_calls",), "list_type", id="list"
    ),
    pytest.param(
        ChatCompletionChunkDelta,
        "tool_calls",
        [{"index": "0"}],
        ("tool_calls", 0, "index"),
        "int_type",
        id="inside-a-list",
    ),
    pytest.param(
        ChatCompletionChunkTopLogprob,
        "bytes",
        [104, "i"],
        ("bytes", 1),
        "int_type",
        id="list-of-int",
    ),
    pytest.param(ChatCompletionChunk, "id", 7, ("id",), "string_type", id="required-str"),
]


@pytest.mark.parametrize(("model", "name", "value", "loc", "kind"), SHAPES)
def test_a_wrong_field_built_in_python_gives_one_error_as_from_json(
    model: Type[BaseModel], name: str, value: Any, loc: Tuple[Any, ...], kind: str
) -> None:
    data = {**minimal_object(model), name: value}
    python = _python_errors(model, data)
    assert [(error["loc"], error["type"]) for error in python] == [(loc, kind)]
    from_json = _json_errors(model, data)
    assert [(error["loc"], error["type"], error["input"]) for error in from_json] == [
        (error["loc"], error["type"], error["input"]) for error in python
    ]
    if kind not in ("model_type", "list_type"):
        # pydantic words these two by mode ("a valid list" / "a valid array"); the rest
        # read the same.
        assert python[0]["msg"] == from_json[0]["msg"]


def test_several_wrong_fields_give_one_error_each() -> None:
    errors = _python_errors(
        ChatCompletionChunkDelta, {"content": 5, "role": 6, "tool_calls": 7, "reasoning": "ok"}
    )
    assert sorted(error["loc"] for error in errors) == [("content",), ("role",), ("tool_calls",)]
    assert all("Unset" not in error["msg"] for error in errors)


def test_unset_and_none_still_go_in_from_python() -> None:
    delta = ChatCompletionChunkDelta(content=UNSET, tool_calls=None, function_call=UNSET)
    assert delta.content is UNSET
    assert delta.tool_calls is None
    assert delta.function_call is UNSET
    assert dump(delta) == '{"tool_calls":null}'
    # A model instance given for a model field is taken as it is.
    call = ChatCompletionChunkDeltaFunctionCall(name="f")
    assert ChatCompletionChunkDelta(function_call=call).function_call == call


def _error_keys(call: Any) -> Errors:
    try:
        call()
    except ValidationError as error:
        return sorted(((e["loc"], e["type"]) for e in error.errors()), key=repr)
    return []


@pytest.mark.parametrize("model", list(MODEL_SPECS), ids=lambda m: m.__name__)
def test_python_and_json_give_the_same_errors_for_any_json(model: Type[BaseModel]) -> None:
    """For any JSON values in the declared fields, the two paths report the same
    errors (path and type), and no path carries a union member's tag."""
    fields = sorted(model.model_fields)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(fields), json_values, max_size=4))
    def check(data: Dict[str, Any]) -> None:
        text = json.dumps(data)
        validator = model.__pydantic_validator__
        python = _error_keys(lambda: validator.validate_python(json.loads(text)))
        assert python == _error_keys(lambda: validator.validate_json(text))
        for loc, _ in python:
            assert not any(isinstance(part, str) and "[" in part for part in loc), loc

    check()


# --- extras that are not JSON ---------------------------------------------------------

_EXPECTED = (
    "Input should be a JSON value (str, int, float, bool, None, list, or dict with str keys)"
)


@pytest.mark.parametrize(
    ("value", "got"),
    [
        pytest.param({1, 2}, "set", id="set"),
        pytest.param(frozenset(), "frozenset", id="frozenset"),
        pytest.param(b"x", "bytes", id="bytes"),
        # Strict: a tuple would come back out as a list, not the value put in.
        pytest.param((1, 2), "tuple", id="tuple"),
        pytest.param(object(), "object", id="object"),
        pytest.param(1j, "complex", id="complex"),
    ],
)
def test_an_extra_that_is_not_json_names_its_type(value: Any, got: str) -> None:
    errors = _python_errors(ChatCompletionChunkDelta, {"x_foo": value})
    assert errors == [
        {
            "type": "json_value_type",
            "loc": ("x_foo",),
            "msg": f"{_EXPECTED}, got {got}",
            "input": value,
            "ctx": {"got": got},
        }
    ]


def test_a_non_json_value_deep_in_an_extra_is_found_at_its_path() -> None:
    errors = _python_errors(
        ChatCompletionChunk,
        {**minimal_object(ChatCompletionChunk), "x_groq": {"a": [0, {"b": {3}}], "z": 1}},
    )
    assert [(error["loc"], error["msg"]) for error in errors] == [
        (("x_groq", "a", 1, "b"), f"{_EXPECTED}, got set")
    ]


def test_a_dict_key_that_is_not_a_string_is_named() -> None:
    errors = _python_errors(ChatCompletionChunkDelta, {"x_foo": {"ok": [{1: "a"}]}})
    assert [(error["loc"], error["msg"]) for error in errors] == [
        (("x_foo", "ok", 0), f"{_EXPECTED}, got a dict with a key that is not a str: 1")
    ]


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_number_that_is_not_finite_keeps_the_nan_wording(number: float) -> None:
    nested = _python_errors(ChatCompletionChunkDelta, {"x_foo": [1, {"v": number}]})
    assert [(e["loc"], e["type"], e["msg"]) for e in nested] == [
        (("x_foo", 1, "v"), "union_type", NOT_FINITE)
    ]
    text = json.dumps({"x_foo": number})  # NaN, Infinity: JSON as Python writes it
    from_json = _errors(lambda: parse(ChatCompletionChunkDelta, text))
    assert [(e["loc"], e["type"], e["msg"]) for e in from_json] == [
        (("x_foo",), "union_type", NOT_FINITE)
    ]


def test_a_decimal_is_taken_as_a_float_and_a_non_finite_one_is_named() -> None:
    # pydantic's float takes a finite Decimal (and a Fraction) from Python; it is kept so.
    assert dump(ChatCompletionChunkDelta(x_d=decimal.Decimal("1.5"))) == '{"x_d":1.5}'
    errors = _python_errors(ChatCompletionChunkDelta, {"x_d": [decimal.Decimal("NaN")]})
    assert [(e["loc"], e["msg"]) for e in errors] == [(("x_d", 0), NOT_FINITE)]


def test_a_non_json_value_nested_past_the_recursion_limit_is_an_error() -> None:
    value: Any = {1, 2}
    for _ in range(5000):
        value = [value]
    with pytest.raises(ValidationError):
        ChatCompletionChunkDelta(x_deep=value)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_extra_goes_in_from_python_as_from_json(value: Any) -> None:
    built = ChatCompletionChunkDelta(x_any=value)
    parsed = parse(ChatCompletionChunkDelta, json.dumps({"x_any": value}))
    assert built.model_extra is not None
    assert parsed.model_extra is not None
    assert_json_identical(built.model_extra, parsed.model_extra)
    assert_json_identical(json.loads(dump(built)), {"x_any": value})


@st.composite
def _planted(draw: st.DrawFn) -> Tuple[Any, Tuple[Any, ...], Any]:
    """A JSON value with one non-JSON object planted in it, and the path to it."""
    bad = draw(st.sampled_from([{1}, b"b", (1,), object(), math.nan]))
    value: Any = bad
    path: List[Any] = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            before = draw(st.lists(json_values, max_size=2))
            after = draw(st.lists(st.one_of(json_values, st.just({2})), max_size=2))
            value, step = [*before, value, *after], len(before)
        else:
            step = draw(st.text(max_size=3))
            others = draw(st.dictionaries(st.text(max_size=3), json_values, max_size=2))
            others.pop(step, None)
            value = {step: value, **others}  # first in order: found first
        path.insert(0, step)
    return value, tuple(path), bad


@settings(max_examples=200, deadline=None)
@given(_planted())
def test_a_planted_non_json_value_is_reported_at_its_path(
    planted: Tuple[Any, Tuple[Any, ...], Any],
) -> None:
    value, path, bad = planted
    errors = _python_errors(ChatCompletionChunkDelta, {"x_p": value})
    assert len(errors) == 1
    assert errors[0]["loc"] == ("x_p", *path)
    assert errors[0]["input"] is bad


# --- UNSET where it cannot be written -------------------------------------------------


def _instances() -> List[BaseModel]:
    return [model(**minimal_object(model)) for model in MODEL_SPECS]


REQUIRED = [
    pytest.param(model, name, id=f"{model.__name__}.{name}")
    for model in MODEL_SPECS
    for name, field in model.model_fields.items()
    if field.is_required()
]


@pytest.mark.parametrize(("model", "name"), REQUIRED)
def test_unset_assigned_to_a_required_field_is_refused_naming_it(
    model: Type[BaseModel], name: str
) -> None:
    built = model(**minimal_object(model))
    before = getattr(built, name)
    with pytest.raises(UnsetFieldError) as caught:
        setattr(built, name, UNSET)
    assert (
        str(caught.value) == f"{name}: UNSET is not allowed for a required field; give it a value"
    )
    assert caught.value.path == name
    assert getattr(built, name) == before  # nothing half-changed
    assert json.loads(dump(built)) == json.loads(json.dumps(minimal_object(model)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("model", "name"), REQUIRED)
def test_model_construct_refuses_unset_in_a_required_field(
    model: Type[BaseModel], name: str
) -> None:
    with pytest.raises(UnsetFieldError, match=rf"^{name}: UNSET is not allowed for a required"):
        model.model_construct(**{**minimal_object(model), name: UNSET})


def test_a_required_field_takes_any_other_value_by_assignment() -> None:
    chunk = parse_chunk(_CHUNK)
    chunk.model = "gpt-4o"
    chunk.model = "gpt-4o-mini"  # the handler pydantic memoized keeps working
    chunk.system_fingerprint = UNSET  # an OptionalNullable field takes UNSET
    assert json.loads(dump_chunk(chunk))["model"] == "gpt-4o-mini"
    assert "system_fingerprint" not in json.loads(dump_chunk(chunk))
    assert chunk.model_fields_set >= {"model", "system_fingerprint"}


def test_unset_for_a_field_that_is_not_optional_nullable_is_refused() -> None:
    choice = parse_chunk(_CHUNK).choices[0]
    with pytest.raises(UnsetFieldError) as caught:
        choice.delta = UNSET  # type: ignore[assignment]
    assert caught.value.path == "delta"
    assert "ChatCompletionChunkChoice.delta is not an OptionalNullable field" in str(caught.value)


def test_unset_in_an_extra_is_refused_on_assignment_construct_and_copy() -> None:
    delta = ChatCompletionChunkDelta()
    with pytest.raises(UnsetFieldError, match=r"^x_a: UNSET is not allowed for an extra field"):
        delta.x_a = UNSET
    with pytest.raises(UnsetFieldError, match=r"^x_a: "):
        ChatCompletionChunkDelta.model_construct(x_a=UNSET)
    with pytest.raises(UnsetFieldError, match=r"^x_a: "):
        delta.model_copy(update={"x_a": UNSET})
    assert delta.model_extra == {}


def test_model_copy_update_refuses_unset_in_a_required_field() -> None:
    chunk = parse_chunk(_CHUNK)
    with pytest.raises(UnsetFieldError, match=r"^id: UNSET is not allowed for a required field"):
        chunk.model_copy(update={"id": UNSET})
    copied = chunk.model_copy(update={"system_fingerprint": UNSET})
    assert "system_fingerprint" not in json.loads(dump_chunk(copied))


def test_model_construct_refuses_unset_as_a_list_item() -> None:
    with pytest.raises(UnsetFieldError) as caught:
        ChatCompletionChunk.model_construct(
            **{**minimal_object(ChatCompletionChunk), "choices": [UNSET]}
        )
    assert caught.value.path == "choices.0"
    assert str(caught.value) == "choices.0: UNSET is not allowed as a list item"


# Ways to put UNSET where it cannot be written, past the checks on assignment: pydantic
# cannot see into a list or an extras dict, nor into `__dict__`.
def _append_choice(chunk: ChatCompletionChunk) -> None:
    chunk.choices.append(UNSET)  # type: ignore[arg-type]


def _append_tool_call(chunk: ChatCompletionChunk) -> None:
    calls = chunk.choices[0].delta.tool_calls
    assert isinstance(calls, list)
    calls.append(UNSET)  # type: ignore[arg-type]


def _extra_list(chunk: ChatCompletionChunk) -> None:
    extra = chunk.choices[0].delta.__pydantic_extra__
    assert extra is not None
    extra["x_a"] = [1, UNSET]


def _behind_pydantic(chunk: ChatCompletionChunk) -> None:
    vars(chunk)["id"] = UNSET


Spoil = Callable[[ChatCompletionChunk], None]


@pytest.mark.parametrize(
    ("spoil", "path"),
    [
        pytest.param(_append_choice, "choices.1", id="list-of-models"),
        pytest.param(_append_tool_call, "choices.0.delta.tool_calls.1", id="nested-list"),
        pytest.param(_extra_list, "choices.0.delta.x_a.1", id="inside-an-extra"),
        pytest.param(_behind_pydantic, "id", id="behind-pydantic"),
    ],
)
def test_unset_put_in_after_the_checks_is_named_when_written(spoil: Spoil, path: str) -> None:
    chunk = parse_chunk(_CHUNK)
    assert find_unset(chunk) is None
    spoil(chunk)
    found = find_unset(chunk)
    assert found is not None
    assert found.path == path
    for write in (lambda: chunk.model_dump_json(), lambda: chunk.model_dump(mode="json")):
        with pytest.raises(UnsetFieldError) as caught:
            write()
        assert caught.value.path == path
        assert str(caught.value).startswith(f"{path}: UNSET is not allowed")


@pytest.mark.parametrize(
    ("spoil", "path"), [(_behind_pydantic, "id"), (_extra_list, "choices.0.delta.x_a.1")]
)
def test_dump_chunk_of_a_misplaced_unset_names_the_field(spoil: Spoil, path: str) -> None:
    chunk = parse_chunk(_CHUNK)
    spoil(chunk)
    with pytest.raises(UnsetFieldError) as caught:
        dump_chunk(chunk)
    assert str(caught.value).startswith(f"{path}: UNSET is not allowed")
    assert "_NoValue" not in str(caught.value)
    assert "chatchunk." not in str(caught.value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_chunks())
def test_find_unset_finds_nothing_in_a_parsed_chunk(data: Dict[str, Any]) -> None:
    chunk = parse_chunk(json.dumps(data))
    assert find_unset(chunk) is None
    assert json.loads(chunk.model_dump_json()) == json.loads(dump_chunk(chunk))


def test_every_model_built_from_its_required_fields_has_no_misplaced_unset() -> None:
    found: List[Optional[UnsetFieldError]] = [find_unset(model) for model in _instances()]
    assert found == [None] * len(MODEL_SPECS)
