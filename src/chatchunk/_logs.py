"""Telling apart the streams of a log that holds many: one rule, for every command.

A JSON Lines log of many requests, or an SSE file of several responses, holds one
stream after another with nothing between them but, in SSE, ``data: [DONE]``. A new
stream begins:

1. after ``data: [DONE]`` (SSE), at whatever comes next;
2. at a chunk that opens a message, when every choice of the stream so far has a
   finish reason and the chunk's id is not the stream's: it differs from the
   stream's last non-empty id or, when either id is empty (servers that send none),
   the chunk brings back a choice index that already finished;
3. at a chunk that opens a message with a ``role`` and a new non-empty id, when the
   stream so far is unfinished but its chunks, two or more, all had one id: that
   stream was cut off, and this is the first chunk of the next response.

A chunk opens a message when one of its choices has a ``delta`` that carries a value:
a role, some text, a tool call; not only nulls and empty strings. Everything else
belongs to the stream before it: chunks without choices (a usage-only last chunk,
Azure's prompt-filter chunk), choices without a delta or with an empty one (Azure's
content-filter annotations after the finish, LiteLLM's trailing usage chunk with a
delta of nulls), a chunk with the stream's own id (OpenRouter's usage chunk repeats
the role after the finish), in-band errors and invalid payloads. A provider that
changes the id on every chunk (LiteLLM's Gemini translation) still reads as one
stream: an id counts only once every choice has finished, or when the stream's ids
were steady. What the rule cannot see: a stream cut off before it finished merges with
the next one when its own ids changed from chunk to chunk, when it held one chunk only,
or when the next one has the same id or no role in its first chunk.

`StreamSplitter` applies rules 2 and 3 to one item at a time; `split` runs it over a
`Reader` with rule 1 and says where and how each stream ended.
"""

from typing import Dict, Iterator, List, NamedTuple, Optional, Union

from ._chunk import ChatCompletionChunk
from ._events import StreamEnd
from ._inputs import Item, Payload, Place, Reader

__all__ = ["Ended", "StreamSplitter", "split"]


def _opens_message(chunk: ChatCompletionChunk) -> bool:
    """Whether a choice's delta carries a value: not only nulls, empty strings or lists."""
    for choice in chunk.choices:
        delta = choice.delta
        if any(getattr(delta, name) for name in delta.model_fields_set):
            return True
        extra = delta.model_extra
        if extra and any(extra.values()):
            return True
    return False


class StreamSplitter:
    """Whether each item of a log begins a new stream, by rules 2 and 3 of the module.

    For each item in order: ask `begins`; if it does, `reset`; then `add` it. `reset`
    also ends a stream at ``data: [DONE]``. Memory stays constant: a flag per choice.
    """

    __slots__ = ("_finished", "_id", "_open", "_steady")

    def __init__(self) -> None:
        self._finished: Dict[int, bool] = {}  # choice index: has a finish reason
        self._open = 0  # choices without a finish reason
        self._id = ""  # the stream's last non-empty id
        self._steady = 0  # chunks that had that id, while it never changed; -1 once it did

    def reset(self) -> None:
        """Start afresh: the stream so far is over."""
        self._finished.clear()
        self._open = 0
        self._id = ""
        self._steady = 0

    @property
    def unfinished(self) -> List[int]:
        """The indices of the stream's choices that have no finish reason yet."""
        return [index for index, done in sorted(self._finished.items()) if not done]

    def begins(self, item: Item) -> bool:
        """Whether ``item`` begins a new stream after the items added so far.

        False when nothing was added yet: the first stream's start is the caller's to see.
        """
        if not isinstance(item, ChatCompletionChunk):
            return False
        chunk_id = item.id
        if self._open:  # rule 3: the stream so far was cut off
            if self._steady < 2 or not chunk_id or chunk_id == self._id:
                return False
            return any(choice.delta.role for choice in item.choices)
        finished = self._finished
        if not finished:
            return False
        if chunk_id and self._id:  # rule 2
            if chunk_id == self._id:
                return False
        elif not any(choice.index in finished for choice in item.choices):
            return False
        return _opens_message(item)

    def add(self, item: Item) -> None:
        """Take the next item of the current stream."""
        if not isinstance(item, ChatCompletionChunk):
            return
        chunk_id = item.id
        if chunk_id:
            if chunk_id == self._id:
                if self._steady >= 0:
                    self._steady += 1
            else:
                self._steady = -1 if self._id else 1
                self._id = chunk_id
        finished = self._finished
        for choice in item.choices:
            index = choice.index
            reason = choice.finish_reason
            if isinstance(reason, str) and reason:
                if finished.get(index) is False:
                    self._open -= 1
                finished[index] = True
            elif index not in finished:
                finished[index] = False
                self._open += 1


class Ended(NamedTuple):
    """A stream of the input is over."""

    end: Optional[StreamEnd]
    """How: `StreamEnd.DONE` at ``data: [DONE]``; for SSE otherwise `StreamEnd.EOF`
    (the next stream began, or the input ended), `StreamEnd.TRUNCATED` (the input ended
    inside an event) or `StreamEnd.FAILED` (an event too large to read); None for JSON
    Lines and JSON, which have no ``[DONE]``."""
    place: Place
    """Where its last payload is."""
    payloads: int
    """How many payloads it held, ``[DONE]`` and a dropped event not counted."""
    unfinished: List[int]
    """The indices of its choices that got no finish reason."""


def split(reader: Reader) -> Iterator[Union[Payload, Ended]]:
    """The payloads of an input, each stream followed by its `Ended`.

    ``[DONE]`` payloads are not yielded: they become the `Ended` of their stream.
    """
    splitter = StreamSplitter()
    add = splitter.add
    between = StreamEnd.EOF if reader.mode == "sse" else None
    last: Optional[Place] = None  # the current stream's last payload; None between streams
    payloads = 0
    for payload in reader.payloads():
        if payload.done:
            if last is not None:
                yield Ended(StreamEnd.DONE, last, payloads, splitter.unfinished)
                splitter.reset()
                last = None
            continue
        items = payload.items
        if last is not None and items and splitter.begins(items[0]):
            yield Ended(between, last, payloads, splitter.unfinished)
            splitter.reset()
            last = None
        if last is None:
            payloads = 0
        last = payload.place
        if not payload.unterminated:
            payloads += 1
        for item in items:
            add(item)
        yield payload
    if last is not None:
        end = between
        if reader.failed:
            end = StreamEnd.FAILED
        elif reader.truncated:
            end = StreamEnd.TRUNCATED
        yield Ended(end, last, payloads, splitter.unfinished)
