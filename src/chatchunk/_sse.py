"""Incremental, IO-free decoding of Server-Sent Events (``text/event-stream``).

`SSEDecoder` follows the WHATWG HTML "event stream interpretation" algorithm. It is fed
``bytes`` pieces cut anywhere and returns the events each piece completes; `iter_sse` and
`aiter_sse` (in ``_sse_stream``) run it over sync and async byte iterators.
The line scanning, the private methods `SSEDecoder` inherits, is in ``_sse_lines``; the
event and error types are in ``_sse_event``.

How it works:

* Lines end at LF, CRLF or a lone CR and nowhere else (``splitlines`` would also cut at
  U+2028, U+0085, VT, FF and more).
* Almost every event of an LLM stream is one ``data: `` line and a blank line. A piece
  with LF line ends only (up to 256 KiB) is cut with one ``split`` where a blank line is
  followed by ``data: ``; a block with no line end left in it is an event's payload as it
  stands. Every other block, and every other piece, goes through the general rules.
* There, line ends are found with ``bytes.find`` from a moving position, never by
  rescanning; in a piece with CR the next CR and the next LF are each remembered until
  passed.
* The bytes after a piece's last line end wait in a ``bytearray`` that never holds a line
  end, and a piece without one is only appended to it, so the work stays linear however
  small the pieces are. A CR ending a piece is a line end at once; a LF starting the next
  piece is then skipped, so a CRLF cut in two is one line end.
* A comment or a line of an unknown field is dropped as it streams, even across pieces:
  it is never buffered and counts against no bound.
* Memory is bounded on any input, by ``max_event_size`` plus a constant (see `SSEDecoder`):
  a size is checked before bytes are copied, and a piece over 256 KiB is read in place,
  never copied whole nor joined with the unfinished line before it. An event's data lines are
  kept as bytes, in one ``bytearray``, not as one object per line.
* A line is decoded from UTF-8 once complete (an event's data lines once it is
  dispatched), so a character cut between pieces decodes whole; invalid bytes become
  U+FFFD, as the spec asks, and the event is listed in `SSEDecoder.lossy` so that the
  chunk layer can reject it as `parse_chunk` would.
"""

from typing import List, Optional

from ._sse_event import ServerSentEvent, SSEError
from ._sse_lines import (
    JOIN_LIMIT,
    JOIN_TAIL,
    UNKNOWN,
    LineScanner,
)

__all__ = ["SSEDecoder", "SSEError", "ServerSentEvent"]

DEFAULT_MAX_EVENT_SIZE = 4 * 1024 * 1024
"""The default bound, in bytes, on the size of one event."""


class SSEDecoder(LineScanner):
    """Incremental Server-Sent-Events decoder: `feed` it bytes, get `ServerSentEvent` objects.

    ``max_event_size`` bounds what one event may hold, in bytes of the stream: its data
    lines (without their field name, each with its LF), its ``event`` type, the last
    event ID, and the line being read, finished or not (whole). Past it, `feed` raises
    `SSEError`. Comments and lines of unknown fields are dropped as they stream, however
    long, and count for nothing.

    So memory is bounded on any input, however the pieces are cut. Between two calls the
    decoder keeps at most ``max_event_size`` bytes of the stream, plus a constant: a few
    hundred bytes of state, the 5 first bytes of a line whose field is not known yet,
    and what a `bytearray` reserves beyond its size (an eighth). The event type and the
    ID are kept as `str`, which may take up to 4 bytes per byte read. During a call,
    besides the piece and the events it returns, it allocates at most about twice
    ``max_event_size`` (a line within the bound, copied once, then its event's data as
    text) plus 512 KiB: a piece up to 256 KiB may be copied and split, a larger one is
    read in place.
    """

    __slots__ = ()  # declared by `LineScanner`, whose methods use them

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError(f"max_event_size must be positive, got {max_event_size}")
        self.done = False
        """True once an event whose data is exactly ``[DONE]`` has been dispatched."""
        self.retry: Optional[int] = None
        """The stream's reconnection time in milliseconds: the last valid ``retry:`` field
        read so far, in an event or in a block without data; None before any."""
        self._max = max_event_size
        self._tail = bytearray()  # the start of an unfinished line; never holds CR or LF
        self._offset = 0  # stream offset of the first byte not yet interpreted
        self._at_start = True  # a BOM may still come
        self._skip_lf = False  # the last piece ended with CR: a LF next is part of its CRLF
        self._skip = 0  # _COMMENT or UNKNOWN: the rest of the current line is dropped
        self._error: Optional[SSEError] = None
        # One test on the hot path for the rare states: stream start, CR last, a line
        # being dropped, error.
        self._special = True
        # The event being read: its data lines as UTF-8, each followed by LF; its type
        # and that type's size in bytes; its retry; the stream offset of its first line
        # (-1 between events).
        self._data = bytearray()
        self._event = ""
        self._event_size = 0
        self._retry: Optional[int] = None
        self._start = -1
        self._id = ""  # the spec's "last event ID buffer": it outlives events
        self._id_size = 0  # its size in bytes
        self._room = max_event_size  # the bound on the data of a one-line event: less the ID
        self._count = 0  # events dispatched
        self.lossy: List[int] = []
        """The positions of the events returned so far whose data held invalid UTF-8, which
        was replaced by U+FFFD as the specification asks; a caller may clear it."""

    def feed(self, data: bytes) -> List[ServerSentEvent]:
        """Decode the next piece of the stream; return the events it completes, in order.

        When an event outgrows ``max_event_size``, `SSEError` is raised; if the same piece
        completed events before it, they are returned first and the next call raises. The
        decoder cannot be used after the error.
        """
        pos = 0  # where reading starts; self._offset is the stream offset of data[pos]
        if self._special:
            pos = self._prepare(data)
            if pos == len(data):  # all read, or held: the first bytes of a BOM
                return []
            if pos and len(data) - pos <= JOIN_LIMIT:
                data = data[pos:]
                pos = 0
        tail = self._tail
        if tail:
            if len(tail) <= JOIN_TAIL and len(data) <= JOIN_LIMIT:
                if 10 not in data and 13 not in data:
                    self._grow(data)
                    return []
                data = bytes(tail) + data  # the piece is copied once, the short tail twice
                tail.clear()
            else:
                pos = self._finish_tail(data)
                if pos == len(data):
                    return []
                if len(data) - pos <= JOIN_LIMIT:
                    data = data[pos:]
                    pos = 0
        events: List[ServerSentEvent] = []
        try:
            # A large piece, or what is left of one, is read in place: neither copied nor
            # split in blocks, which would copy it too.
            if 13 in data:
                if data[-1] == 13:
                    self._skip_lf = self._special = True
                self._offset -= pos
                pos = self._lines(data, pos, len(data), True, events)
            elif pos:
                self._offset -= pos
                pos = self._lines(data, pos, len(data), False, events)
            else:
                pos = self._blocks(data, events)
        except SSEError as exc:
            self._fail(exc)
            if not events:
                raise
            exc.__traceback__ = None  # kept for the next call: its frames hold the piece
            return events
        self._offset += pos
        return events

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
        if self._data or self._skip == UNKNOWN:
            return True
        return bool(self._tail) and not self._at_start

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
        self._data.clear()
        self._skip = 0
        self._event = ""
        self._event_size = 0
        self._retry = None
        self._start = -1
        return []
