"""Incremental, IO-free decoding of Server-Sent Events (``text/event-stream``).

`SSEDecoder` follows the WHATWG HTML "event stream interpretation" algorithm. It is fed
``bytes`` pieces cut anywhere and returns the events each piece completes; `iter_sse` and
`aiter_sse` (in ``_sse_stream``) run it over sync and async byte iterators.

How it works:

* Lines end at LF, CRLF or a lone CR and nowhere else (``splitlines`` would also cut at
  U+2028, U+0085, VT, FF and more).
* Almost every event of an LLM stream is one ``data: `` line and a blank line. A piece
  with LF line ends only is cut with one ``split`` where a blank line is followed by
  ``data: ``; a block with no line end left in it is an event's payload as it stands.
  Every other block, and every piece with a CR, goes through the general rules.
* There, line ends are found with ``bytes.find`` from a moving position, never by
  rescanning; in a piece with CR the next CR and the next LF are each remembered until
  passed.
* The bytes after a piece's last line end wait in a ``bytearray`` that never holds a line
  end, and a piece without one is only appended to it, so the work stays linear however
  small the pieces are. A CR ending a piece is a line end at once; a LF starting the next
  piece is then skipped, so a CRLF cut in two is one line end.
* A line is decoded from UTF-8 once complete, so a character cut between pieces decodes
  whole; invalid bytes become U+FFFD, as the spec asks, and the event is listed in
  `SSEDecoder.lossy` so that the chunk layer can reject it as `parse_chunk` would.
* An event may hold at most ``max_event_size`` bytes: its data lines plus the line being
  read, finished or not. So memory stays bounded on any input.
"""

from itertools import islice
from typing import (
    Any,
    Callable,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    cast,
)

__all__ = ["SSEDecoder", "SSEError", "ServerSentEvent"]

DEFAULT_MAX_EVENT_SIZE = 4 * 1024 * 1024
"""The default bound, in bytes, on the size of one event."""

_BOM = b"\xef\xbb\xbf"


class ServerSentEvent(NamedTuple):
    """One event dispatched from a Server-Sent-Events stream."""

    event: str = "message"
    """The event type: the ``event:`` field, or ``"message"`` when the event had none."""
    data: str = ""
    """The event's ``data:`` lines joined with ``"\\n"``."""
    id: str = ""
    """The last event ID at dispatch: the latest ``id:`` so far, from this or an earlier event."""
    retry: Optional[int] = None
    """The reconnection time in milliseconds from a valid ``retry:`` field of the event, or None."""
    position: int = 0
    """Which event of the stream this is, counting from 1."""
    offset: int = 0
    """Byte offset in the stream (a leading BOM counted) where the event's first line begins."""


_EventFields = Tuple[str, str, str, Optional[int], int, int]
# `tuple.__new__` skips the Python-level `__new__` that NamedTuple generates, which costs
# as much again; going through a `Type[Tuple[Any, ...]]` keeps both type checkers exact.
_tuple: Type[Tuple[Any, ...]] = tuple
_new_event = cast(
    "Callable[[Type[ServerSentEvent], _EventFields], ServerSentEvent]", _tuple.__new__
)


class SSEError(ValueError):
    """The bytes cannot be read as an event stream: an event larger than ``max_event_size``,
    a body that is no event stream at all, or one without a single event."""


