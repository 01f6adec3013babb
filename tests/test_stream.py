"""Tests of the stream layer: `iter_events`, `aiter_events`, `iter_chunks`, `aiter_chunks`.

Every provider-shaped stream of `streams.py` is fed whole, cut in two at (nearly) every
byte boundary, byte by byte and in random pieces, sync and async: all must give the
chunks `chunks_of` reads and the completion the stream promises. Then the parts of the
contract that whole streams do not reach: in-band errors, bad payloads and the position
their errors name, ``[DONE]``, keep-alives, the event size bound and exact round trips.
"""

import asyncio
import json
from typing import (
    Any,
    AsyncIterator,
    Dict,
    Iterable,
    Iterator,
    List,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chatchunk import (
    ChatCompletionChunk,
    ChunkAccumulator,
    EmptyStreamError,
    InvalidPayload,
    ServerSentEvent,
    SSEDecoder,
    SSEError,
    StreamEnd,
    StreamError,
    StreamErrorEvent,
    aaccumulate,
    accumulate,
    aiter_chunks,
    aiter_events,
    aiter_sse,
    dump_chunk,
    iter_chunks,
    iter_events,
    parse_chunk,
    parse_event,
    to_dict,
)
from providers import BAD_PAYLOADS, PROVIDER_CHUNKS, assert_json_identical
from streams import STREAMS, chunks_of

StreamItem = Union[ChatCompletionChunk, StreamErrorEvent]
T = TypeVar("T")

NAMES = list(STREAMS)

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def chunk_payload(n: int = 0, content: str = "x", **top: Any) -> str:
    """A small valid chunk payload, compact like OpenAI's."""
    payload: Dict[str, Any] = {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    payload.update(top)
    return json.dumps(payload, separators=(",", ":"))


def sse(*payloads: str) -> bytes:
    """One ``data:`` event per payload."""
    return b"".join(b"data: " + p.encode() + b"\n\n" for p in payloads)


def dumps(chunks: Iterable[ChatCompletionChunk]) -> List[str]:
    """Chunks as their exact JSON: equal dumps mean equal chunks, nulls and extras included."""
    return [dump_chunk(c) for c in chunks]


def two_piece_cuts(n: int) -> List[int]:
    """Where to cut a body of ``n`` bytes in two: every boundary of a short body; for a
    long one every 7th, plus all within 64 bytes of either end."""
    if n <= 256:
        return list(range(n + 1))
    return sorted(set(range(0, n + 1, 7)) | set(range(65)) | set(range(n - 64, n + 1)))


def cut(body: bytes, cuts: Iterable[int]) -> List[bytes]:
    """The body cut at the given offsets (repeats make empty pieces)."""
    points = [0, *sorted(cuts), len(body)]
    return [body[a:b] for a, b in zip(points, points[1:])]


def byte_by_byte(body: bytes) -> List[bytes]:
    return [body[i : i + 1] for i in range(len(body))]


async def agen(pieces: Iterable[bytes]) -> AsyncIterator[bytes]:
    """An async byte source that yields to the event loop now and then."""
    for i, piece in enumerate(pieces):
        if i % 3 == 0:
            await asyncio.sleep(0)
        yield piece


def drain(items: Iterable[T]) -> Tuple[List[T], Exception]:
    """The items an iterator yields before it raises, and what it raised."""
    got: List[T] = []
    try:
        for item in items:
            got.append(item)
    except Exception as exc:
        return got, exc
    raise AssertionError("the stream did not raise")


def collect(source: Iterable[bytes], **kwargs: Any) -> Tuple[List[StreamItem], Exception]:
    """What `iter_events` yields before it raises, and what it raised."""
    return drain(iter_events(source, **kwargs))


def collect_chunks(
    source: Iterable[bytes], **kwargs: Any
) -> Tuple[List[ChatCompletionChunk], Exception]:
    """What `iter_chunks` yields before it raises, and what it raised."""
    return drain(iter_chunks(source, **kwargs))


def acollect_chunks(
    pieces: Sequence[bytes], **kwargs: Any
) -> Tuple[List[ChatCompletionChunk], Exception]:
    """`collect_chunks` for `aiter_chunks`, run with `asyncio.run`."""
    chunks: List[ChatCompletionChunk] = []

    async def main() -> Exception:
        try:
            async for chunk in aiter_chunks(agen(pieces), **kwargs):
                chunks.append(chunk)
        except Exception as exc:
            return exc
        raise AssertionError("aiter_chunks did not raise")

    return chunks, asyncio.run(main())


def run_aiter_events(pieces: Sequence[bytes], **kwargs: Any) -> List[StreamItem]:
    async def main() -> List[StreamItem]:
        return [item async for item in aiter_events(agen(pieces), **kwargs)]

    return asyncio.run(main())


def ends_after(*pieces: bytes) -> Iterator[bytes]:
    """A source that fails the test if it is read past its last piece."""
    yield from pieces
    raise AssertionError("the source was read past [DONE]")


async def aends_after(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        await asyncio.sleep(0)
        yield piece
    raise AssertionError("the source was read past [DONE]")


# ---------------------------------------------------------------------------------------
# Whole provider streams, cut every way
# ---------------------------------------------------------------------------------------


def test_the_helpers_cut_losslessly() -> None:
    body = STREAMS["openai_text_usage"][0]
    cuts = two_piece_cuts(len(body))
    assert cuts[:65] == list(range(65))
    assert cuts[-65:] == list(range(len(body) - 64, len(body) + 1))
    assert all(b - a <= 7 for a, b in zip(cuts, cuts[1:]))
    assert b"".join(cut(body, [5, 5, 100])) == body
    assert cut(body, [5, 5])[1] == b""


@pytest.mark.parametrize("name", NAMES)
def test_whole_body(name: str) -> None:
    body, expected = STREAMS[name]
    want = chunks_of(body)
    assert want, "every stream has chunks"
    assert dumps(iter_chunks([body])) == dumps(want)
    items = list(iter_events([body]))
    assert all(isinstance(item, ChatCompletionChunk) for item in items)
    assert to_dict(accumulate(items)) == expected


@pytest.mark.parametrize("name", NAMES)
def test_cut_in_two_at_every_boundary(name: str) -> None:
    body, expected = STREAMS[name]
    want = dumps(chunks_of(body))
    for i in two_piece_cuts(len(body)):
        pieces = [body[:i], body[i:]]
        assert dumps(iter_chunks(pieces)) == want, f"cut at byte {i}"
    # The completion, for a few cuts (the chunks above already agree everywhere).
    for i in (1, len(body) // 2, len(body) - 1):
        assert to_dict(accumulate(iter_events([body[:i], body[i:]]))) == expected


@pytest.mark.parametrize("name", NAMES)
def test_byte_by_byte(name: str) -> None:
    body, expected = STREAMS[name]
    pieces = byte_by_byte(body)
    assert dumps(iter_chunks(pieces)) == dumps(chunks_of(body))
    assert to_dict(accumulate(iter_events(pieces))) == expected


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_random_pieces(name: str, data: st.DataObject) -> None:
    body, expected = STREAMS[name]
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=40), label="cuts")
    pieces = cut(body, cuts)
    assert b"".join(pieces) == body
    assert dumps(iter_chunks(pieces)) == dumps(chunks_of(body))
    assert to_dict(accumulate(iter_events(pieces))) == expected


@pytest.mark.parametrize("name", NAMES)
def test_async(name: str) -> None:
    body, expected = STREAMS[name]
    want = dumps(chunks_of(body))
    sizes = (1, 7, 13, 64, 3)
    cuts, at, i = [], 0, 0
    while at < len(body):
        at += sizes[i % len(sizes)]
        cuts.append(min(at, len(body)))
        i += 1
    odd = cut(body, cuts)

    async def main() -> Tuple[List[str], List[str], Dict[str, Any], Dict[str, Any]]:
        whole = [c async for c in aiter_chunks(agen([body]))]
        pieces = [c async for c in aiter_chunks(agen(odd))]
        by_events = await aaccumulate(aiter_events(agen(odd)))
        by_bytes = await aaccumulate(aiter_events(agen(byte_by_byte(body))))
        return dumps(whole), dumps(pieces), to_dict(by_events), to_dict(by_bytes)

    whole, pieces, by_events, by_bytes = asyncio.run(main())
    assert whole == want
    assert pieces == want
    assert by_events == expected
    assert by_bytes == expected


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_async_random_pieces(name: str, data: st.DataObject) -> None:
    body, expected = STREAMS[name]
    pieces = cut(body, data.draw(st.lists(st.integers(0, len(body)), max_size=30)))
    items = run_aiter_events(pieces)
    assert dumps(i for i in items if isinstance(i, ChatCompletionChunk)) == dumps(chunks_of(body))
    assert len(items) == len(chunks_of(body))
    assert to_dict(accumulate(items)) == expected


# ---------------------------------------------------------------------------------------
# In-band errors
# ---------------------------------------------------------------------------------------

RATE_LIMIT = {"message": "Rate limit reached", "type": "rate_limit_exceeded", "code": 429}


def test_error_payload_becomes_an_error_event() -> None:
    error_payload = json.dumps({"error": RATE_LIMIT})
    body = (
        sse(chunk_payload(1, "a"))
        + b": ping\n\n"
        + sse(chunk_payload(2, "b"), error_payload, chunk_payload(4, "d"))
    )
    for pieces in ([body], byte_by_byte(body)):
        items = list(iter_events(pieces))
        assert [type(i) for i in items] == [
            ChatCompletionChunk,
            ChatCompletionChunk,
            StreamErrorEvent,
            ChatCompletionChunk,
        ]
        event = items[2]
        assert isinstance(event, StreamErrorEvent)
        assert event.error == RATE_LIMIT
        assert event.payload == {"error": RATE_LIMIT}
        assert event.event == "message"
        assert event.position == 3  # the comment is no event
        assert event.message == "Rate limit reached"


def test_error_payload_async() -> None:
    body = sse(chunk_payload(1), json.dumps({"error": RATE_LIMIT}))
    items = run_aiter_events(byte_by_byte(body))
    assert isinstance(items[0], ChatCompletionChunk)
    assert items[1] == StreamErrorEvent(RATE_LIMIT, {"error": RATE_LIMIT}, "message", 2)


@pytest.mark.parametrize(
    ("data", "payload", "message"),
    [
        pytest.param(
            b'{"type":"overloaded_error","message":"Overloaded"}',
            {"type": "overloaded_error", "message": "Overloaded"},
            "Overloaded",
            id="json",
        ),
        pytest.param(
            b'{"error":{"message":"bad gateway"}}',
            {"error": {"message": "bad gateway"}},
            "bad gateway",
            id="json-with-error-key",
        ),
        pytest.param(b"upstream timed out", "upstream timed out", "upstream timed out", id="text"),
        pytest.param(b"{not json", "{not json", "{not json", id="broken-json"),
    ],
)
def test_event_named_error(data: bytes, payload: Any, message: str) -> None:
    body = sse(chunk_payload(1)) + b"event: error\ndata: " + data + b"\n\n" + sse(chunk_payload(3))
    items = list(iter_events(byte_by_byte(body)))
    assert [type(i) for i in items] == [ChatCompletionChunk, StreamErrorEvent, ChatCompletionChunk]
    event = items[1]
    assert isinstance(event, StreamErrorEvent)
    assert event.payload == payload
    assert event.event == "error"
    assert event.position == 2
    assert event.message == message
    if isinstance(payload, dict) and "error" in payload:
        assert event.error == payload["error"]
    else:
        assert event.error == payload


def test_event_named_error_with_several_data_lines() -> None:
    body = b"event: error\r\ndata: line one\r\ndata: line two\r\n\r\n"
    [event] = list(iter_events([body]))
    assert isinstance(event, StreamErrorEvent)
    assert event.payload == "line one\nline two"
    assert event.event == "error"
    assert event.position == 1


def test_event_named_error_raises_in_iter_chunks() -> None:
    body = sse(chunk_payload(1)) + b"event: error\ndata: upstream timed out\n\n"
    chunks, exc = collect_chunks([body])
    assert [c.id for c in chunks] == ["chatcmpl-1"]
    assert isinstance(exc, StreamError)
    assert exc.payload == "upstream timed out"
    assert exc.event.event == "error"
    assert "upstream timed out" in str(exc)


OPENROUTER_FAILURE = PROVIDER_CHUNKS["openrouter"][-1]


def test_openrouter_mid_stream_failure_gives_the_chunk_then_the_error() -> None:
    assert '"choices"' in OPENROUTER_FAILURE
    assert '"error"' in OPENROUTER_FAILURE
    body = sse(chunk_payload(1, "Hel"), OPENROUTER_FAILURE) + b"data: [DONE]\n\n"
    items = list(iter_events(byte_by_byte(body)))
    assert [type(i) for i in items] == [ChatCompletionChunk, ChatCompletionChunk, StreamErrorEvent]
    chunk, event = items[1], items[2]
    assert isinstance(chunk, ChatCompletionChunk)
    assert isinstance(event, StreamErrorEvent)
    original = json.loads(OPENROUTER_FAILURE)
    assert_json_identical(json.loads(dump_chunk(chunk)), original)
    assert event.error == original["error"]
    assert_json_identical(event.payload, original)
    assert event.event == "message"
    assert event.position == 2  # the same event as the chunk
    assert event.message == "Provider returned error"


def test_openrouter_failure_in_iter_chunks_yields_the_chunk_first() -> None:
    body = sse(chunk_payload(1, "Hel"), OPENROUTER_FAILURE, chunk_payload(3))
    chunks, exc = collect_chunks(byte_by_byte(body))
    assert [c.id for c in chunks] == ["chatcmpl-1", json.loads(OPENROUTER_FAILURE)["id"]]
    assert isinstance(exc, StreamError)
    assert exc.event.position == 2
    assert exc.payload["error"]["code"] == 502


def test_openrouter_failure_is_recorded_by_the_accumulator() -> None:
    body = sse(chunk_payload(1, "Hel"), OPENROUTER_FAILURE)
    accumulator = ChunkAccumulator()
    for item in iter_events([body]):
        accumulator.add(item)
    assert accumulator.chunk_count == 2
    [error] = accumulator.errors
    assert error.message == "Provider returned error"
    assert [a.kind for a in accumulator.anomalies][-1] == "not_a_chunk"
    assert accumulator.result().choices[0].finish_reason == "error"


def test_null_error_is_no_error() -> None:
    payloads = [
        chunk_payload(1, "a", error=None),
        chunk_payload(2, "b"),
        PROVIDER_CHUNKS["edge"][3],  # finish_reason "error" is no error either
    ]
    body = sse(*payloads)
    items = list(iter_events([body]))
    assert all(isinstance(i, ChatCompletionChunk) for i in items)
    assert len(items) == 3
    assert len(list(iter_chunks([body]))) == 3
    first = items[0]
    assert isinstance(first, ChatCompletionChunk)
    assert '"error":null' in dump_chunk(first)  # and the null survives


@pytest.mark.parametrize("error", [{}, "quota exceeded", False, 0, []])
def test_any_non_null_error_is_an_error(error: Any) -> None:
    [event] = list(iter_events([sse(json.dumps({"error": error}))]))
    assert isinstance(event, StreamErrorEvent)
    assert event.error == error
    assert event.payload == {"error": error}


def test_iter_chunks_raises_stream_error_after_the_chunks_before_it() -> None:
    body = sse(chunk_payload(1), chunk_payload(2), json.dumps({"error": RATE_LIMIT}))
    body += sse(chunk_payload(4))
    for pieces in ([body], byte_by_byte(body)):
        chunks, exc = collect_chunks(pieces)
        assert [c.id for c in chunks] == ["chatcmpl-1", "chatcmpl-2"]
        assert isinstance(exc, StreamError)
        assert isinstance(exc, ValueError)
        assert isinstance(exc.event, StreamErrorEvent)
        assert exc.event.position == 3
        assert exc.event.error == RATE_LIMIT
        assert exc.payload == {"error": RATE_LIMIT}
        assert "(event 3)" in str(exc)
        assert "Rate limit reached" in str(exc)


def test_aiter_chunks_raises_stream_error_after_the_chunks_before_it() -> None:
    body = sse(chunk_payload(1), chunk_payload(2), json.dumps({"error": RATE_LIMIT}))
    chunks, exc = acollect_chunks(byte_by_byte(body + sse(chunk_payload(4))))
    assert [c.id for c in chunks] == ["chatcmpl-1", "chatcmpl-2"]
    assert isinstance(exc, StreamError)
    assert exc.payload == {"error": RATE_LIMIT}
    assert exc.event.position == 3


def test_accumulate_over_events_records_the_error() -> None:
    body = sse(chunk_payload(1, "Hel"), json.dumps({"error": RATE_LIMIT}), chunk_payload(1, "lo"))
    accumulator = ChunkAccumulator()
    for item in iter_events([body]):
        accumulator.add(item)
    assert accumulator.result().choices[0].message.content == "Hello"
    assert [e.error for e in accumulator.errors] == [RATE_LIMIT]


# ---------------------------------------------------------------------------------------
# Bad payloads: a ValidationError that says where
# ---------------------------------------------------------------------------------------

BAD_CREATED = chunk_payload(3).replace('"created":1700000000', '"created":"1700000000"')


def bad_stream(bad: str, *, eol: bytes = b"\n", bom: bytes = b"") -> Tuple[bytes, int]:
    """Comments, two chunks, then ``bad`` as the 3rd event, then a chunk and [DONE];
    with the byte offset where the bad event starts."""
    head = (
        bom
        + b": connected"
        + eol * 2
        + b"data: "
        + chunk_payload(1).encode()
        + eol * 2
        + b": ping"
        + eol * 2
        + b":"
        + eol * 2
        + b"data: "
        + chunk_payload(2).encode()
        + eol * 2
        + b": keep-alive"
        + eol * 2
    )
    tail = b"data: " + bad.encode() + eol * 2 + sse(chunk_payload(4)) + b"data: [DONE]\n\n"
    return head + tail, len(head)


@pytest.mark.parametrize(
    ("eol", "bom"),
    [(b"\n", b""), (b"\r\n", b""), (b"\r", b""), (b"\n", b"\xef\xbb\xbf")],
    ids=["LF", "CRLF", "CR", "BOM"],
)
def test_bad_payload_names_field_input_and_position(eol: bytes, bom: bytes) -> None:
    body, offset = bad_stream(BAD_CREATED, eol=eol, bom=bom)
    assert body[offset:].startswith(b"data: " + BAD_CREATED.encode())
    for pieces in ([body], byte_by_byte(body), cut(body, [offset + 3, offset + 40])):
        items, exc = collect(pieces)
        assert [i.id for i in items if isinstance(i, ChatCompletionChunk)] == [
            "chatcmpl-1",
            "chatcmpl-2",
        ]
        assert isinstance(exc, ValidationError)
        assert isinstance(exc, ValueError)
        text = str(exc)
        assert f"(SSE event 3, at byte {offset})" in text
        assert "created" in text
        assert "input_value='1700000000'" in text
        assert [(e["loc"], e["type"]) for e in exc.errors()] == [(("created",), "int_type")]


def test_bad_payload_after_a_comment_in_the_same_block() -> None:
    # An event begins at its first line, a comment included (as `ServerSentEvent.offset`).
    head = sse(chunk_payload(1))
    body = head + b": ping\ndata: " + BAD_CREATED.encode() + b"\n\n"
    _, exc = collect(byte_by_byte(body))
    assert isinstance(exc, ValidationError)
    assert f"(SSE event 2, at byte {len(head)})" in str(exc)


def test_bad_payload_keeps_the_original_errors() -> None:
    bad = chunk_payload(3).replace('"content":"x"', '"content":5').replace('"model":"m"', "")
    bad = bad.replace(",,", ",")
    with pytest.raises(ValidationError) as direct:
        parse_chunk(bad)
    body, offset = bad_stream(bad)
    chunks, exc = collect_chunks([body])
    assert len(chunks) == 2
    assert isinstance(exc, ValidationError)
    expected = [(e["type"], e["loc"], e["msg"], e["input"]) for e in direct.value.errors()]
    assert [(e["type"], e["loc"], e["msg"], e["input"]) for e in exc.errors()] == expected
    assert {e["loc"] for e in exc.errors()} == {("model",), ("choices", 0, "delta", "content")}
    assert exc.error_count() == 2
    text = str(exc)
    assert "choices.0.delta.content" in text
    assert f"SSE event 3, at byte {offset}" in text
    assert exc.title.startswith("ChatCompletionChunk")


def test_bad_payload_async() -> None:
    body, offset = bad_stream(BAD_CREATED)
    chunks, exc = acollect_chunks(byte_by_byte(body))
    assert len(chunks) == 2
    assert isinstance(exc, ValidationError)
    assert f"(SSE event 3, at byte {offset})" in str(exc)


def test_truncated_json_names_the_position() -> None:
    truncated = chunk_payload(3, "Hello")[:-30]
    body, offset = bad_stream(truncated)
    chunks, exc = collect_chunks(byte_by_byte(body))
    assert len(chunks) == 2
    assert isinstance(exc, ValidationError)
    [error] = exc.errors()
    assert error["type"] == "json_invalid"
    assert error["loc"] == ()
    assert "EOF while parsing" in error["msg"]
    assert error["input"] == truncated
    assert "Invalid JSON" in str(exc)
    assert f"(SSE event 3, at byte {offset})" in str(exc)


def test_located_error_keeps_the_error_context() -> None:
    # `parse_chunk` and `iter_chunks` should describe the same bad payload the same way,
    # `ctx` included (``json_invalid`` carries the parser's message there).
    truncated = chunk_payload(3, "Hello")[:-30]
    with pytest.raises(ValidationError) as direct:
        parse_chunk(truncated)
    _, exc = collect_chunks([sse(truncated)])
    assert isinstance(exc, ValidationError)
    assert [e.get("ctx") for e in exc.errors()] == [e.get("ctx") for e in direct.value.errors()]


@pytest.mark.parametrize("data", ['"hello"', "42", "[]", "null", "{}", "[DONE", " "])
def test_json_that_is_no_chunk_and_no_error(data: str) -> None:
    body = sse(chunk_payload(1), data)
    chunks, exc = collect_chunks([body])
    assert len(chunks) == 1
    assert isinstance(exc, ValidationError)
    assert "(SSE event 2, at byte " in str(exc)


def _bad_payload_cases() -> List[Any]:
    cases = []
    for i, (payload, path) in enumerate(BAD_PAYLOADS):
        # Bytes that are not UTF-8 are replaced by the SSE decoder, as the spec asks, and
        # a payload with line ends or [DONE] is no single data line.
        if isinstance(payload, bytes) or "\n" in payload or "\r" in payload:
            continue
        if payload == "[DONE]":
            continue
        cases.append(pytest.param(payload, path, id=f"{i}-{path or 'document'}"))
    return cases


@pytest.mark.parametrize(("payload", "path"), _bad_payload_cases())
def test_every_bad_payload_raises_a_located_validation_error(payload: str, path: str) -> None:
    body, offset = bad_stream(payload)
    chunks, exc = collect_chunks([body])
    assert len(chunks) == 2
    assert isinstance(exc, ValidationError), repr(exc)
    text = str(exc)
    assert f"(SSE event 3, at byte {offset})" in text
    assert path in text
    if path:
        assert path in {".".join(map(str, e["loc"])) for e in exc.errors()}


def test_deeply_nested_payload_raises_validation_error() -> None:
    # Not a RecursionError from the error-event check that runs after validation fails.
    data = '{"id":' + "[" * 10_000 + "]" * 10_000 + "}"
    _, exc = collect(sse(chunk_payload(1), data).splitlines(keepends=True))
    assert isinstance(exc, ValidationError), repr(exc)
    assert "(SSE event 2, at byte " in str(exc)


def test_event_named_error_with_deeply_nested_text_keeps_the_raw_text() -> None:
    data = "[" * 10_000
    body = b"event: error\ndata: " + data.encode() + b"\n\n"
    items = list(iter_events([body]))
    assert items == [StreamErrorEvent(data, data, "error", 1)]


# ---------------------------------------------------------------------------------------
# [DONE], the end of the source, keep-alives, the size bound
# ---------------------------------------------------------------------------------------


def test_done_ends_iteration_without_reading_further() -> None:
    source = ends_after(sse(chunk_payload(1)), b"data: [DONE]\n\n")
    assert [c.id for c in iter_chunks(source)] == ["chatcmpl-1"]


def test_done_cut_in_pieces_ends_iteration_without_reading_further() -> None:
    first = sse(chunk_payload(1))
    source = ends_after(first[:10], first[10:] + b"data: [DO", b"NE]\n", b"\n")
    assert [c.id for c in iter_chunks(source)] == ["chatcmpl-1"]
    # CR, then the LF of that CRLF, then CR: the blank line, and nothing more is read.
    source = ends_after(first, b"data: [DONE]\r", b"\n\r")
    assert [type(i) for i in iter_events(source)] == [ChatCompletionChunk]


def test_input_after_done_in_the_same_piece_is_ignored() -> None:
    body = sse(chunk_payload(1)) + b"data: [DONE]\n\ndata: {not json\n\n" + b"\xff" * 10
    assert [c.id for c in iter_chunks(ends_after(body))] == ["chatcmpl-1"]
    assert len(list(iter_events(ends_after(body)))) == 1


def test_done_in_async_iteration() -> None:
    async def main() -> Tuple[List[str], List[StreamItem]]:
        body = sse(chunk_payload(1), chunk_payload(2))
        chunks = [c.id async for c in aiter_chunks(aends_after(body, b"data: [DONE]\n\n"))]
        items = [i async for i in aiter_events(aends_after(body + b"data: [DONE]\n\n"))]
        return chunks, items

    chunks, items = asyncio.run(main())
    assert chunks == ["chatcmpl-1", "chatcmpl-2"]
    assert len(items) == 2


def test_stream_without_done_yields_everything() -> None:
    body, expected = STREAMS["no_done"]
    assert b"[DONE]" not in body
    chunks = list(iter_chunks(iter(byte_by_byte(body))))
    assert len(chunks) == 2
    assert to_dict(accumulate(chunks)) == expected
    body = sse(*(chunk_payload(n) for n in range(5)))
    assert [c.id for c in iter_chunks([body])] == [f"chatcmpl-{n}" for n in range(5)]


def test_keep_alive_comments_are_ignored() -> None:
    body, expected = STREAMS["openai_text_usage"]
    events = body.split(b"\n\n")
    noisy = b"".join(
        b": ping\n\n:\n\n: keep-alive " + str(i).encode() + b"\n" + event + b"\n\n"
        for i, event in enumerate(events)
        if event
    )
    assert noisy.count(b": ping") == len(chunks_of(body)) + 1
    for pieces in ([noisy], byte_by_byte(noisy)):
        assert dumps(iter_chunks(pieces)) == dumps(chunks_of(body))
        items = list(iter_events(pieces))
        assert to_dict(accumulate(items)) == expected


def test_keep_alive_only_stream_is_an_empty_stream_error() -> None:
    # Comments and nothing else: no event at all is reported, not read as an empty answer.
    with pytest.raises(EmptyStreamError, match="without any event"):
        list(iter_events([b": ping\n\n"] * 5))
    stream = iter_chunks([b": ping\n\n", b"data: [DONE]\n\n"])
    assert list(stream) == []
    assert stream.end is StreamEnd.DONE


def test_event_over_max_event_size_raises_sse_error() -> None:
    small = chunk_payload(1)
    big = chunk_payload(2, "x" * 500)
    body = sse(small, big)
    limit = len(small) + 100
    items, exc = collect([body], max_event_size=limit)
    assert [i.id for i in items if isinstance(i, ChatCompletionChunk)] == ["chatcmpl-1"]
    assert isinstance(exc, SSEError)
    assert isinstance(exc, ValueError)
    assert "SSE event 2" in str(exc)
    assert f"max_event_size ({limit} bytes)" in str(exc)
    chunks, exc = collect_chunks(byte_by_byte(body), max_event_size=limit)
    assert [c.id for c in chunks] == ["chatcmpl-1"]
    assert isinstance(exc, SSEError)
    chunks, exc = acollect_chunks(byte_by_byte(body), max_event_size=limit)
    assert [c.id for c in chunks] == ["chatcmpl-1"]
    assert isinstance(exc, SSEError)
    # the same stream fits a larger bound
    assert len(list(iter_chunks([body], max_event_size=len(big) + 6))) == 2


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", list(PROVIDER_CHUNKS))
def test_provider_chunks_round_trip_through_the_stream(provider: str) -> None:
    payloads = PROVIDER_CHUNKS[provider]
    body = b": hello\n\n" + sse(*payloads) + b"data: [DONE]\n\n"
    for pieces in ([body], cut(body, range(0, len(body), 11))):
        chunks = [i for i in iter_events(pieces) if isinstance(i, ChatCompletionChunk)]
        assert len(chunks) == len(payloads)
        for chunk, payload in zip(chunks, payloads):
            assert_json_identical(json.loads(dump_chunk(chunk)), json.loads(payload))


@pytest.mark.parametrize("name", NAMES)
def test_stream_chunks_round_trip(name: str) -> None:
    body = STREAMS[name][0]
    payloads = [
        event[len(b"data: ") :]
        for event in body.split(b"\n\n")
        if event.startswith(b"data: ") and event != b"data: [DONE]"
    ]
    chunks = list(iter_chunks(byte_by_byte(body)))
    assert len(chunks) == len(payloads)
    for chunk, payload in zip(chunks, payloads):
        assert_json_identical(json.loads(dump_chunk(chunk)), json.loads(payload))


# ---------------------------------------------------------------------------------------
# How the stream ended
# ---------------------------------------------------------------------------------------

_FINISH = chunk_payload(9, "", choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])

END_BODIES = {
    "done": (sse(chunk_payload(1), _FINISH) + b"data: [DONE]\n\n", StreamEnd.DONE, 2),
    # An upstream that stopped after a few chunks, between two events.
    "eof": (sse(chunk_payload(1), chunk_payload(2)), StreamEnd.EOF, 2),
    # One that was cut inside the third event: that event is dropped.
    "truncated": (
        sse(chunk_payload(1), chunk_payload(2)) + b"data: " + chunk_payload(3).encode()[:20],
        StreamEnd.TRUNCATED,
        2,
    ),
    # A whole last line, but no blank line after it: still unfinished, still dropped.
    "truncated_at_line_end": (
        sse(chunk_payload(1)) + b"data: " + chunk_payload(2).encode() + b"\n",
        StreamEnd.TRUNCATED,
        1,
    ),
    "done_unterminated": (sse(chunk_payload(1)) + b"data: [DONE]", StreamEnd.TRUNCATED, 1),
    "error_then_done": (
        sse(chunk_payload(1), '{"error":{"message":"overloaded"}}') + b"data: [DONE]\n\n",
        StreamEnd.ERROR,
        2,
    ),
}


@pytest.mark.parametrize("name", list(END_BODIES))
@pytest.mark.parametrize("split", ["whole", "byte_by_byte"])
def test_end_state_sync_and_async(name: str, split: str) -> None:
    body, end, count = END_BODIES[name]
    pieces = [body] if split == "whole" else byte_by_byte(body)
    stream = iter_events(iter(pieces))
    assert stream.end is None
    items = list(stream)
    assert len(items) == count
    assert stream.end is end
    assert stream.done is body.endswith(b"data: [DONE]\n\n")
    assert stream.complete is (end is StreamEnd.DONE)
    assert [e.message for e in stream.errors] == (["overloaded"] if end is StreamEnd.ERROR else [])

    async def main() -> Tuple[int, Any, bool]:
        astream = aiter_events(agen(pieces))
        got = [item async for item in astream]
        return len(got), astream.end, astream.done

    assert asyncio.run(main()) == (count, end, stream.done)


def test_iter_chunks_ends_in_error_when_it_raises() -> None:
    body = END_BODIES["error_then_done"][0]
    stream = iter_chunks([body])
    chunks, exc = drain(stream)
    assert len(chunks) == 1
    assert isinstance(exc, StreamError)
    assert stream.end is StreamEnd.ERROR

    async def main() -> Any:
        astream = aiter_chunks(agen([body]))
        with pytest.raises(StreamError, match="overloaded"):
            async for _ in astream:
                pass
        return astream.end

    assert asyncio.run(main()) is StreamEnd.ERROR


def test_end_is_failed_when_the_source_or_a_payload_raises() -> None:
    def broken() -> Iterator[bytes]:
        yield sse(chunk_payload(1))
        raise ConnectionResetError("peer went away")

    stream = iter_events(broken())
    items, exc = drain(stream)
    assert len(items) == 1
    assert isinstance(exc, ConnectionResetError)
    assert stream.end is StreamEnd.FAILED

    stream = iter_events([sse(chunk_payload(1), '{"id": 1}')])
    items, exc = drain(stream)
    assert len(items) == 1
    assert isinstance(exc, ValidationError)
    assert stream.end is StreamEnd.FAILED


def test_end_stays_none_when_the_reader_stops_early() -> None:
    stream = iter_events([sse(chunk_payload(1), chunk_payload(2)) + b"data: [DONE]\n\n"])
    assert isinstance(next(stream), ChatCompletionChunk)
    stream.close()
    assert stream.end is None
    assert list(stream) == []


def test_the_stream_is_not_read_past_done() -> None:
    def pieces() -> Iterator[bytes]:
        yield sse(chunk_payload(1)) + b"data: [DONE]\n\n"
        raise AssertionError("read past [DONE]")

    stream = iter_chunks(pieces())
    assert len(list(stream)) == 1
    assert stream.end is StreamEnd.DONE


def test_events_are_yielded_before_the_next_piece_is_read() -> None:
    # A live stream: each event must reach the caller as soon as its piece arrives.
    read: List[int] = []

    def pieces() -> Iterator[bytes]:
        for n in range(1, 4):
            read.append(n)
            yield sse(chunk_payload(n))

    for n, chunk in enumerate(iter_chunks(pieces()), 1):
        assert chunk.id == f"chatcmpl-{n}"
        assert read == list(range(1, n + 1))


# ---------------------------------------------------------------------------------------
# Going on past a bad payload
# ---------------------------------------------------------------------------------------

_BAD_BODY = (
    b": hello\n\n"
    + sse(chunk_payload(1), '{"id": "c", "choices": "nope"}', "not json", chunk_payload(4))
    + b"data: [DONE]\n\n"
)


def _check_kept_going(items: List[Any]) -> None:
    assert [type(item).__name__ for item in items] == [
        "ChatCompletionChunk",
        "InvalidPayload",
        "InvalidPayload",
        "ChatCompletionChunk",
    ]
    bad = items[1]
    assert isinstance(bad, InvalidPayload)
    assert (bad.position, bad.data, bad.event) == (2, '{"id": "c", "choices": "nope"}', "message")
    assert bad.offset == _BAD_BODY.index(b'data: {"id": "c"')
    assert f"SSE event 2, at byte {bad.offset}" in str(bad.error)
    assert {e["loc"][0] for e in bad.error.errors()} >= {"choices", "created"}
    assert items[2].error.errors()[0]["type"] == "json_invalid"


@pytest.mark.parametrize("split", ["whole", "byte_by_byte"])
def test_on_invalid_yield_goes_on_to_done(split: str) -> None:
    pieces = [_BAD_BODY] if split == "whole" else byte_by_byte(_BAD_BODY)
    stream = iter_events(iter(pieces), on_invalid="yield")
    _check_kept_going(list(stream))
    assert stream.end is StreamEnd.DONE

    async def main() -> Any:
        astream = aiter_events(agen(pieces), on_invalid="yield")
        _check_kept_going([item async for item in astream])
        return astream.end

    assert asyncio.run(main()) is StreamEnd.DONE


def test_on_invalid_raise_is_the_default() -> None:
    items, exc = collect([_BAD_BODY])
    assert len(items) == 1
    assert isinstance(exc, ValidationError)
    assert "SSE event 2, at byte" in str(exc)


def test_parse_event_is_the_one_rule_for_an_event() -> None:
    event = ServerSentEvent(data="not json", position=5, offset=40)
    with pytest.raises(ValidationError, match="SSE event 5, at byte 40"):
        parse_event(event)
    (item,) = parse_event(event, on_invalid="yield")
    assert isinstance(item, InvalidPayload)
    assert item.position == 5
    (chunk,) = parse_event(ServerSentEvent(data=chunk_payload(1)))
    assert isinstance(chunk, ChatCompletionChunk)
    (error,) = parse_event(ServerSentEvent(event="error", data='{"message":"x"}'))
    assert isinstance(error, StreamErrorEvent)
    assert error.message == "x"


# ---------------------------------------------------------------------------------------
# Invalid UTF-8: one verdict from parse_chunk, from SSE and from JSON Lines
# ---------------------------------------------------------------------------------------


def _sse_verdict(body: bytes, pieces: int) -> str:
    size = max(1, len(body) // pieces)
    stream = iter_events(
        [body[i : i + size] for i in range(0, len(body), size)], on_invalid="yield"
    )
    kinds = [type(item).__name__ for item in stream]
    assert len(kinds) == 1
    return "valid" if kinds == ["ChatCompletionChunk"] else "invalid"


def _parse_verdict(payload: bytes) -> str:
    try:
        parse_chunk(payload)
    except ValidationError:
        return "invalid"
    return "valid"


@settings(max_examples=150, deadline=None)
@given(
    where=st.integers(min_value=0),
    byte=st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc3\xa9"]),
    framing=st.sampled_from(["lf", "crlf", "two_lines", "event_field"]),
    pieces=st.integers(min_value=1, max_value=7),
)
def test_invalid_utf8_gets_the_same_verdict_everywhere(
    where: int, byte: bytes, framing: str, pieces: int
) -> None:
    payload = chunk_payload(1, "héllo wörld").encode()
    at = where % (len(payload) + 1)
    payload = payload[:at] + byte + payload[at:]
    if framing == "lf":
        body = b"data: " + payload + b"\n\n"
    elif framing == "crlf":
        body = b"data: " + payload + b"\r\n\r\n"
    elif framing == "two_lines":
        # Split over two data lines, which join with "\n": JSON whitespace between
        # tokens, so cut where a space may stand (after a comma).
        comma = payload.find(b",", 10)
        body = b"data: " + payload[: comma + 1] + b"\ndata: " + payload[comma + 1 :] + b"\n\n"
        payload = payload[: comma + 1] + b"\n" + payload[comma + 1 :]
    else:
        body = b"event: message\ndata: " + payload + b"\n\n"
    assert _sse_verdict(body, pieces) == _parse_verdict(payload)


def test_invalid_utf8_names_the_event_and_the_decoder_keeps_replacing() -> None:
    body = sse(chunk_payload(1)) + b'data: {"id": "\xff"}\n\n' + sse(chunk_payload(3))
    (_, bad, _) = iter_events([body], on_invalid="yield")
    assert isinstance(bad, InvalidPayload)
    assert bad.error.errors()[0]["type"] == "json_invalid"
    assert "invalid UTF-8" in str(bad.error)
    assert "SSE event 2" in str(bad.error)
    # The SSE layer still follows the specification: U+FFFD, and a note of where.
    decoder = SSEDecoder()
    events = decoder.feed(body)
    assert events[1].data == '{"id": "\ufffd"}'
    assert decoder.lossy == [2]


# ---------------------------------------------------------------------------------------
# Closing an async source: at once, not when the garbage collector finds it
# ---------------------------------------------------------------------------------------

ASYNC_READERS = {
    "aiter_chunks": aiter_chunks,
    "aiter_events": aiter_events,
    "aiter_sse": aiter_sse,
}


def recording_source(log: List[str], body: bytes) -> AsyncIterator[bytes]:
    """An async byte source, like httpx's `aiter_bytes`, that logs when its `finally` runs."""

    async def source() -> AsyncIterator[bytes]:
        try:
            yield body
            await asyncio.Event().wait()  # a server that sends nothing more
            yield sse(chunk_payload(9))
        finally:
            log.append("source closed")

    return source()


@pytest.mark.parametrize("name", list(ASYNC_READERS))
def test_aclose_closes_the_source_before_returning(name: str) -> None:
    log: List[str] = []

    async def main() -> None:
        stream: Any = ASYNC_READERS[name](recording_source(log, sse(chunk_payload(1))))
        await stream.__anext__()
        log.append("aclose")
        await stream.aclose()
        log.append("aclose returned")

    asyncio.run(main())
    assert log == ["aclose", "source closed", "aclose returned"]


@pytest.mark.parametrize("name", list(ASYNC_READERS))
def test_cancelled_reader_closes_the_source_before_its_finally_ends(name: str) -> None:
    # A task reading the stream is cancelled while the source waits for the server.
    log: List[str] = []

    async def read(stream: Any) -> None:
        try:
            async for _ in stream:
                log.append("item")
        finally:
            log.append("reader finally")

    async def main() -> None:
        stream = ASYNC_READERS[name](recording_source(log, sse(chunk_payload(1))))
        task = asyncio.ensure_future(read(stream))
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        log.append("cancelled")

    asyncio.run(main())
    assert log == ["item", "source closed", "reader finally", "cancelled"]


@pytest.mark.parametrize("name", list(ASYNC_READERS))
def test_source_is_closed_at_done_and_at_an_error(name: str) -> None:
    # The source is not read past [DONE], and is closed there, as the sync form's is when
    # its generator is dropped; an event over the bound closes it too.
    log: List[str] = []

    async def main() -> None:
        body = sse(chunk_payload(1)) + b"data: [DONE]\n\n"
        items = [item async for item in ASYNC_READERS[name](recording_source(log, body))]
        assert len(items) == 1
        log.append("done")
        too_big = ASYNC_READERS[name](recording_source(log, sse("x" * 200)), max_event_size=100)
        with pytest.raises(SSEError):
            await too_big.__anext__()
        log.append("error")

    asyncio.run(main())
    assert log == ["source closed", "done", "source closed", "error"]
