# ruff: noqa: E501
"""`check_conformance` and `StreamConformance`: what the models accept that the OpenAI
specification does not, chunk by chunk and across a stream."""

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import chatchunk
from chatchunk import (
    ChatCompletionChunk,
    Finding,
    StreamConformance,
    StreamEnd,
    StreamErrorEvent,
    check_conformance,
    iter_events,
    parse_chunk,
)
from chatchunk._cli import main
from providers import PROVIDER_CHUNKS

HEAD = {
    "id": "chatcmpl-Cx1aB2cD3eF4gH5iJ6kL7mN8oP9q",
    "object": "chat.completion.chunk",
    "created": 1764288000,
    "model": "gpt-4o-2024-08-06",
    "service_tier": "default",
    "system_fingerprint": "fp_07871e2ad8",
}

# Chunks that follow the specification to the letter, one for each shape OpenAI sends.
CONFORMANT: List[Dict[str, Any]] = [
    {
        **HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": "", "refusal": None},
                "logprobs": None,
                "finish_reason": None,
            }
        ],
        "usage": None,
        "obfuscation": "r4N7",
    },
    {
        **HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {"content": "Hello"},
                "logprobs": {
                    "content": [
                        {
                            "token": "Hello",
                            "logprob": -0.01,
                            "bytes": [72, 101, 108, 108, 111],
                            "top_logprobs": [
                                {
                                    "token": "Hello",
                                    "logprob": -0.01,
                                    "bytes": [72, 101, 108, 108, 111],
                                },
                                {"token": "<|end|>", "logprob": -9999.0, "bytes": None},
                            ],
                        }
                    ],
                    "refusal": None,
                },
                "finish_reason": None,
            }
        ],
    },
    {
        **HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_4fQx8TnC2mVb0yKzR1uWdE7s",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": ""},
                        }
                    ]
                },
                "logprobs": None,
                "finish_reason": None,
            }
        ],
    },
    {
        **HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {"function_call": {"name": "f", "arguments": "{}"}},
                "logprobs": None,
                "finish_reason": "function_call",
            }
        ],
    },
    {**HEAD, "choices": [{"index": 1, "delta": {}, "logprobs": None, "finish_reason": "stop"}]},
    {
        **HEAD,
        "service_tier": None,
        "choices": [],
        "usage": {
            "prompt_tokens": 1204,
            "completion_tokens": 389,
            "total_tokens": 1593,
            "prompt_tokens_details": {
                "cached_tokens": 1024,
                "audio_tokens": 0,
                "text_tokens": 180,
                "image_tokens": 0,
                "cache_write_tokens": 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": 320,
                "audio_tokens": 0,
                "text_tokens": 69,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "moderation": None,
    },
    {
        **HEAD,
        "choices": [],
        "moderation": {
            "input": {
                "type": "moderation_results",
                "model": "omni-moderation-latest",
                "results": [],
            },
            "output": {"type": "error", "code": "timeout", "message": "moderation timed out"},
        },
    },
]


def chunk(choices: Optional[List[Dict[str, Any]]] = None, **fields: Any) -> ChatCompletionChunk:
    """A conformant chunk with ``fields`` changed (a value of ... removes the key)."""
    data: Dict[str, Any] = {**HEAD, "choices": choices if choices is not None else []}
    data.update(fields)
    return parse_chunk(json.dumps({k: v for k, v in data.items() if v is not ...}))


def choice(**fields: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {"index": 0, "delta": {}, "logprobs": None, "finish_reason": None}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


def _top(**fields: Any) -> Dict[str, Any]:
    """A conformant top logprob entry with ``fields`` changed (... removes the key)."""
    data: Dict[str, Any] = {"token": " a", "logprob": -0.2, "bytes": [32, 97], **fields}
    return {k: v for k, v in data.items() if v is not ...}


def _token(**fields: Any) -> Dict[str, Any]:
    """A conformant logprob entry with ``fields`` changed (... removes the key)."""
    data: Dict[str, Any] = {"token": " a", "logprob": -0.2, "bytes": [32, 97]}
    data["top_logprobs"] = [_top()]
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


def _logprobs(*tokens: Dict[str, Any]) -> Dict[str, Any]:
    return {"content": list(tokens), "refusal": None}


def _usage(**fields: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


def kinds(findings: List[Finding]) -> List[Tuple[str, str]]:
    return [(f.kind, f.path) for f in findings]


# --- the API ----------------------------------------------------------------------------


def test_public_names() -> None:
    for name in ("check_conformance", "StreamConformance", "Finding"):
        assert name in chatchunk.__all__
        assert getattr(chatchunk, name).__doc__


def test_finding_is_a_named_tuple() -> None:
    finding = Finding("x_groq", "unknown_field", "message")
    assert finding.provider is None
    assert finding == ("x_groq", "unknown_field", "message", None)
    assert Finding._fields == ("path", "kind", "message", "provider")


@pytest.mark.parametrize("data", CONFORMANT, ids=range(len(CONFORMANT)))
def test_conformant_chunk_has_no_findings(data: Dict[str, Any]) -> None:
    assert check_conformance(parse_chunk(json.dumps(data))) == []


def test_conformant_stream_has_no_findings() -> None:
    stream = StreamConformance()
    for data in CONFORMANT:
        assert stream.add(parse_chunk(json.dumps(data))) == []
    assert stream.finish(done=True) == []
    assert stream.chunk_count == len(CONFORMANT)


# --- unknown fields and providers -------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "path", "provider"),
    [
        (chunk(x_groq={"id": "req_1"}), "x_groq", "Groq"),
        (chunk(timings={"prompt_n": 1}), "timings", "llama.cpp"),
        (chunk(prompt_filter_results=[]), "prompt_filter_results", "Azure OpenAI"),
        (chunk(provider="Google"), "provider", "OpenRouter"),
        (chunk(citations=["https://example.org"]), "citations", "Perplexity"),
        (
            chunk([choice(content_filter_results={})]),
            "choices.0.content_filter_results",
            "Azure OpenAI",
        ),
        (
            chunk([choice(native_finish_reason=None)]),
            "choices.0.native_finish_reason",
            "OpenRouter",
        ),
        (chunk([choice(stop_reason=128009)]), "choices.0.stop_reason", "vLLM"),
        (chunk([choice(stop_reason=None)]), "choices.0.stop_reason", "vLLM"),
        (chunk([choice(matched_stop=2)]), "choices.0.matched_stop", "SGLang"),
        (chunk([choice(), choice(index=1, text="Hi")]), "choices.1.text", "Together"),
        (
            chunk([choice(delta={"reasoning_content": "Hm"})]),
            "choices.0.delta.reasoning_content",
            "DeepSeek/vLLM/llama.cpp",
        ),
        (
            chunk([choice(delta={"reasoning": None})]),
            "choices.0.delta.reasoning",
            "vLLM/Ollama/OpenRouter/Groq",
        ),
        (
            chunk([choice(delta={"reasoning_details": []})]),
            "choices.0.delta.reasoning_details",
            "OpenRouter",
        ),
        (
            chunk([choice(delta={"tool_calls": [{"index": 0, "extra_content": {}}]})]),
            "choices.0.delta.tool_calls.0.extra_content",
            "Gemini",
        ),
        (
            chunk(usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "cost": 0}),
            "usage.cost",
            "OpenRouter/LiteLLM",
        ),
        (
            chunk(
                usage={
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "total_tokens": 2,
                    "prompt_cache_hit_tokens": 0,
                }
            ),
            "usage.prompt_cache_hit_tokens",
            "DeepSeek",
        ),
        (
            chunk(
                usage={
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "total_tokens": 2,
                    "queue_time": 0.01,
                }
            ),
            "usage.queue_time",
            "Groq",
        ),
        (
            chunk(
                [
                    choice(
                        logprobs={
                            "content": [
                                {
                                    "id": 1052,
                                    "token": " a",
                                    "logprob": -0.2,
                                    "bytes": [32, 97],
                                    "top_logprobs": [
                                        {"token": " a", "logprob": -0.2, "bytes": None}
                                    ],
                                }
                            ],
                            "refusal": None,
                        }
                    )
                ]
            ),
            "choices.0.logprobs.content.*.id",
            "llama.cpp",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(prob=0.8)))]),
            "choices.0.logprobs.content.*.prob",
            "llama.cpp",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(top_probs=[])))]),
            "choices.0.logprobs.content.*.top_probs",
            "llama.cpp",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(top_logprobs=[_top(prob=1.0)])))]),
            "choices.0.logprobs.content.*.top_logprobs.*.prob",
            "llama.cpp",
        ),
        (chunk(some_new_field=1), "some_new_field", None),
        (chunk([choice(delta={"audio": {}})]), "choices.0.delta.audio", None),
        (
            chunk(
                usage={
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "total_tokens": 2,
                    "prompt_tokens_details": {"cached_tokens": 0, "video_tokens": 0},
                }
            ),
            "usage.prompt_tokens_details.video_tokens",
            None,
        ),
    ],
)
def test_unknown_field(payload: ChatCompletionChunk, path: str, provider: Optional[str]) -> None:
    findings = check_conformance(payload)
    assert kinds(findings) == [("unknown_field", path)]
    name = path.rsplit(".", 1)[-1]
    sent = f" (sent by {provider})" if provider else ""
    assert findings[0] == Finding(
        path, "unknown_field", f"{name!r} is not in the OpenAI specification{sent}", provider
    )


