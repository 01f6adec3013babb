"""The UNSET sentinel, the OptionalNullable fields built on it, and the public API.

UNSET means "the key was absent". It must behave as a singleton, never be
written to JSON (not even as a marker string) and never be read from JSON.
"""

import copy
import enum
import inspect
import json
import operator
import pickle
import typing
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pydantic
import pydantic_core
import pytest
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import PydanticJsonSchemaWarning

import chatchunk
from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaToolCall,
    CompletionUsage,
    Unset,
    chunk_to_dict,
    dump,
    dump_chunk,
    parse,
    parse_chunk,
    to_dict,
)
from strategies import MODEL_SPECS, assert_json_identical, minimal_object

PUBLIC_MODELS: List[Type[BaseModel]] = [
    obj
    for obj in (getattr(chatchunk, name) for name in chatchunk.__all__)
    if isinstance(obj, type) and issubclass(obj, BaseModel)
]


def _onn_fields(model: Type[BaseModel]) -> List[str]:
    """The OptionalNullable fields of a model, found from its annotations."""
    return [
        name
        for name, field in model.model_fields.items()
        if Unset in typing.get_args(field.annotation)
    ]


ONN_FIELDS: List[Tuple[Type[BaseModel], str]] = [
    (model, name) for model in PUBLIC_MODELS for name in _onn_fields(model)
]
ONN_IDS = [f"{model.__name__}.{name}" for model, name in ONN_FIELDS]

# The chunk's models, whose minimal valid JSON the strategies know.
CHUNK_ONN_FIELDS = [(model, name) for model, name in ONN_FIELDS if model in MODEL_SPECS]
CHUNK_ONN_IDS = [f"{model.__name__}.{name}" for model, name in CHUNK_ONN_FIELDS]


def _unset_inside(value: Any) -> List[str]:
    """Every place in a dumped value that holds the sentinel or a marker for it."""
    found: List[str] = []

    def walk(item: Any, path: str) -> None:
        if isinstance(item, Unset):
            found.append(f"{path}: the sentinel")
        elif isinstance(item, str) and "UNSET" in item:
            found.append(f"{path}: {item!r}")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, Unset) or "UNSET" in str(key):
                    found.append(f"{path}: key {key!r}")
                walk(child, f"{path}[{key!r}]")
        elif isinstance(item, (list, tuple)):
            for i, child in enumerate(item):
                walk(child, f"{path}[{i}]")

    walk(value, "$")
    return found


# ---------------------------------------------------------------------------
# The sentinel itself
# ---------------------------------------------------------------------------


def test_unset_is_falsy() -> None:
    assert bool(UNSET) is False
    assert not UNSET
    assert (UNSET or "fallback") == "fallback"


def test_unset_repr_and_str() -> None:
    assert repr(UNSET) == "UNSET"
    assert str(UNSET) == "UNSET"
    assert f"{UNSET}" == "UNSET"
    assert repr([UNSET]) == "[UNSET]"


def test_copies_are_the_same_object() -> None:
    assert copy.copy(UNSET) is UNSET
    assert copy.deepcopy(UNSET) is UNSET
    assert copy.deepcopy({"a": [UNSET]})["a"][0] is UNSET


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_gives_back_the_same_object(protocol: int) -> None:
    assert pickle.loads(pickle.dumps(UNSET, protocol=protocol)) is UNSET
    assert pickle.loads(pickle.dumps([UNSET, {"k": UNSET}], protocol=protocol))[1]["k"] is UNSET


def test_unset_is_the_one_member_of_its_enum() -> None:
    assert issubclass(Unset, enum.Enum)
    assert list(Unset) == [UNSET]
    assert len(Unset) == 1
    assert list(Unset.__members__) == ["UNSET"]
    assert Unset.UNSET is UNSET
    assert Unset(UNSET.value) is UNSET
    assert Unset["UNSET"] is UNSET
    assert type(UNSET) is Unset


@pytest.mark.parametrize("other", [None, "", 0, 0.0, False, "UNSET", [], {}, (), Ellipsis])
def test_unset_equals_nothing_else(other: Any) -> None:
    # Both operand orders: UNSET.__eq__ and the other type's __eq__.
    assert operator.eq(UNSET, other) is False
    assert operator.eq(other, UNSET) is False
    assert operator.ne(UNSET, other) is True
    assert operator.ne(other, UNSET) is True
    assert UNSET is not other
    assert operator.eq(UNSET, Unset.UNSET) is True


