"""``chatchunk normalize``: formats kept, [DONE] where it was, the report, and the drift
report of `validate --strict` on its output."""

import json
import re
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Set, Tuple

import pytest

from chatchunk import ChatCompletionChunk, iter_events
from chatchunk._chunk import CANONICAL_FINISH_REASONS
from chatchunk._cli import main
from streams import STREAMS

# A llama.cpp-style server that ends with its own reasons, as JSON Lines: "eos" on one
# stream's choice, "model_length" on a second choice (n=2), "" on a trailing chunk.
_LLAMA: List[Dict[str, Any]] = [
        {"choices": [{"finish_reason": None, "index": 0, "delta": {"role": "assistant",
         "content": "Hi"}}, {"finish_reason": None, "index": 1, "delta": {"role": "assistant",
         "content": "Yo"}}], "created": 1751910000, "id": "chatcmpl-llama1",
         "model": "qwen2.5-7b", "object": "chat.completion.chunk"},
        {"choices": [{"finish_reason": "eos", "index": 0, "delta": {}},
                     {"finish_reason": "model_length", "index": 1, "delta": {}}],
         "created": 1751910000, "id": "chatcmpl-llama1", "model": "qwen2.5-7b",
         "object": "chat.completion.chunk"},
        {"choices": [{"finish_reason": "", "index": 0, "delta": {}}], "created": 1751910000,
         "id": "chatcmpl-llama1", "model": "qwen2.5-7b", "object": "chat.completion.chunk"},
]  # fmt: skip
LLAMA_JSONL = b"".join(json.dumps(p, separators=(",", ":")).encode() + b"\n" for p in _LLAMA)


class Run(NamedTuple):
    status: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def _run(*argv: str) -> Run:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return Run(status, out, err)

    return _run


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


ALL_RULES = ("--usage", "last", "--header", "merge", "--nulls", "openai")
OMIT_NULLS = ("--usage", "last", "--header", "drop", "--nulls", "omit", "--lossy")


def covered(finding: Dict[str, Any], options: Tuple[str, ...]) -> bool:
    """Whether a rule chosen by ``options`` covers a `validate --strict` finding."""
    kind, path, message = finding["kind"], finding.get("path", ""), finding["message"]
    if kind == "object_value":
        return True
    if kind == "unknown_enum_value" and path.endswith("finish_reason"):
        return any(repr(sent) in message.split(" is not")[0] for sent in CANONICAL_FINISH_REASONS)
    if kind in ("missing_field", "null_value") and re.search(r"tool_calls\.\d+\.index$", path):
        return True
    if kind == "null_value" and re.search(r"tool_calls\.\d+\.type$", path):
        return True
    if kind == "unknown_field" and path.endswith("delta.reasoning_content"):
        return True  # the default name is "reasoning"
    if "--usage" in options and kind == "usage_with_choices":
        return True
    nulls = options[options.index("--nulls") + 1] if "--nulls" in options else "keep"
    if nulls == "openai" and kind == "missing_field":
        return bool(re.search(r"^choices\.\d+\.(finish_reason|delta)$", path))
    if nulls == "omit" and kind == "null_value":
        return path == "system_fingerprint" or bool(
            re.search(r"delta\.(role|tool_calls|function_call)$", path)
        )
    return False


def findings(run: Any, path: str) -> List[Dict[str, Any]]:
    result = run("validate", "--strict", "--format", "json", path)
    lines = [json.loads(line) for line in result.out.splitlines()]
    return [line for line in lines if line["kind"] != "summary"]


INPUTS = {f"{name}.sse": body for name, (body, _) in STREAMS.items()}
INPUTS["llama.jsonl"] = LLAMA_JSONL


@pytest.mark.parametrize(
    "options", [(), ALL_RULES, OMIT_NULLS], ids=["defaults", "all-rules", "omit-nulls"]
)
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_validate_strict_finds_nothing_a_rule_covers_in_the_output(
    run: Any, tmp_path: Path, name: str, options: Tuple[str, ...]
) -> None:
    source = write(tmp_path, name, INPUTS[name])
    before = findings(run, source)
    result = run("normalize", *options, source)
    assert result.status == 0, result.err
    normalized = write(tmp_path, "out-" + name, result.out.encode())
    after = findings(run, normalized)
    left = [f for f in after if covered(f, options)]
    assert left == []
    # A rule fixed something wherever something was to fix.
    if any(covered(f, options) for f in before):
        assert len([f for f in after if covered(f, options)]) < len(
            [f for f in before if covered(f, options)]
        )


