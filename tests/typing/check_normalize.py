"""Type-checker tests for the normalizer: mypy --strict and pyright strict run over this
file in CI. Each `assert_type` fails the type check when a signature regresses."""

from typing import Any, AsyncIterator, Iterator, List, Optional, Tuple, Union

from typing_extensions import assert_type

from chatchunk import (
    AsyncNormalizedStream,
    Change,
    ChatCompletionChunk,
    Normalized,
    NormalizedStream,
    NormalizeOptions,
    Normalizer,
    StreamErrorEvent,
    StreamItem,
    anormalize_stream,
    iter_events,
    normalize_chunk,
    normalize_stream,
    relay,
)


def one(chunk: ChatCompletionChunk) -> ChatCompletionChunk:
    result = normalize_chunk(chunk, NormalizeOptions(reasoning="reasoning_content"))
    assert_type(result, Normalized)
    assert_type(result.changes, Tuple[Change, ...])
    fixed, changes = result
    assert_type(changes, Tuple[Change, ...])
    for change in changes:
        assert_type(change.kind, str)
        assert_type(change.old, Any)
    return fixed


def views(chunk: ChatCompletionChunk) -> Optional[int]:
    choice = chunk.choices[0]
    assert_type(choice.delta.reasoning_text, Optional[str])
    assert_type(choice.canonical_finish_reason, Optional[str])
    usage = chunk.usage
    if usage:
        assert_type(usage.reasoning_tokens, Optional[int])
        return usage.cached_tokens
    return None


def stream(body: bytes) -> Iterator[StreamItem]:
    normalized = normalize_stream(iter_events([body]), NormalizeOptions(usage="last"))
    assert_type(normalized, NormalizedStream[StreamItem])
    assert_type(normalized.changes, List[Change])
    return normalized


def chunks(items: List[ChatCompletionChunk]) -> NormalizedStream[ChatCompletionChunk]:
    return normalize_stream(items)


async def astream(items: AsyncIterator[Union[ChatCompletionChunk, StreamErrorEvent]]) -> int:
    normalized = anormalize_stream(items)
    assert_type(normalized, AsyncNormalizedStream[Union[ChatCompletionChunk, StreamErrorEvent]])
    return len([item async for item in normalized])


def by_hand(chunk: ChatCompletionChunk, body: bytes) -> List[ChatCompletionChunk]:
    normalizer = Normalizer()
    out = normalizer.add(chunk) + normalizer.finish()
    assert_type(normalizer.transform(chunk), Optional[ChatCompletionChunk])
    frames = relay([body], Normalizer().transform)
    assert_type(next(frames), bytes)
    return out
