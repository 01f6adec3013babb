"""Merge the deltas of a stream into the final `ChatCompletion`.

The accumulator keeps only what the result needs: text fragments (joined in
blocks so that memory stays near the size of the text), tool-call fragments
and a few scalars. It never holds on to chunk objects: a process that keeps
every parsed chunk alive pays the garbage collector on each new one.

Providers disagree on the details, and the rules below are the ones that
give the message they meant:

- ``role``, a tool call's ``id``, ``type`` and function ``name`` are set once;
  a repeat (Groq, Ollama send the role on every chunk) is not concatenated,
  and an empty ``name`` on a continuation fragment adds nothing.
- Tool calls are keyed by ``index`` in first-seen order. A fragment without
  ``index`` (Gemini) is a call of its own, unless it only continues the
  previous such call. A fragment whose ``id`` or function name differs from
  the call already at its index, or that repeats an index already used in the
  same delta with a name (Ollama), starts a new call. A tool call's provider
  fields (Gemini's ``extra_content``) are kept on the assembled call.
- ``reasoning_content`` and ``reasoning`` deltas both fill
  ``message.reasoning_content``; when one delta carries both, they are taken
  to be the same text and it is added once.
- A later ``null`` never wipes an earlier value: ``finish_reason``,
  ``usage``, ``system_fingerprint`` and ``service_tier`` are the last
  non-null values seen.
"""

from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterable,
    Dict,
    Iterable,
    List,
    NamedTuple,
    Optional,
    Set,
    Union,
)

from ._chunk import (
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkDelta,
    ChatCompletionChunkTokenLogprob,
)
from ._completion import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChoiceLogprobs,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionCall,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
)
from ._events import InvalidPayload, StreamEnd, StreamErrorEvent, StreamItem
from ._openai import chunk_from_foreign
from ._unset import UNSET, OptionalNullable, Unset
from ._usage import CompletionUsage

__all__ = [
    "ChunkAccumulator",
    "IncompleteStreamError",
    "StreamAnomaly",
    "aaccumulate",
    "accumulate",
]

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk as OpenAIChatCompletionChunk

# What `add` takes: the openai SDK's chunks too, converted on the way in.
_Item = Union[StreamItem, InvalidPayload, "OpenAIChatCompletionChunk"]


# Fragments are joined into one block every this many: a list of a million
# one-token strings costs about ten times the text it holds.
_BLOCK = 256


class StreamAnomaly(NamedTuple):
    """Something odd the accumulator saw in a stream, reported instead of raised."""

    kind: str
    """A stable name: ``id_changed``, ``model_changed``, ``created_changed``,
    ``tool_fragment_before_id``, ``tool_name_changed``, ``tool_index_reused``,
    ``not_a_chunk`` (an in-band error) or ``invalid_payload`` (an `InvalidPayload`)."""
    message: str
    """What was seen, for a person."""
    position: int
    """Which item of the stream it was seen at, counting from 1."""


class _Text:
    """An append-only string that costs about its own size in memory."""

    __slots__ = ("blocks", "parts")

    def __init__(self) -> None:
        self.blocks: List[str] = []
        self.parts: List[str] = []

    def append(self, text: str) -> None:
        parts = self.parts
        parts.append(text)
        if len(parts) >= _BLOCK:
            self.blocks.append("".join(parts))
            parts.clear()

    def value(self) -> str:
        # Joined once and kept as the only block: the text is never held
        # three times over, and the next call starts from this one's work.
        blocks = self.blocks
        if self.parts:
            blocks.append("".join(self.parts))
            self.parts.clear()
        if len(blocks) > 1:
            blocks[:] = ["".join(blocks)]
        return blocks[0] if blocks else ""


class _ToolCall:
    __slots__ = ("arguments", "extras", "id", "indexed", "name", "type")

    def __init__(self, indexed: bool) -> None:
        self.indexed = indexed
        self.id = ""
        self.type = ""
        self.name = ""
        self.arguments = _Text()
        # Provider fields of the call, such as Gemini's `extra_content` that
        # carries the thought signature a client must send back.
        self.extras: Dict[str, Any] = {}


