"""What a stream can carry besides chunks, and how it can end.

Errors the server sends in-band, payloads that are not chunks (when the caller asks to
go on past them), and the end state of a stream.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Union, cast

from pydantic import ValidationError

from ._chunk import ChatCompletionChunk

__all__ = ["InvalidPayload", "StreamEnd", "StreamError", "StreamErrorEvent", "StreamItem"]


class StreamEnd(str, Enum):
    """How a stream ended. Only `DONE` is a stream that ended as it should."""

    DONE = "done"
    """``data: [DONE]`` arrived, and no in-band error before it."""
    EOF = "eof"
    """The source ended between two events without ``data: [DONE]``: cut off, or a
    server that never sends it."""
    TRUNCATED = "truncated"
    """The source ended inside an event, which was dropped (no blank line closed it);
    no ``data: [DONE]``."""
    ERROR = "error"
    """The server reported an error inside the stream (`StreamErrorEvent`), whatever
    came after it."""
    FAILED = "failed"
    """The iteration raised: the source's own exception (a dropped connection), a payload
    that is not a chunk, an event over the size bound."""


@dataclass(frozen=True)
class StreamErrorEvent:
    """An error the server sent inside the stream, instead of or after a chunk.

    Either a payload whose top-level ``error`` is not null, or an SSE event
    named ``error``.
    """

    error: Any
    """The error: the payload's ``error`` value, or the whole payload of an ``error`` event."""
    payload: Any
    """The whole payload: a decoded JSON value, or the raw text when it was not JSON."""
    event: str = "message"
    """The SSE event name (``"message"`` unless the server named it)."""
    position: int = 0
    """Which event of the stream this was, counting from 1; 0 when not known."""

    @property
    def message(self) -> str:
        """The error's human-readable message, as well as it can be found."""
        error: object = self.error
        if isinstance(error, str):
            return error
        if isinstance(error, dict):
            message: object = cast(Dict[str, object], error).get("message")
            if isinstance(message, str):
                return message
        return repr(self.error)


StreamItem = Union[ChatCompletionChunk, StreamErrorEvent]
"""What a stream yields: a chunk, or an error the server sent in-band."""


class StreamError(ValueError):
    """Raised by `iter_chunks` when the server reports an error inside the stream."""

    def __init__(self, event: StreamErrorEvent) -> None:
        where = f" (event {event.position})" if event.position else ""
        super().__init__(f"the stream reported an error{where}: {event.message}")
        self.event = event

    @property
    def payload(self) -> Any:
        """The server's error payload."""
        return self.event.payload


@dataclass(frozen=True)
class InvalidPayload:
    """An event whose data is neither a chunk nor an error, yielded to go on past it.

    `iter_events` yields these only when called with ``on_invalid="yield"``; otherwise
    it raises the ``error``.
    """

    error: ValidationError
    """Why it is not a chunk; its title names the event and the byte it began at."""
    data: str
    """The event's data as it came (invalid UTF-8 replaced by U+FFFD)."""
    position: int = 0
    """Which event of the stream this was, counting from 1."""
    offset: int = 0
    """The byte offset in the stream where the event began."""
    event: str = "message"
    """The SSE event name."""
