"""Type-checker tests of the live events: mypy --strict and pyright strict run over this file.

What users narrow: each kind of `StreamEvent` by `isinstance`, the live view of a tool
call, a finished call's parsed arguments or error, and the end of the stream.
"""

from typing import Any, AsyncIterable, AsyncIterator, Iterable, Iterator, List, Optional, Union

from typing_extensions import assert_type

from chatchunk import (
    ChatCompletion,
    ChatCompletionChunk,
    ChoiceFinished,
    ChunkAccumulator,
    CompletionUsage,
    ContentDelta,
    ErrorReceived,
    FunctionCallDelta,
    InvalidPayload,
    ReasoningDelta,
    RefusalDelta,
    StreamEnd,
    StreamEnded,
    StreamErrorEvent,
    StreamEvent,
    ToolArgumentsDelta,
    ToolArgumentsError,
    ToolCallDone,
    ToolCallStarted,
    ToolCallView,
    UsageReceived,
    aiter_events,
    astream_events,
    iter_events,
    stream_events,
)


def show(body: Iterable[bytes]) -> str:
    shown: List[str] = []
    events = stream_events(iter_events(body))
    assert_type(events, Iterator[StreamEvent])
    for event in events:
        if isinstance(event, (ContentDelta, ReasoningDelta, RefusalDelta)):
            assert_type(event.choice, int)
            shown.append(event.text)
        elif isinstance(event, ToolCallStarted):
            assert_type(event.index, int)
            assert_type(event.id, str)
            shown.append(event.name)
        elif isinstance(event, ToolArgumentsDelta):
            assert_type(event.text, str)
            view = event.call
            assert_type(view, ToolCallView)
            assert_type(view.arguments, str)
            assert_type(view.partial_arguments(), Any)
        elif isinstance(event, ToolCallDone):
            assert_type(event.arguments, str)
            assert_type(event.parsed, Any)
            if event.error is not None:
                assert_type(event.error, ToolArgumentsError)
                shown.append(str(event.error))
        elif isinstance(event, FunctionCallDelta):
            assert_type(event.name, str)
        elif isinstance(event, ChoiceFinished):
            assert_type(event.finish_reason, str)
            assert_type(event.stop_reason, Union[int, str, None])
        elif isinstance(event, UsageReceived):
            assert_type(event.usage, CompletionUsage)
        elif isinstance(event, ErrorReceived):
            assert_type(event.error, Union[StreamErrorEvent, InvalidPayload])
        elif isinstance(event, StreamEnded):
            assert_type(event.end, Optional[StreamEnd])
            assert_type(event.complete, bool)
            assert_type(event.reasons, List[str])
    return "".join(shown)


def by_hand(accumulator: ChunkAccumulator, chunks: Iterable[ChatCompletionChunk]) -> ChatCompletion:
    for chunk in chunks:
        assert_type(accumulator.feed(chunk), List[StreamEvent])
    assert_type(accumulator.feed_end(StreamEnd.DONE), List[StreamEvent])
    return accumulator.result()


async def async_form(body: AsyncIterable[bytes]) -> int:
    accumulator = ChunkAccumulator()
    events = astream_events(aiter_events(body), accumulator)
    assert_type(events, AsyncIterator[StreamEvent])
    count = 0
    async for event in events:
        if isinstance(event, ContentDelta):
            count += len(event.text)
    return count
