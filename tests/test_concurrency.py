"""Concurrency: threads sharing inputs, and async consumers cancelled mid-stream.

Threads: eight at once parse, dump, accumulate, read with `iter_chunks` and write with
one shared `ChunkWriter` the provider bodies of `streams.py`, round after round, each
round started by a barrier so that they overlap, with the interpreter's switch
interval made tiny so that they interleave inside calls. Every result must equal the
single-threaded one, and the shared inputs must come out unchanged. On a free-threaded
build (``PYTHON_GIL=0``) the same test runs the threads truly in parallel.

Async: a consumer of `aiter_chunks` or `aaccumulate` is cancelled at a random point of
a source that yields to the loop between pieces; the task must end with
`asyncio.CancelledError` (or its result, when it finished first) and nothing else, the
source's ``finally`` must have run, and nothing may hang.
"""

import asyncio
import random
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from chatchunk import (
    ChatCompletionChunk,
    ChunkWriter,
    StreamError,
    aaccumulate,
    accumulate,
    aiter_chunks,
    dump_chunk,
    iter_chunks,
    parse_chunk,
    to_dict,
)
from streams import STREAMS, chunks_of

THREADS = 8
ROUNDS = 25


def _payloads(body: bytes) -> List[bytes]:
    """The ``data:`` payloads of a well-formed body, as `parse_chunk` takes them."""
    found: List[bytes] = []
    for event in body.split(b"\n\n"):
        if event.startswith(b"data: ") and event != b"data: [DONE]":
            found.append(event[len(b"data: ") :])
    return found


def _pieces(body: bytes, seed: int) -> List[bytes]:
    """The body cut at random places, as a network delivers it."""
    rng = random.Random(seed)
    pieces: List[bytes] = []
    at = 0
    while at < len(body):
        step = rng.randint(1, 64)
        pieces.append(body[at : at + step])
        at += step
    return pieces


class Shared:
    """The inputs every thread reads: bytes, pieces, and parsed chunks."""

    def __init__(self) -> None:
        self.names = sorted(STREAMS)
        self.payloads = {name: _payloads(STREAMS[name][0]) for name in self.names}
        self.pieces = {name: _pieces(STREAMS[name][0], i) for i, name in enumerate(self.names)}
        self.chunks = {name: [parse_chunk(p) for p in self.payloads[name]] for name in self.names}
        self.dumps = {name: [dump_chunk(c) for c in self.chunks[name]] for name in self.names}
        self.script = _writer_script(self.chunks)


Step = Tuple[str, Tuple[Any, ...]]


def _writer_script(chunks: Dict[str, List[ChatCompletionChunk]]) -> List[Step]:
    """The writer calls that the streams' text and tool-call deltas stand for."""
    script: List[Step] = [("role", (0,)), ("role", (1,))]
    for name in sorted(chunks):
        for chunk in chunks[name]:
            for choice in chunk.choices:
                index = choice.index % 2
                delta = choice.delta
                if isinstance(delta.content, str):
                    script.append(("content", (delta.content, index)))
                if isinstance(delta.refusal, str):
                    script.append(("refusal", (delta.refusal, index)))
                for call in delta.tool_calls or ():
                    number = call.index if isinstance(call.index, int) else 0
                    function = call.function or None
                    arguments = function.arguments if function else None
                    if isinstance(call.id, str) and function and isinstance(function.name, str):
                        script.append(("tool_call", (number, call.id, function.name, "", index)))
                    if isinstance(arguments, str):
                        # Each call number's first fragment fills the writer's lazy
                        # cache: threads sharing one writer race to do it.
                        script.append(("tool_arguments", (number, arguments, index)))
    script += [("finish", ("stop", 0)), ("finish", ("tool_calls", 1)), ("done", ())]
    return script


def _read_chunks(pieces: List[bytes]) -> Tuple[List[str], Optional[str], Any]:
    """What `iter_chunks` reads: the chunks, the in-band error if any, and the end."""
    stream = iter_chunks(iter(pieces))
    read: List[str] = []
    try:
        for chunk in stream:
            read.append(dump_chunk(chunk))
    except StreamError as error:
        return read, str(error), stream.end
    return read, None, stream.end


