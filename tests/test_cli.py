# ruff: noqa: E501
"""The command line, in-process (``main([...])``) and as real subprocesses.

The fixtures in ``tests/data`` are shaped like real providers' streams, good and
broken; the reports are compared whole, so their format is pinned here.
"""

import io
import itertools
import json
import re
import select
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from pydantic import ValidationError

import chatchunk
import chatchunk._assemble as assemble_module
import chatchunk._console as console
import chatchunk._inputs as inputs
import chatchunk._validate as validate_module
from chatchunk import (
    ChatCompletionChunk,
    CompletionUsage,
    accumulate,
    iter_events,
    parse_chunk,
    to_dict,
)
from chatchunk._cli import main

DATA = Path(__file__).resolve().parent / "data"
SCRIPT = Path(sys.executable).parent / "chatchunk"
LAUNCHERS = {
    "script": [str(SCRIPT)],
    "module": [sys.executable, "-m", "chatchunk"],
}
EXAMPLE = Path(chatchunk.__file__).parent / "_data" / "example.sse"

Run = Tuple[int, str, str]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``main`` in tests/data; return (status, stdout, stderr)."""
    monkeypatch.chdir(DATA)

    def _run(*argv: str, **kwargs: Any) -> Run:
        status = main(list(argv), **kwargs)
        out, err = capsys.readouterr()
        return status, out, err

    return _run


def launch(
    launcher: str, *args: str, stdin: Optional[bytes] = None, cwd: Path = DATA
) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [*LAUNCHERS[launcher], *args],
        input=None if stdin is None else stdin.decode(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=60,
        check=False,
    )


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --- reports expected for the broken fixtures -------------------------------------------

BROKEN_SSE = """\
broken.sse: event 2 at byte 203: invalid_payload: Invalid JSON: EOF while parsing a string at line 1 column 135 (input: '{"id":"chatcmpl-broken1","object":"chat.completion.chunk...)
broken.sse: event 3 at byte 346: invalid_payload: choices.0.index: Input should be a valid integer (input: '0')
broken.sse: event 4 at byte 516: invalid_payload: Invalid JSON: expected value at line 1 column 1 (input: 'upstream timeout, retrying')
broken.sse: event 5 at byte 550: stream_error: error: Rate limit reached for gpt-4o
summary: 1 file, 5 payloads, 1 valid, 4 invalid, 4 findings
"""

BROKEN_JSONL = """\
broken.jsonl:2: invalid_payload: Invalid JSON: expected value at line 1 column 1 (input: 'data: {"id":"oops"}')
broken.jsonl:3: invalid_payload: choices.0.delta.content: Input should be a valid string (input: 5)
broken.jsonl:3: invalid_payload: usage.prompt_tokens: Input should be a valid integer (input: '3')
broken.jsonl:4: stream_error: error: The server had an error while processing your request.
summary: 1 file, 5 payloads, 2 valid, 3 invalid, 4 findings
"""

BROKEN_SSE_INCOMPLETE = (
    "broken.sse: event 5 at byte 550: incomplete_stream: choice 0 got no finish_reason;"
    " the stream reported an error: Rate limit reached for gpt-4o;"
    " 3 invalid payload(s) were skipped\n"
)

BROKEN_JSONL_INCOMPLETE = (
    "broken.jsonl:6: incomplete_stream: the stream reported an error: The server had an"
    " error while processing your request.; 2 invalid payload(s) were skipped\n"
)

BROKEN_JSON = """\
broken.json: invalid_payload: created: Input should be a valid integer (input: '1764288400')
summary: 1 file, 1 payload, 0 valid, 1 invalid, 1 finding
"""


def expected_completion(path: Path) -> Dict[str, Any]:
    """What the library assembles from a fixture, read the plain way."""
    data = path.read_bytes()
    if path.suffix == ".sse":
        return to_dict(accumulate(iter_events([data])))
    if path.suffix == ".jsonl":
        return to_dict(accumulate(parse_chunk(line) for line in data.splitlines() if line))
    return to_dict(accumulate([parse_chunk(data)]))


# --- demo and help ----------------------------------------------------------------------


def test_demo_streams_text_then_completion_then_summary(run: Callable[..., Run]) -> None:
    status, out, err = run("demo")
    assert status == 0
    assert err == ""
    text, rest = out.split("\n", 1)
    assert text == "Let me check the weather in Paris for you."
    body, summary = rest.rstrip("\n").rsplit("\n", 1)
    assert json.loads(body) == expected_completion(EXAMPLE)
    assert body.startswith('{\n  "id": "chatcmpl-demo0001"')  # indented
    assert summary == (
        "summary: 19 chunks, 1 choice, finish reasons: tool_calls,"
        " tokens: 52 prompt / 31 completion / 83 total, ended: done (complete)"
    )


def test_demo_flushes_each_fragment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Recorder(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.flushed: List[str] = []

        def flush(self) -> None:
            self.flushed.append(self.getvalue())

    out = Recorder()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["demo"]) == 0
    # The text is on screen fragment by fragment, before the completion is printed.
    assert out.flushed[:3] == ["Let me", "Let me check the", "Let me check the weather in"]


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_demo_subprocess(launcher: str, run: Callable[..., Run]) -> None:
    done = launch(launcher, "demo")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == run("demo")[1]


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_no_command_prints_help_and_exits_2(launcher: str) -> None:
    done = launch(launcher)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("usage: chatchunk [-h] [--version] COMMAND ...")
    for command in ("demo", "validate", "assemble", "schema"):
        assert f"    {command}" in done.stderr


def test_version(run: Callable[..., Run]) -> None:
    assert run("--version") == (0, f"chatchunk {chatchunk.__version__}\n", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate"], "the following arguments are required: PATH"),
        (["assemble", "--indent", "-1", "openai.sse"], "argument --indent: must be 0 or more"),
        (["assemble", "--indent", "two", "openai.sse"], "not a whole number: 'two'"),
        (["assemble", "a.sse", "b.sse"], "unrecognized arguments: b.sse"),
        (["validate", "--format", "xml", "openai.sse"], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2(run: Callable[..., Run], argv: List[str], message: str) -> None:
    status, out, err = run(*argv)
    assert status == 2
    assert out == ""
    assert err.startswith("usage: chatchunk")
    assert message in err.splitlines()[-1]


# --- validate ---------------------------------------------------------------------------


def test_validate_good_inputs_of_every_format(run: Callable[..., Run]) -> None:
    assert run("validate", "openai.sse", "vllm.sse", "groq.jsonl", "chunk.json") == (
        0,
        "summary: 4 files, 15 payloads, 15 valid, 0 invalid, 0 findings\n",
        "",
    )


def test_validate_broken_sse(run: Callable[..., Run]) -> None:
    assert run("validate", "broken.sse") == (1, BROKEN_SSE, "")


def test_validate_broken_jsonl(run: Callable[..., Run]) -> None:
    assert run("validate", "broken.jsonl") == (1, BROKEN_JSONL, "")


def test_validate_broken_single_json(run: Callable[..., Run]) -> None:
    assert run("validate", "broken.json") == (1, BROKEN_JSON, "")


def test_validate_reports_every_file_then_one_summary(run: Callable[..., Run]) -> None:
    status, out, err = run("validate", "broken.json", "openai.sse", "broken.jsonl")
    assert (status, err) == (1, "")
    assert out == (
        BROKEN_JSON.splitlines(keepends=True)[0]
        + "".join(BROKEN_JSONL.splitlines(keepends=True)[:-1])
        + "summary: 3 files, 12 payloads, 8 valid, 4 invalid, 5 findings\n"
    )


def test_validate_in_band_error_chunk_is_valid_but_fails(run: Callable[..., Run]) -> None:
    # OpenRouter ends a failed stream with a chunk that also carries the error.
    assert run("validate", "openrouter_error.sse") == (
        1,
        "openrouter_error.sse: event 2 at byte 363: stream_error: error: Provider returned error\n"
        "summary: 1 file, 2 payloads, 2 valid, 0 invalid, 1 finding\n",
        "",
    )


TRUNCATED = [
    "truncated.sse: event 3 at byte 500: unterminated_event: the input ends inside an event (no blank"
    " line after it); it was dropped",
    "truncated.sse: event 3 at byte 500: incomplete_stream: the stream ended without 'data: [DONE]'"
    " while choice 0 had no finish_reason",
]


def test_validate_truncated_stream(run: Callable[..., Run]) -> None:
    # The last event is cut mid-payload and never closed by a blank line: it is dropped,
    # as `iter_events` drops it, and data was lost, so the input fails.
    status, out, _ = run("validate", "truncated.sse")
    assert status == 1
    assert out.splitlines() == [
        *TRUNCATED,
        "summary: 1 file, 2 payloads, 2 valid, 0 invalid, 2 findings",
    ]


def test_validate_after_done_begins_a_new_stream(run: Callable[..., Run]) -> None:
    # The first stream ends at [DONE] (unfinished, but the server said so: only --strict
    # tells); the chunk after it is a second stream, which ends without either.
    assert run("validate", "after_done.sse") == (
        1,
        "after_done.sse: event 3 at byte 369: incomplete_stream: the stream ended without"
        " 'data: [DONE]' while choice 0 had no finish_reason\n"
        "summary: 1 file, 2 payloads, 2 valid, 0 invalid, 1 finding\n",
        "",
    )


def test_validate_json_format(run: Callable[..., Run]) -> None:
    status, out, err = run("validate", "--format", "json", "broken.sse", "broken.jsonl")
    assert (status, err) == (1, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0] == {
        "file": "broken.sse",
        "event": 2,
        "offset": 203,
        "path": "",
        "kind": "invalid_payload",
        "message": "Invalid JSON: EOF while parsing a string at line 1 column 135",
        "error_type": "json_invalid",
        "input": """'{"id":"chatcmpl-broken1","object":"chat.completion.chunk...""",
    }
    assert records[1] == {
        "file": "broken.sse",
        "event": 3,
        "offset": 346,
        "path": "choices.0.index",
        "kind": "invalid_payload",
        "message": "Input should be a valid integer",
        "error_type": "int_type",
        "input": "'0'",
    }
    assert records[3] == {
        "file": "broken.sse",
        "event": 5,
        "offset": 550,
        "path": "error",
        "kind": "stream_error",
        "message": "Rate limit reached for gpt-4o",
    }
    assert records[4] == {
        "file": "broken.jsonl",
        "line": 2,
        "path": "",
        "kind": "invalid_payload",
        "message": "Invalid JSON: expected value at line 1 column 1",
        "error_type": "json_invalid",
        "input": """'data: {"id":"oops"}'""",
    }
    assert [(r.get("line"), r["kind"], r["path"]) for r in records[4:8]] == [
        (2, "invalid_payload", ""),
        (3, "invalid_payload", "choices.0.delta.content"),
        (3, "invalid_payload", "usage.prompt_tokens"),
        (4, "stream_error", "error"),
    ]
    assert records[-1] == {
        "kind": "summary",
        "files": 2,
        "payloads": 10,
        "valid": 3,
        "invalid": 7,
        "findings": 8,
        "repeated": 0,
        "unreadable": 0,
        "status": 1,
    }
    assert len(records) == 9


