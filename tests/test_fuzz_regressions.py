"""What the fuzzer (``fuzz/run.py``) found, as plain tests; and proof that its oracles can fail.

Every failing input the fuzzer finds becomes a test here: a defect fixed since is a
plain test, one not fixed yet an ``xfail(strict=True)`` with the reason, which fails the
day the defect is fixed so that the marker goes. The second half plants a bug under each
oracle and checks that the oracle reports it: an oracle that cannot fail proves nothing.
"""

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator, List, Tuple, cast

import pytest
from typing_extensions import Literal

from chatchunk import (
    ChunkAccumulator,
    NotAnEventStreamError,
    SSEDecoder,
    SSEError,
    StreamEnd,
    accumulate,
    chunk_to_dict,
    dump_chunk,
    from_openai,
    iter_events,
    parse_chunk,
    to_openai,
)
from whatwg import interpret

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
sys.path.insert(0, str(FUZZ))

import fuzz_accumulate as accumulate_target  # noqa: E402
import fuzz_targets as targets  # noqa: E402
from fuzz_common import Failure, Target  # noqa: E402
from fuzz_corpus import Mutator  # noqa: E402
from fuzz_write import check_openai  # noqa: E402


def _load_runner() -> Any:
    # By path and under a name of its own: "run" is too plain a module name to import.
    spec = importlib.util.spec_from_file_location("fuzz_run", FUZZ / "run.py")
    assert spec is not None
    loader: Any = cast(Any, spec).loader
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


run = _load_runner()

CHUNK = (
    b'{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}'
)
BODY = b"data: " + CHUNK + b"\n\ndata: [DONE]\n\n"


# --- found by the fuzzer -------------------------------------------------------------------


def test_a_body_that_is_no_event_stream_is_reported_whole_however_it_was_read() -> None:
    body = b'"upstream" timed out after 30 s\n'
    errors: List[NotAnEventStreamError] = []
    for pieces in ([body], [body[:10], body[10:]]):
        with pytest.raises(NotAnEventStreamError) as caught:
            list(iter_events(pieces))
        errors.append(caught.value)
    assert errors[1].body == errors[0].body == body
    assert errors[1].message == errors[0].message


def test_the_reconnection_time_of_a_block_without_data_is_kept() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 3000\n\ndata: a\n\n")
    assert [e.data for e in events] == ["a"]
    assert decoder.retry == 3000


def test_an_unknown_field_cut_in_its_name_never_counts_against_the_bound() -> None:
    # Found against a draft of the bounded decoder, where a line of fewer than 6 bytes
    # without a colon ("Dat") was taken for a field that may still come, though no field
    # name begins with "D": cut there, an unknown field counted against max_event_size.
    stream = b"\rData: x\r\rM\r"  # as the fuzzer found it, with max_event_size=1
    outcomes: List[object] = []
    for pieces in ([stream], [stream[i : i + 1] for i in range(len(stream))]):
        decoder = SSEDecoder(max_event_size=1)
        try:
            events = [event for piece in pieces for event in decoder.feed(piece)]
            decoder.flush()
        except SSEError as exc:
            outcomes.append(str(exc))
        else:
            outcomes.append(events)
    assert outcomes == [[], []]


def test_an_error_event_with_invalid_utf8_is_still_an_error() -> None:
    body = b'event: error\ndata: {"error":{"message":"upstream \xff failed"}}\n\ndata: [DONE]\n\n'
    stream = iter_events([body], on_invalid="yield")
    items = list(stream)
    assert [type(item).__name__ for item in items] == ["StreamErrorEvent"]
    assert stream.end is StreamEnd.ERROR
    assert not stream.complete


