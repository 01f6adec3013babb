"""The bridges to the openai SDK: `from_openai`, `to_openai`, and SDK chunks in the accumulator.

The SDK objects come from the SDK itself: `ChatCompletionChunk.construct` (what its
stream reader builds from each event, without validation), `model_validate_json`, and
its real ``stream=True`` iterator over an HTTP response.

One difference is the SDK's, not the bridge's, and the tests name it: the SDK types
``logprob`` as ``float``, reads a JSON ``0`` there as ``0.0``, and its JSON writer
writes an int held there as a float (`sdk_floats`).
"""

import asyncio
import json
import subprocess
import sys
from typing import Any, Dict, Iterator, List

import openai
import openai._base_client as openai_base_client
import pytest
from hypothesis import HealthCheck, assume, given, settings
from openai.types.chat import ChatCompletion as OpenAICompletion
from openai.types.chat import ChatCompletionChunk as OpenAIChunk
from openai.types.chat.chat_completion_chunk import ChoiceDelta, ChoiceDeltaToolCall
from openai.types.chat.chat_completion_message_tool_call import (
    ChatCompletionMessageFunctionToolCall,
)
from pydantic import ValidationError

from chatchunk import (
    ChatCompletion,
    ChatCompletionChunk,
    ChunkAccumulator,
    InvalidPayload,
    StreamErrorEvent,
    aaccumulate,
    accumulate,
    chunk_to_dict,
    dump,
    dump_chunk,
    iter_chunks,
    iter_events,
    parse,
    parse_chunk,
    to_dict,
)
from chatchunk._openai import from_openai, to_openai
from providers import assert_json_identical, provider_cases
from strategies import json_chunk_texts
from streams import STREAMS

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# openai 1.x and 2.x read httpx responses, 3.x those of its fork httpx2.
http: Any = getattr(openai_base_client, "httpx2", None) or openai_base_client.httpx


def openai_client(body: bytes) -> openai.OpenAI:
    """An SDK client whose every request is answered with the event stream ``body``."""

    def answer(request: Any) -> Any:
        return http.Response(200, content=body, headers={"content-type": "text/event-stream"})

    return openai.OpenAI(
        api_key="x",
        base_url="http://localhost/v1",
        http_client=http.Client(transport=http.MockTransport(answer)),
    )


def sdk_stream(body: bytes) -> Iterator[OpenAIChunk]:
    """What the SDK's ``stream=True`` iterator yields for ``body``."""
    client = openai_client(body)
    return iter(
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )


def sdk_floats(value: Any) -> Any:
    """A chunk or completion as the SDK writes it: ints in its ``float`` fields as floats."""

    def logprob_entry(entry: Any) -> Any:
        if not isinstance(entry, dict):
            return entry
        out = dict(entry)
        logprob = out.get("logprob")
        # The SDK's reader makes an int a float only where the float is exact (not past 2**53).
        if type(logprob) is int and float(logprob) == logprob:
            out["logprob"] = float(logprob)
        if isinstance(out.get("top_logprobs"), list):
            out["top_logprobs"] = [logprob_entry(top) for top in out["top_logprobs"]]
        return out

    out = json.loads(json.dumps(value))
    for choice in out.get("choices") or []:
        logprobs = choice.get("logprobs") if isinstance(choice, dict) else None
        if isinstance(logprobs, dict):
            for key in ("content", "refusal"):
                if isinstance(logprobs.get(key), list):
                    logprobs[key] = [logprob_entry(entry) for entry in logprobs[key]]
    return out


