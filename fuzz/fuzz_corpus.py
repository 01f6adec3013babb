"""The fuzzer's seeds and mutations: provider-shaped payloads and streams, bent out of shape.

Seeds are the suite's own fixtures (``tests/streams.py`` bodies, ``tests/providers.py``
payloads), imported, so a new fixture is fuzzed the day it is written. A `Mutator` draws
from a seeded `random.Random`: the same seed gives the same inputs in the same order.

Mutations work at three levels: bytes (flips, insertions of the bytes parsers trip on,
truncations, splices of two seeds), JSON values (type swaps, huge and negative numbers,
deep nesting, unicode, keys dropped, added or renamed), and SSE lines (line ends
swapped, comments, fields and BOMs inserted).
"""

import json
import random
import sys
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    List,
    MutableSequence,
    Sequence,
    Tuple,
    TypeVar,
    Union,
    cast,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from providers import BAD_PAYLOADS, provider_cases  # noqa: E402
from streams import STREAMS  # noqa: E402

__all__ = ["BODIES", "PAYLOADS", "Mutator"]

BODIES: List[bytes] = [body for body, _ in STREAMS.values()]
"""Every provider-shaped SSE body of the suite."""


def _payloads_of(body: bytes) -> List[str]:
    found: List[str] = []
    for line in body.decode().split("\n"):
        if line.startswith("data: ") and line != "data: [DONE]":
            found.append(line[6:])
    return found


PAYLOADS: List[str] = [payload for _, payload in provider_cases()] + [
    payload for body in BODIES for payload in _payloads_of(body)
]
"""Every provider-shaped chunk payload of the suite, as text."""

# The bad payloads, less the two 10,000-deep ones (each costs a millisecond to reject,
# and deep nesting is drawn by `_deepen` anyway).
BAD: List[Union[str, bytes]] = [payload for payload, _ in BAD_PAYLOADS if len(payload) < 5000]

_BYTES = [
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b'"',
    b"\\",
    b"\\u",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"0",
    b"-",
    b"e",
    b".",
    b"1e999",
    b"NaN",
    b"null",
    b"true",
    b"data: ",
    b"data: [DONE]\n\n",
    "\u2028".encode(),
    "\U0001f600".encode(),
]
_NUMBERS: List[Any] = [
    0,
    -1,
    1,
    2**31,
    2**53 + 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    -(10**40),
    0.0,
    -0.0,
    1.5,
    -1e-10,
    1e300,
    -1e308,
    5e-324,
    1.0,
    123456789.0,
]
_STRINGS = [
    "",
    " ",
    "\u2028\u2029",
    "\x00",
    "\x7f\x1f",
    "\ud800",
    "\udfff\ud800",
    "\U0001f600",
    "\u00e9\u4e2d",
    "\ufeff",
    '"\\',
    "stop",
    "length",
    "tool_calls",
    "assistant",
    "function",
    "[DONE]",
    "data: x\n\n",
    "\r\n",
    "a" * 300,
]
_KEYS = [
    "id",
    "object",
    "created",
    "model",
    "choices",
    "index",
    "delta",
    "content",
    "role",
    "finish_reason",
    "tool_calls",
    "function",
    "arguments",
    "name",
    "type",
    "usage",
    "logprobs",
    "error",
    "reasoning_content",
    "reasoning",
    "refusal",
    "stop_reason",
    "x_groq",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "system_fingerprint",
    "service_tier",
    "",
    "\u2028",
]
_LINES = [
    b"",
    b":",
    b": keep-alive",
    b"data: [DONE]",
    b"data:",
    b"data",
    b"event: error",
    b"event: message",
    b"event:",
    b"id: 7",
    b"id: 1\x002",
    b"id",
    b"retry: 1500",
    b"retry: 1a",
    b"retry:",
    b"Data: x",
    b"foo: bar",
    b'data: {"error":{"message":"overloaded","type":"server_error"}}',
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}',
    b"\xef\xbb\xbfdata: x",
    "data: \u2028".encode(),
    b"data: \xff",
]
_EOLS = [b"\n", b"\r", b"\r\n"]
_CONTAINERS: List[Any] = [{}, [], [{}], {"index": 0}]
_Cuttable = TypeVar("_Cuttable", str, bytes)