def test_sse_in_sse_out_with_done_only_where_the_input_had_it(run: Any, tmp_path: Path) -> None:
    body = STREAMS["gemini"][0]
    done = run("normalize", write(tmp_path, "g.sse", body))
    assert done.out.endswith("data: [DONE]\n\n")
    chunks = [c for c in iter_events([done.out.encode()]) if isinstance(c, ChatCompletionChunk)]
    assert [c.choices[0].delta.tool_calls[0].index for c in chunks[1:]] == [0, 1]  # type: ignore[index]
    cut = body[: body.rindex(b"data: [DONE]")]
    no_done = run("normalize", write(tmp_path, "cut.sse", cut))
    assert no_done.status == 0
    assert "[DONE]" not in no_done.out


def test_jsonl_in_jsonl_out_and_the_report(run: Any, tmp_path: Path) -> None:
    result = run("normalize", "--report", write(tmp_path, "l.jsonl", LLAMA_JSONL))
    assert result.status == 0
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [[c.get("finish_reason") for c in line["choices"]] for line in lines] == [
        [None, None],
        ["stop", "length"],
        [None],
    ]
    assert lines[1]["choices"][0]["native_finish_reason"] == "eos"
    name = str(tmp_path / "l.jsonl")
    assert result.err.splitlines() == [
        f'{name}:2: finish_reason_mapped: choices.0.finish_reason: "eos" -> "stop"',
        f'{name}:2: finish_reason_mapped: choices.1.finish_reason: "model_length" -> "length"',
        f'{name}:3: finish_reason_mapped: choices.0.finish_reason: "" -> null',
    ]


def test_options_reach_the_rules(run: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "l.jsonl", LLAMA_JSONL)
    result = run("normalize", "--lossy", "--finish-reason", "eos=length", path)
    second = json.loads(result.out.splitlines()[1])
    assert second["choices"][0] == {"finish_reason": "length", "index": 0, "delta": {}}
    deepseek = write(tmp_path, "d.sse", STREAMS["deepseek"][0])
    kept = run("normalize", "--reasoning", "reasoning_content", deepseek)
    assert kept.out.count('"reasoning_content":') == STREAMS["deepseek"][0].count(
        b'"reasoning_content":'
    )
    azure = write(tmp_path, "a.sse", STREAMS["azure"][0])
    dropped = run("normalize", "--header", "drop", "--report", azure)
    assert '"id":""' not in dropped.out
    assert "header_dropped" in dropped.err


def test_errors_and_invalid_payloads_are_written_back_as_they_came(
    run: Any, tmp_path: Path
) -> None:
    body = (
        b'data: {"id":"c1","object":"","created":1,"model":"m","choices":[]}\n\n'
        b'event: error\ndata: {"message":"overloaded"}\n\n'
        b'data: {"id":"c1","object":"chat.completion.chunk","created":"1","model":"m",'
        b'"choices":[]}\n\n'
        b"data: [DONE]\n\n"
    )
    result = run("normalize", write(tmp_path, "e.sse", body))
    assert result.status == 1
    events = result.out.split("\n\n")
    assert '"object":"chat.completion.chunk"' in events[0]
    assert events[1] == 'event: error\ndata: {"message": "overloaded"}'
    assert events[2] == (
        'data: {"id":"c1","object":"chat.completion.chunk","created":"1","model":"m","choices":[]}'
    )
    assert events[3] == "data: [DONE]"
    assert "invalid_payload: created" in result.err


def test_unreadable_input_and_bad_options_exit_2(run: Any, tmp_path: Path) -> None:
    missing = run("normalize", str(tmp_path / "nope.sse"))
    assert missing.status == 2
    assert "no such file" in missing.err
    bad = run("normalize", "--finish-reason", "eos", write(tmp_path, "l.jsonl", LLAMA_JSONL))
    assert bad.status == 2
    assert "FROM=TO" in bad.err
    empty = run("normalize", write(tmp_path, "empty.jsonl", b"\n"))
    assert empty.status == 2
    assert "no payloads" in empty.err


def test_the_inputs_hold_a_deviation_for_every_rule(run: Any, tmp_path: Path) -> None:
    # So that the test above is no empty promise: each rule had something to fix.
    kinds: Set[Tuple[str, str]] = set()
    for name, data in INPUTS.items():
        for f in findings(run, write(tmp_path, name, data)):
            if covered(f, ALL_RULES) or covered(f, OMIT_NULLS):
                kinds.add((f["kind"], f["path"].split(".")[-1]))
    assert kinds >= {
        ("object_value", "object"),
        ("unknown_enum_value", "finish_reason"),
        ("missing_field", "index"),
        ("unknown_field", "reasoning_content"),
        ("usage_with_choices", "choices"),
        ("missing_field", "finish_reason"),
        ("missing_field", "delta"),
        ("null_value", "system_fingerprint"),
    }
