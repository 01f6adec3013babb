"""The progress line of ``chatchunk validate``: the share read and the time left.

The formatting is tested on its own with given numbers, the line's life with a
fake clock (a counter, no sleeping), and once end to end on a file.
"""

import io
import itertools
import os
import sys
from pathlib import Path
from typing import List

import pytest

from chatchunk._cli import main
from chatchunk._console import Env, Progress, input_size, progress_line
from chatchunk._inputs import Source

_UNKNOWN = "chatchunk: <stdin>: 2.5 MB read, 1,234 chunks/s"


def test_unknown_size_shows_bytes_and_rate_only() -> None:
    assert progress_line("<stdin>", 2_500_000, None, 1234.4, 2.0) == _UNKNOWN


@pytest.mark.parametrize(
    ("done", "size", "elapsed", "expected"),
    [
        # A quarter in 5 s: 15 s left.
        (1_000_000, 4_000_000, 5.0, "1.0 of 4.0 MB read (25%), 10 chunks/s, 0:15 left"),
        # Rounded up: 0.2 s to go is shown as a second, never as 0:00 while bytes remain.
        (999_000, 1_000_000, 200.0, "1.0 of 1.0 MB read (99%), 10 chunks/s, 0:01 left"),
        # Hours once past the hour; the share is rounded down, never 100% before the end.
        (1, 10_000, 1.0, "0.0 of 0.0 MB read (0%), 10 chunks/s, 2:46:39 left"),
        (2_000_000, 3_000_000, 90.0, "2.0 of 3.0 MB read (66%), 10 chunks/s, 0:45 left"),
        # Done: no time left to show.
        (3_000_000, 3_000_000, 9.0, "3.0 of 3.0 MB read (100%), 10 chunks/s"),
        # A file that grew while it was read is done, not at 120%.
        (3_600_000, 3_000_000, 9.0, "3.6 of 3.0 MB read (100%), 10 chunks/s"),
        # Nothing read yet: no rate to estimate from.
        (0, 3_000_000, 1.0, "0.0 of 3.0 MB read (0%), 10 chunks/s"),
        (0, 0, 1.0, "0.0 of 0.0 MB read (100%), 10 chunks/s"),
    ],
)
def test_known_size_shows_share_and_time_left(
    done: int, size: int, elapsed: float, expected: str
) -> None:
    assert progress_line("s.sse", done, size, 10.0, elapsed) == f"chatchunk: s.sse: {expected}"


def test_input_size_is_known_for_a_regular_file_only(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(b"x" * 1234)
    assert input_size(str(path)) == 1234
    assert input_size("-") is None
    assert input_size(str(tmp_path)) is None  # a directory
    assert input_size(str(tmp_path / "missing")) is None
    assert input_size("bad\0path") is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_input_size_of_a_named_pipe_is_unknown(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert input_size(str(fifo)) is None


class _FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_uses_the_time_spent_on_the_current_input() -> None:
    clock = _FakeClock()
    err = io.StringIO()
    progress = Progress(Env(out=io.StringIO(), err=err, clock=clock, isatty=True))
    source = Source("b.jsonl", lambda n: b"", lambda: None)
    clock.now = 30.0  # the first input took 30 s
    progress.begin(4_000_000)
    clock.now = 35.0
    source.bytes_read = 1_000_000
    progress.update(source, chunks=700)
    # 1 MB in the 5 s of this input: 15 s left; the rate is over all 35 s.
    first = "chatchunk: b.jsonl: 1.0 of 4.0 MB read (25%), 20 chunks/s, 0:15 left"
    assert err.getvalue() == "\r" + first
    progress.begin(None)  # then stdin: as before, no share
    clock.now = 36.0
    progress.update(source, chunks=720)
    second = "chatchunk: b.jsonl: 1.0 MB read, 20 chunks/s"
    # Padded to wipe the end of the longer line before it.
    assert err.getvalue() == f"\r{first}\r{second}" + " " * (len(first) - len(second))


def test_nothing_is_shown_off_a_terminal() -> None:
    clock = _FakeClock()
    err = io.StringIO()
    progress = Progress(Env(out=io.StringIO(), err=err, clock=clock, isatty=False))
    progress.begin(100)
    clock.now = 10.0
    progress.update(Source("s.sse", lambda n: b"", lambda: None), chunks=5)
    assert err.getvalue() == ""


def _write_stream(path: Path, chunks: int) -> int:
    head = (
        '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764288000,'
        '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,'
    )
    body = (
        head + '"delta":{"content":"' + "word " * 40 + '"},"logprobs":null,"finish_reason":null}]}'
    )
    last = head + '"delta":{},"logprobs":null,"finish_reason":"stop"}]}'
    data = (f"data: {body}\n\n" * chunks + f"data: {last}\n\ndata: [DONE]\n\n").encode()
    path.write_bytes(data)
    return len(data)


def _shown(err: str) -> List[str]:
    return [line.rstrip() for line in err.split("\r") if line.strip()]


def test_validate_a_file_shows_its_share_and_time_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.sse"
    size = _write_stream(path, chunks=1500)  # about 0.6 MB: ten 64 KiB reads
    assert size > 8 * 64 * 1024
    ticks = itertools.count()
    status = main(["validate", str(path)], clock=lambda: next(ticks) / 100, isatty=lambda: True)
    out, err = capsys.readouterr()
    assert status == 0
    assert out == "summary: 1 file, 1501 payloads, 1501 valid, 0 invalid, 0 findings\n"
    shown = _shown(err)
    assert len(shown) >= 5
    megabytes = f"{size / 1e6:.1f}"
    shares: List[int] = []
    for line in shown:
        assert line.startswith(f"chatchunk: {path}: ")
        assert f" of {megabytes} MB read (" in line
        shares.append(int(line.split(" MB read (")[1].split("%")[0]))
        assert (" left" in line) == (shares[-1] < 100)
    assert shares == sorted(shares)
    assert shares[0] < 100
    assert err.endswith("\r")  # wiped at the end


def test_validate_stdin_shows_no_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.sse"
    _write_stream(path, chunks=300)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    ticks = itertools.count()
    status = main(["validate", "-"], clock=lambda: next(ticks) / 10, isatty=lambda: True)
    err = capsys.readouterr().err
    assert status == 0
    shown = _shown(err)
    assert shown
    for line in shown:
        assert line.startswith("chatchunk: <stdin>: ")
        assert " MB read, " in line
        assert line.endswith(" chunks/s")
        assert "%" not in line
        assert " left" not in line
