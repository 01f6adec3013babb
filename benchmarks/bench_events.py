"""The ``events`` group of ``bench.py``: what the live events cost over plain merging.

On the benchmark corpus, parsed once before the rounds: `ChunkAccumulator.feed` (the
merge plus its events) against `ChunkAccumulator.add` (the merge alone), and
`stream_events` (a generator of the events, then the result) against `accumulate`.
The events must cost at most 1.3 times the merge. Linearity: the same stream ten times
over (the same chunk objects, so the texts and tool arguments grow tenfold) must cost
at most 1.1 times as much per chunk: ten times the chunks, at most eleven times the time.
"""

from typing import Any, Callable, List, Sequence

import chatchunk
from chatchunk._accumulate import ChunkAccumulator, accumulate, stream_events

__all__ = ["ACCUMULATE", "ADD", "FEED", "LONGER", "STREAM", "cases"]

FEED = "chatchunk ChunkAccumulator.feed"
ADD = "chatchunk ChunkAccumulator.add"
STREAM = "chatchunk stream_events"
ACCUMULATE = "chatchunk accumulate"
LONGER = "chatchunk stream_events, the stream 10 times over"


def _add(chunks: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        acc = ChunkAccumulator()
        add = acc.add
        for chunk in chunks:
            add(chunk)
        acc.result()
        return len(chunks)

    return run


def _feed(chunks: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        acc = ChunkAccumulator()
        feed = acc.feed
        for chunk in chunks:
            feed(chunk)
        acc.feed_end()
        acc.result()
        return len(chunks)

    return run


def _stream(chunks: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        acc = ChunkAccumulator()
        for _event in stream_events(chunks, acc):
            pass
        acc.result()
        return len(chunks)

    return run


def _accumulate(chunks: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        accumulate(chunks)
        return len(chunks)

    return run


def cases(data: Any, case: Callable[..., Any]) -> List[Any]:
    """The group's cases at one corpus size; ``case`` is bench.py's `Case`."""
    chunks = [chatchunk.parse_chunk(p) for p in data.payloads]
    n = len(chunks)
    longer = chunks * 10
    return [
        case("events", ADD, "acc.add(chunk) for each chunk; acc.result()", _add(chunks), n),
        case(
            "events",
            FEED,
            "acc.feed(chunk) for each chunk; acc.feed_end(); acc.result()",
            _feed(chunks),
            n,
        ),
        case("events", ACCUMULATE, "accumulate(chunks)", _accumulate(chunks), n),
        case(
            "events",
            STREAM,
            "for event in stream_events(chunks, acc): pass; acc.result()",
            _stream(chunks),
            n,
        ),
        case(
            "events",
            LONGER,
            "the same, over chunks * 10 (per chunk)",
            _stream(longer),
            len(longer),
        ),
    ]
