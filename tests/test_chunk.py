"""Tests of the chunk models: exact round trips of provider payloads, semantics, errors."""

import copy
import json
import math
import pickle
import warnings
from typing import Any, Callable, Dict, List, Type, Union

import pytest
from hypothesis import find as find_example
from pydantic import BaseModel, ValidationError

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkChoiceLogprobs,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaFunctionCall,
    ChatCompletionChunkDeltaToolCall,
    ChatCompletionChunkDeltaToolCallFunction,
    ChatCompletionChunkTokenLogprob,
    ChatCompletionChunkTopLogprob,
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
    chunk_to_dict,
    dump,
    dump_chunk,
    parse,
    parse_chunk,
    to_dict,
)
from providers import BAD_PAYLOADS, PROVIDER_CHUNKS, assert_json_identical, provider_cases
from strategies import json_objects

CASES = provider_cases()
CASE_IDS = [case_id for case_id, _ in CASES]
PAYLOADS = [payload for _, payload in CASES]

ALL_MODELS: List[Type[BaseModel]] = [
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkChoiceLogprobs,
    ChatCompletionChunkDelta,
    ChatCompletionChunkDeltaFunctionCall,
    ChatCompletionChunkDeltaToolCall,
    ChatCompletionChunkDeltaToolCallFunction,
    ChatCompletionChunkTokenLogprob,
    ChatCompletionChunkTopLogprob,
    CompletionUsage,
    CompletionUsageCompletionTokensDetails,
    CompletionUsagePromptTokensDetails,
]


def find(provider: str, predicate: Callable[[Dict[str, Any]], bool]) -> str:
    """The first payload of `provider` whose decoded JSON satisfies `predicate`."""
    for payload in PROVIDER_CHUNKS[provider]:
        if predicate(json.loads(payload)):
            return payload
    raise LookupError(f"no {provider} payload matches")


def choice0(data: Dict[str, Any]) -> Dict[str, Any]:
    choices: List[Dict[str, Any]] = data["choices"]
    return choices[0] if choices else {}


def dumped(chunk: ChatCompletionChunk) -> Dict[str, Any]:
    result: Dict[str, Any] = json.loads(dump_chunk(chunk))
    return result


def all_unset(model: BaseModel) -> bool:
    return all(getattr(model, name) is UNSET for name in type(model).model_fields)


# --- the comparison helper itself -------------------------------------------------


def test_assert_json_identical_accepts_identical_data() -> None:
    data = {"a": [1, 1.0, True, None, "s", -0.0, {"b": 10**30}], "c": {}}
    assert_json_identical(data, json.loads(json.dumps(data)))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1, 1.0),
        (1, True),
        (0, False),
        (0.0, -0.0),
        ([-0.0], [0.0]),
        (None, 0),
        ("1", 1),
        ({"a": 1}, {"a": 1.0}),
        ({"a": 1}, {"b": 1}),
        ({"a": 1}, {"a": 1, "b": None}),
        ([1], [1, 1]),
        ([1, 2], [2, 1]),
        ({"a": [{"b": 1}]}, {"a": [{"b": 2}]}),
    ],
    ids=repr,
)
def test_assert_json_identical_rejects_differences(left: Any, right: Any) -> None:
    with pytest.raises(AssertionError):
        assert_json_identical(left, right)


def test_every_provider_is_present() -> None:
    expected = {
        "openai",
        "azure",
        "vllm",
        "llamacpp",
        "ollama",
        "groq",
        "deepseek",
        "openrouter",
        "mistral",
        "gemini",
    }
    assert expected <= PROVIDER_CHUNKS.keys()
    assert all(PROVIDER_CHUNKS.values())


# --- exact round trips of every provider payload ----------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_dump_round_trip_is_type_identical(payload: str) -> None:
    chunk = parse_chunk(payload)
    once = dump_chunk(chunk)
    assert_json_identical(json.loads(once), json.loads(payload))
    assert_json_identical(json.loads(dump_chunk(chunk, indent=2)), json.loads(payload))
    assert dump(chunk) == once
    assert dump_chunk(parse_chunk(once)) == once  # a fixed point after one round


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_chunk_to_dict_is_type_identical(payload: str) -> None:
    chunk = parse_chunk(payload)
    assert_json_identical(chunk_to_dict(chunk), json.loads(payload))
    assert_json_identical(to_dict(chunk), json.loads(payload))


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_every_input_kind_parses_to_the_same_model(payload: str) -> None:
    raw = payload.encode()
    from_str = parse_chunk(payload)
    models = [
        parse_chunk(raw),
        parse_chunk(bytearray(raw)),
        parse_chunk(memoryview(raw)),
        parse_chunk(memoryview(b"  " + raw)[2:]),
        parse(ChatCompletionChunk, payload),
        parse(ChatCompletionChunk, memoryview(raw)),
    ]
    for model in models:
        assert model == from_str
        assert dump_chunk(model) == dump_chunk(from_str)


def _expected_key_order(model_type: Type[BaseModel], source: Dict[str, Any]) -> List[str]:
    # As the README says: declared fields first, in declaration order, then extras as read.
    declared = [name for name in model_type.model_fields if name in source]
    extras = [key for key in source if key not in model_type.model_fields]
    return declared + extras


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_dump_key_order_is_fields_then_extras(payload: str) -> None:
    source = json.loads(payload)
    out = dumped(parse_chunk(payload))
    assert list(out) == _expected_key_order(ChatCompletionChunk, source)
    for source_choice, out_choice in zip(source["choices"], out["choices"]):
        assert list(out_choice) == _expected_key_order(ChatCompletionChunkChoice, source_choice)
        if "delta" in source_choice:
            assert list(out_choice["delta"]) == _expected_key_order(
                ChatCompletionChunkDelta, source_choice["delta"]
            )
    if isinstance(source.get("usage"), dict):
        assert list(out["usage"]) == _expected_key_order(CompletionUsage, source["usage"])


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_python_mode_validation_matches_json(payload: str) -> None:
    from_python = ChatCompletionChunk.model_validate(json.loads(payload))
    from_json = parse_chunk(payload)
    assert from_python == from_json
    assert dump_chunk(from_python) == dump_chunk(from_json)


