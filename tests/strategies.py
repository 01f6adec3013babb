"""Hypothesis strategies for valid chunks, as the JSON a provider could send.

Every strategy here draws a *Python JSON value* (what `json.loads` returns):
dicts, lists, str, int, float, bool and None only. `json.dumps` of any drawn
chunk is a payload the library must accept and give back unchanged.

Each model is described once, in `MODEL_SPECS`: which of its declared fields
are required, which are ``OptionalNullable`` (absent, ``null`` or a value) and
which are merely optional (absent or a value, never ``null``). The tests check
the specs against the models, so a field added to a model without a strategy
here fails the suite instead of going untested.

`type_strict_equal` / `assert_json_identical` compare JSON values the way a
byte-exact round trip would: ``1`` is not ``1.0``, ``True`` is not ``1``,
``-0.0`` is not ``0.0``.
"""

import json
import math
from typing import Any, Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Tuple, Type

from hypothesis import strategies as st
from pydantic import BaseModel

from chatchunk import (
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
)

__all__ = [
    "ALL_DECLARED_NAMES",
    "MARKER_STRINGS",
    "MODEL_SPECS",
    "SENTINEL_LOOKALIKE",
    "FieldSpec",
    "ModelSpec",
    "assert_json_identical",
    "json_chunk_texts",
    "json_chunks",
    "json_difference",
    "json_floats",
    "json_ints",
    "json_objects",
    "json_strings",
    "json_values",
    "minimal_object",
    "non_json_items",
    "type_strict_equal",
]

# ---------------------------------------------------------------------------
# Scalars
# ---------------------------------------------------------------------------

SENTINEL_LOOKALIKE = "~?~unset~?~sentinel~?~"
"""A string shaped like a private sentinel marker; it must stay a plain string."""

MARKER_STRINGS: Tuple[str, ...] = (
    "UNSET",
    "Unset.UNSET",
    SENTINEL_LOOKALIKE,
    "null",
    "None",
    "",
    " ",
    "\u2028",
    "\u2029",
    "a\u2028b\u2029c",
    "\x00",
    "\x1f\x7f",
    '"',
    "\\",
    '\\"',
    "\\u0000",
    "\n\r\t\b\f",
    "</script>",
    "\ufeff",
    "é",
    "e\u0301",
    "😀",
    "\U0010ffff",
    "中文",
)
"""Strings that could confuse a sentinel check, an escaper or a line splitter."""

json_strings = st.one_of(st.sampled_from(MARKER_STRINGS), st.text(max_size=12))
"""Any JSON string (hypothesis' text never holds lone surrogates, which JSON cannot carry)."""

_EDGE_INTS: Tuple[int, ...] = (
    0,
    1,
    -1,
    -3,
    255,
    2**31 - 1,
    2**31,
    2**53,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    2**64 + 1,
    -(2**64),
    2**128,
    2**200,
    -(2**200),
)

json_ints = st.one_of(
    st.sampled_from(_EDGE_INTS),
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-(2**200), max_value=2**200),
)
"""Ints of any size, including far beyond 64 bits and negative."""

_EDGE_FLOATS: Tuple[float, ...] = (
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.1,
    1e-10,
    1e-7,
    1e-5,
    1.5e300,
    -1.5e300,
    1e16,
    1e22,
    2.0**53,
    2.0**53 + 2,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    -9999.0,
    123456789.0,
)

json_floats = st.one_of(
    st.sampled_from(_EDGE_FLOATS),
    st.floats(allow_nan=False, allow_infinity=False),
)
"""Finite floats only: JSON has no NaN or Infinity."""

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    json_ints,
    json_floats,
    json_strings,
)

# ---------------------------------------------------------------------------
# Extra keys
# ---------------------------------------------------------------------------

_TRICKY_KEYS: Tuple[str, ...] = (
    "",
    " ",
    "UNSET",
    SENTINEL_LOOKALIKE,
    "null",
    "\u2028",
    "x_groq",
    "timings",
    "cost",
    "provider",
    "_private",
    "__dict__",
    "__class__",
    "__fields_set__",
    "__pydantic_extra__",
    "__pydantic_fields_set__",
    "__pydantic_private__",
    "model_config",
    "model_fields",
    "model_extra",
    "model_dump",
    "dict",
    "json",
    "copy",
    "schema",
    "Config",
)


