"""Streams that go wrong the ways real upstreams do, read over real HTTP with httpx.

Two servers, both real, on 127.0.0.1:

* Our own (`servers.py`), which can end a body anywhere: a chunked body whose
  connection dies (httpx raises), an HTTP/1.0 body that just stops (nothing raises:
  only the decoder can tell an event was cut), error pages in JSON, HTML and text.
* llmock, an OpenAI-compatible mock written by others ("chaos engineering for LLM
  apps"), started as a subprocess, with its faults queued over its control API.
  It applies them to whole events: it drops the connection or ends the body cleanly
  between two events, cuts an event's JSON in half, stalls, or answers an error status.

Each fault is read sync and async, and the tests assert what the library reports: the
items, how the stream ended (`StreamEnd`), what it raised, and what
``accumulate(..., strict=True)`` makes of it.
"""

import asyncio
import json
import sys
from typing import Any, Dict, Iterator, List, Literal, NamedTuple, Optional, Union

import httpx
import pytest
from pydantic import ValidationError

from chatchunk import (
    ChatCompletion,
    ChatCompletionChunk,
    EmptyStreamError,
    IncompleteStreamError,
    InvalidPayload,
    NotAnEventStreamError,
    SSEError,
    StreamEnd,
    aaccumulate,
    accumulate,
    aiter_events,
    dump_chunk,
    iter_events,
)
from servers import TIMEOUT, Reply, async_client, client, llmock_serving, serving
from streams import STREAMS, chunks_of

# --- Reading a response as a caller would ---------------------------------------------------


class Request(NamedTuple):
    url: str
    json: Optional[Dict[str, Any]] = None
    """The body of a POST; None for a GET."""
    timeout: Union[float, httpx.Timeout] = TIMEOUT


class Outcome(NamedTuple):
    status: int
    items: List[Any]
    """What the stream yielded before it ended or raised (nothing when assembled)."""
    completion: Optional[ChatCompletion]
    """What ``accumulate(..., strict=True)`` returned, when assembled and it returned."""
    raised: Optional[Exception]
    end: Optional[StreamEnd]
    done: bool


OnInvalid = Literal["raise", "yield"]


def read(
    mode: str, request: Request, *, on_invalid: OnInvalid = "raise", assemble: bool = False
) -> Outcome:
    """Read one response with `iter_events` (``mode="sync"``) or `aiter_events`.

    With ``assemble``, the stream goes to ``accumulate(..., strict=True)`` instead of a
    list. What the iteration raises is kept in the outcome, not raised.
    """
    if mode == "async":
        return asyncio.run(_aread(request, on_invalid, assemble))
    items: List[Any] = []
    completion = raised = None
    method = "GET" if request.json is None else "POST"
    with client(request.timeout) as http, http.stream(method, request.url, json=request.json) as r:
        stream = iter_events(r.iter_bytes(), on_invalid=on_invalid)
        try:
            if assemble:
                completion = accumulate(stream, strict=True)
            else:
                for item in stream:
                    items.append(item)
        except Exception as exc:
            raised = exc
    return Outcome(r.status_code, items, completion, raised, stream.end, stream.done)


async def _aread(request: Request, on_invalid: OnInvalid, assemble: bool) -> Outcome:
    items: List[Any] = []
    completion = raised = None
    method = "GET" if request.json is None else "POST"
    http = async_client(request.timeout)
    async with http, http.stream(method, request.url, json=request.json) as r:
        stream = aiter_events(r.aiter_bytes(), on_invalid=on_invalid)
        try:
            if assemble:
                completion = await aaccumulate(stream, strict=True)
            else:
                async for item in stream:
                    items.append(item)
        except Exception as exc:
            raised = exc
    return Outcome(r.status_code, items, completion, raised, stream.end, stream.done)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def dumps(items: List[Any]) -> List[str]:
    assert all(isinstance(item, ChatCompletionChunk) for item in items), items
    return [dump_chunk(item) for item in items]