@pytest.mark.parametrize("payload", PAYLOADS, ids=CASE_IDS)
def test_pickle_and_deepcopy_round_trip(payload: str) -> None:
    chunk = parse_chunk(payload)
    restored = pickle.loads(pickle.dumps(chunk))
    assert restored == chunk
    assert dump_chunk(restored) == dump_chunk(chunk)
    clone = copy.deepcopy(chunk)
    assert clone == chunk
    assert clone is not chunk
    assert dump_chunk(clone) == dump_chunk(chunk)


# --- what the fields hold, per provider ------------------------------------------


def test_azure_choice_without_delta_reads_as_empty_delta() -> None:
    payload = find("azure", lambda d: bool(d["choices"]) and "delta" not in choice0(d))
    chunk = parse_chunk(payload)
    choice = chunk.choices[0]
    assert isinstance(choice.delta, ChatCompletionChunkDelta)
    assert all_unset(choice.delta)
    assert choice.delta.model_extra == {}
    assert not choice.delta.content
    assert choice.finish_reason is None
    assert choice.logprobs is UNSET
    assert choice.model_extra is not None
    assert set(choice.model_extra) == {"content_filter_offsets", "content_filter_results"}
    assert (chunk.id, chunk.model, chunk.object, chunk.created) == ("", "", "", 0)
    assert "delta" not in dumped(chunk)["choices"][0]
    assert "delta" not in chunk_to_dict(chunk)["choices"][0]


def test_azure_prompt_filter_header() -> None:
    payload = find("azure", lambda d: "prompt_filter_results" in d)
    chunk = parse_chunk(payload)
    assert chunk.choices == []
    assert (chunk.id, chunk.model, chunk.object, chunk.created) == ("", "", "", 0)
    assert chunk.usage is UNSET
    assert chunk.model_extra is not None
    results = chunk.model_extra["prompt_filter_results"]
    assert results[0]["content_filter_results"]["jailbreak"] == {
        "filtered": False,
        "detected": False,
    }


def test_azure_content_filter_results_next_to_delta() -> None:
    payload = find("azure", lambda d: choice0(d).get("delta", {}).get("content") == "Hello")
    choice = parse_chunk(payload).choices[0]
    assert choice.delta.content == "Hello"
    assert choice.model_extra is not None
    assert choice.model_extra["content_filter_results"]["violence"]["severity"] == "safe"


def test_openai_empty_delta_stays_in_the_dump() -> None:
    payload = find("openai", lambda d: choice0(d).get("delta") == {})
    chunk = parse_chunk(payload)
    delta = chunk.choices[0].delta
    assert all_unset(delta)
    assert delta.model_extra == {}
    assert chunk.choices[0].finish_reason == "stop"
    assert dumped(chunk)["choices"][0]["delta"] == {}


def test_openai_role_chunk() -> None:
    chunk = parse_chunk(PROVIDER_CHUNKS["openai"][0])
    delta = chunk.choices[0].delta
    assert delta.role == "assistant"
    assert delta.content == ""
    assert delta.refusal is None
    assert delta.tool_calls is UNSET
    assert chunk.choices[0].logprobs is None
    assert chunk.choices[0].finish_reason is None
    assert chunk.usage is None
    assert chunk.service_tier == "default"
    assert chunk.system_fingerprint == "fp_560af6e559"
    assert chunk.obfuscation == "Xw3Lq"
    assert chunk.model_extra == {}


def test_openai_usage_only_last_chunk() -> None:
    payload = find("openai", lambda d: d["choices"] == [] and d["usage"] is not None)
    chunk = parse_chunk(payload)
    usage = chunk.usage
    assert isinstance(usage, CompletionUsage)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (24, 9, 33)
    assert isinstance(usage.prompt_tokens_details, CompletionUsagePromptTokensDetails)
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.prompt_tokens_details.text_tokens is UNSET
    assert isinstance(usage.completion_tokens_details, CompletionUsageCompletionTokensDetails)
    assert usage.completion_tokens_details.rejected_prediction_tokens == 0
    assert usage.model_extra == {}


def _tool_arguments(payloads: List[str]) -> Dict[int, Dict[str, Any]]:
    """Join the streamed tool-call fragments by index: {index: {"name", "id", "arguments"}}."""
    calls: Dict[int, Dict[str, Any]] = {}
    for payload in payloads:
        for choice in parse_chunk(payload).choices:
            for call in choice.delta.tool_calls or ():
                assert isinstance(call.index, int)
                entry = calls.setdefault(call.index, {"arguments": ""})
                if call.id:
                    entry["id"] = call.id
                if call.function and call.function.name:
                    entry["name"] = call.function.name
                if call.function and call.function.arguments:
                    entry["arguments"] += call.function.arguments
    return calls


def test_openai_tool_call_fragments_join_up() -> None:
    stream = [p for p in PROVIDER_CHUNKS["openai"] if "chatcmpl-CAq4" in p]
    first = parse_chunk(stream[0]).choices[0].delta
    assert isinstance(first.tool_calls, list)
    call = first.tool_calls[0]
    assert (call.index, call.type) == (0, "function")
    assert call.id == "call_4fQx8TnC2mVb0yKzR1uWdE7s"
    assert isinstance(call.function, ChatCompletionChunkDeltaToolCallFunction)
    assert (call.function.name, call.function.arguments) == ("get_weather", "")
    assert first.content is None
    fragment = parse_chunk(stream[1]).choices[0].delta.tool_calls
    assert isinstance(fragment, list)
    assert fragment[0].id is UNSET
    assert fragment[0].type is UNSET
    assert isinstance(fragment[0].function, ChatCompletionChunkDeltaToolCallFunction)
    assert fragment[0].function.name is UNSET
    calls = _tool_arguments(stream)
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    assert calls[1]["name"] == "get_time"
    assert json.loads(calls[1]["arguments"]) == {"tz": "Europe/Paris"}
    assert parse_chunk(stream[-1]).choices[0].finish_reason == "tool_calls"


def test_openai_deprecated_function_call() -> None:
    stream = [p for p in PROVIDER_CHUNKS["openai"] if "gpt-3.5-turbo-0613" in p]
    chunks = [parse_chunk(p) for p in stream]
    assert all(c.system_fingerprint is None for c in chunks)
    calls = [c.choices[0].delta.function_call for c in chunks]
    assert isinstance(calls[0], ChatCompletionChunkDeltaFunctionCall)
    assert calls[0].name == "get_weather"
    arguments = "".join(c.arguments for c in calls if c and c.arguments)
    assert json.loads(arguments) == {"city": "Paris"}
    assert calls[-1] is UNSET
    assert chunks[-1].choices[0].finish_reason == "function_call"


