"""Parse a JSON text that arrives in fragments, such as a streamed tool call's arguments.

`PartialJSON` keeps a resumable scanner: the stack of open containers, the key
being filled, and the unfinished token (string, escape, number or literal).
`feed` only stores a fragment; `value` scans what is new since the last call and
updates the containers in place, so asking after every fragment costs time in
proportion to the new text, not to the text so far.

`value` gives what `pydantic_core.from_json(text, allow_partial="trailing-strings")`
gives for the same text, with these deliberate differences:

- Text that is not the start of one JSON value raises `PartialJSONError`, where
  pydantic-core stops at the error and returns what it has (`[1 2]` gives it `[1]`,
  `{"a":1}x` gives it `{"a": 1}`).
- `NaN`, `Infinity` and `-Infinity` are refused: they are not JSON (pydantic-core
  and `json.loads` accept them).
- An unfinished number or literal at the top level (`-`, `1.`, `tr`) gives `UNSET`,
  as no value has started; pydantic-core raises there. Inside a container both
  drop it, and both show an unfinished number that is already a number (`[1`
  gives `[1]`, `[1.` gives `[]`).

Like pydantic-core (and unlike `json.loads`) it refuses lone surrogate escapes
(`"\\ud800"`) and allows 200 levels of nesting; integers may have as many digits
as Python's `int` reads (4300 by default), as with `json.loads`.

Costs: a call to `value` after new text scans the new text once (runs of string
characters and numbers by regular expression, not character by character), plus
two things it cannot avoid: it copies a trailing unfinished string (a `str` cannot
grow in place), and converts a trailing unfinished number. On 10^5 one-character
fragments with `value` after each, the time grows with exponent 1.0-1.1 where
re-parsing each prefix with `pydantic_core.from_json` grows with 2.0.
"""

import re
import sys
from _json import scanstring as _scanstring  # the C string decoder of `json`
from typing import Any, Dict, List, Optional, Tuple, Union

from pydantic import TypeAdapter

from ._unset import UNSET

__all__ = ["MAX_DEPTH", "PartialJSON", "PartialJSONError", "parse_partial", "validate_partial"]

MAX_DEPTH = 200
"""How deeply arrays and objects may nest: pydantic-core's own recursion limit."""

_WS = re.compile(r"[ \t\n\r]*")
# A run of string characters and whole escapes, except a lone surrogate: the run
# stops before one, and before an escape cut off by the end of the text, so
# that the escape-by-escape path reports or waits for it.
_STR_RUN = re.compile(
    r'(?:[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}'
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})*"
)
_DIGITS = re.compile(r"[0-9]*")
# Fast paths for the common tokens, whole within the text scanned.
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_SIMPLE_KEY = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:')
# A whole number followed by a character that cannot continue it: the fast path.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?(?=[ \t\n\r,\]}])")
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGIT = frozenset("0123456789")
_ESCAPES = dict(zip('"\\/bfnrt', '"\\/\b\f\n\r\t'))
_LITERALS: Dict[str, Tuple[str, Any]] = {
    "t": ("true", True),
    "f": ("false", False),
    "n": ("null", None),
}

# Scanner modes: what the next character may be.
_VALUE = 0  # a value: at the top level, after ':', after ',' in an array
_VALUE_OR_END = 1  # just after '[': a value or ']'
_KEY = 2  # after ',' in an object: a key
_KEY_OR_END = 3  # just after '{': a key or '}'
_COLON = 4  # after a key
_AFTER = 5  # after a value in a container: ',' or the closing bracket
_DONE = 6  # the top-level value is whole: only whitespace may follow
_STRING = 7
_ESCAPE = 8  # after a backslash in a string; `_esc` holds what followed it
_NUMBER_MODE = 9
_LITERAL = 10

# Number states: what the number's characters so far end with.
_N_MINUS = 0
_N_ZERO = 1  # an integer part of 0, so no further digit may follow
_N_INT = 2
_N_DOT = 3
_N_FRAC = 4
_N_E = 5
_N_ESIGN = 6
_N_EXP = 7
_N_ACCEPTING = (_N_ZERO, _N_INT, _N_FRAC, _N_EXP)

_EXPECTED = {
    _VALUE: "a JSON value",
    _VALUE_OR_END: "a JSON value or ']'",
    _KEY: "a string key",
    _KEY_OR_END: "a string key or '}'",
    _COLON: "':'",
    _DONE: "the end of the text",
}

