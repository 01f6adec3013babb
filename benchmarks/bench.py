"""Benchmark chatchunk against its peers, all measured in one process.

Run:  pip install -e '.[bench]' && python benchmarks/bench.py
      (add `pip install --no-deps atoma-sdk` for the Speakeasy-generated peer)

Every case runs in interleaved rounds, so that a burst of noise on this
shared machine hits all of them alike; the table reports the median time per
call, the spread (min-max of the rounds), and ratios against the peers
measured in the same run. Peers that are not installed are left out.
`--quick` runs few rounds: CI uses it to keep the script working, and its
numbers mean nothing.
"""

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import pydantic

import chatchunk

# A typical mid-stream content chunk as OpenAI sends it, 325 bytes.
CHUNK = (
    b'{"id":"chatcmpl-BZx9fK3mQ2vL8nR4tY7wE1aD6sG0h","object":"chat.completion.chunk",'
    b'"created":1748000000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default",'
    b'"system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":'
    b'" the weather"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q7X"}'
)


class Case(NamedTuple):
    group: str
    name: str
    func: Callable[[], Any]


def chatchunk_cases() -> List[Case]:
    chunk = chatchunk.parse_chunk(CHUNK)
    return [
        Case("parse", "chatchunk parse_chunk", lambda: chatchunk.parse_chunk(CHUNK)),
        Case("dump", "chatchunk dump_chunk", lambda: chatchunk.dump_chunk(chunk)),
    ]


def openai_cases() -> List[Case]:
    try:
        from openai.types.chat import ChatCompletionChunk
    except ImportError:
        return []
    chunk = ChatCompletionChunk.model_validate_json(CHUNK)
    return [
        Case(
            "parse",
            "openai model_validate_json",
            lambda: ChatCompletionChunk.model_validate_json(CHUNK),
        ),
        Case(
            "dump",
            "openai model_dump_json(exclude_unset)",
            lambda: chunk.model_dump_json(exclude_unset=True),
        ),
    ]


def speakeasy_cases() -> List[Case]:
    try:
        from atoma_sdk import models
    except ImportError:
        return []
    model = models.ChatCompletionChunk
    chunk = model.model_validate_json(CHUNK)
    return [
        Case("parse", "atoma-sdk model_validate_json", lambda: model.model_validate_json(CHUNK)),
        Case("dump", "atoma-sdk model_dump_json", chunk.model_dump_json),
    ]


def floor_cases() -> List[Case]:
    cases = [Case("parse", "json.loads (no validation)", lambda: json.loads(CHUNK))]
    try:
        import orjson
    except ImportError:
        return cases
    data = orjson.loads(CHUNK)
    return [
        *cases,
        Case("parse", "orjson.loads (no validation)", lambda: orjson.loads(CHUNK)),
        Case("dump", "orjson.dumps (dicts)", lambda: orjson.dumps(data)),
    ]


def per_call(func: Callable[[], Any], number: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(number):
        func()
    return (time.perf_counter_ns() - start) / number / 1000.0


def measure(cases: List[Case], rounds: int, number: int) -> Dict[str, List[float]]:
    for case in cases:
        per_call(case.func, max(1, number // 10))  # warm up caches and allocators
    # Everything made so far lives to the end: keep the collector from walking it.
    gc.collect()
    gc.freeze()
    times: Dict[str, List[float]] = {case.name: [] for case in cases}
    for _ in range(rounds):
        for case in cases:
            times[case.name].append(per_call(case.func, number))
    return times


def ratio_rows(cases: List[Case], times: Dict[str, List[float]]) -> List[Tuple[str, float]]:
    ours = {c.group: c.name for c in cases if c.name.startswith("chatchunk")}
    rows = []
    for case in cases:
        if case.name.startswith("chatchunk") or case.group not in ours:
            continue
        mine = statistics.median(times[ours[case.group]])
        rows.append(
            (f"{ours[case.group]} / {case.name}", mine / statistics.median(times[case.name]))
        )
    return rows


def versions() -> str:
    found = [f"Python {platform.python_version()}", f"pydantic {pydantic.VERSION}"]
    for dist in ("openai", "atoma-sdk", "orjson", "msgspec"):
        try:
            from importlib.metadata import version

            found.append(f"{dist} {version(dist)}")
        except Exception:
            continue
    return ", ".join(found)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, to check it runs")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000, help="calls per round")
    args = parser.parse_args(argv)
    rounds, number = (3, 200) if args.quick else (args.rounds, args.number)

    cases = chatchunk_cases() + openai_cases() + speakeasy_cases() + floor_cases()
    times = measure(cases, rounds, number)

    print(f"{len(CHUNK)}-byte chunk; {rounds} rounds x {number} calls; {versions()}")
    print(f"{platform.machine()}, {platform.system()}\n")
    print("| operation | case | median µs | spread µs |")
    print("|---|---|---:|---:|")
    for case in sorted(cases, key=lambda c: (c.group, statistics.median(times[c.name]))):
        t = times[case.name]
        print(
            f"| {case.group} | {case.name} | {statistics.median(t):.2f} "
            f"| {min(t):.2f}-{max(t):.2f} |"
        )
    print("\n| ratio (median / median) | value |")
    print("|---|---:|")
    for label, value in ratio_rows(cases, times):
        print(f"| {label} | {value:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
