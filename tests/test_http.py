"""The stream layer over real HTTP: a real server, a real client, no mocks.

A `ThreadingHTTPServer` on 127.0.0.1 streams the bodies of `streams.py` with
``Transfer-Encoding: chunked`` framed by hand, in odd-sized writes with a short pause
now and then, so that the client sees events cut anywhere. httpx reads them with
``iter_bytes``, ``iter_raw`` and ``aiter_bytes``. Every client has a timeout, so a hang
fails the test instead of blocking the run.
"""

import asyncio
import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterable, Iterator, List, Tuple, TypeVar

import httpx  # a test dependency (the `test` extra): no importorskip
import pytest
from pydantic import ValidationError

from chatchunk import (
    ChatCompletionChunk,
    ChunkAccumulator,
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
from streams import STREAMS, chunks_of

T = TypeVar("T")

TIMEOUT = 10.0
WRITE_SIZES = (1, 7, 13, 64, 3)

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

BAD_PAYLOAD = _EVENTS[3][len(b"data: ") : -2].replace(b'"content":" How"', b'"content":7')
assert _EVENTS[3][len(b"data: ") : -2] != BAD_PAYLOAD
_BAD_HEAD = b": connected\n\n" + _EVENTS[0] + b": ping\n\n" + _EVENTS[1]
BAD_OFFSET = len(_BAD_HEAD)  # where the bad event, the 3rd, starts
BAD_BODY = _BAD_HEAD + b"data: " + BAD_PAYLOAD + b"\n\n" + b"".join(_EVENTS[4:])

BODIES: Dict[str, bytes] = {f"/stream/{name}": body for name, (body, _) in STREAMS.items()}
BODIES["/error"] = ERROR_BODY
BODIES["/bad"] = BAD_BODY


# --- The server -----------------------------------------------------------------------------


class SSEHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each small write goes out as it is, not coalesced

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean

    def do_GET(self) -> None:
        body = BODIES.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        sizes = itertools.cycle(WRITE_SIZES)
        try:
            pos = 0
            for count in itertools.count(1):
                if pos >= len(body):
                    break
                piece = body[pos : pos + next(sizes)]
                pos += len(piece)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                if count % 40 == 0:
                    time.sleep(0.001)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # A client that stops at an error or [DONE] may close before the end.
            self.close_connection = True


class SSEServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SSEHandler)
        self.errors: List[BaseException] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stopped early (at [DONE] or an error) and closed its connection is
        # no error; anything else is kept, and fails the run at teardown.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)) and exc is not None:
            self.errors.append(exc)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = SSEServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert server.errors == []


def client() -> httpx.Client:
    # trust_env=False: no proxy from the environment between us and 127.0.0.1.
    return httpx.Client(timeout=TIMEOUT, trust_env=False)


def async_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT, trust_env=False)


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
            chunks = list(iter_chunks(recorded(response.iter_bytes(), seen)))
        assert dumps(chunks) == dumps(chunks_of(body))
        assert to_dict(accumulate(chunks)) == expected
        if b"data: [DONE]" not in body:
            assert b"".join(seen) == body
        else:  # everything up to [DONE] arrived, and reading stopped there
            assert b"".join(seen).startswith(body[: body.index(b"data: [DONE]")])
        with http.stream("GET", f"{base_url}/stream/{name}") as response:
            assert to_dict(accumulate(iter_events(response.iter_bytes()))) == expected


@pytest.mark.parametrize("name", NAMES)
def test_iter_raw(base_url: str, name: str) -> None:
    expected = STREAMS[name][1]
    with client() as http, http.stream("GET", f"{base_url}/stream/{name}") as response:
        response.raise_for_status()
        completion = accumulate(iter_chunks(response.iter_raw()))
    assert to_dict(completion) == expected


@pytest.mark.parametrize("name", NAMES)
def test_aiter_bytes(base_url: str, name: str) -> None:
    body, expected = STREAMS[name]

    async def main() -> Tuple[List[str], Dict[str, Any]]:
        async with async_client() as http:
            async with http.stream("GET", f"{base_url}/stream/{name}") as response:
                response.raise_for_status()
                chunks = [c async for c in aiter_chunks(response.aiter_bytes())]
            async with http.stream("GET", f"{base_url}/stream/{name}") as response:
                completion = await aaccumulate(aiter_events(response.aiter_bytes()))
        return dumps(chunks), to_dict(completion)

    chunks, completion = asyncio.run(main())
    assert chunks == dumps(chunks_of(body))
    assert completion == expected


def test_concurrent_async_streams(base_url: str) -> None:
    names = NAMES[:8]

    async def one(http: httpx.AsyncClient, name: str) -> Dict[str, Any]:
        async with http.stream("GET", f"{base_url}/stream/{name}") as response:
            return to_dict(await aaccumulate(aiter_chunks(response.aiter_bytes())))

    async def main() -> List[Dict[str, Any]]:
        async with async_client() as http:
            return list(await asyncio.gather(*(one(http, name) for name in names)))

    assert asyncio.run(main()) == [STREAMS[name][1] for name in names]


# --- An in-band error and a bad payload ---------------------------------------------------


def test_error_endpoint_raises_stream_error_after_the_chunks(base_url: str) -> None:
    want = dumps(chunks_of(b"".join(_EVENTS[:3])))
    with client() as http, http.stream("GET", f"{base_url}/error") as response:
        chunks, exc = drain(iter_chunks(response.iter_bytes()))
    assert dumps(chunks) == want
    assert isinstance(exc, StreamError)
    assert exc.payload == {"error": ERROR}
    assert exc.event.position == 4
    assert ERROR["message"] in str(exc)


def test_error_endpoint_events(base_url: str) -> None:
    accumulator = ChunkAccumulator()
    with client() as http, http.stream("GET", f"{base_url}/error") as response:
        items = list(iter_events(response.iter_raw()))
    for item in items:
        accumulator.add(item)
    errors = [i for i in items if isinstance(i, StreamErrorEvent)]
    assert errors == [StreamErrorEvent(ERROR, {"error": ERROR}, "message", 4)]
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


def test_bad_endpoint_raises_validation_error_with_the_position(base_url: str) -> None:
    with client() as http, http.stream("GET", f"{base_url}/bad") as response:
        chunks, exc = drain(iter_chunks(response.iter_bytes()))
    assert dumps(chunks) == dumps(chunks_of(_EVENTS[0] + _EVENTS[1]))
    assert isinstance(exc, ValidationError)
    text = str(exc)
    assert f"(SSE event 3, at byte {BAD_OFFSET})" in text
    assert "choices.0.delta.content" in text
    assert "input_value=7" in text
    assert [e["loc"] for e in exc.errors()] == [("choices", 0, "delta", "content")]


def test_bad_endpoint_async(base_url: str) -> None:
    async def main() -> Tuple[int, BaseException]:
        count = 0
        async with async_client() as http, http.stream("GET", f"{base_url}/bad") as response:
            try:
                async for _ in aiter_chunks(response.aiter_bytes()):
                    count += 1
            except ValidationError as exc:
                return count, exc
        raise AssertionError("no ValidationError")

    count, exc = asyncio.run(main())
    assert count == 2
    assert f"(SSE event 3, at byte {BAD_OFFSET})" in str(exc)
