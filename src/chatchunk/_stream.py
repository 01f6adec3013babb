"""Chunks from a Server-Sent-Events byte stream, sync and async, and how the stream ended.

`iter_events` and `iter_chunks` run `SSEDecoder` over any iterable of bytes
(``httpx.Response.iter_bytes()``, a file, a socket reader) and validate each event's
data as a chunk on pydantic-core's compiled path; in-band errors become
`StreamErrorEvent` items (or a `StreamError`, for `iter_chunks`). They return a
`ChunkStream`: iterate it, then read its `end`.

The stream's state costs nothing per event: iterating a `ChunkStream` iterates the
generator inside it, which writes the end state once, when it stops.
"""

import json
from itertools import chain
from typing import (
    Any,
    AsyncIterable,
    AsyncIterator,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Optional,
    TypeVar,
    Union,
    cast,
    overload,
)

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from typing_extensions import Literal

from ._chunk import ChatCompletionChunk
from ._events import InvalidPayload, StreamEnd, StreamError, StreamErrorEvent, StreamItem
from ._sse import DEFAULT_MAX_EVENT_SIZE, ServerSentEvent, SSEDecoder
from ._sse_stream import aclose_source, aopen_stream, finish, open_stream, until_done

__all__ = [
    "AsyncChunkStream",
    "ChunkStream",
    "aiter_chunks",
    "aiter_events",
    "iter_chunks",
    "iter_events",
    "parse_event",
]

T = TypeVar("T")
OnInvalid = Literal["raise", "yield"]

_validate_chunk = ChatCompletionChunk.__pydantic_validator__.validate_json


class _State:
    """What the stream's generator writes and the `ChunkStream` shows."""

    __slots__ = ("done", "end", "errors")

    def __init__(self) -> None:
        self.end: Optional[StreamEnd] = None
        self.done = False
        self.errors: List[StreamErrorEvent] = []


class _Ends:
    """The end state of a stream, common to the sync and the async form."""

    __slots__ = ("_state",)

    def __init__(self, state: _State) -> None:
        self._state = state

    @property
    def end(self) -> Optional[StreamEnd]:
        """How the stream ended; None while it is being read, or when the reader stopped early."""
        return self._state.end

    @property
    def done(self) -> bool:
        """Whether ``data: [DONE]`` arrived."""
        return self._state.done

    @property
    def errors(self) -> List[StreamErrorEvent]:
        """The in-band errors the server sent, so far."""
        return list(self._state.errors)

    @property
    def complete(self) -> bool:
        """Whether the stream ended with ``data: [DONE]`` and no in-band error."""
        return self._state.end is StreamEnd.DONE


class ChunkStream(_Ends, Iterator[T], Generic[T]):
    """The items of one stream, then how it ended: iterate it, then read `end`.

    Returned by `iter_events` and `iter_chunks`. `close` stops reading early; the
    `end` then stays None.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterator[T], state: _State) -> None:
        super().__init__(state)
        self._items = items

    def __iter__(self) -> Iterator[T]:
        return self._items  # the generator itself: no Python call per item

    def __next__(self) -> T:
        return next(self._items)

    def close(self) -> None:
        """Stop reading the source."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


class AsyncChunkStream(_Ends, AsyncIterator[T], Generic[T]):
    """The async form of `ChunkStream`, returned by `aiter_events` and `aiter_chunks`."""

    __slots__ = ("_items",)

    def __init__(self, items: AsyncIterator[T], state: _State) -> None:
        super().__init__(state)
        self._items = items

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items

    async def __anext__(self) -> T:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        """Stop reading the source, and close it (its `aclose`) before returning."""
        aclose = getattr(self._items, "aclose", None)
        if aclose is not None:
            await aclose()


# --- One event -----------------------------------------------------------------------------


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


def _not_utf8(event: ServerSentEvent) -> ValidationError:
    # The decoder replaced invalid bytes by U+FFFD, as the SSE specification asks;
    # `parse_chunk` rejects the same bytes as invalid JSON, and so does this.
    at = event.data.find("\ufffd")
    error: InitErrorDetails = {
        "type": PydanticCustomError(
            "json_invalid",
            "Invalid JSON: invalid UTF-8 in the event's data (replaced at character {at})",
            {"at": at},
        ),
        "loc": (),
        "input": event.data,
    }
    title = f"{ChatCompletionChunk.__name__} (SSE event {event.position}, at byte {event.offset})"
    return ValidationError.from_exception_data(title, [error])


def parse_event(
    event: ServerSentEvent, *, on_invalid: OnInvalid = "raise", lossy: bool = False
) -> List[Union[StreamItem, InvalidPayload]]:
    """What one SSE event carries: a chunk, an error event, or both (OpenRouter).

    A payload that is neither raises `pydantic.ValidationError` naming the event's
    place, or, with ``on_invalid="yield"``, comes back as an `InvalidPayload`.
    ``lossy`` says the decoder replaced invalid UTF-8 in the data (`SSEDecoder.lossy`):
    such a payload is invalid, as the same bytes are for `parse_chunk`.
    """
    try:
        # An error event stays one, whatever bytes its message held.
        if lossy and event.event != "error":
            raise _not_utf8(event)
        return _valid_items(event)
    except ValidationError as exc:
        if on_invalid == "raise":
            raise
        return [InvalidPayload(exc, event.data, event.position, event.offset, event.event)]


def _valid_items(event: ServerSentEvent) -> List[Union[StreamItem, InvalidPayload]]:
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


