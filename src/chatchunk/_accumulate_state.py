"""What `ChunkAccumulator` keeps for each choice, and the merge rules that fill it.

The merge functions take an event list (`sink`): None when the caller asked for no
events (`ChunkAccumulator.add`), a list when it did (`ChunkAccumulator.feed`). The
rules exist once, here; the events are what the rules did, never a second reading of
the chunk. The provider fields of a delta, and the usage, are merged by the rules in
`chatchunk._accumulate_fields`.
"""

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Union

from pydantic_core import from_json

from ._accumulate_fields import Log, Text, extra_values, merge_delta_extras
from ._chunk import (
    ChatCompletionChunkChoice,
    ChatCompletionChunkDeltaToolCall,
    ChatCompletionChunkTokenLogprob,
)
from ._completion import (
    ChatCompletionChoice,
    ChatCompletionChoiceLogprobs,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionCall,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
)
from ._live import (
    ChoiceFinished,
    ContentDelta,
    FunctionCallDelta,
    ReasoningDelta,
    RefusalDelta,
    StreamEvent,
    ToolArgumentsDelta,
    ToolArgumentsError,
    ToolCallDone,
    ToolCallStarted,
    ToolCallView,
)
from ._partial import PartialJSON
from ._tool_calls import continues_unindexed, opens_call
from ._unset import UNSET, OptionalNullable, Unset

if TYPE_CHECKING:
    Sink = Optional[List[StreamEvent]]

__all__ = ["ChoiceState", "ToolCallState", "choice_result", "close_calls", "merge_choice"]


class ToolCallState:
    """One tool call being assembled, and what its live view needs."""

    __slots__ = (
        "arguments",
        "extras",
        "id",
        "indexed",
        "is_open",
        "name",
        "parser",
        "position",
        "type",
        "unfed",
        "view",
    )

    def __init__(self, indexed: bool, position: int) -> None:
        self.indexed = indexed
        self.position = position
        self.id = ""
        self.type = ""
        self.name = ""
        self.arguments = Text()
        # Provider fields of the call, such as Gemini's `extra_content` that
        # carries the thought signature a client must send back.
        self.extras: Dict[str, Any] = {}
        # Only the events path sets these: `add` never pays for a view.
        self.is_open = False
        self.view: Optional[ToolCallView] = None
        self.parser: Optional[PartialJSON] = None
        # The fragments the parser has not seen; None until someone asks for a
        # partial value, so that a stream nobody inspects copies nothing.
        self.unfed: Optional[List[str]] = None

    def partial_value(self) -> Any:
        """The arguments so far as partial JSON, parsing only what is new."""
        parser = self.parser
        if parser is None:
            parser = self.parser = PartialJSON()
            parser.feed(self.arguments.value())
            self.unfed = []
        else:
            unfed = self.unfed
            if unfed:
                parser.feed("".join(unfed))
                unfed.clear()
        return parser.value()


