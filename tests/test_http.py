"""The stream layer over real HTTP: a real server, a real client, no mocks.

The server of `servers.py` streams the bodies of `streams.py` with
``Transfer-Encoding: chunked``, in odd-sized writes, so that the client sees events cut
anywhere. httpx reads them with ``iter_bytes``, ``iter_raw`` and ``aiter_bytes``. The
faults (cut connections, bodies that are no event stream, bad payloads) are in
`test_faults.py`.
"""

import asyncio
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, TypeVar

import httpx
import pytest

from chatchunk import (
    ChatCompletionChunk,
    ChunkAccumulator,
    IncompleteStreamError,
    StreamEnd,
    StreamError,
    StreamErrorEvent,
    aaccumulate,
    accumulate,
    aiter_chunks,
    aiter_events,
    dump_chunk,
    iter_chunks,
    iter_events,
    to_dict,
)
from servers import Reply, async_client, client, serving
from streams import STREAMS, chunks_of

T = TypeVar("T")

# --- The bodies the server sends ------------------------------------------------------------

_BASE = STREAMS["openai_text_usage"][0]
_EVENTS = [event + b"\n\n" for event in _BASE.split(b"\n\n") if event]
assert _EVENTS[-1] == b"data: [DONE]\n\n"

ERROR = {"message": "The server had an error processing your request.", "type": "server_error"}
# Three chunks, a keep-alive, the error, then more that a client must not need.
ERROR_BODY = (
    b"".join(_EVENTS[:3])
    + b": ping\n\n"
    + b"data: "
    + json.dumps({"error": ERROR}).encode()
    + b"\n\n"
    + b"".join(_EVENTS[3:])
)

ROUTES: Dict[str, Reply] = {f"/stream/{name}": Reply(body) for name, (body, _) in STREAMS.items()}
ROUTES["/error"] = Reply(ERROR_BODY)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(ROUTES) as url:
        yield url


def end_of(body: bytes) -> StreamEnd:
    """How a well-formed body ends: at [DONE], or where the server stopped after the chunks."""
    return StreamEnd.DONE if b"data: [DONE]" in body else StreamEnd.EOF


def recorded(pieces: Iterable[bytes], into: List[bytes]) -> Iterator[bytes]:
    """Pass the pieces through, keeping them to look at afterwards."""
    for piece in pieces:
        into.append(piece)
        yield piece


def dumps(chunks: Iterable[ChatCompletionChunk]) -> List[str]:
    return [dump_chunk(c) for c in chunks]


def drain(items: Iterable[T]) -> Tuple[List[T], Exception]:
    """The items an iterator yields before it raises, and what it raised."""
    got: List[T] = []
    try:
        for item in items:
            got.append(item)
    except Exception as exc:
        return got, exc
    raise AssertionError("the stream did not raise")


NAMES = list(STREAMS)

# --- The server itself ---------------------------------------------------------------------


def test_server_sends_chunked_event_stream(base_url: str) -> None:
    body = STREAMS["openai_text_usage"][0]
    pieces: List[bytes] = []
    with client() as http, http.stream("GET", f"{base_url}/stream/openai_text_usage") as response:
        assert response.status_code == 200
        assert response.http_version == "HTTP/1.1"
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        pieces.extend(response.iter_raw())
    assert b"".join(pieces) == body
    assert len(pieces) > 1  # it came in pieces, not in one read
    with client() as http:
        assert http.get(f"{base_url}/nowhere").status_code == 404


# --- Every stream, sync and async ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_iter_bytes(base_url: str, name: str) -> None:
    body, expected = STREAMS[name]
    seen: List[bytes] = []
    with client() as http:
        with http.stream("GET", f"{base_url}/stream/{name}") as response:
            response.raise_for_status()
            stream = iter_chunks(recorded(response.iter_bytes(), seen))
            chunks = list(stream)
        assert dumps(chunks) == dumps(chunks_of(body))
        assert stream.end is end_of(body)
        assert stream.done is (stream.end is StreamEnd.DONE)
        assert to_dict(accumulate(chunks)) == expected
        if b"data: [DONE]" not in body:
            assert b"".join(seen) == body
        else:  # everything up to [DONE] arrived, and reading stopped there
            assert b"".join(seen).startswith(body[: body.index(b"data: [DONE]")])
        with http.stream("GET", f"{base_url}/stream/{name}") as response:
            events = iter_events(response.iter_bytes())
            assert to_dict(accumulate(events)) == expected
        assert events.end is end_of(body)
        assert events.errors == []


