"""Keep benchmarks/bench.py working: run its quick mode in-process on tiny sizes.

Only the report's shape is checked, never a timing: the numbers of a quick run
mean nothing. Peers that are not installed are skipped by the script itself,
so these tests pass with or without the ``bench`` extra.
"""

import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

import chatchunk

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[object]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench

        yield bench
    finally:
        sys.path.remove(str(BENCHMARKS))


def _sections(report: str) -> Dict[str, List[str]]:
    """The report's lines under each ``## `` heading."""
    found: Dict[str, List[str]] = {}
    current = ""
    for line in report.splitlines():
        if line.startswith("## "):
            current = line[3:]
            found[current] = []
        elif current:
            found[current].append(line)
    return found


def _rows(lines: List[str]) -> List[List[str]]:
    """The body rows of the first Markdown table in ``lines``, as lists of cells."""
    table = [line for line in lines if line.startswith("|")]
    assert len(table) >= 2, lines
    assert re.fullmatch(r"\|(:?-+:?\|)+", table[1]), table[1]
    width = table[0].count("|")
    assert all(line.count("|") == width for line in table), table
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]


def test_quick_report_shape(bench, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--sizes", "40", "--linearity-sizes", "30,60"]) == 0
    report = capsys.readouterr().out
    assert report.startswith("# chatchunk benchmarks\n")
    sections = _sections(report)
    for heading in (
        "Machine",
        "Corpus",
        "Time per operation",
        "Ratios and targets",
        "Accumulator linearity",
        "Accumulator memory",
        "Cases: the exact call measured",
    ):
        assert heading in sections, heading
    machine = "\n".join(sections["Machine"])
    assert f"Python {sys.version_info[0]}.{sys.version_info[1]}" in machine
    assert "pydantic " in machine
    assert "logical CPUs" in machine

    timings = _rows(sections["Time per operation"])
    cases = {(row[0], row[1]) for row in timings}
    for group, case in [
        ("parse", "chatchunk parse_chunk"),
        ("parse", "json.loads (no validation)"),
        ("dump", "chatchunk dump_chunk"),
        ("stream", "chatchunk iter_events"),
        ("stream", "chatchunk iter_sse (decoder only)"),
        ("stream", "chatchunk SSEDecoder + validate_json loop (no stream state)"),
        ("accumulate", "chatchunk ChunkAccumulator"),
        ("write", "chatchunk ChunkWriter.content"),
        ("write", "chatchunk ChunkWriter.finish"),
    ]:
        assert (group, case) in cases, (group, case)
    for row in timings:
        assert row[2] == "40"
        assert float(row[3]) > 0  # median µs per operation
        low, high = (float(x) for x in row[4].split("-"))
        assert 0 < low <= high

    ratios = _rows(sections["Ratios and targets"])
    names = [row[0] for row in ratios]
    assert "decoder overhead: chatchunk iter_sse / parse_chunk" in names
    # What the stream's end state and its checks cost per event, against a bare loop.
    own_loop = "chatchunk SSEDecoder + validate_json loop (no stream state)"
    assert f"chatchunk iter_events vs {own_loop}" in names
    assert any(name.startswith("accumulator linearity") for name in names)
    assert any(name.startswith("accumulator memory") for name in names)
    for row in ratios:
        assert row[4] in ("", "met", "**not met**", "n/a"), row
        if row[2] != "—":  # a target: the row says whether it was met
            assert row[4], row

    memory = _rows(sections["Accumulator memory"])
    assert {row[1] for row in memory} == {"30", "60"}

    if importlib.util.find_spec("chatchunk._cli") is not None:
        cli = _rows(sections["CLI throughput"])
        assert {row[0] for row in cli} >= {
            "chatchunk validate (JSON Lines)",
            "chatchunk validate (SSE)",
        }
        assert all(float(row[4]) > 0 for row in cli)  # MB/s

    # Every case measured is named in the legend with its exact call.
    legend = {row[0] for row in _rows(sections["Cases: the exact call measured"])}
    assert {case for _, case in cases} <= legend


X = "\u00d7"  # the multiplication sign, spelled out for the linter
READ_SIDE_TARGETS = {
    "chatchunk parse_chunk vs openai model_validate_json": f"≤ 1{X}",
    "chatchunk dump_chunk vs openai model_dump_json(exclude_unset)": f"≤ 0.85{X}",
}


def _read_side_shown(sections: Dict[str, List[str]]) -> None:
    # Whatever ran, the report shows the read side's two targets (n/a without openai).
    targets = {row[0]: row for row in _rows(sections["Ratios and targets"])}
    for name, target in READ_SIDE_TARGETS.items():
        assert name in targets, name
        assert targets[name][2] == target, targets[name]


def test_only_one_group(bench, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--sizes", "20", "--only", "dump", "--rounds", "1"]) == 0
    sections = _sections(capsys.readouterr().out)
    groups = {row[0] for row in _rows(sections["Time per operation"])}
    # Only what the read side's targets need is added: parse_chunk against openai's.
    assert groups <= {"dump", "parse"}
    assert "dump" in groups
    assert "Accumulator linearity" not in sections
    assert "Accumulator memory" not in sections
    _read_side_shown(sections)


def test_write_group(bench, capsys: pytest.CaptureFixture[str]) -> None:
    # 300 chunks: enough for the corpus to hold tool calls.
    assert bench.main(["--quick", "--sizes", "300", "--only", "write", "--rounds", "1"]) == 0
    sections = _sections(capsys.readouterr().out)
    timings = _rows(sections["Time per operation"])
    write = {row[1] for row in timings if row[0] == "write"}
    assert {
        "chatchunk ChunkWriter.content",
        "chatchunk ChunkWriter.tool_arguments",
        "chatchunk ChunkWriter.finish",
    } <= write
    ratios = {row[0]: row for row in _rows(sections["Ratios and targets"])}
    content = "chatchunk ChunkWriter.content vs "
    if importlib.util.find_spec("openai") is not None:
        vllm = ratios[content + "openai models + model_dump_json (vLLM-style), content"]
        assert vllm[2] == f"≤ 0.06{X}"
        assert vllm[4] in ("met", "**not met**")
        assert "openai models + model_dump_json (vLLM-style), finish" in write
    if importlib.util.find_spec("msgspec") is not None:
        assert ratios[content + "msgspec Struct built + encode, content"][2] == f"≤ 0.6{X}"
        assert "msgspec Struct built + encode, tool arguments" in write
    # The peers write the same JSON as the writer, or a note says which does not.
    assert not any("writes other JSON" in line for line in sections.get("Notes", []))
    _read_side_shown(sections)


def test_stream_alone_reports_decoder_share(bench, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--sizes", "20", "--only", "stream", "--rounds", "1"]) == 0
    sections = _sections(capsys.readouterr().out)
    names = [row[0] for row in _rows(sections["Ratios and targets"])]
    assert "decoder overhead: chatchunk iter_sse / parse_chunk" in names


def test_missing_peers_are_skipped_with_a_note(
    bench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import peers

    def missing() -> None:
        raise peers.PeerError("somepeer unavailable (for the test)")

    for loader in ("load_openai", "load_atoma", "load_msgspec", "load_missing"):
        monkeypatch.setattr(peers, loader, missing)
    monkeypatch.setitem(sys.modules, "orjson", None)  # `import orjson` fails
    argv = [
        *("--quick", "--sizes", "20", "--rounds", "1"),
        *("--only", "parse,dump,stream,accumulate,write"),
    ]
    assert bench.main(argv) == 0
    sections = _sections(capsys.readouterr().out)
    cases = {row[1] for row in _rows(sections["Time per operation"])}
    assert all(case.startswith(("chatchunk", "json.loads")) for case in cases), cases
    targets = {row[0]: row for row in _rows(sections["Ratios and targets"])}
    row = targets["chatchunk parse_chunk vs openai model_validate_json"]
    assert row[4] == "n/a"
    assert "chatchunk ChunkWriter.content" in cases
    row = targets["chatchunk ChunkWriter.content vs msgspec Struct built + encode, content"]
    assert row[4] == "n/a"
    notes = "\n".join(sections["Notes"])
    assert "skipped: somepeer unavailable (for the test)" in notes
    assert "skipped: orjson not installed" in notes


def test_read_side_targets_are_shown_without_their_peer(
    bench, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import peers

    def missing() -> None:
        raise peers.PeerError("openai unavailable (for the test)")

    monkeypatch.setattr(peers, "load_openai", missing)
    assert bench.main(["--quick", "--sizes", "20", "--only", "write", "--rounds", "1"]) == 0
    sections = _sections(capsys.readouterr().out)
    _read_side_shown(sections)
    targets = {row[0]: row for row in _rows(sections["Ratios and targets"])}
    assert all(targets[name][4] == "n/a" for name in READ_SIDE_TARGETS)


def test_unknown_group_is_refused(bench) -> None:
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--only", "nope"])


def test_corpus_is_deterministic_and_realistic(bench) -> None:
    import corpus

    payloads = corpus.make_stream(500, seed=3)
    assert payloads == corpus.make_stream(500, seed=3)
    assert payloads != corpus.make_stream(500, seed=4)
    assert len(payloads) == 500
    first, finish, trailer = (json.loads(p) for p in (payloads[0], payloads[-2], payloads[-1]))
    assert first["choices"][0]["delta"]["role"] == "assistant"
    assert finish["choices"][0]["delta"] == {}
    assert finish["choices"][0]["finish_reason"] in ("stop", "tool_calls")
    assert trailer["choices"] == []
    assert trailer["usage"]["completion_tokens"] > 0

    stats = corpus.stream_stats(payloads)
    assert stats.content_chunks > 300
    assert stats.tool_fragments > 0
    assert stats.logprob_chunks > 0
    assert corpus.stream_stats(corpus.make_stream(500, 3, logprobs=False)).logprob_chunks == 0

    # Every payload is a chunk, and chatchunk writes back the same JSON.
    for payload in payloads:
        chunk = chatchunk.parse_chunk(payload)
        assert json.loads(chatchunk.dump_chunk(chunk)) == json.loads(payload)

    # The body, cut in network-sized pieces, decodes to the same payloads.
    body = corpus.sse_body(payloads)
    pieces = corpus.split_body(body, seed=3)
    assert b"".join(pieces) == body
    assert all(1024 <= len(p) <= 4096 for p in pieces[:-1])
    events = list(chatchunk.iter_sse(iter(pieces)))
    assert [e.data.encode() for e in events] == payloads


def test_ratios_pair_the_cases_round_by_round(bench) -> None:
    # A slow round (the second) falls on both cases: paired, it leaves the ratio alone,
    # where the ratio of the two medians (3 / 2) would not.
    timing, ratio = bench.Timing, bench._ratio
    timings = {
        ("parse", "a", 1): timing("parse", "a", 1, [1.0, 10.0, 3.0], 1),
        ("parse", "b", 1): timing("parse", "b", 1, [2.0, 20.0, 1.0], 1),
    }
    assert ratio(timings, ("parse", "a"), ("parse", "b"), 1) == 0.5
    assert ratio(timings, ("parse", "a"), ("parse", "missing"), 1) is None


@pytest.fixture(scope="module")
def scaling(bench) -> object:
    import scaling

    return scaling


@given(
    k=st.floats(-1, 3),
    c=st.floats(1e-6, 1e3),
    n0=st.floats(1, 1e4),
    ratio=st.floats(2, 1e3),
)
def test_exponent_recovers_the_power_of_a_power_law(
    scaling, k: float, c: float, n0: float, ratio: float
) -> None:
    n1 = n0 * ratio
    assert scaling.exponent(n0, c * n0**k, n1, c * n1**k) == pytest.approx(k, abs=1e-9)


def test_growth_gives_first_to_last_and_last_two(scaling) -> None:
    # Linear, then quadratic between the last two sizes.
    overall, last = scaling.growth([10, 100, 1000], [1.0, 10.0, 1000.0])
    assert last == pytest.approx(2.0)
    assert overall == pytest.approx(1.5)
    for bad in ((0, 1.0, 10, 1.0), (1, 1.0, 10, 0.0), (5, 1.0, 5, 2.0), (-1, 1.0, 10, 1.0)):
        with pytest.raises(ValueError, match="sizes"):
            scaling.exponent(*bad)
    with pytest.raises(ValueError, match="two sizes"):
        scaling.growth([10], [1.0])


def test_scaling_group_runs_only_when_asked(bench, scaling, capsys) -> None:
    assert "scaling" not in bench.parse_args([]).groups
    assert bench.main(["--quick", "--sizes", "20", "--rounds", "1", "--only", "scaling"]) == 0
    sections = _sections(capsys.readouterr().out)
    rows = _rows(sections["Scaling on hostile shapes"])
    expected = [r.key for r in scaling.ROWS if scaling.available(r)]
    assert [row[0] for row in rows] == expected
    assert {"tiny-events", "one-byte-pieces", "cr-only", "content-decoder"} <= set(expected)
    for row in rows:
        assert all(float(s) > 0 for s in row[3].split(" / ") + row[4].split(" / ")), row
        for cell in (row[5], row[6]):  # gc off, gc on: "first→last, last two"
            overall, last = (float(x) for x in cell.split(", "))
            assert math.isfinite(overall), row
            assert math.isfinite(last), row
        assert row[7] in ("met", "**not met**", "baseline"), row
    text = "\n".join(sections["Scaling on hostile shapes"])
    # How the collector's share is taken out is said with the table.
    assert "gc.disable()" in text
    assert "gc.freeze()" in text
