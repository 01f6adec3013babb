"""Type-checker tests of the stream API: mypy --strict and pyright strict run over this file.

What users narrow: the items of a stream (with and without ``on_invalid="yield"``), its
end state, and the error that carries an incomplete stream's partial completion.
"""

from typing import AsyncIterable, Iterable, List, Optional, Union

from typing_extensions import assert_type

from chatchunk import (
    AsyncChunkStream,
    ChatCompletion,
    ChatCompletionChunk,
    ChunkAccumulator,
    ChunkStream,
    IncompleteStreamError,
    InvalidPayload,
    NotAnEventStreamError,
    StreamEnd,
    StreamErrorEvent,
    accumulate,
    aiter_chunks,
    aiter_events,
    iter_chunks,
    iter_events,
    parse_event,
)


def items_and_end(body: Iterable[bytes]) -> Optional[StreamEnd]:
    stream = iter_events(body)
    assert_type(stream, ChunkStream[Union[ChatCompletionChunk, StreamErrorEvent]])
    for item in stream:
        if isinstance(item, StreamErrorEvent):
            assert_type(item.message, str)
        else:
            assert_type(item, ChatCompletionChunk)
    assert_type(stream.end, Optional[StreamEnd])
    assert_type(stream.done, bool)
    assert_type(stream.errors, List[StreamErrorEvent])
    return stream.end


def keep_going(body: Iterable[bytes]) -> int:
    stream = iter_events(body, on_invalid="yield")
    assert_type(stream, ChunkStream[Union[ChatCompletionChunk, StreamErrorEvent, InvalidPayload]])
    bad = 0
    for item in stream:
        if isinstance(item, InvalidPayload):
            assert_type(item.position, int)
            bad += 1
    return bad


def chunks_only(body: Iterable[bytes]) -> str:
    stream = iter_chunks(body)
    assert_type(stream, ChunkStream[ChatCompletionChunk])
    return "".join(str(chunk.choices[0].delta.content or "") for chunk in stream)


async def async_forms(body: AsyncIterable[bytes]) -> Optional[StreamEnd]:
    stream = aiter_chunks(body)
    assert_type(stream, AsyncChunkStream[ChatCompletionChunk])
    async for chunk in stream:
        assert_type(chunk, ChatCompletionChunk)
    events = aiter_events(body, on_invalid="yield")
    assert_type(
        events, AsyncChunkStream[Union[ChatCompletionChunk, StreamErrorEvent, InvalidPayload]]
    )
    return stream.end


def strict(body: Iterable[bytes]) -> ChatCompletion:
    try:
        return accumulate(iter_events(body, on_invalid="yield"), strict=True)
    except IncompleteStreamError as error:
        assert_type(error.completion, ChatCompletion)
        assert_type(error.reasons, List[str])
        assert_type(error.end, Optional[StreamEnd])
        return error.completion
    except NotAnEventStreamError as error:
        assert_type(error.message, str)
        raise


def by_hand(accumulator: ChunkAccumulator, body: Iterable[bytes]) -> bool:
    stream = iter_events(body)
    for item in stream:
        accumulator.add(item)
    accumulator.end = stream.end
    assert_type(accumulator.incomplete_reasons, List[str])
    return accumulator.complete


def one_event_parsed() -> None:
    from chatchunk import ServerSentEvent

    items = parse_event(ServerSentEvent(data="{}"), on_invalid="yield")
    assert_type(items, List[Union[ChatCompletionChunk, StreamErrorEvent, InvalidPayload]])
