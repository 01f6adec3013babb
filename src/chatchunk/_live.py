"""Typed events for showing a stream as it arrives: text, reasoning, tool calls, the end.

`ChunkAccumulator.feed` merges one chunk exactly as `ChunkAccumulator.add` does and
returns the events that chunk produced; `stream_events` and `astream_events` do it for
a whole stream. The events come out of the accumulator's own merge code, so they follow
its rules for every provider quirk (repeated roles, tool calls without ``index``,
several calls under one index, ``reasoning`` beside ``reasoning_content``, late nulls):
concatenated, they give what `ChunkAccumulator.result` assembles.

- No event is made for an empty fragment (``"content": ""``).
- `ToolCallStarted` comes when a call first appears, with the ``id`` and ``name`` known
  then (a server that sends arguments before the id gives ``""``; the final values are
  on `ToolCallDone` and on the live `ToolCallView`).
- `ToolCallDone` comes when the next call of that choice starts, when the choice
  finishes, or at the end of the stream (`ChunkAccumulator.feed_end`), whichever is
  first. A call that gets more fragments after that (a server that interleaves calls)
  is open again: more `ToolArgumentsDelta` events, then another `ToolCallDone` with the
  whole text.
- `ChoiceFinished` comes when a choice gets a finish reason, and again if a later chunk
  changes it; ``""`` and ``null`` are no finish reason.
- `UsageReceived` comes for every chunk that carries a usage, with the usage merged so far.
"""

from typing import TYPE_CHECKING, Any, List, Optional, Tuple, Union

from ._events import InvalidPayload, StreamEnd, StreamErrorEvent
from ._usage import CompletionUsage

if TYPE_CHECKING:
    from ._accumulate_state import ToolCallState

__all__ = [
    "ChoiceFinished",
    "ContentDelta",
    "ErrorReceived",
    "FunctionCallDelta",
    "ReasoningDelta",
    "RefusalDelta",
    "StreamEnded",
    "StreamEvent",
    "ToolArgumentsDelta",
    "ToolArgumentsError",
    "ToolCallDone",
    "ToolCallStarted",
    "ToolCallView",
    "UsageReceived",
]


class StreamEvent:
    """The base of every event `ChunkAccumulator.feed` returns; test with `isinstance`."""

    __slots__ = ()
    _fields: Tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not frozen

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({args})"


class _TextEvent(StreamEvent):
    __slots__ = ("choice", "text")
    _fields = ("choice", "text")

    def __init__(self, choice: int, text: str) -> None:
        self.choice = choice
        """The index of the choice."""
        self.text = text
        """The new fragment, never empty."""


class ContentDelta(_TextEvent):
    """A fragment of a choice's message text (``delta.content``)."""

    __slots__ = ()


class ReasoningDelta(_TextEvent):
    """A fragment of a choice's reasoning (``reasoning_content`` or ``reasoning``)."""

    __slots__ = ()


class RefusalDelta(_TextEvent):
    """A fragment of a choice's refusal message (``delta.refusal``)."""

    __slots__ = ()


class FunctionCallDelta(StreamEvent):
    """A fragment of the deprecated ``function_call``: its name so far and new arguments."""

    __slots__ = ("choice", "name", "text")
    _fields = ("choice", "name", "text")

    def __init__(self, choice: int, name: str, text: str) -> None:
        self.choice = choice
        """The index of the choice."""
        self.name = name
        """The function's name, as far as it is known (``""`` before it arrives)."""
        self.text = text
        """The new fragment of the arguments; ``""`` on the fragment that brings the name."""


class ToolCallStarted(StreamEvent):
    """A new tool call appeared in a choice."""

    __slots__ = ("choice", "id", "index", "name")
    _fields = ("choice", "index", "id", "name")

    def __init__(self, choice: int, index: int, id: str, name: str) -> None:
        self.choice = choice
        """The index of the choice."""
        self.index = index
        """The call's position in the assembled ``message.tool_calls``."""
        self.id = id
        """The call's id as first seen; ``""`` if the server has not sent it yet."""
        self.name = name
        """The function's name as first seen; ``""`` if not sent yet."""


class ToolCallView:
    """A read-only live view of one tool call while it streams.

    `arguments` is the text so far; `partial_arguments` parses it as partial JSON,
    feeding the parser only what arrived since the last call, and only for callers who
    ask: a stream whose views are never asked costs nothing more.
    """

    __slots__ = ("_call", "choice", "index")

    def __init__(self, choice: int, index: int, call: "ToolCallState") -> None:
        self._call = call
        self.choice = choice
        """The index of the choice."""
        self.index = index
        """The call's position in the assembled ``message.tool_calls``."""

    @property
    def id(self) -> str:
        """The call's id so far; ``""`` until the server sends it."""
        return self._call.id

    @property
    def name(self) -> str:
        """The function's name so far; ``""`` until the server sends it."""
        return self._call.name

    @property
    def arguments(self) -> str:
        """The argument text so far (a new string each time: it costs its length)."""
        return self._call.arguments.value()

    def partial_arguments(self) -> Any:
        """The JSON value of the arguments so far, a trailing unfinished string kept.

        `UNSET` before any value starts. Raises `PartialJSONError` (a `ValueError`)
        when the text cannot be the start of JSON. Each call parses only the text
        that arrived since the previous one, and returns the parser's own containers,
        which later calls update: copy them before changing them.
        """
        return self._call.partial_value()

    def __repr__(self) -> str:
        call = self._call
        return (
            f"ToolCallView(choice={self.choice!r}, index={self.index!r}, id={call.id!r}, "
            f"name={call.name!r}, arguments={call.arguments.value()!r})"
        )


