"""`PartialJSON`: a JSON text parsed as it arrives, checked against pydantic-core and `json`.

The differential tests dump random JSON values with random whitespace and
escaping, cut the text into random fragments and compare `value()` after each
one with `pydantic_core.from_json(prefix, allow_partial="trailing-strings")`.
Where the two differ on purpose (see the module docstring of
`chatchunk._partial`) the tests check the documented rule instead.

Values are compared by `repr`, which tells `1` from `1.0` and `True`, `-0.0` from
`0.0`, and shows the order of keys.
"""

import json
import sys
from typing import Any, Dict, List, Optional, Tuple, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import from_json
from typing_extensions import Literal, TypedDict

from chatchunk import UNSET
from chatchunk._partial import (
    MAX_DEPTH,
    PartialJSON,
    PartialJSONError,
    parse_partial,
    validate_partial,
)


def pydantic_partial(text: str) -> Any:
    """What pydantic-core gives for a prefix, or UNSET where it raises."""
    try:
        return from_json(text, allow_partial="trailing-strings")
    except ValueError:
        return UNSET


def same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b)


def scanned(parser: PartialJSON) -> int:
    """How many characters the parser has scanned (each should be scanned once)."""
    return parser._scanned  # pyright: ignore[reportPrivateUsage]


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e300, 5e-324, 1.5, -2.25e-10]),
    st.text(),
    st.text(alphabet='"\\/\b\f\n\r\t\x00\x1f\u00e9\u2028\U0001f600 a'),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=5), children, max_size=5),
    ),
    max_leaves=25,
)
whitespace = st.text(alphabet=" \t\n\r", max_size=3)


@st.composite
def json_texts(draw: st.DrawFn, values: st.SearchStrategy[Any] = json_values) -> Tuple[Any, str]:
    """A JSON value and a text of it: random whitespace between tokens, random escaping."""
    value = draw(values)
    ensure_ascii = draw(st.booleans())
    out: List[str] = [draw(whitespace)]

    def write(item: Any) -> None:
        if isinstance(item, dict):
            out.append("{" + draw(whitespace))
            entries: Dict[str, Any] = cast(Dict[str, Any], item)
            for k, (key, child) in enumerate(entries.items()):
                if k:
                    out.append("," + draw(whitespace))
                out.append(json.dumps(key, ensure_ascii=ensure_ascii))
                out.append(draw(whitespace) + ":" + draw(whitespace))
                write(child)
                out.append(draw(whitespace))
            out.append("}")
        elif isinstance(item, list):
            out.append("[" + draw(whitespace))
            for k, child in enumerate(item):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
                if k:
                    out.append("," + draw(whitespace))
                write(child)
                out.append(draw(whitespace))
            out.append("]")
        elif isinstance(item, float) and draw(st.booleans()):
            out.append(draw(st.sampled_from(["{:.16e}", "{:.16E}", "{!r}"])).format(item))
        else:
            out.append(json.dumps(item, ensure_ascii=ensure_ascii))

    write(value)
    out.append(draw(whitespace))
    return value, "".join(out)


@st.composite
def cuts(draw: st.DrawFn, text: str) -> List[str]:
    """`text` cut into random fragments (empty ones included)."""
    points = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


# ---------------------------------------------------------------------------
# Differential tests
# ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_prefix_matches_pydantic_core(data: st.DataObject) -> None:
    value, text = data.draw(json_texts())
    fragments = data.draw(cuts(text))
    parser = PartialJSON()
    prefix = ""
    for fragment in fragments:
        parser.feed(fragment)
        prefix += fragment
        got = parser.value()
        expected = pydantic_partial(prefix)
        assert same(got, expected), (prefix, got, expected)
        assert parser.text == prefix
    assert parser.complete
    assert same(parser.value(), json.loads(text))
    assert same(parser.value(), value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_texts())
def test_one_character_at_a_time(value_and_text: Tuple[Any, str]) -> None:
    _, text = value_and_text
    parser = PartialJSON()
    for k, char in enumerate(text, 1):
        parser.feed(char)
        assert same(parser.value(), pydantic_partial(text[:k])), text[:k]
    assert same(parser.value(), json.loads(text))


