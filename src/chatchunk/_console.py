"""What the commands of the command line share: where they write, the progress line."""

import math
import os
import stat
from typing import Callable, NamedTuple, Optional, TextIO

from ._inputs import PIECE, Source

__all__ = ["Env", "Progress", "count", "error", "input_size", "progress_line", "write"]

_PROGRESS_AFTER = 1.0  # seconds before the progress line shows
_PROGRESS_EVERY = 0.25  # seconds between its refreshes


class Env(NamedTuple):
    """What the commands write to and read the time from; tests replace the parts."""

    out: TextIO
    err: TextIO
    clock: Callable[[], float]
    isatty: bool


class Progress:
    """A progress line on a terminal's stderr for inputs that take more than a second."""

    def __init__(self, env: Env) -> None:
        self._env = env
        self.enabled = env.isatty
        self._start = env.clock() if self.enabled else 0.0
        self._last = 0.0
        self._width = 0
        self._size: Optional[int] = None
        self._input_start = self._start

    def begin(self, size: Optional[int]) -> None:
        """Start on the next input, of `size` bytes (None when unknown: stdin, a pipe)."""
        if not self.enabled:
            return
        self._size = size
        self._input_start = self._env.clock()

    def update(self, source: Source, chunks: int) -> None:
        if not self.enabled:
            return
        now = self._env.clock()
        elapsed = now - self._start
        if elapsed < _PROGRESS_AFTER or now - self._last < _PROGRESS_EVERY:
            return
        self._last = now
        line = progress_line(
            source.name, source.bytes_read, self._size, chunks / elapsed, now - self._input_start
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


def progress_line(
    name: str, done: int, size: Optional[int], chunk_rate: float, elapsed: float
) -> str:
    """The progress line of an input: bytes read and chunks per second; with its
    `size` known, also the share read and, at the rate so far, the time left.

    `elapsed` is the time spent on this input, `chunk_rate` is over all inputs.
    """
    head = f"chatchunk: {name}: {done / 1e6:.1f} MB read, {chunk_rate:,.0f} chunks/s"
    if size is None:
        return head
    # A file that grows while it is read (a log still written) is shown as done,
    # not at 120%.
    share = min(done / size, 1.0) if size else 1.0
    line = (
        f"chatchunk: {name}: {done / 1e6:.1f} of {size / 1e6:.1f} MB read"
        f" ({math.floor(share * 100)}%), {chunk_rate:,.0f} chunks/s"
    )
    if 0 < done < size and elapsed > 0:
        line += f", {_duration((size - done) / (done / elapsed))} left"
    return line


def _duration(seconds: float) -> str:
    # Rounded up: "0:00 left" while bytes are still to come would be wrong.
    total = math.ceil(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def input_size(path: str) -> Optional[int]:
    """The size in bytes of the input at `path` if it is a regular file, else None
    (stdin, a pipe, a device, or a path that cannot be looked at)."""
    if path == "-":
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def write(env: Env, text: str) -> None:
    """Write a long text in pieces: a single write of megabytes to a pipe that is closed
    early can come back short without an error, and the rest be silently lost."""
    out = env.out
    for start in range(0, len(text), PIECE):
        out.write(text[start : start + PIECE])


def error(env: Env, message: str) -> None:
    env.err.write(f"chatchunk: error: {message}\n")
    env.err.flush()