def _work(shared: Shared, order: List[str], writer: ChunkWriter) -> Dict[Tuple[str, str], Any]:
    """One thread's round: every operation on every stream, in the thread's own order."""
    found: Dict[Tuple[str, str], Any] = {}
    for name in order:
        found["parse", name] = [dump_chunk(parse_chunk(p)) for p in shared.payloads[name]]
        found["dump", name] = [dump_chunk(c) for c in shared.chunks[name]]
        found["accumulate", name] = to_dict(accumulate(shared.chunks[name]))
        found["iter_chunks", name] = _read_chunks(shared.pieces[name])
    found["writer", ""] = [getattr(writer, step)(*args) for step, args in shared.script]
    return found


def _writer() -> ChunkWriter:
    return ChunkWriter("chatcmpl-threads", "gpt-4o-mini", 1751900000, choices=2)


@pytest.fixture
def busy_switching() -> Iterator[None]:
    # A thread switch every microsecond instead of every 5 ms: the GIL's threads then
    # interleave inside the library's calls, not only between them.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_threads_sharing_inputs_get_the_single_threaded_results(busy_switching: None) -> None:
    shared = Shared()
    expected = _work(shared, shared.names, _writer())
    # The single-threaded results agree with another reader: the check is not circular.
    for name, (body, _) in STREAMS.items():
        read = [dump_chunk(c) for c in chunks_of(body)]
        assert expected["parse", name] == read, name
        chunks, error, _ = expected["iter_chunks", name]
        assert chunks == (read if error is None else read[: len(chunks)]), name
    barrier = threading.Barrier(THREADS, timeout=60)
    writers: List[ChunkWriter] = []

    def thread(number: int) -> int:
        rotated = shared.names[number:] + shared.names[:number]
        try:
            for round_ in range(ROUNDS):
                if number == 0:
                    writers.append(_writer())  # a fresh one per round: caches fill anew
                barrier.wait()
                found = _work(shared, rotated, writers[round_])
                for key, value in expected.items():
                    assert found[key] == value, (number, round_, key)
                barrier.wait()  # the round is over for all before thread 0 makes a writer
        except BaseException:
            barrier.abort()  # the others stop at once instead of waiting for the timeout
            raise
        return ROUNDS

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(thread, range(THREADS), timeout=300))
    assert done == [ROUNDS] * THREADS
    # Nothing the threads shared was changed by them.
    for name in shared.names:
        assert [dump_chunk(c) for c in shared.chunks[name]] == shared.dumps[name], name
        assert b"".join(shared.pieces[name]) == STREAMS[name][0], name


def test_a_shared_writer_gives_every_thread_the_lone_writers_frames(
    busy_switching: None,
) -> None:
    # 8 threads ask one fresh writer for the first fragment of the same 200 call numbers
    # at once: each frame must be the one a lone writer gives, whoever fills the cache.
    barrier = threading.Barrier(THREADS, timeout=60)
    lone = _writer()
    expected = [lone.tool_arguments(call, f'{{"n":{call}}}', call % 2) for call in range(200)]
    for _ in range(5):
        writer = _writer()

        def thread(number: int, writer: ChunkWriter = writer) -> List[bytes]:
            barrier.wait()
            calls = list(range(200))
            random.Random(number).shuffle(calls)
            frames = {c: writer.tool_arguments(c, f'{{"n":{c}}}', c % 2) for c in calls}
            return [frames[c] for c in range(200)]

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(thread, range(THREADS), timeout=120))
        assert results == [expected] * THREADS


# -- async: cancelled consumers ---------------------------------------------------------------

CANCELLATIONS = 2_000


class Source:
    """An async byte source that yields to the loop before each piece and notes its close."""

    def __init__(self, pieces: List[bytes]) -> None:
        self.pieces = pieces
        self.started = False
        self.closed = False
        self.closed_on_exit: Optional[bool] = None
        """Whether the source was closed when the consumer's own code ended."""
        self.served = 0

    async def __call__(self) -> AsyncIterator[bytes]:
        self.started = True
        try:
            for piece in self.pieces:
                await asyncio.sleep(0)
                self.served += 1
                yield piece
        finally:
            self.closed = True


async def _run(consumer: Callable[[Source], Any], source: Source) -> Any:
    try:
        return await consumer(source)
    finally:
        source.closed_on_exit = source.closed


async def _consume_chunks(source: Source) -> int:
    """A consumer doing its own awaits between chunks (writing them on, say)."""
    count = 0
    async for _ in aiter_chunks(source()):
        count += 1
        await asyncio.sleep(0)
    return count


