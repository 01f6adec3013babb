"""Type-checker tests of the write side: mypy --strict and pyright strict run over this file.

What a server or a gateway holds: frames as bytes, generators it can close, and a
transform that returns a chunk or None.
"""

from typing import AsyncGenerator, AsyncIterable, Generator, Iterable, List, Optional

from openai.types.chat import ChatCompletion as OpenAICompletion
from openai.types.chat import ChatCompletionChunk as OpenAIChunk
from typing_extensions import assert_type

from chatchunk import (
    DONE_FRAME,
    ChatCompletionChunk,
    aencode_stream,
    arelay,
    encode_chunk,
    encode_comment,
    encode_error,
    encode_event,
    encode_stream,
    relay,
)


def frames(chunks: List[ChatCompletionChunk]) -> bytes:
    assert_type(encode_chunk(chunks[0]), bytes)
    assert_type(encode_error("overloaded", code="529"), bytes)
    assert_type(encode_event("x", event="ping", id="1", retry=10), bytes)
    assert_type(encode_comment("keep-alive"), bytes)
    assert_type(DONE_FRAME, bytes)
    stream = encode_stream(chunks, on_cut="error")
    assert_type(stream, Generator[bytes, None, None])
    return b"".join(stream)


def rename(chunk: ChatCompletionChunk) -> Optional[ChatCompletionChunk]:
    chunk.model = "gateway-model"
    return chunk


def gateway(upstream: Iterable[bytes]) -> None:
    out = relay(upstream, rename, on_cut="error")
    assert_type(out, Generator[bytes, None, None])
    out.close()


async def agateway(
    upstream: AsyncIterable[bytes], chunks: AsyncIterable[ChatCompletionChunk]
) -> None:
    out = arelay(upstream, rename, keepalive=15.0)
    assert_type(out, AsyncGenerator[bytes, None])
    await out.aclose()
    assert_type(aencode_stream(chunks, keepalive=1), AsyncGenerator[bytes, None])


def bridged(sdk_chunk: "OpenAIChunk", sdk_completion: "OpenAICompletion") -> None:
    from chatchunk import ChatCompletion, from_openai, to_openai

    chunk = from_openai(sdk_chunk)
    assert_type(chunk, ChatCompletionChunk)
    assert_type(from_openai(sdk_completion), ChatCompletion)
    assert_type(to_openai(chunk), OpenAIChunk)