def test_unknown_fields_in_payload_order_at_every_level() -> None:
    payload = chunk(
        [choice(delta={"reasoning_content": "a", "content": "b", "token_id": 9}, seed=None)],
        x_groq={},
        prompt_token_ids=[1],
    )
    assert kinds(check_conformance(payload)) == [
        ("unknown_field", "x_groq"),
        ("unknown_field", "prompt_token_ids"),
        ("unknown_field", "choices.0.seed"),
        ("unknown_field", "choices.0.delta.reasoning_content"),
        ("unknown_field", "choices.0.delta.token_id"),
    ]


# --- enumerations, object, required and null -------------------------------------------


@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [
        (
            chunk([choice(finish_reason="eos")]),
            "choices.0.finish_reason",
            "finish_reason 'eos' is not one of the OpenAI values (stop, length, tool_calls, content_filter, function_call)",
        ),
        (
            chunk([choice(finish_reason="")]),
            "choices.0.finish_reason",
            "finish_reason '' is not one of the OpenAI values (stop, length, tool_calls, content_filter, function_call)",
        ),
        (
            chunk([choice(delta={"role": "model"})]),
            "choices.0.delta.role",
            "role 'model' is not one of the OpenAI values (developer, system, user, assistant, tool)",
        ),
        (
            chunk(service_tier="standard"),
            "service_tier",
            "service_tier 'standard' is not one of the OpenAI values (auto, default, flex, scale, priority, fast)",
        ),
        (
            chunk([choice(delta={"tool_calls": [{"index": 0, "type": "custom"}]})]),
            "choices.0.delta.tool_calls.0.type",
            "type 'custom' is not one of the OpenAI values (function)",
        ),
    ],
)
def test_unknown_enum_value(payload: ChatCompletionChunk, path: str, message: str) -> None:
    assert check_conformance(payload) == [Finding(path, "unknown_enum_value", message)]