# ---------------------------------------------------------------------------
# OptionalNullable fields: default, parsing
# ---------------------------------------------------------------------------


def test_onn_fields_are_found() -> None:
    # The chunk's twelve models are public and have 44 OptionalNullable
    # fields between them: the same set the strategies generate.
    assert set(MODEL_SPECS) <= set(PUBLIC_MODELS)
    assert len(CHUNK_ONN_FIELDS) == 44
    assert set(CHUNK_ONN_FIELDS) == {
        (model, name) for model, spec in MODEL_SPECS.items() for name in spec.optional_nullable
    }


@pytest.mark.parametrize(("model", "name"), ONN_FIELDS, ids=ONN_IDS)
def test_onn_field_defaults_to_unset(model: Type[BaseModel], name: str) -> None:
    field = model.model_fields[name]
    assert field.default is UNSET
    assert field.default_factory is None
    assert not field.is_required()


@pytest.mark.parametrize(("model", "name"), CHUNK_ONN_FIELDS, ids=CHUNK_ONN_IDS)
def test_onn_field_of_a_new_model_is_unset(model: Type[BaseModel], name: str) -> None:
    built = model(**minimal_object(model))
    assert getattr(built, name) is UNSET
    assert name not in built.model_fields_set
    assert getattr(model.model_construct(), name) is UNSET


@pytest.mark.parametrize(("model", "name"), CHUNK_ONN_FIELDS, ids=CHUNK_ONN_IDS)
def test_absent_key_reads_unset_and_null_reads_none(model: Type[BaseModel], name: str) -> None:
    base = minimal_object(model)
    absent = parse(model, json.dumps(base))
    assert getattr(absent, name) is UNSET
    assert name not in absent.model_fields_set
    assert name not in to_dict(absent)

    null = parse(model, json.dumps({**base, name: None}))
    assert getattr(null, name) is None
    assert name in null.model_fields_set
    assert to_dict(null)[name] is None
    assert json.loads(dump(null))[name] is None

    assert absent != null


# ---------------------------------------------------------------------------
# Serialization drops UNSET and writes None as null, however the model was made
# ---------------------------------------------------------------------------

_DELTA_JSON = '{"role":"assistant","content":null}'
_DELTA_EXPECTED: Dict[str, Any] = {"role": "assistant", "content": None}


def _delta_assigned() -> ChatCompletionChunkDelta:
    delta = ChatCompletionChunkDelta(role="assistant", content=None, refusal="no", tool_calls=[])
    delta.refusal = UNSET
    delta.tool_calls = UNSET
    return delta


_DELTA_MAKERS: Dict[str, Callable[[], ChatCompletionChunkDelta]] = {
    "parsed": lambda: parse(ChatCompletionChunkDelta, _DELTA_JSON),
    "model_validate_json": lambda: ChatCompletionChunkDelta.model_validate_json(_DELTA_JSON),
    "built": lambda: ChatCompletionChunkDelta(role="assistant", content=None),
    "built_with_explicit_unset": lambda: ChatCompletionChunkDelta(
        role="assistant", content=None, refusal=UNSET, tool_calls=UNSET, function_call=UNSET
    ),
    "model_construct": lambda: ChatCompletionChunkDelta.model_construct(
        role="assistant", content=None
    ),
    "model_construct_with_explicit_unset": lambda: ChatCompletionChunkDelta.model_construct(
        role="assistant", content=None, reasoning=UNSET, tool_calls=UNSET
    ),
    "model_copy": lambda: parse(ChatCompletionChunkDelta, _DELTA_JSON).model_copy(),
    "model_copy_deep": lambda: parse(ChatCompletionChunkDelta, _DELTA_JSON).model_copy(deep=True),
    "model_copy_update_unset": lambda: ChatCompletionChunkDelta(
        role="assistant", content=None, refusal="no", reasoning="r"
    ).model_copy(update={"refusal": UNSET, "reasoning": UNSET}),
    "assigned_after_construction": _delta_assigned,
    "model_validate_with_unset_value": lambda: ChatCompletionChunkDelta.model_validate(
        {"role": "assistant", "content": None, "refusal": UNSET, "tool_calls": UNSET}
    ),
    "pickled": lambda: pickle.loads(pickle.dumps(_delta_assigned())),
    "deepcopied": lambda: copy.deepcopy(_delta_assigned()),
}

