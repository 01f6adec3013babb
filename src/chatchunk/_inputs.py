"""Reading the inputs of the command line: a file or stdin, in pieces, in any of three formats.

`sniff` tells a Server-Sent-Events stream, JSON Lines and a single JSON document
apart by their first bytes, and rejects an input that is none of them (an HTML
error page, plain text). `Reader` yields the payloads of each with their place in
the input, each turned into items by the library's own `parse_event` with
``on_invalid="yield"``: chunks, in-band errors, and `InvalidPayload` for the rest.
Invalid UTF-8 makes a payload invalid in every format, as it does for `parse_chunk`.
Memory stays constant: SSE is read in `PIECE`-sized pieces, JSON Lines a line at a
time, and only a single JSON document is read whole, up to `MAX_DOCUMENT`.
"""

import codecs
import json
import os
import sys
from typing import (
    BinaryIO,
    Callable,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

from pydantic import ValidationError

from ._events import InvalidPayload, StreamItem
from ._json import parse_chunk
from ._sse import ServerSentEvent, SSEDecoder, SSEError
from ._sse_stream import NotAnEventStreamError
from ._stream import parse_event

__all__ = [
    "MAX_DOCUMENT",
    "PIECE",
    "STDIN",
    "InputError",
    "Item",
    "Payload",
    "Place",
    "Problem",
    "Reader",
    "Source",
    "open_input",
    "problems",
    "size_text",
    "sniff",
]

PIECE = 64 * 1024
"""How many bytes are read at a time."""
MAX_DOCUMENT = 64 * 1024 * 1024
"""The largest single JSON document, or JSON Lines line, that is read."""
_SNIFF = 1024  # bytes checked for NUL and invalid UTF-8
_SNIFF_LIMIT = 1024 * 1024  # leading blank bytes looked through to find the format
_INPUT_REPR = 60  # the longest input shown in a report
_SSE_STARTS = (b"data:", b"event:", b"id:", b"retry:", b":")
_BOM = codecs.BOM_UTF8
STDIN = "<stdin>"

Item = Union[StreamItem, InvalidPayload]
"""What a payload turns into: a chunk, an in-band error, or an invalid payload."""


class InputError(Exception):
    """An input that cannot be read; the message is one line for a person."""


# --- reading ---------------------------------------------------------------------------


class Source:
    """A binary input read in pieces, with the bytes looked at to find its format put back."""

    def __init__(self, name: str, read: Callable[[int], bytes], close: Callable[[], None]):
        self.name = name
        self.bytes_read = 0
        self._read = read
        self._close = close
        self._pending: List[bytes] = []

    def read(self) -> bytes:
        """The next piece, ``b""`` at the end."""
        if self._pending:
            return self._pending.pop()
        try:
            piece = self._read(PIECE)
        except IsADirectoryError:
            raise InputError(f"{self.name}: is a directory") from None
        except OSError as exc:
            raise InputError(f"{self.name}: {exc.strerror or exc}") from None
        self.bytes_read += len(piece)
        return piece

    def unread(self, data: bytes) -> None:
        if data:
            self._pending.append(data)

    def close(self) -> None:
        self._close()


def open_input(path: str) -> Source:
    if path == "-":
        stdin: Optional[BinaryIO] = getattr(sys.stdin, "buffer", None)
        if stdin is None:
            raise InputError(f"{STDIN}: not available")
        read: Callable[[int], bytes] = getattr(stdin, "read1", stdin.read)
        return Source(STDIN, read, lambda: None)
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory")
    try:
        file = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by Source.close)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return Source(path, file.read, file.close)


def _not_text(source: Source) -> InputError:
    return InputError(f"{source.name}: not a text file (binary data near the start)")


def _is_utf8(head: bytes, final: bool) -> bool:
    sample = head[:_SNIFF]
    try:
        # A character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final and len(head) <= _SNIFF)
    except UnicodeDecodeError:
        return False
    return True