@pytest.mark.parametrize("value", ["", "chat.completion", "Chat.Completion.Chunk"])
def test_object_value(value: str) -> None:
    assert check_conformance(chunk(object=value)) == [
        Finding(
            "object",
            "object_value",
            f"object is {value!r}; the OpenAI specification says 'chat.completion.chunk'",
        )
    ]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (chunk([choice(delta=...)]), "choices.0.delta"),
        (chunk([choice(finish_reason=...)]), "choices.0.finish_reason"),
        (
            chunk([choice(delta={"tool_calls": [{"id": "call_1", "type": "function"}]})]),
            "choices.0.delta.tool_calls.0.index",
        ),
        (chunk([choice(logprobs={"content": None})]), "choices.0.logprobs.refusal"),
        (chunk([choice(logprobs={"refusal": []})]), "choices.0.logprobs.content"),
        (
            chunk(
                [
                    choice(
                        logprobs={
                            "content": [{"token": "a", "logprob": 0, "top_logprobs": []}],
                            "refusal": None,
                        }
                    )
                ]
            ),
            "choices.0.logprobs.content.*.bytes",
        ),
        (
            chunk(
                [
                    choice(
                        logprobs={
                            "content": [{"token": "a", "logprob": 0, "bytes": None}],
                            "refusal": None,
                        }
                    )
                ]
            ),
            "choices.0.logprobs.content.*.top_logprobs",
        ),
        (
            chunk(
                [
                    choice(
                        logprobs={
                            "content": None,
                            "refusal": [
                                {
                                    "token": "a",
                                    "logprob": 0,
                                    "bytes": [97],
                                    "top_logprobs": [{"token": "a", "logprob": 0}],
                                }
                            ],
                        }
                    )
                ]
            ),
            "choices.0.logprobs.refusal.*.top_logprobs.*.bytes",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(logprob=...)))]),
            "choices.0.logprobs.content.*.logprob",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(top_logprobs=[_top(logprob=...)])))]),
            "choices.0.logprobs.content.*.top_logprobs.*.logprob",
        ),
        (chunk(usage=_usage(prompt_tokens=...)), "usage.prompt_tokens"),
        (chunk(usage=_usage(completion_tokens=...)), "usage.completion_tokens"),
        (chunk(usage=_usage(total_tokens=...)), "usage.total_tokens"),
        (
            chunk(moderation={"input": {"type": "error", "code": "x", "message": "y"}}),
            "moderation.output",
        ),
        (
            chunk(
                moderation={
                    "input": {"type": "moderation_results", "model": "m"},
                    "output": {"type": "error", "code": "x", "message": "y"},
                }
            ),
            "moderation.input.results",
        ),
        (
            chunk(
                moderation={"input": {}, "output": {"type": "error", "code": "x", "message": "y"}}
            ),
            "moderation.input.type",
        ),
    ],
)
def test_missing_field(payload: ChatCompletionChunk, path: str) -> None:
    name = path.rsplit(".", 1)[-1]
    assert check_conformance(payload) == [
        Finding(
            path, "missing_field", f"{name!r} is required by the OpenAI specification but absent"
        )
    ]


