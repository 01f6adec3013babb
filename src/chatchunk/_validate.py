"""``chatchunk validate``: every finding of every input, then a summary line.

Each input is read payload by payload (`Reader`) and cut into streams (`split`); a
finding is written as soon as it is known, and flushed, so that a pipe shows it at
once. Memory stays constant: a few values per stream and the set of conformance
findings already shown in the file.
"""

import argparse
import json
from typing import Any, Dict, Optional, Set, Tuple

from ._chunk import ChatCompletionChunk
from ._conformance import Finding, StreamConformance, check_conformance
from ._console import Env, Progress, count, error, input_size
from ._events import InvalidPayload, StreamEnd, StreamErrorEvent
from ._inputs import InputError, Payload, Place, Problem, Reader, open_input, problems, sniff
from ._logs import Ended, split

__all__ = ["UNTERMINATED", "validate"]

UNTERMINATED = "the input ends inside an event (no blank line after it); it was dropped"


class _Report:
    """Writes the findings of ``validate`` and counts them."""

    def __init__(self, env: Env, fmt: str, progress: Progress) -> None:
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
        self.lost = 0  # streams cut short and events dropped
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
        self.env.out.flush()

    def problem(self, name: str, place: Place, problem: Problem) -> None:
        extra: Dict[str, Any] = {"error_type": problem.error_type}
        if problem.input is not None:
            extra["input"] = problem.input
        self.write(name, place, "invalid_payload", problem.path, problem.message, extra)

    def failed(self, strict: bool) -> bool:
        return bool(
            self.invalid or self.stream_errors or self.lost or (strict and self.conformance)
        )

    def summary(self, status: int) -> None:
        self.progress.clear()
        out = self.env.out
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
            out.write(json.dumps(record) + "\n")
        else:
            text = (
                f"summary: {count(self.files, 'file')}, {count(self.payloads, 'payload')},"
                f" {self.valid} valid, {self.invalid} invalid,"
                f" {count(self.findings, 'finding')}"
            )
            if self.repeated:
                text += f", {self.repeated} repeated not shown"
            if self.unreadable:
                text += f", {self.unreadable} unreadable"
            if status == 130:
                text += ", interrupted"
            out.write(text + "\n")
        out.flush()


class _Input:
    """The checks of one input, stream by stream."""

    def __init__(self, name: str, mode: str, report: _Report, strict: bool) -> None:
        self.name = name
        self.mode = mode
        self.report = report
        self.strict = strict
        self.conformance = StreamConformance() if strict else None
        self.seen: Set[Tuple[str, str, str]] = set()  # conformance findings shown in the file

    def conform(self, place: Place, finding: Finding) -> None:
        key = (finding.kind, finding.path, finding.message)
        report = self.report
        if key in self.seen:
            report.repeated += 1
            return
        self.seen.add(key)
        report.conformance += 1
        extra = {"provider": finding.provider} if finding.provider else None
        report.write(self.name, place, finding.kind, finding.path, finding.message, extra)

    def payload(self, payload: Payload) -> None:
        name, report, place = self.name, self.report, payload.place
        if payload.unterminated:
            report.lost += 1
            report.write(name, place, "unterminated_event", "", UNTERMINATED)
            return
        # Counted first: a payload whose finding is out was checked, even if Ctrl-C comes.
        items = payload.items
        report.payloads += 1
        for item in items:
            if isinstance(item, ChatCompletionChunk):
                report.valid += 1
                break
        else:
            report.invalid += 1
        for problem in payload.problems:
            report.problem(name, place, problem)
        for item in items:
            if isinstance(item, InvalidPayload):
                for problem in problems(item.error):
                    report.problem(name, place, problem)
            elif isinstance(item, StreamErrorEvent):
                report.stream_errors += 1
                report.write(name, place, "stream_error", "error", item.message)
            elif self.conformance is not None:
                for finding in check_conformance(item):
                    self.conform(place, finding)
                for finding in self.conformance.add(item):
                    self.conform(place, finding)

    def ended(self, ended: Ended) -> None:
        sse = self.mode == "sse"
        # A single JSON document is one payload, not a stream: it may well be unfinished.
        if ended.unfinished and ended.end is not StreamEnd.DONE and self.mode != "json":
            which = ", ".join(str(index) for index in ended.unfinished)
            choices = "choice" if len(ended.unfinished) == 1 else "choices"
            how = " without 'data: [DONE]'" if sse else ""
            message = f"the stream ended{how} while {choices} {which} had no finish_reason"
            self.report.lost += 1
            self.report.write(self.name, ended.place, "incomplete_stream", "", message)
        conformance = self.conformance
        if conformance is not None:
            if ended.payloads:
                known = len(conformance.findings)
                done = (ended.end is StreamEnd.DONE) if sse else None
                for finding in conformance.finish(done=done)[known:]:
                    self.conform(ended.place, finding)
            self.conformance = StreamConformance()


def _validate_one(path: str, report: _Report, strict: bool, progress: Progress) -> None:
    source = open_input(path)
    progress.begin(input_size(path))
    try:
        reader = Reader(source, sniff(source))
        checks = _Input(source.name, reader.mode, report, strict)
        before = report.payloads
        for record in split(reader):
            if isinstance(record, Ended):
                checks.ended(record)
            else:
                checks.payload(record)
                progress.update(source, report.payloads)
        if report.payloads == before and not reader.truncated:
            raise InputError(f"{source.name}: no payloads found")
    finally:
        source.close()


def validate(args: argparse.Namespace, env: Env) -> int:
    """Check every input; return the exit status. On Ctrl-C, the summary so far is
    written before `KeyboardInterrupt` goes on up."""
    progress = Progress(env)
    report = _Report(env, args.format, progress)
    strict: bool = args.strict
    try:
        for path in args.paths:
            report.files += 1
            try:
                _validate_one(path, report, strict, progress)
            except InputError as exc:
                report.unreadable += 1
                progress.clear()
                error(env, str(exc))
    except KeyboardInterrupt:
        report.summary(130)
        raise
    finally:
        progress.clear()
    status = 2 if report.unreadable else 1 if report.failed(strict) else 0
    report.summary(status)
    return status
