"""Normalize a whole stream: the rules that need its state, and how the stream ended.

`Normalizer` takes a stream's chunks one at a time and keeps what the stream-level
rules need: the tool calls of each choice (to number calls without ``index`` and to
split calls that share one), the last usage (``usage="last"``) and Azure's
prompt-filter header (``header="drop"`` or ``"merge"``). `normalize_stream` and
`anormalize_stream` run one over an iterable of stream items and return a
`ChunkStream` (or `AsyncChunkStream`) that keeps the source's ``end``, so that
`encode_stream` still writes ``data: [DONE]`` only after a whole upstream.
"""

from typing import (
    Any,
    AsyncIterable,
    AsyncIterator,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
    TypeVar,
)

from ._chunk import ChatCompletionChunk
from ._events import StreamEnd, StreamErrorEvent
from ._normalize import copy_model, plain, rules_for, set_extra
from ._normalize_types import DEFAULT_OPTIONS, Change, NormalizeOptions, ToolCalls
from ._stream import (
    AsyncChunkStream,
    ChunkStream,
    _Ends,  # pyright: ignore[reportPrivateUsage]
    _State,  # pyright: ignore[reportPrivateUsage]
)
from ._unset import UNSET

__all__ = [
    "AsyncNormalizedStream",
    "NormalizedStream",
    "Normalizer",
    "anormalize_stream",
    "is_header",
    "normalize_stream",
]

T = TypeVar("T")
_Chunk = ChatCompletionChunk


def is_header(chunk: ChatCompletionChunk) -> bool:
    """Whether ``chunk`` is a prompt-filter header: empty ``id`` and ``model``, ``created``
    0, no choices and no usage (Azure OpenAI's first chunk)."""
    return (
        not chunk.id
        and not chunk.model
        and not chunk.created
        and not chunk.choices
        and not chunk.usage
    )


