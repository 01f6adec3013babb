"""The ``chatchunk`` command line: ``demo``, ``validate``, ``assemble`` and ``schema``.

Run as ``chatchunk`` (the console script) or ``python -m chatchunk``; with no command
it prints its help on stderr and exits with status 2.

Input, for ``validate`` and ``assemble``, is a file or ``-`` (stdin) holding one of:

* a Server-Sent-Events stream: its first non-blank bytes are ``data:``, ``event:``,
  ``id:``, ``retry:`` or ``:``;
* JSON Lines, one chunk a line: it starts with ``{`` and its first line is a whole
  JSON object;
* one JSON chunk, possibly over many lines: anything else.

Memory stays constant whatever the input's size: SSE is read in 64 KiB pieces
into `SSEDecoder`, JSON Lines a line at a time (a line may hold up to 64 MiB), and
only a single JSON document is read whole, up to 64 MiB.

``validate`` writes one line per finding on stdout, then a summary line::

    s.sse: event 3 at byte 412: invalid_payload: choices.0.index: Input should be ... (input: '0')
    log.jsonl:7: stream_error: error: Rate limit reached
    chunk.json: invalid_payload: created: Input should be a valid integer (input: '1')
    summary: 3 files, 40 payloads, 37 valid, 3 invalid, 4 findings

The place is ``file:LINE`` for JSON Lines, ``file: event N at byte B`` for SSE and
``file`` for a single document or for what only shows at the end of a stream. A payload
is valid when it is a chunk; an in-band error without a chunk counts as invalid. Kinds:
``invalid_payload`` (one per entry of pydantic's ``errors()``: path, message, input),
``stream_error`` (an in-band error, from `iter_events`), and with ``--strict`` the kinds
of `Finding` plus ``event_after_done`` and ``unterminated_event`` (an SSE input that
ends inside an event, which a client drops). Without ``--strict`` conformance is not
checked at all; with it, each conformance finding is shown at its first occurrence in a
file and its repeats are only counted (``N repeated not shown``). ``--format json``
writes the same as one JSON object a line (``file``, ``line`` or ``event`` and
``offset``, ``path``, ``kind``, ``message``, and ``input``, ``error_type`` or
``provider`` where they apply), then ``{"kind": "summary", ...}``. Inputs that cannot
be read are reported on stderr, one line each, and the other inputs are still checked.

Exit status: 0 when all is well, 1 when a payload is invalid or the stream reported
an error (and, with ``validate --strict``, when it departs from the OpenAI
specification), 2 for a usage error or an input that cannot be read (missing, a
directory, not text, too large, or with no payload at all), 130 when interrupted,
141 when stdout is closed early (``chatchunk assemble x | head -c 10``).
"""

import argparse
import json
import os
import sys
import time
from importlib.resources import files
from typing import (
    Any,
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    Set,
    TextIO,
    Tuple,
)

from pydantic import BaseModel

from ._accumulate import ChunkAccumulator
from ._chunk import ChatCompletionChunk
from ._conformance import Finding, StreamConformance, check_conformance
from ._events import StreamErrorEvent
from ._inputs import (
    PIECE,
    InputError,
    Place,
    Problem,
    Reader,
    Source,
    open_input,
    sniff,
)
from ._json import dump
from ._stream import iter_events

__all__ = ["main"]

_DEMO_PIECE = 37  # the demo feeds the decoder pieces cut anywhere, this size
_PROGRESS_AFTER = 1.0  # seconds before the progress line shows
_PROGRESS_EVERY = 0.25  # seconds between its refreshes


class _Env(NamedTuple):
    """What the commands write to and read the time from; tests replace the parts."""

    out: TextIO
    err: TextIO
    clock: Callable[[], float]
    isatty: bool


# --- progress --------------------------------------------------------------------------


class _Progress:
    """A progress line on a terminal's stderr for inputs that take more than a second."""

    def __init__(self, env: _Env) -> None:
        self._env = env
        self.enabled = env.isatty
        self._start = env.clock() if self.enabled else 0.0
        self._last = 0.0
        self._width = 0

    def update(self, source: Source, chunks: int) -> None:
        if not self.enabled:
            return
        now = self._env.clock()
        elapsed = now - self._start
        if elapsed < _PROGRESS_AFTER or now - self._last < _PROGRESS_EVERY:
            return
        self._last = now
        line = (
            f"chatchunk: {source.name}: {source.bytes_read / 1e6:.1f} MB read,"
            f" {chunks / elapsed:,.0f} chunks/s"
        )
        pad = " " * max(0, self._width - len(line))
        self._width = len(line)
        self._env.err.write(f"\r{line}{pad}")
        self._env.err.flush()

    def clear(self) -> None:
        if self._width:
            self._env.err.write("\r" + " " * self._width + "\r")
            self._env.err.flush()
            self._width = 0


