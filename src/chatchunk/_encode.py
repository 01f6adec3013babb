"""Write chunks, in-band errors and whole streams as Server-Sent Events.

`encode_chunk` frames one chunk as ``data: <compact JSON>\\n\\n``, the JSON exactly as
`dump_chunk` writes it (pydantic-core's serializer, called directly). Compact JSON holds
no raw line break (a line end inside a string is escaped), so one ``data:`` line always
carries it; `dump_chunk` with ``indent=`` would not.

`encode_error` writes an error the way OpenAI sends one inside a stream,
``data: {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}``: chatchunk's
reader yields it as a `StreamErrorEvent` and the ``openai`` client raises ``APIError``
with its message. No ``event:`` line is written: every version of that client looks for
a truthy ``error`` in the payload of an event without a name, while an event named
otherwise (``error`` aside) would reach 1.x and 2.x as a chunk.

`encode_stream` and `aencode_stream` write a whole stream from chunks and error events,
and end it with ``data: [DONE]`` only when the source ended as it should.
"""

import asyncio
import builtins
import json
from typing import (
    Any,
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Dict,
    Generator,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
)

from typing_extensions import Literal

from ._chunk import ChatCompletionChunk
from ._events import StreamEnd, StreamError, StreamErrorEvent
from ._sse_encode import DONE_FRAME, encode_comment
from ._sse_stream import NotAnEventStreamError
from ._stream import _Ends  # pyright: ignore[reportPrivateUsage]

__all__ = ["aencode_stream", "encode_chunk", "encode_error", "encode_stream"]

OnCut = Literal["end", "error"]
"""What a stream encoder writes after a source that did not end as it should: nothing
more (``"end"``), or an error event saying how it ended (``"error"``)."""

EncodableItem = Union[ChatCompletionChunk, StreamErrorEvent]
"""What the stream encoders take: chunks, and errors to send in-band."""

Transform = Callable[[ChatCompletionChunk], Optional[ChatCompletionChunk]]
"""What a relay applies to each chunk: returns the chunk to write (the same one changed,
or another), or None to drop it."""

_Chunk = ChatCompletionChunk
_to_json = ChatCompletionChunk.__pydantic_serializer__.to_json
_END_MESSAGES = {
    StreamEnd.EOF: "the upstream stream ended without data: [DONE]",
    StreamEnd.TRUNCATED: "the upstream stream was cut off inside an event",
    StreamEnd.FAILED: "the upstream stream failed before data: [DONE]",
}


def encode_chunk(chunk: ChatCompletionChunk) -> bytes:
    """The SSE frame of one chunk: ``b"data: " + <compact JSON> + b"\\n\\n"``.

    The JSON is `dump_chunk`'s, byte for byte. Raises `TypeError` for anything but a
    `ChatCompletionChunk`.
    """
    if type(chunk) is not _Chunk and not isinstance(chunk, _Chunk):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"chunk must be a ChatCompletionChunk, got {type(chunk).__name__}")
    return b"data: " + _to_json(chunk) + b"\n\n"


def _optional(value: object, name: str, types: Tuple[type, ...], expected: str) -> None:
    if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
        raise TypeError(f"{name} must be {expected} or None, got {type(value).__name__}")