@settings(max_examples=200, deadline=None)
@given(json_texts())
def test_complete_only_at_the_end(value_and_text: Tuple[Any, str]) -> None:
    """`complete` is False on every proper prefix, except a number that may still grow."""
    _, text = value_and_text
    end = len(text.rstrip(" \t\n\r"))
    for k in range(len(text) + 1):
        parser = PartialJSON()
        parser.feed(text[:k])
        assert parser.complete == _is_json(text[:k]), text[:k]
        if k >= end:
            assert parser.complete


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", UNSET),
        ("  \n", UNSET),
        ("-", UNSET),
        ("1.", UNSET),
        ("1e", UNSET),
        ("1e+", UNSET),
        ("t", UNSET),
        ("nul", UNSET),
        ("1", 1),
        ("-0", 0),
        ("-0.0", -0.0),
        ('"', ""),
        ('"ab\\', "ab"),
        ('"ab\\ud83d', "ab"),
        ('"ab\\ud83d\\', "ab"),
        ('"ab\\ud83d\\ude0', "ab"),
        ('"ab\\ud83d\\ude00', "ab\U0001f600"),
        ("[1.", []),
        ("[1", [1]),
        ("[tru", []),
        ('{"a', {}),
        ('{"a":', {}),
        ('{"a":1,"a":"x', {"a": "x"}),
        ('{"a":"s","a":1.', {"a": "s"}),
        ('{"a":1,"b":2,"a":3', {"a": 3, "b": 2}),
        ('{"a":{"b":[1,{"c":"d', {"a": {"b": [1, {"c": "d"}]}}),
    ],
)
def test_documented_prefixes(text: str, expected: Any) -> None:
    assert same(parse_partial(text), expected)
    if expected is not UNSET:
        assert same(parse_partial(text), from_json(text, allow_partial="trailing-strings"))


def test_where_pydantic_core_raises_no_value_has_started() -> None:
    """pydantic-core raises on a top-level `-`, `1.`, `tr`: the parser gives UNSET."""
    for text in ["-", "1.", "1.5e", "-1E-", "f", "fal", "n"]:
        with pytest.raises(ValueError, match="EOF"):
            from_json(text, allow_partial="trailing-strings")
        assert parse_partial(text) is UNSET
        parser = PartialJSON()
        parser.feed(text)
        assert not parser.complete


# ---------------------------------------------------------------------------
# Invalid text
# ---------------------------------------------------------------------------

junk = st.text(alphabet='{}[]:,"\\ \n0123456789-+.eEtrufalsn\x00\x1f\u00e9x', max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_random_text_raises_only_partial_json_error(data: st.DataObject) -> None:
    text = data.draw(junk | json_texts().map(lambda vt: vt[1]))
    fragments = data.draw(cuts(text))
    parser = PartialJSON()
    failed: Optional[PartialJSONError] = None
    for fragment in fragments:
        parser.feed(fragment)
        try:
            parser.value()
        except PartialJSONError as error:
            failed = error
            break
    whole = PartialJSON()
    whole.feed(text)
    if failed is None:
        assert same(whole.value(), parser.value())
        assert same(parser.value(), pydantic_partial(text)) or not text.strip()
        if _is_json(text):
            assert parser.complete
            assert same(parser.value(), json.loads(text))
        return
    # The same error however the text was cut, and the text before it is fine.
    with pytest.raises(PartialJSONError) as raised:
        whole.value()
    assert raised.value.offset == failed.offset
    assert str(raised.value) == str(failed)
    assert f"character {failed.offset}:" in str(failed)
    parse_partial(text[: failed.offset])
    with pytest.raises(ValueError, match=r"at line \d+ column"):
        from_json(text)
    assert not _is_json(text)


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("[1 2]", 3, "expected ',' or ']', found '2'"),
        ('{"a":1}x', 7, "expected the end of the text, found 'x'"),
        ("[1,]", 3, "expected a JSON value, found ']'"),
        ('{"a":1,}', 7, "expected a string key, found '}'"),
        ('{"a" 1', 5, "expected ':', found '1'"),
        ("{1", 1, "expected a string key or '}', found '1'"),
        ("01", 1, "expected the end of the text, found '1'"),
        ("[-x", 2, "expected a digit, found 'x'"),
        ("1.e5", 2, "expected a digit, found 'e'"),
        ("1e+]", 3, "expected a digit, found ']'"),
        ("[trux", 4, "expected 'e', found 'x'"),
        ("NaN", 0, "expected a JSON value, found 'N'"),
        ("[Infinity]", 1, "expected a JSON value or ']', found 'I'"),
        ("-Infinity", 1, "expected a digit, found 'I'"),
        ('"\\x"', 2, "expected an escape character, found 'x'"),
        ('"\\u12g4"', 5, "expected a hex digit, found 'g'"),
        ('"a\x01"', 2, "control character must be escaped\\), found '\\\\x01'"),
        ('"a\nb"', 2, "control character must be escaped\\), found '\\\\n'"),
        ('"\\ude00"', 1, "a high surrogate before a low one"),
        ('"\\ud83dx"', 7, "'\\\\u' and a low surrogate after a high one"),
        ('"\\ud83d\\n"', 8, "'u' and a low surrogate"),
        ('"\\ud83d\\u0041"', 7, "a low surrogate after a high one"),
        ("\ufeff[]", 0, "expected a JSON value"),
        ("1" * 4301, 0, "a number of at most 4300 digits"),
    ],
)
def test_errors_name_the_offset_and_what_was_expected(
    text: str, offset: int, expected: str
) -> None:
    for fragments in ([text], list(text)):
        parser = PartialJSON()
        for fragment in fragments:
            parser.feed(fragment)
        with pytest.raises(PartialJSONError, match=expected) as raised:
            parser.value()
        assert raised.value.offset == offset
        assert f"at character {offset}: expected" in str(raised.value)
        assert isinstance(raised.value, ValueError)
        # The error sticks: the parser does not go on past it.
        parser.feed("]")
        with pytest.raises(PartialJSONError):
            _ = parser.complete
    if "N" not in text and "I" not in text:  # pydantic-core takes NaN and Infinity
        with pytest.raises(ValueError, match=r"at line \d+ column"):
            from_json(text)