_CHUNK_JSON = (
    '{"id":"c","choices":[{"index":0,"delta":{"content":null},"finish_reason":null}],'
    '"created":1,"model":"m","object":"chat.completion.chunk","system_fingerprint":null}'
)
_CHUNK_EXPECTED: Dict[str, Any] = {
    "id": "c",
    "choices": [{"index": 0, "delta": {"content": None}, "finish_reason": None}],
    "created": 1,
    "model": "m",
    "object": "chat.completion.chunk",
    "system_fingerprint": None,
}


def _chunk_built() -> ChatCompletionChunk:
    return ChatCompletionChunk(
        id="c",
        choices=[
            ChatCompletionChunkChoice(
                index=0,
                delta=ChatCompletionChunkDelta(content=None, role=UNSET),
                finish_reason=None,
                logprobs=UNSET,
            )
        ],
        created=1,
        model="m",
        object="chat.completion.chunk",
        system_fingerprint=None,
        usage=UNSET,
    )


def _chunk_assigned() -> ChatCompletionChunk:
    chunk = parse_chunk(
        '{"id":"c","choices":[{"index":0,"delta":{"content":null,"role":"user"},'
        '"finish_reason":null,"logprobs":null,"stop_reason":1}],"created":1,"model":"m",'
        '"object":"chat.completion.chunk","system_fingerprint":null,"usage":null,'
        '"service_tier":"auto"}'
    )
    chunk.usage = UNSET
    chunk.service_tier = UNSET
    choice = chunk.choices[0]
    choice.logprobs = UNSET
    choice.stop_reason = UNSET
    choice.delta.role = UNSET
    return chunk


_CHUNK_MAKERS: Dict[str, Callable[[], ChatCompletionChunk]] = {
    "parsed": lambda: parse_chunk(_CHUNK_JSON),
    "built": _chunk_built,
    "model_construct": lambda: ChatCompletionChunk.model_construct(
        id="c",
        choices=[
            ChatCompletionChunkChoice.model_construct(
                index=0,
                delta=ChatCompletionChunkDelta.model_construct(content=None),
                finish_reason=None,
            )
        ],
        created=1,
        model="m",
        object="chat.completion.chunk",
        system_fingerprint=None,
        usage=UNSET,
    ),
    "model_copy_update_unset": lambda: parse_chunk(
        _CHUNK_JSON[:-1] + ',"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},'
        '"obfuscation":"xyz"}'
    ).model_copy(update={"usage": UNSET, "obfuscation": UNSET}),
    "model_copy_deep": lambda: parse_chunk(_CHUNK_JSON).model_copy(deep=True),
    "assigned_after_construction": _chunk_assigned,
    "model_validate_with_unset_values": lambda: ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "choices": [
                {
                    "index": 0,
                    "delta": {"content": None, "role": UNSET},
                    "finish_reason": None,
                    "logprobs": UNSET,
                    "stop_reason": UNSET,
                }
            ],
            "created": 1,
            "model": "m",
            "object": "chat.completion.chunk",
            "system_fingerprint": None,
            "usage": UNSET,
        }
    ),
    "pickled": lambda: pickle.loads(pickle.dumps(_chunk_assigned())),
    "deepcopied": lambda: copy.deepcopy(_chunk_assigned()),
}


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# Each writer, and how its output relates to the plain expected JSON.
_WRITERS: Dict[str, Tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "model_dump": (lambda m: m.model_dump(), lambda e: e),
    "model_dump_json_mode": (lambda m: m.model_dump(mode="json"), lambda e: e),
    "model_dump_round_trip": (lambda m: m.model_dump(round_trip=True), lambda e: e),
    "model_dump_json": (lambda m: json.loads(m.model_dump_json()), lambda e: e),
    "model_dump_json_indent": (lambda m: json.loads(m.model_dump_json(indent=2)), lambda e: e),
    "dump": (lambda m: json.loads(dump(m)), lambda e: e),
    "dump_indent": (lambda m: json.loads(dump(m, indent=2)), lambda e: e),
    "to_dict": (to_dict, lambda e: e),
    "pydantic_core.to_json": (lambda m: json.loads(pydantic_core.to_json(m)), lambda e: e),
    "model_dump_exclude_unset": (lambda m: m.model_dump(exclude_unset=True), lambda e: e),
    "model_dump_json_exclude_unset": (
        lambda m: json.loads(m.model_dump_json(exclude_unset=True)),
        lambda e: e,
    ),
    "model_dump_exclude_defaults": (lambda m: m.model_dump(exclude_defaults=True), lambda e: e),
    "model_dump_exclude_none": (lambda m: m.model_dump(exclude_none=True), _without_none),
    "model_dump_json_exclude_none": (
        lambda m: json.loads(m.model_dump_json(exclude_none=True)),
        _without_none,
    ),
}