class ToolArgumentsDelta(StreamEvent):
    """A fragment of a tool call's JSON arguments, with a live view of the whole call."""

    __slots__ = ("call", "choice", "index", "text")
    _fields = ("choice", "index", "text")

    def __init__(self, choice: int, index: int, text: str, call: ToolCallView) -> None:
        self.choice = choice
        """The index of the choice."""
        self.index = index
        """The call's position in the assembled ``message.tool_calls``."""
        self.text = text
        """The new fragment, never empty."""
        self.call = call
        """The call as it stands now (the same view for every event of one call)."""


class ToolArgumentsError(ValueError):
    """A finished tool call's arguments are not valid JSON; `ToolCallDone.error` holds it."""

    def __init__(self, choice: int, index: int, name: str, arguments: str, reason: str) -> None:
        super().__init__(
            f"choice {choice}, tool call {index} ({name!r}): "
            f"the arguments are not valid JSON: {reason}"
        )
        self.choice = choice
        """The index of the choice."""
        self.index = index
        """The call's position in ``message.tool_calls``."""
        self.arguments = arguments
        """The text that did not parse."""


class ToolCallDone(StreamEvent):
    """A tool call is complete: its whole argument text, parsed once."""

    __slots__ = ("arguments", "choice", "error", "id", "index", "name", "parsed")
    _fields = ("choice", "index", "id", "name", "arguments", "parsed", "error")

    def __init__(
        self,
        choice: int,
        index: int,
        id: str,
        name: str,
        arguments: str,
        parsed: Any,
        error: Optional[ToolArgumentsError],
    ) -> None:
        self.choice = choice
        """The index of the choice."""
        self.index = index
        """The call's position in the assembled ``message.tool_calls``."""
        self.id = id
        """The call's id (``""`` if the server never sent one)."""
        self.name = name
        """The function's name."""
        self.arguments = arguments
        """The whole argument text, as in ``message.tool_calls[index].function.arguments``."""
        self.parsed = parsed
        """The arguments as a JSON value; `UNSET` when they do not parse (see `error`)."""
        self.error = error
        """Why the arguments did not parse, or None."""

    def __eq__(self, other: object) -> bool:
        # Two errors are equal when they say the same thing.
        if type(other) is not ToolCallDone:
            return NotImplemented
        mine, theirs = self.error, other.error
        same_error = (mine is None and theirs is None) or (
            mine is not None and theirs is not None and str(mine) == str(theirs)
        )
        return same_error and all(
            getattr(self, name) == getattr(other, name) for name in self._fields[:-1]
        )


class ChoiceFinished(StreamEvent):
    """A choice got its finish reason (and vLLM's ``stop_reason``, when sent)."""

    __slots__ = ("choice", "finish_reason", "stop_reason")
    _fields = ("choice", "finish_reason", "stop_reason")

    def __init__(
        self, choice: int, finish_reason: str, stop_reason: Union[int, str, None] = None
    ) -> None:
        self.choice = choice
        """The index of the choice."""
        self.finish_reason = finish_reason
        """Why it stopped: ``"stop"``, ``"length"``, ``"tool_calls"``, or a provider's value."""
        self.stop_reason = stop_reason
        """The stop token id or string (vLLM), or None."""


class UsageReceived(StreamEvent):
    """A chunk carried token usage; `usage` is the usage merged so far."""

    __slots__ = ("usage",)
    _fields = ("usage",)

    def __init__(self, usage: CompletionUsage) -> None:
        self.usage = usage
        """The usage as the completion will have it (shared: copy it before changing it)."""


class ErrorReceived(StreamEvent):
    """The stream carried an in-band error, or a payload that is not a chunk."""

    __slots__ = ("error",)
    _fields = ("error",)

    def __init__(self, error: Union[StreamErrorEvent, InvalidPayload]) -> None:
        self.error = error
        """The error event or the invalid payload, as the stream yielded it."""


class StreamEnded(StreamEvent):
    """The stream is over: how it ended, and whether it was whole."""

    __slots__ = ("complete", "end", "reasons")
    _fields = ("end", "complete", "reasons")

    def __init__(self, end: Optional[StreamEnd], complete: bool, reasons: List[str]) -> None:
        self.end = end
        """How the stream ended (`ChunkStream.end`), or None when not known."""
        self.complete = complete
        """Whether the stream was whole (`ChunkAccumulator.complete`)."""
        self.reasons = reasons
        """Why it is not, for a person (`ChunkAccumulator.incomplete_reasons`)."""