def incomplete(outcome: Outcome) -> IncompleteStreamError:
    assert isinstance(outcome.raised, IncompleteStreamError), outcome.raised
    return outcome.raised


def content(completion: ChatCompletion) -> Optional[str]:
    return completion.choices[0].message.content


# --- Our own server: the bodies --------------------------------------------------------------

_EVENTS = [event + b"\n\n" for event in STREAMS["openai_text_usage"][0].split(b"\n\n") if event]
HEAD = b"".join(_EVENTS[:3])  # the role, "Hello", "!": then the body ends
_CUT = _EVENTS[3]  # the " How" event, which is cut
assert b'"content":" How"' in _CUT

# A bad chunk, the 3rd event, after comments that move it off the count of a naive reader.
BAD_PAYLOAD = _EVENTS[3][len(b"data: ") : -2].replace(b'"content":" How"', b'"content":7')
_BAD_HEAD = b": connected\n\n" + _EVENTS[0] + b": ping\n\n" + _EVENTS[1]
BAD_OFFSET = len(_BAD_HEAD)  # where the bad event starts
BAD_BODY = _BAD_HEAD + b"data: " + BAD_PAYLOAD + b"\n\n" + b"".join(_EVENTS[4:])

# A proxy that re-encoded the 2nd chunk as Latin-1: "Hello" with an e-acute, one byte.
LATIN1_BODY = b"".join(_EVENTS).replace(b'"content":"Hello"', b'"content":"H\xe9llo"')

# Error bodies as the servers send them (written for this suite after their shapes).
LITELLM_529 = {
    "message": "litellm.InternalServerError: AnthropicException - Overloaded. "
    "Handle with `litellm.InternalServerError`.",
    "type": None,
    "param": None,
    "code": "529",
}
OLLAMA_404 = "model 'llama3.9' not found, try pulling it first"
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
ENVOY_503 = b"upstream connect error or disconnect/reset before headers. reset reason: overflow"