def test_openai_logprobs() -> None:
    payload = find("openai", lambda d: bool(choice0(d).get("logprobs")))
    logprobs = parse_chunk(payload).choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert logprobs.refusal is None
    assert isinstance(logprobs.content, list)
    token = logprobs.content[0]
    assert token.token == "Hello"
    assert token.bytes == [72, 101, 108, 108, 111]
    assert token.logprob == -1.9361265e-07
    assert isinstance(token.top_logprobs, list)
    assert [t.token for t in token.top_logprobs] == ["Hello", "Hi", "Hey"]
    assert type(token.top_logprobs[2].logprob) is float
    assert token.top_logprobs[2].logprob == -17.0


def test_openai_logprobs_partial_utf8_zero_and_floor() -> None:
    payload = find("openai", lambda d: '"logprob":-9999.0' in json.dumps(d, separators=(",", ":")))
    chunk = parse_chunk(payload)
    logprobs = chunk.choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    second = logprobs.content[1]
    assert second.token == "\\x91\\x8b"
    assert second.bytes == [145, 139]
    assert type(second.logprob) is float
    assert second.logprob == 0.0
    assert isinstance(second.top_logprobs, list)
    floor = second.top_logprobs[1]
    assert floor.bytes is None
    assert type(floor.logprob) is float
    assert floor.logprob == -9999.0
    out = dumped(chunk)["choices"][0]["logprobs"]["content"][1]
    assert out["top_logprobs"][1] == {"token": "<|end|>", "logprob": -9999.0, "bytes": None}


def test_openai_refusal() -> None:
    payload = find("openai", lambda d: bool(choice0(d).get("delta", {}).get("refusal")))
    choice = parse_chunk(payload).choices[0]
    assert choice.delta.refusal == "I'm sorry, I can't help with that."
    assert choice.delta.content is UNSET
    assert isinstance(choice.logprobs, ChatCompletionChunkChoiceLogprobs)
    assert choice.logprobs.content is None
    assert isinstance(choice.logprobs.refusal, list)
    assert choice.logprobs.refusal[0].token == "I'm"
    assert choice.logprobs.refusal[0].top_logprobs == []


def test_openai_service_tiers_and_n() -> None:
    tiers = {parse_chunk(p).service_tier for p in PROVIDER_CHUNKS["openai"]}
    assert {"default", "priority", "flex", UNSET} <= tiers
    second = find("openai", lambda d: choice0(d).get("index") == 1)
    assert parse_chunk(second).choices[0].index == 1


def test_gemini_tool_call_without_index() -> None:
    payload = find("gemini", lambda d: "tool_calls" in choice0(d).get("delta", {}))
    chunk = parse_chunk(payload)
    tool_calls = chunk.choices[0].delta.tool_calls
    assert isinstance(tool_calls, list)
    call = tool_calls[0]
    assert call.index is UNSET
    assert call.id == "function-call-13751592829541447093"
    assert call.model_extra == {
        "extra_content": {
            "google": {"thought_signature": "CiQB0e2Kb7xQzYk3Wm9Lp2Vt8Rn4Hs6Df1Ga5Jc0Uo3Ie7="}
        }
    }
    assert "index" not in dumped(chunk)["choices"][0]["delta"]["tool_calls"][0]
    assert chunk.choices[0].logprobs is UNSET
    assert chunk.system_fingerprint is UNSET


def test_gemini_empty_name_continuation() -> None:
    payload = find(
        "gemini",
        lambda d: any(
            c["function"]["name"] == "" for c in choice0(d).get("delta", {}).get("tool_calls", [])
        ),
    )
    chunk = parse_chunk(payload)
    tool_calls = chunk.choices[0].delta.tool_calls
    assert isinstance(tool_calls, list)
    function = tool_calls[0].function
    assert isinstance(function, ChatCompletionChunkDeltaToolCallFunction)
    assert function.name == ""
    assert json.loads(function.arguments or "") == {"city": "Lyon"}
    assert chunk.choices[0].finish_reason is UNSET
    assert dumped(chunk)["choices"][0]["delta"]["tool_calls"][0]["function"]["name"] == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("128009", 128009), ('"</answer>"', "</answer>"), ("null", None)],
    ids=["int", "str", "null"],
)
def test_vllm_stop_reason_keeps_its_type(raw: str, expected: Union[int, str, None]) -> None:
    payload = find("vllm", lambda d: f'"stop_reason": {raw}' in json.dumps(choice0(d)))
    chunk = parse_chunk(payload)
    stop_reason = chunk.choices[0].stop_reason
    assert stop_reason == expected
    assert type(stop_reason) is type(expected)
    assert dumped(chunk)["choices"][0]["stop_reason"] == expected
    assert f'"stop_reason":{raw}' in dump_chunk(chunk)


def test_vllm_stop_reason_absent_is_unset() -> None:
    payload = find("vllm", lambda d: bool(d["choices"]) and "stop_reason" not in choice0(d))
    choice = parse_chunk(payload).choices[0]
    assert choice.stop_reason is UNSET
    assert "stop_reason" not in dumped(parse_chunk(payload))["choices"][0]


@pytest.mark.parametrize(
    ("provider", "field", "text"),
    [
        ("vllm", "reasoning_content", "Okay, the user asks"),
        ("vllm", "reasoning", "Let me check the units."),
        ("llamacpp", "reasoning_content", "The user greets me."),
        ("deepseek", "reasoning_content", "Okay"),
        ("ollama", "reasoning", "User asks about the weather."),
        ("groq", "reasoning", "The user wants the weather."),
        ("openrouter", "reasoning", "**Considering the question**"),
    ],
    ids=[
        "vllm-reasoning_content",
        "vllm-reasoning",
        "llamacpp-reasoning_content",
        "deepseek-reasoning_content",
        "ollama-reasoning",
        "groq-reasoning",
        "openrouter-reasoning",
    ],
)
def test_reasoning_lands_in_the_declared_field(provider: str, field: str, text: str) -> None:
    payload = find(provider, lambda d: choice0(d).get("delta", {}).get(field) == text)
    delta = parse_chunk(payload).choices[0].delta
    assert getattr(delta, field) == text
    other = "reasoning" if field == "reasoning_content" else "reasoning_content"
    assert getattr(delta, other) is UNSET
    assert delta.model_extra is not None
    assert field not in delta.model_extra


