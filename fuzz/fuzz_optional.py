"""Targets for modules that may not exist yet: `chatchunk._partial` and `chatchunk._normalize`.

Each is looked up with `importlib`; when it is missing (or does not import), its target is
left out and the fuzzer prints a note saying so.
"""

import copy
import importlib
import json
from typing import Any, Callable, List, Optional, Tuple

from fuzz_accumulate import draw_items, valid_chunk
from fuzz_common import Failure, Target, expect, same_json
from fuzz_corpus import PAYLOADS, Mutator

from chatchunk import ChatCompletionChunk, dump_chunk, parse_chunk

__all__ = ["optional_targets"]


def _import(name: str) -> Tuple[Optional[Any], str]:
    try:
        return importlib.import_module(name), ""
    except ImportError as exc:
        return None, f"{name} is absent ({exc}): its target is skipped"
    except Exception as exc:  # a module being written may not import yet
        return None, f"{name} does not import ({type(exc).__name__}: {exc}): target skipped"


# --- chatchunk._partial ------------------------------------------------------------------


def _draw_partial(m: Mutator) -> Tuple[str, List[str]]:
    rng = m.rng
    value: Any = json.loads(rng.choice(PAYLOADS))
    roll = rng.random()
    if roll < 0.3:  # tool arguments are often a small object or a piece of one
        value = rng.choice([value.get("choices", []), value.get("usage"), {"q": m.scalar()}])
    for _ in range(rng.randint(0, 2)):
        value = m.mutate_value(value)
    text = m.json_text(value)
    if rng.random() < 0.3:
        text = m.mutate_bytes(text.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    if rng.random() < 0.2:
        text = rng.choice([" ", "\n\t", ""]) + text + rng.choice(["", " ", "x", "]"])
    pieces = m.cut(text, 10)
    return text, pieces


def _partial_check(module: Any) -> Callable[[Tuple[str, List[str]]], None]:
    parse_partial = module.parse_partial
    error_type = module.PartialJSONError

    def one_shot(text: str) -> Tuple[Any, bool]:
        """`parse_partial` of the text, copied (the parser's containers are live); failed?"""
        try:
            return copy.deepcopy(parse_partial(text)), False
        except error_type:
            return None, True

    def check(case: Tuple[str, List[str]]) -> None:
        """Fragments and one-shot agree; only PartialJSONError escapes; whole JSON is json.loads."""
        _, pieces = case
        parser = module.PartialJSON()
        prefix = ""
        failed = False
        for piece in pieces:
            parser.feed(piece)
            prefix += piece
            got: Any = None
            try:
                got = parser.value()
            except error_type:
                failed = True
            except ValueError as exc:
                raise Failure(f"PartialJSON raised {exc!r}, not PartialJSONError") from None
            expected, expected_failed = one_shot(prefix)
            expect(
                failed == expected_failed, f"fragments fail {failed}, one-shot {expected_failed}"
            )
            if failed:
                return
            same_json(got, expected, f"after {len(prefix)} characters")
        expect(parser.text == prefix, "PartialJSON.text is not the text fed")
        try:
            whole = json.loads(prefix, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return
        expect(parser.complete, "a whole JSON text is not complete")
        same_json(parser.value(), whole, "the whole text vs json.loads")

    return check


def _no_constant(text: str) -> Any:
    raise ValueError(text)


# --- chatchunk._normalize ----------------------------------------------------------------


def _draw_chunk(m: Mutator) -> Optional[ChatCompletionChunk]:
    return valid_chunk(m)


def _normalize_check(module: Any) -> Callable[[Optional[ChatCompletionChunk]], None]:
    normalize_chunk = module.normalize_chunk

    def check(chunk: Optional[ChatCompletionChunk]) -> None:
        """The caller's chunk stays as it was; the result round-trips; twice changes no more."""
        if chunk is None:
            return
        before = dump_chunk(chunk)
        try:
            result = normalize_chunk(chunk)
        except ValueError:
            return
        expect(dump_chunk(chunk) == before, "normalize_chunk changed the caller's chunk")
        text = dump_chunk(result.chunk)
        expect(parse_chunk(text) == result.chunk, "the normalized chunk does not round-trip")
        if not result.changes:
            expect(text == before, "no change listed, yet the chunk changed")
        twice = normalize_chunk(result.chunk)
        expect(dump_chunk(twice.chunk) == text, "normalizing twice changed the chunk again")

    return check


def _draw_stream_case(m: Mutator) -> Tuple[int, List[Any]]:
    return m.rng.randrange(1 << 16), draw_items(m)


def _normalizer_check(module: Any, options_type: Any) -> Callable[[Tuple[int, List[Any]]], None]:
    choices = {
        "reasoning": ("reasoning", "reasoning_content", "keep"),
        "usage": ("keep", "last"),
        "header": ("keep", "drop", "merge"),
        "nulls": ("keep", "openai", "omit"),
        "lossless": (True, False),
    }

    def check(case: Tuple[int, List[Any]]) -> None:
        """A `Normalizer` takes any sequence of chunks; what it gives back round-trips."""
        bits, items = case
        options = {}
        for name, values in choices.items():
            options[name] = values[bits % len(values)]
            bits //= len(values)
        normalizer = module.Normalizer(options_type(**options))
        out: List[ChatCompletionChunk] = []
        for item in items:
            if isinstance(item, ChatCompletionChunk):
                before = dump_chunk(item)
                try:
                    out.extend(normalizer.add(item))
                except ValueError:
                    continue
                expect(dump_chunk(item) == before, "Normalizer.add changed the caller's chunk")
        try:
            out.extend(normalizer.finish())
        except ValueError:
            return
        for chunk in out:
            again = parse_chunk(dump_chunk(chunk))
            expect(again == chunk, f"a normalized chunk does not round-trip ({options})")

    return check


def optional_targets() -> Tuple[List[Target], List[str]]:
    """The targets of the optional modules that import, and a note for each that does not."""
    targets: List[Target] = []
    notes: List[str] = []
    partial, note = _import("chatchunk._partial")
    if partial is None:
        notes.append(note)
    else:
        targets.append(Target("partial_json", 1.5, _draw_partial, _partial_check(partial)))
    normalize, note = _import("chatchunk._normalize")
    if normalize is None:
        notes.append(note)
        return targets, notes
    targets.append(Target("normalize_chunk", 0.8, _draw_chunk, _normalize_check(normalize)))
    stream, note = _import("chatchunk._normalize_stream")
    holder = stream if stream is not None and hasattr(stream, "Normalizer") else normalize
    if hasattr(holder, "Normalizer") and hasattr(normalize, "NormalizeOptions"):
        check = _normalizer_check(holder, normalize.NormalizeOptions)
        targets.append(Target("normalizer", 0.5, _draw_stream_case, check))
    else:
        notes.append(f"no Normalizer found ({note or 'not in chatchunk._normalize'}): skipped")
    return targets, notes