def sdk_valid(value: Dict[str, Any]) -> Dict[str, Any]:
    """A generated chunk changed where the SDK's types are narrower than chatchunk's.

    The SDK rejects what servers do send (a tool call without ``index``, an unknown
    ``finish_reason``, a usage without counts); `model_validate_json` needs the
    chunk it accepts.
    """
    chunk = json.loads(json.dumps(value))
    chunk["object"] = "chat.completion.chunk"
    if chunk.get("service_tier") not in (None, "auto", "default", "flex", "scale", "priority"):
        chunk["service_tier"] = None
    if chunk.get("usage") is not None:
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            if chunk["usage"].get(key) is None:
                chunk["usage"][key] = 0
    for choice in chunk["choices"]:
        delta = choice.setdefault("delta", {})
        if delta.get("role") not in (None, "developer", "system", "user", "assistant", "tool"):
            delta["role"] = None
        for i, call in enumerate(delta.get("tool_calls") or []):
            if call.get("index") is None:
                call["index"] = i
            if call.get("type") is not None:
                call["type"] = "function"
        if choice.get("finish_reason") not in (
            None,
            *("stop", "length", "tool_calls", "content_filter", "function_call"),
        ):
            choice["finish_reason"] = None
        logprobs = choice.get("logprobs") or {}
        for entries in (logprobs.get("content"), logprobs.get("refusal")):
            for entry in entries or []:
                entry["logprob"] = entry.get("logprob") or 0.0
                entry["top_logprobs"] = entry.get("top_logprobs") or []
                for top in entry["top_logprobs"]:
                    top["logprob"] = top.get("logprob") or 0.0
    return chunk


def sdk_json(model: Any) -> Any:
    return json.loads(model.to_json())


def assert_same_sdk_objects(left: Any, right: Any) -> None:
    """The same SDK object: equal values, the same fields set and extras, at every level."""
    # pydantic compares the values (0 == 0.0), fields set, extras and private state.
    assert left == right
    assert_json_identical(sdk_json(left), sdk_json(right))


def exact_logprobs(value: Any) -> bool:
    """No int ``logprob`` past 2**53, which the SDK's ``float`` field cannot hold exactly."""
    if isinstance(value, dict):
        logprob = value.get("logprob")
        if type(logprob) is int and abs(logprob) > 2**53:
            return False
        return all(exact_logprobs(item) for item in value.values())
    if isinstance(value, list):
        return all(exact_logprobs(item) for item in value)
    return True


# The SDK types `logprob` as float: an int past 2**53 cannot survive it, and no real
# log probability is one, so those draws are left out of the round trips.
SDK_CHUNK_TEXTS = json_chunk_texts().filter(
    lambda text_and_value: exact_logprobs(text_and_value[1])
)


# --- chatchunk -> SDK -> chatchunk ----------------------------------------------------------


@PROPERTY
@given(SDK_CHUNK_TEXTS)
def test_chatchunk_to_sdk_and_back(text_and_value: Any) -> None:
    text, value = text_and_value
    chunk = parse_chunk(text)
    sdk = to_openai(chunk)
    assert type(sdk) is OpenAIChunk
    # What the SDK writes is what chatchunk writes: exactly in Python mode; in JSON
    # mode with ints in the SDK's float fields written as floats.
    assert_json_identical(sdk.model_dump(exclude_unset=True), value)
    assert_json_identical(sdk.to_dict(), value)
    assert_json_identical(sdk_json(sdk), sdk_floats(value))
    assert_json_identical(json.loads(sdk.model_dump_json(exclude_unset=True)), sdk_floats(value))
    back = from_openai(sdk)
    assert back == chunk
    assert_json_identical(json.loads(dump_chunk(back)), value)


@PROPERTY
@given(SDK_CHUNK_TEXTS)
def test_to_openai_builds_what_the_sdk_reader_builds(text_and_value: Any) -> None:
    # `construct` is how the SDK's stream makes each chunk from the wire: the same
    # classes, fields set and extras at every level. (Its values differ only by the
    # SDK's int -> float, which compare equal.)
    text, value = text_and_value
    assert_same_sdk_objects(to_openai(parse_chunk(text)), OpenAIChunk.construct(**value))


# --- SDK -> chatchunk -> SDK ----------------------------------------------------------------


@PROPERTY
@given(SDK_CHUNK_TEXTS)
def test_sdk_validated_to_chatchunk_and_back(text_and_value: Any) -> None:
    _, value = text_and_value
    text = json.dumps(sdk_valid(value))
    try:
        sdk = OpenAIChunk.model_validate_json(text)
    except ValidationError:  # an extra key that names an SDK field, with another shape
        assume(False)
    chunk = from_openai(sdk)
    assert_json_identical(chunk_to_dict(chunk), sdk.model_dump(exclude_unset=True))
    again = to_openai(chunk)
    assert_same_sdk_objects(again, sdk)
    assert_json_identical(sdk_json(again), sdk_json(sdk))


