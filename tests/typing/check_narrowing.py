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
    ChatCompletionChunkTokenLogprob,
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
    # Servers leave the counts out too (older vLLM, SGLang): each is OptionalNullable.
    total = usage.total_tokens
    assert_type(total, Union[int, None, Unset])
    if total is UNSET or total is None:
        return 0
    assert_type(total, int)
    return total


def first_logprob(chunk: ChatCompletionChunk) -> float:
    # llama.cpp's post_sampling_probs entries have no logprob: it is OptionalNullable.
    logprobs = chunk.choices[0].logprobs
    if not logprobs or not logprobs.content:
        return 0.0
    token = logprobs.content[0]
    assert_type(token, ChatCompletionChunkTokenLogprob)
    logprob = token.logprob
    assert_type(logprob, Union[float, None, Unset])
    if logprob is UNSET:
        assert_type(logprob, Literal[Unset.UNSET])
        return 0.0
    assert_type(logprob, Union[float, None])
    if logprob is None:
        return 0.0
    assert_type(logprob, float)
    top = token.top_logprobs
    if top:
        assert_type(top[0].logprob, Union[float, None, Unset])
    return logprob


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