def test_deepseek_null_next_to_text() -> None:
    reasoning = parse_chunk(PROVIDER_CHUNKS["deepseek"][1]).choices[0].delta
    assert (reasoning.content, reasoning.reasoning_content) == (None, "Okay")
    answer = parse_chunk(PROVIDER_CHUNKS["deepseek"][2]).choices[0].delta
    assert (answer.content, answer.reasoning_content) == ("Paris", None)


def test_deepseek_cache_usage_is_kept_as_extras() -> None:
    payload = find("deepseek", lambda d: d.get("usage") is not None)
    usage = parse_chunk(payload).usage
    assert isinstance(usage, CompletionUsage)
    assert usage.model_extra == {"prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 13}
    assert isinstance(usage.completion_tokens_details, CompletionUsageCompletionTokensDetails)
    assert usage.completion_tokens_details.reasoning_tokens == 187


def test_vllm_usage_with_null_details() -> None:
    payload = find("vllm", lambda d: d["choices"] == [])
    chunk = parse_chunk(payload)
    assert isinstance(chunk.usage, CompletionUsage)
    assert chunk.usage.prompt_tokens_details is None
    assert chunk.usage.completion_tokens_details is UNSET
    assert dumped(chunk)["usage"] == {
        "prompt_tokens": 17,
        "completion_tokens": 34,
        "total_tokens": 51,
        "prompt_tokens_details": None,
    }


def test_vllm_token_id_extras() -> None:
    payload = find("vllm", lambda d: "prompt_token_ids" in d)
    chunk = parse_chunk(payload)
    assert chunk.model_extra is not None
    assert chunk.model_extra["prompt_token_ids"][0] == 151644
    assert chunk.choices[0].model_extra == {"token_ids": [9707]}


def test_vllm_system_fingerprint_null() -> None:
    chunk = parse_chunk(PROVIDER_CHUNKS["vllm"][0])
    assert chunk.system_fingerprint is None
    assert parse_chunk(PROVIDER_CHUNKS["vllm"][1]).system_fingerprint is UNSET


def test_llamacpp_timings_and_fingerprint() -> None:
    payload = find("llamacpp", lambda d: "timings" in d and "usage" in d)
    chunk = parse_chunk(payload)
    assert chunk.system_fingerprint == "b6123-79c1160b"
    assert chunk.choices[0].finish_reason == "stop"
    assert chunk.model_extra is not None
    timings = chunk.model_extra["timings"]
    assert type(timings["predicted_ms"]) is float
    assert timings["predicted_ms"] == 141.0
    assert type(timings["prompt_n"]) is int
    assert chunk.timings == timings  # extras are attributes too
    assert dumped(chunk)["timings"]["predicted_ms"] == 141.0
    assert '"predicted_ms":141.0' in dump_chunk(chunk)


def test_llamacpp_logprob_extras() -> None:
    payload = find("llamacpp", lambda d: bool(choice0(d).get("logprobs")))
    logprobs = parse_chunk(payload).choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    token = logprobs.content[0]
    assert token.model_extra == {"id": 1052}
    assert isinstance(token.top_logprobs, list)
    assert [t.model_extra for t in token.top_logprobs] == [{"id": 1052}, {"id": 0}]


def _first_token(data: Dict[str, Any]) -> Dict[str, Any]:
    # The first content logprob entry of a decoded payload, or {}.
    logprobs = choice0(data).get("logprobs") or {}
    content: List[Dict[str, Any]] = logprobs.get("content") or [{}]
    return content[0]


def _parsed_first_token(payload: str) -> ChatCompletionChunkTokenLogprob:
    logprobs = parse_chunk(payload).choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    return logprobs.content[0]


def test_llamacpp_post_sampling_probs_are_extras() -> None:
    # llama.cpp with "post_sampling_probs": no logprob or top_logprobs, prob and top_probs.
    payload = find("llamacpp", lambda d: "top_probs" in _first_token(d))
    token = _parsed_first_token(payload)
    assert token.token == " Paris"
    assert token.bytes == [32, 80, 97, 114, 105, 115]
    assert token.logprob is UNSET
    assert token.top_logprobs is UNSET
    assert token.model_extra is not None
    assert list(token.model_extra) == ["id", "prob", "top_probs"]
    assert type(token.model_extra["prob"]) is float
    assert token.model_extra["prob"] == 0.9412280917167664
    # The alternatives are plain JSON, as they came.
    top = token.model_extra["top_probs"]
    assert [(t["token"], t["prob"]) for t in top] == [
        (" Paris", 0.9412280917167664),
        (" the", 0.05877190828323364),
    ]
    out = dumped(parse_chunk(payload))["choices"][0]["logprobs"]["content"][0]
    assert list(out) == ["token", "bytes", "id", "prob", "top_probs"]
    assert_json_identical(out, _first_token(json.loads(payload)))


def test_llamacpp_certain_token_keeps_a_float_probability() -> None:
    payload = find("llamacpp", lambda d: _first_token(d).get("prob") == 1.0)
    token = _parsed_first_token(payload)
    assert token.model_extra is not None
    assert type(token.model_extra["prob"]) is float
    assert type(token.model_extra["top_probs"][0]["prob"]) is float
    text = dump_chunk(parse_chunk(payload))
    assert '"prob":1.0,"top_probs":[{"id":13,"token":".","bytes":[46],"prob":1.0}]' in text


def test_llamacpp_alternative_cut_inside_a_character() -> None:
    payload = find("llamacpp", lambda d: _first_token(d).get("token") == " été")
    token = _parsed_first_token(payload)
    assert token.bytes == [32, 195, 169, 116, 195, 169]
    assert token.model_extra is not None
    cut = token.model_extra["top_probs"][1]
    assert (cut["token"], cut["bytes"]) == (" ", [32, 240, 159])


def test_strategies_draw_llamacpp_post_sampling_entries() -> None:
    # The property round trips (test_json.py) cover this shape only if it is drawn.
    def post_sampling(entry: Dict[str, Any]) -> bool:
        return "logprob" not in entry and bool(entry.get("top_probs")) and "prob" in entry

    entry = find_example(json_objects(ChatCompletionChunkTokenLogprob), post_sampling)
    assert type(entry["prob"]) is float
    assert "prob" in entry["top_probs"][0]
    assert_json_identical(
        json.loads(dump(parse(ChatCompletionChunkTokenLogprob, json.dumps(entry)))), entry
    )


def test_logprob_absent_null_and_value_stay_apart() -> None:
    # In the order of the declared fields, so that the dump gives back the same text.
    entries = '[{"token":"a"},{"token":"b","logprob":null},{"token":"c","logprob":-0.5}]'
    payload = (
        '{"id":"c","choices":[{"index":0,"logprobs":{"content":' + entries + "}}],"
        '"created":1,"model":"m","object":"chat.completion.chunk"}'
    )
    logprobs = parse_chunk(payload).choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    assert [t.logprob for t in logprobs.content] == [UNSET, None, -0.5]
    assert dump_chunk(parse_chunk(payload)) == payload


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        # the first chunk of a vLLM-served model through LiteLLM: no completion_tokens
        ("chat-5d7f", (11, UNSET, 11)),
        # an SGLang intermediate chunk: only prompt_tokens_details
        ("b1c3e5a7", (UNSET, UNSET, UNSET)),
        # Gemini through a translating proxy, while only thoughts were counted
        ("chatcmpl-7f3a", (842, UNSET, 1210)),
    ],
    ids=["litellm-vllm", "sglang", "gemini-proxy"],
)
def test_usage_counts_a_server_left_out_read_as_unset(marker: str, expected: Any) -> None:
    payload = find("edge", lambda d: d["id"].startswith(marker))
    usage = parse_chunk(payload).usage
    assert isinstance(usage, CompletionUsage)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == expected
    source = json.loads(payload)["usage"]
    assert_json_identical(dumped(parse_chunk(payload))["usage"], source)


