"""`SSEDecoder` against the plain reading of the WHATWG algorithm in `tests/whatwg.py`.

The streams are random bytes built from the parts that make decoders differ: every line
end (LF, CR, CRLF, mixed within a stream), a BOM or two or half of one, field names with
and without a colon and a space, names that are almost right, ``id`` values with NUL,
``retry`` values that are not all ASCII digits, U+2028 and other characters
`str.splitlines` would cut at, invalid UTF-8. Each stream is fed whole, byte by byte and
cut at random places: every feed must give what the reference gives.
"""

from typing import List, Optional, Sequence, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatchunk import ServerSentEvent, SSEDecoder
from whatwg import Event, interpret

MAIN = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NAMES = [b"data", b"event", b"id", b"retry", b"Data", b"dat", b"datas", b"", b" data", b"x"]
_SEPARATORS = [b": ", b":", b":  ", b"", b" :"]
_EOLS = [b"\n", b"\r", b"\r\n"]
_TEXTS = [
    b"",
    b" ",
    b"a",
    b"[DONE]",
    b"12",
    b"0",
    b"-1",
    b"1a",
    b"a\x00b",
    b"\x00",
    "\u2028".encode(),
    "\u2029\x85\x0b\x0c\x1c".encode(),
    "\u00e9\U0001f600".encode(),
    "\ufeff".encode(),
    "\u0661".encode(),  # ARABIC-INDIC DIGIT ONE: a digit, but not an ASCII one
    b"\xff",
    b"\xe2\x82",  # a character cut short
    b"\xed\xa0\x80",  # a UTF-8 surrogate
    b":",
    b'{"id":"c1","choices":[]}',
]
BOM = b"\xef\xbb\xbf"


@st.composite
def _lines(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        line = b""  # a blank line: dispatch
    elif kind == 1:
        line = b":" + draw(st.sampled_from(_TEXTS))  # a comment
    elif kind == 2:
        line = draw(st.binary(max_size=6))  # anything at all
    else:
        name = draw(st.sampled_from(_NAMES))
        separator = draw(st.sampled_from(_SEPARATORS))
        value = b"".join(draw(st.lists(st.sampled_from(_TEXTS), max_size=3)))
        line = name + separator + value
    return line + draw(st.sampled_from(_EOLS))


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """Random event streams, mostly made of lines that mean something."""
    head = draw(st.sampled_from([b"", b"", BOM, BOM + BOM, BOM[:2], b"\r\n"]))
    body = b"".join(draw(st.lists(_lines(), max_size=30)))
    tail = draw(st.sampled_from([b"", b"\n", b"\r", b"data: cut", b"\n\n"]))
    return head + body + tail


@st.composite
def cuts(draw: st.DrawFn, data: bytes) -> List[bytes]:
    points = sorted(draw(st.sets(st.integers(0, len(data)), max_size=12)))
    pieces: List[bytes] = []
    last = 0
    for point in [*points, len(data)]:
        pieces.append(data[last:point])
        last = point
    return pieces


Row = Tuple[str, str, str, Optional[int]]


def _decode(pieces: Sequence[bytes]) -> List[ServerSentEvent]:
    decoder = SSEDecoder(max_event_size=1 << 20)
    events: List[ServerSentEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    assert decoder.flush() == []
    return events


def _rows(events: Sequence[ServerSentEvent]) -> List[Row]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def _reference(stream: bytes) -> List[Row]:
    return [tuple(event) for event in interpret(stream).events]  # type: ignore[misc]


def test_reference_reads_the_specification_examples() -> None:
    # The examples of the specification's section, by their meaning.
    stream = b"data: YHOO\ndata: +2\ndata: 10\n\n"
    assert interpret(stream).events == [Event("message", "YHOO\n+2\n10", "", None)]
    stream = (
        b": test stream\n\ndata: first event\nid: 1\n\n"
        b"data:second event\nid\n\ndata:  third event\n"
    )
    assert interpret(stream).events == [
        Event("message", "first event", "1", None),
        Event("message", "second event", "", None),
    ]
    stream = b"data\n\ndata\ndata\n\ndata:"
    assert interpret(stream).events == [
        Event("message", "", "", None),
        Event("message", "\n", "", None),
    ]
    assert (
        interpret(b"data:test\n\ndata: test\n\n").events == [Event("message", "test", "", None)] * 2
    )


def test_reference_keeps_the_reconnection_time_of_a_block_without_data() -> None:
    result = interpret(b"retry: 3000\n\ndata: a\n\nretry: x\n\n")
    assert result.reconnection_time == 3000
    assert result.events == [Event("message", "a", "", None)]


@pytest.mark.parametrize(
    "stream",
    [
        BOM + BOM + b"data: a\r\n\r\ndata: b\r\r",
        b"data: a\r\n\ndata: b\n\r\n",
        b"id: 1\x002\ndata: x\n\nid: 3\ndata\n\n",
        b"retry: 1\xd9\xa1\ndata: a\n\nretry:7\ndata: b\n\n",
        "data: a\u2028b\n\n".encode(),
        b"data: \xe2\x82\ndata: \xff\n\n",
        b"event\ndata\nid\nretry\n\n",
        b"\r\n\r\ndata: a\n\n",
    ],
)
def test_decoder_agrees_on_the_hard_cases(stream: bytes) -> None:
    expected = _reference(stream)
    assert _rows(_decode([stream])) == expected
    assert _rows(_decode([stream[i : i + 1] for i in range(len(stream))])) == expected


@MAIN
@given(st.data(), streams())
def test_decoder_agrees_with_the_reference_however_the_stream_is_cut(
    data: st.DataObject, stream: bytes
) -> None:
    expected = _reference(stream)
    whole = _decode([stream])
    assert _rows(whole) == expected
    assert [e.position for e in whole] == list(range(1, len(whole) + 1))
    assert _decode([stream[i : i + 1] for i in range(len(stream))]) == whole
    assert _decode(data.draw(cuts(stream))) == whole


@MAIN
@given(st.data(), st.binary(max_size=200))
def test_decoder_agrees_with_the_reference_on_any_bytes(data: st.DataObject, stream: bytes) -> None:
    # Random bytes seldom hold a field name: add line ends and "data:" so that they do.
    stream = stream.replace(b"D", b"data:").replace(b"N", b"\n").replace(b"R", b"\r")
    whole = _decode([stream])
    assert _rows(whole) == _reference(stream)
    assert _decode(data.draw(cuts(stream))) == whole
