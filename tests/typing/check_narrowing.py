"""Type-checker tests: mypy --strict and pyright strict run over this file in CI.

Each `assert_type` fails the type check, not the test run, when narrowing
of `OptionalNullable` regresses in either checker.
"""

from typing import List, Union

from typing_extensions import Literal, assert_type

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkDeltaToolCall,
    CompletionUsage,
    Nullable,
    OptionalNullable,
    Unset,
    parse_chunk,
)


def content_text(chunk: ChatCompletionChunk) -> str:
    content = chunk.choices[0].delta.content
    assert_type(content, Union[str, None, Unset])
    if content is UNSET:
        assert_type(content, Literal[Unset.UNSET])
        return "<absent>"
    assert_type(content, Union[str, None])
    if content is None:
        assert_type(content, None)
        return "<null>"
    assert_type(content, str)
    return content


def usage_total(chunk: ChatCompletionChunk) -> int:
    usage = chunk.usage
    if usage is None or usage is UNSET:
        return 0
    assert_type(usage, CompletionUsage)
    return usage.total_tokens


def tool_calls(chunk: ChatCompletionChunk) -> List[ChatCompletionChunkDeltaToolCall]:
    calls = chunk.choices[0].delta.tool_calls
    if isinstance(calls, list):
        assert_type(calls, List[ChatCompletionChunkDeltaToolCall])
        return calls
    assert_type(calls, Union[None, Unset])
    return []


def truthiness(chunk: ChatCompletionChunk) -> str:
    # UNSET is falsy and typed so: `if x:` narrows away both UNSET and None.
    content = chunk.choices[0].delta.content
    if content:
        assert_type(content, str)
        return content
    return ""


def aliases(a: OptionalNullable[int], b: Nullable[int]) -> int:
    assert_type(a, Union[int, None, Unset])
    assert_type(b, Union[int, None])
    return (a if a is not UNSET and a is not None else 0) + (b or 0)


def parsed() -> ChatCompletionChunk:
    return assert_type(parse_chunk(b"{}"), ChatCompletionChunk)