ROUTES: Dict[str, Reply] = {
    # A chunked body whose connection closes before the last chunk: httpx raises.
    "/drop/mid-event": Reply(HEAD + _CUT[: len(_CUT) // 2], drop=True),
    "/drop/between-events": Reply(HEAD, drop=True),
    # An HTTP/1.0 body that just stops: the end of the body looks like any other.
    "/close/mid-line": Reply(HEAD + _CUT[: len(_CUT) // 2], framing="close"),
    "/close/before-blank-line": Reply(HEAD + _CUT[:-1], framing="close"),
    "/stop/chunked": Reply(HEAD),
    "/stop/close": Reply(HEAD, framing="close"),
    "/bad": Reply(BAD_BODY),
    "/latin-1": Reply(LATIN1_BODY),
    "/error/litellm-529": Reply(
        json.dumps({"error": LITELLM_529}).encode(), 529, "application/json", "length"
    ),
    "/error/ollama-404": Reply(
        json.dumps({"error": OLLAMA_404}).encode(), 404, "application/json", "length"
    ),
    "/error/nginx-502": Reply(NGINX_502, 502, "text/html", "length"),
    "/error/envoy-503": Reply(ENVOY_503, 503, "text/plain", "length"),
    "/empty/chunked": Reply(b""),
    "/empty/length": Reply(b"", framing="length"),
    "/empty/comments": Reply(b": connected\n\n" + b": ping\n\n" * 3),
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(ROUTES) as url:
        yield url


# --- Our own server: a body that ends too soon -----------------------------------------------


def test_server_frames_cut_bodies_as_asked(base_url: str) -> None:
    # The tests below rely on these framings; check them on the wire, without chatchunk.
    with client() as http:
        with http.stream("GET", f"{base_url}/close/mid-line") as response:
            assert response.http_version == "HTTP/1.0"
            assert "content-length" not in response.headers
            assert "transfer-encoding" not in response.headers
            assert b"".join(response.iter_raw()) == ROUTES["/close/mid-line"].body
        with http.stream("GET", f"{base_url}/drop/mid-event") as response:
            assert response.headers["transfer-encoding"] == "chunked"
            pieces: List[bytes] = []
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
                pieces.extend(response.iter_raw())
        assert b"".join(pieces) == ROUTES["/drop/mid-event"].body
        assert http.get(f"{base_url}/error/litellm-529").status_code == 529


@pytest.mark.parametrize("path", ["/drop/mid-event", "/drop/between-events"])
def test_dropped_connection_fails_with_the_transport_error(
    base_url: str, mode: str, path: str
) -> None:
    # The chunked framing tells httpx the body is short: its error comes through as it
    # is, wherever the cut fell, and the stream says it failed.
    out = read(mode, Request(base_url + path))
    assert isinstance(out.raised, httpx.RemoteProtocolError)
    assert (out.end, out.done) == (StreamEnd.FAILED, False)
    assert dumps(out.items) == dumps(chunks_of(HEAD))
    # accumulate does not turn the transport's error into its own.
    assembled = read(mode, Request(base_url + path), assemble=True)
    assert isinstance(assembled.raised, httpx.RemoteProtocolError)
    assert assembled.end is StreamEnd.FAILED


@pytest.mark.parametrize(
    ("path", "end"),
    [
        # Cut inside an event: it is dropped, even when its JSON line arrived whole (the
        # blank line that ends an event did not).
        ("/close/mid-line", StreamEnd.TRUNCATED),
        ("/close/before-blank-line", StreamEnd.TRUNCATED),
        # Cut between two events.
        ("/stop/chunked", StreamEnd.EOF),
        ("/stop/close", StreamEnd.EOF),
    ],
)
def test_body_that_just_stops(base_url: str, mode: str, path: str, end: StreamEnd) -> None:
    # Nothing raises: the body ends as any body does, with no [DONE] and no finish reason.
    # Only the end state tells the caller, and strict refuses the stream.
    out = read(mode, Request(base_url + path))
    assert out.raised is None
    assert (out.end, out.done) == (end, False)
    assert dumps(out.items) == dumps(chunks_of(HEAD))
    exc = incomplete(read(mode, Request(base_url + path), assemble=True))
    assert exc.end is end
    assert content(exc.completion) == "Hello!"  # what came, kept for the caller
    assert exc.completion.choices[0].finish_reason is None
    assert exc.reasons


# --- Our own server: payloads that are not chunks -------------------------------------------


def test_bad_chunk_raises_with_its_place(base_url: str, mode: str) -> None:
    out = read(mode, Request(base_url + "/bad"))
    assert dumps(out.items) == dumps(chunks_of(_EVENTS[0] + _EVENTS[1]))
    assert isinstance(out.raised, ValidationError)
    text = str(out.raised)
    assert f"(SSE event 3, at byte {BAD_OFFSET})" in text
    assert "input_value=7" in text
    assert [e["loc"] for e in out.raised.errors()] == [("choices", 0, "delta", "content")]
    assert out.end is StreamEnd.FAILED


def test_bad_chunk_yielded_with_its_place_and_reading_goes_on(base_url: str, mode: str) -> None:
    out = read(mode, Request(base_url + "/bad"), on_invalid="yield")
    assert out.raised is None
    assert (out.end, out.done) == (StreamEnd.DONE, True)
    bad = out.items[2]
    assert isinstance(bad, InvalidPayload)
    assert (bad.position, bad.offset, bad.event) == (3, BAD_OFFSET, "message")
    assert bad.data == BAD_PAYLOAD.decode()
    assert f"SSE event 3, at byte {BAD_OFFSET}" in bad.error.title
    assert [e["loc"] for e in bad.error.errors()] == [("choices", 0, "delta", "content")]
    # Every chunk around it came through, in order.
    good = out.items[:2] + out.items[3:]
    assert dumps(good) == dumps(chunks_of(_EVENTS[0] + _EVENTS[1] + b"".join(_EVENTS[4:])))
    # The message lacks the bad chunk's text, and strict says so although [DONE] came.
    exc = incomplete(read(mode, Request(base_url + "/bad"), on_invalid="yield", assemble=True))
    assert exc.end is StreamEnd.DONE
    assert content(exc.completion) == "Hello can I help you today?"  # no "!" sent, no " How"
    assert len(exc.reasons) == 1


def test_invalid_utf8_is_an_invalid_payload(base_url: str, mode: str) -> None:
    # The SSE decoder replaces the byte by U+FFFD, as the specification asks; the chunk
    # layer must not pass that text off as what the server meant.
    out = read(mode, Request(base_url + "/latin-1"), on_invalid="yield")
    bad = out.items[1]
    assert isinstance(bad, InvalidPayload)
    assert bad.position == 2
    assert '"content":"H\ufffdllo"' in bad.data
    assert (out.end, len(out.items)) == (StreamEnd.DONE, len(_EVENTS) - 1)
    raised = read(mode, Request(base_url + "/latin-1")).raised
    assert isinstance(raised, ValidationError)
    assert "SSE event 2" in str(raised)


# --- Our own server: bodies that are not event streams --------------------------------------


@pytest.mark.parametrize(
    ("path", "message", "error"),
    [
        ("/error/litellm-529", LITELLM_529["message"], LITELLM_529),
        ("/error/ollama-404", OLLAMA_404, OLLAMA_404),
        ("/error/nginx-502", "502 Bad Gateway", None),
        ("/error/envoy-503", "upstream connect error", None),
    ],
)
def test_error_body_is_not_an_event_stream(
    base_url: str, mode: str, path: str, message: str, error: Any
) -> None:
    # Read without raise_for_status, as a caller who forgot it: the library must not
    # take the error page for an empty stream, and must say what the server said.
    out = read(mode, Request(base_url + path))
    assert out.status == int(path[-3:])
    exc = out.raised
    assert isinstance(exc, NotAnEventStreamError)
    assert isinstance(exc, SSEError)
    assert exc.error == error
    if error is not None:
        assert exc.message == message
    assert message in str(exc)
    body = ROUTES[path].body
    assert exc.body
    assert body.startswith(exc.body)
    assert (out.items, out.end) == ([], StreamEnd.FAILED)


@pytest.mark.parametrize("path", ["/empty/chunked", "/empty/length", "/empty/comments"])
def test_body_without_an_event_is_an_empty_stream(base_url: str, mode: str, path: str) -> None:
    out = read(mode, Request(base_url + path))
    assert out.status == 200
    assert isinstance(out.raised, EmptyStreamError)
    assert not isinstance(out.raised, NotAnEventStreamError)
    assert (out.items, out.end) == ([], StreamEnd.FAILED)


# --- llmock -----------------------------------------------------------------------------------
# Its faults are queued with POST /_llmock/scenario; each one is taken by the next matching
# request ("times" of them). "after_chunks": n means the first n events go out whole, and
# the fault hits the next one: with the reply below, event 1 is the role, events 2 to 5
# the words, 6 the finish reason, 7 [DONE].

WORDS = "one two three four"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}


class Chaos:
    """One running llmock, reset before each test."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.chat = Request(f"{root}/v1/chat/completions", CHAT)

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        with client() as http:
            response = http.request(method, f"{self.root}/_llmock/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._control("POST", "reset")

    def script(self, *behaviors: Dict[str, Any]) -> None:
        self._control("POST", "scenario", {"behaviors": list(behaviors)})

    def reply(self, times: int = 1, *faults: Dict[str, Any]) -> None:
        """The next ``times`` requests answer `WORDS`, with the faults given."""
        self.script({"type": "reply", "text": WORDS, "times": times}, *faults)

    def fault(self, kind: str, after: int, times: int = 1, **fields: Any) -> None:
        fault = {"type": "stream_fault", "kind": kind, "after_chunks": after, "times": times}
        self.reply(times, {**fault, **fields})

    def faults(self) -> List[Optional[str]]:
        """The fault llmock says it applied to each request so far."""
        return [r["fault"] for r in self._control("GET", "requests")["requests"]]


@pytest.fixture(scope="module")
def llmock_root() -> Iterator[str]:
    if sys.version_info < (3, 10):
        pytest.importorskip("llmock", reason="llmock needs Python 3.10 or newer")
    # From 3.10 on it is in the test extra: missing, these tests fail rather than skip.
    import llmock  # noqa: F401

    with llmock_serving() as root:
        yield root


@pytest.fixture
def chaos(llmock_root: str) -> Chaos:
    mock = Chaos(llmock_root)
    mock.reset()  # nothing a failed test queued may reach the next one
    return mock


def words(items: List[Any]) -> List[Optional[str]]:
    """The text of each chunk: "" for the role's, None for the finish reason's (no text)."""
    texts = [item.choices[0].delta.content for item in items]
    return [text if isinstance(text, str) else None for text in texts]


def test_llmock_whole_stream(chaos: Chaos, mode: str) -> None:
    # Without a fault, a stream from a server we did not write ends as it should.
    chaos.reply(times=2)
    out = read(mode, chaos.chat)
    assert (out.end, out.done) == (StreamEnd.DONE, True)
    assert words(out.items) == ["", "one ", "two ", "three ", "four", None]
    completion = read(mode, chaos.chat, assemble=True).completion
    assert completion is not None
    assert content(completion) == WORDS
    assert completion.choices[0].finish_reason == "stop"
    assert chaos.faults() == [None, None]


@pytest.mark.parametrize("after", [0, 2])
def test_llmock_disconnect(chaos: Chaos, mode: str, after: int) -> None:
    # llmock closes the connection between two events, without the last chunk of the
    # chunked body: httpx raises, and that error is what the caller gets.
    chaos.fault("disconnect", after, times=2)
    out = read(mode, chaos.chat)
    assert isinstance(out.raised, httpx.RemoteProtocolError)
    assert (out.end, len(out.items)) == (StreamEnd.FAILED, after)
    assembled = read(mode, chaos.chat, assemble=True)
    assert isinstance(assembled.raised, httpx.RemoteProtocolError)
    assert chaos.faults() == [f"stream:disconnect@{after}"] * 2


def test_llmock_truncate(chaos: Chaos, mode: str) -> None:
    # llmock's "truncate" ends the chunked body cleanly between two events, "the nasty
    # one: many clients accept it as a full answer". Here: EOF, and strict refuses it.
    chaos.fault("truncate", 3, times=2)
    out = read(mode, chaos.chat)
    assert out.raised is None
    assert (out.end, out.done) == (StreamEnd.EOF, False)
    assert words(out.items) == ["", "one ", "two "]
    exc = incomplete(read(mode, chaos.chat, assemble=True))
    assert exc.end is StreamEnd.EOF
    assert content(exc.completion) == "one two "
    assert exc.completion.choices[0].finish_reason is None
    assert chaos.faults() == ["stream:truncate@3"] * 2


def test_llmock_truncate_before_any_event(chaos: Chaos, mode: str) -> None:
    # A 200 text/event-stream response whose body is empty.
    chaos.fault("truncate", 0)
    out = read(mode, chaos.chat)
    assert out.status == 200
    assert isinstance(out.raised, EmptyStreamError)
    assert out.end is StreamEnd.FAILED


def test_llmock_malformed(chaos: Chaos, mode: str) -> None:
    # llmock's "malformed" sends the first half of an event's JSON as the whole event,
    # framing kept, and goes on with the stream.
    chaos.fault("malformed", 2, times=3)
    out = read(mode, chaos.chat)
    assert words(out.items) == ["", "one "]
    assert isinstance(out.raised, ValidationError)
    assert "(SSE event 3, at byte " in str(out.raised)
    assert [e["type"] for e in out.raised.errors()] == ["json_invalid"]
    assert out.end is StreamEnd.FAILED

    out = read(mode, chaos.chat, on_invalid="yield")
    assert (out.end, out.done) == (StreamEnd.DONE, True)
    bad = out.items[2]
    assert isinstance(bad, InvalidPayload)
    assert bad.position == 3
    assert bad.data.startswith('{"id":"chatcmpl-')
    assert "SSE event 3" in bad.error.title
    assert words(out.items[:2] + out.items[3:]) == ["", "one ", "three ", "four", None]

    exc = incomplete(read(mode, chaos.chat, on_invalid="yield", assemble=True))
    assert exc.end is StreamEnd.DONE
    assert content(exc.completion) == "one three four"
    assert chaos.faults() == ["stream:malformed@2"] * 3


def test_llmock_malformed_done(chaos: Chaos, mode: str) -> None:
    # The fault can hit the terminator too: "data: [DO" is no [DONE], and an invalid
    # payload; the stream then ends without one, although every choice finished.
    chaos.fault("malformed", 6)
    out = read(mode, chaos.chat, on_invalid="yield")
    assert words(out.items[:6]) == ["", "one ", "two ", "three ", "four", None]
    bad = out.items[6]
    assert isinstance(bad, InvalidPayload)
    assert (bad.position, bad.data) == (7, "[DO")
    assert (out.end, out.done, len(out.items)) == (StreamEnd.EOF, False, 7)


@pytest.mark.parametrize(
    ("status", "scripted", "message", "code"),
    [
        (429, None, "Rate limit exceeded.", "rate_limit_exceeded"),
        (500, None, "Internal server error.", "internal_error"),
        (503, None, "Service unavailable.", "service_unavailable"),
        (529, None, "Service overloaded.", "overloaded"),
        (529, "Overloaded, retry in 30 s", "Overloaded, retry in 30 s", "overloaded"),
    ],
)
def test_llmock_error_status(
    chaos: Chaos, mode: str, status: int, scripted: Optional[str], message: str, code: str
) -> None:
    # llmock answers with its OpenAI-shaped JSON error and the status, in place of a stream;
    # the message is its own for the status, or the one the script gave.
    given = {} if scripted is None else {"message": scripted}
    chaos.script({"type": "fail", "status": status, **given})
    out = read(mode, chaos.chat)
    assert out.status == status
    exc = out.raised
    assert isinstance(exc, NotAnEventStreamError)
    assert exc.message == message
    assert exc.error["code"] == code
    assert message in str(exc)
    assert out.end is StreamEnd.FAILED
    assert chaos.faults() == [f"scenario:{status}"]


def test_llmock_stall_past_the_read_timeout(chaos: Chaos, mode: str) -> None:
    # llmock stops sending after two events; the client's read timeout ends the wait,
    # and the stream failed, it did not end.
    chaos.fault("stall", 2, stall_seconds=2.0)
    out = read(mode, chaos.chat._replace(timeout=httpx.Timeout(TIMEOUT, read=0.3)))
    assert isinstance(out.raised, httpx.ReadTimeout)
    assert (out.end, len(out.items)) == (StreamEnd.FAILED, 2)


def test_llmock_stall_within_the_read_timeout(chaos: Chaos, mode: str) -> None:
    # A pause shorter than the read timeout is no fault at all.
    chaos.fault("stall", 2, stall_seconds=0.3)
    out = read(mode, chaos.chat, assemble=True)
    assert out.raised is None
    assert out.completion is not None
    assert content(out.completion) == WORDS
    assert out.end is StreamEnd.DONE
