"""Write Server-Sent Events (``text/event-stream``): the write side of ``_sse``.

`encode_event` writes one event, `encode_comment` a comment (a keep-alive) and
`DONE_FRAME` the ``data: [DONE]`` event that ends an OpenAI-style stream. This layer
knows nothing of chunks; ``_encode`` frames chunks and errors with it.

What `SSEDecoder` reads back is exactly what was written:

* the data is cut into ``data:`` lines at every line end the decoder knows (LF, CRLF and
  a lone CR; not U+2028 and the other characters ``str.splitlines`` cuts at), and the
  decoder joins them with LF again: a CRLF or a CR in the data comes back as LF;
* the space after ``data:``, ``event:`` and ``id:`` is always written, since the decoder
  strips exactly one: a value that itself begins with a space keeps it;
* ``event`` and ``id`` are single lines, and ``id`` cannot hold NUL (the decoder ignores
  such an id): both are refused with `ValueError` rather than written wrong.

Text is written as UTF-8; a lone surrogate (which UTF-8 cannot hold) raises
`ValueError` naming the argument.
"""

from typing import List, Optional

__all__ = ["DONE_FRAME", "encode_comment", "encode_event"]

DONE_FRAME: bytes = b"data: [DONE]\n\n"
"""The event that ends an OpenAI-style stream: ``data: [DONE]`` and a blank line."""


def _split(text: str) -> List[str]:
    """The lines of ``text``, cut at LF, CRLF and lone CR only."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _utf8(text: str, name: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} cannot be written as UTF-8: {exc.reason} at {exc.start}"
        ) from None


def _single_line(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if "\n" in value or "\r" in value:
        raise ValueError(f"{name} must be a single line, got {value!r}")
    return value


def encode_event(
    data: str,
    *,
    event: Optional[str] = None,
    id: Optional[str] = None,
    retry: Optional[int] = None,
) -> bytes:
    """The bytes of one event: ``event:``, ``id:`` and ``retry:`` lines when given, one
    ``data:`` line per line of ``data``, then a blank line.

    ``data`` may hold any text, line ends included: `SSEDecoder` gives it back with each
    CRLF or CR read as LF. Raises `TypeError` for a ``data``, ``event`` or ``id`` that is
    not a str, and `ValueError` for an ``event`` or ``id`` with a line end, an ``id``
    with NUL, a ``retry`` that is not a non-negative int, or a lone surrogate.
    """
    if not isinstance(data, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"data must be a str, got {type(data).__name__}")
    head = ""
    if event is not None:
        head = f"event: {_single_line(event, 'event')}\n"
    if id is not None:
        if "\0" in _single_line(id, "id"):
            raise ValueError(f"id must not hold NUL, got {id!r}")
        head += f"id: {id}\n"
    if retry is not None:
        if type(retry) is not int or retry < 0:  # bool is an int, but no reconnection time
            raise ValueError(f"retry must be a non-negative int (milliseconds), got {retry!r}")
        head += f"retry: {retry}\n"
    if "\n" in data or "\r" in data:
        body = "data: " + "\ndata: ".join(_split(data))
    else:
        body = "data: " + data
    return _utf8(head + body + "\n\n", "data" if not head else "data, event or id")


def encode_comment(text: str = "") -> bytes:
    """The bytes of a comment, which readers ignore: a keep-alive for idle streams.

    Each line of ``text`` becomes a ``:`` line of its own, and a blank line follows, so
    ``encode_comment("keep-alive")`` is ``b": keep-alive\\n\\n"``.
    """
    if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    lines = "".join(f": {line}\n" if line else ":\n" for line in _split(text))
    return _utf8(lines + "\n", "text")