def sniff(source: Source) -> str:
    """Find the input's format, ``"sse"``, ``"jsonl"`` or ``"json"``, reading as little as
    needed and putting it back.

    Raises `InputError` for binary data (a NUL byte near the start) and for text that is
    none of the three formats, with the message such a body carries (an HTML page's title).
    Invalid UTF-8 further on is left for the payload it is in: that payload is invalid.
    """
    head = b""
    eof = False
    checked = False
    while True:
        piece = source.read()
        eof = not piece
        head += piece
        if not checked and (eof or len(head) >= _SNIFF):
            if b"\0" in head[:_SNIFF]:
                raise _not_text(source)
            checked = True
        body = head[3:] if head.startswith(_BOM) else head
        start = body.lstrip(b" \t\r\n")
        if eof or (start and checked) or len(head) >= _SNIFF_LIMIT:
            break
    mode = "jsonl"  # blank so far: JSON Lines skips blank lines one at a time
    if start.startswith(_SSE_STARTS):
        mode = "sse"
    elif start.startswith(b"{"):
        # The first line must be whole to tell JSON Lines from a pretty-printed document.
        parts = [head]
        size = len(head)
        line_end = start.find(b"\n")
        while line_end < 0 and not eof and size <= MAX_DOCUMENT:
            piece = source.read()
            eof = not piece
            parts.append(piece)
            size += len(piece)
            line_end = piece.find(b"\n")
        if len(parts) > 1:
            head = b"".join(parts)
            body = head[3:] if head.startswith(_BOM) else head
            start = body.lstrip(b" \t\r\n")
            line_end = start.find(b"\n")
        first = start if line_end < 0 else start[:line_end]
        if len(first) > MAX_DOCUMENT:
            # Too long to be read as one document anyway: as JSON Lines, it is a line
            # that is too long, as it would be further on, and the rest is read.
            mode = "jsonl"
        else:
            try:
                mode = "jsonl" if isinstance(json.loads(first), dict) else "json"
            except (ValueError, RecursionError):  # deep nesting: pydantic says what is wrong
                mode = "json"
    elif start.startswith(b"["):
        mode = "json"  # an array: one document, which pydantic rejects with a reason
    elif start:
        if not _is_utf8(head, eof):
            raise _not_text(source)
        message = NotAnEventStreamError(start[:_SNIFF]).message
        raise InputError(f"{source.name}: not an event stream, JSON Lines or JSON: {message}")
    source.unread(head)
    return mode


class Place(NamedTuple):
    """Where a payload is in its input: a line, an SSE event, or the whole input."""

    line: int = 0
    event: int = 0
    offset: int = 0
    """The byte where the SSE event began; -1 when not known."""

    def text(self, name: str) -> str:
        if self.line:
            return f"{name}:{self.line}"
        if self.event:
            at = f" at byte {self.offset}" if self.offset >= 0 else ""
            return f"{name}: event {self.event}{at}"
        return name

    def fields(self) -> Dict[str, int]:
        if self.line:
            return {"line": self.line}
        if self.event:
            if self.offset < 0:
                return {"event": self.event}
            return {"event": self.event, "offset": self.offset}
        return {}


class Problem(NamedTuple):
    """Why a payload is not a chunk: one entry of a validation error, or a reading error."""

    path: str
    message: str
    input: Optional[str]
    error_type: str


class Payload(NamedTuple):
    """One payload of an input and what it turned into."""

    place: Place
    items: List[Item]
    """What its data carries, from `parse_event`: a chunk, in-band errors, or an
    `InvalidPayload`; empty for a payload that could not be read."""
    problems: Tuple[Problem, ...] = ()
    """Why it could not be read at all (a line too long, an SSE event too large)."""
    done: bool = False
    """It is the ``data: [DONE]`` event, which ends a stream and carries nothing."""
    unterminated: bool = False
    """The input ended inside this SSE event, which was dropped: no items."""


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _INPUT_REPR else text[: _INPUT_REPR - 3] + "..."


def problems(exc: ValidationError) -> List[Problem]:
    return [
        Problem(
            ".".join(str(part) for part in error["loc"]),
            error["msg"],
            _short_repr(error["input"]),
            error["type"],
        )
        for error in exc.errors(include_url=False)
    ]


