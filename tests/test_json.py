"""The round-trip contract: what was read is written back, exactly by value.

For every valid chunk ``p`` the strategies draw, reading ``json.dumps(p)`` and
writing it again gives ``p`` back with the same keys, the same ``null`` s and
the same JSON types (``1`` stays ``1``, ``1.0`` stays ``1.0``, ``-0.0`` keeps
its sign), whichever input type, output form or copy of the model is used.
"""

import copy
import json
import pickle
import re
from typing import Any, Dict, List, Optional, Tuple, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkChoiceLogprobs,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaFunctionCall,
    ChatCompletionChunkDeltaToolCall,
    ChatCompletionChunkDeltaToolCallFunction,
    ChatCompletionChunkTokenLogprob,
    ChatCompletionChunkTopLogprob,
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
    Unset,
    UnsetFieldError,
    chunk_to_dict,
    dump,
    dump_chunk,
    parse,
    parse_chunk,
    to_dict,
)
from strategies import (
    MODEL_SPECS,
    SENTINEL_LOOKALIKE,
    FieldSpec,
    assert_json_identical,
    json_chunk_texts,
    json_chunks,
    json_difference,
    json_objects,
    minimal_object,
    non_json_items,
    type_strict_equal,
)

# The main property runs 300 examples; the others fewer, so the file stays
# well under 20 s. No deadline: the first example pays for imports and
# schema building, and timing is not what is under test.
MAIN = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDARY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PER_MODEL = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _bytes_forms(text: str) -> List[Any]:
    raw = text.encode()
    return [text, raw, bytearray(raw), memoryview(raw), memoryview(bytearray(raw))]


# ---------------------------------------------------------------------------
# The helpers the properties rest on
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1, 1.0),
        (True, 1),
        (False, 0),
        (0.0, -0.0),
        (None, False),
        ("1", 1),
        ({"a": 1}, {"a": 1, "b": None}),
        ([1, 2], [1, 2, 3]),
        ({"a": [1, {"b": 1}]}, {"a": [1, {"b": 1.0}]}),
        ({"a": {"b": -0.0}}, {"a": {"b": 0.0}}),
        (2**200, 2**200 + 1),
    ],
)
def test_type_strict_equal_tells_apart_what_json_tells_apart(a: Any, b: Any) -> None:
    assert not type_strict_equal(a, b)
    assert not type_strict_equal(b, a)
    assert json_difference(a, b) is not None


@pytest.mark.parametrize(
    "value",
    [None, True, 0, 2**200, -0.0, 1.5e300, "", "\u2028", [], {}, {"a": [1, 1.0, {"b": None}]}],
)
def test_type_strict_equal_accepts_a_value_and_its_json_copy(value: Any) -> None:
    assert type_strict_equal(value, json.loads(json.dumps(value)))


def test_specs_name_every_declared_field_of_every_model() -> None:
    # Generation must cover each declared field: a new field needs a strategy.
    assert set(MODEL_SPECS) == {
        ChatCompletionChunk,
        ChatCompletionChunkChoice,
        ChatCompletionChunkChoiceLogprobs,
        ChatCompletionChunkDelta,
        ChatCompletionChunkDeltaFunctionCall,
        ChatCompletionChunkDeltaToolCall,
        ChatCompletionChunkDeltaToolCallFunction,
        ChatCompletionChunkTokenLogprob,
        ChatCompletionChunkTopLogprob,
        CompletionUsage,
        CompletionUsageCompletionTokensDetails,
        CompletionUsagePromptTokensDetails,
    }
    for model, spec in MODEL_SPECS.items():
        assert spec.declared == set(model.model_fields), model.__name__
        for name in spec.required:
            assert model.model_fields[name].is_required(), (model.__name__, name)
        for name in spec.optional_nullable:
            assert model.model_fields[name].default is UNSET, (model.__name__, name)
        for name in spec.optional:
            field = model.model_fields[name]
            assert not field.is_required(), (model.__name__, name)
            assert field.default is not UNSET, (model.__name__, name)