@pytest.mark.parametrize("writer", list(_WRITERS))
@pytest.mark.parametrize("maker", list(_DELTA_MAKERS))
def test_delta_is_written_without_unset(maker: str, writer: str) -> None:
    delta = _DELTA_MAKERS[maker]()
    write, expect = _WRITERS[writer]
    out = write(delta)
    assert _unset_inside(out) == []
    assert_json_identical(out, expect(_DELTA_EXPECTED))


@pytest.mark.parametrize("writer", [*_WRITERS, "dump_chunk", "chunk_to_dict"])
@pytest.mark.parametrize("maker", list(_CHUNK_MAKERS))
def test_chunk_is_written_without_unset(maker: str, writer: str) -> None:
    chunk = _CHUNK_MAKERS[maker]()
    if writer == "dump_chunk":
        out, expected = json.loads(dump_chunk(chunk)), _CHUNK_EXPECTED
    elif writer == "chunk_to_dict":
        out, expected = chunk_to_dict(chunk), _CHUNK_EXPECTED
    else:
        write, expect = _WRITERS[writer]
        out, expected = write(chunk), expect(_CHUNK_EXPECTED)
    assert _unset_inside(out) == []
    assert_json_identical(out, expected)


@pytest.mark.parametrize("maker", list(_CHUNK_MAKERS))
def test_chunk_made_any_way_reads_back_equal(maker: str) -> None:
    chunk = _CHUNK_MAKERS[maker]()
    reparsed = parse_chunk(dump_chunk(chunk))
    assert dump_chunk(reparsed) == dump_chunk(parse_chunk(_CHUNK_JSON))
    assert reparsed.usage is UNSET
    assert reparsed.choices[0].logprobs is UNSET
    assert reparsed.choices[0].delta.role is UNSET
    assert reparsed.choices[0].delta.content is None


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_models_keep_the_sentinel_itself_through_copies(protocol: int) -> None:
    chunk = parse_chunk(_CHUNK_JSON)
    copies = [
        pickle.loads(pickle.dumps(chunk, protocol=protocol)),
        copy.deepcopy(chunk),
        copy.copy(chunk),
        chunk.model_copy(deep=True),
    ]
    for copied in copies:
        # The very object, so `is UNSET` narrowing and checks keep working.
        assert copied.usage is UNSET
        assert copied.obfuscation is UNSET
        assert copied.choices[0].logprobs is UNSET
        assert copied.choices[0].delta.role is UNSET
        assert copied.system_fingerprint is None
        assert dump_chunk(copied) == dump_chunk(chunk)


def test_repr_leaves_unset_fields_out() -> None:
    delta = parse(ChatCompletionChunkDelta, '{"content":null,"x":1}')
    assert repr(delta) == "ChatCompletionChunkDelta(content=None, x=1)"
    assert "UNSET" not in repr(parse_chunk(_CHUNK_JSON))


# ---------------------------------------------------------------------------
# A bare UNSET has no JSON form
# ---------------------------------------------------------------------------

_UNSET_ADAPTER = pydantic.TypeAdapter(Unset)

_BARE_WRITERS: Dict[str, Callable[[Any], Any]] = {
    "pydantic_core.to_json": lambda v: json.loads(pydantic_core.to_json(v)),
    "pydantic_core.to_jsonable_python": pydantic_core.to_jsonable_python,
    "TypeAdapter.dump_json": lambda v: json.loads(_UNSET_ADAPTER.dump_json(v)),
    "TypeAdapter.dump_python_json_mode": lambda v: _UNSET_ADAPTER.dump_python(v, mode="json"),
    "TypeAdapter.dump_python": _UNSET_ADAPTER.dump_python,
    "TypeAdapter(list).dump_json": lambda v: json.loads(
        pydantic.TypeAdapter(List[Unset]).dump_json([v])
    ),
}