def _collect_declared_names() -> FrozenSet[str]:
    names = set()
    for model in (
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
    ):
        names.update(model.model_fields)
    return frozenset(names)


ALL_DECLARED_NAMES = _collect_declared_names()
"""Every field name declared by any model: an extra on one level, a field on another."""

_extra_key_pool = st.one_of(
    st.sampled_from(_TRICKY_KEYS),
    st.sampled_from(sorted(ALL_DECLARED_NAMES)),
    st.text(max_size=8),
)

# ---------------------------------------------------------------------------
# Arbitrary JSON values (extras)
# ---------------------------------------------------------------------------

json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(_TRICKY_KEYS), json_strings), children, max_size=4
        ),
    ),
    max_leaves=10,
)
"""Any JSON value: nested objects and arrays of the scalars above."""


def _extras(declared: FrozenSet[str]) -> "st.SearchStrategy[Dict[str, Any]]":
    return st.dictionaries(
        _extra_key_pool.filter(lambda key: key not in declared),
        json_values,
        max_size=2,
    )


# ---------------------------------------------------------------------------
# Model specs
# ---------------------------------------------------------------------------


class FieldSpec(NamedTuple):
    """How one declared field is generated."""

    values: "st.SearchStrategy[Any]"
    """Strategy for a valid, non-null value."""
    kind: str
    """The JSON shape of a valid value: ``str``, ``int``, ``int|str``, ``number``,
    ``object`` or ``array``."""


class ModelSpec(NamedTuple):
    """The declared fields of one model, by how they may appear."""

    required: Mapping[str, FieldSpec]
    """Always present, never null."""
    optional_nullable: Mapping[str, FieldSpec]
    """``OptionalNullable``: absent, ``null`` or a value."""
    optional: Mapping[str, FieldSpec]
    """Absent or a value, never ``null`` (only ``choices[].delta``)."""

    @property
    def declared(self) -> FrozenSet[str]:
        return (
            frozenset(self.required) | frozenset(self.optional_nullable) | frozenset(self.optional)
        )


MODEL_SPECS: Dict[Type[BaseModel], ModelSpec] = {}
"""Every public model and how to draw it; filled below, innermost first."""

_OBJECTS: Dict[Type[BaseModel], "st.SearchStrategy[Dict[str, Any]]"] = {}


def json_objects(model: Type[BaseModel]) -> "st.SearchStrategy[Dict[str, Any]]":
    """A valid JSON object for ``model``, with random extras and random key order."""
    return _OBJECTS[model]


def _open_enum(*known: str) -> "st.SearchStrategy[str]":
    return st.one_of(st.sampled_from(known), json_strings)


_string = FieldSpec(json_strings, "str")
_int = FieldSpec(json_ints, "int")


def _list_of(model: Type[BaseModel], max_size: int = 3) -> FieldSpec:
    return FieldSpec(st.lists(json_objects(model), max_size=max_size), "array")


def _object_of(model: Type[BaseModel]) -> FieldSpec:
    return FieldSpec(json_objects(model), "object")


def _register(
    model: Type[BaseModel],
    *,
    required: Optional[Mapping[str, FieldSpec]] = None,
    optional_nullable: Optional[Mapping[str, FieldSpec]] = None,
    optional: Optional[Mapping[str, FieldSpec]] = None,
    provider_extras: "Optional[st.SearchStrategy[Dict[str, Any]]]" = None,
) -> None:
    spec = ModelSpec(required or {}, optional_nullable or {}, optional or {})
    MODEL_SPECS[model] = spec
    extras_strategy = _extras(spec.declared)
    if provider_extras is not None:
        # Extras a real server sends, in their real shape, next to the random ones.
        random_extras = extras_strategy
        extras_strategy = st.builds(
            lambda known, other: {**known, **other}, provider_extras, random_extras
        )

    @st.composite
    def draw_object(draw: st.DrawFn) -> Dict[str, Any]:
        obj: Dict[str, Any] = {}
        for name, field in spec.required.items():
            obj[name] = draw(field.values)
        for name, field in spec.optional_nullable.items():
            # "absent" first: hypothesis shrinks toward the smallest payload.
            state = draw(st.sampled_from(("absent", "null", "value")))
            if state == "null":
                obj[name] = None
            elif state == "value":
                obj[name] = draw(field.values)
        for name, field in spec.optional.items():
            if draw(st.booleans()):
                obj[name] = draw(field.values)
        extras = draw(extras_strategy)
        # Key order varies cheaply: extras before or after the declared
        # fields, and the declared fields forwards or backwards.
        if draw(st.booleans()):
            obj = dict(reversed(obj.items()))
        if draw(st.booleans()):
            return {**extras, **obj}
        obj.update(extras)
        return obj

    _OBJECTS[model] = draw_object()