@PROPERTY
@given(SDK_CHUNK_TEXTS)
def test_sdk_constructed_to_chatchunk_and_back(text_and_value: Any) -> None:
    # Unchecked SDK objects, as its stream yields them: whatever a server sends.
    _, value = text_and_value
    sdk = OpenAIChunk.construct(**value)
    chunk = from_openai(sdk)
    assert_json_identical(chunk_to_dict(chunk), sdk.model_dump(exclude_unset=True))
    assert_json_identical(chunk_to_dict(chunk), sdk_floats(value))
    assert_same_sdk_objects(to_openai(chunk), sdk)


@pytest.mark.parametrize(("case", "payload"), provider_cases())
def test_provider_chunks_both_ways(case: str, payload: str) -> None:
    value = json.loads(payload)
    sdk = OpenAIChunk.construct(**value)
    chunk = from_openai(sdk)
    assert_json_identical(chunk_to_dict(chunk), sdk_floats(value))
    assert_json_identical(json.loads(dump_chunk(chunk)), sdk_floats(value))
    again = to_openai(parse_chunk(payload))
    assert_same_sdk_objects(again, sdk)
    assert_json_identical(again.model_dump(exclude_unset=True), value)
    assert_json_identical(sdk_json(again), sdk_floats(value))
    assert from_openai(again) == parse_chunk(payload)


def test_unset_null_and_extras() -> None:
    payload = (
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","usage":null,'
        '"choices":[{"index":0,"delta":{"content":"Hi","reasoning_content":"hm",'
        '"tool_calls":[{"index":0,"function":{"arguments":"{"},"extra_content":{"g":1}}]},'
        '"finish_reason":null}],"x_groq":{"id":"req_1"}}'
    )
    chunk = from_openai(OpenAIChunk.model_validate_json(payload))
    delta = chunk.choices[0].delta
    assert repr(delta.role) == "UNSET"
    assert repr(chunk.system_fingerprint) == "UNSET"
    assert chunk.usage is None
    assert chunk.choices[0].finish_reason is None
    assert delta.reasoning_content == "hm"  # an extra to the SDK, a field to chatchunk
    assert delta.tool_calls
    assert delta.tool_calls[0].model_extra == {"extra_content": {"g": 1}}
    assert chunk.model_extra == {"x_groq": {"id": "req_1"}}

    sdk = to_openai(chunk)
    sdk_delta = sdk.choices[0].delta
    assert type(sdk_delta) is ChoiceDelta
    assert sdk_delta.model_fields_set == {
        "content",
        "tool_calls",
    }
    assert sdk_delta.tool_calls
    assert type(sdk_delta.tool_calls[0]) is ChoiceDeltaToolCall
    assert sdk_delta.model_extra == {"reasoning_content": "hm"}
    assert sdk.model_extra == {"x_groq": {"id": "req_1"}}
    assert json.loads(sdk.to_json()) == json.loads(payload)


def test_plain_model_dump_is_wrong() -> None:
    # The trap the docs warn of: without exclude_unset every absent key becomes null.
    payload = (
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        '"choices":[{"index":0,"delta":{"content":"Hi"}}]}'
    )
    sdk = OpenAIChunk.model_validate_json(payload)
    wrong = ChatCompletionChunk.model_validate(sdk.model_dump())
    assert wrong.choices[0].delta.role is None
    assert wrong.usage is None
    assert dump_chunk(from_openai(sdk)) == dump_chunk(parse_chunk(payload))


def test_sdk_only_fields_become_sdk_models() -> None:
    # `delta.audio` is an SDK field and a chatchunk extra: it comes back as the SDK's model.
    payload = (
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        '"choices":[{"index":0,"delta":{"audio":{"id":"a1","transcript":"Hi","x":0}}}]}'
    )
    chunk = parse_chunk(payload)
    assert chunk.choices[0].delta.model_extra == {"audio": {"id": "a1", "transcript": "Hi", "x": 0}}
    delta = to_openai(chunk).choices[0].delta
    if "audio" not in type(delta).model_fields:
        # openai-python 2.x (what pip picks on Python 3.9) has no `audio` on a delta:
        # there it stays an extra, as it came.
        assert delta.model_extra == {"audio": {"id": "a1", "transcript": "Hi", "x": 0}}
        return
    audio = delta.audio
    assert audio is not None
    assert audio.transcript == "Hi"
    assert audio.model_extra == {"x": 0}
    assert audio.model_fields_set == {"id", "transcript"}