def test_lone_surrogates_are_refused_like_pydantic_core() -> None:
    """`json.loads` keeps a lone surrogate; pydantic-core and the parser refuse it."""
    for text in ['"\\ud800"', '"\\udfff"', '"a\\ud83d b"']:
        assert json.loads(text)
        with pytest.raises(ValueError, match="hex escape"):
            from_json(text)
        with pytest.raises(PartialJSONError, match="surrogate"):
            parse_partial(text)


# ---------------------------------------------------------------------------
# Escapes and numbers split anywhere
# ---------------------------------------------------------------------------

ESCAPED = '{"k\\u00e9y\\"":"a\\ud83d\\ude00b\\n\\"\\\\\\/\\b\\f\\r\\t\\u0000\\u20ACz"}'


def test_escapes_split_at_every_pair_of_places() -> None:
    expected = json.loads(ESCAPED)
    for a in range(len(ESCAPED) + 1):
        for b in range(a, len(ESCAPED) + 1):
            parser = PartialJSON()
            for fragment in (ESCAPED[:a], ESCAPED[a:b], ESCAPED[b:]):
                parser.feed(fragment)
                assert same(parser.value(), pydantic_partial(parser.text))
            assert same(parser.value(), expected)


@pytest.mark.parametrize(
    "number",
    [
        *["0", "-0", "-0.0", "12", "-12.5e+3", "1E-7", "1e400", "-1e400", "5e-324", "0.1e-400"],
        *["123456789012345678901234567890", "1" * 4300, "1.7976931348623157e308"],
    ],
)
def test_numbers_split_at_every_place(number: str) -> None:
    text = f'[{number},{{"n":{number}}}, {number} ]'
    expected = json.loads(text)
    step = max(1, len(text) // 60)
    for k in range(0, len(text) + 1, step):
        parser = PartialJSON()
        parser.feed(text[:k])
        assert same(parser.value(), pydantic_partial(text[:k])), text[:k]
        parser.feed(text[k:])
        assert same(parser.value(), expected)
    top = PartialJSON()
    for char in number:
        top.feed(char)
    assert same(top.value(), json.loads(number))
    assert top.complete


# ---------------------------------------------------------------------------
# Depth
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_depth_limit_is_pydantic_cores(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    deep = opener * MAX_DEPTH + "1" + closer * MAX_DEPTH
    assert same(parse_partial(deep), json.loads(deep))
    assert same(parse_partial(deep), from_json(deep))
    too_deep = opener * (MAX_DEPTH + 1)
    with pytest.raises(PartialJSONError, match="at most 200 levels of nesting") as raised:
        parse_partial(too_deep)
    assert raised.value.offset == len(opener) * MAX_DEPTH
    with pytest.raises(ValueError, match="recursion limit"):
        from_json(opener * (MAX_DEPTH + 1) + "1" + closer * (MAX_DEPTH + 1))


def test_very_deep_text_raises_no_recursion_error() -> None:
    with pytest.raises(PartialJSONError):
        parse_partial("[" * 100_000)
    # Without the limit the parser itself needs no stack either.
    depth = sys.getrecursionlimit() * 5
    parser = PartialJSON(max_depth=depth)
    parser.feed("[" * depth)
    parser.feed("]" * depth)
    assert parser.complete
    inner = parser.value()
    for _ in range(depth - 1):
        (inner,) = inner
    assert inner == []


# ---------------------------------------------------------------------------
# The incremental path
# ---------------------------------------------------------------------------


def tool_arguments(size: int) -> str:
    """Arguments shaped like a model's `edit_file` call: short fields, then a long text."""
    lines = [
        f'    line {k}: print("value", {k} * 2.5)  # \u00e9\U0001f600' for k in range(size // 40)
    ]
    return json.dumps(
        {
            "path": "src/app/main.py",
            "line_range": [12, -3, 1.5e3],
            "dry_run": False,
            "note": None,
            "edits": [{"old": "a", "new": "b", "n": k} for k in range(size // 400)],
            "content": "\n".join(lines),
        },
        ensure_ascii=False,
    )[:size]


def test_each_character_is_scanned_once() -> None:
    text = tool_arguments(10_000)
    parser = PartialJSON()
    first: object = None
    for k, char in enumerate(text, 1):
        parser.feed(char)
        current: object = parser.value()
        assert scanned(parser) == k
        if current is not UNSET:
            # The same live container all along: nothing is rebuilt from the start.
            first = current if first is None else first
            assert current is first
    assert scanned(parser) == len(text)
    assert same(parser.value(), from_json(text, allow_partial="trailing-strings"))


# `function.arguments` deltas cut at token boundaries, the way OpenAI-compatible
# servers stream a `get_weather` call, with what `value()` shows after each.
WEATHER_DELTAS: List[Tuple[str, Dict[str, Any]]] = [
    ('{"', {}),
    ("location", {}),
    ('":"', {"location": ""}),
    ("San", {"location": "San"}),
    (" Francisco", {"location": "San Francisco"}),
    (", CA", {"location": "San Francisco, CA"}),
    ('","', {"location": "San Francisco, CA"}),
    ("unit", {"location": "San Francisco, CA"}),
    ('":"', {"location": "San Francisco, CA", "unit": ""}),
    ("c", {"location": "San Francisco, CA", "unit": "c"}),
    ('elsius","days":', {"location": "San Francisco, CA", "unit": "celsius"}),
    ("1", {"location": "San Francisco, CA", "unit": "celsius", "days": 1}),
    ("4", {"location": "San Francisco, CA", "unit": "celsius", "days": 14}),
    (',"hourly":tr', {"location": "San Francisco, CA", "unit": "celsius", "days": 14}),
    ("ue}", {"location": "San Francisco, CA", "unit": "celsius", "days": 14, "hourly": True}),
]


def test_a_streamed_tool_call() -> None:
    parser = PartialJSON()
    for delta, shown in WEATHER_DELTAS:
        parser.feed(delta)
        assert same(parser.value(), shown), parser.text
        assert parser.complete == (delta == "ue}")
    assert parser.text == "".join(delta for delta, _ in WEATHER_DELTAS)
    assert same(parser.value(), json.loads(parser.text))


def test_feed_parses_nothing_and_text_joins_lazily() -> None:
    parser = PartialJSON()
    for char in '{"a": [1, 2':
        parser.feed(char)
    assert scanned(parser) == 0
    assert parser.text == '{"a": [1, 2'
    assert scanned(parser) == 0
    assert parser.value() == {"a": [1, 2]}
    assert scanned(parser) == 11
    assert parser.value() == {"a": [1, 2]}  # asked again: nothing new to scan
    assert scanned(parser) == 11


def test_value_is_live_and_the_trailing_string_is_replaced() -> None:
    parser = PartialJSON()
    parser.feed('{"a": ["x')
    shown = parser.value()
    assert shown == {"a": ["x"]}
    parser.feed('y", "z')
    assert parser.value() is shown
    assert shown == {"a": ["xy", "z"]}
    parser.feed('"], "b": 1.')
    assert parser.value() == {"a": ["xy", "z"]}  # `1.` is not a number yet
    parser.feed("5}")
    assert parser.value() == {"a": ["xy", "z"], "b": 1.5}
    assert parser.complete


# ---------------------------------------------------------------------------
# validate_partial
# ---------------------------------------------------------------------------


class EditArgs(TypedDict, total=False):
    path: str
    mode: Literal["replace", "append"]
    lines: List[int]


class EditModel(BaseModel):
    path: str = ""
    mode: Literal["replace", "append"] = "replace"
    lines: List[int] = []


class StrictModel(BaseModel):
    path: str
    lines: List[int]


EDIT = '{"path": "a.py", "lines": [1, 22, 333], "mode": "append"}'


def test_validate_partial_typed_dict_at_every_prefix() -> None:
    adapter = TypeAdapter(EditArgs)
    parser = PartialJSON()
    for k, char in enumerate(EDIT, 1):
        parser.feed(char)
        checked = validate_partial(parser.value(), EditArgs)
        assert same(checked, validate_partial(parser.value(), adapter))
        # What pydantic's own partial JSON validation gives for the same prefix.
        direct = adapter.validate_json(EDIT[:k], experimental_allow_partial="trailing-strings")
        assert same(checked, direct), EDIT[:k]
    assert validate_partial(parser.value(), EditArgs) == json.loads(EDIT)


def test_validate_partial_drops_an_unfinished_last_value() -> None:
    value = parse_partial('{"path": "a.py", "mode": "app')
    assert value == {"path": "a.py", "mode": "app"}
    assert validate_partial(value, EditArgs) == {"path": "a.py"}
    assert validate_partial(parse_partial('{"lines": [1, 2, "x'), EditArgs) == {"lines": [1, 2]}


def test_validate_partial_model() -> None:
    assert validate_partial(parse_partial('{"path": "a.py", "lines": [1, 2'), EditModel) == (
        EditModel(path="a.py", lines=[1, 2])
    )
    assert validate_partial(parse_partial(EDIT), EditModel) == EditModel.model_validate_json(EDIT)
    # Models get no partial validation of their own fields: an unfinished last
    # field fails, and so does a required field that has not arrived yet.
    with pytest.raises(ValidationError, match="mode"):
        validate_partial(parse_partial('{"path": "a.py", "mode": "app'), EditModel)
    with pytest.raises(ValidationError, match="lines"):
        validate_partial(parse_partial('{"path": "a.py"'), StrictModel)
    # In a list, a last model that fails is dropped.
    assert validate_partial(parse_partial('[{"path": "a"}, {"mode": "x'), List[EditModel]) == [
        EditModel(path="a")
    ]


def test_validate_partial_reuses_one_adapter_per_type() -> None:
    from chatchunk import _partial

    adapters = _partial._adapters  # pyright: ignore[reportPrivateUsage]
    validate_partial({}, EditArgs)
    adapter = adapters[EditArgs]
    validate_partial({}, EditArgs)
    assert adapters[EditArgs] is adapter
    assert validate_partial([1, "2"], List[int]) == [1, 2]


def test_validate_partial_keeps_a_bounded_number_of_adapters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chatchunk import _partial

    monkeypatch.setattr(_partial, "_adapters", {})
    monkeypatch.setattr(_partial, "_MAX_ADAPTERS", 2)
    for item in (int, str, float, bool):
        assert validate_partial(["1"], List[item]) == [item("1")]  # type: ignore[valid-type]
        assert len(_partial._adapters) <= 2  # pyright: ignore[reportPrivateUsage]


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["path", "mode", "lines"]),
        st.one_of(st.text(max_size=5), st.sampled_from(["replace", "append"])),
        max_size=3,
    ),
    st.data(),
)
def test_validate_partial_matches_pydantic_on_random_prefixes(
    args: Dict[str, Any], data: st.DataObject
) -> None:
    args = {key: [1, 2] if key == "lines" else value for key, value in args.items()}
    text = json.dumps(args)
    k = data.draw(st.integers(1, len(text)))
    adapter = TypeAdapter(EditArgs)
    try:
        direct: Any = adapter.validate_json(text[:k], experimental_allow_partial="trailing-strings")
    except ValidationError:
        direct = ValidationError
    try:
        checked: Any = validate_partial(parse_partial(text[:k]), adapter)
    except ValidationError:
        checked = ValidationError
    assert same(checked, direct)
