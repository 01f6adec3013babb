"""Merge the deltas of a stream into the final `ChatCompletion`, with live events if asked.

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
  ``system_fingerprint`` and ``service_tier`` are the last non-null values seen.
- ``usage`` is merged field by field, the last non-null value of each count, so
  that a later usage with only some counts does not wipe a fuller one.
- The chunk's provider fields (Groq's ``x_groq``, OpenRouter's ``provider``,
  llama.cpp's ``timings``, Perplexity's ``citations``) go onto the completion: the
  last non-null value of each. A delta's provider fields go onto the message by the
  rules in `chatchunk._accumulate_fields` (``reasoning_details`` merged by index,
  ``audio`` joined, ``annotations`` appended, the rest stated there).
"""

from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterable,
    AsyncIterator,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Union,
)

from ._accumulate_fields import Log, StreamAnomaly, merge_usage
from ._accumulate_state import ChoiceState, choice_result, close_calls, merge_choice
from ._chunk import ChatCompletionChunk
from ._completion import ChatCompletion
from ._events import InvalidPayload, StreamEnd, StreamErrorEvent, StreamItem
from ._live import ErrorReceived, StreamEnded, StreamEvent, UsageReceived
from ._openai import chunk_from_foreign
from ._unset import UNSET, OptionalNullable
from ._usage import CompletionUsage

__all__ = [
    "ChunkAccumulator",
    "IncompleteStreamError",
    "StreamAnomaly",
    "aaccumulate",
    "accumulate",
    "astream_events",
    "stream_events",
]

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk as OpenAIChatCompletionChunk

# What `add` takes: the openai SDK's chunks too, converted on the way in.
_Item = Union[StreamItem, InvalidPayload, "OpenAIChatCompletionChunk"]


