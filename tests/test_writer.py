"""`ChunkWriter`: every frame is ``data: `` + `dump_chunk` of its chunk + a blank line.

The property tests draw a writer (any envelope, profile, number of choices) and a
random sequence of steps with random arguments, build the chunk each step stands
for from the documented shape, independently of the writer, and check three
things per frame: the bytes are those of `dump_chunk` of that chunk, the frame
parses back into it, and its JSON is the documented shape. The writer escapes
strings with ``json.encoder.encode_basestring``; the first tests prove, over every
code point and random text, that it escapes as pydantic-core's serializer does.
"""

import json
import sys
from json.encoder import encode_basestring
from typing import Any, Callable, Dict, List, Optional, Tuple

import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chatchunk import (
    UNSET,
    ChatCompletionChunkTokenLogprob,
    ChunkWriter,
    StreamErrorEvent,
    accumulate,
    dump_chunk,
    iter_events,
    iter_sse,
    parse_chunk,
)
from chatchunk._sse_encode import DONE_FRAME
from strategies import MARKER_STRINGS, assert_json_identical, json_ints, json_objects
from streams import OPENAI_TEXT_USAGE

# -- the escaper is pydantic-core's -------------------------------------------------------


def test_escaping_matches_pydantic_core_on_every_code_point() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            # pydantic-core refuses a lone surrogate; the writer's encode() does too.
            with pytest.raises(pydantic_core.PydanticSerializationError):
                pydantic_core.to_json(char)
            with pytest.raises(UnicodeEncodeError):
                encode_basestring(char).encode()
        else:
            assert encode_basestring(char).encode() == pydantic_core.to_json(char), hex(code)


_any_char = st.characters(min_codepoint=0, max_codepoint=sys.maxunicode, codec=None)
_CONTROLS = "".join(map(chr, range(0x20))) + "\x7f\u2028\u2029"


@given(st.text(_any_char, max_size=40))
def test_escaping_matches_pydantic_core_on_any_text(text: str) -> None:
    try:
        expected: Optional[bytes] = pydantic_core.to_json(text)
    except pydantic_core.PydanticSerializationError:
        expected = None
    try:
        written: Optional[bytes] = encode_basestring(text).encode()
    except UnicodeEncodeError:
        written = None
    assert written == expected


# -- strategies ------------------------------------------------------------------------------

texts = st.one_of(
    st.sampled_from((*MARKER_STRINGS, _CONTROLS, "😀\U0001f44b\U00010000", "a\"b\\c'd")),
    st.text(st.characters(codec="utf-8"), max_size=20),
)
"""Any text JSON can carry: quotes, backslashes, control characters, U+2028, non-BMP."""

_nullable_texts = st.one_of(st.just(UNSET), st.none(), texts)
_counts = st.integers(min_value=0, max_value=2**70)