_register(
    ChatCompletionChunkDeltaToolCallFunction,
    optional_nullable={"name": _string, "arguments": _string},
)
_register(
    ChatCompletionChunkDeltaToolCall,
    optional_nullable={
        "index": _int,
        "id": _string,
        "type": FieldSpec(_open_enum("function"), "str"),
        "function": _object_of(ChatCompletionChunkDeltaToolCallFunction),
    },
)
_register(
    ChatCompletionChunkDeltaFunctionCall,
    optional_nullable={"name": _string, "arguments": _string},
)
_register(
    ChatCompletionChunkDelta,
    optional_nullable={
        "role": FieldSpec(_open_enum("developer", "system", "user", "assistant", "tool"), "str"),
        "content": _string,
        "reasoning_content": _string,
        "reasoning": _string,
        "refusal": _string,
        "tool_calls": _list_of(ChatCompletionChunkDeltaToolCall),
        "function_call": _object_of(ChatCompletionChunkDeltaFunctionCall),
    },
)

_logprob = FieldSpec(
    st.one_of(
        st.sampled_from((0, -3, 0.0, -0.0, -9999.0, -1e-10, -9999)),
        st.integers(min_value=-100, max_value=0),
        json_floats,
        json_ints,
    ),
    "number",
)
_token_bytes = FieldSpec(
    st.lists(st.one_of(st.integers(min_value=0, max_value=255), json_ints), max_size=4), "array"
)

# llama.cpp's extras on a logprob entry: the token id, and with `post_sampling_probs`
# the probability itself (`prob`, a float in [0, 1]) in place of `logprob`, and its
# alternatives as `top_probs` in place of `top_logprobs`.
_prob = st.one_of(
    st.sampled_from((0.0, 1.0, 0.5, 0.8123000264167786, 1e-07)),
    st.floats(min_value=0.0, max_value=1.0),
)
_llamacpp_top_prob = st.fixed_dictionaries(
    {"id": json_ints, "token": json_strings, "bytes": _token_bytes.values, "prob": _prob}
)
_llamacpp_top_extras = st.fixed_dictionaries({}, optional={"id": json_ints, "prob": _prob})
_llamacpp_token_extras = st.fixed_dictionaries(
    {},
    optional={
        "id": json_ints,
        "prob": _prob,
        "top_probs": st.lists(_llamacpp_top_prob, max_size=2),
    },
)