_NOTHING: Any = object()  # no provisional value to show


class PartialJSONError(ValueError):
    """The text fed to a `PartialJSON` cannot be (the start of) one JSON value.

    Attributes:
        offset: The character offset in the text fed where the problem is.
        expected: What the parser expected there.
    """

    def __init__(self, offset: int, expected: str, found: str = "") -> None:
        self.offset = offset
        self.expected = expected
        where = f"invalid JSON at character {offset}: expected {expected}"
        super().__init__(f"{where}, found {found!r}" if found else where)


class PartialJSON:
    """Incremental parser of one JSON text that arrives in fragments (a tool call's arguments).

    Feed the fragments as they come and ask for `value` whenever you like: each
    call scans only the text that is new since the last one. A trailing string
    that is not finished yet is shown as far as it goes; a half-received escape,
    key, number that is not a number yet (`1.`, `-`) or literal (`tru`) is left
    out until it is whole.

    `value` returns the parser's own live containers, which later calls update
    in place; copy them (`copy.deepcopy`) before changing them, or to keep a
    snapshot. A trailing unfinished string is the one part rebuilt on every
    call that follows new text: that costs a copy of the string so far.

    Args:
        max_depth: How deeply arrays and objects may nest before
            `PartialJSONError` is raised.
    """

    __slots__ = (
        "_all",
        "_error",
        "_esc",
        "_fresh",
        "_keys",
        "_lit",
        "_max_depth",
        "_mode",
        "_new",
        "_nstate",
        "_parts",
        "_reading_key",
        "_root",
        "_scanned",
        "_shown",
        "_stack",
        "_undo",
    )

    def __init__(self, *, max_depth: int = MAX_DEPTH) -> None:
        self._max_depth = max_depth
        self._all: List[str] = []  # every fragment, joined when `text` is read
        self._new: List[str] = []  # fragments not scanned yet
        # Characters scanned so far, which is also the offset of the first
        # unscanned one: each character is scanned once (the tests check it).
        self._scanned = 0
        self._error: Optional[PartialJSONError] = None
        self._mode = _VALUE
        self._root: Any = UNSET
        self._stack: List[Union[List[Any], Dict[str, Any]]] = []  # the open containers
        self._keys: List[str] = []  # the current key of each open object ("" for arrays)
        self._parts: List[str] = []  # the unfinished string (or number) so far
        self._reading_key = False  # the string being read is a key
        self._esc = ""
        self._lit = ""
        self._nstate = _N_MINUS
        self._fresh = True  # `_shown` is up to date
        self._shown: Any = UNSET
        # The provisional value put into a container for `value`, to take out
        # before scanning on: (container, key or None for a list, previous value).
        self._undo: Optional[Tuple[Any, Optional[str], Any]] = None

    def feed(self, fragment: str) -> None:
        """Store the next fragment of the text; parsing waits for `value` or `complete`."""
        if fragment:
            self._all.append(fragment)
            self._new.append(fragment)

    @property
    def text(self) -> str:
        """All the text fed so far."""
        parts = self._all
        if len(parts) != 1:
            joined = "".join(parts)
            self._all = parts = [joined] if joined else []
            return joined
        return parts[0]

    @property
    def complete(self) -> bool:
        """Whether the text so far is one whole JSON value (a top-level number may still grow)."""
        if self._new or self._error is not None:
            self._scan()
        mode = self._mode
        return mode == _DONE or (
            mode == _NUMBER_MODE and not self._stack and self._nstate in _N_ACCEPTING
        )

    def value(self) -> Any:
        """Return the JSON value of the text fed so far, or `UNSET` before any value has started.

        Raises:
            PartialJSONError: The text cannot be the start of a JSON value.
        """
        if self._new or self._error is not None:
            self._scan()
        if not self._fresh:
            self._shown = self._show()
            self._fresh = True
        return self._shown

    def _show(self) -> Any:
        mode = self._mode
        shown = _NOTHING
        if mode in (_STRING, _ESCAPE) and not self._reading_key:
            # A half-received escape is left out: `_parts` holds what precedes it.
            parts = self._parts
            if len(parts) > 1:
                self._parts = parts = ["".join(parts)]
            shown = parts[0] if parts else ""
        elif mode == _NUMBER_MODE and self._nstate in _N_ACCEPTING:
            shown = self._number(self._scanned)
        stack = self._stack
        if not stack:
            return self._root if shown is _NOTHING else shown
        if shown is not _NOTHING:
            top = stack[-1]
            if isinstance(top, list):
                top.append(shown)
                self._undo = (top, None, None)
            else:
                key = self._keys[-1]
                self._undo = (top, key, top.get(key, _NOTHING))
                top[key] = shown
        return self._root

    def _number(self, end: int) -> Any:
        # `end` is the offset just past the number, which is in `_parts`.
        text = "".join(self._parts)
        self._parts = [text]
        try:
            if self._nstate == _N_ZERO or self._nstate == _N_INT:
                return int(text)
            return float(text)
        except ValueError:  # more digits than `int` converts (`sys.get_int_max_str_digits`)
            limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
            expected = f"a number of at most {limit} digits"
            raise self._fail(end - len(text), expected, text[:20] + "...") from None

    def _fail(self, offset: int, expected: str, found: str = "") -> PartialJSONError:
        self._error = PartialJSONError(offset, expected, found)
        return self._error

    def _scan(self) -> None:
        if self._error is not None:
            raise self._error
        undo = self._undo
        if undo is not None:
            self._undo = None
            container, key, previous = undo
            # Guarded, so a caller who changed the value despite the docstring
            # gets a wrong value rather than an IndexError or KeyError.
            if key is None:
                if container:
                    container.pop()
            elif previous is _NOTHING:
                container.pop(key, None)
            else:
                container[key] = previous
        self._fresh = False
        new = self._new
        s = new[0] if len(new) == 1 else "".join(new)
        new.clear()
        n = len(s)
        base = self._scanned
        self._scanned = base + n
        i = 0
        mode = self._mode
        stack = self._stack
        while i < n:
            if mode == _STRING:
                j = _STR_RUN.match(s, i).end()  # type: ignore[union-attr]
                if j > i:
                    run = s[i:j]
                    if "\\" in run:  # decode the escapes at C speed
                        run = _scanstring(run + '"', 0)[0]
                    self._parts.append(run)
                    i = j
                    if i == n:
                        break
                c = s[i]
                i += 1
                if c == '"':
                    parts = self._parts
                    text = parts[0] if len(parts) == 1 else "".join(parts)
                    self._parts = []
                    if self._reading_key:
                        self._reading_key = False
                        self._keys[-1] = text
                        mode = _COLON
                    else:
                        mode = self._put(text)
                elif c == "\\":
                    mode = _ESCAPE
                    self._esc = ""
                else:
                    expected = "a string character (a control character must be escaped)"
                    raise self._fail(base + i - 1, expected, c)
            elif mode == _AFTER:
                i = _WS.match(s, i).end()  # type: ignore[union-attr]
                if i == n:
                    break
                c = s[i]
                in_list = type(stack[-1]) is list
                if c == ",":
                    mode = _VALUE if in_list else _KEY
                elif c == "]" if in_list else c == "}":
                    mode = self._close()
                else:
                    raise self._fail(base + i, "',' or ']'" if in_list else "',' or '}'", c)
                i += 1
            elif mode <= _VALUE_OR_END:
                i = _WS.match(s, i).end()  # type: ignore[union-attr]
                if i == n:
                    break
                c = s[i]
                if c == '"':
                    m = _SIMPLE_STRING.match(s, i)
                    if m is not None:  # a whole string without escapes
                        mode = self._put(m.group(1))
                        i = m.end()
                    else:
                        mode = _STRING
                        self._reading_key = False
                        i += 1
                elif c == "{" or c == "[":
                    mode = self._open({} if c == "{" else [], base + i)
                    i += 1
                elif c == "]" and mode == _VALUE_OR_END:
                    mode = self._close()
                    i += 1
                elif c in _DIGIT or c == "-":
                    m = _NUMBER.match(s, i)
                    if m is not None:
                        text = m.group()
                        number = int(text) if m.lastindex is None and len(text) < 19 else _NOTHING
                        if number is _NOTHING:
                            self._parts = [text]
                            self._nstate = _N_INT if m.lastindex is None else _N_FRAC
                            number = self._number(base + m.end())
                            self._parts = []
                        mode = self._put(number)
                        i = m.end()
                    else:
                        self._parts = []
                        self._nstate = _N_MINUS if c == "-" else _N_ZERO if c == "0" else _N_INT
                        self._parts.append(c)
                        mode = _NUMBER_MODE
                        i += 1
                elif c in _LITERALS:
                    word, literal = _LITERALS[c]
                    if s.startswith(word, i):
                        mode = self._put(literal)
                        i += len(word)
                    else:
                        self._lit = c
                        mode = _LITERAL
                        i += 1
                else:
                    raise self._fail(base + i, _EXPECTED[mode], c)
            elif mode in (_KEY, _KEY_OR_END):
                i = _WS.match(s, i).end()  # type: ignore[union-attr]
                if i == n:
                    break
                c = s[i]
                if c == '"':
                    m = _SIMPLE_KEY.match(s, i)
                    if m is not None:  # the common case: a whole key and its ':'
                        self._keys[-1] = m.group(1)
                        mode = _VALUE
                        i = m.end()
                        continue
                    mode = _STRING
                    self._reading_key = True
                elif c == "}" and mode == _KEY_OR_END:
                    mode = self._close()
                else:
                    raise self._fail(base + i, _EXPECTED[mode], c)
                i += 1
            elif mode == _COLON:
                i = _WS.match(s, i).end()  # type: ignore[union-attr]
                if i == n:
                    break
                if s[i] != ":":
                    raise self._fail(base + i, "':'", s[i])
                mode = _VALUE
                i += 1
            elif mode == _NUMBER_MODE:
                i, mode = self._scan_number(s, i, base)
            elif mode == _ESCAPE:
                i, mode = self._scan_escape(s, i, base)
            elif mode == _LITERAL:
                lit = self._lit
                word, literal = _LITERALS[lit[0]]
                need = word[len(lit) :]
                take = s[i : i + len(need)]
                if not need.startswith(take):
                    k = next(k for k, c in enumerate(take) if c != need[k])
                    raise self._fail(base + i + k, repr(need[k]), take[k])
                i += len(take)
                if take == need:
                    mode = self._put(literal)
                else:
                    self._lit = lit + take
            else:  # _DONE
                i = _WS.match(s, i).end()  # type: ignore[union-attr]
                if i < n:
                    raise self._fail(base + i, "the end of the text", s[i])
        self._mode = mode

    def _put(self, value: Any) -> int:
        """Store a finished value in its container and return the next mode."""
        stack = self._stack
        if not stack:
            self._root = value
            return _DONE
        top = stack[-1]
        if isinstance(top, list):
            top.append(value)
        else:
            top[self._keys[-1]] = value
        return _AFTER

    def _open(self, container: Union[List[Any], Dict[str, Any]], offset: int) -> int:
        stack = self._stack
        if len(stack) >= self._max_depth:
            expected = f"at most {self._max_depth} levels of nesting"
            raise self._fail(offset, expected, "{" if type(container) is dict else "[")
        self._put(container)
        stack.append(container)
        self._keys.append("")
        return _VALUE_OR_END if type(container) is list else _KEY_OR_END

    def _close(self) -> int:
        self._stack.pop()
        self._keys.pop()
        return _AFTER if self._stack else _DONE

    def _scan_number(self, s: str, i: int, base: int) -> Tuple[int, int]:
        n = len(s)
        parts = self._parts
        state = self._nstate
        while i < n:
            if state in (_N_INT, _N_FRAC, _N_EXP):
                j = _DIGITS.match(s, i).end()  # type: ignore[union-attr]
                if j > i:
                    parts.append(s[i:j])
                    i = j
                    if i == n:
                        break
            c = s[i]
            if state in (_N_ZERO, _N_INT):
                if c == ".":
                    state = _N_DOT
                elif c == "e" or c == "E":
                    state = _N_E
                else:
                    break
            elif state == _N_FRAC:
                if c == "e" or c == "E":
                    state = _N_E
                else:
                    break
            elif state == _N_EXP:
                break
            elif state == _N_MINUS:
                if c not in _DIGIT:
                    raise self._fail(base + i, "a digit", c)
                state = _N_ZERO if c == "0" else _N_INT
            elif state == _N_E and (c == "+" or c == "-"):
                state = _N_ESIGN
            elif c in _DIGIT:  # after '.', 'e' or the exponent's sign
                state = _N_FRAC if state == _N_DOT else _N_EXP
            else:
                raise self._fail(base + i, "a digit", c)
            parts.append(c)
            i += 1
        self._nstate = state
        if i == n:
            return i, _NUMBER_MODE
        number = self._number(base + i)
        self._parts = []
        return i, self._put(number)

    def _scan_escape(self, s: str, i: int, base: int) -> Tuple[int, int]:
        # `_esc` holds what followed the backslash: one character, or `uXXXX`,
        # or for a high surrogate `uXXXX\uXXXX`, so at most 11 characters.
        esc = self._esc
        n = len(s)
        while i < n:
            c = s[i]
            k = len(esc)
            if k == 0:
                if c in _ESCAPES:
                    self._parts.append(_ESCAPES[c])
                    return i + 1, _STRING
                if c != "u":
                    raise self._fail(base + i, "an escape character", c)
            elif k == 5:
                if c != "\\":
                    raise self._fail(base + i, "'\\u' and a low surrogate after a high one", c)
            elif k == 6:
                if c != "u":
                    raise self._fail(base + i, "'u' and a low surrogate after a high one", c)
            elif c not in _HEX:
                raise self._fail(base + i, "a hex digit", c)
            esc += c
            i += 1
            if k == 4:
                code = int(esc[1:], 16)
                if 0xDC00 <= code <= 0xDFFF:
                    raise self._fail(base + i - 6, "a high surrogate before a low one", esc)
                if not 0xD800 <= code <= 0xDBFF:
                    self._parts.append(chr(code))
                    return i, _STRING
            elif k == 10:
                high, low = int(esc[1:5], 16), int(esc[7:], 16)
                if not 0xDC00 <= low <= 0xDFFF:
                    raise self._fail(base + i - 6, "a low surrogate after a high one", esc[5:])
                self._parts.append(chr(0x10000 + (high - 0xD800) * 0x400 + low - 0xDC00))
                return i, _STRING
        self._esc = esc
        return i, _ESCAPE


