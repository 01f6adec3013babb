"""The CI fuzzing stage: random and mutated inputs against every target, for a fixed time.

    python fuzz/run.py [--seconds 120] [--min-inputs 100000] [--seed S] [--only NAME ...]

Each target gets a share of ``--seconds`` (its weight), spent in a few rounds so that
every target runs even when the machine is slow. The run fails (exit 1) when any oracle
fails, printing the target, the error and the input (its repr, and the path of a file
under a temporary directory holding it whole), and (exit 2) when fewer than
``--min-inputs`` inputs ran in all: a budget too short to mean anything.

The inputs come from one seeded `random.Random` per target (`fuzz/fuzz_corpus.py`):
``--seed`` with the seed printed at the start draws the same inputs in the same order
again (how many depends on the machine's speed). A failing input is also written whole. A plain
generator, not hypothesis or atheris: hypothesis spends most of a small example's time
in its own machinery (drawing, shrinking, the database), which keeps it far from 100,000
inputs in two minutes on two busy cores; atheris is not a test dependency of the project
and its coverage feedback adds cost per input. Mutating the suite's own provider-shaped
fixtures finds the inputs that matter without coverage feedback.
"""

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_common import Target
from fuzz_corpus import Mutator, seed_counts
from fuzz_optional import optional_targets
from fuzz_targets import TARGETS, shutdown

from chatchunk import ChatCompletionChunk, dump_chunk

_ROUNDS = 4
_FAILURES_SHOWN = 3  # per target; the fuzzer goes on with the other targets


def _portable(case: Any) -> str:
    """The input as Python text that gives it back: chunks as `parse_chunk` of their JSON."""
    if isinstance(case, ChatCompletionChunk):
        return f"parse_chunk({dump_chunk(case)!r})"
    if isinstance(case, list):
        return "[" + ", ".join(_portable(item) for item in cast(Sequence[Any], case)) + "]"
    if isinstance(case, tuple):
        items = [_portable(item) for item in cast(Sequence[Any], case)]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return repr(case)


class _Report:
    def __init__(self) -> None:
        self.directory: Optional[str] = None
        self.failures: Dict[str, int] = {}

    def failure(self, target: Target, case: Any, seed: str) -> None:
        """Count a failing input; show the first few, and write each shown to a file."""
        count = self.failures.get(target.name, 0) + 1
        self.failures[target.name] = count
        if count > _FAILURES_SHOWN:
            return
        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix="chatchunk-fuzz-")
        path = os.path.join(self.directory, f"{target.name}-{count}.txt")
        shown = _portable(case)
        with open(path, "w", encoding="utf-8") as file:
            file.write(shown + "\n")
        if len(shown) > 2000:
            shown = shown[:2000] + f"... ({len(shown)} characters in all)"
        print(f"\nFAILURE in {target.name} (seed {seed}):", file=sys.stderr)
        traceback.print_exc(limit=4, file=sys.stderr)
        print(f"input: {shown}\nwritten to: {path}", file=sys.stderr)


def _run(target: Target, mutator: Mutator, until: float, report: _Report, seed: str) -> int:
    count = 0
    clock = time.monotonic
    while True:
        # The clock is read every few inputs: most take tens of microseconds.
        for _ in range(8):
            case: Any = "(the generator failed)"
            try:
                case = target.draw(mutator)
                target.check(case)
            except Exception:
                report.failure(target, case, seed)
            count += 1
        if clock() >= until:
            return count


def main(argv: Optional[List[str]] = None) -> int:
    """Run the fuzzer; return the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="time budget (default 120)")
    parser.add_argument(
        "--min-inputs", type=int, default=100_000, help="fail below this count (default 100000)"
    )
    parser.add_argument("--seed", default=None, help="seed of the generators (default: random)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these targets")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else os.urandom(6).hex()

    targets = list(TARGETS)
    extra, notes = optional_targets()
    targets.extend(extra)
    for note in notes:
        print(f"note: {note}")
    if args.only:
        unknown = set(args.only) - {t.name for t in targets}
        if unknown:
            parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name in args.only]

    print(
        f"fuzzing {len(targets)} targets for {args.seconds:g} s, seed {seed}; seeds: "
        + ", ".join(f"{n} {kind}" for kind, n in seed_counts().items())
    )
    mutators = {t.name: Mutator(f"{seed}:{t.name}") for t in targets}
    counts = {t.name: 0 for t in targets}
    report = _Report()
    total_weight = sum(t.weight for t in targets)
    start = time.monotonic()
    for round_number in range(_ROUNDS):
        weight_so_far = 0.0
        for target in targets:
            # A slice ends where the shares of the targets so far end, counted from the
            # start: a target that overran its slice shortens the next one, not the run.
            weight_so_far += target.weight
            share = (round_number + weight_so_far / total_weight) / _ROUNDS
            until = start + args.seconds * share
            counts[target.name] += _run(target, mutators[target.name], until, report, seed)
    elapsed = time.monotonic() - start
    shutdown()

    total = sum(counts.values())
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        failed = report.failures.get(name, 0)
        print(f"  {name:<{width}}  {count:>8} inputs  {failed} failed")
    print(f"  {'total':<{width}}  {total:>8} inputs in {elapsed:.1f} s")
    if report.failures:
        print(f"FAILED: {sum(report.failures.values())} failing inputs; seed {seed}")
        return 1
    if total < args.min_inputs:
        print(f"FAILED: {total} inputs, fewer than --min-inputs {args.min_inputs}")
        return 2
    print("ok: every oracle held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