@pytest.mark.parametrize("name", NAMES)
def test_iter_raw_strict(base_url: str, name: str) -> None:
    # strict=True must accept every whole stream a provider sends; only a server that
    # never sends [DONE] leaves the end in doubt, and what it sent is kept on the error.
    body, expected = STREAMS[name]
    ended = StreamEnd.DONE
    with client() as http, http.stream("GET", f"{base_url}/stream/{name}") as response:
        response.raise_for_status()
        try:
            completion = accumulate(iter_chunks(response.iter_raw()), strict=True)
        except IncompleteStreamError as exc:
            ended, completion = exc.end, exc.completion
    assert ended is end_of(body)
    assert to_dict(completion) == expected


@pytest.mark.parametrize("name", NAMES)
def test_aiter_bytes(base_url: str, name: str) -> None:
    body, expected = STREAMS[name]

    async def main() -> Tuple[List[str], Dict[str, Any], List[Optional[StreamEnd]]]:
        async with async_client() as http:
            async with http.stream("GET", f"{base_url}/stream/{name}") as response:
                response.raise_for_status()
                stream = aiter_chunks(response.aiter_bytes())
                chunks = [c async for c in stream]
            async with http.stream("GET", f"{base_url}/stream/{name}") as response:
                events = aiter_events(response.aiter_bytes())
                completion = await aaccumulate(events)
        return dumps(chunks), to_dict(completion), [stream.end, events.end]

    chunks, completion, ends = asyncio.run(main())
    assert chunks == dumps(chunks_of(body))
    assert completion == expected
    assert ends == [end_of(body)] * 2


def test_concurrent_async_streams(base_url: str) -> None:
    names = NAMES[:8]

    async def one(http: httpx.AsyncClient, name: str) -> Dict[str, Any]:
        async with http.stream("GET", f"{base_url}/stream/{name}") as response:
            return to_dict(await aaccumulate(aiter_chunks(response.aiter_bytes())))

    async def main() -> List[Dict[str, Any]]:
        async with async_client() as http:
            return list(await asyncio.gather(*(one(http, name) for name in names)))

    assert asyncio.run(main()) == [STREAMS[name][1] for name in names]


# --- An in-band error ---------------------------------------------------------------------


def test_error_endpoint_raises_stream_error_after_the_chunks(base_url: str) -> None:
    want = dumps(chunks_of(b"".join(_EVENTS[:3])))
    with client() as http, http.stream("GET", f"{base_url}/error") as response:
        stream = iter_chunks(response.iter_bytes())
        chunks, exc = drain(stream)
    assert dumps(chunks) == want
    assert stream.end is StreamEnd.ERROR
    assert not stream.done  # it stopped at the error
    assert isinstance(exc, StreamError)
    assert exc.payload == {"error": ERROR}
    assert exc.event.position == 4
    assert ERROR["message"] in str(exc)


def test_error_endpoint_events(base_url: str) -> None:
    accumulator = ChunkAccumulator()
    with client() as http, http.stream("GET", f"{base_url}/error") as response:
        stream = iter_events(response.iter_raw())
        items = list(stream)
    for item in items:
        accumulator.add(item)
    errors = [i for i in items if isinstance(i, StreamErrorEvent)]
    assert errors == [StreamErrorEvent(ERROR, {"error": ERROR}, "message", 4)]
    # The stream went on to [DONE], but an error was seen: that is how it ended.
    assert (stream.end, stream.done, stream.errors) == (StreamEnd.ERROR, True, errors)
    accumulator.end = stream.end
    assert not accumulator.complete
    assert accumulator.chunk_count == len(_EVENTS) - 1  # every chunk, the error aside
    assert to_dict(accumulator.result()) == STREAMS["openai_text_usage"][1]


def test_error_endpoint_async(base_url: str) -> None:
    async def main() -> Tuple[List[ChatCompletionChunk], BaseException]:
        chunks: List[ChatCompletionChunk] = []
        async with async_client() as http, http.stream("GET", f"{base_url}/error") as response:
            try:
                async for chunk in aiter_chunks(response.aiter_bytes()):
                    chunks.append(chunk)
            except StreamError as exc:
                return chunks, exc
        raise AssertionError("no StreamError")

    chunks, exc = asyncio.run(main())
    assert dumps(chunks) == dumps(chunks_of(b"".join(_EVENTS[:3])))
    assert isinstance(exc, StreamError)
    assert exc.payload == {"error": ERROR}
