"""The command line's input reader: a JSON Lines file's first line is a line like any other.

A first line over `MAX_DOCUMENT` once made the whole file unreadable (the format sniffer
took it for a single JSON document, too large), while the same line further on was
reported as too long and the rest validated.
"""

from pathlib import Path
from typing import List, Tuple

import pytest

from chatchunk import _inputs as inputs
from chatchunk._cli import main

GOOD = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n'


def long_line(size: int) -> bytes:
    """A chunk-shaped JSON line of `size` bytes, LF included."""
    head = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"'
    tail = b'","choices":[]}\n'
    return head + b"m" * (size - len(head) - len(tail)) + tail


def sniff(path: Path) -> str:
    source = inputs.open_input(str(path))
    try:
        return inputs.sniff(source)
    finally:
        source.close()


def validate(
    path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> Tuple[int, List[str], str]:
    status = main(["validate", *args, str(path)])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


@pytest.mark.parametrize("piece", [16, 64, 1000])
@pytest.mark.parametrize("newline", [True, False], ids=["line-end", "no-line-end"])
def test_first_line_too_long_is_reported_like_any_other(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    piece: int,
    newline: bool,
) -> None:
    # The sniffer reads the first KiB whatever the bound: the line must be longer.
    monkeypatch.setattr(inputs, "MAX_DOCUMENT", 2000)
    monkeypatch.setattr(inputs, "PIECE", piece)
    long = long_line(5000)
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    first.write_bytes(long + GOOD + GOOD if newline else long[:-1])
    second.write_bytes(GOOD + long + GOOD if newline else GOOD + long[:-1])
    status, out, err = validate(first, capsys)
    assert err == ""
    assert status == 1
    if newline:
        assert out == [
            f"{first}:1: invalid_payload: line longer than 2000 bytes",
            "summary: 1 file, 3 payloads, 2 valid, 1 invalid, 1 finding",
        ]
    else:
        assert out == [
            f"{first}:1: invalid_payload: line longer than 2000 bytes",
            "summary: 1 file, 1 payload, 0 valid, 1 invalid, 1 finding",
        ]
    # The same line second: the same report, one line on.
    status, out, err = validate(second, capsys)
    assert (status, err) == (1, "")
    assert out[0] == f"{second}:2: invalid_payload: line longer than 2000 bytes"


def test_first_line_just_within_the_bound_is_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_DOCUMENT", 2000)
    monkeypatch.setattr(inputs, "PIECE", 16)
    path = tmp_path / "x.jsonl"
    path.write_bytes(long_line(2001) + GOOD)  # 2000 bytes and its LF
    status, out, err = validate(path, capsys)
    assert (status, err) == (0, "")
    assert out == ["summary: 1 file, 2 payloads, 2 valid, 0 invalid, 0 findings"]


def test_pretty_printed_document_is_still_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its first line is "{": short, not a JSON object, so the input is one document.
    monkeypatch.setattr(inputs, "PIECE", 8)
    path = tmp_path / "x.json"
    path.write_bytes(
        b'{\n  "id": "c",\n  "object": "chat.completion.chunk",\n  "created": 1,\n'
        b'  "model": "m",\n  "choices": []\n}\n'
    )
    assert sniff(path) == "json"
    status, out, _ = validate(path, capsys)
    assert status == 0
    assert out == ["summary: 1 file, 1 payload, 1 valid, 0 invalid, 0 findings"]


def test_single_line_document_over_the_bound_is_one_line_too_long(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One object on one line, too large: whether it is called a document or a line, it
    # is not read; as a line it is reported, and the input is not "unreadable".
    monkeypatch.setattr(inputs, "MAX_DOCUMENT", 2000)
    monkeypatch.setattr(inputs, "PIECE", 64)
    path = tmp_path / "x.json"
    path.write_bytes(long_line(5000)[:-1])
    assert sniff(path) == "jsonl"
    status, out, err = validate(path, capsys)
    assert (status, err) == (1, "")
    assert out[0] == f"{path}:1: invalid_payload: line longer than 2000 bytes"


def test_first_line_over_64_mib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The real bound, once: a first line of 65 MiB, then two good lines.
    path = tmp_path / "big.jsonl"
    with path.open("wb") as file:
        file.write(long_line(inputs.MAX_DOCUMENT + 1024 * 1024))
        file.write(GOOD * 2)
    status, out, err = validate(path, capsys)
    assert (status, err) == (1, "")
    assert out == [
        f"{path}:1: invalid_payload: line longer than 64 MiB",
        "summary: 1 file, 3 payloads, 2 valid, 1 invalid, 1 finding",
    ]
