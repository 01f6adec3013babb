"""The SSE write side: events and comments that `SSEDecoder` reads back as written.

The property test encodes random sequences of events and comments, concatenates them,
cuts the bytes at random places and decodes them: the events come back with their
name, data (each CRLF or CR read as LF), last id and retry; comments give nothing.
"""

from typing import Any, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import ServerSentEvent, SSEDecoder
from chatchunk._sse_encode import DONE_FRAME, encode_comment, encode_event


def decode(pieces: List[bytes]) -> List[ServerSentEvent]:
    decoder = SSEDecoder()
    events: List[ServerSentEvent] = []
    for piece in pieces:
        events += decoder.feed(piece)
    assert not decoder.pending
    events += decoder.flush()
    return events


def test_one_line() -> None:
    assert encode_event("hello") == b"data: hello\n\n"
    assert encode_event("") == b"data: \n\n"
    assert encode_event("[DONE]") == DONE_FRAME


def test_fields_and_lines() -> None:
    frame = encode_event("a\r\nb\rc\nd", event="delta", id="7", retry=1500)
    assert frame == b"event: delta\nid: 7\nretry: 1500\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
    (event,) = decode([frame])
    assert (event.event, event.data, event.id, event.retry) == ("delta", "a\nb\nc\nd", "7", 1500)


def test_leading_space_and_colon_survive() -> None:
    (event,) = decode([encode_event("  two spaces\n: not a comment\n")])
    assert event.data == "  two spaces\n: not a comment\n"


def test_line_separators_are_not_line_ends() -> None:
    # U+2028, U+0085, VT and FF are no SSE line ends: they stay inside one data line.
    text = "a\u2028b\x85c\x0bd\x0ce"
    assert encode_event(text) == b"data: " + text.encode() + b"\n\n"


def test_comment() -> None:
    assert encode_comment("keep-alive") == b": keep-alive\n\n"
    assert encode_comment() == b":\n\n"
    assert encode_comment("a\r\n\nb") == b": a\n:\n: b\n\n"
    assert decode([encode_comment("x\ny"), encode_event("z")])[0].data == "z"


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"data": b"x"}, TypeError, "data"),
        ({"data": None}, TypeError, "data"),
        ({"data": "x", "event": "a\nb"}, ValueError, "event"),
        ({"data": "x", "event": "a\rb"}, ValueError, "event"),
        ({"data": "x", "event": 1}, TypeError, "event"),
        ({"data": "x", "id": "1\n"}, ValueError, "id"),
        ({"data": "x", "id": "1\x002"}, ValueError, "id"),
        ({"data": "x", "id": 1}, TypeError, "id"),
        ({"data": "x", "retry": -1}, ValueError, "retry"),
        ({"data": "x", "retry": 1.5}, ValueError, "retry"),
        ({"data": "x", "retry": "5"}, ValueError, "retry"),
        ({"data": "x", "retry": True}, ValueError, "retry"),
        ({"data": "\ud800"}, ValueError, "data"),
    ],
)
def test_wrong_arguments(kwargs: Any, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        encode_event(**kwargs)


def test_wrong_comment() -> None:
    with pytest.raises(TypeError, match="text"):
        encode_comment(b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="text"):
        encode_comment("\udfff")


# --- The round trip --------------------------------------------------------------------------

_PIECES = st.sampled_from(["\r\n", "\r", "\n", " ", ":", "data: ", "é", "🦜", "\u2028", "[DONE]"])
texts = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=8).map("".join)
names = st.text(min_size=1, max_size=8).filter(lambda s: "\r" not in s and "\n" not in s)
ids = names.filter(lambda s: "\0" not in s)

Event = Tuple[str, Optional[str], Optional[str], Optional[int]]  # data, event, id, retry
events = st.tuples(
    texts,
    st.none() | names,
    st.none() | ids,
    st.none() | st.integers(min_value=0, max_value=10**12),
)
items = st.lists(st.one_of(events, texts.map(lambda text: ("comment", text))), max_size=10)


@given(items=items, cuts=st.lists(st.integers(min_value=0), max_size=6))
@settings(max_examples=400, deadline=None)
def test_round_trip(items: List[Any], cuts: List[int]) -> None:
    body = b""
    expected: List[Tuple[str, str, str, Optional[int]]] = []
    last_id = ""
    for item in items:
        if item[0] == "comment":
            body += encode_comment(item[1])
            continue
        data, event, id, retry = item
        body += encode_event(data, event=event, id=id, retry=retry)
        if id is not None:
            last_id = id
        normal = data.replace("\r\n", "\n").replace("\r", "\n")
        expected.append((event or "message", normal, last_id, retry))
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)])]
    got = [(e.event, e.data, e.id, e.retry) for e in decode(pieces)]
    assert got == expected
