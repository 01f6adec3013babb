"""The accumulator's targets: `ChunkAccumulator`, `accumulate` and `StreamConformance`.

Random sequences of provider-shaped chunks (and now and then an in-band error) must be
taken without raising, assembled into a completion that round-trips, with each choice's
text the join of its fragments.
"""

import contextlib
from typing import Any, Dict, List, Optional

from fuzz_common import OPENAI, Failure, expect, same_json
from fuzz_corpus import Mutator

from chatchunk import (
    ChatCompletion,
    ChatCompletionChunk,
    ChunkAccumulator,
    StreamConformance,
    StreamErrorEvent,
    accumulate,
    dump,
    parse,
    parse_chunk,
    to_dict,
)

__all__ = ["check_completion", "check_items", "draw_items", "valid_chunk"]


def valid_chunk(m: Mutator) -> Optional[ChatCompletionChunk]:
    """A chunk parsed from a fresh mutated payload, or one from the pool of earlier ones."""
    pool = m.pool
    try:
        chunk = parse_chunk(m.payload())
    except ValueError:
        return m.rng.choice(pool) if pool else None
    if len(pool) < 4000:
        pool.append(chunk)
    else:
        pool[m.rng.randrange(len(pool))] = chunk
    return chunk


def draw_items(m: Mutator) -> List[Any]:
    """A stream's items: up to 16 chunks, fresh or from the pool, and now and then an error."""
    items: List[Any] = []
    for _ in range(m.rng.randint(1, 16)):
        roll = m.rng.random()
        if roll < 0.05:
            items.append(StreamErrorEvent({"message": "overloaded"}, {}, "error", len(items) + 1))
            continue
        chunk = valid_chunk(m) if roll < 0.4 or not m.pool else m.rng.choice(m.pool)
        if chunk is not None:
            items.append(chunk)
    return items


def check_completion(completion: ChatCompletion) -> None:
    """An assembled completion dumps, parses back equal, and converts to the SDK and back."""
    try:
        text = dump(completion)
    except ValueError as exc:
        raise Failure(f"an assembled completion cannot be dumped: {exc!r}") from None
    again = parse(ChatCompletion, text)
    expect(again == completion, "parse(ChatCompletion, dump(c)) != c")
    same_json(to_dict(again), to_dict(completion), "completion to_dict after the round trip")
    if OPENAI is not None:
        sdk = OPENAI[1](completion)
        expect(OPENAI[0](sdk) == completion, "from_openai(to_openai(c)) != c")


def check_items(items: List[Any]) -> None:
    """The accumulator takes any sequence, reports instead of raising, and joins the text."""
    accumulator = ChunkAccumulator()
    conformance = StreamConformance()
    texts: Dict[int, List[str]] = {}
    for item in items:
        try:
            accumulator.add(item)
        except ValueError as exc:
            raise Failure(f"ChunkAccumulator.add raised {exc!r}") from None
        conformance.add(item)
        if isinstance(item, ChatCompletionChunk):
            for part in item.choices:
                content = part.delta.content
                if isinstance(content, str):
                    texts.setdefault(part.index, []).append(content)
                else:
                    texts.setdefault(part.index, [])
    conformance.finish(done=False)
    completion = accumulator.result()
    check_completion(completion)
    for choice in completion.choices:
        parts = texts.get(choice.index)
        expect(parts is not None, f"choice {choice.index} came from nowhere")
        expected = "".join(parts) if parts else None
        got = choice.message.content
        expect(got == expected, f"choice {choice.index} content {got!r} vs {expected!r}")
    expect(sorted(texts) == [c.index for c in completion.choices], "choices lost or added")
    expect(dump(accumulate(items)) == dump(completion), "accumulate() != ChunkAccumulator")
    with contextlib.suppress(ValueError):  # strict: an incomplete stream may raise
        accumulate(items, strict=True)
