"""``chatchunk normalize``: write a stream again in the OpenAI shape.

SSE in, SSE out; JSON Lines in, JSON Lines out; one JSON chunk in, one out. Each
stream of the input (``_logs`` tells them apart) gets a `Normalizer` of its own, so
that tool-call indexes and the held-back usage never cross from one response to the
next. ``data: [DONE]`` is written where the input had it, and nowhere else.

What the rules do not touch is written as it came: an in-band error as its own
payload (an SSE event keeps its name), an invalid payload as its raw text, which is
also reported on stderr with exit status 1, as is an SSE event the input ends inside
(dropped, as `iter_events` drops it). With ``--report`` each change follows on stderr,
one line each, at the place of the chunk it was made on::

    s.sse: event 2 at byte 310: finish_reason_mapped: choices.0.finish_reason: "eos" -> "stop"

``old`` and ``new`` are written as JSON, ``absent`` for a key that was not there.
"""

import argparse
import json
from typing import Any, Dict, List, Optional

from ._chunk import ChatCompletionChunk
from ._console import Env, error
from ._events import InvalidPayload, StreamEnd, StreamErrorEvent
from ._inputs import InputError, Payload, Place, Reader, open_input, problems, sniff
from ._json import dump_chunk
from ._logs import Ended, split
from ._normalize import Change, NormalizeOptions
from ._normalize_stream import Normalizer
from ._sse_encode import encode_event
from ._unset import UNSET

__all__ = ["add_parser", "normalize"]

_DONE = "data: [DONE]\n\n"


def add_parser(commands: Any) -> None:
    """Add the ``normalize`` command to the command line's subparsers."""
    parser = commands.add_parser(
        "normalize",
        help="write a stream again in the OpenAI shape, saying what changed",
        description="Normalize what a provider sent to the OpenAI shape: finish reasons"
        " (eos -> stop, ...), one name for reasoning, Groq's usage, tool-call indexes and"
        " types, object; optionally the usage, the Azure prompt-filter header and nulls."
        " SSE in, SSE out; JSON Lines in, JSON Lines out. What was replaced is kept in"
        " native_* fields unless --lossy.",
    )
    parser.add_argument("path", metavar="PATH", help="a file, or - for stdin")
    parser.add_argument(
        "--reasoning",
        choices=("reasoning", "reasoning_content", "keep"),
        default="reasoning",
        help="the one field name for reasoning text (default: reasoning)",
    )
    parser.add_argument(
        "--usage",
        choices=("keep", "last"),
        default="keep",
        help="last: only the stream's last usage, in a chunk of its own (default: keep)",
    )
    parser.add_argument(
        "--header",
        choices=("keep", "drop", "merge"),
        default="keep",
        help="Azure's prompt-filter chunk: keep, drop, or merge into the next chunk"
        " (default: keep)",
    )
    parser.add_argument(
        "--nulls",
        choices=("keep", "openai", "omit"),
        default="keep",
        help="openai: write null logprobs and finish_reason as OpenAI does; omit: leave"
        " nulls out (default: keep, as sent)",
    )
    parser.add_argument(
        "--finish-reason",
        action="append",
        default=[],
        metavar="FROM=TO",
        help="map one more finish reason (TO empty for null); repeatable",
    )
    parser.add_argument(
        "--lossy",
        action="store_true",
        help="write the OpenAI shape alone: no native_* fields, x_groq.usage moved",
    )
    parser.add_argument(
        "--report", action="store_true", help="write each change on stderr, one a line"
    )


def _options(args: argparse.Namespace) -> NormalizeOptions:
    reasons: Dict[str, Optional[str]] = {}
    for pair in args.finish_reason:
        sent, sep, canonical = pair.partition("=")
        if not sep or not sent:
            raise ValueError(f"--finish-reason takes FROM=TO, got {pair!r}")
        reasons[sent] = canonical or None
    return NormalizeOptions(
        reasoning=args.reasoning,
        finish_reasons=reasons,
        usage=args.usage,
        header=args.header,
        nulls=args.nulls,
        lossless=not args.lossy,
    )