def test_azure_annotation_choice() -> None:
    # Azure's asynchronous content-filter choice: no delta, Azure fields, and a header
    # chunk with an empty object.
    payload = parse_chunk(PROVIDER_CHUNKS["azure"][3])
    assert kinds(check_conformance(payload)) == [
        ("object_value", "object"),
        ("unknown_field", "choices.0.content_filter_offsets"),
        ("unknown_field", "choices.0.content_filter_results"),
        ("missing_field", "choices.0.delta"),
    ]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (chunk(system_fingerprint=None), "system_fingerprint"),
        (chunk(obfuscation=None), "obfuscation"),
        (chunk([choice(delta={"role": None})]), "choices.0.delta.role"),
        (chunk([choice(delta={"tool_calls": None})]), "choices.0.delta.tool_calls"),
        (chunk([choice(delta={"function_call": None})]), "choices.0.delta.function_call"),
        (
            chunk([choice(delta={"tool_calls": [{"index": None}]})]),
            "choices.0.delta.tool_calls.0.index",
        ),
        (
            chunk([choice(delta={"tool_calls": [{"index": 0, "function": {"name": None}}]})]),
            "choices.0.delta.tool_calls.0.function.name",
        ),
        (
            chunk([choice(delta={"function_call": {"arguments": None}})]),
            "choices.0.delta.function_call.arguments",
        ),
        (
            chunk(
                [
                    choice(
                        logprobs={
                            "content": [
                                {"token": "a", "logprob": 0, "bytes": None, "top_logprobs": None}
                            ],
                            "refusal": None,
                        }
                    )
                ]
            ),
            "choices.0.logprobs.content.*.top_logprobs",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(logprob=None)))]),
            "choices.0.logprobs.content.*.logprob",
        ),
        (
            chunk([choice(logprobs=_logprobs(_token(top_logprobs=[_top(logprob=None)])))]),
            "choices.0.logprobs.content.*.top_logprobs.*.logprob",
        ),
        (chunk(usage=_usage(prompt_tokens=None)), "usage.prompt_tokens"),
        (chunk(usage=_usage(completion_tokens=None)), "usage.completion_tokens"),
        (chunk(usage=_usage(total_tokens=None)), "usage.total_tokens"),
        (
            chunk(
                usage={
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "total_tokens": 2,
                    "prompt_tokens_details": None,
                }
            ),
            "usage.prompt_tokens_details",
        ),
        (
            chunk(
                usage={
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "total_tokens": 2,
                    "completion_tokens_details": {"reasoning_tokens": None},
                }
            ),
            "usage.completion_tokens_details.reasoning_tokens",
        ),
    ],
)
def test_null_value(payload: ChatCompletionChunk, path: str) -> None:
    name = path.rsplit(".", 1)[-1]
    assert check_conformance(payload) == [
        Finding(
            path, "null_value", f"{name!r} is null; the OpenAI specification allows no null here"
        )
    ]


@pytest.mark.parametrize(
    ("moderation", "expected"),
    [
        ("flagged", [("wrong_type", "moderation")]),
        (
            {"input": [], "output": {"type": "error", "code": "c", "message": "m"}},
            [("wrong_type", "moderation.input")],
        ),
        (
            {
                "input": {"type": "verdict"},
                "output": {"type": "error", "code": "c", "message": "m"},
            },
            [("unknown_enum_value", "moderation.input.type")],
        ),
        (
            {
                "input": {"type": "error", "code": "c", "message": "m", "retry": True},
                "output": {"type": "error", "code": "c", "message": "m"},
                "score": 1,
            },
            [("unknown_field", "moderation.score"), ("unknown_field", "moderation.input.retry")],
        ),
    ],
)
def test_moderation_shape(moderation: Any, expected: List[Tuple[str, str]]) -> None:
    assert kinds(check_conformance(chunk(moderation=moderation))) == expected


# --- what real providers send -------------------------------------------------------------