class Mutator:
    """Draws mutated inputs from the seeds with one seeded random generator."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        # The json module's indenting encoder is pure Python and quadratic in depth:
        # deep values drawn since the last `json_text` are written compact.
        self._deep = False
        self.pool: List[Any] = []
        """Inputs a target keeps to draw again (chunks that parsed): one pool per target."""

    # --- bytes -------------------------------------------------------------------------

    def mutate_bytes(self, data: bytes, rounds: int = 0) -> bytes:
        """`data` with one to four byte-level mutations."""
        rng = self.rng
        for _ in range(rounds or rng.randint(1, 4)):
            kind = rng.randrange(7)
            at = rng.randint(0, len(data))
            if kind == 0 and data:  # flip a byte
                at = min(at, len(data) - 1)
                data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
            elif kind == 1:  # insert a byte string parsers trip on
                data = data[:at] + rng.choice(_BYTES) + data[at:]
            elif kind == 2:  # truncate
                data = data[:at]
            elif kind == 3:  # delete a range
                data = data[:at] + data[at + rng.randint(1, 16) :]
            elif kind == 4:  # repeat a range
                end = min(len(data), at + rng.randint(1, 64))
                data = data[:end] + data[at:end] + data[end:]
            elif kind == 5:  # splice another seed in
                other = rng.choice(PAYLOADS).encode()
                cut = rng.randint(0, len(other))
                data = data[:at] + other[cut:]
            elif data:  # flip one bit
                at = min(at, len(data) - 1)
                data = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
        return data

    # --- JSON values ---------------------------------------------------------------------

    def scalar(self) -> Any:
        """A JSON scalar of any type, often an extreme one."""
        kind = self.rng.randrange(5)
        if kind == 0:
            return self.rng.choice(_NUMBERS)
        if kind == 1:
            return self.rng.choice(_STRINGS)
        if kind == 2:
            return self.rng.choice([None, True, False])
        if kind == 3:
            return self.rng.randint(-(2**70), 2**70)
        return self.rng.uniform(-1e6, 1e6)

    def _deepen(self, value: Any) -> Any:
        depth = self.rng.choice([2, 10, 60, 200, 300, 1000])
        self._deep = self._deep or depth > 10
        for _ in range(depth):
            value = [value] if self.rng.random() < 0.5 else {"a": value}
        return value

    def mutate_value(self, value: Any) -> Any:
        """`value` with one change somewhere inside it: a type swap, a key, a number."""
        rng = self.rng
        path: List[Tuple[Any, Any]] = []
        node: Any = value
        while isinstance(node, (dict, list)) and node and rng.random() < 0.75:
            key: Any
            if isinstance(node, dict):
                key = rng.choice(list(cast(Dict[str, Any], node)))
            else:
                key = rng.randrange(len(cast(Sequence[Any], node)))
            container: Any = cast(Any, node)
            path.append((container, key))
            node = container[key]
        kind = rng.randrange(8)
        if isinstance(node, dict) and kind < 3:
            mapping = cast(Dict[str, Any], node)
            if kind == 0 and mapping:
                del mapping[rng.choice(list(mapping))]
            elif kind == 1:
                mapping[rng.choice(_KEYS)] = self.scalar()
            else:
                mapping[rng.choice(_KEYS)] = rng.choice(_CONTAINERS)
            return value
        if isinstance(node, list) and kind < 3:
            items = cast(MutableSequence[Any], node)
            if kind == 0 and items:
                del items[rng.randrange(len(items))]
            elif kind == 1 and items:
                items.append(rng.choice(items))  # shared, never a cycle: wrappers are new
            else:
                items.insert(0, self.scalar())
            return value
        if kind == 3:
            new: Any = self._deepen(node)
        elif kind == 4 and isinstance(node, str):
            at = rng.randint(0, len(node))
            new = node[:at] + rng.choice(_STRINGS) + node[at:]
        elif kind == 5 and isinstance(node, (int, float)) and not isinstance(node, bool):
            new = rng.choice([-node, node * 2**64, node + 0.5, float(node), -0.0, 2**64])
        else:
            new = self.scalar()
        if not path:
            return new
        parent, key = path[-1]
        parent[key] = new
        return value

    def json_text(self, value: Any) -> str:
        """`value` as JSON text, in one of the spellings servers use."""
        rng = self.rng
        kind = rng.randrange(4)
        if self._deep and kind == 2:
            kind = 1
        self._deep = False
        try:
            if kind == 0:
                return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            if kind == 1:
                return json.dumps(value)
            if kind == 2:
                return json.dumps(value, indent=rng.choice([None, 0, 2]), sort_keys=True)
            return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
        except (RecursionError, ValueError):
            return json.dumps(None)

    def payload(self) -> Union[str, bytes]:
        """A chunk payload, as text or bytes: a seed mutated by value or by bytes, or a seed."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return rng.choice(BAD)
        seed = rng.choice(PAYLOADS)
        if roll < 0.15:
            return seed if rng.random() < 0.5 else seed.encode()
        if roll < 0.7:
            value = json.loads(seed)
            for _ in range(rng.randint(1, 3)):
                value = self.mutate_value(value)
            text = self.json_text(value)
            return text if rng.random() < 0.5 else text.encode("utf-8", "surrogatepass")
        return self.mutate_bytes(seed.encode())

    # --- SSE streams ---------------------------------------------------------------------

    def stream(self, max_events: int = 6) -> bytes:
        """An SSE body: a few events of a provider's stream, mutated line by line or by bytes."""
        rng = self.rng
        body = rng.choice(BODIES)
        events = body.split(b"\n\n")
        start = rng.randrange(len(events))
        lines = b"\n\n".join(events[start : start + rng.randint(1, max_events)]).split(b"\n")
        for _ in range(rng.randint(0, 4)):
            kind = rng.randrange(5)
            at = rng.randint(0, len(lines))
            if kind == 0:
                lines.insert(at, rng.choice(_LINES))
            elif kind == 1 and lines:
                del lines[min(at, len(lines) - 1)]
            elif kind == 2 and lines:
                at = min(at, len(lines) - 1)
                lines[at] = self.mutate_bytes(lines[at], 1)
            elif kind == 3:
                lines.insert(
                    at,
                    b"data: "
                    + self.json_text(self.mutate_value(json.loads(rng.choice(PAYLOADS)))).encode(
                        "utf-8", "surrogatepass"
                    ),
                )
            else:
                lines.insert(at, b"")
        eol = rng.choice(_EOLS)
        if rng.random() < 0.3:  # a mix of line ends within one stream
            data = b"".join(line + rng.choice(_EOLS) for line in lines)
        else:
            data = eol.join(lines) + eol * rng.randint(0, 2)
        if rng.random() < 0.1:
            data = b"\xef\xbb\xbf" + data
        if rng.random() < 0.15:
            data = self.mutate_bytes(data, 1)
        return data

    def cut(self, data: _Cuttable, most: int = 8) -> List[_Cuttable]:
        """`data` cut at a few random places (sometimes none, sometimes every byte)."""
        rng = self.rng
        if len(data) < 64 and rng.random() < 0.2:
            return [data[i : i + 1] for i in range(len(data))]
        points: List[int] = sorted(rng.randint(0, len(data)) for _ in range(rng.randint(0, most)))
        pieces: List[_Cuttable] = []
        last = 0
        for point in [*points, len(data)]:
            pieces.append(data[last:point])
            last = point
        return pieces

    def pick(self, options: Sequence[Callable[[], Any]]) -> Any:
        """The result of one of `options`, chosen at random."""
        return self.rng.choice(options)()


def seed_counts() -> Dict[str, int]:
    """How many seeds of each kind there are, for the fuzzer's banner."""
    return {"bodies": len(BODIES), "payloads": len(PAYLOADS), "bad payloads": len(BAD)}
