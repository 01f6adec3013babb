"""What the commands of the command line share: where they write, the progress line."""

from typing import Callable, NamedTuple, TextIO

from ._inputs import PIECE, Source

__all__ = ["Env", "Progress", "count", "error", "write"]

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

    def update(self, source: Source, chunks: int) -> None:
        if not self.enabled:
            return
        now = self._env.clock()
        elapsed = now - self._start
        if elapsed < _PROGRESS_AFTER or now - self._last < _PROGRESS_EVERY:
            return
        self._last = now
        line = (
            f"chatchunk: {source.name}: {source.bytes_read / 1e6:.1f} MB read,"
            f" {chunks / elapsed:,.0f} chunks/s"
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