class Normalizer:
    """Normalize one stream, chunk by chunk, with the rules that need its state.

    Feed each chunk to `add`, which returns the chunks to pass on (none while a header
    is held back, two when one is released); call `finish` at the end for what is still
    held (the last usage with ``usage="last"``, a header with nothing after it). Every
    change is appended to `changes`, with the chunk's number in the stream; a reader of
    a long stream may clear that list as it goes. Use one normalizer per stream.
    """

    def __init__(self, options: NormalizeOptions = DEFAULT_OPTIONS) -> None:
        if not isinstance(options, NormalizeOptions):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"options must be NormalizeOptions, got {type(options).__name__}")
        self.options = options
        self.changes: List[Change] = []
        """Every change so far, in order."""
        self._rules = rules_for(options)
        self._unchanged = self._rules.unchanged_in_stream
        # No rule of these options holds a chunk back: the common case returns at once.
        self._plain = options.usage == "keep" and options.header == "keep"
        self._calls: Dict[int, ToolCalls] = {}
        self._count = 0
        self._header: Optional[Tuple[ChatCompletionChunk, int]] = None
        self._usage: Optional[Tuple[ChatCompletionChunk, int]] = None
        """The chunk the last usage came on (held back with ``usage="last"``), and its number."""
        self._finished = False

    @property
    def chunk_count(self) -> int:
        """How many chunks were added."""
        return self._count

    def add(self, chunk: ChatCompletionChunk) -> List[ChatCompletionChunk]:
        """Take the stream's next chunk; return the chunks to pass on, in order."""
        if type(chunk) is not ChatCompletionChunk and not isinstance(chunk, ChatCompletionChunk):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"chunk must be a ChatCompletionChunk, got {type(chunk).__name__}")
        if self._finished:
            raise ValueError("this Normalizer has finished its stream; use a new one")
        self._count += 1
        if self._plain and self._unchanged(chunk):
            return [chunk]
        number = self._count
        options = self.options
        out: List[ChatCompletionChunk] = []
        if options.header != "keep" and is_header(chunk):
            if options.header == "drop":
                self.changes.append(Change("header_dropped", "", plain(chunk), UNSET, number))
                return out
            if self._header is not None:
                held, first = self._header
                if any(name in (held.__pydantic_extra__ or {}) for name in chunk.model_extra or {}):
                    out.append(self._release_header())
                else:
                    # Two headers in a row are one: so that normalizing again merges nothing.
                    merged = copy_model(held)
                    for name, value in (chunk.model_extra or {}).items():
                        set_extra(merged, name, value)
                    self._header = (merged, first)
                    return out
            self._header = (chunk, number)
            return out
        if self._header is not None:
            chunk = self._merge_header(chunk, number, out)
        # After the merge: the header's extras take the rules too (Groq's usage).
        chunk = self._rules.apply(chunk, number, self.changes, self._calls)
        if options.usage == "last" and chunk.usage:
            chunk = self._hold_usage(chunk, number)
        out.append(chunk)
        return out

    def flush_header(self) -> List[ChatCompletionChunk]:
        """A header still held back, as a chunk of its own; for a caller about to pass on
        something else (an in-band error) that the header must not follow."""
        if self._header is None:
            return []
        return [self._release_header()]

    def finish(self) -> List[ChatCompletionChunk]:
        """End the stream; return the chunks still held back. Later calls return none."""
        if self._finished:
            return []
        self._finished = True
        out: List[ChatCompletionChunk] = []
        if self._usage is not None:
            source, number = self._usage
            self._usage = None
            usage = source.usage
            head = {
                name: getattr(source, name)
                for name in (
                    "id",
                    "created",
                    "model",
                    "object",
                    "system_fingerprint",
                    "service_tier",
                )
                if name in source.__pydantic_fields_set__
            }
            # Built from the model's own values: no validation, nothing to re-read.
            alone = ChatCompletionChunk.model_construct(choices=[], usage=usage, **head)
            self.changes.append(Change("usage_chunk_added", "usage", UNSET, plain(usage), number))
            out.append(alone)
        # A header with nothing after it goes last: normalizing the output again then
        # finds it at the end again, with nothing to merge it into.
        out.extend(self.flush_header())
        return out

    def transform(self, chunk: ChatCompletionChunk) -> Optional[ChatCompletionChunk]:
        """`add` for one chunk in, at most one out: a `relay` transform.

        Raises `ValueError` when the options hold chunks back (``usage="last"``,
        ``header="merge"``): a relay could not write them at the end. Use
        `normalize_stream` with `encode_stream` for those.
        """
        if self.options.usage == "last" or self.options.header == "merge":
            raise ValueError(
                "usage='last' and header='merge' hold chunks back, which a relay transform"
                " cannot write at the end: use encode_stream(normalize_stream(iter_events(...)))"
            )
        out = self.add(chunk)
        return out[0] if out else None

    def _release_header(self) -> ChatCompletionChunk:
        assert self._header is not None
        header, number = self._header
        self._header = None
        return self._rules.apply(header, number, self.changes, self._calls)

    def _merge_header(
        self, chunk: ChatCompletionChunk, number: int, out: List[ChatCompletionChunk]
    ) -> ChatCompletionChunk:
        assert self._header is not None
        header, _ = self._header
        moved = header.__pydantic_extra__ or {}
        have = chunk.__pydantic_extra__ or {}
        if any(name in have for name in moved):
            # The next chunk has its own value under that name: nothing is merged over it.
            out.append(self._release_header())
            return chunk
        self._header = None
        new = copy_model(chunk)
        for name, value in moved.items():
            set_extra(new, name, value)
            self.changes.append(Change("header_merged", name, UNSET, value, number))
        if not moved:
            self.changes.append(Change("header_merged", "", UNSET, UNSET, number))
        return new  # type: ignore[no-any-return]

    def _hold_usage(self, chunk: ChatCompletionChunk, number: int) -> ChatCompletionChunk:
        if not chunk.choices:
            self._usage = None  # a usage chunk of its own, as OpenAI sends it
            return chunk
        # Removed here and held: a later usage supersedes it (a running count is
        # reported, not kept), or `finish` writes it in a chunk of its own.
        self.changes.append(Change("usage_removed", "usage", plain(chunk.usage), None, number))
        self._usage = (chunk, number)
        new = copy_model(chunk)
        # null, not absent: OpenAI's own shape, and it tells the rule that copies
        # Groq's x_groq.usage that this chunk has had its usage.
        object.__setattr__(new, "usage", None)
        return new  # type: ignore[no-any-return]


class NormalizedStream(ChunkStream[T]):
    """The items of a stream, normalized; then how the source ended (`end`).

    Returned by `normalize_stream`. Chunks come out normalized, in-band errors and
    invalid payloads as they came; `changes` lists what was changed.
    """

    __slots__ = ("normalizer",)

    def __init__(self, items: Iterator[T], state: "_State", normalizer: Normalizer) -> None:
        super().__init__(items, state)
        self.normalizer = normalizer
        """The `Normalizer` at work, with its options."""

    @property
    def changes(self) -> List[Change]:
        """Every change made so far (the normalizer's list itself)."""
        return self.normalizer.changes