# Before pydantic 2.14 the SDK's serializer raised TypeError here (a mock serializer of a
# tool-call class it never built); from_openai now walks the objects instead.
def test_a_completion_with_an_unknown_tool_call_type_goes_to_the_sdk_and_back() -> None:
    pytest.importorskip("openai")
    chunk = parse_chunk(
        CHUNK.replace(
            b'"delta":{"content":"Hi"},"finish_reason":null',
            b'"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"tool",'
            b'"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"',
        )
    )
    completion = accumulate([chunk])
    assert from_openai(to_openai(completion)) == completion


def test_an_int_logprob_is_written_as_a_float_by_the_sdk_only() -> None:
    # The fuzzer's first openai failure, which is the SDK's documented conversion and
    # now part of the oracle: chatchunk keeps the int, the SDK's JSON writer makes it 0.0.
    pytest.importorskip("openai")
    payload = CHUNK.replace(
        b'"finish_reason":null}',
        b'"finish_reason":null,"logprobs":{"content":[{"token":"Hi","logprob":0,'
        b'"bytes":[72,105],"top_logprobs":[]}]}}',
    )
    check_openai(payload)
    assert '"logprob":0,' in dump_chunk(parse_chunk(payload))


def test_an_int_logprob_in_an_extra_stays_an_int_in_the_sdk_json() -> None:
    # The fuzzer's second openai failure, also the oracle's: the SDK keeps extras as sent,
    # so only its declared `logprob` fields are written as floats.
    pytest.importorskip("openai")
    payload = CHUNK.replace(
        b'"finish_reason":null}',
        b'"finish_reason":null,"logprobs":{"content":[{"token":"Hi","logprob":0,"bytes":[72],'
        b'"1e999top_logprobs":[{"token":"Hi","logprob":0,"bytes":[72]}]}]}}',
    )
    check_openai(payload)
    sdk_json = json.loads(to_openai(parse_chunk(payload)).to_json())
    token = sdk_json["choices"][0]["logprobs"]["content"][0]
    assert type(token["logprob"]) is float
    assert type(token["1e999top_logprobs"][0]["logprob"]) is int


# --- the oracles can fail --------------------------------------------------------------


def test_the_sse_oracle_reports_a_reference_that_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    targets.check_sse((BODY, [BODY], 1 << 20))

    def disagreeing(data: bytes) -> Any:
        return interpret(data + b"data: x\n\n")

    monkeypatch.setattr(targets, "interpret", disagreeing)
    with pytest.raises(Failure, match="WHATWG reference differs"):
        targets.check_sse((BODY, [BODY], 1 << 20))


def test_the_sse_oracle_reports_events_that_depend_on_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pieces = [BODY[:20], BODY[20:]]
    targets.check_sse((BODY, pieces, 1 << 20))

    calls: List[int] = []

    def decode(pieces: List[bytes], limit: int) -> Any:
        # Loses the last event of a stream fed in pieces: a split-dependent decoder.
        calls.append(len(pieces))
        events, error, decoder = original(pieces, limit)
        return (events if len(pieces) == 1 else events[:-1]), error, decoder

    original = targets.decode_sse
    monkeypatch.setattr(targets, "decode_sse", decode)
    with pytest.raises(Failure, match="a cut stream gives other events"):
        targets.check_sse((BODY, pieces, 1 << 20))
    assert calls == [1, 2]


