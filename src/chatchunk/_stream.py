"""Chunks from a Server-Sent-Events byte stream, sync and async.

These are thin loops over `iter_sse`: each event's data is validated as a
chunk on pydantic-core's compiled path, and in-band errors become
`StreamErrorEvent` items (or a `StreamError`, for `iter_chunks`). They take
any iterable of bytes (``httpx.Response.iter_bytes()``, a file, a socket
reader) and open nothing themselves.
"""

import json
from typing import (
    Any,
    AsyncIterable,
    AsyncIterator,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    cast,
)

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from ._chunk import ChatCompletionChunk
from ._events import StreamError, StreamErrorEvent, StreamItem
from ._sse import (
    DEFAULT_MAX_EVENT_SIZE,
    ServerSentEvent,
    aiter_sse,
    iter_sse,
)

__all__ = ["aiter_chunks", "aiter_events", "iter_chunks", "iter_events"]


_validate_chunk = ChatCompletionChunk.__pydantic_validator__.validate_json


def _decode(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        # RecursionError: Python's parser gives up on deep nesting that pydantic's
        # parser already rejected; keep the text.
        return data


def _error_event(event: ServerSentEvent) -> Optional[StreamErrorEvent]:
    """The error an event carries, or None when it is no error at all."""
    payload = _decode(event.data)
    error = cast(Dict[str, Any], payload).get("error") if isinstance(payload, dict) else None
    if error is not None:
        return StreamErrorEvent(error, payload, event.event, event.position)
    if event.event == "error":
        return StreamErrorEvent(payload, payload, event.event, event.position)
    return None


def _located(exc: ValidationError, event: ServerSentEvent) -> ValidationError:
    """The same validation error, with the event's place in the stream in its title."""
    line_errors: List[InitErrorDetails] = [
        {
            # The message is kept as it was written; custom errors keep the type name.
            "type": PydanticCustomError(
                error["type"],  # pyright: ignore[reportArgumentType]
                # Already formatted: its context is substituted again only where
                # the message itself holds "{name}" for a context key.
                error["msg"],  # pyright: ignore[reportArgumentType]
                error.get("ctx"),
            ),
            "loc": error["loc"],
            "input": error["input"],
        }
        for error in exc.errors()
    ]
    title = f"{exc.title} (SSE event {event.position}, at byte {event.offset})"
    return ValidationError.from_exception_data(title, line_errors)


def event_items(event: ServerSentEvent) -> List[StreamItem]:
    """What one SSE event carries: a chunk, an error event, or both (OpenRouter)."""
    if event.event == "error":
        found = _error_event(event)
        assert found is not None
        return [found]
    try:
        chunk = _validate_chunk(event.data)
    except ValidationError as exc:
        found = _error_event(event)
        if found is None:
            raise _located(exc, event) from None
        return [found]
    extra = chunk.__pydantic_extra__
    if extra and extra.get("error") is not None:
        # OpenRouter ends a failed stream with a chunk that also carries the error.
        payload = chunk.__pydantic_serializer__.to_python(chunk, mode="json")
        return [chunk, StreamErrorEvent(extra["error"], payload, event.event, event.position)]
    return [chunk]


def iter_events(
    source: Iterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> Iterator[StreamItem]:
    """Decode an SSE byte stream into chunks and in-band error events.

    Stops at ``data: [DONE]`` or when the source ends. A payload that is
    neither a chunk nor an error raises `pydantic.ValidationError` naming the
    event's position; an event over ``max_event_size`` bytes raises `SSEError`.
    """
    for event in iter_sse(source, max_event_size=max_event_size):
        # The common case inline, a chunk and nothing else; anything unusual
        # (an error, a payload that is not a chunk) takes `event_items`.
        if event.event != "error":
            try:
                chunk = _validate_chunk(event.data)
            except ValidationError:
                pass
            else:
                extra = chunk.__pydantic_extra__
                if not extra or extra.get("error") is None:
                    yield chunk
                    continue
        yield from event_items(event)


async def aiter_events(
    source: AsyncIterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> AsyncIterator[StreamItem]:
    """The async form of `iter_events`, for ``httpx.AsyncClient`` and friends."""
    async for event in aiter_sse(source, max_event_size=max_event_size):
        for item in event_items(event):
            yield item


def iter_chunks(
    source: Iterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> Iterator[ChatCompletionChunk]:
    """Decode an SSE byte stream into chunks; raise `StreamError` at an in-band error."""
    for item in iter_events(source, max_event_size=max_event_size):
        if isinstance(item, StreamErrorEvent):
            raise StreamError(item)
        yield item


async def aiter_chunks(
    source: AsyncIterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> AsyncIterator[ChatCompletionChunk]:
    """The async form of `iter_chunks`."""
    async for item in aiter_events(source, max_event_size=max_event_size):
        if isinstance(item, StreamErrorEvent):
            raise StreamError(item)
        yield item
