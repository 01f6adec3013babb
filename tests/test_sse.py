"""The Server-Sent-Events decoder: WHATWG framing, whatever the byte boundaries.

Every fixture runs with LF, CR and CRLF line ends, and is fed in one piece, cut in two at
every byte boundary and byte by byte: all feeds must give the same events, offsets
included. A hypothesis test serializes random events and decodes them back.
"""

import asyncio
import contextlib
import tracemalloc
from typing import AsyncIterator, Callable, Iterator, List, Optional, Sequence, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import ServerSentEvent, SSEDecoder, SSEError, aiter_sse, iter_sse

EOLS = [
    pytest.param(b"\n", id="LF"),
    pytest.param(b"\r", id="CR"),
    pytest.param(b"\r\n", id="CRLF"),
]
BOM = b"\xef\xbb\xbf"

Expected = List[Tuple[str, str, str, Optional[int]]]  # event, data, id, retry


def decode(pieces: Sequence[bytes], max_event_size: int = 1 << 20) -> List[ServerSentEvent]:
    decoder = SSEDecoder(max_event_size)
    events: List[ServerSentEvent] = []
    for piece in pieces:
        events += decoder.feed(piece)
    events += decoder.flush()
    return events


def splittings(data: bytes) -> Iterator[List[bytes]]:
    """The stream cut in two at every byte boundary, then byte by byte."""
    for i in range(len(data) + 1):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))]


def decode_every_way(data: bytes) -> List[ServerSentEvent]:
    """Decode ``data`` fed every way; assert all agree and return the events."""
    whole = decode([data])
    for pieces in splittings(data):
        assert decode(pieces) == whole, pieces
    return whole


def summary(events: List[ServerSentEvent]) -> Expected:
    return [(e.event, e.data, e.id, e.retry) for e in events]


# Written with LF; the tests swap in each line end.
FIXTURES = {
    "simple": (b"data: hello\n\n", [("message", "hello", "", None)]),
    "no space": (b"data:hello\n\n", [("message", "hello", "", None)]),
    "only one space is removed": (b"data:  hello \n\n", [("message", " hello ", "", None)]),
    "colons in value": (b"data: a: b:c\n\n", [("message", "a: b:c", "", None)]),
    "multi-line data": (
        b"data: a\ndata:b\ndata\ndata:\ndata: \n\n",
        [("message", "a\nb\n\n\n", "", None)],
    ),
    "empty data still dispatches": (b"data\n\ndata:\n\n", [("message", "", "", None)] * 2),
    "comments and keep-alives": (
        b": ping\n\n: OPENROUTER PROCESSING\n\ndata: x\n: in between\ndata: y\n\n:\n\n",
        [("message", "x\ny", "", None)],
    ),
    "event id retry": (
        b"event: delta\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n",
        [("delta", "x", "7", 1500), ("message", "y", "7", None)],
    ),
    "fields without space": (b"event:e\nid:i\nretry:5\ndata:d\n\n", [("e", "d", "i", 5)]),
    "empty event name is message": (b"event:\ndata: a\n\n", [("message", "a", "", None)]),
    "id with NUL ignored": (
        b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
        [("message", "a", "1", None), ("message", "b", "1", None)],
    ),
    "empty id resets": (
        b"id: 1\ndata: a\n\nid\ndata: b\n\n",
        [("message", "a", "1", None), ("message", "b", "", None)],
    ),
    "invalid retry ignored": (
        b"retry: 12a\ndata: a\n\nretry:\ndata: b\n\n"
        b"retry: \xd9\xa1\ndata: c\n\nretry: -1\ndata: d\n\n",
        [("message", d, "", None) for d in "abcd"],
    ),
    "unknown and miscased fields ignored": (
        b"foo: bar\nDATA: x\nData: y\nnocolon\n data: z\ndata: ok\n\n",
        [("message", "ok", "", None)],
    ),
    "blank events never dispatched": (
        b"\n\n\nevent: x\n\nretry: 5\n\nid: 9\n\n: c\n\nfoo: 1\n\ndata: a\n\n",
        [("message", "a", "9", None)],
    ),
    "unicode line separators are not line ends": (
        "data: a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\n\n".encode(),
        [("message", "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei", "", None)],
    ),
    "multi-byte characters": (
        "data: h\u00e9llo \U0001f600 \u4e2d\u6587\nevent: \u00e9\n\n".encode(),
        [("\u00e9", "h\u00e9llo \U0001f600 \u4e2d\u6587", "", None)],
    ),
    "invalid UTF-8 replaced": (
        b"data: a\xffb\xe2\x82\n\n",
        [("message", "a\ufffdb\ufffd", "", None)],
    ),
    "BOM at start stripped": (BOM + b"data: a\n\n", [("message", "a", "", None)]),
    "BOM only once": (BOM + BOM + b"data: a\n\ndata: b\n\n", [("message", "b", "", None)]),
    "BOM later kept": (
        b"data: a\n\n" + BOM + b"data: b\n\ndata: " + BOM + b"c\n\n",
        [("message", "a", "", None), ("message", "\ufeffc", "", None)],
    ),
    "unterminated last event dropped": (
        b"data: a\n\ndata: b\n",
        [("message", "a", "", None)],
    ),
    "unterminated last line dropped": (b"data: a\n\ndata: b", [("message", "a", "", None)]),
    "DONE is returned by feed": (
        b"data: a\n\ndata: [DONE]\n\ndata: after\n\n",
        [
            ("message", "a", "", None),
            ("message", "[DONE]", "", None),
            ("message", "after", "", None),
        ],
    ),
}