@SECONDARY
@given(json_chunks())
def test_strategy_draws_json_values_with_the_required_keys(p: Dict[str, Any]) -> None:
    assert non_json_items(p) == []
    assert {"id", "choices", "created", "model", "object"} <= p.keys()
    assert 0 <= len(p["choices"]) <= 3
    for choice in p["choices"]:
        assert "index" in choice
    assert type_strict_equal(json.loads(json.dumps(p)), p)


# ---------------------------------------------------------------------------
# The main property: JSON in, the same JSON out
# ---------------------------------------------------------------------------


@MAIN
@given(json_chunk_texts())
def test_dump_chunk_gives_back_the_parsed_json(text_and_value: Tuple[str, Dict[str, Any]]) -> None:
    text, p = text_and_value
    chunk = parse_chunk(text)
    out = dump_chunk(chunk)
    assert isinstance(out, str)
    assert_json_identical(json.loads(out), p)


@SECONDARY
@given(json_chunks())
def test_indented_dump_gives_back_the_parsed_json(p: Dict[str, Any]) -> None:
    chunk = parse_chunk(json.dumps(p))
    assert_json_identical(json.loads(dump_chunk(chunk, indent=2)), p)
    assert_json_identical(json.loads(dump_chunk(chunk, indent=0)), p)


@SECONDARY
@given(json_chunks())
def test_chunk_to_dict_is_the_parsed_json(p: Dict[str, Any]) -> None:
    chunk = parse_chunk(json.dumps(p))
    assert_json_identical(chunk_to_dict(chunk), p)
    assert_json_identical(to_dict(chunk), p)
    # A fresh object each call: mutating the result must not touch the model.
    first = chunk_to_dict(chunk)
    first["id"] = ["mutated"]
    first["choices"].append({"index": -1})
    assert_json_identical(chunk_to_dict(chunk), p)


@SECONDARY
@given(json_chunks(), st.booleans())
def test_every_input_type_gives_the_same_model(p: Dict[str, Any], ensure_ascii: bool) -> None:
    text = json.dumps(p, ensure_ascii=ensure_ascii)
    expected = parse_chunk(text)
    for data in _bytes_forms(text):
        assert parse_chunk(data) == expected, type(data)
        assert parse(ChatCompletionChunk, data) == expected, type(data)
        assert_json_identical(json.loads(dump_chunk(parse_chunk(data))), p)


@SECONDARY
@given(json_chunks())
def test_parsing_the_dump_gives_an_equal_model(p: Dict[str, Any]) -> None:
    chunk = parse_chunk(json.dumps(p))
    again = parse_chunk(dump_chunk(chunk))
    assert again == chunk
    assert parse_chunk(dump_chunk(chunk, indent=2)) == chunk
    assert parse_chunk(dump_chunk(chunk).encode()) == chunk
    assert dump_chunk(again) == dump_chunk(chunk)


@SECONDARY
@given(json_chunks())
def test_python_mode_validation_matches_json_mode(p: Dict[str, Any]) -> None:
    from_json = parse_chunk(json.dumps(p))
    from_python = ChatCompletionChunk.model_validate(p)
    assert from_python == from_json
    assert dump_chunk(from_python) == dump_chunk(from_json)
    assert_json_identical(chunk_to_dict(from_python), p)
    # pydantic's own entry points follow the same rules.
    assert_json_identical(from_python.model_dump(mode="json"), p)
    assert_json_identical(from_python.model_dump(), p)
    assert_json_identical(json.loads(from_python.model_dump_json()), p)
    assert ChatCompletionChunk.model_validate_json(json.dumps(p)) == from_json
    assert ChatCompletionChunk.model_validate(from_json.model_dump()) == from_json