class ChunkAccumulator:
    """Merge a stream's chunks into the `ChatCompletion` they describe.

    Call `add` for each chunk (or `StreamErrorEvent`, `InvalidPayload`) as it
    arrives and `result` at any time; set `end` from the stream's own `end` when it
    is over, and `complete` says whether the stream was whole. Time and memory are
    linear in the stream. To show the stream as it arrives, call `feed` instead of
    `add`, and `feed_end` at the end: they return typed events (`chatchunk.StreamEvent`).
    """

    def __init__(self) -> None:
        self._choices: Dict[int, ChoiceState] = {}
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
        self._extras: Dict[str, Any] = {}
        self._count = 0
        self._log = Log()
        self._errors: List[StreamErrorEvent] = []
        self._invalid = 0
        # The event list of the `feed` call under way; None in `add`, which then
        # builds no event at all.
        self._sink: Optional[List[StreamEvent]] = None
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
        return list(self._log.anomalies)

    @property
    def errors(self) -> List[StreamErrorEvent]:
        """The in-band error events that were added."""
        return list(self._errors)

    def feed(self, item: _Item) -> List[StreamEvent]:
        """Merge one item exactly as `add` does, and return the events it produced.

        The events of one stream, concatenated, give what `result` assembles; see
        `chatchunk.StreamEvent` for the kinds. Use `feed` or `add` for a whole stream:
        the items given to `add` produce no events, and their tool calls are not
        closed by `feed_end`.
        """
        events: List[StreamEvent] = []
        self._sink = events
        try:
            self.add(item)
        finally:
            self._sink = None
        return events

    def feed_end(self, end: Optional[StreamEnd] = None) -> List[StreamEvent]:
        """Close the stream: a `ToolCallDone` for each call still open, then `StreamEnded`.

        `end` (the stream's `ChunkStream.end`) sets `end` when it is given.
        """
        if end is not None:
            self.end = end
        events: List[StreamEvent] = []
        for _, state in sorted(self._choices.items()):
            close_calls(state, events)
        events.append(StreamEnded(self.end, self.complete, self.incomplete_reasons))
        return events

    def add(self, item: _Item) -> None:
        """Merge one chunk; an error event or an invalid payload is recorded, not raised.

        A chunk of the openai SDK (what its ``stream=True`` iterator yields) is
        converted with `from_openai` on the way in. Anything else raises `TypeError`.
        """
        log = self._log
        sink = self._sink
        if isinstance(item, ChatCompletionChunk):
            chunk = item
        elif isinstance(item, StreamErrorEvent):
            log.position += 1
            self._errors.append(item)
            log.note("not_a_chunk", f"the stream reported an error: {item.message}")
            if sink is not None:
                sink.append(ErrorReceived(item))
            return
        elif isinstance(item, InvalidPayload):
            log.position += 1
            self._invalid += 1
            log.note("invalid_payload", f"event {item.position} is not a chunk: {item.error}")
            if sink is not None:
                sink.append(ErrorReceived(item))
            return
        else:
            chunk = chunk_from_foreign(item)
        log.position += 1
        self._count += 1
        self._merge_header(chunk)
        choices = self._choices
        for choice in chunk.choices:
            state = choices.get(choice.index)
            if state is None:
                state = choices[choice.index] = ChoiceState(choice.index)
            merge_choice(state, choice, log, sink)
        if sink is not None and self._usage is not None:
            usage = chunk.usage
            if usage is not None and usage is not UNSET:
                sink.append(UsageReceived(self._usage))

    def _merge_header(self, chunk: ChatCompletionChunk) -> None:
        # Azure's prompt-filter header has an empty id and model and created 0:
        # the first non-empty values are the completion's.
        if chunk.id and chunk.id != self._last_id:
            if self._last_id:
                self._log.note("id_changed", f"id changed from {self._last_id!r} to {chunk.id!r}")
            self._id = self._id or chunk.id
            self._last_id = chunk.id
        if chunk.model and chunk.model != self._last_model:
            if self._last_model:
                self._log.note(
                    "model_changed",
                    f"model changed from {self._last_model!r} to {chunk.model!r}",
                )
            self._model = self._model or chunk.model
            self._last_model = chunk.model
        if chunk.created and chunk.created != self._last_created:
            if self._last_created:
                self._log.note(
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
            self._usage = merge_usage(self._usage, usage)
        extras = chunk.__pydantic_extra__
        if extras:
            mine = self._extras
            for key, value in extras.items():
                if value is not None or key not in mine:
                    mine[key] = value

    def result(self) -> ChatCompletion:
        """The completion as far as the stream has gone; call it any time."""
        choices = [choice_result(state) for _, state in sorted(self._choices.items())]
        return ChatCompletion(
            id=self._id,
            choices=choices,
            created=self._created,
            model=self._model,
            system_fingerprint=self._system_fingerprint,
            service_tier=self._service_tier,
            # A copy: the result must not change when a caller edits the chunk.
            usage=UNSET if self._usage is None else self._usage.model_copy(deep=True),
            # Validated into new containers: a copy too.
            **self._extras,
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


def stream_events(
    items: Iterable[_Item], accumulator: Optional[ChunkAccumulator] = None
) -> Iterator[StreamEvent]:
    """The events of a whole stream, as they happen, ending with `StreamEnded`.

    Given a `ChunkStream`, it takes the stream's `end` when the stream stops. Pass
    your own `accumulator` to call its `result` afterwards.
    """
    acc = ChunkAccumulator() if accumulator is None else accumulator
    feed = acc.feed
    for item in items:
        yield from feed(item)
    end = getattr(items, "end", None)
    yield from acc.feed_end(end if isinstance(end, StreamEnd) else None)


async def astream_events(
    items: AsyncIterable[_Item], accumulator: Optional[ChunkAccumulator] = None
) -> AsyncIterator[StreamEvent]:
    """The events of a whole async stream, as they happen; see `stream_events`."""
    acc = ChunkAccumulator() if accumulator is None else accumulator
    feed = acc.feed
    async for item in items:
        for event in feed(item):
            yield event
    end = getattr(items, "end", None)
    for event in acc.feed_end(end if isinstance(end, StreamEnd) else None):
        yield event