@pytest.mark.parametrize("eol", EOLS)
@pytest.mark.parametrize(("text", "expected"), list(FIXTURES.values()), ids=list(FIXTURES))
def test_fixture_every_split(text: bytes, expected: Expected, eol: bytes) -> None:
    events = decode_every_way(text.replace(b"\n", eol))
    assert summary(events) == expected
    assert [e.position for e in events] == list(range(1, len(expected) + 1))


def test_mixed_line_ends() -> None:
    events = decode_every_way(b"data: a\r\ndata: b\rdata: c\n\r\nevent: e\rdata: d\r\r\n")
    assert summary(events) == [("message", "a\nb\nc", "", None), ("e", "d", "", None)]


@pytest.mark.parametrize(
    "pieces",
    [
        [b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"],
        [b"data: a\r", b"", b"\n", b"data: b\r\n\r", b"", b"\n"],
        [b"data: a\r", b"\n", b"data: b", b"\r", b"\n", b"\r", b"\n"],
    ],
)
def test_crlf_cut_between_pieces_is_one_line_end(pieces: List[bytes]) -> None:
    # Were the CR and the LF two line ends, "a" and "b" would be two events.
    assert summary(decode(pieces)) == [("message", "a\nb", "", None)]


def test_cr_at_end_of_piece_dispatches_at_once() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert summary(decoder.feed(b"\r")) == [("message", "a", "", None)]
    assert decoder.feed(b"\n") == []  # the LF of the blank line's CRLF: nothing new
    assert summary(decoder.feed(b"data: b\r\r")) == [("message", "b", "", None)]
    assert decoder.flush() == []


def test_bom_cut_into_pieces() -> None:
    stream = BOM + b"data: a\n\n"
    for pieces in ([BOM[:1], BOM[1:2], BOM[2:], stream[3:]], [BOM[:2], b"", stream[2:]]):
        events = decode(pieces)
        assert summary(events) == [("message", "a", "", None)]
        assert events[0].offset == 3  # offsets count the BOM's bytes


def test_bom_prefix_that_is_no_bom_is_kept() -> None:
    # The first two BOM bytes then "d": not a BOM, so the first line's name is not "data".
    events = decode_every_way(BOM[:2] + b"data: a\n\ndata: b\n\n")
    assert summary(events) == [("message", "b", "", None)]


def test_multibyte_character_cut_between_pieces() -> None:
    stream = "data: \U0001f600\u00e9\n\n".encode()
    for i in range(len(stream) + 1):
        assert summary(decode([stream[:i], stream[i:]])) == [
            ("message", "\U0001f600\u00e9", "", None)
        ]


def test_flush_drops_unfinished_event_and_returns_nothing() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: e\ndata: a\ndata: b") == []
    assert decoder.flush() == []
    decoder = SSEDecoder()
    assert summary(decoder.feed(b"data: a\n\n")) == [("message", "a", "", None)]
    assert decoder.flush() == []


def test_many_events_in_one_piece_with_remainder() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: 1\n\ndata: 2\n\n: c\n\ndata: 3\n\ndata: 4")
    assert [e.data for e in events] == ["1", "2", "3"]
    assert [e.data for e in decoder.feed(b"2\n\n")] == ["42"]


def test_positions_and_offsets() -> None:
    stream = (
        BOM + b": hi\n\ndata: a\n\nevent: e\r\ndata: b\r\n\r\n\n\n: note\ndata: c\n\n"
        b"retry: 1\n\ndata:d\rdata: e\r\r"
    )
    events = decode_every_way(stream)
    assert [e.data for e in events] == ["a", "b", "c", "d\ne"]
    assert [e.position for e in events] == [1, 2, 3, 4]
    # An event begins at the first line after the blank line before it, comments included.
    starts = [b"data: a", b"event: e", b": note", b"data:d"]
    assert [e.offset for e in events] == [stream.index(s) for s in starts]


def test_server_sent_event_is_a_small_immutable_tuple() -> None:
    event = ServerSentEvent(data="x")
    assert event == ServerSentEvent("message", "x", "", None, 0, 0)
    assert not hasattr(event, "__dict__")
    with pytest.raises(AttributeError):
        event.data = "y"  # type: ignore[misc]


def test_done_flag() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: [DONE") != []
    assert not decoder.done
    events = decoder.feed(b"]\n\n")
    assert decoder.done
    assert [e.data for e in events] == ["[DONE]"]


def test_done_needs_exact_data() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data:  [DONE]\n\ndata: [DONE]x\n\ndata: [DONE]\ndata:\n\n")
    assert not decoder.done


def pieces_then_fail(pieces: List[bytes]) -> Iterator[bytes]:
    yield from pieces
    raise AssertionError("read past [DONE]")


def test_iter_sse_stops_at_done_without_reading_on() -> None:
    pieces = [b"data: a\n\nda", b"ta: b\n\ndata: [DO", b"NE]\n\ndata: after\n\n"]
    events = list(iter_sse(pieces_then_fail(pieces)))
    assert [e.data for e in events] == ["a", "b"]


def test_iter_sse_without_done_reads_all_and_drops_unfinished() -> None:
    events = list(iter_sse([b"data: a\n", b"\ndata: b\n\ndata: c"]))
    assert [(e.data, e.position) for e in events] == [("a", 1), ("b", 2)]


def test_aiter_sse() -> None:
    async def source(pieces: List[bytes]) -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
        raise AssertionError("read past [DONE]")

    async def collect(pieces: List[bytes]) -> List[str]:
        return [e.data async for e in aiter_sse(source(pieces))]

    done = [b"data: a\r\n\r\n", b"data: [DONE]\r\n\r\ndata: after\r\n\r\n"]
    assert asyncio.run(collect(done)) == ["a"]

    async def plain() -> AsyncIterator[bytes]:
        yield b"data: a\n\ndata: b\n"
        yield b"\ndata: c"

    async def collect_plain() -> List[str]:
        return [e.data async for e in aiter_sse(plain())]

    assert asyncio.run(collect_plain()) == ["a", "b"]


def test_size_limit_on_a_line_without_line_end() -> None:
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        read += 1
        yield b"data: "
        while True:
            read += 1
            yield b"x" * 1000

    with pytest.raises(SSEError, match=r"SSE event 1 at byte 0 .*max_event_size \(10000 bytes\)"):
        list(iter_sse(endless(), max_event_size=10_000))
    assert read == 11  # "data: " and ten pieces: it stopped as soon as the line passed the limit

    with pytest.raises(SSEError, match="SSE event 1 at byte 3 "):
        SSEDecoder(100).feed(BOM + b"data: " + b"x" * 200)


def test_size_limit_on_many_data_lines() -> None:
    stream = b"data: a\n\n: c\n\ndata: b\n\n" + b"data: 0123456789\n" * 1000
    with pytest.raises(SSEError, match=r"SSE event 3 at byte 23 .*\(1000 bytes\)") as info:
        decode([stream], max_event_size=1000)
    assert isinstance(info.value, ValueError)


def test_size_limit_same_for_every_split() -> None:
    stream = b"data: a\n\ndata: bb\n\nevent: e\ndata: 01234\ndata: 56789\ndata: xxxxxxxxxx\n\n"
    start = stream.index(b"event")
    expected = f"SSE event 3 at byte {start} is larger than max_event_size (24 bytes)"
    for pieces in splittings(stream):
        seen: List[str] = []
        with pytest.raises(SSEError) as info:  # noqa: PT012
            for event in iter_sse(pieces, max_event_size=24):
                seen.append(event.data)
        assert str(info.value) == expected
        assert seen == ["a", "bb"], pieces  # the events before the big one all came out


def test_size_limit_is_inclusive_and_counts_only_the_event() -> None:
    line = b"data: " + b"x" * 94  # 100 bytes
    assert len(decode([(line + b"\n\n") * 3], max_event_size=100)) == 3
    # Comments and unknown fields are not kept, so only the line being read counts.
    assert decode([b": 0123456789\n" * 100 + b"foo: 0123456789\n" * 100], 20) == []
    with pytest.raises(SSEError):
        decode([line + b"x\n\n"], max_event_size=100)


def test_size_limit_inside_a_piece_larger_than_the_limit() -> None:
    # A piece larger than the bound is checked block by block, not as a whole.
    stream = b"data: a\n\ndata: bb\n\ndata: " + b"x" * 40 + b"\n\ndata: c\n\n"
    start = stream.index(b"data: x")
    for pieces in [[stream], *splittings(stream)]:
        seen: List[str] = []
        with pytest.raises(SSEError, match=f"SSE event 3 at byte {start} "):  # noqa: PT012
            for event in iter_sse(pieces, max_event_size=30):
                seen.append(event.data)
        assert seen == ["a", "bb"]


def test_lf_blocks_follow_the_line_rules() -> None:
    # Every kind of block the LF fast path must hand over to the line rules.
    stream = (
        b"data: first\n\n"
        b"data: two\ndata: lines\n\n"
        b": comment\n\n"
        b"event: named\ndata: typed\n\n"
        b"data:nospace\n\n"
        b"\n\n\n"
        b"data: \n\n"
        b"id: 7\ndata: with id\n\n"
        b"data: after id\n\n"
        b"data\n\n"
        b"data: [DONE]\n\n"
        b"data: last"
    )
    assert summary(decode_every_way(stream)) == [
        ("message", "first", "", None),
        ("message", "two\nlines", "", None),
        ("named", "typed", "", None),
        ("message", "nospace", "", None),
        ("message", "", "", None),
        ("message", "with id", "7", None),
        ("message", "after id", "7", None),
        ("message", "", "7", None),
        ("message", "[DONE]", "7", None),
    ]
    decoder = SSEDecoder()
    events = decoder.feed(stream)
    assert decoder.done
    assert [e.offset for e in events] == [
        stream.index(b"data: first"),
        *(
            stream.index(marker)
            for marker in (
                b"data: two",
                b"event: named",
                b"data:nospace",
                b"data: \n",
                b"id: 7",
                b"data: after",
                b"data\n",
                b"data: [DONE]",
            )
        ),
    ]
    assert [e.position for e in events] == list(range(1, 10))


def test_event_started_in_an_earlier_piece_ends_in_the_next() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: e\ndata: x\n") == []
    events = decoder.feed(b"\ndata: y\n\ndata: z\n\n")
    assert summary(events) == [
        ("e", "x", "", None),
        ("message", "y", "", None),
        ("message", "z", "", None),
    ]
    assert [e.offset for e in events] == [0, 18, 27]


def test_decoder_is_unusable_after_the_error() -> None:
    decoder = SSEDecoder(10)
    events = decoder.feed(b"data: a\n\ndata: 0123456789\n\n")
    assert [e.data for e in events] == ["a"]  # the error waits for the next call
    with pytest.raises(SSEError):
        decoder.feed(b"data: b\n\n")
    with pytest.raises(SSEError):
        decoder.flush()


def test_max_event_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SSEDecoder(0)


# Data may hold anything but CR (LF splits it into data lines); names and ids no line end.
_TEXT_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    st.sampled_from(["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", ":", " ", "\ufeff"]),
)
_DATA = st.text(st.one_of(_TEXT_CHARS, st.just("\n")), max_size=20)
_NAME = st.text(_TEXT_CHARS, max_size=8)
_ID = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=8
)
_EOL = st.sampled_from([b"\n", b"\r", b"\r\n"])