def test_sglang_usage_keeps_its_details() -> None:
    payload = find("edge", lambda d: d["id"].startswith("b1c3e5a7"))
    usage = parse_chunk(payload).usage
    assert isinstance(usage, CompletionUsage)
    assert isinstance(usage.prompt_tokens_details, CompletionUsagePromptTokensDetails)
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert dump(usage) == '{"prompt_tokens_details":{"cached_tokens":0}}'


def test_ollama_role_on_every_chunk_and_complete_tool_calls() -> None:
    chunks = [parse_chunk(p) for p in PROVIDER_CHUNKS["ollama"]]
    assert all(c.choices[0].delta.role == "assistant" for c in chunks if c.choices)
    assert {c.system_fingerprint for c in chunks} == {"fp_ollama"}
    payload = find("ollama", lambda d: "tool_calls" in choice0(d).get("delta", {}))
    calls = _tool_arguments([payload])
    assert [calls[i]["id"] for i in (0, 1)] == ["call_k2m9x1qz", "call_p7t3w8vd"]
    assert json.loads(calls[1]["arguments"]) == {"city": "Lyon"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


def test_groq_x_groq_and_usage_extras() -> None:
    first = parse_chunk(PROVIDER_CHUNKS["groq"][0])
    assert first.x_groq == {"id": "req_01k3q8d5vbf7x9m2n4c6h8j0kp"}
    payload = find("groq", lambda d: "usage" in d)
    chunk = parse_chunk(payload)
    assert chunk.model_extra is not None
    x_usage = chunk.model_extra["x_groq"]["usage"]
    assert type(x_usage["queue_time"]) is float
    assert type(x_usage["prompt_tokens"]) is int
    assert isinstance(chunk.usage, CompletionUsage)
    assert chunk.usage.total_tokens == 51
    assert chunk.usage.model_extra == {
        "queue_time": 0.046918321,
        "prompt_time": 0.003125401,
        "completion_time": 0.01,
        "total_time": 0.013125401,
    }


def test_openrouter_extras() -> None:
    chunk = parse_chunk(PROVIDER_CHUNKS["openrouter"][0])
    assert chunk.provider == "Google"
    choice = chunk.choices[0]
    assert choice.model_extra == {"native_finish_reason": None}
    assert choice.delta.model_extra is not None
    details = choice.delta.model_extra["reasoning_details"]
    assert details[0]["type"] == "reasoning.text"
    stop = parse_chunk(find("openrouter", lambda d: choice0(d).get("finish_reason") == "stop"))
    assert stop.choices[0].model_extra == {"native_finish_reason": "STOP"}


def test_openrouter_usage_cost_types() -> None:
    paid = parse_chunk(find("openrouter", lambda d: d.get("usage", {}).get("is_byok") is False))
    assert isinstance(paid.usage, CompletionUsage)
    assert paid.usage.model_extra is not None
    assert type(paid.usage.model_extra["cost"]) is float
    assert paid.usage.model_extra["cost"] == 0.0010811
    assert paid.usage.model_extra["cost_details"]["upstream_inference_prompt_cost"] == 3.6e-7
    assert paid.usage.model_extra["cost_details"]["upstream_inference_cost"] is None
    byok = parse_chunk(find("openrouter", lambda d: d.get("usage", {}).get("is_byok") is True))
    assert isinstance(byok.usage, CompletionUsage)
    assert byok.usage.model_extra is not None
    assert type(byok.usage.model_extra["cost"]) is int
    assert byok.usage.model_extra["is_byok"] is True
    assert '"cost":0,' in dump_chunk(byok)


def test_integer_logprob_stays_an_integer() -> None:
    payload = find("openrouter", lambda d: bool(choice0(d).get("logprobs")))
    chunk = parse_chunk(payload)
    logprobs = chunk.choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    assert type(logprobs.content[0].logprob) is int
    assert logprobs.refusal == []
    assert '"logprob":0,' in dump_chunk(chunk)


def test_mistral_tool_call_in_one_piece() -> None:
    payload = find("mistral", lambda d: choice0(d).get("finish_reason") == "tool_calls")
    chunk = parse_chunk(payload)
    tool_calls = chunk.choices[0].delta.tool_calls
    assert isinstance(tool_calls, list)
    call = tool_calls[0]
    assert call.index == 0
    assert call.type is UNSET
    assert isinstance(call.function, ChatCompletionChunkDeltaToolCallFunction)
    assert json.loads(call.function.arguments or "") == {"city": "Paris", "unit": "celsius"}
    assert isinstance(chunk.usage, CompletionUsage)
    assert chunk.usage.total_tokens == 124


def test_together_extras_at_choice_and_delta() -> None:
    chunk = parse_chunk(PROVIDER_CHUNKS["together"][1])
    choice = chunk.choices[0]
    assert choice.finish_reason == "eos"
    assert choice.model_extra == {"text": "", "seed": 14621453766925166000}
    assert choice.delta.model_extra == {"token_id": 128009}
    assert choice.delta.tool_calls is None


@pytest.mark.parametrize(
    "reason",
    [
        "eos",
        "eos_token",
        "error",
        "model_length",
        "",
        "malformed_function_call",
        "insufficient_system_resource",
    ],
    ids=repr,
)
def test_unknown_finish_reason_is_kept_as_a_string(reason: str) -> None:
    payloads = [p for p in PAYLOADS if json.loads(p)["choices"]]
    payload = next(p for p in payloads if choice0(json.loads(p)).get("finish_reason") == reason)
    chunk = parse_chunk(payload)
    assert chunk.choices[0].finish_reason == reason
    assert type(chunk.choices[0].finish_reason) is str
    assert dumped(chunk)["choices"][0]["finish_reason"] == reason


def test_integers_beyond_64_bits_keep_their_value() -> None:
    payload = find("edge", lambda d: d["choices"] == [])
    chunk = parse_chunk(payload)
    usage = chunk.usage
    assert isinstance(usage, CompletionUsage)
    assert usage.prompt_tokens == 2**65
    assert usage.completion_tokens == 2**64
    assert usage.total_tokens == 3 * 2**64
    assert isinstance(usage.prompt_tokens_details, CompletionUsagePromptTokensDetails)
    assert usage.prompt_tokens_details.cached_tokens == 2**64 - 1
    text = dump_chunk(chunk)
    assert f'"prompt_tokens":{2**65}' in text
    assert f'"total_tokens":{3 * 2**64}' in text
    assert chunk_to_dict(chunk)["usage"]["completion_tokens"] == 2**64


def test_python_style_payload_escapes_and_signed_zero() -> None:
    payload = find("edge", lambda d: "x_metrics" in d)
    chunk = parse_chunk(payload)
    assert chunk.choices[0].delta.content == "caf\u00e9 \U0001f600 \u2028"
    logprobs = chunk.choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    zero = logprobs.content[0].logprob
    assert zero == 0.0
    assert math.copysign(1.0, zero) == -1.0
    assert chunk.model_extra is not None
    metrics = chunk.model_extra["x_metrics"]
    assert math.copysign(1.0, metrics["drift"]) == -1.0
    assert metrics["eps"] == 1e-10
    assert type(metrics["latency_s"]) is float
    assert type(metrics["big"]) is float
    assert metrics["tags"] == ["a", 1, 1.0, False, None, {}, []]
    assert [type(t) for t in metrics["tags"][1:4]] == [int, float, bool]
    out = dumped(chunk)
    assert math.copysign(1.0, out["x_metrics"]["drift"]) == -1.0


def test_the_string_unset_is_just_a_string() -> None:
    chunk = parse_chunk(
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        '"choices":[{"index":0,"delta":{"content":"UNSET","role":"UNSET"}}],"x":"UNSET"}'
    )
    delta = chunk.choices[0].delta
    assert delta.content == "UNSET"
    assert delta.content is not UNSET
    assert delta.role == "UNSET"
    assert chunk.model_extra == {"x": "UNSET"}
    assert dumped(chunk)["choices"][0]["delta"] == {"content": "UNSET", "role": "UNSET"}


# --- extras at every level ---------------------------------------------------------

_EVERY_LEVEL = json.dumps(
    {
        "id": "c",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "content": "a",
                    "tool_calls": [
                        {
                            "index": 0,
                            "function": {"name": "f", "x_function": [1, 2.5]},
                            "x_tool_call": {"k": None},
                        }
                    ],
                    "function_call": {"name": "f", "x_function_call": -0.0},
                    "x_delta": "d",
                },
                "logprobs": {
                    "content": [
                        {
                            "token": "a",
                            "logprob": -1.5,
                            "top_logprobs": [{"token": "a", "logprob": 0, "x_top": True}],
                            "x_token": 7,
                        }
                    ],
                    "x_logprobs": {"nested": [{}]},
                },
                "x_choice": 1.0,
            }
        ],
        "created": 1,
        "model": "m",
        "object": "chat.completion.chunk",
        "usage": {
            "prompt_tokens": 1,
            "completion_tokens": 2,
            "total_tokens": 3,
            "prompt_tokens_details": {"cached_tokens": 0, "x_prompt_details": 10**20},
            "completion_tokens_details": {"x_completion_details": "c"},
            "x_usage": False,
        },
        "x_chunk": [None],
    },
    separators=(",", ":"),
)


