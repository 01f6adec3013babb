"""Scaling rows: how the time of a public call grows on hostile input shapes.

Run:  python benchmarks/scaling.py                 # the full table: 5 CPU minutes
      python benchmarks/scaling.py --only tiny-events,cr-only --repeat 5
      python benchmarks/bench.py --only scaling     # the same table inside the report

Each row is one call a user makes (`iter_events`, `parse_chunk`, `dump_chunk`,
`accumulate`, `SSEDecoder.feed`, ...) on one shape a server or an attacker can send:
thousands of tiny events, a body in 1-byte pieces, CR-only line ends, 10^5 choices or
tool calls in one chunk, tool indices near 10^18 or negative, 10^6 argument fragments,
a 50 MB content string. Each row is timed at three sizes, each size in a fresh
subprocess (the input is built there, untimed), and the report gives the seconds per
size and the growth exponent: the slope of log(time) against log(size), between the
smallest and the largest size and between the last two. 1 is linear; a row is flagged
above `LIMIT`.

How the garbage collector's share is taken out: the input is built, then
`gc.collect()` and `gc.freeze()` move it out of the collector's reach; each timed run
starts after `gc.collect()`, and runs alternately with the collector disabled
(`gc.disable()` for the run, the "gc off" column) and enabled ("gc on"). The best run of
each mode is kept. Times are the process's CPU time (`time.process_time()`), not wall
time: on a shared machine with more runnable processes than cores, wall times of the same
call moved 5x from one run to the next, CPU times by a few percent. The gc-off time is the
call's own cost; gc on minus gc off is what the collector's passes over the objects the
call creates add. The verdict is on the gc-off exponents; both are printed.
"""

import argparse
import gc
import importlib
import importlib.util
import json
import math
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import chatchunk

LIMIT = 1.2
"""The highest growth exponent a row may show with the collector off."""

GC_NOTE = (
    "gc off = each timed run between `gc.collect(); gc.disable()` and `gc.enable()`, with "
    "the input built beforehand and frozen out of the collector (`gc.freeze()`); "
    "gc on = the same run with the collector enabled. CPU seconds of the process "
    "(`time.process_time()`), best of the runs of each mode; each size in a fresh "
    "subprocess. The verdict is on the gc-off exponents."
)

X = "\u00d7"  # the multiplication sign, spelled out for the linter

# -- growth exponent -----------------------------------------------------------------------


def exponent(n0: float, t0: float, n1: float, t1: float) -> float:
    """The growth exponent between two sizes: the slope of log(time) against log(size).

    `t = c * n ** k` gives `k`: 1 is linear, 2 quadratic. Sizes and times must be
    positive and the sizes different; otherwise `ValueError`.
    """
    if n0 <= 0 or n1 <= 0 or t0 <= 0 or t1 <= 0:
        raise ValueError(f"sizes and times must be positive, got {n0}, {t0}, {n1}, {t1}")
    if n0 == n1:
        raise ValueError(f"the two sizes must differ, both are {n0}")
    return math.log(t1 / t0) / math.log(n1 / n0)


def growth(sizes: Sequence[float], seconds: Sequence[float]) -> Tuple[float, float]:
    """The exponents between the smallest and the largest size, and between the last two."""
    if len(sizes) != len(seconds) or len(sizes) < 2:
        raise ValueError(f"need two sizes or more, each with its time; got {sizes}, {seconds}")
    overall = exponent(sizes[0], seconds[0], sizes[-1], seconds[-1])
    last = exponent(sizes[-2], seconds[-2], sizes[-1], seconds[-1])
    return overall, last


# -- provider-shaped payloads --------------------------------------------------------------
# Written for these rows after OpenAI's shapes: compact JSON, one envelope per chunk.

_HEAD = (
    '{"id":"chatcmpl-Sc4l1ngT3st0000000000000000","object":"chat.completion.chunk",'
    '"created":1751900000,"model":"gpt-4o-mini-2024-07-18",'
    '"system_fingerprint":"fp_34a54ae93c","choices":['
)
_TAIL = "]}"
_TINY = (
    b'{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"a"}}]}'
)
# A block of text with the escapes and characters a real answer has: quotes, a
# backslash, newlines, Latin-1, CJK and an emoji (1,024 characters or so).
_TEXT_BLOCK = (
    'The weather in Paris is "sunny" and warm today,\n'
    "22\u00b0C at noon \u2014 caf\u00e9 terraces are full. "
    "C:\\path\\to\\file, na\u00efve \u00fcber fa\u00e7ade; "
    "\u6771\u4eac\u306f\u96e8\u3067\u3059\u3002 \U0001f44d\n\n"
) * 6