class AsyncNormalizedStream(AsyncChunkStream[T]):
    """The async form of `NormalizedStream`, returned by `anormalize_stream`."""

    __slots__ = ("normalizer",)

    def __init__(self, items: AsyncIterator[T], state: "_State", normalizer: Normalizer) -> None:
        super().__init__(items, state)
        self.normalizer = normalizer
        """The `Normalizer` at work, with its options."""

    @property
    def changes(self) -> List[Change]:
        """Every change made so far (the normalizer's list itself)."""
        return self.normalizer.changes


def _source_state(items: object) -> Tuple["_State", bool]:
    """The end state to show: the source's own, or a new one this stream writes."""
    if isinstance(items, _Ends):
        return items._state, False  # pyright: ignore[reportPrivateUsage]
    return _State(), True


def _ended(state: "_State") -> None:
    # A plain iterable that is exhausted without raising ended as it should, as
    # `encode_stream` counts it.
    state.done = True
    state.end = StreamEnd.ERROR if state.errors else StreamEnd.DONE


def _items(
    items: Iterable[Any], normalizer: Normalizer, state: "_State", own: bool
) -> Iterator[Any]:
    add = normalizer.add
    try:
        for item in items:
            if type(item) is _Chunk or isinstance(item, _Chunk):
                out = add(item)
                if len(out) == 1:
                    yield out[0]
                else:
                    yield from out
                continue
            # A held header goes out before what follows it in the stream.
            yield from normalizer.flush_header()
            if own and isinstance(item, StreamErrorEvent):
                state.errors.append(item)
            yield item
        yield from normalizer.finish()
        if own:
            _ended(state)
    except GeneratorExit:
        raise
    except BaseException:
        if own and state.end is None:
            state.end = StreamEnd.FAILED
        raise


async def _aitems(
    items: AsyncIterable[Any], normalizer: Normalizer, state: "_State", own: bool
) -> AsyncIterator[Any]:
    add = normalizer.add
    try:
        async for item in items:
            if type(item) is _Chunk or isinstance(item, _Chunk):
                for chunk in add(item):
                    yield chunk
                continue
            for chunk in normalizer.flush_header():
                yield chunk
            if own and isinstance(item, StreamErrorEvent):
                state.errors.append(item)
            yield item
        for chunk in normalizer.finish():
            yield chunk
        if own:
            _ended(state)
    except GeneratorExit:
        raise
    except BaseException:
        if own and state.end is None:
            state.end = StreamEnd.FAILED
        raise


def _normalizer(options: NormalizeOptions) -> Normalizer:
    return Normalizer(options)


def normalize_stream(
    items: Iterable[T], options: NormalizeOptions = DEFAULT_OPTIONS
) -> NormalizedStream[T]:
    """Normalize the chunks of a stream; pass its other items (in-band errors, invalid
    payloads) through as they came.

    ``items`` is what `iter_events` or `iter_chunks` return, or any iterable of
    chunks: the result's `end` is then the source's own, and `encode_stream` writes
    ``data: [DONE]`` after it only when the source had it. For a plain iterable, `end`
    is `StreamEnd.DONE` once it is exhausted without raising (`ERROR` if it held an
    error event), `FAILED` if it raised. Chunks held back (a header, the last usage)
    come out before the next item, or at the end.
    """
    normalizer = _normalizer(options)
    try:
        iterator = iter(items)
    except TypeError:
        raise TypeError(f"items must be iterable, got {type(items).__name__}") from None
    state, own = _source_state(items)
    return NormalizedStream(_items(iterator, normalizer, state, own), state, normalizer)


def anormalize_stream(
    items: AsyncIterable[T], options: NormalizeOptions = DEFAULT_OPTIONS
) -> AsyncNormalizedStream[T]:
    """The async form of `normalize_stream`, for what `aiter_events` or `aiter_chunks`
    return, or any async iterable of chunks."""
    normalizer = _normalizer(options)
    if not hasattr(items, "__aiter__"):
        raise TypeError(f"items must be async iterable, got {type(items).__name__}")
    state, own = _source_state(items)
    return AsyncNormalizedStream(_aitems(items, normalizer, state, own), state, normalizer)