def parse_partial(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Return the JSON value of `text`, which may be cut anywhere, as `PartialJSON.value` does.

    Raises:
        PartialJSONError: The text cannot be the start of a JSON value.
    """
    parser = PartialJSON(max_depth=max_depth)
    parser.feed(text)
    return parser.value()


_adapters: Dict[Any, "TypeAdapter[Any]"] = {}
_MAX_ADAPTERS = 256  # types made at run time (`create_model`) must not pile up


def validate_partial(value: Any, type_or_adapter: Any) -> Any:
    """Validate a partial value (from `PartialJSON.value`) with pydantic's partial validation.

    `type_or_adapter` is a `pydantic.TypeAdapter` or a type to build one for (built
    once per type and kept). Validation runs with
    `TypeAdapter.validate_python(value, experimental_allow_partial=True)`, and what
    that forgives depends on the type, as pydantic defines it:

    - list, tuple, set, frozenset, dict and `TypedDict`: the last item of the last
      container may fail validation and is then left out (an unfinished string such
      as `"sto"` for a `Literal["stop"]` field, say); every other item must be valid.
      Keys that a `TypedDict` requires stay required: use `total=False` (or
      `NotRequired`) for fields that arrive later.
    - A `BaseModel` or dataclass gets no partial validation of its own fields: a
      missing required field or an invalid last field raises. Give fields defaults,
      or validate against a `TypedDict` while streaming and the model at the end.
      A list of models does drop a last model that fails.

    Raises:
        pydantic.ValidationError: The value is invalid beyond what partial
            validation forgives; the error names the field path.
    """
    adapter: TypeAdapter[Any]
    if isinstance(type_or_adapter, TypeAdapter):
        adapter = type_or_adapter  # pyright: ignore[reportUnknownVariableType]
    else:
        try:
            adapter = _adapters[type_or_adapter]
        except KeyError:
            if len(_adapters) >= _MAX_ADAPTERS:
                _adapters.clear()
            adapter = _adapters[type_or_adapter] = TypeAdapter(type_or_adapter)
        except TypeError:  # an unhashable type expression: build it each time
            adapter = TypeAdapter(type_or_adapter)
    return adapter.validate_python(value, experimental_allow_partial=True)
