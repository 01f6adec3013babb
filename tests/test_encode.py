"""The chunk layer's write side: one chunk, one error, a whole stream, sync and async.

`encode_chunk` is proved byte-identical to ``dump_chunk`` framed, for any chunk the
strategies draw, and to hold no raw line break. `encode_error` is read back by
chatchunk's reader and by the official ``openai`` client. The stream encoders write
``[DONE]`` only after a source that ended as it should; the async keep-alive is run
against a slow real source, which loses and reorders nothing.
"""

import asyncio
import json
import math
import time
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional

import openai
import openai._streaming as openai_streaming
import pytest
from hypothesis import given, settings

from chatchunk import (
    ChatCompletionChunk,
    SSEDecoder,
    StreamEnd,
    StreamErrorEvent,
    aiter_events,
    dump_chunk,
    iter_chunks,
    iter_events,
    parse_chunk,
)
from chatchunk._encode import aencode_stream, encode_chunk, encode_error, encode_stream
from chatchunk._sse_encode import DONE_FRAME, encode_comment
from strategies import json_chunks


def chunk(content: str = "Hi", index: int = 0, **fields: Any) -> ChatCompletionChunk:
    value: Dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": index, "delta": {"content": content}, "finish_reason": None}],
        **fields,
    }
    return parse_chunk(json.dumps(value))


def openai_read(body: bytes) -> List[Any]:
    """The chunks the official client reads from ``body``, fed as one HTTP response."""
    # openai 1.x and 2.x read httpx responses, 3.x those of its fork httpx2.
    http = getattr(openai_streaming, "httpx2", None) or openai_streaming.httpx
    response = http.Response(
        200,
        content=iter([body]),
        headers={"content-type": "text/event-stream"},
        request=http.Request("POST", "http://localhost/v1/chat/completions"),
    )
    client = openai.OpenAI(api_key="x", base_url="http://localhost/v1")
    from openai.types.chat import ChatCompletionChunk as OpenAIChunk

    return list(openai.Stream(cast_to=OpenAIChunk, response=response, client=client))


def events_of(body: bytes) -> List[Any]:
    return list(iter_events([body]))


# --- One chunk -------------------------------------------------------------------------------


@given(value=json_chunks())
@settings(max_examples=300, deadline=None)
def test_chunk_frame_is_dump_chunk_framed(value: Dict[str, Any]) -> None:
    model = parse_chunk(json.dumps(value))
    frame = encode_chunk(model)
    payload = frame[6:-2]
    assert frame == b"data: " + dump_chunk(model).encode() + b"\n\n"
    # No raw line end in the JSON: one data line carries it, the decoder gives it back.
    assert b"\n" not in payload
    assert b"\r" not in payload
    (event,) = SSEDecoder().feed(frame)
    assert event.data == dump_chunk(model)
    assert parse_chunk(event.data) == model


def test_chunk_with_line_ends_in_strings() -> None:
    model = chunk("a\nb\r\nc\u2028")
    frame = encode_chunk(model)
    assert frame.count(b"\n") == 2
    assert b"\r" not in frame
    assert [c.choices[0].delta.content for c in iter_chunks([frame])] == ["a\nb\r\nc\u2028"]


def test_chunk_wrong_type() -> None:
    with pytest.raises(TypeError, match="chunk must be a ChatCompletionChunk"):
        encode_chunk({"id": "c1"})  # type: ignore[arg-type]


# --- One error -------------------------------------------------------------------------------


def test_error_from_message() -> None:
    frame = encode_error("Rate limit reached", type="rate_limit", code=429)
    assert json.loads(frame[6:]) == {
        "error": {"message": "Rate limit reached", "type": "rate_limit", "param": None, "code": 429}
    }
    assert frame.endswith(b"}\n\n")
    assert frame.count(b"\n") == 2


def test_error_from_mapping_and_event() -> None:
    frame = encode_error({"message": "bad", "x_extra": [1]}, code="e1")
    assert json.loads(frame[6:]) == {"error": {"message": "bad", "x_extra": [1], "code": "e1"}}
    # An error read from another stream is written again as it came.
    (event,) = events_of(b'data: {"error": {"message": "m", "code": 1}, "extra": 2}\n\n')
    assert json.loads(encode_error(event)[6:]) == {"error": {"message": "m", "code": 1}}
    # An `event: error` with text: the text becomes the message.
    (event,) = events_of(b"event: error\ndata: upstream died\n\n")
    assert json.loads(encode_error(event)[6:])["error"]["message"] == "upstream died"


@pytest.mark.parametrize(
    "error",
    [
        "Rate limit reached",
        {"message": "Rate limit reached"},
        StreamErrorEvent({"message": "Rate limit reached"}, None),
    ],
)
def test_error_read_by_chatchunk(error: Any) -> None:
    body = encode_chunk(chunk()) + encode_error(error)
    first, second = stream = iter_events([body])
    assert isinstance(first, ChatCompletionChunk)
    assert isinstance(second, StreamErrorEvent)
    assert second.message == "Rate limit reached"
    assert stream.end is StreamEnd.ERROR


