"""The two types the SSE layer hands out: one event, and the error of a stream that cannot be read.

Apart from `SSEDecoder` (``_sse``) and its line scanning (``_sse_lines``), which both make them.
"""

from typing import Any, Callable, NamedTuple, Optional, Tuple, Type, cast

__all__ = ["SSEError", "ServerSentEvent"]


class ServerSentEvent(NamedTuple):
    """One event dispatched from a Server-Sent-Events stream."""

    event: str = "message"
    """The event type: the ``event:`` field, or ``"message"`` when the event had none."""
    data: str = ""
    """The event's ``data:`` lines joined with ``"\\n"``."""
    id: str = ""
    """The last event ID at dispatch: the latest ``id:`` so far, from this or an earlier event."""
    retry: Optional[int] = None
    """The reconnection time in milliseconds from a valid ``retry:`` field of the event, or None."""
    position: int = 0
    """Which event of the stream this is, counting from 1."""
    offset: int = 0
    """Byte offset in the stream (a leading BOM counted) where the event's first line begins."""


_EventFields = Tuple[str, str, str, Optional[int], int, int]
# `tuple.__new__` skips the Python-level `__new__` that NamedTuple generates, which costs
# as much again; going through a `Type[Tuple[Any, ...]]` keeps both type checkers exact.
_tuple: Type[Tuple[Any, ...]] = tuple
_new_event = cast(
    "Callable[[Type[ServerSentEvent], _EventFields], ServerSentEvent]", _tuple.__new__
)


class SSEError(ValueError):
    """The bytes cannot be read as an event stream: an event larger than ``max_event_size``,
    a body that is no event stream at all, or one without a single event."""