def _first_content_logprob(c: ChatCompletionChunk) -> ChatCompletionChunkTokenLogprob:
    logprobs = c.choices[0].logprobs
    assert isinstance(logprobs, ChatCompletionChunkChoiceLogprobs)
    assert isinstance(logprobs.content, list)
    return logprobs.content[0]


def _usage(c: ChatCompletionChunk) -> CompletionUsage:
    assert isinstance(c.usage, CompletionUsage)
    return c.usage


def _tool_call(c: ChatCompletionChunk) -> ChatCompletionChunkDeltaToolCall:
    assert isinstance(c.choices[0].delta.tool_calls, list)
    return c.choices[0].delta.tool_calls[0]


_LEVELS: Dict[str, Callable[[ChatCompletionChunk], Any]] = {
    "chunk": lambda c: c,
    "choice": lambda c: c.choices[0],
    "delta": lambda c: c.choices[0].delta,
    "tool_call": _tool_call,
    "function": lambda c: _tool_call(c).function,
    "function_call": lambda c: c.choices[0].delta.function_call,
    "logprobs": lambda c: c.choices[0].logprobs,
    "token": _first_content_logprob,
    "top": lambda c: (_first_content_logprob(c).top_logprobs or [])[0],
    "usage": _usage,
    "prompt_details": lambda c: _usage(c).prompt_tokens_details,
    "completion_details": lambda c: _usage(c).completion_tokens_details,
}


@pytest.mark.parametrize("level", list(_LEVELS))
def test_extras_are_kept_at_every_level(level: str) -> None:
    chunk = parse_chunk(_EVERY_LEVEL)
    model = _LEVELS[level](chunk)
    assert isinstance(model, BaseModel)
    assert model.model_extra is not None
    assert len(model.model_extra) == 1
    (name,) = model.model_extra
    assert name.startswith("x_")
    assert getattr(model, name) == model.model_extra[name]
    assert_json_identical(to_dict(model)[name], model.model_extra[name])