class _Choice:
    __slots__ = (
        "content",
        "finish_reason",
        "function_arguments",
        "function_name",
        "logprobs_content",
        "logprobs_refusal",
        "reasoning",
        "refusal",
        "role",
        "stop_reason",
        "tool_calls",
        "tools_by_index",
    )

    def __init__(self) -> None:
        self.role = ""
        self.content: Optional[_Text] = None
        self.refusal: Optional[_Text] = None
        self.reasoning: Optional[_Text] = None
        self.tool_calls: List[_ToolCall] = []
        self.tools_by_index: Dict[int, _ToolCall] = {}
        self.function_name: Optional[str] = None
        self.function_arguments: Optional[_Text] = None
        self.finish_reason: Optional[str] = None
        self.stop_reason: OptionalNullable[Union[int, str]] = UNSET
        self.logprobs_content: Optional[List[ChatCompletionChunkTokenLogprob]] = None
        self.logprobs_refusal: Optional[List[ChatCompletionChunkTokenLogprob]] = None


def _append(text: Optional[_Text], fragment: str) -> _Text:
    if text is None:
        text = _Text()
    if fragment:
        text.append(fragment)
    return text


class ChunkAccumulator:
    """Merge a stream's chunks into the `ChatCompletion` they describe.

    Call `add` for each chunk (or `StreamErrorEvent`, `InvalidPayload`) as it
    arrives and `result` at any time; set `end` from the stream's own `end` when it
    is over, and `complete` says whether the stream was whole. Time and memory are
    linear in the stream.
    """

    def __init__(self) -> None:
        self._choices: Dict[int, _Choice] = {}
        self._id = ""
        self._model = ""
        self._created = 0
        # The values of the latest chunk: a change is reported once, when it happens.
        self._last_id = ""
        self._last_model = ""
        self._last_created = 0
        self._system_fingerprint: OptionalNullable[str] = UNSET
        self._service_tier: OptionalNullable[str] = UNSET
        self._usage: Optional[CompletionUsage] = None
        self._count = 0
        self._position = 0
        self._anomalies: List[StreamAnomaly] = []
        self._errors: List[StreamErrorEvent] = []
        self._invalid = 0
        self.end: Optional[StreamEnd] = None
        """How the stream ended (`ChunkStream.end`), when the caller passes it on; it is
        part of `complete`. `accumulate` sets it from the stream it reads."""

    @property
    def chunk_count(self) -> int:
        """How many chunks were added."""
        return self._count

    @property
    def finished(self) -> bool:
        """Whether every choice seen so far has a finish reason (and there was one)."""
        return bool(self._choices) and all(c.finish_reason for c in self._choices.values())

    @property
    def complete(self) -> bool:
        """Whether the stream was whole: see `incomplete_reasons`."""
        return not self.incomplete_reasons

    @property
    def incomplete_reasons(self) -> List[str]:
        """Why the stream is not complete, for a person; empty when it is.

        Complete means: at least one choice, each with a finish reason; no in-band
        error; no invalid payload skipped; and, when `end` is set, ``[DONE]`` seen.
        """
        reasons: List[str] = []
        if not self._choices:
            reasons.append("no choice was streamed")
        unfinished = [index for index, c in sorted(self._choices.items()) if not c.finish_reason]
        if unfinished:
            which = ", ".join(str(index) for index in unfinished)
            reasons.append(f"choice {which} got no finish_reason")
        for error in self._errors:
            reasons.append(f"the stream reported an error: {error.message}")
        if self._invalid:
            reasons.append(f"{self._invalid} invalid payload(s) were skipped")
        end = self.end
        if end is StreamEnd.EOF:
            reasons.append("the stream ended without data: [DONE]")
        elif end is StreamEnd.TRUNCATED:
            reasons.append("the stream was cut off inside an event, without data: [DONE]")
        elif end is StreamEnd.FAILED:
            reasons.append("reading the stream failed")
        elif end is StreamEnd.ERROR and not self._errors:
            reasons.append("the stream reported an error")
        return reasons

    @property
    def anomalies(self) -> List[StreamAnomaly]:
        """What looked wrong in the stream, in order: changed ids, early fragments, errors."""
        return list(self._anomalies)

    @property
    def errors(self) -> List[StreamErrorEvent]:
        """The in-band error events that were added."""
        return list(self._errors)

    def _note(self, kind: str, message: str) -> None:
        self._anomalies.append(StreamAnomaly(kind, message, self._position))

    def add(self, item: _Item) -> None:
        """Merge one chunk; an error event or an invalid payload is recorded, not raised.

        A chunk of the openai SDK (what its ``stream=True`` iterator yields) is
        converted with `from_openai` on the way in. Anything else raises `TypeError`.
        """
        if isinstance(item, ChatCompletionChunk):
            chunk = item
        elif isinstance(item, StreamErrorEvent):
            self._position += 1
            self._errors.append(item)
            self._note("not_a_chunk", f"the stream reported an error: {item.message}")
            return
        elif isinstance(item, InvalidPayload):
            self._position += 1
            self._invalid += 1
            self._note("invalid_payload", f"event {item.position} is not a chunk: {item.error}")
            return
        else:
            chunk = chunk_from_foreign(item)
        self._position += 1
        self._count += 1
        self._merge_header(chunk)
        choices = self._choices
        for choice in chunk.choices:
            state = choices.get(choice.index)
            if state is None:
                state = choices[choice.index] = _Choice()
            self._merge_choice(state, choice)

    def _merge_header(self, chunk: ChatCompletionChunk) -> None:
        # Azure's prompt-filter header has an empty id and model and created 0:
        # the first non-empty values are the completion's.
        if chunk.id and chunk.id != self._last_id:
            if self._last_id:
                self._note("id_changed", f"id changed from {self._last_id!r} to {chunk.id!r}")
            self._id = self._id or chunk.id
            self._last_id = chunk.id
        if chunk.model and chunk.model != self._last_model:
            if self._last_model:
                self._note(
                    "model_changed",
                    f"model changed from {self._last_model!r} to {chunk.model!r}",
                )
            self._model = self._model or chunk.model
            self._last_model = chunk.model
        if chunk.created and chunk.created != self._last_created:
            if self._last_created:
                self._note(
                    "created_changed",
                    f"created changed from {self._last_created} to {chunk.created}",
                )
            self._created = self._created or chunk.created
            self._last_created = chunk.created
        if chunk.system_fingerprint is not None and chunk.system_fingerprint is not UNSET:
            self._system_fingerprint = chunk.system_fingerprint
        if chunk.service_tier is not None and chunk.service_tier is not UNSET:
            self._service_tier = chunk.service_tier
        usage = chunk.usage
        if usage is not None and usage is not UNSET:
            self._usage = usage

    def _merge_choice(self, state: _Choice, choice: ChatCompletionChunkChoice) -> None:
        delta = choice.delta
        if delta.role and not state.role:
            state.role = delta.role
        content = delta.content
        if content is not None and content is not UNSET:
            state.content = _append(state.content, content)
        refusal = delta.refusal
        if refusal is not None and refusal is not UNSET:
            state.refusal = _append(state.refusal, refusal)
        reasoning = delta.reasoning_content or delta.reasoning
        if reasoning:
            state.reasoning = _append(state.reasoning, reasoning)
        if delta.tool_calls:
            self._merge_tool_calls(state, delta)
        function_call = delta.function_call
        if function_call:
            if function_call.name and not state.function_name:
                state.function_name = function_call.name
            state.function_arguments = _append(
                state.function_arguments, function_call.arguments or ""
            )
        finish_reason = choice.finish_reason
        # Some servers send "" until the end: it never replaces a real reason.
        if isinstance(finish_reason, str) and (finish_reason or state.finish_reason is None):
            state.finish_reason = finish_reason
        if choice.stop_reason is not None and choice.stop_reason is not UNSET:
            state.stop_reason = choice.stop_reason
        logprobs = choice.logprobs
        if logprobs:
            if logprobs.content:
                if state.logprobs_content is None:
                    state.logprobs_content = []
                state.logprobs_content.extend(logprobs.content)
            if logprobs.refusal:
                if state.logprobs_refusal is None:
                    state.logprobs_refusal = []
                state.logprobs_refusal.extend(logprobs.refusal)

    def _merge_tool_calls(self, state: _Choice, delta: ChatCompletionChunkDelta) -> None:
        assert delta.tool_calls
        # A set: a list made one delta of N continuation fragments cost O(N²).
        used_here: Set[int] = set()
        for fragment in delta.tool_calls:
            index = fragment.index
            function = fragment.function or None
            name = function.name if function else None
            call = self._call_for(state, fragment.id, index, name, used_here)
            if fragment.id and not call.id:
                if call.arguments.parts or call.arguments.blocks:
                    self._note(
                        "tool_fragment_before_id",
                        f"arguments of tool call {fragment.id!r} arrived before its id",
                    )
                call.id = fragment.id
            if fragment.type and not call.type:
                call.type = fragment.type
            if name:
                if not call.name:
                    call.name = name
                elif name != call.name:
                    self._note(
                        "tool_name_changed",
                        f"tool call {call.id!r} was named {call.name!r}, then {name!r}",
                    )
            if function and function.arguments:
                call.arguments.append(function.arguments)
            extras = fragment.__pydantic_extra__
            if extras:
                for key, value in extras.items():
                    call.extras.setdefault(key, value)

    def _call_for(
        self,
        state: _Choice,
        call_id: OptionalNullable[str],
        index: OptionalNullable[int],
        name: OptionalNullable[str],
        used_here: Set[int],
    ) -> _ToolCall:
        """The call a fragment belongs to, or a new one."""
        calls = state.tool_calls
        if index is None or index is UNSET:
            # Gemini sends each call whole and without index; a fragment that
            # only continues the previous unindexed call (same id, or no id
            # and no name) still belongs to it.
            last = calls[-1] if calls else None
            if (
                last is not None
                and not last.indexed
                and ((call_id and call_id == last.id) or (not call_id and not name))
            ):
                return last
            new = _ToolCall(indexed=False)
            calls.append(new)
            return new
        call: Optional[_ToolCall] = state.tools_by_index.get(index)

        if call is not None and not (call_id and call_id == call.id):
            # Ollama sends several whole calls under one index: a new id, a new
            # name, or the index repeated within one delta starts a new call.
            other_id = bool(call_id) and bool(call.id)
            other_name = bool(name) and bool(call.name) and name != call.name
            if other_name and not other_id:
                self._note(
                    "tool_index_reused",
                    f"index {index} was reused for {name!r} after {call.name!r}",
                )
            if other_id or other_name or (index in used_here and name):
                call = None
        used_here.add(index)
        if call is None:
            call = state.tools_by_index[index] = _ToolCall(indexed=True)
            calls.append(call)
        return call

    def result(self) -> ChatCompletion:
        """The completion as far as the stream has gone; call it any time."""
        choices = [_choice_result(index, state) for index, state in sorted(self._choices.items())]
        return ChatCompletion(
            id=self._id,
            choices=choices,
            created=self._created,
            model=self._model,
            system_fingerprint=self._system_fingerprint,
            service_tier=self._service_tier,
            # A copy: the result must not change when a caller edits the chunk.
            usage=UNSET if self._usage is None else self._usage.model_copy(deep=True),
        )