@pytest.mark.parametrize("writer", list(_BARE_WRITERS))
def test_bare_unset_is_refused_or_never_written_as_a_string(writer: str) -> None:
    """The library's serializer refuses UNSET with a ValueError (pydantic's
    PydanticSerializationError). Whatever path is taken, the result must not
    be a string: any string could be read back into a string field."""
    out, error = _attempt(lambda: _BARE_WRITERS[writer](UNSET))
    if error is not None:
        return
    assert not isinstance(out, str), f"UNSET was written as the string {out!r}"
    items = out if isinstance(out, list) else [out]
    assert not any(isinstance(item, str) for item in items), out


def test_refusal_names_unset() -> None:
    _, error = _attempt(lambda: _UNSET_ADAPTER.dump_json(UNSET))
    assert error is not None
    assert "UNSET" in str(error)


def _attempt(call: Callable[[], Any]) -> Tuple[Any, Optional[ValueError]]:
    """Run ``call``; its result, or the ValueError (any subclass) it raised."""
    try:
        return call(), None
    except ValueError as error:
        return None, error


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda: ChatCompletionChunkDelta.model_construct(x_extra=UNSET), id="construct"
        ),
        pytest.param(
            lambda: setattr_and_return(ChatCompletionChunkDelta(), "x_extra", UNSET), id="assigned"
        ),
    ],
)
def test_unset_in_an_extra_is_refused_or_never_written_as_a_string(
    make: Callable[[], ChatCompletionChunkDelta],
) -> None:
    """An extra holding UNSET must not come out as the marker string "UNSET".

    Extras are not validated on assignment, so the value reaches the
    serializer; it may raise a ValueError (`model_construct` does, at once), or
    leave the key out, but writing ``"x_extra": "UNSET"`` would turn "absent"
    into a real string.
    """
    delta, error = _attempt(make)
    if error is not None:
        assert "x_extra" in str(error)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text, error = _attempt(lambda: dump(delta))
    if error is not None:
        return
    out = json.loads(text)
    assert out.get("x_extra") != "UNSET", [str(w.message) for w in caught]
    assert _unset_inside(out) == []


def setattr_and_return(
    model: ChatCompletionChunkDelta, name: str, value: Any
) -> ChatCompletionChunkDelta:
    setattr(model, name, value)
    return model


# ---------------------------------------------------------------------------
# UNSET is never read from JSON
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['"UNSET"', "null", "{}", "[]", "0", '""', '"Unset.UNSET"'])
def test_unset_type_cannot_be_validated_from_json(text: str) -> None:
    with pytest.raises(ValidationError):
        _UNSET_ADAPTER.validate_json(text)


def test_unset_type_accepts_only_the_object_from_python() -> None:
    assert _UNSET_ADAPTER.validate_python(UNSET) is UNSET
    for value in ["UNSET", None, 0, {}]:
        with pytest.raises(ValidationError):
            _UNSET_ADAPTER.validate_python(value)
    with pytest.raises(ValidationError):
        _UNSET_ADAPTER.validate_strings("UNSET")


def test_unset_from_json_gives_an_error_that_explains_itself() -> None:
    with pytest.raises(ValidationError) as caught:
        _UNSET_ADAPTER.validate_json('"UNSET"')
    assert "leave the key out" in str(caught.value)


# ---------------------------------------------------------------------------
# JSON schema
# ---------------------------------------------------------------------------


def _schema(model: Type[BaseModel], mode: str) -> Dict[str, Any]:
    with warnings.catch_warnings():
        # Checked on its own in test_json_schema_generation_emits_no_warning.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        return model.model_json_schema(mode=mode)  # type: ignore[arg-type]


def _enums(schema: Any) -> List[Any]:
    found: List[Any] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "enum":
                found.extend(value)
            elif key == "const":
                found.append(value)
            found.extend(_enums(value))
    elif isinstance(schema, list):
        for item in schema:
            found.extend(_enums(item))
    return found