def _value(value: Any) -> str:
    return "absent" if value is UNSET else json.dumps(value, ensure_ascii=False)


class _Writer:
    """Writes the payloads of one input in its own format, and the report."""

    def __init__(self, env: Env, name: str, mode: str, options: NormalizeOptions, report: bool):
        self.env = env
        self.name = name
        self.sse = mode == "sse"
        self.options = options
        self.report = report
        self.normalizer = Normalizer(options)
        self.failed = False

    def chunks(self, chunks: List[ChatCompletionChunk]) -> None:
        write = self.env.out.write
        for chunk in chunks:
            text = dump_chunk(chunk)
            write(f"data: {text}\n\n" if self.sse else text + "\n")

    def other(self, item: Any) -> None:
        """An in-band error or an invalid payload, written back as it came."""
        self.chunks(self.normalizer.flush_header())
        if isinstance(item, StreamErrorEvent):
            payload = item.payload
            data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
            event = item.event
        else:
            assert isinstance(item, InvalidPayload)
            data, event = item.data, item.event
        if self.sse:
            named = event if event != "message" else None
            self.env.out.write(encode_event(data, event=named).decode())
        else:
            self.env.out.write(data.replace("\n", " ") + "\n")

    def changes(self, place: Optional[Place]) -> None:
        found: List[Change] = self.normalizer.changes
        if self.report and found:
            where = place.text(self.name) if place is not None else self.name
            err = self.env.err
            for c in found:
                path = f"{c.path}: " if c.path else ""
                err.write(f"{where}: {c.kind}: {path}{_value(c.old)} -> {_value(c.new)}\n")
        found.clear()

    def payload(self, payload: Payload) -> None:
        where = payload.place.text(self.name)
        if payload.unterminated:
            self.failed = True
            self.env.err.write(
                f"{where}: unterminated_event: dropped, as the input ends inside it\n"
            )
            return
        for problem in payload.problems:
            self.failed = True
            self.env.err.write(f"{where}: invalid_payload: {problem.message}\n")
        chunk_written = False
        for item in payload.items:
            if isinstance(item, ChatCompletionChunk):
                self.chunks(self.normalizer.add(item))
                chunk_written = True
            elif isinstance(item, StreamErrorEvent) and chunk_written:
                continue  # OpenRouter's chunk that carries its error: written once, above
            else:
                if isinstance(item, InvalidPayload):
                    self.failed = True
                    for p in problems(item.error):
                        at = f"{p.path}: " if p.path else ""
                        self.env.err.write(f"{where}: invalid_payload: {at}{p.message}\n")
                self.other(item)
        self.changes(payload.place)

    def ended(self, ended: Ended) -> None:
        self.chunks(self.normalizer.finish())
        self.changes(ended.place)
        if ended.end is StreamEnd.DONE and self.sse:
            self.env.out.write(_DONE)
        self.normalizer = Normalizer(self.options)


def normalize(args: argparse.Namespace, env: Env) -> int:
    """Run ``chatchunk normalize``; return the exit status."""
    try:
        options = _options(args)
    except ValueError as exc:
        error(env, str(exc))
        return 2
    try:
        source = open_input(args.path)
        try:
            mode = sniff(source)
            writer = _Writer(env, source.name, mode, options, args.report)
            payloads = 0
            for record in split(Reader(source, mode)):
                if isinstance(record, Ended):
                    writer.ended(record)
                else:
                    payloads += record.unterminated is False
                    writer.payload(record)
        finally:
            source.close()
    except InputError as exc:
        error(env, str(exc))
        return 2
    env.out.flush()
    env.err.flush()
    if not payloads:
        error(env, f"{source.name}: no payloads found")
        return 2
    return 1 if writer.failed else 0