class ChoiceState:
    """One choice being assembled."""

    __slots__ = (
        "content",
        "extras",
        "finish_reason",
        "function_arguments",
        "function_name",
        "index",
        "logprobs_content",
        "logprobs_refusal",
        "open_calls",
        "reasoning",
        "refusal",
        "role",
        "stop_reason",
        "tool_calls",
        "tools_by_index",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.role = ""
        self.content: Optional[Text] = None
        self.refusal: Optional[Text] = None
        self.reasoning: Optional[Text] = None
        self.tool_calls: List[ToolCallState] = []
        self.tools_by_index: Dict[int, ToolCallState] = {}
        self.open_calls: List[ToolCallState] = []
        self.function_name: Optional[str] = None
        self.function_arguments: Optional[Text] = None
        self.finish_reason: Optional[str] = None
        self.stop_reason: OptionalNullable[Union[int, str]] = UNSET
        self.logprobs_content: Optional[List[ChatCompletionChunkTokenLogprob]] = None
        self.logprobs_refusal: Optional[List[ChatCompletionChunkTokenLogprob]] = None
        # Delta fields the models do not declare, each in its merged form.
        self.extras: Optional[Dict[str, Any]] = None


def _append(text: Optional[Text], fragment: str) -> Text:
    if text is None:
        text = Text()
    if fragment:
        text.append(fragment)
    return text


def merge_choice(
    state: ChoiceState, choice: ChatCompletionChunkChoice, log: Log, sink: "Sink"
) -> None:
    """Merge one chunk's choice into its state; add the events to `sink` if it is a list."""
    # `x is not UNSET and x` below, not `x`: the truth of UNSET is a Python call, and
    # most fields of most deltas are absent.
    delta = choice.delta
    role = delta.role
    if role is not UNSET and role and not state.role:
        state.role = role
    content = delta.content
    if content is not None and content is not UNSET:
        state.content = _append(state.content, content)
        if sink is not None and content:
            sink.append(ContentDelta(state.index, content))
    refusal = delta.refusal
    if refusal is not None and refusal is not UNSET:
        state.refusal = _append(state.refusal, refusal)
        if sink is not None and refusal:
            sink.append(RefusalDelta(state.index, refusal))
    # One delta with both is the same text under two names: taken once.
    reasoning = delta.reasoning_content
    if reasoning is UNSET or not reasoning:
        reasoning = delta.reasoning
    if reasoning is not UNSET and reasoning:
        state.reasoning = _append(state.reasoning, reasoning)
        if sink is not None:
            sink.append(ReasoningDelta(state.index, reasoning))
    tool_calls = delta.tool_calls
    if tool_calls is not UNSET and tool_calls:
        _merge_tool_calls(state, tool_calls, log, sink)
    function_call = delta.function_call
    if function_call is not UNSET and function_call:
        named = False
        if function_call.name and not state.function_name:
            state.function_name = function_call.name
            named = True
        arguments = function_call.arguments or ""
        state.function_arguments = _append(state.function_arguments, arguments)
        if sink is not None and (named or arguments):
            sink.append(FunctionCallDelta(state.index, state.function_name or "", arguments))
    extras = delta.__pydantic_extra__
    if extras:
        merged = state.extras
        if merged is None:
            merged = state.extras = {}
        merge_delta_extras(merged, extras, log)
    if choice.stop_reason is not None and choice.stop_reason is not UNSET:
        state.stop_reason = choice.stop_reason
    finish_reason = choice.finish_reason
    # Some servers send "" until the end: it never replaces a real reason.
    if isinstance(finish_reason, str) and (finish_reason or state.finish_reason is None):
        if sink is not None and finish_reason and finish_reason != state.finish_reason:
            close_calls(state, sink)
            stop = state.stop_reason
            sink.append(ChoiceFinished(state.index, finish_reason, None if stop is UNSET else stop))
        state.finish_reason = finish_reason
    logprobs = choice.logprobs
    if logprobs is not UNSET and logprobs:
        if logprobs.content:
            if state.logprobs_content is None:
                state.logprobs_content = []
            state.logprobs_content.extend(logprobs.content)
        if logprobs.refusal:
            if state.logprobs_refusal is None:
                state.logprobs_refusal = []
            state.logprobs_refusal.extend(logprobs.refusal)


def _merge_tool_calls(
    state: ChoiceState,
    fragments: List[ChatCompletionChunkDeltaToolCall],
    log: Log,
    sink: "Sink",
) -> None:
    calls = state.tool_calls
    # A set: a list made one delta of N continuation fragments cost O(N²).
    used_here: Set[int] = set()
    for fragment in fragments:
        function = fragment.function or None
        name = function.name if function else None
        known = len(calls)
        call = _call_for(state, fragment.id, fragment.index, name, used_here, log)
        changed = len(calls) > known
        if fragment.id and not call.id:
            changed = True
            if call.arguments.parts or call.arguments.blocks:
                log.note(
                    "tool_fragment_before_id",
                    f"arguments of tool call {fragment.id!r} arrived before its id",
                )
            call.id = fragment.id
        if fragment.type and not call.type:
            call.type = fragment.type
        if name:
            if not call.name:
                call.name = name
                changed = True
            elif name != call.name:
                log.note(
                    "tool_name_changed",
                    f"tool call {call.id!r} was named {call.name!r}, then {name!r}",
                )
        arguments = function.arguments if function else None
        if arguments:
            changed = True
            call.arguments.append(arguments)
            unfed = call.unfed
            if unfed is not None:
                unfed.append(arguments)
        extras = fragment.__pydantic_extra__
        if extras:
            for key, value in extras.items():
                call.extras.setdefault(key, value)
        if sink is not None and changed:
            _tool_events(state, call, len(calls) > known, arguments or "", sink)


def _tool_events(
    state: ChoiceState, call: ToolCallState, created: bool, arguments: str, sink: List[StreamEvent]
) -> None:
    if created:
        close_calls(state, sink)
        sink.append(ToolCallStarted(state.index, call.position, call.id, call.name))
    if not call.is_open:
        # New, or a call that changes again after it was closed.
        call.is_open = True
        state.open_calls.append(call)
    if arguments:
        view = call.view
        if view is None:
            view = call.view = ToolCallView(state.index, call.position, call)
        sink.append(ToolArgumentsDelta(state.index, call.position, arguments, view))


def close_calls(state: ChoiceState, sink: List[StreamEvent]) -> None:
    """Add a `ToolCallDone` for each call of the choice still open, and close them."""
    for call in state.open_calls:
        call.is_open = False
        text = call.arguments.value()
        parsed: Any = UNSET
        error: Optional[ToolArgumentsError] = None
        try:
            parsed = from_json(text, allow_inf_nan=False)
        except ValueError as exc:
            error = ToolArgumentsError(state.index, call.position, call.name, text, str(exc))
        sink.append(
            ToolCallDone(state.index, call.position, call.id, call.name, text, parsed, error)
        )
    state.open_calls.clear()


def _call_for(
    state: ChoiceState,
    call_id: OptionalNullable[str],
    index: OptionalNullable[int],
    name: OptionalNullable[str],
    used_here: Set[int],
    log: Log,
) -> ToolCallState:
    """The call a fragment belongs to, or a new one."""
    calls = state.tool_calls
    if index is None or index is UNSET:
        # Gemini sends each call whole and without index; a fragment that
        # only continues the previous unindexed call (same id, or no id
        # and no name) still belongs to it.
        last = calls[-1] if calls else None
        if last is not None and not last.indexed and continues_unindexed(call_id, name, last.id):
            return last
        new = ToolCallState(indexed=False, position=len(calls))
        calls.append(new)
        return new
    call: Optional[ToolCallState] = state.tools_by_index.get(index)

    if call is not None and not (call_id and call_id == call.id):
        if name and call.name and name != call.name and not (call_id and call.id):
            log.note(
                "tool_index_reused",
                f"index {index} was reused for {name!r} after {call.name!r}",
            )
        # A fragment with neither id nor name (most of them) never opens a call: the
        # rule's own answer, without its call.
        if (call_id or name) and opens_call(call_id, name, call.id, call.name, index in used_here):
            call = None
    used_here.add(index)
    if call is None:
        call = state.tools_by_index[index] = ToolCallState(indexed=True, position=len(calls))
        calls.append(call)
    return call


# -- the result ---------------------------------------------------------------------------------


def _text(text: Optional[Text]) -> Optional[str]:
    return None if text is None else text.value()


def choice_result(state: ChoiceState) -> ChatCompletionChoice:
    """The assembled choice as far as the stream has gone."""
    tool_calls: Union[List[ChatCompletionMessageToolCall], Unset] = UNSET
    if state.tool_calls:
        tool_calls = [
            ChatCompletionMessageToolCall(
                id=call.id,
                type=call.type or "function",
                function=ChatCompletionMessageToolCallFunction(
                    name=call.name, arguments=call.arguments.value()
                ),
                **call.extras,
            )
            for call in state.tool_calls
        ]
    function_call: Union[ChatCompletionMessageFunctionCall, Unset] = UNSET
    if state.function_arguments is not None or state.function_name is not None:
        function_call = ChatCompletionMessageFunctionCall(
            name=state.function_name or "", arguments=_text(state.function_arguments) or ""
        )
    reasoning = _text(state.reasoning)
    extras = extra_values(state.extras) if state.extras else {}
    message = ChatCompletionMessage(
        role=state.role or "assistant",
        content=_text(state.content),
        refusal=_text(state.refusal),
        reasoning_content=UNSET if reasoning is None else reasoning,
        tool_calls=tool_calls,
        function_call=function_call,
        **extras,
    )
    logprobs = None
    if state.logprobs_content is not None or state.logprobs_refusal is not None:
        logprobs = ChatCompletionChoiceLogprobs(
            content=state.logprobs_content, refusal=state.logprobs_refusal
        )
    return ChatCompletionChoice(
        index=state.index,
        message=message,
        finish_reason=state.finish_reason,
        logprobs=logprobs,
        stop_reason=state.stop_reason,
    )