def test_provider_streams_are_attributed() -> None:
    # Every unknown field in the provider-shaped payloads of the test suite whose name
    # the table knows is attributed, and the attributions name the right provider.
    expected = {
        "groq": {
            "x_groq": "Groq",
            "usage.queue_time": "Groq",
            "choices.0.delta.reasoning": "vLLM/Ollama/OpenRouter/Groq",
        },
        "deepseek": {
            "choices.0.delta.reasoning_content": "DeepSeek/vLLM/llama.cpp",
            "usage.prompt_cache_hit_tokens": "DeepSeek",
            "usage.prompt_cache_miss_tokens": "DeepSeek",
        },
        "openrouter": {
            "provider": "OpenRouter",
            "choices.0.native_finish_reason": "OpenRouter",
            "choices.0.delta.reasoning_details": "OpenRouter",
            "usage.cost": "OpenRouter/LiteLLM",
            "usage.is_byok": "OpenRouter",
            "usage.cost_details": "OpenRouter",
            "error": "OpenRouter",
        },
        "llamacpp": {
            "timings": "llama.cpp",
            "choices.0.logprobs.content.*.id": "llama.cpp",
            "choices.0.logprobs.content.*.prob": "llama.cpp",
            "choices.0.logprobs.content.*.top_probs": "llama.cpp",
        },
        "together": {
            "choices.0.text": "Together",
            "choices.0.seed": "Together",
            "choices.0.delta.token_id": "Together",
        },
        "gemini": {"choices.0.delta.tool_calls.0.extra_content": "Gemini"},
    }
    for provider, fields in expected.items():
        seen: Dict[str, Optional[str]] = {}
        for payload in PROVIDER_CHUNKS[provider]:
            for finding in check_conformance(parse_chunk(payload)):
                if finding.kind == "unknown_field":
                    seen[finding.path] = finding.provider
        for path, who in fields.items():
            assert seen.get(path) == who, (provider, path)


def test_openai_provider_chunks_only_break_the_null_rule() -> None:
    # OpenAI's own older models send "system_fingerprint": null, which the spec forbids.
    found = {
        (f.kind, f.path)
        for payload in PROVIDER_CHUNKS["openai"]
        for f in check_conformance(parse_chunk(payload))
    }
    assert found == {("null_value", "system_fingerprint")}


def test_llamacpp_post_sampling_probs() -> None:
    # llama.cpp's "post_sampling_probs": prob and top_probs stand in for logprob and
    # top_logprobs. The top_probs entries are plain JSON, inside one unknown field.
    payload = next(p for p in PROVIDER_CHUNKS["llamacpp"] if '"top_probs"' in p)
    token = "choices.0.logprobs.content.*"
    findings = check_conformance(parse_chunk(payload))
    assert [(f.kind, f.path, f.provider) for f in findings] == [
        ("missing_field", "choices.0.logprobs.refusal", None),
        ("unknown_field", f"{token}.id", "llama.cpp"),
        ("unknown_field", f"{token}.prob", "llama.cpp"),
        ("unknown_field", f"{token}.top_probs", "llama.cpp"),
        ("missing_field", f"{token}.logprob", None),
        ("missing_field", f"{token}.top_logprobs", None),
    ]


def test_llamacpp_top_entry_with_prob_only() -> None:
    # The same shape one level down, as a top_logprobs entry.
    payload = chunk(
        [choice(logprobs=_logprobs(_token(top_logprobs=[_top(logprob=..., prob=0.3)])))]
    )
    top = "choices.0.logprobs.content.*.top_logprobs.*"
    assert [(f.kind, f.path, f.provider) for f in check_conformance(payload)] == [
        ("unknown_field", f"{top}.prob", "llama.cpp"),
        ("missing_field", f"{top}.logprob", None),
    ]


@pytest.mark.parametrize(
    ("marker", "missing"),
    [
        ("chat-5d7f", ["completion_tokens"]),
        ("b1c3e5a7", ["prompt_tokens", "completion_tokens", "total_tokens"]),
        ("chatcmpl-7f3a", ["completion_tokens"]),
    ],
    ids=["litellm-vllm", "sglang", "gemini-proxy"],
)
def test_usage_counts_left_out_are_missing_fields(marker: str, missing: List[str]) -> None:
    payload = next(p for p in PROVIDER_CHUNKS["edge"] if json.loads(p)["id"].startswith(marker))
    found = [f.path for f in check_conformance(parse_chunk(payload)) if f.kind == "missing_field"]
    assert [path for path in found if path.startswith("usage.")] == [
        f"usage.{name}" for name in missing
    ]
    # And no sum is checked across the stream: there is none to check.
    stream = StreamConformance()
    assert stream.add(parse_chunk(payload)) == []