@SECONDARY
@given(json_chunks(), st.integers(min_value=0, max_value=pickle.HIGHEST_PROTOCOL))
def test_copies_dump_identically(p: Dict[str, Any], protocol: int) -> None:
    chunk = parse_chunk(json.dumps(p))
    expected = dump_chunk(chunk)
    copies = {
        "pickle": pickle.loads(pickle.dumps(chunk, protocol=protocol)),
        "deepcopy": copy.deepcopy(chunk),
        "copy": copy.copy(chunk),
        "model_copy": chunk.model_copy(),
        "model_copy(deep)": chunk.model_copy(deep=True),
    }
    for how, copied in copies.items():
        assert copied == chunk, how
        assert dump_chunk(copied) == expected, how
        assert_json_identical(chunk_to_dict(copied), p)


# ---------------------------------------------------------------------------
# Absent, null and value stay apart at every level
# ---------------------------------------------------------------------------


def _assert_tristate(model: BaseModel, raw: Dict[str, Any], path: str) -> None:
    spec = MODEL_SPECS[type(model)]
    for name in spec.required:
        _assert_value(getattr(model, name), raw[name], f"{path}.{name}")
    for name in spec.optional_nullable:
        value = getattr(model, name)
        if name not in raw:
            assert value is UNSET, f"{path}.{name} was absent but reads {value!r}"
        elif raw[name] is None:
            assert value is None, f"{path}.{name} was null but reads {value!r}"
        else:
            assert value is not UNSET, f"{path}.{name}"
            _assert_value(value, raw[name], f"{path}.{name}")
    if "delta" in spec.optional:
        delta = model.delta  # type: ignore[attr-defined]
        assert isinstance(delta, ChatCompletionChunkDelta)
        if "delta" in raw:
            assert type(delta) is ChatCompletionChunkDelta, path
            _assert_value(delta, raw["delta"], f"{path}.delta")
        else:
            # An absent delta reads as an empty one.
            assert delta.model_fields_set == set(), path
            assert delta.model_extra == {}, path
            for name in ChatCompletionChunkDelta.model_fields:
                assert getattr(delta, name) is UNSET, f"{path}.delta.{name}"
    extras = {key: value for key, value in raw.items() if key not in spec.declared}
    assert model.model_extra is not None
    assert_json_identical(model.model_extra, extras)


def _assert_value(value: Any, raw: Any, path: str) -> None:
    if isinstance(value, BaseModel):
        assert isinstance(raw, dict), path
        _assert_tristate(value, raw, path)
    elif isinstance(value, list):
        assert isinstance(raw, list), path
        assert len(value) == len(raw), path
        for i, (item, raw_item) in enumerate(zip(value, raw)):
            _assert_value(item, raw_item, f"{path}[{i}]")
    else:
        # Scalars keep their JSON type: a string is a str (never the sentinel),
        # a logprob of 0 an int, -0.0 a negative float.
        difference = json_difference(value, raw)
        assert difference is None, f"{path}: {difference}"


@SECONDARY
@given(json_chunks())
def test_unset_exactly_where_the_key_was_absent(p: Dict[str, Any]) -> None:
    _assert_tristate(parse_chunk(json.dumps(p)), p, "$")
    _assert_tristate(ChatCompletionChunk.model_validate(p), p, "$")


