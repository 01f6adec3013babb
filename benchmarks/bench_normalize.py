"""The ``normalize`` group of ``bench.py``: what `normalize_chunk` costs per chunk.

Measured on the benchmark corpus (OpenAI-shaped, so no rule applies: the no-change
path), against `parse_chunk` on the same payloads in the same run. Beside it, the same
corpus as a DeepSeek/llama.cpp-style server sends it, ``content`` fragments under
``reasoning_content`` and the finish reason ``eos``: the chunks a rule then applies to
take the change path (a copy of the chunk, its choice and its delta). And the stream
form, `Normalizer.add`, on the unchanged corpus.
"""

from typing import Any, Callable, List, Sequence

import chatchunk
from chatchunk._normalize import normalize_chunk
from chatchunk._normalize_stream import Normalizer

__all__ = ["BASELINE", "CHANGED", "NO_CHANGE", "STREAM", "cases"]

NO_CHANGE = "chatchunk normalize_chunk (no change)"
CHANGED = "chatchunk normalize_chunk (chunk with a change)"
STREAM = "chatchunk Normalizer.add (no change)"
BASELINE = "parse_chunk (baseline, same payloads)"


def _provider_shaped(payload: bytes) -> bytes:
    return payload.replace(b'"content":', b'"reasoning_content":').replace(
        b'"finish_reason":"stop"', b'"finish_reason":"eos"'
    )


def _loop(func: Callable[[Any], Any], items: Sequence[Any]) -> Callable[[Any], int]:
    def run(_: Any) -> int:
        for item in items:
            func(item)
        return len(items)

    return run


def cases(data: Any, case: Callable[..., Any]) -> List[Any]:
    """The group's cases at one corpus size; ``case`` is bench.py's `Case`."""
    payloads: Sequence[bytes] = data.payloads
    n = len(payloads)
    chunks = [chatchunk.parse_chunk(p) for p in payloads]
    # Only the chunks a rule applies to (the tool-call and usage chunks have no content
    # to move): the cost of the change path itself.
    shaped = [chatchunk.parse_chunk(_provider_shaped(p)) for p in payloads]
    changed = [c for c in shaped if normalize_chunk(c).changes]
    # The claim the no-change row rests on.
    assert all(not normalize_chunk(c).changes for c in chunks)

    def stream(_: Any) -> int:
        add = Normalizer().add
        for chunk in chunks:
            add(chunk)
        return n

    found = [
        case(
            "normalize",
            NO_CHANGE,
            "chatchunk.normalize_chunk(chunk)",
            _loop(normalize_chunk, chunks),
            n,
        ),
        case(
            "normalize",
            CHANGED,
            "chatchunk.normalize_chunk(chunk), content sent as reasoning_content, finish eos",
            _loop(normalize_chunk, changed),
            len(changed),
        ),
        case("normalize", STREAM, "Normalizer().add(chunk) for each chunk", stream, n),
        case(
            "normalize",
            BASELINE,
            "chatchunk.parse_chunk(payload)",
            _loop(chatchunk.parse_chunk, payloads),
            n,
        ),
    ]
    # A corpus too small to hold a content chunk has no change to measure.
    return [c for c in found if c.ops]