_register(
    ChatCompletionChunkTopLogprob,
    required={"token": _string},
    optional_nullable={"logprob": _logprob, "bytes": _token_bytes},
    provider_extras=_llamacpp_top_extras,
)
_register(
    ChatCompletionChunkTokenLogprob,
    required={"token": _string},
    optional_nullable={
        "logprob": _logprob,
        "bytes": _token_bytes,
        "top_logprobs": _list_of(ChatCompletionChunkTopLogprob, max_size=2),
    },
    provider_extras=_llamacpp_token_extras,
)
_register(
    ChatCompletionChunkChoiceLogprobs,
    optional_nullable={
        # Logprob lists nest three deep: two per level keeps chunks small.
        "content": _list_of(ChatCompletionChunkTokenLogprob, max_size=2),
        "refusal": _list_of(ChatCompletionChunkTokenLogprob, max_size=2),
    },
)
_register(
    ChatCompletionChunkChoice,
    required={"index": _int},
    optional={"delta": _object_of(ChatCompletionChunkDelta)},
    optional_nullable={
        "logprobs": _object_of(ChatCompletionChunkChoiceLogprobs),
        "finish_reason": FieldSpec(
            _open_enum("stop", "length", "tool_calls", "content_filter", "function_call"), "str"
        ),
        "stop_reason": FieldSpec(st.one_of(json_ints, json_strings), "int|str"),
    },
)
_register(
    CompletionUsagePromptTokensDetails,
    optional_nullable=dict.fromkeys(
        ("cached_tokens", "audio_tokens", "text_tokens", "image_tokens", "cache_write_tokens"),
        _int,
    ),
)
_register(
    CompletionUsageCompletionTokensDetails,
    optional_nullable=dict.fromkeys(
        (
            "reasoning_tokens",
            "audio_tokens",
            "text_tokens",
            "accepted_prediction_tokens",
            "rejected_prediction_tokens",
        ),
        _int,
    ),
)
_register(
    CompletionUsage,
    optional_nullable={
        # Servers leave the counts out too (older vLLM, SGLang), so each may be absent.
        "prompt_tokens": _int,
        "completion_tokens": _int,
        "total_tokens": _int,
        "prompt_tokens_details": _object_of(CompletionUsagePromptTokensDetails),
        "completion_tokens_details": _object_of(CompletionUsageCompletionTokensDetails),
    },
)
_register(
    ChatCompletionChunk,
    required={
        "id": _string,
        "choices": FieldSpec(
            st.lists(json_objects(ChatCompletionChunkChoice), max_size=3), "array"
        ),
        "created": _int,
        "model": _string,
        "object": FieldSpec(_open_enum("chat.completion.chunk"), "str"),
    },
    optional_nullable={
        "system_fingerprint": _string,
        "service_tier": FieldSpec(
            _open_enum("auto", "default", "flex", "scale", "priority", "fast"), "str"
        ),
        "usage": _object_of(CompletionUsage),
        "obfuscation": _string,
    },
)


def json_chunks() -> "st.SearchStrategy[Dict[str, Any]]":
    """A valid chunk as a Python JSON value: ``json.dumps`` of it must parse."""
    return json_objects(ChatCompletionChunk)


@st.composite
def json_chunk_texts(draw: st.DrawFn) -> Tuple[str, Dict[str, Any]]:
    """A valid chunk as JSON text in a random layout, with the Python value it encodes."""
    value = draw(json_chunks())
    text = json.dumps(
        value,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from((None, None, 0, 2, "\t"))),
        separators=draw(st.sampled_from((None, (",", ":"), (" , ", " : ")))),
    )
    return text, value


def minimal_object(model: Type[BaseModel]) -> Dict[str, Any]:
    """The smallest valid JSON object for ``model``: its required fields only."""
    minimal: Dict[str, Any] = {
        ChatCompletionChunk: {"id": "c", "choices": [], "created": 0, "model": "m", "object": ""},
        ChatCompletionChunkChoice: {"index": 0},
        ChatCompletionChunkTokenLogprob: {"token": "t"},
        ChatCompletionChunkTopLogprob: {"token": "t"},
    }
    return dict(minimal.get(model, {}))


# ---------------------------------------------------------------------------
# Type-strict comparison
# ---------------------------------------------------------------------------


def json_difference(a: Any, b: Any, path: str = "$") -> Optional[str]:
    """Describe the first place where two JSON values differ in value or type, or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a.keys() - b.keys())} vs {sorted(b.keys() - a.keys())}"
        for key in a:
            found = json_difference(a[key], b[key], f"{path}[{key!r}]")
            if found is not None:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = json_difference(x, y, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return None
        if a != b or math.copysign(1.0, a) != math.copysign(1.0, b):
            return f"{path}: {a!r} != {b!r}"
        return None
    if a != b:
        return f"{path}: {a!r} != {b!r}"
    return None


def type_strict_equal(a: Any, b: Any) -> bool:
    """True when two JSON values are equal with equal types at every level."""
    return json_difference(a, b) is None


def assert_json_identical(actual: Any, expected: Any) -> None:
    """Assert `type_strict_equal`, naming the first difference."""
    difference = json_difference(actual, expected)
    assert difference is None, difference


def non_json_items(value: Any) -> List[str]:
    """Everything in ``value`` that is not a JSON type (or is a non-finite float)."""
    # Used by the tests to prove the strategies draw JSON values only.
    bad: List[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            bad.extend(repr(k) for k in item if type(k) is not str)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif type(item) not in (str, int, float, bool, type(None)) or (
            type(item) is float and not math.isfinite(item)
        ):
            bad.append(repr(item))
    return bad