# ---------------------------------------------------------------------------
# Output form
# ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\n\r]+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<literal>true|false|null)
      | (?P<punct>[{}\[\],:])""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> List[Tuple[str, Any]]:
    """Split JSON text into tokens; numbers become (type, exact value)."""
    tokens: List[Tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match is not None, f"not a JSON token at {pos}: {text[pos : pos + 30]!r}"
        kind, token = match.lastgroup, match.group()
        assert kind is not None
        if kind == "number":
            number = json.loads(token)
            exact = number.hex() if isinstance(number, float) else number
            tokens.append((f"number:{type(number).__name__}", exact))
        else:
            tokens.append((kind, token))
        pos = match.end()
    return tokens


def test_tokens_compare_numbers_by_value_and_everything_else_by_text() -> None:
    assert _tokens('{"a":1e-07}') == _tokens('{"a":1e-7}')
    assert _tokens("[0.00001]") == _tokens("[1e-05]")
    assert _tokens("[1]") != _tokens("[1.0]")
    assert _tokens("[0.0]") != _tokens("[-0.0]")
    assert _tokens('{"a":1}') != _tokens('{"a": 1}')
    assert _tokens('["\\u2028"]') != _tokens('["\u2028"]')


@SECONDARY
@given(json_chunks())
def test_dump_is_compact_and_spelled_like_json_dumps(p: Dict[str, Any]) -> None:
    """Compact output: no whitespace outside strings at all.

    Apart from numbers, the text is the same as Python's
    ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)`` of the same
    value (so strings are escaped the same way). Numbers are compared by type
    and value only: pydantic-core writes ``1e-7`` and ``0.00001`` where Python
    writes ``1e-07`` and ``1e-05``; both are valid JSON of the same float.
    """
    out = dump_chunk(parse_chunk(json.dumps(p)))
    tokens = _tokens(out)
    assert [token for token in tokens if token[0] == "ws"] == []
    python = json.dumps(json.loads(out), separators=(",", ":"), ensure_ascii=False)
    assert tokens == _tokens(python)


@SECONDARY
@given(json_chunks())
def test_indented_dump_is_laid_out_like_json_dumps(p: Dict[str, Any]) -> None:
    chunk = parse_chunk(json.dumps(p))
    for indent in (0, 2, 4):
        out = dump_chunk(chunk, indent=indent)
        python = json.dumps(json.loads(out), indent=indent, ensure_ascii=False)
        assert _tokens(out) == _tokens(python), indent


@SECONDARY
@given(json_chunks())
def test_declared_fields_come_first_in_declaration_order_then_extras(p: Dict[str, Any]) -> None:
    # Exact by value, not by bytes: the README promises this key order.
    out = json.loads(dump_chunk(parse_chunk(json.dumps(p))))
    declared = [name for name in ChatCompletionChunk.model_fields if name in p]
    extras = [key for key in p if key not in ChatCompletionChunk.model_fields]
    assert list(out) == declared + extras


@pytest.mark.parametrize(
    "logprob",
    [0, -3, -9999, 2**70, -(2**200), 0.0, -0.0, -3.0, -9999.0, -1e-10, -1.5e300, -5e-324],
    ids=repr,
)
def test_logprob_numbers_keep_their_json_type(logprob: Any) -> None:
    # Deep in the chunk, where random chunks seldom reach often enough.
    entry = {"token": "t", "logprob": logprob, "top_logprobs": [{"token": "u", "logprob": logprob}]}
    p = {
        **minimal_object(ChatCompletionChunk),
        "choices": [{"index": 0, "logprobs": {"content": [entry], "refusal": [entry]}}],
    }
    chunk = parse_chunk(json.dumps(p))
    read = chunk.choices[0].logprobs.content[0]  # type: ignore[union-attr,index]
    assert type(read.logprob) is type(logprob)
    assert type(read.top_logprobs[0].logprob) is type(logprob)  # type: ignore[index]
    assert_json_identical(json.loads(dump_chunk(chunk)), p)
    assert_json_identical(chunk_to_dict(ChatCompletionChunk.model_validate(p)), p)


# ---------------------------------------------------------------------------
# The generic helpers, on every model
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(MODEL_SPECS), ids=lambda model: model.__name__)
@PER_MODEL
@given(data=st.data())
def test_generic_helpers_round_trip_every_model(
    model: Type[BaseModel], data: st.DataObject
) -> None:
    p = data.draw(json_objects(model))
    text = json.dumps(p)
    parsed = parse(model, text)
    assert type(parsed) is model
    for form in _bytes_forms(text):
        assert parse(model, form) == parsed
    assert_json_identical(json.loads(dump(parsed)), p)
    assert_json_identical(json.loads(dump(parsed, indent=2)), p)
    assert_json_identical(to_dict(parsed), p)
    assert parse(model, dump(parsed)) == parsed
    assert [token for token in _tokens(dump(parsed)) if token[0] == "ws"] == []