def _batch(
    decoder: SSEDecoder, events: List[ServerSentEvent], on_invalid: OnInvalid, state: _State
) -> Iterator[Union[StreamItem, InvalidPayload]]:
    """The items of the events one piece completed, by the general rules, one at a time."""
    if decoder.done:
        events = until_done(events)
    lossy = set(decoder.lossy)
    decoder.lossy.clear()
    for event in events:
        for item in parse_event(event, on_invalid=on_invalid, lossy=event.position in lossy):
            if isinstance(item, StreamErrorEvent):
                state.errors.append(item)
            yield item


def _end(decoder: SSEDecoder, state: _State) -> None:
    truncated = False if decoder.done else finish(decoder)
    state.done = decoder.done
    if state.errors:
        state.end = StreamEnd.ERROR
    elif decoder.done:
        state.end = StreamEnd.DONE
    elif truncated:
        state.end = StreamEnd.TRUNCATED
    else:
        state.end = StreamEnd.EOF


# --- The iterators -------------------------------------------------------------------------


def _items(
    source: Iterable[bytes],
    max_event_size: int,
    on_invalid: OnInvalid,
    chunks_only: bool,
    state: _State,
) -> Iterator[Any]:
    decoder = SSEDecoder(max_event_size)
    feed = decoder.feed
    lossy = decoder.lossy
    pieces = iter(source)
    try:
        for piece in chain((open_stream(pieces),), pieces):
            events = feed(piece)
            if lossy or decoder.done:
                for item in _batch(decoder, events, on_invalid, state):
                    if chunks_only and isinstance(item, StreamErrorEvent):
                        state.end = StreamEnd.ERROR
                        raise StreamError(item)
                    yield item
                if decoder.done:
                    break
                continue
            for event in events:
                # The common case inline, a chunk and nothing else; anything unusual
                # (an error, a payload that is not a chunk) takes `parse_event`.
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
                for item in parse_event(event, on_invalid=on_invalid):
                    if isinstance(item, StreamErrorEvent):
                        state.errors.append(item)
                        if chunks_only:
                            state.end = StreamEnd.ERROR
                            raise StreamError(item)
                    yield item
        _end(decoder, state)
    except GeneratorExit:
        raise
    except BaseException:
        if state.end is None:
            state.end = StreamEnd.FAILED
        raise


async def _aitems(
    source: AsyncIterable[bytes],
    max_event_size: int,
    on_invalid: OnInvalid,
    chunks_only: bool,
    state: _State,
) -> AsyncIterator[Any]:
    decoder = SSEDecoder(max_event_size)
    pieces = source.__aiter__()
    try:
        piece = await aopen_stream(pieces)
        while True:
            for item in _batch(decoder, decoder.feed(piece), on_invalid, state):
                if chunks_only and isinstance(item, StreamErrorEvent):
                    state.end = StreamEnd.ERROR
                    raise StreamError(item)
                yield item
            if decoder.done:
                break
            try:
                piece = await pieces.__anext__()
            except StopAsyncIteration:
                break
        _end(decoder, state)
    except GeneratorExit:
        raise
    except BaseException:
        if state.end is None:
            state.end = StreamEnd.FAILED
        raise
    finally:
        await aclose_source(pieces)


@overload
def iter_events(
    source: Iterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: Literal["raise"] = "raise",
) -> ChunkStream[StreamItem]: ...
@overload
def iter_events(
    source: Iterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: Literal["yield"],
) -> ChunkStream[Union[StreamItem, InvalidPayload]]: ...
def iter_events(
    source: Iterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: OnInvalid = "raise",
) -> ChunkStream[Any]:
    """Decode an SSE byte stream into chunks and in-band error events.

    Stops at ``data: [DONE]`` or when the source ends; the returned `ChunkStream`
    then says how it ended. A payload that is neither a chunk nor an error raises
    `pydantic.ValidationError` naming the event's position, or, with
    ``on_invalid="yield"``, is yielded as an `InvalidPayload` and reading goes on.
    A body that is no event stream raises `NotAnEventStreamError`, one without any
    event `EmptyStreamError`, an event over ``max_event_size`` bytes `SSEError`.
    """
    state = _State()
    return ChunkStream(_items(source, max_event_size, on_invalid, False, state), state)


@overload
def aiter_events(
    source: AsyncIterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: Literal["raise"] = "raise",
) -> AsyncChunkStream[StreamItem]: ...
@overload
def aiter_events(
    source: AsyncIterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: Literal["yield"],
) -> AsyncChunkStream[Union[StreamItem, InvalidPayload]]: ...
def aiter_events(
    source: AsyncIterable[bytes],
    *,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    on_invalid: OnInvalid = "raise",
) -> AsyncChunkStream[Any]:
    """The async form of `iter_events`, for ``httpx.AsyncClient`` and friends."""
    state = _State()
    return AsyncChunkStream(_aitems(source, max_event_size, on_invalid, False, state), state)


def iter_chunks(
    source: Iterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> ChunkStream[ChatCompletionChunk]:
    """Decode an SSE byte stream into chunks; raise `StreamError` at an in-band error.

    Otherwise as `iter_events`; the returned `ChunkStream` says how the stream ended.
    """
    state = _State()
    return ChunkStream(_items(source, max_event_size, "raise", True, state), state)


def aiter_chunks(
    source: AsyncIterable[bytes], *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE
) -> AsyncChunkStream[ChatCompletionChunk]:
    """The async form of `iter_chunks`."""
    state = _State()
    return AsyncChunkStream(_aitems(source, max_event_size, "raise", True, state), state)
