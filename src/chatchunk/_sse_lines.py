"""The line scanning of `SSEDecoder`: where a piece's lines end, and what each line does.

`LineScanner` holds the decoder's private methods: the LF-only fast path (`_blocks`), the
line rules (`_lines`), the unfinished line kept between pieces (`_partial`,
`_finish_tail`), the rare states at a piece's start (`_prepare`, `_strip_bom`) and the
size errors. `SSEDecoder` (in ``_sse``) inherits them and owns the state they work on.
They stay methods, and `_kind` a module-level function, so that the hot path makes the
calls it made before.
"""

from itertools import islice
from typing import List, Optional, Tuple, Union

from ._sse_event import (
    ServerSentEvent,
    SSEError,
    _EventFields,  # pyright: ignore[reportPrivateUsage]
    _new_event,  # pyright: ignore[reportPrivateUsage]
)

# A piece up to this size is copied to be read from its start (cheaper than reading it in
# place), and joined with a short unfinished line before it; a larger one is read in place,
# and a long unfinished line is completed on its own.
JOIN_LIMIT = 256 * 1024
JOIN_TAIL = 16 * 1024

_BOM = b"\xef\xbb\xbf"
_FIELD_NAMES = (b"data", b"event", b"id", b"retry")  # a tuple: a bytearray is unhashable
_COMMENT = 1
UNKNOWN = 2
_UNDECIDED = 3