@SECONDARY
@given(json_objects(CompletionUsage))
def test_usage_round_trips_through_parse_dump_and_to_dict(p: Dict[str, Any]) -> None:
    text = json.dumps(p)
    usage = parse(CompletionUsage, text.encode())
    assert isinstance(usage, CompletionUsage)
    # Each count may be absent (UNSET), null or a number, as servers send them.
    assert usage.prompt_tokens == p.get("prompt_tokens", UNSET)
    assert usage.completion_tokens == p.get("completion_tokens", UNSET)
    assert usage.total_tokens == p.get("total_tokens", UNSET)
    assert_json_identical(json.loads(dump(usage)), p)
    assert_json_identical(to_dict(usage), p)
    assert parse(CompletionUsage, dump(usage)) == usage
    assert CompletionUsage.model_validate(p) == usage
    # The same usage inside a chunk reads and writes the same.
    chunk = {**minimal_object(ChatCompletionChunk), "usage": p}
    parsed = parse_chunk(json.dumps(chunk))
    assert parsed.usage == usage
    assert_json_identical(chunk_to_dict(parsed)["usage"], p)


# ---------------------------------------------------------------------------
# No JSON value turns into UNSET
# ---------------------------------------------------------------------------

_CHUNK_PATHS: Dict[Type[BaseModel], Tuple[Any, ...]] = {
    ChatCompletionChunk: (),
    ChatCompletionChunkChoice: ("choices", 0),
    ChatCompletionChunkDelta: ("choices", 0, "delta"),
    ChatCompletionChunkDeltaToolCall: ("choices", 0, "delta", "tool_calls", 0),
    ChatCompletionChunkDeltaToolCallFunction: (
        "choices",
        0,
        "delta",
        "tool_calls",
        0,
        "function",
    ),
    ChatCompletionChunkDeltaFunctionCall: ("choices", 0, "delta", "function_call"),
    ChatCompletionChunkChoiceLogprobs: ("choices", 0, "logprobs"),
    ChatCompletionChunkTokenLogprob: ("choices", 0, "logprobs", "content", 0),
    ChatCompletionChunkTopLogprob: ("choices", 0, "logprobs", "content", 0, "top_logprobs", 0),
    CompletionUsage: ("usage",),
    CompletionUsagePromptTokensDetails: ("usage", "prompt_tokens_details"),
    CompletionUsageCompletionTokensDetails: ("usage", "completion_tokens_details"),
}


def _embed(model: Type[BaseModel], inner: Dict[str, Any]) -> Dict[str, Any]:
    """A minimal chunk holding ``inner`` at the place where ``model`` lives."""
    path = _CHUNK_PATHS[model]
    if not path:
        return inner
    # Build from the outside in: each step's container gets the minimal
    # object of the model at that step.
    root = minimal_object(ChatCompletionChunk)
    node: Any = root
    owners: Dict[Tuple[Any, ...], Type[BaseModel]] = {v: k for k, v in _CHUNK_PATHS.items()}
    for depth, step in enumerate(path):
        here = path[: depth + 1]
        last = depth == len(path) - 1
        if isinstance(step, int):
            child: Any = inner if last else dict(minimal_object(owners[here]))
            node.append(child)
        else:
            following = path[depth + 1] if not last else None
            if last:
                child = inner
            elif isinstance(following, int):
                child = []
            else:
                child = dict(minimal_object(owners[here]))
            node[step] = child
        node = child
    return root


def _extract(chunk: BaseModel, model: Type[BaseModel]) -> Any:
    node: Any = chunk
    for step in _CHUNK_PATHS[model]:
        node = node[step] if isinstance(step, int) else getattr(node, step)
    assert type(node) is model
    return node


def test_embed_places_each_model_where_extract_finds_it() -> None:
    for model in _CHUNK_PATHS:
        inner = {**minimal_object(model), "x_marker": model.__name__}
        chunk = parse_chunk(json.dumps(_embed(model, inner)))
        found = _extract(chunk, model)
        assert found.model_extra == {"x_marker": model.__name__}