def test_values_are_not_coerced() -> None:
    # The SDK builds objects without validation; chatchunk's strict validator checks them.
    sdk = OpenAIChunk.construct(
        id="c", object="chat.completion.chunk", created="1", model="m", choices=[]
    )
    with pytest.raises(ValidationError, match="created"):
        from_openai(sdk)
    # ... and to_openai keeps an int in a float field an int (the SDK's own construct
    # would make it 0.0); only the SDK's JSON writer turns it into a float.
    chunk = parse_chunk(
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
        '[{"index":0,"delta":{},"logprobs":{"content":[{"token":"a","logprob":0,'
        '"bytes":null,"top_logprobs":[]}]}}]}'
    )
    logprobs = to_openai(chunk).choices[0].logprobs
    assert logprobs
    assert logprobs.content
    assert type(logprobs.content[0].logprob) is int


# --- Completions ----------------------------------------------------------------------------

COMPLETION = (
    '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",'
    '"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,'
    '"annotations":[],"tool_calls":[{"id":"call_1","type":"function","function":'
    '{"name":"f","arguments":"{}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],'
    '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"cost":0.5},'
    '"service_tier":"default","system_fingerprint":null}'
)


def test_completion_both_ways() -> None:
    sdk = OpenAICompletion.model_validate_json(COMPLETION)
    completion = from_openai(sdk)
    assert type(completion) is ChatCompletion
    assert completion.choices[0].message.model_extra == {"annotations": []}
    assert_json_identical(to_dict(completion), json.loads(COMPLETION))
    again = to_openai(completion)
    tool_calls = again.choices[0].message.tool_calls
    assert tool_calls
    assert type(tool_calls[0]) is ChatCompletionMessageFunctionToolCall
    assert_same_sdk_objects(again, sdk)
    assert_json_identical(sdk_json(again), json.loads(COMPLETION))


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_assembled_completion_to_sdk(name: str) -> None:
    completion = accumulate(iter_chunks([STREAMS[name][0]]))
    sdk = to_openai(completion)
    assert type(sdk) is OpenAICompletion
    assert_json_identical(sdk.model_dump(exclude_unset=True), to_dict(completion))
    assert_json_identical(sdk_json(sdk), sdk_floats(to_dict(completion)))
    assert from_openai(sdk) == completion


def test_wrong_types() -> None:
    chunk = parse_chunk('{"id":"c","object":"","created":1,"model":"m","choices":[]}')
    with pytest.raises(TypeError, match=r"not chatchunk\._chunk\.ChatCompletionChunk"):
        from_openai(chunk)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="not dict"):
        from_openai({})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"not openai\.types\.chat\.chat_completion_chunk\."):
        to_openai(to_openai(chunk))  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="not str"):
        to_openai("{}")  # type: ignore[call-overload]


# --- The accumulator ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_accumulate_sdk_stream(name: str) -> None:
    # The SDK's own `stream=True` iterator, read over HTTP, through the accumulator.
    body, expected = STREAMS[name]
    ours = to_dict(accumulate(iter_chunks([body])))
    assert_json_identical(to_dict(accumulate(sdk_stream(body))), sdk_floats(ours))
    assert to_dict(accumulate(sdk_stream(body))) == expected