def test_extras_at_every_level_round_trip() -> None:
    chunk = parse_chunk(_EVERY_LEVEL)
    assert_json_identical(dumped(chunk), json.loads(_EVERY_LEVEL))
    assert dump_chunk(chunk) == _EVERY_LEVEL  # already in fields-then-extras order


# --- payloads that must be rejected ------------------------------------------------


def _bad_id(index: int, path: str) -> str:
    return f"bad-{index}-{path or 'document'}"


BAD_IDS = [_bad_id(i, path) for i, (_, path) in enumerate(BAD_PAYLOADS)]


def _parse_error(payload: Union[str, bytes, bytearray, memoryview]) -> ValidationError:
    try:
        parse_chunk(payload)
    except ValidationError as err:
        return err
    except Exception as other:  # KeyError, TypeError, RecursionError, ... must not escape
        pytest.fail(f"{type(other).__name__} escaped instead of a ValidationError: {other}")
    pytest.fail("the payload was accepted")


@pytest.mark.parametrize(("payload", "path"), BAD_PAYLOADS, ids=BAD_IDS)
def test_bad_payload_raises_a_validation_error_naming_the_path(
    payload: Union[str, bytes], path: str
) -> None:
    err = _parse_error(payload)
    assert isinstance(err, ValueError)
    assert err.title == "ChatCompletionChunk"
    errors = err.errors()
    paths = [".".join(map(str, e["loc"])) for e in errors]
    assert path in paths, f"expected an error at {path!r}, got {paths}"
    message = str(err)
    if path:
        assert f"\n{path}\n" in message
    matched = errors[paths.index(path)]
    assert "input_value=" in message
    assert repr(matched["input"])[:20] in message
    # The same errors whatever the input's type.
    raw = payload.encode() if isinstance(payload, str) else payload
    expected = [(e["loc"], e["type"]) for e in errors]
    for kind in (raw, bytearray(raw), memoryview(raw)):
        assert [(e["loc"], e["type"]) for e in _parse_error(kind).errors()] == expected


def test_deep_nesting_within_the_parser_limit_round_trips() -> None:
    depth = 150
    payload = (
        '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],'
        f'"x":{"[" * depth}{"]" * depth}}}'
    )
    chunk = parse_chunk(payload)
    assert_json_identical(dumped(chunk), json.loads(payload))
    assert ChatCompletionChunk.model_validate(json.loads(payload)) == chunk


# --- models built in code ----------------------------------------------------------


def _built() -> ChatCompletionChunk:
    return ChatCompletionChunk(
        id="chatcmpl-1",
        choices=[ChatCompletionChunkChoice(index=0, delta=ChatCompletionChunkDelta(content="x"))],
        created=1,
        model="m",
        object="chat.completion.chunk",
    )


def test_built_chunk_dumps_only_what_was_given() -> None:
    chunk = _built()
    assert dump_chunk(chunk) == (
        '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"x"}}],'
        '"created":1,"model":"m","object":"chat.completion.chunk"}'
    )
    assert chunk.usage is UNSET
    assert chunk.choices[0].finish_reason is UNSET
    assert parse_chunk(dump_chunk(chunk)) == chunk


def test_built_chunk_with_extras_and_nulls() -> None:
    chunk = ChatCompletionChunk(
        id="c",
        choices=[],
        created=1,
        model="m",
        object="chat.completion.chunk",
        usage=None,
        system_fingerprint=None,
        x_groq={"id": "req_1", "usage": {"queue_time": 0.5}},
    )
    assert dumped(chunk) == {
        "id": "c",
        "choices": [],
        "created": 1,
        "model": "m",
        "object": "chat.completion.chunk",
        "system_fingerprint": None,
        "usage": None,
        "x_groq": {"id": "req_1", "usage": {"queue_time": 0.5}},
    }


def test_assigning_none_writes_null_and_unset_removes_the_key() -> None:
    chunk = _built()
    delta = chunk.choices[0].delta
    delta.content = None
    assert dumped(chunk)["choices"][0]["delta"] == {"content": None}
    delta.content = UNSET
    assert dumped(chunk)["choices"][0]["delta"] == {}
    delta.role = "assistant"
    chunk.choices[0].finish_reason = None
    assert dumped(chunk)["choices"][0] == {
        "index": 0,
        "delta": {"role": "assistant"},
        "finish_reason": None,
    }


def test_assigning_to_a_parsed_chunk() -> None:
    chunk = parse_chunk(PROVIDER_CHUNKS["openai"][1])
    chunk.usage = UNSET
    chunk.obfuscation = UNSET
    chunk.choices[0].logprobs = UNSET
    out = dumped(chunk)
    assert "usage" not in out
    assert "obfuscation" not in out
    assert "logprobs" not in out["choices"][0]
    assert out["choices"][0]["finish_reason"] is None


def test_model_copy() -> None:
    delta = ChatCompletionChunkDelta(content="x")
    assert dump(delta.model_copy()) == '{"content":"x"}'
    assert dump(delta.model_copy(update={"content": "y"})) == '{"content":"y"}'
    assert dump(delta.model_copy(update={"content": None})) == '{"content":null}'
    assert dump(delta.model_copy(update={"content": UNSET})) == "{}"
    assert dump(delta.model_copy(update={"role": "assistant"})) == (
        '{"role":"assistant","content":"x"}'
    )
    assert dump(delta) == '{"content":"x"}'  # the original is untouched
    chunk = parse_chunk(PROVIDER_CHUNKS["groq"][0])
    assert_json_identical(
        dumped(chunk.model_copy(deep=True)), json.loads(PROVIDER_CHUNKS["groq"][0])
    )


def test_model_construct_dumps_without_unset_fields() -> None:
    assert dump(ChatCompletionChunkDelta.model_construct(content="x")) == '{"content":"x"}'
    assert dump(ChatCompletionChunkDelta.model_construct()) == "{}"
    assert dump(ChatCompletionChunkChoice.model_construct(index=0)) == '{"index":0}'
    chunk = ChatCompletionChunk.model_construct(
        id="c", choices=[], created=1, model="m", object="chat.completion.chunk", x_a=1
    )
    assert dump_chunk(chunk) == (
        '{"id":"c","choices":[],"created":1,"model":"m","object":"chat.completion.chunk","x_a":1}'
    )


def test_choice_built_without_delta_leaves_it_out() -> None:
    assert dump(ChatCompletionChunkChoice(index=0)) == '{"index":0}'
    assert dump(ChatCompletionChunkChoice(index=0, delta=ChatCompletionChunkDelta())) == (
        '{"index":0,"delta":{}}'
    )
    built = ChatCompletionChunkChoice(index=0, finish_reason=None)
    assert all_unset(built.delta)