_ONN_FIELDS = [
    (model, name, field)
    for model, spec in MODEL_SPECS.items()
    for name, field in spec.optional_nullable.items()
]

# Values that a sloppy sentinel could be read from: the enum's value, empty
# containers, look-alike strings.
_PAYLOADS: List[Any] = [
    {},
    [],
    "UNSET",
    SENTINEL_LOOKALIKE,
    {"UNSET": "UNSET"},
    ["UNSET"],
    0,
    False,
]
# The enum's own value, when it is something JSON can hold at all.
if isinstance(Unset.UNSET.value, (str, int, float)) and Unset.UNSET.value not in _PAYLOADS:
    _PAYLOADS.append(Unset.UNSET.value)


def _accepts(model: Type[BaseModel], name: str, kind: str, payload: Any) -> bool:
    """Whether a valid value of this field can be this payload (the contract)."""
    if type(payload) is str:
        return kind in ("str", "int|str")
    if type(payload) is int:
        return kind in ("int", "int|str", "number")
    if type(payload) is dict:
        return kind == "object"  # no nested object has a required key
    if type(payload) is list:
        # ["UNSET"] is a list of strings: no OptionalNullable list holds strings.
        return kind == "array" and payload == []
    return False  # booleans are never numbers, strings or objects here


def test_onn_field_list_is_complete() -> None:
    # 44 OptionalNullable fields across the twelve models.
    assert len(_ONN_FIELDS) == 44
    kinds = {field.kind for _, _, field in _ONN_FIELDS}
    assert kinds == {"str", "int", "int|str", "number", "object", "array"}


def _read(
    model: Type[BaseModel], inner: Dict[str, Any], how: str
) -> Tuple[Any, Optional[ValidationError]]:
    """Read ``inner`` as ``model`` one way; the model, or the validation error."""
    try:
        if how == "parse":
            return parse(model, json.dumps(inner)), None
        if how == "parse_chunk":
            return _extract(parse_chunk(json.dumps(_embed(model, inner))), model), None
        return model.model_validate(inner), None
    except ValidationError as error:
        return None, error


@pytest.mark.parametrize(
    ("model", "name", "field"),
    _ONN_FIELDS,
    ids=[f"{model.__name__}.{name}" for model, name, _ in _ONN_FIELDS],
)
@pytest.mark.parametrize("how", ["parse", "parse_chunk", "model_validate"])
def test_no_json_value_reads_as_unset(
    model: Type[BaseModel], name: str, field: FieldSpec, how: str
) -> None:
    for payload in _PAYLOADS:
        inner = {**minimal_object(model), name: payload}
        parsed, error = _read(model, inner, how)
        if error is not None:
            assert not _accepts(model, name, field.kind, payload), (payload, error)
            # The error names the field that held the payload.
            assert any(name in err["loc"] for err in error.errors()), error
            continue
        assert _accepts(model, name, field.kind, payload), f"{payload!r} was accepted"
        value = getattr(parsed, name)
        assert value is not UNSET
        assert value is not None
        assert not isinstance(value, Unset)
        if type(payload) is str:
            assert type(value) is str
            assert value == payload
        # And it is written back as it came.
        assert_json_identical(to_dict(parsed), inner)
        assert_json_identical(json.loads(dump(parsed)), inner)


@pytest.mark.parametrize("write", [dump_chunk, chunk_to_dict, dump, to_dict])
def test_an_unset_put_in_a_list_is_named_by_its_path_when_written(write: Any) -> None:
    chunk = parse_chunk(
        '{"id":"a","object":"chat.completion.chunk","created":1,"model":"m",'
        '"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}'
    )
    chunk.choices.append(UNSET)  # type: ignore[arg-type]
    with pytest.raises(UnsetFieldError, match=r"^choices\.1: UNSET is not allowed"):
        write(chunk)