# --- the stream -------------------------------------------------------------------------


def test_id_change_reported_once_per_change() -> None:
    stream = StreamConformance()
    found: List[Finding] = []
    for id_ in ["a", "a", "b", "b", "b", "a"]:
        found += stream.add(chunk(id=id_))
    assert found == [
        Finding("id", "id_changed", "id changed from 'a' to 'b' at chunk 3"),
        Finding("id", "id_changed", "id changed from 'b' to 'a' at chunk 6"),
    ]
    assert stream.findings == found
    assert stream.finish() == found


def test_created_and_model_changes() -> None:
    stream = StreamConformance()
    stream.add(chunk())
    assert stream.add(chunk(created=1764288001, model="gpt-4o-mini")) == [
        Finding(
            "created", "created_changed", "created changed from 1764288000 to 1764288001 at chunk 2"
        ),
        Finding(
            "model",
            "model_changed",
            "model changed from 'gpt-4o-2024-08-06' to 'gpt-4o-mini' at chunk 2",
        ),
    ]
    assert stream.add(chunk(created=1764288001, model="gpt-4o-mini")) == []


def test_empty_header_values_are_no_change() -> None:
    # Azure's prompt-filter chunk: empty id and model, created 0; TGI: an empty id throughout.
    stream = StreamConformance()
    azure_header: Dict[str, Any] = {"id": "", "model": "", "created": 0}
    for data in [azure_header, {}, azure_header, {}]:
        assert stream.add(chunk(**data)) == []


def test_usage_total_mismatch_once_per_usage() -> None:
    bad = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 16}
    good = {"prompt_tokens": 10, "completion_tokens": 6, "total_tokens": 16}
    stream = StreamConformance()
    assert stream.add(chunk(usage=good)) == []
    assert stream.add(chunk(usage=bad)) == [
        Finding(
            "usage.total_tokens",
            "usage_total_mismatch",
            "total_tokens is 16, but prompt_tokens + completion_tokens = 10 + 5 = 15 at chunk 2",
        )
    ]
    assert stream.add(chunk(usage=bad)) == []  # the same usage repeated (vLLM continuous usage)
    assert stream.add(chunk(usage=None)) == []
    assert kinds(stream.finish()) == [("usage_total_mismatch", "usage.total_tokens")]


def test_usage_total_mismatch_needs_all_three_counts() -> None:
    stream = StreamConformance()
    for partial in (
        _usage(completion_tokens=...),
        _usage(prompt_tokens=None, total_tokens=7),
        {"prompt_tokens_details": {"cached_tokens": 0}},
    ):
        assert stream.add(chunk(usage=partial)) == []
    # A whole usage after them is still checked.
    assert kinds(stream.add(chunk(usage=_usage(total_tokens=3)))) == [
        ("usage_total_mismatch", "usage.total_tokens")
    ]


def test_choices_that_never_finish() -> None:
    stream = StreamConformance()
    stream.add(chunk([choice(index=0), choice(index=1), choice(index=2)]))
    stream.add(chunk([choice(index=1, finish_reason="stop")]))
    stream.add(chunk([choice(index=2, finish_reason="")]))  # empty is no reason
    assert stream.finish(done=True) == [
        Finding(
            "choices.0.finish_reason",
            "choice_not_finished",
            "choice 0 never received a finish_reason",
        ),
        Finding(
            "choices.2.finish_reason",
            "choice_not_finished",
            "choice 2 never received a finish_reason",
        ),
    ]
    stream.add(
        chunk([choice(index=0, finish_reason="length"), choice(index=2, finish_reason="stop")])
    )
    assert stream.finish(done=True) == []


def test_no_done_only_when_told_the_stream_had_none() -> None:
    stream = StreamConformance()
    stream.add(chunk([choice(finish_reason="stop")]))
    assert stream.finish(done=False) == [
        Finding("", "no_done", "the stream ended without a 'data: [DONE]' event")
    ]
    assert stream.finish(done=True) == []
    assert stream.finish() == []  # JSON Lines: no [DONE] to expect


def test_error_events_are_ignored() -> None:
    stream = StreamConformance()
    error = StreamErrorEvent({"message": "overloaded"}, {"error": {"message": "overloaded"}})
    assert stream.add(error) == []
    assert stream.chunk_count == 0
    assert stream.finish(done=True) == []


