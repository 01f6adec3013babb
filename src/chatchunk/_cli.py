"""The ``chatchunk`` command line: ``demo``, ``validate``, ``assemble``, ``normalize``, ``schema``.

Run as ``chatchunk`` (the console script) or ``python -m chatchunk``; with no command
it prints its help on stderr and exits with status 2.

Input, for ``validate`` and ``assemble``, is a file or ``-`` (stdin) holding one of:

* a Server-Sent-Events stream: its first non-blank bytes are ``data:``, ``event:``,
  ``id:``, ``retry:`` or ``:``;
* JSON Lines, one chunk a line: it starts with ``{`` and its first line is a whole
  JSON object;
* one JSON chunk, possibly over many lines: it starts with ``{`` or ``[``.

Anything else (an HTML error page, plain text) is no input the commands can read: a
one-line error naming what the body says (its title, its message), status 2. So is
binary data. Memory stays constant whatever the input's size: SSE is read in 64 KiB
pieces into `SSEDecoder`, JSON Lines a line at a time (a line may hold up to 64 MiB),
and only a single JSON document is read whole, up to 64 MiB (``_inputs``).

Every payload becomes items through the library's own `parse_event` with
``on_invalid="yield"``: a chunk, an in-band error, or an `InvalidPayload`. A payload
with invalid UTF-8 is invalid (``json_invalid``) in every format, as for `parse_chunk`.
An SSE event that the input leaves unterminated (no blank line after it) is dropped,
as `iter_events` drops it, and reported. A log may hold many streams, one after
another; ``_logs`` states the rule that tells them apart (a new stream after
``data: [DONE]``, or at a chunk that opens a message with a new id once every choice
has finished), and each is checked and assembled on its own.

``validate`` (``_validate``) writes one line per finding on stdout, then a summary::

    s.sse: event 3 at byte 412: invalid_payload: choices.0.index: Input should be ... (input: '0')
    log.jsonl:7: stream_error: error: Rate limit reached
    log.jsonl:9: incomplete_stream: the stream ended while choice 0 had no finish_reason
    summary: 2 files, 40 payloads, 37 valid, 3 invalid, 3 findings

The place is ``file:LINE`` for JSON Lines, ``file: event N at byte B`` for SSE and
``file`` for a single document; a stream's end is placed at its last payload. Kinds:
``invalid_payload`` (one per entry of pydantic's ``errors()``: path, message, input),
``stream_error`` (an in-band error), ``unterminated_event`` (an SSE event the input
ends inside; it was dropped), ``incomplete_stream`` (a stream that ended without
``data: [DONE]``, or in JSON Lines at all, while a choice had no finish reason), and
with ``--strict`` the kinds of `Finding`, checked for each stream on its own by a
fresh `StreamConformance`. Each conformance finding is shown at its first occurrence in
a file and its repeats are only counted (``N repeated not shown``). ``--format json``
writes the same as one JSON object a line (``file``, ``line`` or ``event`` and
``offset``, ``path``, ``kind``, ``message``, and ``input``, ``error_type`` or
``provider`` where they apply), then ``{"kind": "summary", ...}``. Inputs that cannot
be read are reported on stderr, one line each, and the other inputs are still checked.
On Ctrl-C the summary of what was checked so far is written, ending ``, interrupted``.

``normalize`` (``_normalize_cli``) writes the input again in the OpenAI shape, in its
own format (SSE or JSON Lines), and with ``--report`` each change on stderr.

``assemble`` (``_assemble``) prints the ``chat.completion`` of a stream, compact or
with ``--indent``; for an input of several streams, one compact completion a line
(JSON Lines; ``--indent`` is ignored), or with ``--text`` each text on its own line.
Invalid payloads, in-band errors, a dropped event and why a stream is incomplete
(`ChunkAccumulator.incomplete_reasons`) follow on stderr.

Exit status: 0 when all is well; 1 when a payload is invalid, the stream reported an
error, an event was dropped, or a stream is incomplete (for ``validate``: ended
without ``[DONE]`` while a choice had no finish reason; for ``assemble``: not
`ChunkAccumulator.complete`), and, with ``validate --strict``, when it departs from
the OpenAI specification; 2 for a usage error or an input that cannot be read
(missing, a directory, binary, none of the three formats, too large, or with no
payload at all); 130 when interrupted; 141 when stdout is closed early
(``chatchunk assemble x | head -c 10``).
"""

import argparse
import json
import os
import sys
import time
from importlib.resources import files
from typing import Callable, Dict, List, Optional

from pydantic import BaseModel

from ._accumulate import ChunkAccumulator
from ._assemble import assemble
from ._chunk import ChatCompletionChunk
from ._console import Env, count, error, write
from ._json import dump
from ._normalize_cli import add_parser as add_normalize_parser
from ._normalize_cli import normalize
from ._stream import iter_events
from ._validate import validate

