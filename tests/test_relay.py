"""The relay, and the gateway of docs/writing.md run for real.

The relay's unit tests cover the transform (change, replace, drop), in-band errors,
``[DONE]`` only after an upstream that sent it, and a body that is no event stream. A
hypothesis test relays random streams cut in random pieces, unchanged: the frames come
out byte-identical to what the stream encoder wrote.

The gateway test executes the code block of docs/writing.md titled ``gateway.py`` (so
the page and the test cannot drift apart), serves the app with uvicorn on 127.0.0.1
in front of a real upstream (`servers.serving`), and reads it with the official
``openai`` client and with httpx + chatchunk, for an upstream that ends well, one cut
between events, one whose connection drops inside an event, one that reports an error
in-band, and one that answers with an HTML page.
"""

import asyncio
import json
import logging
import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional

import httpx
import openai
import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import (
    ChatCompletionChunk,
    NotAnEventStreamError,
    StreamEnd,
    StreamErrorEvent,
    iter_chunks,
    iter_events,
    parse_chunk,
)
from chatchunk._encode import encode_chunk, encode_error, encode_stream
from chatchunk._relay import arelay, relay
from chatchunk._sse_encode import DONE_FRAME, encode_comment
from servers import TIMEOUT, Reply, client, serving
from strategies import json_chunks

ROOT = Path(__file__).resolve().parent.parent


def chunk(content: Optional[str] = "Hi", **fields: Any) -> ChatCompletionChunk:
    delta: Dict[str, Any] = {} if content is None else {"content": content}
    value: Dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "internal-7b",
        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        **fields,
    }
    return parse_chunk(json.dumps(value))


def rename(item: ChatCompletionChunk) -> ChatCompletionChunk:
    item.model = "public"
    return item


BODY = b"".join(encode_stream([chunk("Hel"), chunk("lo")]))
HEAD = BODY[: -len(DONE_FRAME)]


# --- The relay -------------------------------------------------------------------------------


def test_relay_changes_each_chunk() -> None:
    frames = list(relay([BODY], rename))
    assert frames == [
        encode_chunk(rename(chunk("Hel"))),
        encode_chunk(rename(chunk("lo"))),
        DONE_FRAME,
    ]


def test_relay_without_transform_is_the_identity() -> None:
    assert b"".join(relay([BODY[i : i + 7] for i in range(0, len(BODY), 7)])) == BODY


def test_relay_drops_and_replaces() -> None:
    def keep_lo(item: ChatCompletionChunk) -> Optional[ChatCompletionChunk]:
        content = item.choices[0].delta.content
        return chunk("LO") if content == "lo" else None

    assert list(relay([BODY], keep_lo)) == [encode_chunk(chunk("LO")), DONE_FRAME]


def test_relay_passes_errors_and_no_done_after_a_cut() -> None:
    body = HEAD + encode_comment("ping") + b'data: {"error": {"message": "overloaded"}}\n\n'
    frames = list(relay([body], rename, on_cut="error"))
    assert frames[-1] == encode_error({"message": "overloaded"})  # no second error frame
    items = list(iter_events(frames))
    assert isinstance(items[-1], StreamErrorEvent)
    assert items[-1].message == "overloaded"
    assert [f for f in frames if f == DONE_FRAME] == []
    # Cut between events, or inside one.
    for cut, end in ((HEAD, "eof"), (HEAD + b"data: {", "truncated")):
        assert DONE_FRAME not in list(relay([cut]))
        last = list(relay([cut], on_cut="error"))[-1]
        assert json.loads(last[6:])["error"]["code"] == end


@pytest.mark.parametrize("on_cut", ["end", "error"])
def test_relay_not_an_event_stream(on_cut: Any) -> None:
    frames = relay([b'{"error": {"message": "overloaded"}}'], on_cut=on_cut)
    with pytest.raises(NotAnEventStreamError, match="overloaded"):
        next(frames)


def test_relay_bad_payload_raises_after_error_frame() -> None:
    frames: List[bytes] = []
    with pytest.raises(ValueError, match="SSE event 3"):
        frames.extend(relay([HEAD + b'data: {"id": 1}\n\n'], on_cut="error"))
    assert json.loads(frames[-1][6:])["error"]["code"] == "failed"


def test_relay_wrong_arguments() -> None:
    with pytest.raises(TypeError, match="transform"):
        relay([BODY], "rename")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transform"):
        arelay(abytes([BODY]), 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transform must return"):
        list(relay([BODY], lambda item: item.model))  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="on_cut"):
        relay([BODY], on_cut="drop")  # type: ignore[arg-type]