def _document_items(place: Place, data: bytes) -> List[Item]:
    """The items of one JSON Lines line or JSON document, as `iter_events` would give them."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        # Not UTF-8: the payload is invalid. pydantic reads the bytes themselves, so the
        # error is the one `parse_chunk` gives for them.
        text = data.decode("utf-8", "replace")
        try:
            parse_chunk(data)
        except ValidationError as exc:
            return [InvalidPayload(exc, text, place.line)]
        lossy = True  # pragma: no cover (pydantic accepts no invalid UTF-8)
    else:
        lossy = False
    event = ServerSentEvent(data=text, position=place.line)
    return parse_event(event, on_invalid="yield", lossy=lossy)


def _problem_payload(place: Place, message: str, error_type: str) -> Payload:
    return Payload(place, [], (Problem("", message, None, error_type),))


class Reader:
    """The payloads of one input, in order, whatever its format."""

    def __init__(self, source: Source, mode: str) -> None:
        self.source = source
        self.mode = mode
        self.failed = False
        """Reading stopped early: an SSE event larger than the decoder's bound."""
        self.truncated = False
        """The input ended inside an SSE event (yielded as an ``unterminated`` payload)."""

    def payloads(self) -> Iterator[Payload]:
        if self.mode == "sse":
            return self._sse()
        if self.mode == "jsonl":
            return self._jsonl()
        return self._json()

    def _sse(self) -> Iterator[Payload]:
        decoder = SSEDecoder()
        lossy = decoder.lossy
        read = self.source.read
        while True:
            piece = read()
            if not piece:
                break
            try:
                events = decoder.feed(piece)
            except SSEError as exc:
                yield self._failed(exc)
                return
            replaced = set(lossy)
            lossy.clear()
            for event in events:
                place = Place(event=event.position, offset=event.offset)
                if event.data == "[DONE]":
                    yield Payload(place, [], done=True)
                    continue
                items = parse_event(event, on_invalid="yield", lossy=event.position in replaced)
                yield Payload(place, items)
        pending = decoder.pending
        pending_offset = decoder.pending_offset
        try:
            decoder.flush()
        except SSEError as exc:  # an error the last piece deferred
            yield self._failed(exc)
            return
        if pending:
            # The library's rule: an event that no blank line closed is dropped.
            self.truncated = True
            place = Place(event=decoder.count + 1, offset=pending_offset)
            yield Payload(place, [], unterminated=True)

    def _failed(self, exc: SSEError) -> Payload:
        self.failed = True
        return _problem_payload(Place(), str(exc), "sse_error")

    def _jsonl(self) -> Iterator[Payload]:
        number = 0
        first = True
        for line in read_lines(self.source):
            number += 1
            place = Place(line=number)
            if line is None:
                message = f"line longer than {size_text(MAX_DOCUMENT)}"
                yield _problem_payload(place, message, "too_long")
                continue
            if first:
                first = False
                if line.startswith(_BOM):
                    line = line[3:]
            line = line.strip()
            if line:
                yield Payload(place, _document_items(place, line))

    def _json(self) -> Iterator[Payload]:
        parts: List[bytes] = []
        size = 0
        while True:
            piece = self.source.read()
            if not piece:
                break
            size += len(piece)
            if size > MAX_DOCUMENT:
                raise InputError(
                    f"{self.source.name}: larger than {size_text(MAX_DOCUMENT)},"
                    " too large for one JSON document (use JSON Lines or SSE)"
                )
            parts.append(piece)
        data = b"".join(parts)
        del parts
        if data.startswith(_BOM):
            data = data[3:]
        data = data.strip()
        if data:
            yield Payload(Place(), _document_items(Place(), data))


def size_text(n: int) -> str:
    mib = 1024 * 1024
    return f"{n // mib} MiB" if n % mib == 0 else f"{n} bytes"


def read_lines(source: Source) -> Iterator[Optional[bytes]]:
    """The lines of an input, without their LF; None for a line over `MAX_DOCUMENT`."""
    parts: List[bytes] = []  # the start of a line cut by the end of a piece
    size = 0
    too_long = False
    while True:
        piece = source.read()
        if not piece:
            break
        end = piece.find(b"\n")
        if end < 0:
            if not too_long:
                parts.append(piece)
                size += len(piece)
                if size > MAX_DOCUMENT:
                    parts.clear()
                    too_long = True
            continue
        if too_long:
            yield None
            too_long = False
            piece = piece[end + 1 :]
        elif parts:
            parts.append(piece[: end + 1])
            line = b"".join(parts)
            parts.clear()
            piece = piece[end + 1 :]
            if len(line) > MAX_DOCUMENT:
                yield None
            else:
                yield line[:-1]
        lines = piece.split(b"\n")
        rest = lines.pop()
        if len(piece) <= MAX_DOCUMENT:
            yield from lines
        else:  # only the bytes put back after finding the format can be this large
            for line in lines:
                yield line if len(line) <= MAX_DOCUMENT else None
        if rest:
            parts.append(rest)
        size = len(rest)
    if too_long:
        yield None
    elif parts:
        line = b"".join(parts)
        yield line if len(line) <= MAX_DOCUMENT else None