# --- validate --------------------------------------------------------------------------


class _Report:
    """Writes the findings of ``validate`` and counts them."""

    def __init__(self, env: _Env, fmt: str, progress: _Progress) -> None:
        self.env = env
        self.json = fmt == "json"
        self.progress = progress
        self.files = 0
        self.payloads = 0
        self.valid = 0
        self.invalid = 0
        self.findings = 0
        self.repeated = 0
        self.unreadable = 0
        self.stream_errors = 0
        self.conformance = 0

    def write(
        self,
        name: str,
        place: Place,
        kind: str,
        path: str,
        message: str,
        extra: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.findings += 1
        self.progress.clear()
        if self.json:
            record: Dict[str, Any] = {"file": name, **place.fields()}
            record.update(path=path, kind=kind, message=message)
            if extra:
                record.update(extra)
            line = json.dumps(record, ensure_ascii=False)
        else:
            where = f"{path}: " if path else ""
            shown = f" (input: {extra['input']})" if extra and extra.get("input") else ""
            line = f"{place.text(name)}: {kind}: {where}{message}{shown}"
        self.env.out.write(line + "\n")

    def summary(self, status: int) -> None:
        self.progress.clear()
        if self.json:
            record = {
                "kind": "summary",
                "files": self.files,
                "payloads": self.payloads,
                "valid": self.valid,
                "invalid": self.invalid,
                "findings": self.findings,
                "repeated": self.repeated,
                "unreadable": self.unreadable,
                "status": status,
            }
            self.env.out.write(json.dumps(record) + "\n")
            return
        text = (
            f"summary: {_count(self.files, 'file')}, {_count(self.payloads, 'payload')},"
            f" {self.valid} valid, {self.invalid} invalid, {_count(self.findings, 'finding')}"
        )
        if self.repeated:
            text += f", {self.repeated} repeated not shown"
        if self.unreadable:
            text += f", {self.unreadable} unreadable"
        self.env.out.write(text + "\n")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _validate_one(source: Source, report: _Report, strict: bool, progress: _Progress) -> None:
    name = source.name
    reader = Reader(source, sniff(source))
    conformance = StreamConformance() if strict else None
    seen: Set[Tuple[str, str, str]] = set()
    after_done_reported = False
    payloads = 0

    def conform(place: Place, finding: Finding) -> None:
        key = (finding.kind, finding.path, finding.message)
        if key in seen:
            report.repeated += 1
            return
        seen.add(key)
        report.conformance += 1
        extra = {"provider": finding.provider} if finding.provider else None
        report.write(name, place, finding.kind, finding.path, finding.message, extra)

    for payload in reader.payloads():
        payloads += 1
        place = payload.place
        for problem in payload.problems:
            extra: Dict[str, Any] = {"error_type": problem.error_type}
            if problem.input is not None:
                extra["input"] = problem.input
            report.write(name, place, "invalid_payload", problem.path, problem.message, extra)
        valid = False
        for item in payload.items:
            if isinstance(item, StreamErrorEvent):
                report.stream_errors += 1
                report.write(name, place, "stream_error", "error", item.message)
                continue
            valid = True
            if conformance is not None:
                for finding in check_conformance(item):
                    conform(place, finding)
                for finding in conformance.add(item):
                    conform(place, finding)
        if valid:
            report.valid += 1
        else:
            report.invalid += 1
        if strict:
            if payload.after_done and not after_done_reported:
                after_done_reported = True
                conform(
                    place,
                    Finding("", "event_after_done", "an event follows 'data: [DONE]'"),
                )
            if payload.unterminated:
                conform(
                    place,
                    Finding(
                        "",
                        "unterminated_event",
                        "the input ends inside this event (no blank line after it);"
                        " a client drops it",
                    ),
                )
        report.payloads += 1
        progress.update(source, report.payloads)
    if not payloads:
        raise InputError(f"{name}: no payloads found")
    if conformance is not None:
        known = len(conformance.findings)
        for finding in conformance.finish(done=reader.done)[known:]:
            conform(Place(), finding)


def _validate(args: argparse.Namespace, env: _Env) -> int:
    progress = _Progress(env)
    report = _Report(env, args.format, progress)
    strict: bool = args.strict
    try:
        for path in args.paths:
            report.files += 1
            try:
                source = open_input(path)
                try:
                    _validate_one(source, report, strict, progress)
                finally:
                    source.close()
            except InputError as exc:
                report.unreadable += 1
                progress.clear()
                _error(env, str(exc))
    finally:
        progress.clear()
    failed = report.invalid or report.stream_errors or (strict and report.conformance)
    status = 2 if report.unreadable else 1 if failed else 0
    report.summary(status)
    return status


# --- assemble --------------------------------------------------------------------------

_MAX_REPORTED = 100  # invalid payloads reported by `assemble`; the rest are counted


def _assemble(args: argparse.Namespace, env: _Env) -> int:
    progress = _Progress(env)
    try:
        source = open_input(args.path)
        try:
            reader = Reader(source, sniff(source))
            accumulator = ChunkAccumulator()
            problems: List[str] = []
            errors: List[str] = []
            invalid = 0
            payloads = 0
            for payload in reader.payloads(stop_at_done=True):
                payloads += 1
                for item in payload.items:
                    accumulator.add(item)
                    if isinstance(item, StreamErrorEvent):
                        errors.append(
                            f"{payload.place.text(source.name)}: stream_error: error:"
                            f" {item.message}"
                        )
                if payload.problems:
                    invalid += 1
                    if invalid <= _MAX_REPORTED:
                        where = payload.place.text(source.name)
                        problems.extend(
                            f"{where}: invalid_payload: {_problem_text(problem)}"
                            for problem in payload.problems
                        )
                progress.update(source, payloads)
            if not payloads:
                raise InputError(f"{source.name}: no payloads found")
        finally:
            source.close()
    except InputError as exc:
        _error(env, str(exc))
        return 2
    finally:
        progress.clear()
    result = accumulator.result()
    if args.text:
        text = result.choices[0].message.content if result.choices else None
        _write(env, (text or "") + "\n")
    else:
        _write(env, dump(result, indent=args.indent) + "\n")
    env.out.flush()
    for line in problems:
        env.err.write(line + "\n")
    if invalid > _MAX_REPORTED:
        env.err.write(f"{source.name}: {invalid - _MAX_REPORTED} more invalid payloads\n")
    for line in errors:
        env.err.write(line + "\n")
    return 1 if invalid or errors else 0


def _problem_text(problem: Problem) -> str:
    where = f"{problem.path}: " if problem.path else ""
    shown = f" (input: {problem.input})" if problem.input else ""
    return f"{where}{problem.message}{shown}"


# --- demo and schema -------------------------------------------------------------------


def _demo(args: argparse.Namespace, env: _Env) -> int:
    data = files("chatchunk").joinpath("_data/example.sse").read_bytes()
    pieces = (data[i : i + _DEMO_PIECE] for i in range(0, len(data), _DEMO_PIECE))
    accumulator = ChunkAccumulator()
    out = env.out
    for item in iter_events(pieces):
        accumulator.add(item)
        if isinstance(item, ChatCompletionChunk):
            for choice in item.choices:
                if choice.delta.content:
                    out.write(choice.delta.content)
                    out.flush()
    out.write("\n")
    result = accumulator.result()
    _write(env, dump(result, indent=2) + "\n")
    reasons = ", ".join(choice.finish_reason or "none" for choice in result.choices)
    usage = result.usage
    tokens = (
        f"{usage.prompt_tokens} prompt / {usage.completion_tokens} completion"
        f" / {usage.total_tokens} total"
        if usage
        else "not reported"
    )
    out.write(
        f"summary: {_count(accumulator.chunk_count, 'chunk')},"
        f" {_count(len(result.choices), 'choice')}, finish reasons: {reasons or 'none'},"
        f" tokens: {tokens}\n"
    )
    return 1 if accumulator.errors else 0


def _models() -> Dict[str, type]:
    import chatchunk

    found: Dict[str, type] = {}
    for name in chatchunk.__all__:
        value = getattr(chatchunk, name)
        if isinstance(value, type) and issubclass(value, BaseModel):
            found[name] = value
    return found


def _schema(args: argparse.Namespace, env: _Env) -> int:
    models = _models()
    name: str = args.model
    model = models.get(name)
    if model is None:
        matches = [key for key in models if key.lower() == name.lower()]
        if len(matches) == 1:
            model = models[matches[0]]
    if model is None or not issubclass(model, BaseModel):
        _error(env, f"unknown model {name!r}; choose one of: {', '.join(sorted(models))}")
        return 2
    _write(env, json.dumps(model.model_json_schema(), indent=2) + "\n")
    return 0


# --- main ------------------------------------------------------------------------------


def _write(env: _Env, text: str) -> None:
    """Write a long text in pieces: a single write of megabytes to a pipe that is closed
    early can come back short without an error, and the rest be silently lost."""
    out = env.out
    for start in range(0, len(text), PIECE):
        out.write(text[start : start + PIECE])


def _error(env: _Env, message: str) -> None:
    env.err.write(f"chatchunk: error: {message}\n")
    env.err.flush()


def _indent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="chatchunk",
        description="Read, check and assemble the streamed chunks of OpenAI-compatible chat APIs.",
        epilog=(
            "Input is a Server-Sent-Events stream, JSON Lines (one chunk a line) or one JSON"
            " chunk, told apart by its first bytes; '-' reads stdin. Exit status: 0 all well,"
            " 1 invalid payloads or in-band errors, 2 usage error or unreadable input."
        ),
    )
    parser.add_argument("--version", action="version", version=f"chatchunk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        "demo",
        help="replay the example stream shipped with the package",
        description="Replay the example stream shipped with the package through the SSE"
        " decoder and the accumulator: the text as it arrives, then the assembled"
        " completion and a summary.",
    )

    validate = commands.add_parser(
        "validate",
        help="check every payload of streams, JSON Lines or JSON files",
        description="Check every payload and report each invalid one (place, field path,"
        " reason) and each in-band error, then a summary line. Exit status 1 if any.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a file, or - for stdin")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="also report, and fail on, departures from the OpenAI specification (extra"
        " fields, unknown enum values, changing ids, no [DONE], ...); each is shown at its"
        " first occurrence in a file. Without --strict they are not checked.",
    )
    validate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or one JSON object a line per finding and a summary object",
    )

    assemble = commands.add_parser(
        "assemble",
        help="print the completion a stream assembles into",
        description="Merge the chunks of a stream into the ChatCompletion they describe and"
        " print it as JSON. Invalid payloads and in-band errors are reported on stderr after"
        " it, with exit status 1.",
    )
    assemble.add_argument("path", metavar="PATH", help="a file, or - for stdin")
    assemble.add_argument(
        "--indent", type=_indent, default=None, metavar="N", help="indent the JSON by N spaces"
    )
    assemble.add_argument(
        "--text", action="store_true", help="print only the message text of choice 0"
    )

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a model",
        description="Print the JSON Schema of one of the package's models.",
    )
    schema.add_argument(
        "model",
        nargs="?",
        default="ChatCompletionChunk",
        metavar="MODEL",
        help="a model name (default: ChatCompletionChunk)",
    )
    return parser


_COMMANDS: Dict[str, Callable[[argparse.Namespace, _Env], int]] = {
    "demo": _demo,
    "validate": _validate,
    "assemble": _assemble,
    "schema": _schema,
}


def main(
    argv: Optional[List[str]] = None,
    *,
    clock: Optional[Callable[[], float]] = None,
    isatty: Optional[Callable[[], bool]] = None,
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    ``clock`` (default `time.monotonic`) and ``isatty`` (default: whether stderr is a
    terminal) decide the progress line; tests replace them.
    """
    err = sys.stderr
    try:
        parser = _parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version or a usage error
            return exc.code if isinstance(exc.code, int) else 2
        if args.command is None:
            parser.print_help(err)
            return 2
        env = _Env(
            out=sys.stdout,
            err=err,
            clock=clock or time.monotonic,
            isatty=(isatty or err.isatty)(),
        )
        status = _COMMANDS[args.command](args, env)
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        err.write("chatchunk: interrupted\n")
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141


def _quiet_stdout() -> None:
    # The reader is gone: point stdout at /dev/null so that the flush at exit
    # neither fails nor prints a warning.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is an OSError
        pass