async def abytes(pieces: List[bytes], delay: float = 0.0) -> AsyncIterator[bytes]:
    for piece in pieces:
        if delay:
            await asyncio.sleep(delay)
        yield piece


async def collect(frames: AsyncIterator[bytes]) -> List[bytes]:
    return [frame async for frame in frames]


def test_arelay() -> None:
    frames = asyncio.run(collect(arelay(abytes([BODY[:30], BODY[30:]]), rename)))
    assert frames == list(relay([BODY], rename))
    cut = asyncio.run(collect(arelay(abytes([HEAD]), on_cut="error")))
    assert json.loads(cut[-1][6:])["error"]["code"] == "eof"


def test_arelay_keepalive_with_a_slow_upstream() -> None:
    pieces = [BODY[i : i + 40] for i in range(0, len(BODY), 40)]
    frames = asyncio.run(collect(arelay(abytes(pieces, 0.03), keepalive=0.01)))
    keepalive = encode_comment("keep-alive")
    assert keepalive in frames
    assert b"".join(f for f in frames if f != keepalive) == BODY


def test_arelay_not_an_event_stream() -> None:
    async def run() -> None:
        await arelay(abytes([b"<html><title>Bad gateway</title></html>"])).__anext__()

    with pytest.raises(NotAnEventStreamError, match="Bad gateway"):
        asyncio.run(run())


@given(
    values=st.lists(json_chunks(), max_size=6),
    done=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
)
@settings(max_examples=150, deadline=None)
def test_relay_round_trip(values: List[Dict[str, Any]], done: bool, cuts: List[int]) -> None:
    chunks = [parse_chunk(json.dumps(value)) for value in values]
    body = b"".join(encode_stream(chunks))
    if not done:
        body = body[: -len(DONE_FRAME)] or b": nothing\n\n" + encode_chunk(chunk())
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)])]
    upstream = iter_events(pieces)
    relayed = b"".join(relay(pieces))
    assert relayed == body.replace(b": nothing\n\n", b"")
    assert list(iter_events([relayed])) == list(upstream)


# --- The gateway of docs/writing.md, for real ------------------------------------------------


def gateway_source() -> Dict[str, Any]:
    """Run the ``gateway.py`` block of docs/writing.md; return its namespace."""
    page = ROOT / "docs" / "writing.md"
    text = page.read_text(encoding="utf-8")
    found = re.search(r'^```python title="gateway\.py"\n(.*?)^```$', text, re.MULTILINE | re.DOTALL)
    assert found is not None, "docs/writing.md has no gateway.py block"
    line = text.count("\n", 0, found.start(1))
    namespace: Dict[str, Any] = {"__name__": "gateway"}
    exec(compile("\n" * line + found.group(1), str(page), "exec"), namespace)
    return namespace


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, on a port the OS picks; yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="on",
        loop="asyncio",
        http="h11",
        ws="none",
        log_config=None,  # its log goes to the root logger, where caplog sees it
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, f"uvicorn did not start within {TIMEOUT} s"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()
    assert not thread.is_alive()


@contextmanager
def gateway(reply: Reply) -> Iterator[str]:
    """The docs' gateway in front of an upstream that answers ``reply``; yield its URL."""
    make_app: Callable[[str], Any] = gateway_source()["make_app"]
    with (
        serving({"/v1/chat/completions": reply}) as upstream,
        uvicorn_serving(make_app(f"{upstream}/v1")) as url,
    ):
        yield url


def openai_client(url: str) -> Any:
    http_client = openai.DefaultHttpxClient(trust_env=False, timeout=TIMEOUT)
    return openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, http_client=http_client)


REQUEST: Dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def openai_read(url: str, seen: List[Any]) -> None:
    """Read the gateway with the openai client; what it yielded lands in ``seen``."""
    with openai_client(url) as oa:
        for item in oa.chat.completions.create(**REQUEST, stream=True):
            seen.append(item)


@contextmanager
def chatchunk_read(url: str) -> Iterator[httpx.Response]:
    with (
        client() as http,
        http.stream(
            "POST", f"{url}/v1/chat/completions", json={**REQUEST, "stream": True}
        ) as response,
    ):
        yield response


UPSTREAM_CHUNKS = [
    chunk(None, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}}]),
    chunk("Hello", x_backend="node-3"),
    chunk(" there", x_backend="node-3"),
    chunk(None, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]),
]
UPSTREAM = encode_comment("keep-alive").join(encode_stream(UPSTREAM_CHUNKS))
UPSTREAM_HEAD = UPSTREAM[: -len(DONE_FRAME)]