def test_validate_json_format_single_document_has_no_place(run: Callable[..., Run]) -> None:
    _, out, _ = run("validate", "--format", "json", "broken.json")
    first = json.loads(out.splitlines()[0])
    assert first == {
        "file": "broken.json",
        "path": "created",
        "kind": "invalid_payload",
        "message": "Input should be a valid integer",
        "error_type": "int_type",
        "input": "'1764288400'",
    }


# --- validate --strict ------------------------------------------------------------------


def test_strict_conformant_openai_stream_passes(run: Callable[..., Run]) -> None:
    assert run("validate", "--strict", "openai.sse", "chunk.json") == (
        0,
        "summary: 2 files, 7 payloads, 7 valid, 0 invalid, 0 findings\n",
        "",
    )


def test_strict_id_change_fails_only_with_strict(run: Callable[..., Run]) -> None:
    assert run("validate", "id_change.sse")[0] == 0
    assert run("validate", "--strict", "id_change.sse") == (
        1,
        "id_change.sse: event 3 at byte 494: id_changed: id: id changed from 'chatcmpl-A1'"
        " to 'chatcmpl-B2' at chunk 3\n"
        "id_change.sse: event 3 at byte 494: created_changed: created: created changed from"
        " 1764288500 to 1764288501 at chunk 3\n"
        "summary: 1 file, 5 payloads, 5 valid, 0 invalid, 2 findings\n",
        "",
    )