__all__ = ["main"]

_DEMO_PIECE = 37  # the demo feeds the decoder pieces cut anywhere, this size


# --- demo and schema -------------------------------------------------------------------


def _demo(args: argparse.Namespace, env: Env) -> int:
    data = files("chatchunk").joinpath("_data/example.sse").read_bytes()
    pieces = (data[i : i + _DEMO_PIECE] for i in range(0, len(data), _DEMO_PIECE))
    accumulator = ChunkAccumulator()
    out = env.out
    stream = iter_events(pieces)
    for item in stream:
        accumulator.add(item)
        if isinstance(item, ChatCompletionChunk):
            for choice in item.choices:
                if choice.delta.content:
                    out.write(choice.delta.content)
                    out.flush()
    out.write("\n")
    accumulator.end = stream.end
    result = accumulator.result()
    write(env, dump(result, indent=2) + "\n")
    reasons = ", ".join(choice.finish_reason or "none" for choice in result.choices)
    usage = result.usage
    tokens = (
        f"{_tokens(usage.prompt_tokens)} prompt / {_tokens(usage.completion_tokens)} completion"
        f" / {_tokens(usage.total_tokens)} total"
        if usage
        else "not reported"
    )
    out.write(
        f"summary: {count(accumulator.chunk_count, 'chunk')},"
        f" {count(len(result.choices), 'choice')}, finish reasons: {reasons or 'none'},"
        f" tokens: {tokens}, ended: {stream.end.value if stream.end else 'not read'}"
        f" ({'complete' if accumulator.complete else 'incomplete'})\n"
    )
    return 0 if accumulator.complete else 1


def _tokens(value: object) -> str:
    # A count the server left out (or sent as null) is not a number to print.
    return str(value) if isinstance(value, int) else "?"


def _models() -> Dict[str, type]:
    import chatchunk

    found: Dict[str, type] = {}
    for name in chatchunk.__all__:
        value = getattr(chatchunk, name)
        if isinstance(value, type) and issubclass(value, BaseModel):
            found[name] = value
    return found


def _schema(args: argparse.Namespace, env: Env) -> int:
    models = _models()
    name: str = args.model
    model = models.get(name)
    if model is None:
        matches = [key for key in models if key.lower() == name.lower()]
        if len(matches) == 1:
            model = models[matches[0]]
    if model is None or not issubclass(model, BaseModel):
        error(env, f"unknown model {name!r}; choose one of: {', '.join(sorted(models))}")
        return 2
    write(env, json.dumps(model.model_json_schema(), indent=2) + "\n")
    return 0


# --- main ------------------------------------------------------------------------------


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
            " 1 invalid payloads, in-band errors or incomplete streams, 2 usage error or"
            " unreadable input, 130 interrupted."
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

    checker = commands.add_parser(
        "validate",
        help="check every payload of streams, JSON Lines or JSON files",
        description="Check every payload and report each invalid one (place, field path,"
        " reason), each in-band error, each dropped event and each stream that ended"
        " without [DONE] while a choice had no finish reason, then a summary line. Exit"
        " status 1 if any. A log of many streams is checked stream by stream.",
    )
    checker.add_argument("paths", nargs="+", metavar="PATH", help="a file, or - for stdin")
    checker.add_argument(
        "--strict",
        action="store_true",
        help="also report, and fail on, departures from the OpenAI specification (extra"
        " fields, unknown enum values, changing ids, no [DONE], ...); each is shown at its"
        " first occurrence in a file. Without --strict they are not checked.",
    )
    checker.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or one JSON object a line per finding and a summary object",
    )

    assembler = commands.add_parser(
        "assemble",
        help="print the completion a stream assembles into",
        description="Merge the chunks of a stream into the ChatCompletion they describe and"
        " print it as JSON; for a log of several streams, one compact completion a line."
        " Invalid payloads, in-band errors and why a stream is incomplete are reported on"
        " stderr after it, with exit status 1.",
    )
    assembler.add_argument("path", metavar="PATH", help="a file, or - for stdin")
    assembler.add_argument(
        "--indent",
        type=_indent,
        default=None,
        metavar="N",
        help="indent the JSON by N spaces (one stream only: several are written one a line)",
    )
    assembler.add_argument(
        "--text", action="store_true", help="print only the message text of choice 0"
    )

    add_normalize_parser(commands)

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


_COMMANDS: Dict[str, Callable[[argparse.Namespace, Env], int]] = {
    "demo": _demo,
    "validate": validate,
    "assemble": assemble,
    "schema": _schema,
    "normalize": normalize,
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
        env = Env(
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