def test_gateway_streams_to_openai_and_chatchunk() -> None:
    with gateway(Reply(UPSTREAM)) as url:
        seen: List[Any] = []
        openai_read(url, seen)
        assert "".join(c.choices[0].delta.content or "" for c in seen) == "Hello there"
        assert {c.model for c in seen} == {"gateway-model"}
        assert all("x_backend" not in (c.model_extra or {}) for c in seen)
        assert seen[-1].choices[0].finish_reason == "stop"

        with chatchunk_read(url) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-cache"
            assert response.headers["x-accel-buffering"] == "no"
            stream = iter_chunks(response.iter_bytes())
            chunks = list(stream)
    assert stream.end is StreamEnd.DONE
    assert chunks == [rename_to_gateway(c) for c in UPSTREAM_CHUNKS]


def rename_to_gateway(item: ChatCompletionChunk) -> ChatCompletionChunk:
    copy = parse_chunk(encode_chunk(item)[6:])
    copy.model = "gateway-model"
    if copy.model_extra:
        copy.model_extra.pop("x_backend", None)
    return copy


def test_gateway_upstream_cut_between_events() -> None:
    with gateway(Reply(UPSTREAM_HEAD)) as url:
        seen: List[Any] = []
        with pytest.raises(openai.APIError, match=r"ended without data: \[DONE\]"):
            openai_read(url, seen)
        assert "".join(c.choices[0].delta.content or "" for c in seen) == "Hello there"

        with chatchunk_read(url) as response:
            stream = iter_events(response.iter_bytes())
            items = list(stream)
    assert stream.end is StreamEnd.ERROR
    assert not stream.done
    error = items[-1]
    assert isinstance(error, StreamErrorEvent)
    assert error.error["code"] == "eof"
    assert len(items) == len(UPSTREAM_CHUNKS) + 1


def test_gateway_upstream_connection_drops(caplog: pytest.LogCaptureFixture) -> None:
    # The upstream dies inside an event, without the last chunk of its chunked body: the
    # gateway's httpx raises, the relay writes its error frame and re-raises, and uvicorn
    # aborts the response.
    cut = Reply(UPSTREAM_HEAD + b'data: {"id": "c1", "obj', drop=True)
    with caplog.at_level(logging.ERROR), gateway(cut) as url:
        seen: List[Any] = []
        with pytest.raises(openai.APIError, match=r"failed before data: \[DONE\]"):
            openai_read(url, seen)
        assert "".join(c.choices[0].delta.content or "" for c in seen) == "Hello there"

        items: List[Any] = []
        with chatchunk_read(url) as response:
            stream = iter_events(response.iter_bytes())
            with pytest.raises(httpx.RemoteProtocolError):
                items.extend(stream)
    assert stream.end is StreamEnd.FAILED
    error = items[-1]
    assert isinstance(error, StreamErrorEvent)
    assert error.error["code"] == "failed"
    assert "Exception in ASGI application" in caplog.text


def test_gateway_upstream_error_in_band() -> None:
    body = UPSTREAM_HEAD + encode_error("upstream overloaded", type="server_error")
    with gateway(Reply(body)) as url:
        seen: List[Any] = []
        with pytest.raises(openai.APIError, match="upstream overloaded"):
            openai_read(url, seen)
        with chatchunk_read(url) as response:
            stream = iter_events(response.iter_bytes())
            items = list(stream)
    assert stream.end is StreamEnd.ERROR
    assert isinstance(items[-1], StreamErrorEvent)
    assert items[-1].message == "upstream overloaded"


def test_gateway_upstream_not_an_event_stream() -> None:
    page = Reply(b"<html><title>502 Bad Gateway</title></html>", 200, "text/html", "length")
    with gateway(page) as url:
        with pytest.raises(openai.InternalServerError, match="502 Bad Gateway") as info:
            openai_read(url, [])
        assert info.value.status_code == 502
        with chatchunk_read(url) as response:
            assert response.status_code == 502
            assert response.read().startswith(b'{"error":{"message":"upstream: 502 Bad Gateway"')


def test_gateway_upstream_http_error_passes_on() -> None:
    body = b'{"error": {"message": "slow down", "type": "rate_limit_error"}}'
    reply = Reply(body, 429, "application/json", "length")
    with gateway(reply) as url, pytest.raises(openai.RateLimitError, match="slow down"):
        openai_read(url, [])