class Spec:
    """The writer's envelope, drawn, and the chunk JSON that each step stands for."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.id = draw(texts)
        self.model = draw(texts)
        self.created = draw(json_ints)
        self.system_fingerprint = draw(_nullable_texts)
        self.service_tier = draw(st.one_of(st.sampled_from(("default", "flex")), _nullable_texts))
        self.choices = draw(st.integers(min_value=1, max_value=3))
        self.include_usage = draw(st.booleans())
        self.profile = draw(st.sampled_from(("openai", "minimal")))
        self.reasoning_field = draw(st.sampled_from(("reasoning_content", "reasoning")))
        self.openai = self.profile == "openai"

    def writer(self) -> ChunkWriter:
        return ChunkWriter(
            self.id,
            self.model,
            self.created,
            system_fingerprint=self.system_fingerprint,
            service_tier=self.service_tier,
            choices=self.choices,
            include_usage=self.include_usage,
            profile=self.profile,  # type: ignore[arg-type]
            reasoning_field=self.reasoning_field,  # type: ignore[arg-type]
        )

    def chunk(self, choices: List[Dict[str, Any]], usage: Any = UNSET) -> Dict[str, Any]:
        chunk: Dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
        for key in ("system_fingerprint", "service_tier"):
            if getattr(self, key) is not UNSET:
                chunk[key] = getattr(self, key)
        if usage is not UNSET:
            chunk["usage"] = usage
        elif self.openai and self.include_usage:
            chunk["usage"] = None
        return chunk

    def choice(self, index: int, delta: Dict[str, Any], logprobs: Any = None) -> Dict[str, Any]:
        choice: Dict[str, Any] = {"index": index, "delta": delta}
        if logprobs is not None:
            choice["logprobs"] = logprobs
        if self.openai:
            choice.setdefault("logprobs", None)
            choice["finish_reason"] = None
        return choice


Step = Tuple[Callable[[ChunkWriter], bytes], Optional[Dict[str, Any]], str]
"""How to call the writer, the chunk JSON it stands for (None: not a chunk), a label."""

_logprob_lists = st.lists(json_objects(ChatCompletionChunkTokenLogprob), max_size=2)


@st.composite
def steps(draw: st.DrawFn, spec: Spec) -> Step:
    kind = draw(
        st.sampled_from(
            (
                "role",
                "content",
                "content_logprobs",
                "reasoning",
                "refusal",
                "refusal_logprobs",
                "tool_call",
                "tool_arguments",
                "finish",
                "usage",
                "error",
                "done",
            )
        )
    )
    index = draw(st.integers(min_value=0, max_value=spec.choices - 1))
    text = draw(texts)
    call = draw(st.integers(min_value=0, max_value=2**40))
    choice, chunk = spec.choice, spec.chunk
    nulls = spec.openai
    if kind == "role":
        role = draw(st.sampled_from(("assistant", "tool", "x")) | texts)
        delta = {"role": role, "content": "", **({"refusal": None} if nulls else {})}
        return (lambda w: w.role(index, role), chunk([choice(index, delta)]), kind)
    if kind in ("content", "reasoning", "refusal"):
        key = spec.reasoning_field if kind == "reasoning" else kind
        method = kind
        return (
            lambda w: getattr(w, method)(text, index),
            chunk([choice(index, {key: text})]),
            kind,
        )
    if kind in ("content_logprobs", "refusal_logprobs"):
        key = kind.split("_")[0]
        entries = draw(_logprob_lists)
        other = "refusal" if key == "content" else "content"
        logprobs = {key: entries, **({other: None} if nulls else {})}
        return (
            lambda w: getattr(w, key)(text, index, logprobs=entries),
            chunk([choice(index, {key: text}, logprobs)]),
            kind,
        )
    if kind == "tool_call":
        call_id, name = draw(texts), draw(texts)
        arguments = draw(st.one_of(st.just(""), texts))
        delta = {
            "tool_calls": [
                {
                    "index": call,
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            ]
        }
        return (
            lambda w: w.tool_call(call, call_id, name, arguments, index),
            chunk([choice(index, delta)]),
            kind,
        )
    if kind == "tool_arguments":
        delta = {"tool_calls": [{"index": call, "function": {"arguments": text}}]}
        return (lambda w: w.tool_arguments(call, text, index), chunk([choice(index, delta)]), kind)
    if kind == "finish":
        reason = draw(st.sampled_from(("stop", "length", "tool_calls")) | texts)
        stop = draw(st.one_of(st.just(UNSET), st.none(), json_ints, texts))
        finished: Dict[str, Any] = {"index": index, "delta": {}}
        if nulls:
            finished["logprobs"] = None
        finished["finish_reason"] = reason
        if stop is not UNSET:
            finished["stop_reason"] = stop
        return (lambda w: w.finish(reason, index, stop_reason=stop), chunk([finished]), kind)
    if kind == "usage":
        prompt, completion = draw(_counts), draw(_counts)
        total = draw(st.one_of(st.none(), _counts))
        details = draw(st.one_of(st.none(), st.just({"cached_tokens": 0, "audio_tokens": 3})))
        usage: Dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion if total is None else total,
        }
        if details is not None:
            usage["prompt_tokens_details"] = details
        extra = draw(st.one_of(st.just({}), st.just({"cost": 0.0012})))
        usage.update(extra)
        return (
            lambda w: w.usage(prompt, completion, total, prompt_tokens_details=details, **extra),
            chunk([], usage),
            kind,
        )
    if kind == "error":
        return (lambda w: w.error(text), None, kind)
    return (lambda w: w.done(), None, kind)


@st.composite
def streams(draw: st.DrawFn) -> Tuple[Spec, List[Step]]:
    spec = Spec(draw)
    return spec, draw(st.lists(steps(spec), min_size=1, max_size=8))


# -- the contract ------------------------------------------------------------------------


@settings(max_examples=300)
@given(streams())
def test_every_frame_is_dump_chunk_of_its_chunk(drawn: Tuple[Spec, List[Step]]) -> None:
    spec, sequence = drawn
    writer = spec.writer()
    for call, expected, label in sequence:
        frame = call(writer)
        assert type(frame) is bytes
        assert frame.startswith(b"data: "), label
        assert frame.endswith(b"\n\n"), label
        payload = frame[len(b"data: ") : -2]
        assert b"\n" not in payload, label
        assert b"\r" not in payload, label
        if expected is None:
            continue
        model = parse_chunk(json.dumps(expected))
        assert frame == b"data: " + dump_chunk(model).encode() + b"\n\n", label
        assert parse_chunk(payload) == model, label
        assert_json_identical(json.loads(payload), expected)


@given(streams())
def test_a_whole_stream_reads_back(drawn: Tuple[Spec, List[Step]]) -> None:
    spec, sequence = drawn
    writer = spec.writer()
    body = b"".join(call(writer) for call, _, _ in sequence) + writer.done()
    expected = [
        (label, frame_json) for _, frame_json, label in sequence if label != "done"
    ]  # the reader stops at the first [DONE]
    first_done = next((i for i, (_, _, label) in enumerate(sequence) if label == "done"), None)
    if first_done is not None:
        expected = [(label, j) for _, j, label in sequence[:first_done]]
    items = list(iter_events(iter([body])))
    assert len(items) == len(expected)
    for item, (label, frame_json) in zip(items, expected):
        if label == "error":
            assert isinstance(item, StreamErrorEvent)
        else:
            assert not isinstance(item, StreamErrorEvent)
            assert item == parse_chunk(json.dumps(frame_json))


# -- the shape written -----------------------------------------------------------------------


def _openai_events() -> List[Dict[str, Any]]:
    events = [json.loads(e.data) for e in iter_sse(iter([OPENAI_TEXT_USAGE])) if e.data[0] == "{"]
    for event in events:
        del event["obfuscation"]  # random padding, which the writer does not send
    return events


def test_openai_profile_writes_what_openai_sends() -> None:
    recorded = _openai_events()
    first = recorded[0]
    writer = ChunkWriter(
        first["id"],
        first["model"],
        first["created"],
        system_fingerprint=first["system_fingerprint"],
        service_tier=first["service_tier"],
        include_usage=True,
    )
    frames = [writer.role()]
    for event in recorded[1:-2]:
        frames.append(writer.content(event["choices"][0]["delta"]["content"]))
    frames.append(writer.finish("stop"))
    usage = recorded[-1]["usage"]
    frames.append(
        writer.usage(
            usage["prompt_tokens"],
            usage["completion_tokens"],
            prompt_tokens_details=usage["prompt_tokens_details"],
            completion_tokens_details=usage["completion_tokens_details"],
        )
    )
    assert len(frames) == len(recorded)
    for frame, event in zip(frames, recorded):
        assert_json_identical(json.loads(frame[6:-2]), event)


def test_minimal_profile_leaves_the_nulls_out() -> None:
    writer = ChunkWriter("c", "m", 1, profile="minimal", include_usage=True)
    assert writer.content("Hi") == (
        b'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}],'
        b'"created":1,"model":"m","object":"chat.completion.chunk"}\n\n'
    )
    assert b"null" not in writer.role() + writer.finish("stop") + writer.error("x")


def test_the_default_frames_exactly() -> None:
    writer = ChunkWriter("c", "m", 1, system_fingerprint="fp", service_tier="default")
    tail = (
        b'],"created":1,"model":"m","object":"chat.completion.chunk",'
        b'"system_fingerprint":"fp","service_tier":"default"}\n\n'
    )
    assert writer.content("Hi") == (
        b'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},'
        b'"logprobs":null,"finish_reason":null}' + tail
    )
    assert writer.finish("stop", stop_reason=7) == (
        b'data: {"id":"c","choices":[{"index":0,"delta":{},"logprobs":null,'
        b'"finish_reason":"stop","stop_reason":7}' + tail
    )
    assert writer.error("Too many requests", "rate_limit_error", code=429) == (
        b'data: {"error":{"message":"Too many requests","type":"rate_limit_error",'
        b'"param":null,"code":429}}\n\n'
    )
    assert writer.done() == DONE_FRAME == b"data: [DONE]\n\n"


def test_logprob_models_are_written_like_dicts() -> None:
    writer = ChunkWriter("c", "m", 1)
    entry = {"token": "a", "logprob": 0, "bytes": [97], "top_logprobs": [], "x_id": 5}
    as_model = ChatCompletionChunkTokenLogprob.model_validate(entry)
    assert writer.content("a", logprobs=[as_model]) == writer.content("a", logprobs=[entry])
    assert b'"logprob":0,' in writer.content("a", logprobs=[entry])


def test_an_accumulated_stream() -> None:
    writer = ChunkWriter("c", "m", 1, choices=2, reasoning_field="reasoning")
    body = b"".join(
        [
            writer.role(0),
            writer.role(1),
            writer.reasoning("hmm", 0),
            writer.content("Hel", 0),
            writer.content("lo", 0),
            writer.tool_call(0, "call_1", "get", '{"a"', index=1),
            writer.tool_arguments(0, ":1}", index=1),
            writer.finish("stop", 0),
            writer.finish("tool_calls", 1),
            writer.usage(5, 6),
            writer.done(),
        ]
    )
    completion = accumulate(iter_events(iter([body])))
    first, second = completion.choices
    assert (first.message.content, first.message.reasoning_content, first.finish_reason) == (
        "Hello",
        "hmm",
        "stop",
    )
    call = second.message.tool_calls[0]  # type: ignore[index]
    assert (call.id, call.function.name, call.function.arguments) == ("call_1", "get", '{"a":1}')
    assert completion.usage is not None
    assert completion.usage.total_tokens == 11


def test_the_openai_client_reads_the_frames() -> None:
    openai = pytest.importorskip("openai")
    streaming = pytest.importorskip("openai._streaming")
    from openai.types.chat import ChatCompletionChunk as OpenAIChunk

    http = getattr(streaming, "httpx2", None) or streaming.httpx  # type: ignore[attr-defined]
    writer = ChunkWriter("c", "m", 1, include_usage=True)
    ok = [writer.role(), writer.content("Hi"), writer.finish("stop"), writer.usage(1, 2)]
    client = openai.OpenAI(api_key="x", base_url="http://localhost/")

    def stream(frames: List[bytes]) -> Any:
        response = http.Response(
            200,
            content=iter(frames),
            headers={"content-type": "text/event-stream"},
            request=http.Request("POST", "http://localhost/chat/completions"),
        )
        return openai.Stream(cast_to=OpenAIChunk, response=response, client=client)

    chunks = list(stream([*ok, writer.done()]))
    assert [c.choices[0].delta.content for c in chunks[:2]] == ["", "Hi"]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 3
    with pytest.raises(openai.APIError, match="overloaded"):
        list(stream([writer.content("Hi"), writer.error("overloaded")]))


# -- wrong arguments -------------------------------------------------------------------------


def _writer(**kwargs: Any) -> ChunkWriter:
    return ChunkWriter("c", "m", 1, **kwargs)


@pytest.mark.parametrize(
    ("step", "error", "name"),
    [
        (lambda w: w.content("x", -1), ValueError, "index"),
        (lambda w: w.content("x", 2), ValueError, "index"),
        (lambda w: w.content("x", True), TypeError, "index"),
        (lambda w: w.content("x", 0.0), TypeError, "index"),
        (lambda w: w.content(b"x"), TypeError, "text"),
        (lambda w: w.content(None), TypeError, "text"),
        (lambda w: w.content("a\ud800"), ValueError, "text"),
        (lambda w: w.content("a\udfff", logprobs=[]), ValueError, "text"),
        (lambda w: w.content("a", logprobs="a"), TypeError, "logprobs"),
        (lambda w: w.content("a", logprobs=[{"token": 1}]), ValidationError, "token"),
        (lambda w: w.content("a", logprobs=[{"token": "\ud800"}]), ValueError, "logprobs"),
        (lambda w: w.reasoning(1), TypeError, "text"),
        (lambda w: w.reasoning("x", -2), ValueError, "index"),
        (lambda w: w.refusal("\udc00"), ValueError, "text"),
        (lambda w: w.role(0, 1), TypeError, "role"),
        (lambda w: w.role(0, "\ud800"), ValueError, "role"),
        (lambda w: w.role(-1), ValueError, "index"),
        (lambda w: w.tool_call(-1, "i", "n"), ValueError, "call"),
        (lambda w: w.tool_call(False, "i", "n"), TypeError, "call"),
        (lambda w: w.tool_call(0, 1, "n"), TypeError, "id"),
        (lambda w: w.tool_call(0, "i", "\ud800"), ValueError, "name"),
        (lambda w: w.tool_call(0, "i", "n", None), TypeError, "arguments"),
        (lambda w: w.tool_arguments(-1, "x"), ValueError, "call"),
        (lambda w: w.tool_arguments("0", "x"), TypeError, "call"),
        (lambda w: w.tool_arguments(0, 5), TypeError, "fragment"),
        (lambda w: w.tool_arguments(0, "\ud800"), ValueError, "fragment"),
        (lambda w: w.tool_arguments(0, "x", 1), ValueError, "index"),
        (lambda w: w.finish(None), TypeError, "reason"),
        (lambda w: w.finish("stop", 5), ValueError, "index"),
        (lambda w: w.finish("stop", stop_reason=1.5), TypeError, "stop_reason"),
        (lambda w: w.finish("stop", stop_reason="\ud800"), ValueError, "stop_reason"),
        (lambda w: w.usage(-1, 0), ValueError, "prompt_tokens"),
        (lambda w: w.usage(1, "2"), TypeError, "completion_tokens"),
        (lambda w: w.usage(1, 2, True), TypeError, "total_tokens"),
        (lambda w: w.usage(1, 2, cost="\ud800"), ValueError, "usage"),
        (lambda w: w.error(None), TypeError, "message"),
        (lambda w: w.error("x", code=1.5), TypeError, "code"),
        (lambda w: w.error("x", param="\ud800"), ValueError, "param"),
    ],
)
def test_wrong_arguments_are_named(step: Any, error: type, name: str) -> None:
    writer = _writer()
    with pytest.raises(error, match=name):
        step(writer)


TEXT_ARGUMENTS: Dict[str, Tuple[Callable[[ChunkWriter, Any], bytes], str]] = {
    "content": (lambda w, x: w.content(x), "text"),
    "content, choice 1": (lambda w, x: w.content(x, 1), "text"),
    "content with logprobs": (lambda w, x: w.content(x, logprobs=[]), "text"),
    "reasoning": (lambda w, x: w.reasoning(x), "text"),
    "refusal": (lambda w, x: w.refusal(x, 1), "text"),
    "role": (lambda w, x: w.role(0, x), "role"),
    "tool_call id": (lambda w, x: w.tool_call(0, x, "f"), "id"),
    "tool_call name": (lambda w, x: w.tool_call(3, "i", x), "name"),
    "tool_call arguments": (lambda w, x: w.tool_call(0, "i", "f", x, 1), "arguments"),
    "tool_arguments": (lambda w, x: w.tool_arguments(2, x, 1), "fragment"),
    "finish": (lambda w, x: w.finish(x), "reason"),
    "finish stop_reason": (lambda w, x: w.finish("stop", stop_reason=x), "stop_reason"),
    "error message": (lambda w, x: w.error(x), "message"),
    "error type": (lambda w, x: w.error("m", x), "type"),
    "error param": (lambda w, x: w.error("m", param=x), "param"),
}
"""Each text argument of each step, with the name its errors give."""


@st.composite
def with_lone_surrogate(draw: st.DrawFn) -> str:
    text = draw(texts)
    at = draw(st.integers(min_value=0, max_value=len(text)))
    return text[:at] + chr(draw(st.integers(min_value=0xD800, max_value=0xDFFF))) + text[at:]


_not_text = st.one_of(
    st.none(), st.integers(), st.floats(), st.binary(), st.lists(texts, max_size=2)
)


@given(
    st.sampled_from(sorted(TEXT_ARGUMENTS)),
    with_lone_surrogate(),
    st.sampled_from(("openai", "minimal")),
)
def test_a_lone_surrogate_is_refused_by_name(step: str, text: str, profile: Any) -> None:
    writer = _writer(choices=2, profile=profile)
    call, name = TEXT_ARGUMENTS[step]
    with pytest.raises(ValueError, match=f"^{name} holds a lone surrogate"):
        call(writer, text)
    # Nothing half-written stays behind: the next frame is whole.
    assert parse_chunk(writer.content("ok")[6:-2]).choices[0].delta.content == "ok"


@given(st.sampled_from(sorted(TEXT_ARGUMENTS)), _not_text)
def test_a_value_that_is_not_text_is_refused_by_name(step: str, value: Any) -> None:
    call, name = TEXT_ARGUMENTS[step]
    if name == "stop_reason" and (value is None or type(value) is int):
        return  # a stop token id, or null: both are valid
    if name in ("type", "param") and value is None:
        return  # null
    with pytest.raises(TypeError, match=f"^{name} must be "):
        call(_writer(choices=2), value)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"id": 1}, ValidationError, "id"),
        ({"model": None}, ValidationError, "model"),
        ({"created": True}, ValidationError, "created"),
        ({"id": "\ud800"}, ValueError, "id"),
        ({"system_fingerprint": "\udfff"}, ValueError, "system_fingerprint"),
        ({"service_tier": 1}, ValidationError, "service_tier"),
        ({"choices": 0}, ValueError, "choices"),
        ({"choices": -1}, ValueError, "choices"),
        ({"choices": 1.0}, TypeError, "choices"),
        ({"include_usage": 1}, TypeError, "include_usage"),
        ({"profile": "full"}, ValueError, "profile"),
        ({"reasoning_field": "thinking"}, ValueError, "reasoning_field"),
    ],
)
def test_wrong_envelopes_are_named(kwargs: Dict[str, Any], error: type, name: str) -> None:
    args: Dict[str, Any] = {"id": "c", "model": "m", "created": 1, **kwargs}
    with pytest.raises(error, match=name):
        ChunkWriter(**args)


@pytest.mark.parametrize("call", [True, 1.0])
def test_a_call_number_that_is_not_an_int_is_refused_once_the_call_is_known(call: Any) -> None:
    writer = _writer()
    first = writer.tool_arguments(1, "{")
    with pytest.raises(TypeError, match=r"^call must be an int"):
        writer.tool_arguments(call, "{")
    assert writer.tool_arguments(1, "{") == first


def test_the_index_is_checked_against_choices() -> None:
    writer = _writer(choices=3)
    assert b'"index":2,' in writer.content("x", 2)
    with pytest.raises(ValueError, match="index must be below choices=3, not 3"):
        writer.content("x", 3)
