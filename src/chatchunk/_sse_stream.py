"""A byte stream as Server-Sent Events: check that it is one, stop at ``[DONE]``, end it.

A server that fails a request often answers with a JSON error or an HTML page instead
of an event stream, and the WHATWG algorithm reads such a body as a stream without
events. `open_stream` looks at the first bytes instead: the first line that is not
blank must be a comment or one of the four fields, or `NotAnEventStreamError` is
raised with the server's message. A stream that ends without any event raises
`EmptyStreamError`. Both cost nothing per event: only the start and the end are
looked at.
"""

import json
import re
from itertools import chain
from typing import Any, AsyncIterable, AsyncIterator, Dict, Iterable, Iterator, List, Optional, cast

from ._sse import DEFAULT_MAX_EVENT_SIZE, ServerSentEvent, SSEDecoder, SSEError

__all__ = ["EmptyStreamError", "NotAnEventStreamError", "aiter_sse", "iter_sse"]

_BOM = b"\xef\xbb\xbf"


class NotAnEventStreamError(SSEError):
    """The body is not a Server-Sent-Events stream: a JSON error, an HTML page, plain text.

    Servers answer a failed request this way (LiteLLM's proxy sends HTTP 529 with
    ``{"error": {...}}``); it is raised as soon as the first bytes show it, with the
    server's own message when the body has one.
    """

    def __init__(self, body: bytes) -> None:
        self.body = body
        """The start of the body, up to 64 KiB."""
        self.error: Any = None
        """The ``error`` value of a JSON body (or the whole JSON value), None otherwise."""
        self.message = _body_message(body, self)
        """The server's message, or the start of the body as text."""
        super().__init__(f"the response is not an event stream: {self.message}")


class EmptyStreamError(SSEError):
    """The stream ended without a single event: an empty body, or only comments."""


# --- The start of a body: an event stream, or something else -------------------------------

_FIELD_NAMES = (b"data", b"event", b"id", b"retry")
_BODY_KEPT = 64 * 1024  # how much of a body that is no event stream is read for its message
_BLANK = b" \t\r\n"


def _is_event_stream(head: bytes, final: bool) -> Optional[bool]:
    """Whether a body that begins with ``head`` is an event stream; None while undecided.

    Its first line that is not blank must be a comment or one of the four fields: any
    other line would be ignored by the specification's algorithm, which is how a JSON
    error or an HTML page reads as an empty stream.
    """
    if not final and len(head) < 3 and _BOM.startswith(head):
        return None
    if head.startswith(_BOM):
        head = head[3:]
    start = head.lstrip(_BLANK)
    if not start:
        return None if not final else True
    if start[0] == 58:  # ":", a comment
        return True
    for end, byte in enumerate(start[:6]):
        if byte in b":\r\n":
            return start[:end] in _FIELD_NAMES
    if final:
        return start in _FIELD_NAMES
    return None if len(start) < 6 else False  # no field name is longer than five bytes


def _json(text: str) -> object:
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list):
        items = cast(List[object], value)
        return items[0] if len(items) == 1 else items  # Gemini wraps its error in a list
    return value


def _body_message(body: bytes, error: NotAnEventStreamError) -> str:
    text = body.decode("utf-8", "replace").lstrip("\ufeff").strip()
    value = _json(text)
    if value is not None:
        found: object = value
        if isinstance(value, dict):
            fields = cast(Dict[str, object], value)
            found = fields.get("error", fields)
        error.error = found
        if isinstance(found, dict):
            details = cast(Dict[str, object], found)
            message = details.get("message") or details.get("detail")
            if isinstance(message, str):
                return message
        elif isinstance(found, str):
            return found
    if text.startswith("<"):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if title and title.group(1).strip():
            text = title.group(1)
    text = " ".join(text.split())
    return text[:200] + "..." if len(text) > 200 else text or "(an empty body)"


def _is_whole(head: bytes) -> bool:
    # A JSON error body is complete once it parses: no need to wait for the server to
    # close the connection before saying so. Only an object or an array: a body that
    # begins with a JSON scalar (`"upstream" timed out`) may go on, and must be read whole.
    try:
        value: object = json.loads(head)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, (dict, list))