@st.composite
def streams(
    draw: st.DrawFn, eols: "st.SearchStrategy[bytes]" = _EOL
) -> Tuple[bytes, List[ServerSentEvent]]:
    """A serialized stream and the events it holds."""
    out = bytearray(BOM if draw(st.booleans()) else b"")
    last_eol = b""

    def line(text: bytes) -> None:
        nonlocal last_eol
        eol = draw(eols)
        if last_eol == b"\r" and not text and eol == b"\n":
            eol = b"\r\n"  # CR then LF would be one CRLF, not a blank line
        out.extend(text + eol)
        last_eol = eol

    events: List[ServerSentEvent] = []
    last_id = ""
    for position in range(1, draw(st.integers(0, 6)) + 1):
        if draw(st.booleans()):  # a keep-alive block
            line(b": keep-alive")
            line(b"")
        offset = len(out)
        if draw(st.booleans()):
            line(b":" + draw(_NAME).encode())
        name = draw(st.none() | _NAME)
        if name is not None:
            line(b"event: " + name.encode())
        event_id = draw(st.none() | _ID)
        if event_id is not None:
            line(b"id: " + event_id.encode())
            last_id = event_id
        retry = draw(st.none() | st.integers(0, 10**6))
        if retry is not None:
            line(b"retry: " + str(retry).encode())
        data = draw(_DATA)
        for data_line in data.split("\n"):
            line(b"data: " + data_line.encode())
        line(b"")
        events.append(ServerSentEvent(name or "message", data, last_id, retry, position, offset))
    return bytes(out), events