@pytest.mark.parametrize("mode", ["validation", "serialization"])
@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_json_schema_has_no_sentinel_and_onn_is_optional_and_nullable(
    model: Type[BaseModel], mode: str
) -> None:
    schema = _schema(model, mode)
    text = json.dumps(schema)
    assert "UNSET" not in text
    assert "Unset" not in text
    assert all(value not in ("UNSET", UNSET) for value in _enums(schema))

    # The model itself and each nested model, as they appear in $defs.
    by_title = {d["title"]: d for d in schema.get("$defs", {}).values() if "title" in d}
    by_title[schema["title"]] = schema
    for other in PUBLIC_MODELS:
        if other.__name__ not in by_title:
            continue
        described = by_title[other.__name__]
        required = set(described.get("required", []))
        assert required == {n for n, f in other.model_fields.items() if f.is_required()}
        for name in _onn_fields(other):
            prop = described["properties"][name]
            assert name not in required, (other.__name__, name)
            assert {"type": "null"} in prop["anyOf"], (other.__name__, name, prop)
            assert len(prop["anyOf"]) >= 2, (other.__name__, name, prop)
            assert "default" not in prop, (other.__name__, name, prop)


def test_json_schema_generation_emits_no_warning() -> None:
    """The UNSET default is meant to be dropped from the schema silently.

    With warnings as errors (this project's pytest setting, or ``-W error``)
    a warning here makes ``model_json_schema()`` raise.
    """
    for model in PUBLIC_MODELS:
        for mode in ("validation", "serialization"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.model_json_schema(mode=mode)  # type: ignore[arg-type]
            messages = [str(w.message) for w in caught]
            assert messages == [], (model.__name__, mode, messages[:2])


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_type_adapter_json_schema_has_no_sentinel(model: Type[BaseModel]) -> None:
    """Frameworks (FastAPI, pydantic's ``models_json_schema``) build schemas
    through pydantic's own generator, not through ``Model.model_json_schema``.

    That generator tries to encode the UNSET default, which refuses to be
    written, and warns (a documented limitation); the schema is still right.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = pydantic.TypeAdapter(model).json_schema()
    messages = {str(w.message) for w in caught}
    assert all("UNSET" in m and "not JSON serializable" in m for m in messages), messages
    assert "UNSET" not in json.dumps(schema)
    assert schema == model.model_json_schema()


def test_json_schema_validates_what_the_library_writes() -> None:
    # The schema of the chunk lists the extras' type as JSON values, and a
    # chunk's declared fields; a dumped chunk's keys are all described.
    schema = _schema(ChatCompletionChunk, "serialization")
    out = json.loads(dump_chunk(parse_chunk(_CHUNK_JSON)))
    assert set(out) <= set(schema["properties"])
    assert schema["additionalProperties"] == {"$ref": "#/$defs/JsonValue"}


# ---------------------------------------------------------------------------
# The public API is what is documented
# ---------------------------------------------------------------------------


def _isort_style_key(name: str) -> Tuple[int, str]:
    # The order ruff's RUF022 (enabled in this project) keeps `__all__` in:
    # SCREAMING_CASE constants, then CamelCase classes, then everything else,
    # each group sorted.
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_unique_and_every_name_exists() -> None:
    names = chatchunk.__all__
    assert len(names) == len(set(names))
    assert list(names) == sorted(names, key=_isort_style_key)
    for name in names:
        assert hasattr(chatchunk, name), name


def _defined_in_chatchunk(obj: Any) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module == "chatchunk" or module.startswith("chatchunk.")


def test_every_public_class_and_function_is_in_all() -> None:
    public = {
        name
        for name, obj in vars(chatchunk).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and _defined_in_chatchunk(obj)
    }
    assert public, "found no public classes or functions"
    assert public <= set(chatchunk.__all__), sorted(public - set(chatchunk.__all__))


def test_every_public_class_and_function_has_a_docstring() -> None:
    checked = 0
    for name in chatchunk.__all__:
        obj = getattr(chatchunk, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            doc = inspect.getdoc(obj)
            assert doc, name
            if inspect.isclass(obj) and issubclass(obj, BaseModel):
                # Its own, not inherited from BaseModel or Model.
                assert "__doc__" in vars(obj), name
                assert obj.__doc__, name
            checked += 1
    assert checked >= 19
    assert inspect.getdoc(chatchunk)


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_every_field_has_a_description(model: Type[BaseModel]) -> None:
    assert model.model_fields
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name}"
        assert field.description.strip() == field.description, f"{model.__name__}.{name}"


def test_every_chunk_model_is_public() -> None:
    assert set(MODEL_SPECS) <= set(PUBLIC_MODELS)
    assert ChatCompletionChunkDeltaToolCall in PUBLIC_MODELS
    assert CompletionUsage in PUBLIC_MODELS