def test_aaccumulate_sdk_async_stream() -> None:
    body, expected = STREAMS["openai_parallel_tool_calls"]

    def answer(request: Any) -> Any:
        return http.Response(200, content=body, headers={"content-type": "text/event-stream"})

    async def main() -> Dict[str, Any]:
        client = openai.AsyncOpenAI(
            api_key="x",
            base_url="http://localhost/v1",
            http_client=http.AsyncClient(transport=http.MockTransport(answer)),
        )
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        return to_dict(await aaccumulate(stream))

    assert_json_identical(asyncio.run(main()), expected)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_accumulator_add_sdk_chunks(name: str) -> None:
    # Of the same bytes: SDK chunks as its reader builds them, one by one, mixed with ours.
    body, _ = STREAMS[name]
    chunks = list(iter_chunks([body]))
    mixed = ChunkAccumulator()
    for i, chunk in enumerate(chunks):
        mixed.add(OpenAIChunk.construct(**chunk_to_dict(chunk)) if i % 2 == 0 else chunk)
    assert_json_identical(
        to_dict(mixed.result()), sdk_floats(to_dict(accumulate(iter_chunks([body]))))
    )
    assert mixed.chunk_count == len(chunks)


@pytest.mark.parametrize(
    ("item", "name"),
    [
        ({}, "dict"),
        ('{"id": "c"}', "str"),
        (b"data: {}", "bytes"),
        (None, "NoneType"),
        (1, "int"),
        (OpenAICompletion.model_validate_json(COMPLETION), "openai.types.chat.chat_completion."),
    ],
)
def test_add_rejects_other_types(item: Any, name: str) -> None:
    accumulator = ChunkAccumulator()
    with pytest.raises(TypeError, match=rf"StreamErrorEvent or an InvalidPayload, not {name}"):
        accumulator.add(item)
    with pytest.raises(TypeError, match=rf"not {name}"):
        accumulate([item])
    # Nothing was counted: the next chunk is the first.
    accumulator.add(StreamErrorEvent(error="boom", payload={"error": "boom"}))
    assert accumulator.chunk_count == 0
    assert accumulator.anomalies[0].position == 1


def test_own_items_skip_the_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    # chatchunk's own chunks, error events and invalid payloads never reach the bridge.
    def fail(item: object) -> ChatCompletionChunk:
        raise AssertionError(f"converted {item!r}")

    monkeypatch.setattr("chatchunk._accumulate.chunk_from_foreign", fail)
    body = STREAMS["openai_text_usage"][0]
    bad = b'data: {"id": "c", "choices": "oops"}\n\n'
    error = b'data: {"error": {"message": "late"}}\n\n'
    stream = iter_events([body.replace(b"data: [DONE]\n\n", bad + error)], on_invalid="yield")
    items: List[Any] = list(stream)
    assert {type(item) for item in items} == {ChatCompletionChunk, InvalidPayload, StreamErrorEvent}
    assert accumulate(items).choices[0].message.content == "Hello! How can I help you today?"
    with pytest.raises(AssertionError, match="converted"):  # while an SDK chunk does
        accumulate([OpenAIChunk.construct(**chunk_to_dict(items[0]))])


# --- Without the SDK ------------------------------------------------------------------------

WITHOUT_OPENAI = """
import sys
sys.modules["openai"] = None  # as if it were not installed: importing it raises ImportError
import chatchunk
from chatchunk import accumulate, iter_chunks
from chatchunk._openai import from_openai, to_openai
body = b'data: {"id":"c","object":"","created":1,"model":"m","choices":[]}\\n\\n'
chunk = next(iter(iter_chunks([body])))
try:
    to_openai(chunk)
except ImportError as error:
    assert error.name == "openai", error.name
    print(error)
for call in (lambda: from_openai({}), lambda: accumulate([{}])):
    try:
        call()
    except TypeError as error:
        print(error)
"""


def test_without_openai() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_OPENAI], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [
        "to_openai() needs the openai package: pip install 'chatchunk[openai]'",
        "from_openai() takes the openai SDK's ChatCompletionChunk or ChatCompletion, not dict",
        "ChunkAccumulator.add() takes a ChatCompletionChunk (chatchunk's or the openai SDK's),"
        " a StreamErrorEvent or an InvalidPayload, not dict",
    ]


def test_import_does_not_load_openai() -> None:
    code = "import sys, chatchunk, chatchunk._openai; print('openai' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "False\n"


def test_parse_helpers_unchanged() -> None:
    # `parse`/`dump` of a completion agree with the bridge's view of the SDK object.
    completion = parse(ChatCompletion, COMPLETION)
    assert dump(completion) == dump(from_openai(OpenAICompletion.model_validate_json(COMPLETION)))