def test_stream_from_iter_events() -> None:
    body = b"".join(
        b"data: " + json.dumps(data).encode() + b"\n\n"
        for data in [
            {**HEAD, "choices": [choice()]},
            {**HEAD, "id": "chatcmpl-other", "choices": [choice(finish_reason="stop")]},
        ]
    )
    stream = StreamConformance()
    for item in iter_events([body]):
        stream.add(item)
    assert kinds(stream.finish(done=False)) == [("id_changed", "id"), ("no_done", "")]


# --- what the peers of tests/test_peers.py send ------------------------------------------

PEERS = Path(__file__).parent / "data" / "peers"


def stream_findings(name: str) -> List[Tuple[str, str, Optional[str]]]:
    """Every finding of a captured stream, chunk by chunk and then the stream's."""
    stream = StreamConformance()
    found: List[Finding] = []
    items = iter_events([(PEERS / name).read_bytes()])
    for item in items:
        assert isinstance(item, ChatCompletionChunk)
        found += check_conformance(item) + stream.add(item)
    found += stream.finish(done=items.end is StreamEnd.DONE)
    return list(dict.fromkeys((f.kind, f.path, f.provider) for f in found))


def test_litellm_streams() -> None:
    assert stream_findings("litellm_mock_n2.sse") == [
        ("missing_field", "choices.0.finish_reason", None),
        ("missing_field", "choices.1.finish_reason", None),
        ("usage_with_choices", "choices", None),
        ("choice_not_finished", "choices.1.finish_reason", None),
    ]
    anthropic = "LiteLLM (Anthropic)"
    assert stream_findings("litellm_anthropic_fakellm_tools.sse") == [
        ("missing_field", "choices.0.finish_reason", None),
        ("unknown_field", "usage.cache_creation_input_tokens", anthropic),
        ("unknown_field", "usage.cache_read_input_tokens", anthropic),
        ("unknown_field", "usage.prompt_tokens_details.cache_creation_tokens", anthropic),
        ("usage_with_choices", "choices", None),
    ]
    assert stream_findings("litellm_fakellm_tools.sse") == [
        ("missing_field", "choices.0.finish_reason", None),
        ("unknown_field", "usage.cost", "OpenRouter/LiteLLM"),
        ("usage_with_choices", "choices", None),
    ]


def test_xpyd_sim_and_fakellm_streams() -> None:
    assert stream_findings("xpyd_sim_n2_logprobs.sse") == [
        ("unknown_field", "choices.0.stop_reason", "vLLM"),
        ("null_value", "choices.0.delta.tool_calls", None),
        ("null_value", "choices.0.delta.role", None),
        ("missing_field", "choices.0.logprobs.refusal", None),
    ]
    assert stream_findings("fakellm_tools.sse") == []


@pytest.mark.parametrize(
    ("payload", "path", "provider"),
    [
        (
            chunk(prompt_progress={"total": 9, "cache": 0, "processed": 9}),
            "prompt_progress",
            "llama.cpp",
        ),
        (
            chunk(vertex_ai_grounding_metadata=[]),
            "vertex_ai_grounding_metadata",
            "LiteLLM (Gemini)",
        ),
        (
            chunk(vertex_ai_url_context_metadata=[]),
            "vertex_ai_url_context_metadata",
            "LiteLLM (Gemini)",
        ),
        (chunk(vertex_ai_safety_results=[]), "vertex_ai_safety_results", "LiteLLM (Gemini)"),
        (chunk(vertex_ai_citation_metadata=[]), "vertex_ai_citation_metadata", "LiteLLM (Gemini)"),
        (
            chunk(usage=_usage(cache_creation_input_tokens=0)),
            "usage.cache_creation_input_tokens",
            "LiteLLM (Anthropic)",
        ),
        (
            chunk(usage=_usage(cache_read_input_tokens=12)),
            "usage.cache_read_input_tokens",
            "LiteLLM (Anthropic)",
        ),
        (chunk(usage=_usage(cost=0.00004755)), "usage.cost", "OpenRouter/LiteLLM"),
        # A prefix names a family at its own level only, and not a bare prefix's look-alike.
        (
            chunk([choice(vertex_ai_grounding_metadata=[])]),
            "choices.0.vertex_ai_grounding_metadata",
            None,
        ),
        (chunk(vertex_ai=[]), "vertex_ai", None),
    ],
)
def test_gateway_fields_are_attributed(
    payload: ChatCompletionChunk, path: str, provider: Optional[str]
) -> None:
    (finding,) = check_conformance(payload)
    assert (finding.kind, finding.path, finding.provider) == ("unknown_field", path, provider)
    assert finding.message.endswith(f"(sent by {provider})" if provider else "specification")


def _with_usage(
    choices: List[Dict[str, Any]], usage: Optional[Dict[str, Any]]
) -> ChatCompletionChunk:
    return chunk(choices, usage=usage)


