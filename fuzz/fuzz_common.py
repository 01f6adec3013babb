"""What every fuzz target shares: the `Target` record, `Failure`, and the oracles' helpers.

An oracle raises `Failure` when it does not hold; the runner takes any exception that
escapes a check, other than the `ValueError` a check catches itself, as a failure.
"""

import importlib.util
from typing import Any, Callable, NamedTuple, Optional, Tuple

from fuzz_corpus import Mutator

from chatchunk import ChatCompletionChunk, InvalidPayload, StreamErrorEvent, dump_chunk
from strategies import json_difference

__all__ = ["OPENAI", "Failure", "Target", "expect", "item_key", "same_json"]


class Failure(Exception):
    """An oracle did not hold: the message says which, and how."""


class Target(NamedTuple):
    """One thing to fuzz: how to draw an input, and how to check it."""

    name: str
    weight: float
    """Its share of the time budget, relative to the others."""
    draw: Callable[[Mutator], Any]
    check: Callable[[Any], None]


def expect(condition: bool, message: str) -> None:
    """Raise `Failure` with `message` unless `condition` holds."""
    if not condition:
        raise Failure(message)


def same_json(actual: Any, expected: Any, what: str) -> None:
    """Raise `Failure` unless the two JSON values are equal with equal types everywhere."""
    difference = json_difference(actual, expected)
    expect(difference is None, f"{what}: {difference}")


def item_key(item: Any) -> Any:
    """What identifies an item of `iter_events`, for comparing two runs."""
    if isinstance(item, ChatCompletionChunk):
        return ("chunk", dump_chunk(item))
    if isinstance(item, StreamErrorEvent):
        return ("error", repr(item.error), item.event, item.position)
    if isinstance(item, InvalidPayload):
        return ("invalid", item.data, item.position, item.offset, item.event)
    raise Failure(f"iter_events yielded a {type(item).__name__}")


def _load_openai() -> Optional[Tuple[Callable[[Any], Any], Callable[[Any], Any]]]:
    if importlib.util.find_spec("openai") is None:
        return None
    from chatchunk import from_openai, to_openai

    return from_openai, to_openai


OPENAI = _load_openai()
"""`from_openai` and `to_openai`, when the openai SDK is installed; None otherwise."""