def _no_delta_chunk() -> ChatCompletionChunk:
    payload = find("azure", lambda d: bool(d["choices"]) and "delta" not in choice0(d))
    return parse_chunk(payload)


def test_filled_in_placeholder_delta_is_written() -> None:
    chunk = _no_delta_chunk()
    chunk.choices[0].delta.content = "x"
    assert dumped(chunk)["choices"][0]["delta"] == {"content": "x"}
    assert parse_chunk(dump_chunk(chunk)).choices[0].delta.content == "x"


def test_placeholder_delta_with_an_extra_is_written() -> None:
    chunk = _no_delta_chunk()
    chunk.choices[0].delta.x_note = "n"
    assert dumped(chunk)["choices"][0]["delta"] == {"x_note": "n"}


def test_placeholder_delta_model_copy_update_is_written() -> None:
    chunk = _no_delta_chunk()
    choice = chunk.choices[0]
    filled = choice.model_copy(update={"delta": choice.delta.model_copy(update={"content": "y"})})
    assert to_dict(filled)["delta"] == {"content": "y"}
    assert "delta" not in to_dict(choice)
    assert "delta" not in to_dict(choice.model_copy())


def test_replacing_the_placeholder_with_an_empty_delta_writes_it() -> None:
    chunk = _no_delta_chunk()
    chunk.choices[0].delta = ChatCompletionChunkDelta()
    assert dumped(chunk)["choices"][0]["delta"] == {}


@pytest.mark.parametrize(
    ("model", "kwargs"),
    [
        (ChatCompletionChunkDelta, {"content": 5}),
        (ChatCompletionChunkDelta, {"role": None, "tool_calls": {"index": 0}}),
        (ChatCompletionChunkChoice, {"index": "0"}),
        (ChatCompletionChunkChoice, {"index": True}),
        (ChatCompletionChunkTopLogprob, {"token": "a", "logprob": float("nan")}),
        (ChatCompletionChunkTopLogprob, {"token": "a", "logprob": "1.0"}),
        (CompletionUsage, {"prompt_tokens": 1.0, "completion_tokens": 1, "total_tokens": 2}),
        (ChatCompletionChunkDelta, {"x_extra": float("inf")}),
        (ChatCompletionChunkDelta, {"x_extra": (1, 2)}),
        (ChatCompletionChunkDelta, {"x_extra": {"a": {1, 2}}}),
        (ChatCompletionChunkDelta, {"x_extra": UNSET}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "-".join(v),
)
def test_python_mode_is_strict(model: Type[BaseModel], kwargs: Dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        model(**kwargs)
    assert isinstance(info.value, ValueError)
    assert {str(e["loc"][0]) for e in info.value.errors()} <= set(kwargs)


def test_python_mode_accepts_unset_and_none() -> None:
    delta = ChatCompletionChunkDelta(content=UNSET, role=None)
    assert delta.content is UNSET
    assert dump(delta) == '{"role":null}'


def test_built_logprob_and_usage_need_no_number() -> None:
    assert dump(ChatCompletionChunkTokenLogprob(token="a", prob=0.5)) == '{"token":"a","prob":0.5}'
    assert dump(ChatCompletionChunkTopLogprob(token="a", logprob=0)) == '{"token":"a","logprob":0}'
    assert dump(CompletionUsage(prompt_tokens=3)) == '{"prompt_tokens":3}'


# --- JSON schema -------------------------------------------------------------------


@pytest.fixture(scope="module")
def chunk_schema() -> Dict[str, Any]:
    # The warnings are checked by their own test; the content is checked here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema: Dict[str, Any] = ChatCompletionChunk.model_json_schema()
    return schema


def test_json_schema_generation_emits_no_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatCompletionChunk.model_json_schema()
        ChatCompletionChunk.model_json_schema(mode="serialization")
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


def test_json_schema_required_fields(chunk_schema: Dict[str, Any]) -> None:
    assert sorted(chunk_schema["required"]) == ["choices", "created", "id", "model", "object"]
    definitions = chunk_schema["$defs"]
    assert definitions["ChatCompletionChunkChoice"]["required"] == ["index"]  # not delta
    # llama.cpp sends no logprob with post_sampling_probs; servers leave usage counts out.
    assert definitions["ChatCompletionChunkTokenLogprob"]["required"] == ["token"]
    assert definitions["ChatCompletionChunkTopLogprob"]["required"] == ["token"]
    assert "required" not in definitions["CompletionUsage"]


def test_json_schema_optional_nullable_fields(chunk_schema: Dict[str, Any]) -> None:
    definitions = {"ChatCompletionChunk": chunk_schema, **chunk_schema["$defs"]}
    checked = 0
    for model in ALL_MODELS:
        schema = definitions[model.__name__]
        for name, field in model.model_fields.items():
            if field.default is not UNSET:
                continue
            prop = schema["properties"][name]
            assert name not in schema.get("required", []), (model.__name__, name)
            assert {"type": "null"} in prop["anyOf"], (model.__name__, name)
            assert "default" not in prop, (model.__name__, name)
            checked += 1
    assert checked >= 35


def test_json_schema_never_mentions_unset(chunk_schema: Dict[str, Any]) -> None:
    text = json.dumps(chunk_schema)
    assert "UNSET" not in text
    assert "Unset" not in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serialization = json.dumps(ChatCompletionChunk.model_json_schema(mode="serialization"))
    assert "UNSET" not in serialization
    assert "Unset" not in serialization


# --- pickling and copying of edited and built models ------------------------------


def test_pickle_and_deepcopy_keep_the_placeholder_and_edits() -> None:
    chunk = _no_delta_chunk()
    for clone in (pickle.loads(pickle.dumps(chunk)), copy.deepcopy(chunk)):
        assert "delta" not in dumped(clone)["choices"][0]
        clone.choices[0].delta.content = "x"
        assert dumped(clone)["choices"][0]["delta"] == {"content": "x"}
    assert "delta" not in dumped(chunk)["choices"][0]  # the original is untouched
    built = _built()
    built.choices[0].delta.content = None
    restored = pickle.loads(pickle.dumps(built))
    assert restored == built
    assert dumped(restored)["choices"][0]["delta"] == {"content": None}
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET
    assert copy.deepcopy(UNSET) is UNSET