def _chunk(choices: str) -> bytes:
    return (_HEAD + choices + _TAIL).encode()


def _frame(payloads: Sequence[bytes], end: bytes = b"\n\n") -> bytes:
    return b"".join(b"data: " + p + end for p in payloads) + b"data: [DONE]" + end


def _cut(body: bytes, size: int) -> List[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def _tool(index: int, arguments: str = '{\\"city\\":\\"Paris\\"}') -> str:
    return (
        f'{{"index":{index},"id":"call_{index & 0xFFFFFFFF:08x}","type":"function",'
        f'"function":{{"name":"get_weather","arguments":"{arguments}"}}}}'
    )


def _hostile_index(i: int) -> int:
    """Indices a broken server may send: near 10^18, negative, and plain, interleaved."""
    kind = i % 3
    if kind == 0:
        return 10**18 + i
    if kind == 1:
        return -(i + 1)
    return i


def _tool_delta(calls: str) -> bytes:
    return _chunk(f'{{"index":0,"delta":{{"tool_calls":[{calls}]}},"finish_reason":null}}')


def _content_payload(size: int) -> bytes:
    """A chunk whose content string makes the payload about ``size`` bytes."""
    block = json.dumps(_TEXT_BLOCK, ensure_ascii=False)[1:-1]
    encoded = len(block.encode())
    text = block * max(1, size // encoded)
    return _chunk(f'{{"index":0,"delta":{{"content":"{text}"}},"finish_reason":null}}')


_FRAGMENT_HEAD = _tool(0, "")
_FRAGMENT = '{"index":0,"function":{"arguments":"x"}}'


# -- the rows ------------------------------------------------------------------------------

Call = Callable[[], object]


def _drain(items: Any) -> None:
    deque(items, maxlen=0)


def _events(pieces: List[bytes], max_event_size: int = 4 * 1024 * 1024) -> Call:
    return lambda: _drain(chatchunk.iter_events(pieces, max_event_size=max_event_size))


def tiny_events(n: int) -> Call:
    return _events(_cut(_frame([_TINY] * n), 4096))


def one_byte_pieces(n: int) -> Call:
    event = len(b"data: " + _TINY + b"\n\n")
    body = _frame([_TINY] * max(1, n // event))
    return _events(_cut(body, 1))  # 1-byte slices are CPython's cached singletons


def cr_only(n: int) -> Call:
    return _events(_cut(_frame([_TINY] * n, b"\r\r"), 4096))


def _choices_payload(n: int) -> bytes:
    choice = '{{"index":{},"delta":{{"content":"x"}},"logprobs":null,"finish_reason":null}}'
    return _chunk(",".join(choice.format(i) for i in range(n)))


def choices_parse(n: int) -> Call:
    payload = _choices_payload(n)
    return lambda: chatchunk.parse_chunk(payload)


def choices_accumulate(n: int) -> Call:
    chunk = chatchunk.parse_chunk(_choices_payload(n))
    return lambda: chatchunk.accumulate([chunk])


def tool_calls_parse(n: int) -> Call:
    payload = _tool_delta(",".join(_tool(i) for i in range(n)))
    return lambda: chatchunk.parse_chunk(payload)


def tool_calls_accumulate(n: int) -> Call:
    chunk = chatchunk.parse_chunk(_tool_delta(",".join(_tool(i) for i in range(n))))
    return lambda: chatchunk.accumulate([chunk])


def hostile_indices_delta(n: int) -> Call:
    payload = _tool_delta(",".join(_tool(_hostile_index(i)) for i in range(n)))
    chunk = chatchunk.parse_chunk(payload)
    return lambda: chatchunk.accumulate([chunk])


def hostile_indices_chunks(n: int) -> Call:
    payloads = [_tool_delta(_tool(_hostile_index(i))) for i in range(n)]
    pieces = _cut(_frame(payloads), 65536)
    return lambda: chatchunk.accumulate(chatchunk.iter_chunks(pieces))


def fragments_delta_parse(n: int) -> Call:
    payload = _tool_delta(",".join([_FRAGMENT_HEAD, *[_FRAGMENT] * n]))
    return lambda: chatchunk.parse_chunk(payload)


def fragments_delta_accumulate(n: int) -> Call:
    chunk = chatchunk.parse_chunk(_tool_delta(",".join([_FRAGMENT_HEAD, *[_FRAGMENT] * n])))
    return lambda: chatchunk.accumulate([chunk])


def fragments_chunks(n: int) -> Call:
    fragment = _tool_delta(_FRAGMENT)
    pieces = _cut(_frame([_tool_delta(_FRAGMENT_HEAD), *[fragment] * n]), 65536)
    return lambda: chatchunk.accumulate(chatchunk.iter_chunks(pieces))


def content_parse(n: int) -> Call:
    payload = _content_payload(n)
    return lambda: chatchunk.parse_chunk(payload)


def content_dump(n: int) -> Call:
    chunk = chatchunk.parse_chunk(_content_payload(n))
    return lambda: chatchunk.dump_chunk(chunk)


def content_decoder(n: int) -> Call:
    pieces = _cut(_frame([_content_payload(n)]), 65536)

    def run() -> object:
        decoder = chatchunk.SSEDecoder(max_event_size=2 * n + 65536)
        events = [event for piece in pieces for event in decoder.feed(piece)]
        if len(events) != 2:  # the content event and [DONE]
            raise AssertionError(f"expected 2 events, got {len(events)}")
        return events

    return run


def memory_baseline(n: int) -> Call:
    pieces = _cut(_frame([_content_payload(n)]), 65536)

    def run() -> object:
        # The least a decoder does with one event: gather the pieces, decode once.
        buffer = bytearray()
        for piece in pieces:
            buffer += piece
        return bytes(buffer).decode()

    return run


def content_accumulate(n: int) -> Call:
    pieces = _cut(_frame([_content_payload(n)]), 65536)
    size = 2 * n + 65536
    return lambda: chatchunk.accumulate(chatchunk.iter_chunks(pieces, max_event_size=size))


def _partial_text(n: int) -> str:
    """The first ``n`` characters of a tool call's JSON arguments, as a model writes them."""
    rows = ",".join(
        f'{{"id":{i},"city":"Paris","note":"caf\u00e9 \\"{i}\\"","ok":true}}'
        for i in range(n // 40 + 1)
    )
    return f'{{"query":"weather","rows":[{rows}]}}'[:n]


def partial_json(n: int) -> Call:
    from chatchunk._partial import PartialJSON  # type: ignore[import-not-found,unused-ignore]

    text = _partial_text(n)

    def run() -> object:
        parser: Any = PartialJSON()
        value = None
        for char in text:
            parser.feed(char)
            value = parser.value()
        return value

    return run


def partial_json_reparse(n: int) -> Call:
    import pydantic_core

    text = _partial_text(n)

    def run() -> object:
        value = None
        for end in range(1, len(text) + 1):
            value = pydantic_core.from_json(text[:end], allow_partial="trailing-strings")
        return value

    return run


def _public(name: str) -> Any:
    """A name of chatchunk, or of the module that defines it before it is exported."""
    found = getattr(chatchunk, name, None)
    if found is None:
        found = getattr(importlib.import_module("chatchunk._accumulate"), name, None)
    return found


def stream_events(n: int) -> Call:
    function = _public("stream_events")
    content = '{{"index":0,"delta":{{"content":"w{}"}},"finish_reason":null}}'
    payloads = [_chunk(content.format(i)) for i in range(n)]
    pieces = _cut(_frame(payloads), 65536)
    return lambda: _drain(function(chatchunk.iter_chunks(pieces)))


class Row(NamedTuple):
    key: str
    call: str
    """The call timed, and the shape it is given."""
    unit: str
    sizes: Tuple[int, ...]
    build: Callable[[int], Call]
    """Builds the input for one size (untimed) and returns the timed call."""
    baseline: bool = False
    """A peer's way, for comparison: not held to `LIMIT`."""
    needs: str = ""
    """What must exist for the row to run: a module or a chatchunk name."""


K, M = 1_000, 1_000_000
THREE, MILLION, MB = (1 * K, 10 * K, 100 * K), (10 * K, 100 * K, 1 * M), (500 * K, 5 * M, 50 * M)
INDICES = "N distinct indices (~10^18, negative, plain)"
# fmt: off
ROWS = [
    Row("tiny-events", "iter_events: N tiny chunks, 4 KiB pieces", "events", THREE, tiny_events),
    Row("one-byte-pieces", "iter_events: tiny chunks, the body in 1-byte pieces", "bytes",
        MILLION, one_byte_pieces),
    Row("cr-only", "iter_events: N tiny chunks, CR-only line ends", "events", THREE, cr_only),
    Row("choices-parse", "parse_chunk: N choices in one chunk", "choices", THREE, choices_parse),
    Row("choices-accumulate", "accumulate: N choices in one chunk", "choices", THREE,
        choices_accumulate),
    Row("tool-calls-parse", "parse_chunk: N tool calls in one delta", "calls", THREE,
        tool_calls_parse),
    Row("tool-calls-accumulate", "accumulate: N tool calls in one delta", "calls", THREE,
        tool_calls_accumulate),
    Row("indices-delta", f"accumulate: {INDICES} in one delta", "calls", THREE,
        hostile_indices_delta),
    Row("indices-chunks", f"accumulate(iter_chunks): {INDICES}, a chunk each", "chunks", THREE,
        hostile_indices_chunks),
    Row("fragments-delta-parse", "parse_chunk: one call's N argument fragments in one delta",
        "fragments", MILLION, fragments_delta_parse),
    Row("fragments-delta-accumulate", "accumulate: one call's N argument fragments in one delta",
        "fragments", MILLION, fragments_delta_accumulate),
    Row("fragments-chunks", "accumulate(iter_chunks): one call's N argument fragments, a chunk "
        "each", "chunks", (10 * K, 100 * K, 500 * K), fragments_chunks),  # 10^6: 10 s a run
    Row("content-parse", "parse_chunk: one content string of N bytes", "bytes", MB,
        content_parse),
    Row("content-dump", "dump_chunk: one content string of N bytes", "bytes", MB, content_dump),
    Row("content-decoder", "SSEDecoder.feed: one content event of N bytes, 64 KiB pieces",
        "bytes", MB, content_decoder),
    Row("memory-baseline", "baseline: the same pieces appended to a bytearray, decoded once "
        "(the machine's own growth at these sizes)", "bytes", MB, memory_baseline,
        baseline=True),
    Row("content-accumulate", "accumulate(iter_chunks): one content event of N bytes, 64 KiB "
        "pieces", "bytes", MB, content_accumulate),
    Row("partial-json", "PartialJSON.value() after each of N one-char fragments", "chars",
        THREE, partial_json, needs="chatchunk._partial"),
    Row("partial-json-reparse", 'baseline: pydantic_core.from_json(prefix, allow_partial='
        '"trailing-strings") after each char', "chars", (1 * K, 10 * K, 30 * K),
        partial_json_reparse, baseline=True, needs="chatchunk._partial"),
    Row("stream-events", "stream_events(iter_chunks): N content chunks", "chunks", THREE,
        stream_events, needs="stream_events"),
]
# fmt: on
"""Every row, in report order."""

QUICK_SIZES = (100, 300, 1000)
"""The sizes of every row in quick mode: checks that the rows run, the numbers mean nothing."""


def available(row: Row) -> bool:
    """Whether what the row measures exists in this checkout."""
    if not row.needs:
        return True
    if row.needs.startswith("chatchunk."):
        return importlib.util.find_spec(row.needs) is not None
    return _public(row.needs) is not None


# -- measuring -----------------------------------------------------------------------------


MIN_SECONDS = 0.5
MAX_SECONDS = 6.0
MAX_RUNS = 50


def measure(row: Row, n: int, repeat: int, *, quick: bool = False) -> Dict[str, List[float]]:
    """Seconds of ``repeat`` runs or more with the collector off, and as many with it on.

    ``quick`` runs ``repeat`` times exactly and skips the full collections, which cost
    more than tiny runs in a big process (the quick mode, inside the tests).
    """
    collect, min_seconds = (False, 0.0) if quick else (True, MIN_SECONDS)
    row.build(10)()  # warm up: first-call costs must not land on the smallest size
    call = row.build(n)
    if collect:
        gc.collect()
    gc.freeze()  # the input is no part of the call's cost
    found: Dict[str, List[float]] = {"off": [], "on": []}
    try:
        # At least `repeat` runs of each mode, and more of a short call until each
        # mode has run `MIN_SECONDS`: the best of a few milliseconds-long runs is noise.
        # A call of seconds runs fewer times, so that no size takes minutes.
        while (len(found["on"]) < repeat and sum(found["on"]) < MAX_SECONDS) or (
            sum(found["on"]) < min_seconds and len(found["on"]) < MAX_RUNS
        ):
            for mode in ("off", "on"):
                if collect:
                    gc.collect()
                if mode == "off":
                    gc.disable()
                start = time.process_time()
                result = call()
                seconds = time.process_time() - start
                gc.enable()
                del result  # freed outside the timing
                found[mode].append(seconds)
    finally:
        gc.enable()
        gc.unfreeze()
    return found


def _child(row: Row, n: int, repeat: int) -> Dict[str, List[float]]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        *("--child", row.key, str(n), "--repeat", str(repeat)),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr}")
    return json.loads(out.stdout)  # type: ignore[no-any-return]


class Result(NamedTuple):
    row: Row
    sizes: Tuple[int, ...]
    off: List[float]
    """The best gc-off run of each size, in seconds."""
    on: List[float]
    """The best gc-on run of each size, in seconds."""

    @property
    def growth_off(self) -> Tuple[float, float]:
        return growth(self.sizes, self.off)

    @property
    def growth_on(self) -> Tuple[float, float]:
        return growth(self.sizes, self.on)

    @property
    def ok(self) -> bool:
        return self.row.baseline or max(self.growth_off) <= LIMIT


def run(
    keys: Optional[Sequence[str]] = None,
    *,
    quick: bool = False,
    repeat: int = 3,
    log: Any = sys.stderr,
) -> List[Result]:
    """Measure the rows named by ``keys`` (all that can run by default).

    Quick mode measures tiny sizes once each, in this process: it only checks that
    the rows run. Otherwise each size runs in a fresh subprocess.
    """
    rows = [r for r in ROWS if (keys is None or r.key in keys) and available(r)]
    results: List[Result] = []
    for row in rows:
        sizes = QUICK_SIZES if quick else row.sizes
        off: List[float] = []
        on: List[float] = []
        for n in sizes:
            start = time.perf_counter()
            found = measure(row, n, 1, quick=True) if quick else _child(row, n, repeat)
            off.append(min(found["off"]))
            on.append(min(found["on"]))
            print(
                f"scaling: {row.key} at {n} {row.unit}: {off[-1]:.3g} s gc off, "
                f"{on[-1]:.3g} s gc on ({time.perf_counter() - start:.1f} s in all)",
                file=log,
            )
        results.append(Result(row, tuple(sizes), off, on))
    return results


# -- report --------------------------------------------------------------------------------


def _sizes(sizes: Sequence[int], unit: str) -> str:
    if unit == "bytes":
        return ", ".join(
            f"{n / M:g} MB" if n >= 100 * K else f"{n / K:g} kB" if n >= K else f"{n} B"
            for n in sizes
        )
    named: List[str] = []
    for n in sizes:
        scale, name = next(
            ((s, x) for s, x in ((M, "M"), (K, "k")) if n >= s and n % s == 0), (1, "")
        )
        named.append(f"{n // scale}{name}")
    return f"{', '.join(named)} {unit}"


def _seconds(values: Sequence[float]) -> str:
    return " / ".join(f"{s:.3g}" for s in values)


def lines(results: Sequence[Result], *, quick: bool = False) -> List[str]:
    """The Markdown section of the report: one row per shape."""
    out = ["## Scaling on hostile shapes", ""]
    out.append(
        "Seconds per size, and the growth exponent (slope of log time against log size; "
        "1 is linear) from the smallest to the largest size and between the last two. "
        f"Target: gc-off exponents ≤ {LIMIT:g}. {GC_NOTE}"
        + (" **--quick: numbers mean nothing.**" if quick else "")
    )
    out.append("")
    out.append(
        "| row | call and shape | sizes | s, gc off | s, gc on "
        "| exponent gc off: first→last, last two | exponent gc on: same | verdict |"
    )
    out.append("|---|---|---|---:|---:|---:|---:|---|")
    for r in results:
        (all_off, last_off), (all_on, last_on) = r.growth_off, r.growth_on
        verdict = "baseline" if r.row.baseline else "met" if r.ok else "**not met**"
        out.append(
            f"| {r.row.key} | {r.row.call} "
            f"| {_sizes(r.sizes, r.row.unit)} "
            f"| {_seconds(r.off)} | {_seconds(r.on)} "
            f"| {all_off:.2f}, {last_off:.2f} | {all_on:.2f}, {last_on:.2f} | {verdict} |"
        )
    missing = [r for r in ROWS if not available(r)]
    if missing:
        out.append("")
        out.extend(
            f"- {r.key}: not measured, `{r.needs}` does not exist in this checkout" for r in missing
        )
    out.append("")
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--only", help="comma-separated row keys: " + ", ".join(r.key for r in ROWS)
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per size and gc mode")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, in-process, once")
    parser.add_argument("--child", nargs=2, metavar=("ROW", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    by_key = {r.key: r for r in ROWS}
    if args.child:
        key, n = args.child
        print(json.dumps(measure(by_key[key], int(n), args.repeat)))
        return 0
    keys = [k for k in (args.only or "").split(",") if k] or None
    for key in keys or ():
        if key not in by_key:
            parser.error(f"unknown row {key!r}; choose from {', '.join(by_key)}")
    results = run(keys, quick=args.quick, repeat=args.repeat)
    print("\n".join(lines(results, quick=args.quick)))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