def test_strict_names_provider_fields_once_per_file(run: Callable[..., Run]) -> None:
    status, out, _ = run("validate", "--strict", "vllm.sse", "groq.jsonl")
    assert status == 1
    assert out == (
        "vllm.sse: event 2 at byte 294: unknown_field: choices.0.delta.reasoning:"
        " 'reasoning' is not in the OpenAI specification (sent by vLLM/Ollama/OpenRouter/Groq)\n"
        "vllm.sse: event 4 at byte 865: unknown_field: choices.0.stop_reason:"
        " 'stop_reason' is not in the OpenAI specification (sent by vLLM)\n"
        # vLLM's continuous_usage_stats: this stream's last usage rides on its last choice.
        "vllm.sse: event 4 at byte 865: usage_with_choices: choices: the final usage came in"
        " chunk 4 with 1 choice; the OpenAI specification sends it in a chunk of its own,"
        " with empty choices\n"
        "groq.jsonl:1: unknown_field: x_groq: 'x_groq' is not in the OpenAI specification"
        " (sent by Groq)\n"
        "summary: 2 files, 8 payloads, 8 valid, 0 invalid, 4 findings, 1 repeated not shown\n"
    )


def test_strict_stream_end_findings(run: Callable[..., Run]) -> None:
    status, out, _ = run("validate", "--strict", "truncated.sse", "after_done.sse")
    assert status == 1
    # Stream-end findings are placed at the stream's last payload (or dropped event).
    assert out.splitlines() == [
        *TRUNCATED,
        "truncated.sse: event 3 at byte 500: choice_not_finished: choices.0.finish_reason: choice 0 never"
        " received a finish_reason",
        "truncated.sse: event 3 at byte 500: no_done: the stream ended without a 'data: [DONE]' event",
        "after_done.sse: event 1 at byte 0: choice_not_finished: choices.0.finish_reason:"
        " choice 0 never received a finish_reason",
        "after_done.sse: event 3 at byte 369: incomplete_stream: the stream ended without"
        " 'data: [DONE]' while choice 0 had no finish_reason",
        "after_done.sse: event 3 at byte 369: no_done: the stream ended without a"
        " 'data: [DONE]' event",
        "summary: 2 files, 4 payloads, 4 valid, 0 invalid, 7 findings, 1 repeated not shown",
    ]


def test_strict_json_format_carries_the_provider(run: Callable[..., Run]) -> None:
    status, out, _ = run("validate", "--strict", "--format", "json", "groq.jsonl")
    assert status == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records == [
        {
            "file": "groq.jsonl",
            "line": 1,
            "path": "x_groq",
            "kind": "unknown_field",
            "message": "'x_groq' is not in the OpenAI specification (sent by Groq)",
            "provider": "Groq",
        },
        {
            "kind": "summary",
            "files": 1,
            "payloads": 4,
            "valid": 4,
            "invalid": 0,
            "findings": 1,
            "repeated": 1,
            "unreadable": 0,
            "status": 1,
        },
    ]


def test_strict_jsonl_has_no_done_check(run: Callable[..., Run], tmp_path: Path) -> None:
    # Only SSE has a [DONE]; the conformant OpenAI chunks as JSON Lines pass --strict.
    lines = [
        line[len("data: ") :]
        for line in (DATA / "openai.sse").read_text(encoding="utf-8").splitlines()
        if line.startswith("data: {")
    ]
    path = tmp_path / "openai.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, _ = run("validate", "--strict", str(path))
    assert (status, out) == (0, "summary: 1 file, 6 payloads, 6 valid, 0 invalid, 0 findings\n")


# --- input formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "out"),
    [
        # compact JSON on one line is JSON Lines with one line
        (
            b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":"x"}',
            "x.txt:1: invalid_payload: choices: Input should be a valid array (input: 'x')\n",
        ),
        # pretty-printed: one document, reported without a line
        (
            b'\n\n{\n "id": "c", "object": "chat.completion.chunk",\n "created": 1,'
            b' "model": "m", "choices": "x"\n}\n',
            "x.txt: invalid_payload: choices: Input should be a valid array (input: 'x')\n",
        ),
        # SSE found after blank lines and a BOM, with CRLF line ends
        (
            b"\xef\xbb\xbf\r\n\r\nid: 7\r\ndata: "
            + b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m"}\r\n\r\n',
            "x.txt: event 1 at byte 7: invalid_payload: choices: Field required"
            """ (input: {'id': 'c', 'object': 'chat.completion.chunk', 'created':...)\n""",
        ),
        # JSON Lines with CRLF and blank lines: line numbers count every line
        (
            b'{"error":{"message":"overloaded"}}\r\n\r\n\r\n'
            b'{"id":1,"object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\r\n',
            "x.txt:1: stream_error: error: overloaded\n"
            "x.txt:4: invalid_payload: id: Input should be a valid string (input: 1)\n",
        ),
        # an array: one document, which is no chunk
        (
            b'[{"id":"c"}]\n',
            "x.txt: invalid_payload: Input should be an object (input: [{'id': 'c'}])\n",
        ),
    ],
)
def test_format_detection(
    run: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    out: str,
) -> None:
    (tmp_path / "x.txt").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    status, got, err = run("validate", "x.txt")
    assert (status, err) == (1, "")
    assert got.splitlines()[:-1] == out.splitlines()


