"""What a stream can carry besides chunks: errors the server sends in-band."""

from dataclasses import dataclass
from typing import Any, Dict, Union, cast

from ._chunk import ChatCompletionChunk

__all__ = ["StreamError", "StreamErrorEvent", "StreamItem"]


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