@pytest.mark.parametrize(
    ("stream", "found"),
    [
        # The specification's way: usage null until a last chunk with no choices.
        ([([choice(finish_reason="stop")], None), ([], _usage())], None),
        # No usage at all.
        ([([choice(finish_reason="stop")], ...)], None),
        # LiteLLM: the usage chunk has one empty choice.
        (
            [([choice(finish_reason="stop")], None), ([{"index": 0, "delta": {}}], _usage())],
            "chunk 2 with 1 choice;",
        ),
        # Groq, llama.cpp: the usage rides on the finishing chunk, here of two choices.
        (
            [
                ([choice(), choice(index=1)], None),
                ([choice(finish_reason="stop"), choice(index=1, finish_reason="stop")], _usage()),
            ],
            "chunk 2 with 2 choices;",
        ),
        # vLLM's continuous usage: running counts on every chunk are not judged, only the last.
        (
            [([choice()], _usage()), ([choice(finish_reason="stop")], _usage()), ([], _usage())],
            None,
        ),
        (
            [([choice()], _usage()), ([choice(finish_reason="stop")], _usage())],
            "chunk 2 with 1 choice;",
        ),
        # A null usage after the last one is no usage.
        ([([choice(finish_reason="stop")], _usage()), ([], None)], "chunk 1 with 1 choice;"),
    ],
)
def test_usage_with_choices(
    stream: List[Tuple[List[Dict[str, Any]], Any]], found: Optional[str]
) -> None:
    conformance = StreamConformance()
    for choices, usage in stream:
        assert conformance.add(chunk(choices, usage=usage)) == []  # known only at the end
    findings = [f for f in conformance.finish(done=True) if f.kind == "usage_with_choices"]
    if found is None:
        assert findings == []
    else:
        (finding,) = findings
        assert finding.path == "choices"
        assert f"the final usage came in {found} the OpenAI specification" in finding.message


def _positions(top: Dict[str, Any], tokens: int = 3, tops: int = 2) -> Dict[str, Any]:
    return _logprobs(*[_token(top_logprobs=[_top(**top)] * tops) for _ in range(tokens)])


def test_logprob_list_findings_once_per_chunk() -> None:
    # llama.cpp's `id` on every alternative of every token: one finding, with `*` for
    # the positions, not one per token and alternative.
    payload = chunk([choice(logprobs=_positions({"id": 9259}))])
    assert kinds(check_conformance(payload)) == [
        ("unknown_field", "choices.0.logprobs.content.*.top_logprobs.*.id")
    ]
    # Each kind and path once, in the order first found; the choice keeps its index.
    payload = chunk(
        [
            choice(logprobs=_positions({"id": 1})),
            choice(index=1, logprobs=_logprobs(_token(id=1, bytes=...), _token(bytes=...))),
        ]
    )
    assert kinds(check_conformance(payload)) == [
        ("unknown_field", "choices.0.logprobs.content.*.top_logprobs.*.id"),
        ("unknown_field", "choices.1.logprobs.content.*.id"),
        ("missing_field", "choices.1.logprobs.content.*.bytes"),
    ]


def test_logprob_list_findings_once_per_stream_in_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `chatchunk validate --strict` keeps one finding per (kind, path, message): with the
    # positions starred, twenty chunks of five tokens say it once.
    data = {**HEAD, "choices": [choice(logprobs=_positions({"id": 9259}, tokens=5))]}
    last = {**HEAD, "choices": [choice(finish_reason="stop")]}
    body = "".join(f"data: {json.dumps(d)}\n\n" for d in [data] * 20 + [last]) + "data: [DONE]\n\n"
    (tmp_path / "llamacpp.sse").write_text(body, encoding="utf-8")
    assert main(["validate", "--strict", str(tmp_path / "llamacpp.sse")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[3] for line in out[:-1]] == [
        "choices.0.logprobs.content.*.top_logprobs.*.id"
    ]
    assert (
        out[-1]
        == "summary: 1 file, 21 payloads, 21 valid, 0 invalid, 1 finding, 19 repeated not shown"
    )


def test_module_documents_every_kind() -> None:
    import chatchunk._conformance as module

    kinds_named = {
        "unknown_field",
        "unknown_enum_value",
        "object_value",
        "missing_field",
        "null_value",
        "wrong_type",
        "id_changed",
        "created_changed",
        "model_changed",
        "usage_total_mismatch",
        "usage_with_choices",
        "choice_not_finished",
        "no_done",
    }
    assert module.__doc__ is not None
    for kind in kinds_named:
        assert f"``{kind}``" in module.__doc__
