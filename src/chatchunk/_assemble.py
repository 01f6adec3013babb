"""``chatchunk assemble``: the completion each stream of an input assembles into.

One stream gives one completion, compact or indented (``--indent``). An input of
several streams (`split`) gives one completion a line, compact, written as each
stream ends: the first is held until the second begins, so that a single stream
keeps its own format, and memory stays that of one stream's text. What went wrong in
a stream (invalid payloads, in-band errors, why it is incomplete) is written on
stderr after its completion.
"""

import argparse
from typing import List, Optional, Tuple

from ._accumulate import ChunkAccumulator
from ._completion import ChatCompletion
from ._console import Env, Progress, error, write
from ._events import InvalidPayload, StreamErrorEvent
from ._inputs import InputError, Payload, Problem, Reader, Source, open_input, problems, sniff
from ._json import dump
from ._logs import Ended, split
from ._validate import UNTERMINATED

__all__ = ["assemble"]

_MAX_REPORTED = 100  # invalid payloads reported; the rest are counted


def _problem_text(problem: Problem) -> str:
    where = f"{problem.path}: " if problem.path else ""
    shown = f" (input: {problem.input})" if problem.input else ""
    return f"{where}{problem.message}{shown}"


class _Output:
    """Writes each stream's completion, then its lines for stderr."""

    def __init__(self, env: Env, progress: Progress, indent: Optional[int], text: bool) -> None:
        self.env = env
        self.progress = progress
        self.indent = indent
        self.text = text
        self.held: Optional[Tuple[ChatCompletion, List[str]]] = None
        self.several = False

    def stream(self, result: ChatCompletion, lines: List[str]) -> None:
        if self.held is None and not self.several:
            self.held = (result, lines)  # one stream, or the first of several
            return
        if self.held is not None:
            self._write(*self.held, indent=None)
            self.held = None
            self.several = True
        self._write(result, lines, indent=None)

    def lines(self, lines: List[str]) -> None:
        """Lines of no stream of their own: a dropped event after ``[DONE]``."""
        if self.held is not None:
            self.held[1].extend(lines)
        else:
            self._lines(lines)

    def finish(self) -> None:
        if self.held is not None:
            self._write(*self.held, indent=self.indent)
            self.held = None

    def _write(self, result: ChatCompletion, lines: List[str], indent: Optional[int]) -> None:
        env = self.env
        self.progress.clear()
        if self.text:
            content = result.choices[0].message.content if result.choices else None
            write(env, (content or "") + "\n")
        else:
            write(env, dump(result, indent=indent) + "\n")
        env.out.flush()
        self._lines(lines)

    def _lines(self, lines: List[str]) -> None:
        self.progress.clear()
        err = self.env.err
        for line in lines:
            err.write(line + "\n")
        err.flush()


def _assemble_input(source: Source, output: _Output, progress: Progress) -> bool:
    """Assemble every stream of an input; return whether anything went wrong."""
    name = source.name
    reader = Reader(source, sniff(source))
    accumulator = ChunkAccumulator()
    lines: List[str] = []
    failed = False
    invalid = payloads = 0
    for record in split(reader):
        if isinstance(record, Ended):
            if record.payloads:
                accumulator.end = record.end
                reasons = accumulator.incomplete_reasons
                if reasons:
                    failed = True
                    where = record.place.text(name)
                    lines.append(f"{where}: incomplete_stream: {'; '.join(reasons)}")
                output.stream(accumulator.result(), lines)
            else:
                output.lines(lines)
            accumulator = ChunkAccumulator()
            lines = []
            continue
        payload: Payload = record
        where = payload.place.text(name)
        if payload.unterminated:
            failed = True
            lines.append(f"{where}: unterminated_event: {UNTERMINATED}")
            continue
        payloads += 1
        found = list(payload.problems)
        for item in payload.items:
            accumulator.add(item)
            if isinstance(item, InvalidPayload):
                found.extend(problems(item.error))
            elif isinstance(item, StreamErrorEvent):
                failed = True
                lines.append(f"{where}: stream_error: error: {item.message}")
        if found:
            failed = True
            invalid += 1
            if invalid <= _MAX_REPORTED:
                lines.extend(f"{where}: invalid_payload: {_problem_text(p)}" for p in found)
        progress.update(source, payloads)
    if not payloads and not reader.truncated:
        raise InputError(f"{name}: no payloads found")
    output.finish()
    if invalid > _MAX_REPORTED:
        output.lines([f"{name}: {invalid - _MAX_REPORTED} more invalid payloads"])
    return failed


def assemble(args: argparse.Namespace, env: Env) -> int:
    """Assemble the input's streams; return the exit status."""
    progress = Progress(env)
    output = _Output(env, progress, args.indent, args.text)
    try:
        source = open_input(args.path)
        try:
            failed = _assemble_input(source, output, progress)
        finally:
            source.close()
    except InputError as exc:
        progress.clear()
        error(env, str(exc))
        return 2
    finally:
        progress.clear()
    return 1 if failed else 0