def test_invalid_utf8_after_the_start_is_an_invalid_payload(
    run: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = (DATA / "groq.jsonl").read_bytes()
    (tmp_path / "x.jsonl").write_bytes(good * 10 + b'{"id":"caf\xe9"}\n')
    monkeypatch.chdir(tmp_path)
    status, out, _ = run("validate", "x.jsonl")
    assert status == 1
    # The column pydantic-core names differs between its releases (11, or 12 in 2.12.0).
    first = re.sub(r"column \d+", "column N", out.splitlines()[0])
    assert first == (
        "x.jsonl:41: invalid_payload: Invalid JSON: invalid unicode code point at line 1"
        """ column N (input: b'{"id":"caf\\xe9"}')"""
    )


def test_jsonl_line_too_long(
    run: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_DOCUMENT", 100)
    monkeypatch.setattr(inputs, "PIECE", 16)
    good = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n'
    long = b'{"id":"' + b"x" * 300 + b'"}\n'
    (tmp_path / "x.jsonl").write_bytes(good + long + good + long[:-1])
    monkeypatch.chdir(tmp_path)
    status, out, _ = run("validate", "x.jsonl")
    assert status == 1
    assert out.splitlines() == [
        "x.jsonl:2: invalid_payload: line longer than 100 bytes",
        "x.jsonl:4: invalid_payload: line longer than 100 bytes",
        "summary: 1 file, 4 payloads, 2 valid, 2 invalid, 2 findings",
    ]


def test_lines_cut_anywhere_by_pieces(
    run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "PIECE", 7)
    assert run("validate", "broken.jsonl", "broken.sse", "chunk.json")[1] == (
        "".join(BROKEN_JSONL.splitlines(keepends=True)[:-1])
        + "".join(BROKEN_SSE.splitlines(keepends=True)[:-1])
        + "summary: 3 files, 11 payloads, 4 valid, 7 invalid, 8 findings\n"
    )


def test_single_json_too_large(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_DOCUMENT", 200)
    monkeypatch.setattr(inputs, "PIECE", 64)
    status, out, err = run("validate", "chunk.json")
    assert status == 2
    assert err == (
        "chatchunk: error: chunk.json: larger than 200 bytes, too large for one JSON document"
        " (use JSON Lines or SSE)\n"
    )
    assert out.endswith(", 1 unreadable\n")


def test_sse_event_over_the_decoder_limit(run: Callable[..., Run], tmp_path: Path) -> None:
    # The SSE decoder bounds an event at 4 MiB: the rest of that input cannot be read.
    path = tmp_path / "huge.sse"
    good = (DATA / "openai.sse").read_bytes().split(b"data: [DONE]")[0]
    path.write_bytes(good + b'data: {"id":"' + b"x" * (5 * 1024 * 1024) + b'"}\n\n')
    status, out, err = run("validate", str(path))
    assert (status, err) == (1, "")
    assert out.splitlines() == [
        f"{path}: invalid_payload: SSE event 7 at byte {len(good)} is larger than max_event_size"
        " (4194304 bytes)",
        "summary: 1 file, 7 payloads, 6 valid, 1 invalid, 1 finding",
    ]


# --- stdin ------------------------------------------------------------------------------


def test_validate_stdin(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_bytes(monkeypatch, (DATA / "broken.jsonl").read_bytes())
    assert run("validate", "-") == (1, BROKEN_JSONL.replace("broken.jsonl", "<stdin>"), "")


def test_stdin_without_a_byte_stream(
    run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("data: {}\n\n"))
    status, _, err = run("assemble", "-")
    assert (status, err) == (2, "chatchunk: error: <stdin>: not available\n")


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_validate_stdin_subprocess(launcher: str) -> None:
    done = launch(launcher, "validate", "-", stdin=(DATA / "broken.sse").read_bytes())
    assert done.returncode == 1
    assert done.stdout == BROKEN_SSE.replace("broken.sse", "<stdin>")
    assert done.stderr == ""


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_validate_subprocess_json_and_strict(launcher: str) -> None:
    done = launch(launcher, "validate", "--strict", "--format", "json", "id_change.sse")
    assert (done.returncode, done.stderr) == (1, "")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["kind"] for r in records] == ["id_changed", "created_changed", "summary"]
    assert records[0]["event"] == 3


# --- input errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: None, "no such file"),
        (lambda d: d.mkdir(), "is a directory"),
        (lambda d: d.write_bytes(b""), "no payloads found"),
        (lambda d: d.write_bytes(b" \n\r\n\t\n"), "no payloads found"),
        (
            lambda d: d.write_bytes(b": keep-alive\n\n: ping\n\ndata: [DONE]\n\n"),
            "no payloads found",
        ),
        (
            lambda d: d.write_bytes(b"data: ok\0\x01\x02" * 10),
            "not a text file (binary data near the start)",
        ),
        (
            lambda d: d.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
            "not a text file (binary data near the start)",
        ),
        (
            lambda d: d.write_bytes("\ufeff".encode("utf-16")),
            "not a text file (binary data near the start)",
        ),
        (
            lambda d: d.write_bytes((DATA / "bad_gateway.html").read_bytes()),
            "not an event stream, JSON Lines or JSON: 502 Bad Gateway",
        ),
        (
            lambda d: d.write_bytes(b"\n  Internal Server Error\n"),
            "not an event stream, JSON Lines or JSON: Internal Server Error",
        ),
        (
            lambda d: d.write_bytes(b"database unavailable: try again\n"),
            "not an event stream, JSON Lines or JSON: database unavailable: try again",
        ),
    ],
    ids=[
        "missing",
        "directory",
        "empty",
        "blank",
        "comments",
        "nul",
        "png",
        "utf16",
        "html",
        "text",
        "data-but-no-field",
    ],
)
def test_unusable_input(
    run: Callable[..., Run], tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    target = tmp_path / "in.sse"
    make(target)
    for command in ("validate", "assemble"):
        status, out, err = run(command, str(target))
        assert status == 2
        assert err == f"chatchunk: error: {target}: {message}\n"
        assert err.count("\n") == 1
        if command == "validate":
            assert (
                out == "summary: 1 file, 0 payloads, 0 valid, 0 invalid, 0 findings, 1 unreadable\n"
            )
        else:
            assert out == ""


def test_text_cut_in_a_character_at_the_sniffed_size_is_text(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    # "é" is two bytes; the first KiB ends between them.
    line = b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]'
    pad = b',"x":"' + b"a" * (1023 - len(line) - 6) + "é".encode() + b'"}\n'
    (tmp_path / "x.jsonl").write_bytes(line + pad)
    assert len(line + pad) > 1024
    assert run("validate", str(tmp_path / "x.jsonl")) == (
        0,
        "summary: 1 file, 1 payload, 1 valid, 0 invalid, 0 findings\n",
        "",
    )


def test_unreadable_file_does_not_stop_the_others(run: Callable[..., Run]) -> None:
    status, out, err = run("validate", "missing.sse", "broken.json", ".")
    assert status == 2
    assert err == (
        "chatchunk: error: missing.sse: no such file\nchatchunk: error: .: is a directory\n"
    )
    assert out == (
        BROKEN_JSON.splitlines(keepends=True)[0]
        + "summary: 3 files, 1 payload, 0 valid, 1 invalid, 1 finding, 2 unreadable\n"
    )


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_input_errors_subprocess(launcher: str, tmp_path: Path) -> None:
    (tmp_path / "bin.sse").write_bytes(b"\0" * 100)
    (tmp_path / "empty.jsonl").write_bytes(b"")
    done = launch(launcher, "validate", "nope.sse", "bin.sse", "empty.jsonl", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "chatchunk: error: nope.sse: no such file\n"
        "chatchunk: error: bin.sse: not a text file (binary data near the start)\n"
        "chatchunk: error: empty.jsonl: no payloads found\n"
        "chatchunk: error: .: is a directory\n"
    )
    assert "Traceback" not in done.stderr
    assert done.stdout == (
        "summary: 4 files, 0 payloads, 0 valid, 0 invalid, 0 findings, 4 unreadable\n"
    )


def test_keyboard_interrupt(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(source: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(validate_module, "sniff", interrupted)
    monkeypatch.setattr(assemble_module, "sniff", interrupted)
    assert run("validate", "openai.sse") == (
        130,
        "summary: 1 file, 0 payloads, 0 valid, 0 invalid, 0 findings, interrupted\n",
        "chatchunk: interrupted\n",
    )
    assert run("assemble", "openai.sse") == (130, "", "chatchunk: interrupted\n")


def test_keyboard_interrupt_mid_input_writes_the_summary_so_far(
    run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: List[int] = []

    def update(self: object, source: object, chunks: int) -> None:
        checked.append(chunks)
        if chunks == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(console.Progress, "update", update)
    status, out, err = run("validate", "--format", "json", "broken.sse", "openai.sse")
    assert (status, err) == (130, "chatchunk: interrupted\n")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["kind"] for r in records] == ["invalid_payload", "invalid_payload", "summary"]
    assert records[-1] == {
        "kind": "summary",
        "files": 1,
        "payloads": 3,
        "valid": 1,
        "invalid": 2,
        "findings": 2,
        "repeated": 0,
        "unreadable": 0,
        "status": 130,
    }
    assert checked == [1, 2, 3]  # the second file was never opened


def test_broken_pipe_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["assemble", str(DATA / "openai.sse")]) == 141
    assert main(["demo"]) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_broken_pipe_subprocess(launcher: str, tmp_path: Path) -> None:
    # Output larger than a pipe's buffer, read 10 bytes of it, close: like `| head -c 10`.
    path = tmp_path / "long.sse"
    write_stream(path, chunks=5000)
    proc = subprocess.Popen(
        [*LAUNCHERS[launcher], "assemble", "--indent", "2", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    head = proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert head == b'{\n  "id": '
    assert err == b""


# --- progress ---------------------------------------------------------------------------


def write_stream(path: Path, chunks: int, content: str = "word " * 20) -> int:
    """Write an SSE stream of ``chunks`` content chunks plus a finish; return its size."""
    head = (
        '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764288000,'
        '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,'
    )
    body = head + f'"delta":{{"content":"{content}"}},"logprobs":null,"finish_reason":null}}]}}'
    last = head + '"delta":{},"logprobs":null,"finish_reason":"stop"}]}'
    data = (f"data: {body}\n\n" * chunks + f"data: {last}\n\ndata: [DONE]\n\n").encode()
    path.write_bytes(data)
    return len(data)


def test_progress_line_on_a_terminal(run: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    write_stream(path, chunks=39)
    ticks = itertools.count()
    status, out, err = run(
        "validate", str(path), clock=lambda: next(ticks) / 10, isatty=lambda: True
    )
    assert status == 0
    assert out == "summary: 1 file, 40 payloads, 40 valid, 0 invalid, 0 findings\n"
    shown = [line for line in err.split("\r") if line.strip()]
    # The clock moves 0.1 s a payload: the line appears after 1 s, then at most every 0.25 s.
    assert 2 <= len(shown) <= 13
    # A file's size is known: the share read shows (the whole of it is one 64 KiB read).
    assert shown[0].startswith(f"chatchunk: {path}: 0.0 of 0.0 MB read (100%), 9 chunks/s")
    assert all(
        " MB read (100%), " in line and line.rstrip().endswith(" chunks/s") for line in shown
    )
    assert err.endswith("\r")  # wiped at the end
    assert not err.split("\r")[-2].strip()


def test_no_progress_when_fast_or_not_a_terminal(run: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    write_stream(path, chunks=39)
    assert run("validate", str(path), clock=lambda: 0.0, isatty=lambda: True)[2] == ""
    ticks = itertools.count()
    assert (
        run("validate", str(path), clock=lambda: float(next(ticks)), isatty=lambda: False)[2] == ""
    )


def test_progress_is_wiped_before_a_finding(run: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    write_stream(path, chunks=30)
    with path.open("ab") as file:
        file.write(b"data: oops\n\n")
    ticks = itertools.count()
    status, out, err = run(
        "validate", str(path), clock=lambda: float(next(ticks)), isatty=lambda: True
    )
    assert status == 1
    assert "invalid_payload" in out
    assert err.endswith("\r")


# --- constant memory ------------------------------------------------------------------


def test_validate_large_jsonl_in_constant_memory(run: Callable[..., Run], tmp_path: Path) -> None:
    chunk = (
        '{"id":"chatcmpl-Cx1aB2cD3eF4gH5iJ6kL7mN8oP9q","object":"chat.completion.chunk",'
        '"created":1764288000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default",'
        '"system_fingerprint":"fp_8bda4d3a2c","choices":[{"index":0,"delta":{"content":"'
        + "lorem ipsum " * 30
        + '"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"hT2k"}\n'
    ).encode()
    block = chunk * 2000
    path = tmp_path / "big.jsonl"
    blocks = 50_000_000 // len(block) + 1
    with path.open("wb") as file:
        for i in range(blocks):
            file.write(block)
            if i % 10 == 5:
                file.write(b'{"id":"broken"\n')  # an invalid payload now and then
    size = path.stat().st_size
    assert size > 50_000_000
    tracemalloc.start()
    try:
        status, out, _ = run("validate", str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    invalid = len(range(5, blocks, 10))
    total = blocks * 2000 + invalid
    assert status == 1
    # One stream (one id, never finished): its end is the last finding.
    assert out.splitlines()[-2:] == [
        f"{path}:{total}: incomplete_stream: the stream ended while choice 0 had no finish_reason",
        f"summary: 1 file, {total} payloads, {total - invalid} valid, {invalid} invalid,"
        f" {invalid + 1} findings",
    ]
    assert peak < 3 * 1024 * 1024, f"peak {peak / 1e6:.2f} MB for a {size / 1e6:.0f} MB file"


# --- assemble ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "err"),
    [
        ("openai.sse", 0, ""),
        ("vllm.sse", 0, ""),
        ("groq.jsonl", 0, ""),
        # a usage-only chunk assembles into a completion without choices: not complete
        ("chunk.json", 1, "chunk.json: incomplete_stream: no choice was streamed\n"),
    ],
)
def test_assemble_every_format(run: Callable[..., Run], name: str, status: int, err: str) -> None:
    assert run("assemble", name)[::2] == (status, err)
    out = run("assemble", name)[1]
    assert out.count("\n") == 1  # compact by default
    assembled = json.loads(out)
    assert assembled["object"] == "chat.completion"
    assert assembled == expected_completion(DATA / name)


def test_assemble_openai(run: Callable[..., Run]) -> None:
    status, out, _ = run("assemble", "openai.sse")
    assert status == 0
    assembled = json.loads(out)
    assert assembled["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Bonjour à tous 👋",
        "refusal": None,
    }
    assert CompletionUsage.model_validate(assembled["usage"]).total_tokens == 24


def test_assemble_indent_and_text(run: Callable[..., Run]) -> None:
    status, out, _ = run("assemble", "--indent", "2", "openai.sse")
    assert status == 0
    assert out.startswith('{\n  "id": "chatcmpl-Cx1aB2cD3eF4gH5iJ6kL7mN8oP9q",\n')
    assert json.loads(out) == expected_completion(DATA / "openai.sse")
    assert run("assemble", "--text", "openai.sse") == (0, "Bonjour à tous 👋\n", "")
    assert run("assemble", "--text", "groq.jsonl") == (0, "Paris.\n", "")


def test_assemble_reports_in_band_errors_after_the_result(run: Callable[..., Run]) -> None:
    status, out, err = run("assemble", "openrouter_error.sse")
    assert status == 1
    assert json.loads(out)["choices"][0]["finish_reason"] == "error"
    assert err == (
        "openrouter_error.sse: event 2 at byte 363: stream_error: error: Provider returned error\n"
        "openrouter_error.sse: event 2 at byte 363: incomplete_stream: the stream reported an"
        " error: Provider returned error\n"
    )


def test_assemble_reports_invalid_payloads(run: Callable[..., Run]) -> None:
    status, out, err = run("assemble", "--text", "broken.jsonl")
    assert (status, out) == (1, "Hi\n")
    # The same lines as `validate`, in the input's order, then why the stream is incomplete.
    assert err == "".join(BROKEN_JSONL.splitlines(keepends=True)[:-1]) + BROKEN_JSONL_INCOMPLETE


def test_assemble_broken_sse(run: Callable[..., Run]) -> None:
    status, out, err = run("assemble", "--text", "broken.sse")
    assert (status, out) == (1, "Hel\n")
    assert err == "".join(BROKEN_SSE.splitlines(keepends=True)[:-1]) + BROKEN_SSE_INCOMPLETE


def test_assemble_after_done_is_a_second_stream(run: Callable[..., Run]) -> None:
    # A client stops at [DONE]: the chunk after it is not part of the first completion,
    # but the start of a second one. Neither finished; the second has no [DONE] either.
    status, out, err = run("assemble", "--text", "after_done.sse")
    assert (status, out) == (1, "\nBonjour\n")
    assert err == (
        "after_done.sse: event 1 at byte 0: incomplete_stream: choice 0 got no finish_reason\n"
        "after_done.sse: event 3 at byte 369: incomplete_stream: choice 0 got no finish_reason;"
        " the stream ended without data: [DONE]\n"
    )


def test_assemble_stdin(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_bytes(monkeypatch, (DATA / "vllm.sse").read_bytes())
    assert run("assemble", "--text", "-") == (0, "Hi!\n", "")


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_assemble_subprocess(launcher: str) -> None:
    done = launch(
        launcher, "assemble", "--indent", "1", "-", stdin=(DATA / "openai.sse").read_bytes()
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == expected_completion(DATA / "openai.sse")
    assert done.stdout.startswith('{\n "id"')
    failed = launch(launcher, "assemble", "broken.sse")
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["choices"][0]["message"]["content"] == "Hel"
    assert failed.stderr == (
        "".join(BROKEN_SSE.splitlines(keepends=True)[:-1]) + BROKEN_SSE_INCOMPLETE
    )


# --- logs of many streams ---------------------------------------------------------------

# requests.jsonl: a gateway's log of three requests. OpenAI (usage in a last chunk without
# choices), LiteLLM in front of Gemini (a new id on every chunk, a trailing usage chunk
# whose delta is all nulls), Groq (cut by max_tokens).
REQUESTS = [(1, 5), (6, 9), (10, 12)]  # each stream's first and last line


def jsonl_streams(path: Path, bounds: List[Tuple[int, int]]) -> List[Dict[str, Any]]:
    """What the library assembles from each stream of a JSON Lines log, cut by hand."""
    lines = path.read_bytes().splitlines()
    return [
        to_dict(accumulate(parse_chunk(line) for line in lines[first - 1 : last]))
        for first, last in bounds
    ]


def sse_streams(path: Path) -> List[Dict[str, Any]]:
    """What the library assembles from each [DONE]-ended stream of an SSE file."""
    done = b"data: [DONE]\n\n"
    parts = [part + done for part in path.read_bytes().split(done) if part.strip()]
    return [to_dict(accumulate(iter_events([part]))) for part in parts]


def test_assemble_writes_one_completion_per_stream(run: Callable[..., Run]) -> None:
    status, out, err = run("assemble", "requests.jsonl")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == jsonl_streams(DATA / "requests.jsonl", REQUESTS)
    # LiteLLM's four ids are one stream, under its first id.
    assert json.loads(lines[1])["id"] == "chatcmpl-3f0c2a8e-6b1d-4c7e-9a2f-5d8b1e4c7a90"
    assert run("assemble", "--text", "requests.jsonl") == (
        0,
        "The capital is Paris.\nBonjour le monde!\nOnce upon a\n",
        "",
    )


def test_assemble_several_streams_ignores_indent(run: Callable[..., Run]) -> None:
    # JSON Lines hold one document a line: --indent only shapes a single stream's output.
    assert run("assemble", "--indent", "2", "requests.jsonl") == run("assemble", "requests.jsonl")
    assert run("assemble", "--indent", "2", "openai.sse")[1].startswith('{\n  "id": ')


def test_assemble_sse_streams_split_at_done(run: Callable[..., Run]) -> None:
    status, out, err = run("assemble", "two_streams.sse")
    assert (status, err) == (0, "")
    assert [json.loads(line) for line in out.splitlines()] == sse_streams(DATA / "two_streams.sse")
    assert run("assemble", "--text", "two_streams.sse")[1] == "Yes.\nNo, thanks.\n"


def test_strict_checks_each_stream_on_its_own(run: Callable[..., Run]) -> None:
    # Two conformant OpenAI streams: their different ids and `created` are no change.
    assert run("validate", "--strict", "two_streams.sse") == (
        0,
        "summary: 1 file, 11 payloads, 11 valid, 0 invalid, 0 findings\n",
        "",
    )
    assert run("validate", "requests.jsonl") == (
        0,
        "summary: 1 file, 12 payloads, 12 valid, 0 invalid, 0 findings\n",
        "",
    )
    status, out, _ = run("validate", "--strict", "requests.jsonl")
    assert status == 1
    changes = [line for line in out.splitlines() if "_changed: " in line]
    # Only LiteLLM's own ids change, inside its stream (lines 6 to 9): no id_changed at
    # line 6 or 10, where a stream begins, and no created_changed at all.
    assert [line.split(": ")[0] for line in changes] == [
        "requests.jsonl:7",
        "requests.jsonl:8",
        "requests.jsonl:9",
    ]
    assert all(": id_changed: " in line for line in changes)


def test_a_stream_cut_off_mid_log(run: Callable[..., Run], tmp_path: Path) -> None:
    # The OpenAI request loses its last two chunks (finish and usage); the next request
    # begins with a new id and a role, so the log still holds three streams.
    lines = (DATA / "requests.jsonl").read_bytes().splitlines(keepends=True)
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"".join(lines[:3] + lines[5:]))
    assert run("validate", str(path)) == (
        1,
        f"{path}:3: incomplete_stream: the stream ended while choice 0 had no finish_reason\n"
        "summary: 1 file, 10 payloads, 10 valid, 0 invalid, 1 finding\n",
        "",
    )
    status, out, err = run("assemble", "--text", str(path))
    assert (status, out) == (1, "The capital is Paris.\nBonjour le monde!\nOnce upon a\n")
    assert err == f"{path}:3: incomplete_stream: choice 0 got no finish_reason\n"


def test_sse_streams_without_done_split_by_the_rule(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    # A server that never sends [DONE]: the second response is told apart by its new id
    # once the first one finished. Without [DONE], neither stream is complete.
    path = tmp_path / "no_done.sse"
    path.write_bytes((DATA / "two_streams.sse").read_bytes().replace(b"data: [DONE]\n\n", b""))
    assert run("validate", str(path)) == (
        0,
        "summary: 1 file, 11 payloads, 11 valid, 0 invalid, 0 findings\n",
        "",
    )
    status, out, _ = run("validate", "--strict", str(path))
    assert (status, out) == (
        1,
        f"{path}: event 5 at byte 1304: no_done: the stream ended without a 'data: [DONE]'"
        " event\n"
        "summary: 1 file, 11 payloads, 11 valid, 0 invalid, 1 finding, 1 repeated not shown\n",
    )
    status, out, err = run("assemble", "--text", str(path))
    assert (status, out) == (1, "Yes.\nNo, thanks.\n")
    assert err.count("incomplete_stream: the stream ended without data: [DONE]\n") == 2


# --- how a stream ends --------------------------------------------------------------------


def without_last_line(path: Path, tmp_path: Path) -> Path:
    cut = tmp_path / path.name
    lines = path.read_bytes().splitlines(keepends=True)
    cut.write_bytes(b"".join(lines[:-1]))
    return cut


def test_jsonl_stream_left_unfinished_fails_without_strict(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    # JSON Lines have no [DONE]: a choice without a finish reason at the end is enough.
    path = without_last_line(DATA / "groq.jsonl", tmp_path)
    assert run("validate", str(path)) == (
        1,
        f"{path}:3: incomplete_stream: the stream ended while choice 0 had no finish_reason\n"
        "summary: 1 file, 3 payloads, 3 valid, 0 invalid, 1 finding\n",
        "",
    )


def test_sse_stream_cut_between_events_fails_without_strict(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    data = (DATA / "openai.sse").read_bytes()
    path = tmp_path / "cut.sse"
    path.write_bytes(data[: data.index(b"data: ", 1100)])  # events 1 to 4 of 6
    status, out, _ = run("validate", "--format", "json", str(path))
    assert status == 1
    assert json.loads(out.splitlines()[0]) == {
        "file": str(path),
        "event": 4,
        "offset": 1012,
        "path": "",
        "kind": "incomplete_stream",
        "message": "the stream ended without 'data: [DONE]' while choice 0 had no finish_reason",
    }
    status, out, err = run("assemble", "--text", str(path))
    assert (status, out) == (1, "Bonjour à tous 👋\n")
    assert err == (
        f"{path}: event 4 at byte 1012: incomplete_stream: choice 0 got no finish_reason;"
        " the stream ended without data: [DONE]\n"
    )


def test_stream_finished_without_done_passes_without_strict(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    # Every choice finished: a missing [DONE] is only --strict's `no_done`.
    path = tmp_path / "no_done.sse"
    path.write_bytes((DATA / "openai.sse").read_bytes().replace(b"data: [DONE]\n\n", b""))
    assert run("validate", str(path))[0] == 0
    assert run("validate", "--strict", str(path))[1].splitlines()[0] == (
        f"{path}: event 6 at byte 1649: no_done: the stream ended without a 'data: [DONE]' event"
    )
    # assemble asks for more: without [DONE] the stream may have been cut off.
    status, _, err = run("assemble", str(path))
    assert (status, err) == (
        1,
        f"{path}: event 6 at byte 1649: incomplete_stream: the stream ended without data: [DONE]\n",
    )


def test_single_document_is_a_payload_not_a_stream(run: Callable[..., Run], tmp_path: Path) -> None:
    # One chunk from the middle of a stream is valid; assembled, it is incomplete.
    line = (DATA / "groq.jsonl").read_bytes().splitlines()[1]
    path = tmp_path / "chunk.json"
    path.write_bytes(json.dumps(json.loads(line), indent=2).encode())
    assert run("validate", str(path))[0] == 0
    status, out, err = run("assemble", "--text", str(path))
    assert (status, out, err) == (
        1,
        "Paris\n",
        f"{path}: incomplete_stream: choice 0 got no finish_reason\n",
    )


def test_assemble_drops_an_unterminated_event_as_the_library_does(
    run: Callable[..., Run],
) -> None:
    status, out, err = run("assemble", "truncated.sse")
    assert status == 1
    # The same completion as accumulate(iter_events(...)) on the same bytes: "Hello",
    # without the " wor" of the event no blank line closed.
    assert json.loads(out) == expected_completion(DATA / "truncated.sse")
    assert json.loads(out)["choices"][0]["message"]["content"] == "Hello"
    assert err == (
        f"{TRUNCATED[0]}\n"
        "truncated.sse: event 3 at byte 500: incomplete_stream: choice 0 got no finish_reason; the stream"
        " was cut off inside an event, without data: [DONE]\n"
    )


def test_unterminated_event_after_done(run: Callable[..., Run], tmp_path: Path) -> None:
    # The stream is whole; what follows its [DONE] is cut before its blank line.
    path = tmp_path / "tail.sse"
    path.write_bytes((DATA / "openai.sse").read_bytes() + b'data: {"id":"chatcmpl-next",')
    message = (
        f"{path}: event 8 at byte 2157: unterminated_event: the input ends inside an event (no blank"
        " line after it); it was dropped\n"
    )
    for strict in ([], ["--strict"]):
        assert run("validate", *strict, str(path)) == (
            1,
            message + "summary: 1 file, 6 payloads, 6 valid, 0 invalid, 1 finding\n",
            "",
        )
    status, out, err = run("assemble", "--indent", "2", str(path))
    assert (status, err) == (1, message)
    assert json.loads(out) == expected_completion(DATA / "openai.sse")
    assert out.startswith('{\n  "id"')  # still one stream: the dropped event is none
    status, out, _ = run("validate", "--format", "json", str(path))
    record = json.loads(out.splitlines()[0])
    assert (record["event"], record["offset"]) == (8, 2157)  # where the dropped event began


# --- invalid UTF-8 ------------------------------------------------------------------------


def test_invalid_utf8_gets_one_verdict_in_every_format(run: Callable[..., Run]) -> None:
    # The same payload, with a Latin-1 "é", as SSE, as JSON Lines and as one document.
    status, out, _ = run(
        "validate", "--format", "json", "latin1.sse", "latin1.jsonl", "latin1.json"
    )
    assert status == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r.get("event") or r.get("line"), r["kind"], r["error_type"]) for r in records[:3]] == [
        (2, "invalid_payload", "json_invalid"),
        (2, "invalid_payload", "json_invalid"),
        (None, "invalid_payload", "json_invalid"),
    ]
    assert records[0]["message"] == (
        "Invalid JSON: invalid UTF-8 in the event's data (replaced at character 154)"
    )
    # JSON Lines and a document are read as bytes, as parse_chunk reads them.
    bad = (DATA / "latin1.json").read_bytes().strip()
    with pytest.raises(ValidationError, match="invalid unicode code point") as caught:
        parse_chunk(bad)
    assert records[1]["message"] == records[2]["message"]
    assert records[2]["message"] == caught.value.errors()[0]["msg"]
    assert records[3]["valid"] == 4
    assert records[3]["invalid"] == 3


def test_assemble_skips_the_invalid_utf8_payload(run: Callable[..., Run]) -> None:
    for name in ("latin1.sse", "latin1.jsonl"):
        status, out, err = run("assemble", "--text", name)
        assert (status, out) == (1, "Un \n")
        assert "invalid_payload: Invalid JSON: invalid " in err
        assert err.endswith("incomplete_stream: 1 invalid payload(s) were skipped\n")


# --- Ctrl-C -------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_prints_the_summary_so_far_subprocess() -> None:
    # A real process reads a pipe that stays open; once it has reported the broken line
    # (so it read every line before), Ctrl-C.
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatchunk", "validate", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=DATA,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        proc.stdin.write((DATA / "groq.jsonl").read_bytes() + b'{"id":"broken"\n')
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no finding within 60 s"
        finding = proc.stdout.readline()
        assert finding.startswith(b"<stdin>:5: invalid_payload: ")
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=60)
        out = proc.stdout.read()
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()
    assert status == 130
    assert out == b"summary: 1 file, 5 payloads, 4 valid, 1 invalid, 1 finding, interrupted\n"
    assert err == b"chatchunk: interrupted\n"


# --- schema -----------------------------------------------------------------------------


def test_schema_default_is_the_chunk(run: Callable[..., Run]) -> None:
    status, out, err = run("schema")
    assert (status, err) == (0, "")
    assert json.loads(out) == ChatCompletionChunk.model_json_schema()
    assert out.startswith('{\n  "$defs": {')


def test_schema_by_name(run: Callable[..., Run]) -> None:
    status, out, _ = run("schema", "CompletionUsage")
    assert status == 0
    assert json.loads(out) == CompletionUsage.model_json_schema()
    assert run("schema", "completionusage")[1] == out  # case does not matter


def test_schema_unknown_model(run: Callable[..., Run]) -> None:
    status, out, err = run("schema", "StreamError")  # public, but no model
    assert (status, out) == (2, "")
    assert err.startswith("chatchunk: error: unknown model 'StreamError'; choose one of: ")
    names = err.rstrip("\n").split("choose one of: ")[1].split(", ")
    assert {"ChatCompletionChunk", "ChatCompletion"} <= set(names)
    assert len(names) == len(set(names)) >= 19
    assert err.count("\n") == 1


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_schema_subprocess(launcher: str) -> None:
    done = launch(launcher, "schema", "ChatCompletion")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["title"] == "ChatCompletion"
    bad = launch(launcher, "schema", "Nope")
    assert bad.returncode == 2
    assert bad.stderr.startswith("chatchunk: error: unknown model 'Nope'")