async def _consume_closing(source: Source) -> int:
    """A consumer that closes the stream itself when it stops, as a careful caller does."""
    count = 0
    stream = aiter_chunks(source())
    try:
        async for _ in stream:
            count += 1
            await asyncio.sleep(0)
    finally:
        await stream.aclose()
    return count


async def _consume_accumulate(source: Source) -> Any:
    return await aaccumulate(aiter_chunks(source()))


CONSUMERS: List[Callable[[Source], Any]] = [
    _consume_chunks,
    _consume_closing,
    _consume_accumulate,
]
# How many loop turns a consumer's source may stay open after the consumer's code ended.
# Only a stream that nobody closes (a consumer cancelled between two chunks, without
# `aclose`) leaves its source to the loop's async-generator finalizer, which schedules the
# source's `aclose` when the generator is freed: measured, within the turns the awaiting
# of the task takes.
CLOSE_TURNS = 10


async def _cancel_many(count: int, seed: int) -> Dict[str, Any]:
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    loop_errors: List[Dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    bodies = [
        body
        for body, _ in STREAMS.values()
        if not _read_chunks([body])[1]  # no in-band error: the consumer reads to the end
    ]
    stats: Dict[str, Any] = {
        "cancelled": 0,
        "finished": 0,
        "late": {(c.__name__, how): 0 for c in CONSUMERS for how in ("cancelled", "finished")},
        "turns": 0,
        "unstarted": 0,
    }
    for i in range(count):
        consumer = CONSUMERS[i % len(CONSUMERS)]
        body = bodies[rng.randrange(len(bodies))]
        source = Source(_pieces(body, rng.randrange(1 << 30)))
        task = asyncio.ensure_future(_run(consumer, source))
        for _ in range(rng.randrange(2 * len(source.pieces) + 2)):
            await asyncio.sleep(0)
        task.cancel()
        # Nothing hangs: the task ends well within the timeout.
        await asyncio.wait_for(asyncio.wait({task}), timeout=10)
        if task.cancelled():
            stats["cancelled"] += 1
        else:
            # It finished before the cancel came: its result, and no other exception.
            assert task.exception() is None, (consumer.__name__, task.exception())
            stats["finished"] += 1
        if not source.started:
            # Cancelled before the source was first read: no code of it ran, and
            # there is nothing to close.
            stats["unstarted"] += 1
            continue
        turns = 0
        while not source.closed and turns < CLOSE_TURNS:
            await asyncio.sleep(0)
            turns += 1
        assert source.closed, (consumer.__name__, i, source.served, len(source.pieces))
        if not source.closed_on_exit:
            how = "cancelled" if task.cancelled() else "finished"
            stats["late"][consumer.__name__, how] += 1
        stats["turns"] = max(stats["turns"], turns)
    stats["loop_errors"] = loop_errors
    return stats


def test_cancelled_consumers_close_their_source_and_raise_only_cancelled() -> None:
    stats = asyncio.run(asyncio.wait_for(_cancel_many(CANCELLATIONS, seed=15), timeout=60))
    # No exception was left to the loop's handler (an `aclose` that failed, say).
    assert stats["loop_errors"] == []
    # The random points fell both mid-stream and after the end.
    assert stats["cancelled"] > CANCELLATIONS // 2
    assert stats["finished"] > 0
    assert stats["cancelled"] + stats["finished"] == CANCELLATIONS
    late = stats["late"]
    # `aaccumulate` is suspended inside the source when cancelled: the CancelledError
    # goes through the source's frame, whose finally runs at once.
    assert late["_consume_accumulate", "cancelled"] == 0
    # A stream closes its source when it stops at `[DONE]` or at the end of the source,
    # and `AsyncChunkStream.aclose` closes it before returning: closed at once.
    # (Before `aclose` closed the source itself, 31 of about 365 cancelled
    # `_consume_closing` runs and nearly all finished runs found it still open.)
    for consumer in ("_consume_chunks", "_consume_closing", "_consume_accumulate"):
        assert late[consumer, "finished"] == 0, consumer
    assert late["_consume_closing", "cancelled"] == 0
    # A stream abandoned mid-way without `aclose` is closed by the finalizer: within a
    # few loop turns (asserted in the loop), and only when the cancel fell between chunks.
    assert stats["turns"] <= CLOSE_TURNS
    assert late["_consume_chunks", "cancelled"] < stats["cancelled"] // 6
    assert stats["unstarted"] < CANCELLATIONS // 10