def assert_decodes_cut_anywhere(
    raw: bytes, expected: List[ServerSentEvent], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    pieces = [raw[i:j] for i, j in zip([0, *cuts], [*cuts, len(raw)])]
    assert decode(pieces) == expected
    assert decode([raw]) == expected


@settings(max_examples=200, deadline=None)
@given(streams(), st.data())
def test_random_streams_round_trip(
    stream: Tuple[bytes, List[ServerSentEvent]], data: st.DataObject
) -> None:
    raw, expected = stream
    assert_decodes_cut_anywhere(raw, expected, data)


# LF-only pieces take the decoder's block-splitting path (CR anywhere in a piece turns it
# off), and the mixed-EOL run above rarely draws a piece without one: they get a run of
# their own.
_LF_STREAMS = streams(eols=st.just(b"\n"))


@settings(max_examples=300, deadline=None)
@given(_LF_STREAMS, st.data())
def test_random_lf_streams_round_trip(
    stream: Tuple[bytes, List[ServerSentEvent]], data: st.DataObject
) -> None:
    raw, expected = stream
    assert_decodes_cut_anywhere(raw, expected, data)
    # One piece per event, as servers flush them.
    ends = [*(e.offset for e in expected[1:]), len(raw)]
    starts = [0, *ends[:-1]]
    assert decode([raw[i:j] for i, j in zip(starts, ends)]) == expected


def test_pending_offset_is_where_the_unfinished_event_began() -> None:
    # Cut a stream at every byte: when the decoder is left inside an event, it says where
    # that event's first line began, however the bytes before were cut.
    body = b": hi\n\nid: 1\ndata: a\n\ndata: bb\r\ndata: c\r\n\r\nevent: x\ndata: d\n\n"
    starts = [0, 6, 21, 42]  # where each block begins
    for stop in range(len(body) + 1):
        for size in (1, 3, len(body) or 1):
            decoder = SSEDecoder()
            for i in range(0, stop, size):
                decoder.feed(body[i : min(i + size, stop)])
            began = max(s for s in starts if s <= stop) if stop else 0
            ends_inside = not body[:stop].endswith((b"\n\n", b"\r\n\r\n")) and stop > 0
            if decoder.pending:
                assert ends_inside, stop
                assert decoder.pending_offset == began, (stop, size)
            else:
                assert decoder.pending_offset == -1


# --- Bounds: comments and unknown fields stream past; memory stays bounded --------------


def traced(run: Callable[[], object]) -> Tuple[int, int]:
    """Run `run` under tracemalloc; return the peak and the final traced bytes it added."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with contextlib.suppress(SSEError):
            run()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, current - base


MIB = 1024 * 1024
_HUGE = 64 * MIB


@pytest.mark.parametrize(
    ("before", "prefix", "at"),
    [
        (b"", b"data: ", 0),
        (b"data: ab", b"", 0),
        (b"event: e\ndata: a\ndata: b", b"", 0),
        (b"dat", b"a:", 0),
        (BOM, b"data: ", 3),
        (BOM[:2], BOM[2:] + b"data: ", 3),
    ],
    ids=["nothing", "partial line", "event", "field name cut", "BOM", "BOM cut"],
)
def test_a_huge_piece_is_checked_before_it_is_copied(before: bytes, prefix: bytes, at: int) -> None:
    # One piece of 64 MiB without a line end, after what an event already holds: the
    # bound is checked first, nothing near the piece's size is allocated.
    piece = prefix + b"x" * _HUGE
    decoder = SSEDecoder(MIB)
    decoder.feed(before)

    def feed() -> None:
        with pytest.raises(SSEError, match=f"SSE event 1 at byte {at} "):
            decoder.feed(piece)

    peak, _ = traced(feed)
    assert peak < MIB // 4, peak


def test_a_huge_piece_after_a_line_is_read_in_place() -> None:
    # A CR ends the first piece; the 64 MiB one starts with its LF, then a comment, then an
    # event: neither the LF nor the comment makes the decoder copy the piece.
    piece = b"\n:" + b"c" * _HUGE + b"\rdata: end\r\r"
    decoder = SSEDecoder(MIB)
    assert [e.data for e in decoder.feed(b"data: a\r\r:x\r")] == ["a"]
    events: List[ServerSentEvent] = []
    peak, _ = traced(lambda: events.extend(decoder.feed(piece)))
    assert summary(events) == [("message", "end", "", None)]
    assert events[0][4:] == (2, 9)  # the event began with the comment ":x"
    assert peak < MIB // 4, peak


@pytest.mark.parametrize(
    "line",
    [
        b":" + b"p" * 5000,  # a keep-alive padding comment
        b": " + b"p" * 5000,
        b"x-padding: " + b"p" * 5000,  # an unknown field
        b"Data: " + b"p" * 5000,  # field names are case-sensitive
        b"p" * 5000,  # an unknown field without colon
        b"datax" + b"p" * 5000,
    ],
    ids=["comment", "comment-space", "unknown", "miscased", "no-colon", "data-prefix"],
)
@pytest.mark.parametrize("eol", EOLS)
def test_comments_and_unknown_fields_count_for_nothing(line: bytes, eol: bytes) -> None:
    # Each line is 50 times the bound, inside an event and between events; the events
    # around them are just within it, whichever way the stream is cut.
    stream = (
        line
        + b"\n\ndata: "
        + b"a" * 94
        + b"\n"
        + line
        + b"\n\n"
        + b"event: e\n"
        + line
        + b"\ndata: "
        + b"b" * 92
        + b"\n\n"
        + line
    ).replace(b"\n", eol)
    expected = [("message", "a" * 94, "", None), ("e", "b" * 92, "", None)]
    assert summary(decode([stream], max_event_size=100)) == expected
    cuts = [*range(20), *range(5000, 5040), *range(len(stream) - 5100, len(stream))]
    for i in cuts:
        assert summary(decode([stream[:i], stream[i:]], 100)) == expected, i
    for size in (1, 7, 4096):
        pieces = [stream[i : i + size] for i in range(0, len(stream), size)]
        decoder = SSEDecoder(100)
        events: List[ServerSentEvent] = []
        for piece in pieces:
            events += decoder.feed(piece)
        assert summary(events) == expected
        # The stream ends inside the last line: an unknown field is an unfinished
        # event, as before; a comment is nothing.
        assert decoder.pending == (line[:1] != b":")


def test_a_long_comment_in_small_pieces_is_dropped_piece_by_piece() -> None:
    # 10 MiB of keep-alive padding in 4 KiB pieces, the bound at 64 KiB: no error, and the
    # decoder holds none of it.
    decoder = SSEDecoder(64 * 1024)
    filler = b"p" * 4096
    events: List[ServerSentEvent] = []

    def feed() -> None:
        events.extend(decoder.feed(b"data: a\n\n: padding "))
        for _ in range(10 * MIB // len(filler)):
            decoder.feed(filler)
        events.extend(decoder.feed(b"\r"))
        events.extend(decoder.feed(b"\ndata: b\n\n"))

    peak, held = traced(feed)
    assert [e.data for e in events] == ["a", "b"]
    assert events[1].offset == 9  # the event began at the comment, as the spec reads it
    assert peak < 64 * 1024, peak
    assert held < 8 * 1024, held


def _cut(stream: bytes, size: int) -> List[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def _cut_after_cr(stream: bytes) -> List[bytes]:
    # Every CR ends a piece: each CRLF is cut in two.
    pieces = stream.split(b"\r")
    return [piece + b"\r" for piece in pieces[:-1]] + [pieces[-1]]


_LIMIT = 64 * 1024
# Long lines of every kind: kept ones just within the bound, the others far beyond, a
# piece larger than 256 KiB (read in place), and an event that outgrows the bound last.
_BOUND_STREAM = (
    b":"
    + b"c" * 300_000
    + b"\n"
    + b"id: "
    + b"i" * 1000
    + b"\nevent: "
    + b"e" * 1000
    + b"\n"
    + b"data: "
    + b"x" * 30_000
    + b"\ndata: "
    + b"y" * 30_000
    + b"\n"
    + b"x-pad: "
    + b"p" * 300_000
    + b"\n\n"
    + b"data: "
    + b"z" * (_LIMIT - 1000 - 6)
    + b"\n\n"
    + b"retry: 15\n\n"
    + b"data: "
    + b"w" * (_LIMIT + 10)
)


def _feed_traced(pieces: List[bytes]) -> Tuple[SSEDecoder, List[Tuple[str, int, int]], int, int]:
    """Feed `pieces` under tracemalloc, up to the `SSEError` the stream ends with; return the
    decoder, what the events were, the most it held between calls and the peak of a call."""
    decoder = SSEDecoder(_LIMIT)
    seen: List[Tuple[str, int, int]] = []
    most = 0
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with pytest.raises(SSEError, match=r"SSE event 3 "):  # noqa: PT012
            for piece in pieces:
                events = decoder.feed(piece)
                seen.extend((e.event[:1], len(e.data), len(e.id)) for e in events)
                del events
                most = max(most, tracemalloc.get_traced_memory()[0] - base)
            decoder.flush()  # raises the error a piece with events before it deferred
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return decoder, seen, most, peak


@pytest.mark.parametrize("eol", EOLS)
@pytest.mark.parametrize("size", [7, 4096, 300_000, 0], ids=["7", "4KiB", "300KB", "whole"])
def test_memory_is_bounded_however_the_pieces_are_cut(eol: bytes, size: int) -> None:
    stream = _BOUND_STREAM.replace(b"\n", eol)
    piece_lists = [_cut(stream, size) if size else [stream]]
    if eol == b"\r\n" and size == 4096:
        piece_lists.append(_cut_after_cr(stream))
    for pieces in piece_lists:
        decoder, seen, most, peak = _feed_traced(pieces)
        assert seen == [("e", 60_001, 1000), ("m", _LIMIT - 1006, 1000)]
        assert decoder.retry == 15
        # What the decoder holds between calls: the bound and a constant (a bytearray
        # reserves an eighth more than it holds).
        assert most <= _LIMIT * 9 // 8 + 8 * 1024, most
        # During a call: a line, then the event's data as text, and a piece up to 256 KiB
        # copied and split.
        assert peak <= 2 * _LIMIT + 512 * 1024, peak


def test_the_memory_bound_would_catch_a_buffered_comment() -> None:
    # The measure above is meaningful: holding one long line is seen.
    held: List[bytes] = []
    _, added = traced(lambda: held.append(b"c" * (_LIMIT * 2)))
    assert added > _LIMIT * 9 // 8 + 8 * 1024


# --- retry: a setting of the stream ----------------------------------------------------------


def test_retry_without_data_sets_the_stream_reconnection_time() -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    assert decoder.feed(b"retry: 1500\n\n") == []  # no event, but the setting holds
    assert decoder.retry == 1500
    events = decoder.feed(b"data: a\n\nretry: 12a\n\nretry: 3000\ndata: b\n\nretry:\n\n")
    assert summary(events) == [("message", "a", "", None), ("message", "b", "", 3000)]
    assert decoder.retry == 3000  # invalid values leave it as it was
    decoder.feed(b": ping\nretry: 7")
    assert decoder.retry == 3000  # the line is not finished
    decoder.feed(b"\r")
    assert decoder.retry == 7
    decoder.flush()
    assert decoder.retry == 7  # it outlives events, like the last event ID


@settings(max_examples=200, deadline=None)
@given(streams(), st.data())
def test_retry_is_the_last_valid_one_cut_anywhere(
    stream: Tuple[bytes, List[ServerSentEvent]], data: st.DataObject
) -> None:
    raw, expected = stream
    retries = [e.retry for e in expected if e.retry is not None]
    # A block with a retry and no data ends the stream: it is no event, and still counts.
    last = data.draw(st.none() | st.integers(0, 10**6))
    if last is not None:
        raw += b"retry: " + str(last).encode() + b"\n\n"
        retries.append(last)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    decoder = SSEDecoder()
    events: List[ServerSentEvent] = []
    for i, j in zip([0, *cuts], [*cuts, len(raw)]):
        events += decoder.feed(raw[i:j])
    assert events == expected
    assert decoder.retry == (retries[-1] if retries else None)


_LONG_LINE = st.one_of(
    st.binary(min_size=401, max_size=3000).map(
        lambda b: b":" + b.replace(b"\r", b"").replace(b"\n", b"")
    ),
    st.integers(401, 3000).map(lambda n: b"x-pad: " + b"p" * n),
    st.integers(401, 3000).map(lambda n: b"q" * n),
)


@settings(max_examples=200, deadline=None)
@given(_LF_STREAMS, st.data())
def test_long_comments_and_unknown_fields_change_no_event(
    stream: Tuple[bytes, List[ServerSentEvent]], data: st.DataObject
) -> None:
    # Lines far over the bound, put between any two lines of a stream whose events are
    # within it, leave its events as they were (their offsets aside), cut anywhere.
    raw, expected = stream
    lines = raw.split(b"\n")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(1, max(1, len(lines) - 1)))
        eol = data.draw(st.sampled_from([b"\n", b"\r\n"]))
        lines.insert(at, data.draw(_LONG_LINE) + eol[:-1])
    padded = b"\n".join(lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(padded)), max_size=8)))
    pieces = [padded[i:j] for i, j in zip([0, *cuts], [*cuts, len(padded)])]

    def fields(events: List[ServerSentEvent]) -> List[Tuple[str, str, str, Optional[int], int]]:
        return [(e.event, e.data, e.id, e.retry, e.position) for e in events]

    assert fields(decode(pieces, max_event_size=400)) == fields(expected)


@pytest.mark.parametrize("stream", [b"\rData: x\r\rM\r", b"i\nidx: 1\n", b"ret\nretryy\n"])
def test_a_field_name_cut_short_counts_only_once_known(stream: bytes) -> None:
    # With a bound of one byte, a line cut inside its field name ("D", "i", "ret") must
    # not count before it is known: whole, these unknown fields are nothing.
    for pieces in ([stream], [stream[i : i + 1] for i in range(len(stream))]):
        decoder = SSEDecoder(max_event_size=1)
        assert [e for piece in pieces for e in decoder.feed(piece)] == []
        assert decoder.flush() == []
