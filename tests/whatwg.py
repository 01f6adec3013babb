"""A reference reading of the WHATWG "event stream interpretation" algorithm.

Written from the text of the HTML Living Standard, section 9.2.6 "Interpreting an event
stream" (https://html.spec.whatwg.org/multipage/server-sent-events.html), step by step
and on purpose without any of `SSEDecoder`'s shortcuts: the whole stream is decoded
first, cut into lines character by character, and each line is acted on as the
specification says. It is slow and plain; `tests/test_whatwg.py` and the fuzzer check
that the real decoder agrees with it.

What the specification leaves to the user agent, and how it is read here:

* The stream ends with the bytes given. A last line without a line end is not a line
  ("reading everything line by line ... being the ways in which a line can end"), so it
  is never interpreted; the pending event is discarded, as the text asks.
* The reconnection time is state of the event source, not of an event. `Event.retry` is
  what this project's `ServerSentEvent.retry` means: the value the lines of the event's
  own block (since the blank line before it) last set the reconnection time to, or None.
  The source's state is also kept, in `Interpretation.reconnection_time`.
"""

from typing import List, NamedTuple, Optional

__all__ = ["Event", "Interpretation", "interpret"]


class Event(NamedTuple):
    """One dispatched event: what a `MessageEvent` carries, plus its block's retry."""

    type: str
    data: str
    last_event_id: str
    retry: Optional[int]


class Interpretation(NamedTuple):
    """The result of interpreting a whole stream."""

    events: List[Event]
    """The dispatched events, in order."""
    reconnection_time: Optional[int]
    """The event source's reconnection time once the stream ended; None if never set."""


def _utf8_decode(stream: bytes) -> str:
    # "The stream must then be parsed by ... the UTF-8 decode algorithm", which strips
    # one leading BOM and replaces invalid sequences with U+FFFD.
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _lines(text: str) -> List[str]:
    # "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A
    # LINE FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR) character,
    # or a single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE
    # FEED (LF) character being the ways in which a line can end."
    lines: List[str] = []
    current: List[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\r":
            lines.append("".join(current))
            current = []
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
        elif char == "\n":
            lines.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    # What is left in `current` never got a line end: not a line.
    return lines


def _only_ascii_digits(value: str) -> bool:
    return value != "" and all("0" <= char <= "9" for char in value)


def _base_ten(digits: str) -> int:
    # By hand: `int()` refuses texts of more than 4,300 digits, the specification does not.
    number = 0
    for char in digits:
        number = number * 10 + (ord(char) - ord("0"))
    return number


def interpret(stream: bytes) -> Interpretation:
    """Interpret a whole event stream, given as its bytes, as the specification says."""
    # "When a stream is parsed, a data buffer, an event type buffer, and a last event ID
    # buffer must be associated with it. They must be initialized to the empty string."
    data_buffer = ""
    event_type_buffer = ""
    last_event_id_buffer = ""
    last_event_id_string = ""
    reconnection_time: Optional[int] = None
    block_retry: Optional[int] = None
    events: List[Event] = []

    for line in _lines(_utf8_decode(stream)):
        if line == "":
            # "If the line is empty (a blank line): Dispatch the event."
            # 1. "Set the last event ID string of the event source to the value of the
            #    last event ID buffer."
            last_event_id_string = last_event_id_buffer
            retry, block_retry = block_retry, None
            # 2. "If the data buffer is an empty string, set the data buffer and the
            #    event type buffer to the empty string and return."
            if data_buffer == "":
                data_buffer = ""
                event_type_buffer = ""
                continue
            # 3. "If the data buffer's last character is a U+000A LINE FEED (LF)
            #    character, then remove the last character from the data buffer."
            if data_buffer.endswith("\n"):
                data_buffer = data_buffer[:-1]
            # 4.-6. The event's type is "message" unless the event type buffer holds
            #    something else; its lastEventId is the last event ID string.
            event_type = event_type_buffer if event_type_buffer != "" else "message"
            events.append(Event(event_type, data_buffer, last_event_id_string, retry))
            # 7. "Set the data buffer and the event type buffer to the empty string."
            data_buffer = ""
            event_type_buffer = ""
            continue
        if line.startswith(":"):
            # "If the line starts with a U+003A COLON character (:): Ignore the line."
            continue
        if ":" in line:
            # "Collect the characters on the line before the first U+003A COLON
            # character (:), and let field be that string. Collect the characters on the
            # line after the first U+003A COLON character (:), and let value be that
            # string. If value starts with a U+0020 SPACE character, remove it from value."
            colon = line.index(":")
            field = line[:colon]
            value = line[colon + 1 :]
            if value.startswith(" "):
                value = value[1:]
        else:
            # "using the whole line as the field name, and the empty string as the
            # field value."
            field = line
            value = ""
        # "Process the field": the name is compared literally, case-sensitively.
        if field == "event":
            event_type_buffer = value
        elif field == "data":
            data_buffer = data_buffer + value + "\n"
        elif field == "id":
            # "If the field value does not contain U+0000 NULL, then set the last event
            # ID buffer to the field value. Otherwise, ignore the field."
            if "\0" not in value:
                last_event_id_buffer = value
        elif field == "retry" and _only_ascii_digits(value):
            # "If the field value consists of only ASCII digits, then interpret the field
            # value as an integer in base ten, and set the event stream's reconnection
            # time to that integer. Otherwise, ignore the field."
            reconnection_time = _base_ten(value)
            block_retry = reconnection_time
        # "Otherwise: The field is ignored."

    # "Once the end of the file is reached, any pending data must be discarded."
    return Interpretation(events, reconnection_time)