class LineScanner:
    """The private methods of `SSEDecoder` that read the stream's lines."""

    __slots__ = (
        "_at_start",
        "_count",
        "_data",
        "_error",
        "_event",
        "_event_size",
        "_id",
        "_id_size",
        "_max",
        "_offset",
        "_retry",
        "_room",
        "_skip",
        "_skip_lf",
        "_special",
        "_start",
        "_tail",
        "done",
        "lossy",
        "retry",
    )

    # The decoder's state, set and explained by `SSEDecoder.__init__`.
    done: bool
    retry: Optional[int]
    lossy: List[int]
    _at_start: bool
    _count: int
    _data: bytearray
    _error: Optional[SSEError]
    _event: str
    _event_size: int
    _id: str
    _id_size: int
    _max: int
    _offset: int
    _retry: Optional[int]
    _room: int
    _skip: int
    _skip_lf: bool
    _special: bool
    _start: int
    _tail: bytearray

    def _blocks(self, data: bytes, events: List[ServerSentEvent]) -> int:
        # A piece with LF line ends only. Almost every event of an LLM stream is one
        # "data: " line and a blank line, so the piece is cut where a blank line is followed
        # by "data: ": each block but the first is then the payload of a "data: " line, and
        # is an event as it stands when it holds no line end. Any other block, and whatever
        # comes before an event that began in an earlier piece, goes through the line rules.
        # One `split` call finds them all, which costs less than a `find` per line.
        n = len(data)
        if n > JOIN_LIMIT:
            return self._lines(data, 0, n, False, events)  # in place: `split` would copy it
        blocks = data.split(b"\n\ndata: ")
        append = events.append
        base = self._offset  # stream offset of data[0]
        count = self._count
        last_id = self._id
        # No event of the piece can outgrow the size bound if the piece and the last
        # event ID together do not.
        small = n <= self._room
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
            small = n <= self._room
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
                small = n <= self._room
            pos += len(block) + 8
        self._count = count
        return self._lines(data, pos - 6, n, False, events)

    def _lines(
        self,
        data: Union[bytes, bytearray],
        pos: int,
        n: int,
        crlf: bool,
        events: List[ServerSentEvent],
    ) -> int:
        # Interpret the lines of data[pos:n], line by line; returns where the unfinished
        # last line (kept in the tail) begins, or n when it is being dropped. The loop
        # works on locals, written back after it: attribute access costs more.
        limit = self._max
        room = self._room  # the bound for a one-line event
        extra = self._event_size + self._id_size  # what the event holds besides its data
        count = self._count
        base = self._offset  # stream offset of data[0]
        start = self._start
        buf = self._data  # the event's data lines, each with its LF
        size = len(buf)
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
                if (c == 10 or c == 13) and end - pos <= room:
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
            pos = nxt
            if end == line_start:  # a blank line
                if buf:
                    count += 1
                    del buf[-1]  # the LF after the last data line
                    try:
                        text = buf.decode()
                    except UnicodeDecodeError:
                        text = buf.decode("utf-8", "replace")
                        self.lossy.append(count)
                    buf.clear()
                    size = 0
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
                if start >= 0:
                    self._event = ""
                    self._event_size = 0
                    self._retry = None
                    extra = self._id_size
                    start = -1
                continue
            if start < 0:
                start = base + line_start
            # A line is not sliced before its size is known to be within the bound.
            if data.startswith(b"data:", line_start):
                value_start = line_start + 5
            elif data[line_start] == 58:  # ":" starts a comment
                continue
            else:
                # The field name is in the first 6 bytes, or it is no field that is kept.
                head = data[line_start : end if end - line_start < 6 else line_start + 6]
                colon = head.find(b":")
                name = head if colon < 0 else head[:colon]
                if name not in _FIELD_NAMES:
                    continue  # an unknown field: ignored, and nothing is kept
                value_start = line_start + colon + 1 if colon >= 0 else end
                if name != b"data":
                    if value_start < end and data[value_start] == 32:
                        value_start += 1
                    if end - line_start + size + extra > limit:
                        raise self._too_big(count + 1, start, start)
                    if name == b"event":  # inline: the one field some servers send per event
                        self._event = data[value_start:end].decode("utf-8", "replace")
                        extra += end - value_start - self._event_size
                        self._event_size = end - value_start
                        continue
                    self._set_field(name, data[value_start:end])
                    room = self._room
                    extra = self._event_size + self._id_size
                    continue
            if value_start < end and data[value_start] == 32:
                value_start += 1
            if end - line_start + size + extra > limit:
                raise self._too_big(count + 1, start, start)
            if end - value_start >= 4096:
                buf += memoryview(data)[value_start:end]  # not copied twice
                buf.append(10)
            elif nxt == end + 1 and data[end] == 10:
                buf += data[value_start:nxt]  # with its LF
            else:
                buf += data[value_start:end]
                buf.append(10)
            size += end - value_start + 1
        self._count = count
        self._start = start
        if pos < n:
            if start < 0 and n - pos <= room and data.startswith(b"data:", pos):
                self._tail += data[pos:n]  # the usual: the next event's line, cut
                return pos
            return pos if self._partial(data, pos, n, base + pos) else n
        return pos

    def _set_field(self, name: Union[bytes, bytearray], value: Union[bytes, bytearray]) -> None:
        # An "event", "id" or "retry" field.
        if name == b"event":
            self._event = value.decode("utf-8", "replace")
            self._event_size = len(value)
        elif name == b"id":
            if b"\0" not in value:
                self._id = value.decode("utf-8", "replace")
                self._id_size = len(value)
                self._room = self._max - self._id_size
        # bytes.isdigit is ASCII-only. A value too long for int() is ignored: no
        # reconnection time needs 4000 digits. The spec makes it a setting of the
        # stream, whether or not an event is dispatched.
        elif value.isdigit() and len(value) < 4000:
            self._retry = self.retry = int(value)

    def _partial(self, data: Union[bytes, bytearray], pos: int, n: int, line_offset: int) -> bool:
        # data[pos:n] continues the unfinished line whose first bytes are in the tail (if
        # any), which begins at stream offset `line_offset`. A comment or an unknown field
        # is dropped: returns False. Otherwise the bytes join the tail, their size checked
        # first, and it returns True.
        tail = self._tail
        if len(tail) < 6 and (tail or not data.startswith(b"data:", pos)):
            # Not the usual (an event's line, cut): what is the line?
            head = data[pos : pos + 6 if pos + 6 < n else n]
            kind = _kind((bytes(tail) + head)[:6] if tail else head)
            if kind == _UNDECIDED:
                tail += head  # at most 5 bytes, counted once the field is known
                return True
            if kind:
                return self._drop_line(kind, line_offset)
        size = n - pos
        if len(tail) + size + len(self._data) + self._event_size + self._id_size > self._max:
            raise self._fail(self._too_big(self._count + 1, self._start, line_offset))
        # Not copied twice; `data[0:len(data)]` is `data` itself.
        tail += (
            data[pos:n] if size < 4096 or (pos == 0 and n == len(data)) else memoryview(data)[pos:n]
        )
        return True

    def _drop_line(self, kind: int, line_offset: int) -> bool:
        # The unfinished line is a comment or an unknown field: what came of it is dropped,
        # and so is what comes up to its line end.
        if self._start < 0:
            self._start = line_offset
        self._skip = kind
        self._special = True
        self._tail.clear()
        return False

    def _grow(self, data: bytes) -> None:
        # A piece without a line end continues the line held in the tail.
        held = len(self._tail)
        if not self._partial(data, 0, len(data), self._offset):
            self._offset += held + len(data)

    def _finish_tail(self, data: bytes) -> int:
        # A large piece after an unfinished line: the line is completed with the piece's
        # first line and read on its own, so that the piece is not copied. Returns where
        # the piece's next line begins; self._offset is then its stream offset.
        tail = self._tail
        end, nxt = self._line_end(data, 0)
        if end < 0:
            self._grow(data)
            return len(data)
        held = len(tail)
        if not self._partial(data, 0, end, self._offset):
            self._skip = 0  # dropped up to its line end, which is here
            self._offset += held + nxt
            return nxt
        tail += memoryview(data)[end:nxt]
        self._lines(tail, 0, len(tail), True, [])  # one line that is not blank: no event
        self._offset += len(tail)
        tail.clear()
        return nxt

    def _line_end(self, data: bytes, pos: int) -> Tuple[int, int]:
        # Where the first line end at or after `pos` is, and where the next line begins;
        # (-1, -1) when there is none.
        n = len(data)
        lf = data.find(b"\n", pos)
        cr = data.find(b"\r", pos, n if lf < 0 else lf)
        if cr < 0:
            return (lf, lf + 1) if lf >= 0 else (-1, -1)
        if cr + 1 == n:
            self._skip_lf = self._special = True  # a LF starting the next piece is its CRLF
            return cr, n
        return cr, cr + 2 if data[cr + 1] == 10 else cr + 1

    def _prepare(self, data: bytes) -> int:
        # The rare states, kept off the hot path of `feed`. Returns where reading starts,
        # self._offset being the stream offset of that byte.
        if self._error is not None:
            raise self._error
        pos = 0
        if self._at_start:
            pos = self._strip_bom(data)
        if self._skip_lf and pos < len(data):
            self._skip_lf = False
            if data[pos] == 10:  # the LF of a CRLF cut between pieces
                pos += 1
                self._offset += 1
        if self._skip and pos < len(data):
            # The rest of a dropped line, up to its line end.
            end, nxt = self._line_end(data, pos)
            if end < 0:
                self._offset += len(data) - pos
                pos = len(data)
            else:
                self._skip = 0
                self._offset += nxt - pos
                pos = nxt
        self._special = self._at_start or self._skip_lf or self._skip != 0
        return pos

    def _strip_bom(self, data: bytes) -> int:
        # The BOM may come cut in pieces: its first bytes wait in the tail until it is
        # whole or ruled out; bytes that began like one but are not stay there, as the
        # start of the first line. Offsets still count its bytes. Returns where reading
        # starts.
        tail = self._tail
        need = 3 - len(tail)
        head = bytes(tail) + data[:need]
        if len(head) < 3 and _BOM.startswith(head):
            tail[:] = head
            return len(data)
        self._at_start = False
        if head == _BOM:
            tail.clear()
            self._offset = 3
            return need
        return 0

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


def _kind(head: Union[bytes, bytearray]) -> int:
    # What the line that begins with `head` (its first 6 bytes, or all of it so far) is:
    # 0 for a field that is kept, _COMMENT, UNKNOWN, or _UNDECIDED while it may still be
    # a field name ("dat") or a line of one alone ("data").
    if head[0] == 58:
        return _COMMENT
    colon = head.find(b":")
    if colon >= 0:
        return 0 if head[:colon] in _FIELD_NAMES else UNKNOWN
    if len(head) < 6 and any(name.startswith(head) for name in _FIELD_NAMES):
        return _UNDECIDED
    return UNKNOWN  # no field name is longer than five bytes