def test_the_round_trip_oracle_reports_a_lost_key(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = CHUNK.replace(b'"model":"m"', b'"model":"m","x_groq":{"id":"r"}')
    targets.check_parse(payload)

    def lossy(chunk: Any) -> str:
        return dump_chunk(chunk).replace(',"x_groq":{"id":"r"}', "")

    monkeypatch.setattr(targets, "dump_chunk", lossy)
    with pytest.raises(Failure):
        targets.check_parse(payload)


def test_the_round_trip_oracle_compares_types_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = CHUNK.replace(b'"created":1', b'"created":1,"cost":1.0')
    targets.check_parse(payload)

    def ints(chunk: Any) -> Any:
        plain = chunk_to_dict(chunk)
        plain["cost"] = int(plain["cost"])
        return plain

    monkeypatch.setattr(targets, "chunk_to_dict", ints)
    with pytest.raises(Failure, match=r"int 1 != float 1\.0"):
        targets.check_parse(payload)


def test_the_round_trip_claim_is_made_only_for_canonical_json() -> None:
    assert targets.comparable_json('{"a":1e-07,"b":[1,-0.0,1.5]}') == {
        "a": 1e-07,
        "b": [1, -0.0, 1.5],
    }
    assert targets.comparable_json('{"a":1E-7}') is None
    assert targets.comparable_json('{"a":1,"a":2}') is None
    assert targets.comparable_json('{"a":-0}') is None
    assert targets.comparable_json('{"a":NaN}') is None


def test_the_stream_oracle_reports_items_that_depend_on_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pieces = [BODY[:30], BODY[30:]]
    targets.check_stream(([BODY], pieces, True))

    def flaky(source: List[bytes], *, on_invalid: Literal["yield"]) -> Iterator[Any]:
        # Loses the end of the body when it comes in pieces.
        return iter_events(source if len(source) == 1 else [BODY[:30]], on_invalid=on_invalid)

    monkeypatch.setattr(targets, "iter_events", flaky)
    with pytest.raises(Failure, match="two cuts of one body"):
        targets.check_stream(([BODY], pieces, False))


def test_the_accumulator_oracle_checks_the_joined_text(monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [parse_chunk(CHUNK), parse_chunk(CHUNK.replace(b'"Hi"', b'" there"'))]
    accumulate_target.check_items(chunks)

    class Lossy(ChunkAccumulator):
        def add(self, item: Any) -> None:
            if self.chunk_count == 0:
                super().add(item)

    monkeypatch.setattr(accumulate_target, "ChunkAccumulator", Lossy)
    with pytest.raises(Failure, match="content 'Hi' vs 'Hi there'"):
        accumulate_target.check_items(chunks)


# --- the runner ------------------------------------------------------------------------


def _only(monkeypatch: pytest.MonkeyPatch, target: Target) -> None:
    monkeypatch.setattr(run, "TARGETS", [target])

    def no_optional_targets() -> Tuple[List[Target], List[str]]:
        return [], []

    monkeypatch.setattr(run, "optional_targets", no_optional_targets)


def test_the_runner_fails_on_an_exception_that_is_no_value_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def check(case: bytes) -> None:
        if case.startswith(b"\x01"):
            raise TypeError("planted")

    def draw(m: Mutator) -> bytes:
        return bytes([m.rng.randrange(4)])

    _only(monkeypatch, Target("planted", 1.0, draw, check))
    assert run.main(["--seconds", "0.2", "--min-inputs", "1", "--seed", "s"]) == 1
    out = capsys.readouterr()
    assert "FAILURE in planted (seed s)" in out.err
    assert "TypeError: planted" in out.err
    assert "input: b'\\x01'" in out.err
    written = out.err.split("written to: ")[1].split("\n")[0]
    assert Path(written).read_text() == "b'\\x01'\n"
    counted = re.search(r"planted +(\d+) inputs +(\d+) failed", out.out)
    assert counted is not None
    inputs, failed = int(counted.group(1)), int(counted.group(2))
    assert 1 < failed < inputs  # each failing input counted, the passing ones not


def test_the_runner_fails_below_the_floor_on_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing(arg: Any) -> None:
        return None

    _only(monkeypatch, Target("idle", 1.0, nothing, nothing))
    assert run.main(["--seconds", "0.1", "--min-inputs", "10000000000"]) == 2


def test_a_short_run_of_every_target_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--seconds", "3", "--min-inputs", "100", "--seed", "ci"]) == 0
    out = capsys.readouterr().out
    for target in targets.TARGETS:
        assert f"  {target.name} " in out
    assert "ok: every oracle held" in out