def _text(text: Optional[_Text]) -> Optional[str]:
    return None if text is None else text.value()


def _choice_result(index: int, state: _Choice) -> ChatCompletionChoice:
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
    message = ChatCompletionMessage(
        role=state.role or "assistant",
        content=_text(state.content),
        refusal=_text(state.refusal),
        reasoning_content=UNSET if reasoning is None else reasoning,
        tool_calls=tool_calls,
        function_call=function_call,
    )
    logprobs = None
    if state.logprobs_content is not None or state.logprobs_refusal is not None:
        logprobs = ChatCompletionChoiceLogprobs(
            content=state.logprobs_content, refusal=state.logprobs_refusal
        )
    return ChatCompletionChoice(
        index=index,
        message=message,
        finish_reason=state.finish_reason,
        logprobs=logprobs,
        stop_reason=state.stop_reason,
    )


class IncompleteStreamError(ValueError):
    """Raised by ``accumulate(..., strict=True)`` when the stream was not whole.

    What was assembled is kept: a caller can still show or log the partial message.
    """

    def __init__(
        self, completion: ChatCompletion, reasons: List[str], end: Optional[StreamEnd]
    ) -> None:
        super().__init__("the stream is incomplete: " + "; ".join(reasons))
        self.completion = completion
        """The completion as far as the stream went."""
        self.reasons = reasons
        """Why it is incomplete (`ChunkAccumulator.incomplete_reasons`)."""
        self.end = end
        """How the stream ended, when known."""


def _finish(accumulator: ChunkAccumulator, items: object, strict: bool) -> ChatCompletion:
    end = getattr(items, "end", None)
    if isinstance(end, StreamEnd):
        accumulator.end = end
    result = accumulator.result()
    if strict and not accumulator.complete:
        raise IncompleteStreamError(result, accumulator.incomplete_reasons, accumulator.end)
    return result


def accumulate(items: Iterable[_Item], *, strict: bool = False) -> ChatCompletion:
    """Merge a whole stream of chunks into its `ChatCompletion` in one call.

    Given a `ChunkStream`, it also takes the stream's `end`. With ``strict``, an
    incomplete stream (`ChunkAccumulator.incomplete_reasons`) raises
    `IncompleteStreamError`, with what was assembled attached.
    """
    accumulator = ChunkAccumulator()
    for item in items:
        accumulator.add(item)
    return _finish(accumulator, items, strict)


async def aaccumulate(items: AsyncIterable[_Item], *, strict: bool = False) -> ChatCompletion:
    """Merge a whole async stream of chunks into its `ChatCompletion`; see `accumulate`."""
    accumulator = ChunkAccumulator()
    async for item in items:
        accumulator.add(item)
    return _finish(accumulator, items, strict)