class SSEDecoder:
    """Incremental Server-Sent-Events decoder: `feed` it bytes, get `ServerSentEvent` objects.

    ``max_event_size`` bounds the bytes one event may hold: its data lines plus the line
    being read. Past it, `feed` raises `SSEError`.
    """

    __slots__ = (
        "_at_start",
        "_count",
        "_data",
        "_error",
        "_event",
        "_id",
        "_lossy",
        "_max",
        "_offset",
        "_retry",
        "_size",
        "_skip_lf",
        "_special",
        "_start",
        "_tail",
        "done",
        "lossy",
    )

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError(f"max_event_size must be positive, got {max_event_size}")
        self.done = False
        """True once an event whose data is exactly ``[DONE]`` has been dispatched."""
        self._max = max_event_size
        self._tail = bytearray()  # the start of an unfinished line; never holds CR or LF
        self._offset = 0  # stream offset of the first byte not yet interpreted
        self._at_start = True  # a BOM may still come
        self._skip_lf = False  # the last piece ended with CR: a LF next is part of its CRLF
        self._error: Optional[SSEError] = None
        # One test on the hot path for the rare states: stream start, CR last, error.
        self._special = True
        # The event being read: data lines, their size in bytes (one LF each counted),
        # type, retry, stream offset of its first line (-1 between events).
        self._data: List[str] = []
        self._size = 0
        self._event = ""
        self._retry: Optional[int] = None
        self._start = -1
        self._id = ""  # the spec's "last event ID buffer": it outlives events
        self._count = 0  # events dispatched
        self.lossy: List[int] = []
        """The positions of the events returned so far whose data held invalid UTF-8, which
        was replaced by U+FFFD as the specification asks; a caller may clear it."""
        self._lossy = False  # a data line of the event being read held invalid UTF-8

    def feed(self, data: bytes) -> List[ServerSentEvent]:
        """Decode the next piece of the stream; return the events it completes, in order.

        When an event outgrows ``max_event_size``, `SSEError` is raised; if the same piece
        completed events before it, they are returned first and the next call raises. The
        decoder cannot be used after the error.
        """
        if self._special:
            data = self._prepare(data)
        tail = self._tail
        if tail:
            if 10 not in data and 13 not in data:
                tail += data
                if len(tail) + self._size > self._max:
                    raise self._fail(self._too_big(self._count + 1, self._start, self._offset))
                return []
            data = bytes(tail) + data  # the piece is copied once, the short tail twice
            tail.clear()
        events: List[ServerSentEvent] = []
        try:
            if 13 in data:
                if data[-1] == 13:
                    self._skip_lf = self._special = True
                pos = self._lines(data, 0, len(data), True, events)
            else:
                pos = self._blocks(data, events)
        except SSEError as exc:
            self._fail(exc)
            if not events:
                raise
            return events
        self._offset += pos
        return events

    def _blocks(self, data: bytes, events: List[ServerSentEvent]) -> int:
        # A piece with LF line ends only. Almost every event of an LLM stream is one
        # "data: " line and a blank line, so the piece is cut where a blank line is followed
        # by "data: ": each block but the first is then the payload of a "data: " line, and
        # is an event as it stands when it holds no line end. Any other block, and whatever
        # comes before an event that began in an earlier piece, goes through the line rules.
        # One `split` call finds them all, which costs less than a `find` per line.
        blocks = data.split(b"\n\ndata: ")
        append = events.append
        n = len(data)
        base = self._offset  # stream offset of data[0]
        count = self._count
        last_id = self._id
        # No line of the piece can be larger than the size bound if the piece is not.
        small = n <= self._max
        first = blocks[0]
        cut = len(blocks) > 1
        # The first block is an event as it stands if it is one "data: " line and no event
        # began before it; without a cut, that line must end the piece with a blank line
        # (often a piece is exactly one event, as servers flush them).
        payload = None
        if small and self._start < 0 and first[:6] == b"data: ":
            if cut:
                if 10 not in first:
                    payload = first[6:]
            elif first.find(b"\n") == n - 2 and first[-1] == 10:
                payload = first[6:-2]
        if payload is not None:
            count += 1
            try:
                text = payload.decode()
            except UnicodeDecodeError:
                text = payload.decode("utf-8", "replace")
                self.lossy.append(count)
            append(_new_event(ServerSentEvent, ("message", text, last_id, None, count, base)))
            if text == "[DONE]":
                self.done = True
            if not cut:
                self._count = count
                return n
        elif not cut:
            return self._lines(data, 0, n, False, events)
        else:
            self._lines(data, 0, len(first) + 2, False, events)
            count = self._count
            last_id = self._id
        pos = len(first) + 8  # where the payload of the next block begins
        blocks.pop()  # what follows the last cut: read line by line below
        line_base = base - 6  # stream offset of a block's line, from where its payload is
        for block in islice(blocks, 1, None):
            if small and 10 not in block:
                count += 1
                try:  # inline: a call per event costs more than the decoding
                    text = block.decode()
                except UnicodeDecodeError:
                    text = block.decode("utf-8", "replace")
                    self.lossy.append(count)
                fields = ("message", text, last_id, None, count, line_base + pos)
                append(_new_event(ServerSentEvent, fields))
                if text == "[DONE]":
                    self.done = True
            else:
                self._count = count
                self._lines(data, pos - 6, pos + len(block) + 2, False, events)
                count = self._count
                last_id = self._id
            pos += len(block) + 8
        self._count = count
        return self._lines(data, pos - 6, n, False, events)

    def _lines(
        self, data: bytes, pos: int, n: int, crlf: bool, events: List[ServerSentEvent]
    ) -> int:
        # Interpret the lines of data[pos:n], line by line; returns where the unfinished
        # last line (kept in the tail) begins. The loop works on locals, written back after
        # it: attribute access costs more.
        limit = self._max
        count = self._count
        base = self._offset  # stream offset of data[0]
        start = self._start
        size = self._size
        buf = self._data
        tail = self._tail
        fields: _EventFields
        # The next CR and LF at or after `pos`, n when there is none: each is searched for
        # again only once passed, so a piece is scanned once for each.
        cr = lf = -1
        while pos < n:
            # The line is data[pos:end], the next one starts at `nxt`.
            if crlf:
                if cr < pos:
                    cr = data.find(b"\r", pos)
                    if cr < 0:
                        cr = n
                if lf < pos:
                    lf = data.find(b"\n", pos)
                    if lf < 0:
                        lf = n
                if lf < cr:
                    end = nxt = lf
                elif cr < n:
                    end = nxt = cr
                    if cr + 1 < n and data[cr + 1] == 10:
                        nxt += 1
                else:
                    break
                nxt += 1
            else:
                end = data.find(b"\n", pos)
                if end < 0:
                    break
                nxt = end + 1
            if start < 0 and nxt < n and data[pos : pos + 6] == b"data: ":
                c = data[nxt]
                if (c == 10 or c == 13) and end - pos <= limit:
                    # The usual event: one "data: " line, then a blank line.
                    count += 1
                    try:
                        text = data[pos + 6 : end].decode()
                    except UnicodeDecodeError:
                        text = data[pos + 6 : end].decode("utf-8", "replace")
                        self.lossy.append(count)
                    fields = ("message", text, self._id, None, count, base + pos)
                    events.append(_new_event(ServerSentEvent, fields))
                    if text == "[DONE]":
                        self.done = True
                    pos = nxt + 2 if c == 13 and data.startswith(b"\n", nxt + 1) else nxt + 1
                    continue
            line_start = pos
            line = data[pos:end]
            pos = nxt
            if not line:
                if buf:
                    count += 1
                    text = buf[0] if len(buf) == 1 else "\n".join(buf)
                    fields = (
                        self._event or "message",
                        text,
                        self._id,
                        self._retry,
                        count,
                        start,
                    )
                    events.append(_new_event(ServerSentEvent, fields))
                    if text == "[DONE]":
                        self.done = True
                    if self._lossy:
                        self.lossy.append(count)
                        self._lossy = False
                    buf = []
                    size = 0
                if start >= 0:
                    self._event = ""
                    self._retry = None
                    start = -1
                continue
            if start < 0:
                start = base + line_start
            if len(line) + size > limit:
                raise self._too_big(count + 1, start, start)
            if line[:6] == b"data: ":
                value = line[6:]
            elif line[:5] == b"data:":
                value = line[5:]
            elif line[0] == 58:  # ":" starts a comment
                continue
            else:
                field_value = self._field(line)
                if field_value is None:
                    continue
                value = field_value
            try:
                buf.append(value.decode())
            except UnicodeDecodeError:
                buf.append(value.decode("utf-8", "replace"))
                self._lossy = True
            size += len(value) + 1
        if pos < n:
            tail += data[pos:n]  # the whole of `data` when pos is 0: bytes slices do not copy then
            if len(tail) + size > limit:
                raise self._too_big(count + 1, start, base + pos)
        self._count = count
        self._start = start
        self._size = size
        self._data = buf
        return pos

    @property
    def count(self) -> int:
        """How many events were dispatched so far, ``[DONE]`` included."""
        return self._count

    @property
    def pending(self) -> bool:
        """Whether the bytes so far end inside an event: data read, no blank line after it.

        `flush` drops such an event, as the specification asks; a stream that ends here
        was cut off.
        """
        tail = self._tail
        return bool(self._data) or (bool(tail) and tail[0] != 58 and not self._at_start)

    @property
    def pending_offset(self) -> int:
        """Where the unfinished event began, as a byte offset in the stream; -1 if not `pending`."""
        if not self.pending:
            return -1
        return self._start if self._start >= 0 else self._offset

    def flush(self) -> List[ServerSentEvent]:
        """End the stream: drop an unfinished last event, as the spec asks.

        Every event closed by a blank line was already returned by `feed` (a line end is acted
        on as soon as it is seen), so this returns an empty list; it raises a pending
        `SSEError`.
        """
        if self._error is not None:
            raise self._error
        self._tail.clear()
        self._data = []
        self._size = 0
        self._lossy = False
        self._event = ""
        self._retry = None
        self._start = -1
        return []

    def _field(self, line: bytes) -> Optional[bytes]:
        # A line that is not blank, a comment or "data:...". Returns the value of a "data"
        # field, None for the others.
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            return value
        if name == b"event":
            self._event = value.decode("utf-8", "replace")
        elif name == b"id":
            if b"\0" not in value:
                self._id = value.decode("utf-8", "replace")
        # bytes.isdigit is ASCII-only. A value too long for int() is ignored: no
        # reconnection time needs 4000 digits.
        elif name == b"retry" and value.isdigit() and len(value) < 4000:
            self._retry = int(value)
        return None

    def _prepare(self, data: bytes) -> bytes:
        # The rare states, kept off the hot path of `feed`.
        if self._error is not None:
            raise self._error
        if self._at_start:
            data = self._strip_bom(data)
        if self._skip_lf and data:
            self._skip_lf = False
            if data[0] == 10:  # the LF of a CRLF cut between pieces
                data = data[1:]
                self._offset += 1
        self._special = self._at_start or self._skip_lf
        return data

    def _strip_bom(self, data: bytes) -> bytes:
        # The BOM may come cut in pieces: hold its first bytes back until it is whole or
        # ruled out. Offsets still count its bytes.
        head = bytes(self._tail) + data if self._tail else data
        if len(head) < 3 and _BOM.startswith(head):
            self._tail[:] = head
            return b""
        self._at_start = False
        self._tail.clear()
        if head.startswith(_BOM):
            self._offset = 3
            return head[3:]
        return head

    def _too_big(self, position: int, start: int, line_start: int) -> SSEError:
        offset = start if start >= 0 else line_start
        return SSEError(
            f"SSE event {position} at byte {offset} is larger than "
            f"max_event_size ({self._max} bytes)"
        )

    def _fail(self, error: SSEError) -> SSEError:
        self._error = error
        self._special = True
        return error