@pytest.mark.parametrize("message", ["Rate limit reached", "line\nbreak", "ünïcode 🦜"])
def test_error_read_by_openai(message: str) -> None:
    body = encode_chunk(chunk("Hel")) + encode_error(message, code=429) + DONE_FRAME
    with pytest.raises(openai.APIError, match=message.split("\n")[0]) as info:
        openai_read(body)
    assert info.value.message == message
    assert info.value.body == {"message": message, "type": None, "param": None, "code": 429}


def test_openai_reads_chunks_and_done() -> None:
    body = encode_chunk(chunk("Hel")) + encode_comment("ping") + encode_chunk(chunk("lo"))
    read = openai_read(body + DONE_FRAME)
    assert [c.choices[0].delta.content for c in read] == ["Hel", "lo"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((1,), {}, TypeError, "error"),
        (({},), {}, ValueError, "error"),
        (("m",), {"type": 1}, TypeError, "type"),
        (("m",), {"code": 1.5}, TypeError, "code"),
        (("m",), {"code": True}, TypeError, "code"),
        (("m",), {"param": 1}, TypeError, "param"),
        (({"message": math.nan},), {}, ValueError, "error"),
        (({"message": object()},), {}, TypeError, "error"),
        (("\ud800",), {}, ValueError, "error"),
    ],
)
def test_error_wrong_arguments(args: Any, kwargs: Any, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        encode_error(*args, **kwargs)


# --- Whole streams ---------------------------------------------------------------------------

HEAD = encode_chunk(chunk("Hel")) + encode_chunk(chunk("lo"))


def test_server_stream_ends_with_done() -> None:
    frames = list(encode_stream([chunk("Hel"), chunk("lo")]))
    assert frames == [encode_chunk(chunk("Hel")), encode_chunk(chunk("lo")), DONE_FRAME]
    stream = iter_chunks(frames)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "Hello"
    assert stream.end is StreamEnd.DONE


def test_error_items_become_error_frames() -> None:
    error = StreamErrorEvent({"message": "quota"}, None)
    frames = list(encode_stream([chunk(), error]))
    assert frames[1] == encode_error(error)
    assert frames[-1] == DONE_FRAME  # a plain iterable that was exhausted: it chose to end so


@pytest.mark.parametrize(
    ("body", "end"),
    [
        (HEAD + DONE_FRAME, StreamEnd.DONE),
        (HEAD, StreamEnd.EOF),
        (HEAD + b'data: {"id":', StreamEnd.TRUNCATED),
        (HEAD + b'data: {"error": {"message": "quota"}}\n\n', StreamEnd.ERROR),
    ],
)
@pytest.mark.parametrize("on_cut", ["end", "error"])
def test_done_only_after_done(body: bytes, end: StreamEnd, on_cut: Any) -> None:
    source = iter_events([body])
    frames = list(encode_stream(source, on_cut=on_cut))
    assert source.end is end
    again = iter_events(frames)
    items = list(again)
    assert [i.choices[0].delta.content for i in items if isinstance(i, ChatCompletionChunk)] == [
        "Hel",
        "lo",
    ]
    assert (frames[-1] == DONE_FRAME) is (end is StreamEnd.DONE)
    if end is StreamEnd.DONE:
        assert again.end is StreamEnd.DONE
    elif on_cut == "end" or end is StreamEnd.ERROR:
        # No frame beyond the items: an ERROR stream's own error was relayed.
        assert len(frames) == len(items)
        assert again.end is (StreamEnd.ERROR if end is StreamEnd.ERROR else StreamEnd.EOF)
    else:
        error = items[-1]
        assert isinstance(error, StreamErrorEvent)
        assert error.error["type"] == "incomplete_stream"
        assert error.error["code"] == end.value
        assert again.end is StreamEnd.ERROR


def failing() -> Iterator[ChatCompletionChunk]:
    yield chunk("Hel")
    raise ConnectionError("upstream reset")


@pytest.mark.parametrize("on_cut", ["end", "error"])
def test_source_that_raises_is_reraised(on_cut: Any) -> None:
    frames: List[bytes] = []
    with pytest.raises(ConnectionError, match="upstream reset"):
        frames.extend(encode_stream(failing(), on_cut=on_cut))
    assert DONE_FRAME not in frames
    assert frames[0] == encode_chunk(chunk("Hel"))
    if on_cut == "error":
        (last,) = [e for e in iter_events(frames) if isinstance(e, StreamErrorEvent)]
        assert last.error["code"] == "failed"
    else:
        assert len(frames) == 1


def test_stream_error_of_iter_chunks_is_written_with_on_cut_error() -> None:
    body = HEAD + b'data: {"error": {"message": "quota"}}\n\n'
    frames: List[bytes] = []
    with pytest.raises(ValueError, match="quota"):
        frames.extend(encode_stream(iter_chunks([body]), on_cut="error"))
    assert frames[-1] == encode_error({"message": "quota"})


def test_openrouter_error_chunk_is_not_written_twice() -> None:
    body = encode_chunk(chunk("x", error={"message": "provider down", "code": 502}))
    frames = list(encode_stream(iter_events([body])))
    assert frames == [body]  # the chunk carries the error: no second error frame


def test_stream_wrong_arguments() -> None:
    with pytest.raises(ValueError, match="on_cut"):
        encode_stream([], on_cut="raise")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="items"):
        encode_stream(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="items must yield"):
        list(encode_stream(["data: x"]))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="items"):
        aencode_stream([])  # type: ignore[arg-type]
    for bad, error in (
        (0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        ("1", TypeError),
        (True, TypeError),
    ):
        with pytest.raises(error, match="keepalive"):
            aencode_stream(agen([]), keepalive=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keepalive_text"):
        aencode_stream(agen([]), keepalive_text=b"x")  # type: ignore[arg-type]


# --- Async -----------------------------------------------------------------------------------


async def agen(items: List[Any], delays: Optional[List[float]] = None) -> AsyncIterator[Any]:
    for at, item in enumerate(items):
        if delays:
            await asyncio.sleep(delays[at])
        yield item


async def collect(frames: AsyncIterator[bytes]) -> List[bytes]:
    return [frame async for frame in frames]


async def abytes(pieces: List[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


@pytest.mark.parametrize(
    ("body", "done"), [(HEAD + DONE_FRAME, True), (HEAD, False), (HEAD + b"data: {", False)]
)
def test_async_done_only_after_done(body: bytes, done: bool) -> None:
    frames = asyncio.run(collect(aencode_stream(aiter_events(abytes([body])))))
    assert frames[:2] == [encode_chunk(chunk("Hel")), encode_chunk(chunk("lo"))]
    assert (frames[-1] == DONE_FRAME) is done
    assert len(frames) == 2 + done


def test_async_plain_source_and_error() -> None:
    async def run() -> List[bytes]:
        return await collect(aencode_stream(agen([chunk(), StreamErrorEvent("quota", "quota")])))

    assert asyncio.run(run()) == [encode_chunk(chunk()), encode_error("quota"), DONE_FRAME]


@pytest.mark.parametrize("keepalive", [None, 0.01])
def test_async_source_that_raises(keepalive: Optional[float]) -> None:
    async def source() -> AsyncIterator[ChatCompletionChunk]:
        yield chunk("Hel")
        raise ConnectionError("upstream reset")

    frames: List[bytes] = []

    async def run() -> None:
        async for frame in aencode_stream(source(), on_cut="error", keepalive=keepalive):
            frames.append(frame)

    with pytest.raises(ConnectionError):
        asyncio.run(run())
    assert frames[0] == encode_chunk(chunk("Hel"))
    assert DONE_FRAME not in frames
    assert json.loads(frames[-1][6:])["error"]["code"] == "failed"


def test_keepalive_loses_and_reorders_nothing() -> None:
    # A slow real source: each item comes after a sleep longer than the keep-alive
    # interval, some after a shorter one. Every item must come out once, in order, with
    # keep-alive comments only between them.
    delays = [0.0, 0.05, 0.002, 0.08, 0.0, 0.03, 0.001, 0.06]
    items = [chunk(f"t{i}") for i in range(len(delays))]
    keepalive = encode_comment("keep-alive")
    started = time.monotonic()
    frames = asyncio.run(collect(aencode_stream(agen(items, delays), keepalive=0.01)))
    assert time.monotonic() - started >= sum(delays)
    data = [frame for frame in frames if frame != keepalive]
    assert data == [encode_chunk(item) for item in items] + [DONE_FRAME]
    assert frames.count(keepalive) >= 10  # 0.05 + 0.08 + 0.03 + 0.06 s of silence
    assert frames[-1] == DONE_FRAME
    # What a client reads: the comments are invisible.
    assert [c.choices[0].delta.content for c in iter_chunks(frames)] == [f"t{i}" for i in range(8)]


def test_keepalive_custom_text_and_early_close() -> None:
    closed: List[bool] = []

    async def source() -> AsyncIterator[ChatCompletionChunk]:
        try:
            yield chunk()
            await asyncio.sleep(10)
            yield chunk()
        finally:
            closed.append(True)

    async def run() -> List[bytes]:
        frames = aencode_stream(source(), keepalive=0.01, keepalive_text="ping")
        got = [await frames.__anext__(), await frames.__anext__()]
        await frames.aclose()  # the client went away while the source was slow
        return got

    got = asyncio.run(asyncio.wait_for(run(), 5))
    assert got == [encode_chunk(chunk()), b": ping\n\n"]
    assert closed == [True]  # the source's pending step was cancelled and it was closed