def _error_object(
    error: Union[StreamErrorEvent, str, Mapping[str, Any]],
    type: Optional[str],
    code: Union[str, int, None],
    param: Optional[str],
) -> Dict[str, Any]:
    _optional(type, "type", (str,), "a str")
    _optional(code, "code", (str, int), "a str or an int")
    _optional(param, "param", (str,), "a str")
    if isinstance(error, str):
        return {"message": error, "type": type, "param": param, "code": code}
    obj: Dict[str, Any]
    if isinstance(error, StreamErrorEvent):
        found: object = error.error
        if isinstance(found, Mapping) and found:
            obj = dict(cast(Mapping[str, Any], found))
        else:
            obj = {"message": error.message, "type": None, "param": None, "code": None}
    elif isinstance(error, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        if not error:
            raise ValueError("error must not be an empty mapping: readers would not see it")
        obj = dict(error)
    else:
        raise TypeError(
            "error must be a StreamErrorEvent, a str or a mapping, "
            f"got {builtins.type(error).__name__}"
        )
    for key, value in (("type", type), ("param", param), ("code", code)):
        if value is not None:
            obj[key] = value
    return obj


def encode_error(
    error: Union[StreamErrorEvent, str, Mapping[str, Any]],
    *,
    type: Optional[str] = None,
    code: Union[str, int, None] = None,
    param: Optional[str] = None,
) -> bytes:
    """The SSE frame of an error sent inside a stream: ``data: {"error": {...}}``.

    ``error`` is the message (a str; the object then has OpenAI's four keys,
    ``message``, ``type``, ``param`` and ``code``, null when not given), the error
    object itself (a mapping, written as it is), or a `StreamErrorEvent` read from
    another stream (its ``error`` object is written again; an error that was no
    object becomes one with its message). ``type``, ``code`` and ``param``, when
    given, set those keys. Readers see it as an error: `iter_events` yields a
    `StreamErrorEvent` with the message, the ``openai`` client raises ``APIError``.

    Raises `TypeError` for arguments of the wrong type and `ValueError` for an empty
    mapping, a value that is not JSON (NaN, infinity) or text that UTF-8 cannot hold.
    """
    obj = _error_object(error, type, code, param)
    try:
        text = json.dumps(
            {"error": obj}, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
        return b"data: " + text.encode() + b"\n\n"
    except TypeError as exc:
        raise TypeError(f"error holds a value that is not JSON: {exc}") from None
    except ValueError as exc:  # NaN or infinity; a lone surrogate (UnicodeEncodeError)
        raise ValueError(f"error cannot be written as JSON text: {exc}") from None


# --- Whole streams -------------------------------------------------------------------------


def _check_on_cut(on_cut: object) -> None:
    if on_cut != "end" and on_cut != "error":
        raise ValueError(f"on_cut must be 'end' or 'error', got {on_cut!r}")


def _cut_frame(end: Optional[StreamEnd]) -> bytes:
    """The error frame that says how a source ended without ``[DONE]``."""
    if end is None:  # the source's iterator stopped early, closed by someone else
        code, message = "stopped", "the upstream stream stopped before data: [DONE]"
    else:
        code, message = end.value, _END_MESSAGES[end]
    return encode_error(message, type="incomplete_stream", code=code)


def _failure_frame(exc: Exception) -> bytes:
    if isinstance(exc, StreamError):
        return encode_error(exc.event)
    return _cut_frame(StreamEnd.FAILED)


def _last_frames(stream: Optional[_Ends], on_cut: OnCut) -> Iterator[bytes]:
    """What follows the items of a source that did not raise."""
    end = StreamEnd.DONE if stream is None else stream.end
    if end is StreamEnd.DONE:
        yield DONE_FRAME
    elif on_cut == "error" and end is not StreamEnd.ERROR:
        # After ERROR the upstream's own error event was written already.
        yield _cut_frame(end)


def _not_an_item(item: object) -> TypeError:
    return TypeError(
        "items must yield ChatCompletionChunk or StreamErrorEvent objects, "
        f"got {type(item).__name__}"
    )


def _transformed(transform: Transform, chunk: ChatCompletionChunk) -> Optional[ChatCompletionChunk]:
    out = transform(chunk)
    if out is None or type(out) is _Chunk or isinstance(out, _Chunk):  # pyright: ignore[reportUnnecessaryIsInstance]
        return out
    raise TypeError(
        f"transform must return a ChatCompletionChunk or None, got {type(out).__name__}"
    )


def _repeats(error: StreamErrorEvent, previous: object) -> bool:
    """Whether ``error`` is the one the chunk just written carried (OpenRouter's last
    chunk holds both), so that writing it again would report it twice."""
    if not isinstance(previous, _Chunk):
        return False
    extra = previous.__pydantic_extra__
    return bool(extra) and extra.get("error") is not None and extra.get("error") == error.error


def _frame(item: object, transform: Optional[Transform], last: List[object]) -> Optional[bytes]:
    """The frame of one item, or None when there is nothing to write.

    ``last[0]`` is the item written before, which the call updates.
    """
    if type(item) is _Chunk or isinstance(item, _Chunk):
        if transform is not None:
            item = _transformed(transform, item)
            if item is None:
                return None
        last[0] = item
        return b"data: " + _to_json(item) + b"\n\n"
    if isinstance(item, StreamErrorEvent):
        repeated = _repeats(item, last[0])
        last[0] = item
        return None if repeated else encode_error(item)
    raise _not_an_item(item)


def _frames(
    items: Iterator[Any], stream: Optional[_Ends], on_cut: OnCut, transform: Optional[Transform]
) -> Generator[bytes, None, None]:
    last: List[object] = [None]
    try:
        for item in items:
            frame = _frame(item, transform, last)
            if frame is not None:
                yield frame
    except NotAnEventStreamError:
        raise  # before any event: the caller answers with an HTTP error instead
    except Exception as exc:
        if on_cut == "error":
            yield _failure_frame(exc)
        raise
    yield from _last_frames(stream, on_cut)


def frames(
    items: Iterable[EncodableItem], on_cut: OnCut, transform: Optional[Transform]
) -> Generator[bytes, None, None]:
    """`encode_stream` with a ``transform`` applied to each chunk (the relay's loop)."""
    _check_on_cut(on_cut)
    stream = items if isinstance(items, _Ends) else None
    try:
        iterator = iter(items)
    except TypeError:
        raise TypeError(f"items must be iterable, got {type(items).__name__}") from None
    return _frames(iterator, stream, on_cut, transform)


def encode_stream(
    items: Iterable[EncodableItem], *, on_cut: OnCut = "end"
) -> Generator[bytes, None, None]:
    """The SSE frames of a whole stream: chunks and in-band errors, then ``[DONE]``.

    Each chunk becomes an `encode_chunk` frame, each `StreamErrorEvent` an
    `encode_error` frame. ``data: [DONE]`` ends the stream only when the source ended
    as it should: a `ChunkStream` (from `iter_events` or `iter_chunks`) when its
    `end` is `StreamEnd.DONE`; any other iterable (a server making chunks) when it is
    exhausted without raising. After any other end no ``[DONE]`` is written, and with
    ``on_cut="error"`` an error frame says how the source ended (``type``
    ``"incomplete_stream"``, ``code`` the `StreamEnd` value), except after `ERROR`,
    whose own error frame was written already.

    When the source raises, the exception propagates after that error frame (with
    ``on_cut="error"``). A web server then aborts the response, so the client sees a
    stream cut off; `NotAnEventStreamError` propagates at once, with no frame.
    """
    return frames(items, on_cut, None)


# --- The async form ------------------------------------------------------------------------


def _check_keepalive(keepalive: object, keepalive_text: object) -> None:
    if keepalive is not None:
        if not isinstance(keepalive, (int, float)) or isinstance(keepalive, bool):
            raise TypeError(f"keepalive must be a number of seconds or None, got {keepalive!r}")
        if not keepalive > 0:  # also NaN
            raise ValueError(f"keepalive must be positive, got {keepalive!r}")
    if not isinstance(keepalive_text, str):
        raise TypeError(f"keepalive_text must be a str, got {type(keepalive_text).__name__}")


async def _next_items(
    items: AsyncIterator[Any], keepalive: Optional[float], comment: bytes
) -> AsyncGenerator[Any, None]:
    """The source's items, and ``comment`` whenever it was silent for ``keepalive`` s.

    The source's ``__anext__`` runs in a task that a timeout never cancels, so an
    item that arrives late is the next one yielded, and nothing is lost.
    """
    if keepalive is None:
        async for item in items:
            yield item
        return
    pending: Optional[asyncio.Future[Any]] = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(items.__anext__())
            done, _ = await asyncio.wait((pending,), timeout=keepalive)
            if not done:
                yield comment
                continue
            finished, pending = pending, None
            try:
                item = finished.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:  # closed early, or cancelled: stop the source's step
            pending.cancel()
            await asyncio.wait((pending,))


async def _aframes(
    items: AsyncIterator[Any],
    stream: Optional[_Ends],
    on_cut: OnCut,
    transform: Optional[Transform],
    keepalive: Optional[float],
    comment: bytes,
) -> AsyncGenerator[bytes, None]:
    last: List[object] = [None]
    steps = _next_items(items, keepalive, comment)
    try:
        async for item in steps:
            if item is comment:  # the source was silent for `keepalive` seconds
                yield comment
                continue
            frame = _frame(item, transform, last)
            if frame is not None:
                yield frame
    except NotAnEventStreamError:
        raise
    except Exception as exc:
        if on_cut == "error":
            yield _failure_frame(exc)
        raise
    finally:
        await steps.aclose()
    for frame in _last_frames(stream, on_cut):
        yield frame


def aframes(
    items: AsyncIterable[EncodableItem],
    on_cut: OnCut,
    transform: Optional[Transform],
    keepalive: Optional[float],
    keepalive_text: str,
) -> AsyncGenerator[bytes, None]:
    """`aencode_stream` with a ``transform`` applied to each chunk (the relay's loop)."""
    _check_on_cut(on_cut)
    _check_keepalive(keepalive, keepalive_text)
    stream = items if isinstance(items, _Ends) else None
    try:
        iterator = items.__aiter__()
    except AttributeError:
        raise TypeError(f"items must be async iterable, got {type(items).__name__}") from None
    comment = encode_comment(keepalive_text)
    return _aframes(iterator, stream, on_cut, transform, keepalive, comment)


def aencode_stream(
    items: AsyncIterable[EncodableItem],
    *,
    on_cut: OnCut = "end",
    keepalive: Optional[float] = None,
    keepalive_text: str = "keep-alive",
) -> AsyncGenerator[bytes, None]:
    """The async form of `encode_stream`, with keep-alive comments.

    With ``keepalive`` (seconds), ``encode_comment(keepalive_text)`` is written each
    time the source has been silent that long, so that proxies and clients with an
    idle timeout keep the connection. The wait never cancels the source's pending
    ``__anext__``: it runs in an asyncio task, one per item, and its item is the next
    one written. (A source that holds an anyio cancel scope across its ``yield``
    cannot run in a task per item; it works without ``keepalive``.)
    """
    return aframes(items, on_cut, None, keepalive, keepalive_text)