def open_stream(pieces: Iterator[bytes]) -> bytes:
    """Read the first pieces until it is clear the body is an event stream; return them.

    Raises `NotAnEventStreamError` when it is not, after reading the body's message (up
    to `_BODY_KEPT` bytes, or until a JSON body is whole).
    """
    head = b""
    for piece in pieces:
        head += piece
        verdict = _is_event_stream(head, False)
        if verdict is None:
            continue
        if verdict:
            return head
        for more in pieces:
            if len(head) >= _BODY_KEPT or _is_whole(head):
                break
            head += more
        raise NotAnEventStreamError(head[:_BODY_KEPT])
    if not _is_event_stream(head, True):
        raise NotAnEventStreamError(head)
    return head


async def aopen_stream(pieces: AsyncIterator[bytes]) -> bytes:
    """The async form of `open_stream`."""
    head = b""
    async for piece in pieces:
        head += piece
        verdict = _is_event_stream(head, False)
        if verdict is None:
            continue
        if verdict:
            return head
        async for more in pieces:
            if len(head) >= _BODY_KEPT or _is_whole(head):
                break
            head += more
        raise NotAnEventStreamError(head[:_BODY_KEPT])
    if not _is_event_stream(head, True):
        raise NotAnEventStreamError(head)
    return head


def until_done(events: List[ServerSentEvent]) -> List[ServerSentEvent]:
    """The events of a piece before its ``[DONE]`` event."""
    for at, event in enumerate(events):
        if event.data == "[DONE]":
            return events[:at]
    return events


def finish(decoder: SSEDecoder) -> bool:
    """End a stream whose source is exhausted; return whether it was cut inside an event.

    Raises the decoder's pending `SSEError`, and `EmptyStreamError` when the stream held
    no event at all.
    """
    truncated = decoder.pending
    decoder.flush()
    if not truncated and decoder.count == 0:
        raise EmptyStreamError("the stream ended without any event")
    return truncated


def iter_sse(
    source: Iterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> Iterator[ServerSentEvent]:
    """Yield the events of a byte stream, stopping at ``data: [DONE]``.

    The ``[DONE]`` event is not yielded and ``source`` is not read past the piece holding it.
    Raises `NotAnEventStreamError` when the body is not an event stream (a JSON error, an
    HTML page), `EmptyStreamError` when it ends without any event, and `SSEError` when an
    event is larger than ``max_event_size`` bytes. An unfinished last event is dropped.
    """
    decoder = SSEDecoder(max_event_size)
    pieces = iter(source)
    for piece in chain((open_stream(pieces),), pieces):
        events = decoder.feed(piece)
        if decoder.done:
            yield from until_done(events)
            return
        yield from events
    finish(decoder)


async def aiter_sse(
    source: AsyncIterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> AsyncIterator[ServerSentEvent]:
    """Async version of `iter_sse`: yield the events of an async byte stream until ``[DONE]``.

    The source is closed (its `aclose`, when it has one) before this generator ends,
    however it ends: at ``[DONE]``, at an error, on `aclose` or cancellation.
    """
    decoder = SSEDecoder(max_event_size)
    pieces = source.__aiter__()
    try:
        head = await aopen_stream(pieces)
        for event in decoder.feed(head):
            if event.data == "[DONE]":
                return
            yield event
        async for piece in pieces:
            events = decoder.feed(piece)
            for event in until_done(events) if decoder.done else events:
                yield event
            if decoder.done:
                return
        finish(decoder)
    finally:
        await aclose_source(pieces)


async def aclose_source(pieces: AsyncIterator[bytes]) -> None:
    """Close an async byte source now, rather than when the garbage collector finds it.

    An async generator left unfinished is closed only some loop turns after it is
    collected; an HTTP response body would stay open until then.
    """
    aclose = getattr(pieces, "aclose", None)
    if aclose is not None:
        await aclose()
