"""Relay a stream: read an upstream's SSE bytes, change each chunk, write it again.

A gateway in front of an OpenAI-compatible server renames the model, drops a provider
extra or filters a choice, and passes everything else on: in-band errors as they came,
``data: [DONE]`` only when the upstream sent it. `relay` and `arelay` are `iter_events`
and the stream encoder joined, with the caller's ``transform`` between them; a chunk
costs its parse, the transform and one call of the serializer.
"""

from typing import AsyncGenerator, AsyncIterable, Generator, Iterable, Optional

from ._encode import OnCut, Transform, aframes, frames
from ._stream import aiter_events, iter_events

__all__ = ["arelay", "relay"]


def _check_transform(transform: object) -> None:
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable or None, got {type(transform).__name__}")


def relay(
    source: Iterable[bytes],
    transform: Optional[Transform] = None,
    *,
    on_cut: OnCut = "end",
) -> Generator[bytes, None, None]:
    """Read an upstream SSE byte stream and yield it as SSE frames again, each chunk
    passed through ``transform`` first.

    ``transform`` returns the chunk to write (it may change the one it was given) or
    None to drop it. In-band errors pass through; ``data: [DONE]`` is written only if
    the upstream's stream ended `StreamEnd.DONE`, and after a cut ``on_cut`` decides
    as for `encode_stream`. A body that is no event stream raises
    `NotAnEventStreamError` from the first ``next()``, before any frame: a gateway
    should read the first frame before it starts its response, and answer with an
    HTTP error instead. A payload that is not a chunk raises
    `pydantic.ValidationError`, after the error frame with ``on_cut="error"``.
    """
    _check_transform(transform)
    return frames(iter_events(source), on_cut, transform)


def arelay(
    source: AsyncIterable[bytes],
    transform: Optional[Transform] = None,
    *,
    on_cut: OnCut = "end",
    keepalive: Optional[float] = None,
    keepalive_text: str = "keep-alive",
) -> AsyncGenerator[bytes, None]:
    """The async form of `relay`, with keep-alive comments as in `aencode_stream`."""
    _check_transform(transform)
    return aframes(aiter_events(source), on_cut, transform, keepalive, keepalive_text)
