"""Tests of `ChunkAccumulator`, `accumulate` and `aaccumulate`.

Three layers: whole provider streams from `streams.py` (exact expected
completions), one small hand-written test per merge rule, and properties
(random splits of random text reassemble exactly; memory stays linear).
"""

import asyncio
import json
import tracemalloc
from typing import Any, AsyncIterator, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    IncompleteStreamError,
    InvalidPayload,
    StreamEnd,
    aiter_events,
    dump,
    iter_chunks,
    iter_events,
    parse_chunk,
    to_dict,
)
from chatchunk._accumulate import ChunkAccumulator, StreamAnomaly, aaccumulate, accumulate
from chatchunk._completion import ChatCompletion
from chatchunk._events import StreamErrorEvent
from streams import ANOMALIES, STREAMS, chunks_of

StreamItem = Union[ChatCompletionChunk, StreamErrorEvent]

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def make_chunk(
    choices: Sequence[Dict[str, Any]] = (),
    *,
    id: str = "chatcmpl-1",
    model: str = "m",
    created: int = 1700000000,
    **top: Any,
) -> ChatCompletionChunk:
    """A chunk parsed from JSON, the way a stream delivers it."""
    payload: Dict[str, Any] = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": list(choices),
    }
    payload.update(top)
    return parse_chunk(json.dumps(payload))


def choice(
    delta: Optional[Dict[str, Any]] = None, *, index: int = 0, **fields: Any
) -> Dict[str, Any]:
    """A choice dict; ``delta=None`` leaves the ``delta`` key out (Azure annotations)."""
    result: Dict[str, Any] = {"index": index}
    if delta is not None:
        result["delta"] = delta
    result.setdefault("finish_reason", None)
    result.update(fields)
    return result


def run_async(items: Iterable[StreamItem]) -> ChatCompletion:
    async def stream() -> AsyncIterator[StreamItem]:
        for item in items:
            await asyncio.sleep(0)
            yield item

    return asyncio.run(aaccumulate(stream()))


def texts_of(completion: ChatCompletion) -> Dict[Tuple[Any, ...], str]:
    """Every growing text of a completion, keyed by where it lives."""
    texts: Dict[Tuple[Any, ...], str] = {}
    for c in completion.choices:
        message = c.message
        for field in ("content", "refusal", "reasoning_content"):
            value = getattr(message, field)
            if isinstance(value, str):
                texts[(c.index, field)] = value
        if message.tool_calls:
            for position, call in enumerate(message.tool_calls):
                texts[(c.index, "tool_calls", position)] = call.function.arguments
        if message.function_call:
            texts[(c.index, "function_call")] = message.function_call.arguments
    return texts


def tool_calls_of(completion: ChatCompletion, index: int = 0) -> List[Dict[str, Any]]:
    return to_dict(completion)["choices"][index]["message"]["tool_calls"]


def first_seen(kinds: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(kinds))


# ---------------------------------------------------------------------------------------
# Whole provider streams
# ---------------------------------------------------------------------------------------

STREAM_NAMES = sorted(STREAMS)


def _last_extra(name: str, key: str) -> Any:
    """The last non-null value of a chunk-level provider field in a stream."""
    values = [c.model_extra[key] for c in chunks_of(STREAMS[name][0]) if c.model_extra]
    values = [v for v in values if v is not None]
    return values[-1]


def expected_of(name: str) -> Dict[str, Any]:
    """The completion a provider stream assembles into, provider fields included."""
    return STREAMS[name][1]


@pytest.mark.parametrize(
    ("name", "key"),
    [("azure", "prompt_filter_results"), ("groq", "x_groq"), ("llama_cpp", "timings")],
)
def test_chunk_level_provider_fields_are_the_last_non_null_value(name: str, key: str) -> None:
    assert expected_of(name)[key] == _last_extra(name, key)


def test_groq_keeps_the_x_groq_of_its_last_chunk() -> None:
    # The first chunk's x_groq has only the id; the last one adds the usage.
    assert set(expected_of("groq")["x_groq"]) == {"id", "usage"}
    assert expected_of("llama_cpp")["timings"]["predicted_n"] == 18


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_stream_assembles_into_expected_completion(name: str) -> None:
    body, expected = STREAMS[name][0], expected_of(name)
    result = accumulate(chunks_of(body))
    assert result.object == "chat.completion"
    assert to_dict(result) == expected


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_stream_result_can_be_taken_after_every_chunk(name: str) -> None:
    body, expected = STREAMS[name][0], expected_of(name)
    accumulator = ChunkAccumulator()
    partials: List[ChatCompletion] = []
    for chunk in chunks_of(body):
        accumulator.add(chunk)
        partials.append(accumulator.result())
    final = accumulator.result()
    assert to_dict(final) == expected
    assert to_dict(partials[-1]) == expected
    # Every text seen mid-stream is a prefix of the finished text in the same place.
    final_texts = texts_of(final)
    for partial in partials:
        assert partial.object == "chat.completion"
        for where, text in texts_of(partial).items():
            assert final_texts[where].startswith(text), (where, text)


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_stream_aaccumulate_gives_the_same_completion(name: str) -> None:
    body, expected = STREAMS[name][0], expected_of(name)
    assert to_dict(run_async(chunks_of(body))) == expected


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_stream_counts_finish_and_anomalies(name: str) -> None:
    body, _ = STREAMS[name]
    chunks = chunks_of(body)
    accumulator = ChunkAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    assert accumulator.chunk_count == len(chunks)
    assert accumulator.finished is True
    assert accumulator.errors == []
    assert first_seen(a.kind for a in accumulator.anomalies) == ANOMALIES[name]


def test_stream_bodies_end_as_their_servers_end_them() -> None:
    for name, (body, _) in STREAMS.items():
        assert body.endswith(b"\n\n"), name
        assert body.endswith(b"data: [DONE]\n\n") == (name != "no_done"), name
    # The comments in these bodies are skipped, not parsed.
    assert b": OPENROUTER PROCESSING\n\n" in STREAMS["openrouter"][0]
    assert b": keep-alive\n\n" in STREAMS["deepseek"][0]


# ---------------------------------------------------------------------------------------
# One rule at a time
# ---------------------------------------------------------------------------------------


def test_role_is_set_once_and_never_concatenated() -> None:
    chunks = [
        make_chunk([choice({"role": "assistant", "content": "Hel"})]),
        make_chunk([choice({"role": "assistant", "content": "lo"})]),
        make_chunk([choice({"role": "assistant"}, finish_reason="stop")]),
    ]
    message = accumulate(chunks).choices[0].message
    assert message.role == "assistant"
    assert message.content == "Hello"


def test_first_role_wins_over_a_later_different_one() -> None:
    chunks = [
        make_chunk([choice({"role": "assistant", "content": "a"})]),
        make_chunk([choice({"role": "tool", "content": "b"})]),
    ]
    assert accumulate(chunks).choices[0].message.role == "assistant"


def test_missing_role_defaults_to_assistant() -> None:
    chunks = [make_chunk([choice({"content": "hi"}, finish_reason="stop")])]
    assert accumulate(chunks).choices[0].message.role == "assistant"


def test_repeated_tool_call_id_and_name_are_not_concatenated() -> None:
    def fragment(arguments: str) -> ChatCompletionChunk:
        call = {
            "index": 0,
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": arguments},
        }
        return make_chunk([choice({"tool_calls": [call]})])

    result = accumulate([fragment('{"city":'), fragment('"Oslo"'), fragment("}")])
    assert tool_calls_of(result) == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
        }
    ]


def test_empty_name_on_a_continuation_adds_nothing() -> None:
    chunks = [
        make_chunk(
            [
                choice(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "glob", "arguments": ""},
                            }
                        ]
                    }
                )
            ]
        ),
        make_chunk(
            [choice({"tool_calls": [{"index": 0, "function": {"name": "", "arguments": "{}"}}]})]
        ),
    ]
    accumulator = ChunkAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    assert tool_calls_of(accumulator.result()) == [
        {"id": "call_1", "type": "function", "function": {"name": "glob", "arguments": "{}"}}
    ]
    assert accumulator.anomalies == []


def test_calls_without_index_are_each_a_call_of_their_own() -> None:
    def call(call_id: str, city: str) -> Dict[str, Any]:
        return {
            "id": call_id,
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps({"city": city})},
        }

    chunks = [
        make_chunk([choice({"role": "assistant", "tool_calls": [call("a", "Paris")]})]),
        make_chunk([choice({"role": "assistant", "tool_calls": [call("b", "Rome")]})]),
        make_chunk(
            [choice({"tool_calls": [call("c", "Oslo"), call("d", "Lima")]}, finish_reason="stop")]
        ),
    ]
    calls = tool_calls_of(accumulate(chunks))
    assert [c["id"] for c in calls] == ["a", "b", "c", "d"]
    assert [json.loads(c["function"]["arguments"])["city"] for c in calls] == [
        "Paris",
        "Rome",
        "Oslo",
        "Lima",
    ]


@pytest.mark.parametrize(
    ("fragments", "expected"),
    [
        pytest.param(
            [
                {
                    "id": "c1",
                    "index": 0,
                    "type": "function",
                    "function": {"name": "f", "arguments": "{}"},
                },
                {
                    "id": "c2",
                    "index": 0,
                    "type": "function",
                    "function": {"name": "f", "arguments": "[]"},
                },
                {
                    "id": "c3",
                    "index": 0,
                    "type": "function",
                    "function": {"name": "g", "arguments": "1"},
                },
            ],
            [("c1", "f", "{}"), ("c2", "f", "[]"), ("c3", "g", "1")],
            id="ollama-same-index-own-ids",
        ),
        pytest.param(
            [
                {"index": 0, "function": {"name": "f", "arguments": "{}"}},
                {"index": 0, "function": {"name": "f", "arguments": "[]"}},
            ],
            [("", "f", "{}"), ("", "f", "[]")],
            id="same-index-no-ids-named",
        ),
        pytest.param(
            [
                {"id": "A1", "function": {"name": "f", "arguments": "{}"}, "index": 0},
                {"id": "B2", "function": {"name": "g", "arguments": "[]"}, "index": 1},
            ],
            [("A1", "f", "{}"), ("B2", "g", "[]")],
            id="mistral-index-0-and-1",
        ),
    ],
)
def test_several_complete_calls_in_one_delta(
    fragments: List[Dict[str, Any]], expected: List[Tuple[str, str, str]]
) -> None:
    chunks = [make_chunk([choice({"role": "assistant", "tool_calls": fragments})])]
    calls = tool_calls_of(accumulate(chunks))
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in calls] == expected
    assert {c["type"] for c in calls} == {"function"}


def test_missing_type_means_function() -> None:
    chunks = [
        make_chunk(
            [
                choice(
                    {
                        "tool_calls": [
                            {"index": 0, "id": "x", "function": {"name": "f", "arguments": ""}}
                        ]
                    }
                )
            ]
        ),
        make_chunk([choice({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]})]),
    ]
    result = accumulate(chunks)
    assert tool_calls_of(result)[0]["type"] == "function"


def test_explicit_type_is_kept() -> None:
    fragment = {"index": 0, "id": "x", "type": "custom", "function": {"name": "f", "arguments": ""}}
    result = accumulate([make_chunk([choice({"tool_calls": [fragment]})])])
    assert tool_calls_of(result)[0]["type"] == "custom"


@pytest.mark.parametrize(
    ("deltas", "expected"),
    [
        pytest.param(
            [{"reasoning_content": "Let "}, {"reasoning_content": "me think."}],
            "Let me think.",
            id="reasoning_content",
        ),
        pytest.param(
            [{"reasoning": "Let "}, {"reasoning": "me think."}], "Let me think.", id="reasoning"
        ),
        pytest.param(
            [{"reasoning_content": "Let "}, {"reasoning": "me think."}],
            "Let me think.",
            id="one-then-the-other",
        ),
        pytest.param(
            [
                {"reasoning_content": "Let ", "reasoning": "Let "},
                {"reasoning_content": "me think.", "reasoning": "me think."},
            ],
            "Let me think.",
            id="both-in-one-delta-added-once",
        ),
        pytest.param(
            [{"reasoning": "Let me think.", "reasoning_content": None}],
            "Let me think.",
            id="reasoning-with-null-reasoning_content",
        ),
    ],
)
def test_reasoning_fields_fill_reasoning_content(
    deltas: List[Dict[str, Any]], expected: str
) -> None:
    chunks = [make_chunk([choice(delta)]) for delta in deltas]
    chunks.append(make_chunk([choice({"content": "Answer."}, finish_reason="stop")]))
    message = accumulate(chunks).choices[0].message
    assert message.reasoning_content == expected
    assert message.content == "Answer."


def test_no_reasoning_leaves_reasoning_content_out() -> None:
    chunks = [make_chunk([choice({"content": "hi", "reasoning_content": None})])]
    result = accumulate(chunks)
    assert result.choices[0].message.reasoning_content is UNSET
    assert "reasoning_content" not in to_dict(result)["choices"][0]["message"]


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        ([None, None, "stop"], "stop"),
        ([None, "tool_calls", None], "tool_calls"),
        (["stop", "length"], "length"),
        (["", "", "stop"], "stop"),
        (["stop", ""], "stop"),
        ([None, None], None),
    ],
)
def test_finish_reason_is_the_last_non_null(
    reasons: List[Optional[str]], expected: Optional[str]
) -> None:
    chunks = [make_chunk([choice({"content": "x"}, finish_reason=r)]) for r in reasons]
    assert accumulate(chunks).choices[0].finish_reason == expected


def test_a_later_null_or_absent_value_never_wipes_an_earlier_one() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    chunks = [
        make_chunk([choice({"role": "assistant", "content": "Hi"})], system_fingerprint="fp_1"),
        make_chunk(
            [choice({}, finish_reason="stop")],
            usage=usage,
            system_fingerprint="fp_1",
            service_tier="default",
        ),
        # Nulls everywhere: none of them may replace what was seen.
        make_chunk(
            [choice({"content": None}, finish_reason=None)],
            usage=None,
            system_fingerprint=None,
            service_tier=None,
        ),
        # Keys absent altogether.
        make_chunk([choice({})]),
        make_chunk([]),
    ]
    result = to_dict(accumulate(chunks))
    assert result["usage"] == usage
    assert result["system_fingerprint"] == "fp_1"
    assert result["service_tier"] == "default"
    assert result["choices"][0]["finish_reason"] == "stop"
    assert result["choices"][0]["message"]["content"] == "Hi"


def test_only_nulls_leave_the_optional_fields_out() -> None:
    chunks = [
        make_chunk(
            [choice({"content": "x"})], usage=None, system_fingerprint=None, service_tier=None
        )
    ]
    result = to_dict(accumulate(chunks))
    assert "usage" not in result
    assert "system_fingerprint" not in result
    assert "service_tier" not in result


def test_usage_is_kept_verbatim_with_provider_extras() -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 12,
        "total_tokens": 21,
        "cost": 0.0000375,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_discount": None},
        "cost_details": {"upstream_inference_cost": None},
        "prompt_cache_hit_tokens": 0,
    }
    chunks = [
        make_chunk([choice({"content": "x"}, finish_reason="stop")]),
        make_chunk([], usage=usage),
    ]
    result = accumulate(chunks)
    assert result.usage is not UNSET
    assert result.usage is not None
    assert result.usage.model_extra == {
        "cost": 0.0000375,
        "is_byok": False,
        "cost_details": {"upstream_inference_cost": None},
        "prompt_cache_hit_tokens": 0,
    }
    assert to_dict(result)["usage"] == usage
    assert json.loads(dump(result))["usage"] == usage


def test_usage_on_every_chunk_keeps_the_last() -> None:
    # vLLM with continuous_usage_stats sends a growing usage on every chunk.
    chunks = [
        make_chunk(
            [choice({"content": "ab"[i]})],
            usage={"prompt_tokens": 5, "completion_tokens": i + 1, "total_tokens": 6 + i},
        )
        for i in range(2)
    ]
    assert to_dict(accumulate(chunks))["usage"] == {
        "prompt_tokens": 5,
        "completion_tokens": 2,
        "total_tokens": 7,
    }


def test_obfuscation_is_not_carried_into_the_completion() -> None:
    chunks = [
        make_chunk([choice({"role": "assistant", "content": "Hi"})], obfuscation="Zq81x"),
        make_chunk([choice({}, finish_reason="stop")], obfuscation="p"),
        make_chunk(
            [],
            usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            obfuscation="4rT",
        ),
    ]
    assert all(c.obfuscation is not UNSET for c in chunks)
    result = accumulate(chunks)
    assert "obfuscation" not in dump(result)
    assert to_dict(result)["choices"][0]["message"]["content"] == "Hi"
    # And not through the real OpenAI stream either.
    assert "obfuscation" not in dump(accumulate(chunks_of(STREAMS["openai_text_usage"][0])))


def test_chunk_extras_are_carried_last_non_null_wins() -> None:
    # Groq's x_groq: the id on the first chunk, id and usage on the last. Perplexity's
    # citations and search_results on every chunk; a proxy's late null wipes nothing.
    citations = ["https://en.wikipedia.org/wiki/Paris", "https://www.paris.fr/"]
    chunks = [
        make_chunk(
            [choice({"role": "assistant", "content": "Paris"})],
            x_groq={"id": "req_01jz"},
            citations=citations[:1],
        ),
        make_chunk(
            [choice({"content": "."}, finish_reason="stop")],
            x_groq={"id": "req_01jz", "usage": {"queue_time": 0.02, "total_tokens": 9}},
            citations=citations,
            search_results=[{"title": "Paris", "url": citations[0], "date": None}],
        ),
        make_chunk([], x_groq=None, citations=None, provider="Groq"),
    ]
    result = to_dict(accumulate(chunks))
    assert result["x_groq"] == {"id": "req_01jz", "usage": {"queue_time": 0.02, "total_tokens": 9}}
    assert result["citations"] == citations
    assert result["search_results"] == [{"title": "Paris", "url": citations[0], "date": None}]
    assert result["provider"] == "Groq"
    # A field that was only ever null stays null.
    only_null = to_dict(accumulate([make_chunk([choice({"content": "x"})], cost=None)]))
    assert only_null["cost"] is None


def test_the_result_does_not_share_extras_with_the_chunks() -> None:
    chunk = make_chunk([choice({"content": "x"})], x_groq={"id": "req_1"})
    result = accumulate([chunk])
    assert chunk.model_extra is not None
    chunk.model_extra["x_groq"]["id"] = "changed"
    assert result.model_extra == {"x_groq": {"id": "req_1"}}


def test_openrouter_reasoning_details_merge_by_index() -> None:
    # OpenRouter in front of Anthropic: text fragments at index 0, the signature on a
    # last fragment of that index; an encrypted block at index 1; a summary at index 2.
    text = {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0}
    fragments = [
        [{**text, "text": "The user", "signature": None}],
        [{**text, "text": " asks about Paris."}],
        [{**text, "text": "", "signature": "ErUBCkYIBRgCIkA..."}],
        [
            {
                "type": "reasoning.encrypted",
                "data": "gAAAAB",
                "id": "rs_1",
                "format": "openai-responses-v1",
                "index": 1,
            }
        ],
        [{"type": "reasoning.encrypted", "data": "oQx9", "index": 1}],
        [
            {"type": "reasoning.summary", "summary": "**Paris**", "index": 2},
            {"type": "reasoning.summary", "summary": " weather", "index": 2},
        ],
        [],
    ]
    chunks = [make_chunk([choice({"reasoning": "x", "reasoning_details": f})]) for f in fragments]
    details = to_dict(accumulate(chunks))["choices"][0]["message"]["reasoning_details"]
    assert details == [
        {**text, "text": "The user asks about Paris.", "signature": "ErUBCkYIBRgCIkA..."},
        {
            "type": "reasoning.encrypted",
            "data": "gAAAABoQx9",
            "id": "rs_1",
            "format": "openai-responses-v1",
            "index": 1,
        },
        {"type": "reasoning.summary", "summary": "**Paris** weather", "index": 2},
    ]


def test_reasoning_details_of_another_type_or_without_index_are_entries_of_their_own() -> None:
    chunks = [
        make_chunk(
            [choice({"reasoning_details": [{"type": "reasoning.text", "text": "a", "index": 0}]})]
        ),
        make_chunk(
            [
                choice(
                    {
                        "reasoning_details": [
                            {"type": "reasoning.summary", "summary": "s", "index": 0}
                        ]
                    }
                )
            ]
        ),
        make_chunk(
            [
                choice(
                    {
                        "reasoning_details": [
                            {"text": "b", "index": 0},
                            {"type": "reasoning.text", "text": "c"},
                            "odd",
                        ]
                    }
                )
            ]
        ),
    ]
    details = to_dict(accumulate(chunks))["choices"][0]["message"]["reasoning_details"]
    assert details == [
        {"type": "reasoning.text", "text": "a", "index": 0},
        {"type": "reasoning.summary", "summary": "s", "index": 0, "text": "b"},
        {"type": "reasoning.text", "text": "c"},
        "odd",
    ]


def test_openai_audio_fragments_are_joined() -> None:
    # gpt-4o-audio-preview: the id and transcript first, base64 data in pieces, the
    # expiry on the last fragment.
    chunks = [
        make_chunk(
            [choice({"role": "assistant", "audio": {"id": "audio_6812", "transcript": "Hel"}})]
        ),
        make_chunk([choice({"audio": {"transcript": "lo!"}})]),
        make_chunk([choice({"audio": {"data": "UklGRiQ"}})]),
        make_chunk([choice({"audio": {"data": "AAABXQVZF"}})]),
        make_chunk(
            [choice({"audio": {"expires_at": 1751903600, "data": "Zm10"}}, finish_reason="stop")]
        ),
        make_chunk([choice({"audio": None})]),
    ]
    message = to_dict(accumulate(chunks))["choices"][0]["message"]
    assert message["audio"] == {
        "id": "audio_6812",
        "transcript": "Hello!",
        "data": "UklGRiQAAABXQVZFZm10",
        "expires_at": 1751903600,
    }
    assert message["content"] is None


def test_annotations_are_appended_and_moderation_is_the_last_non_null() -> None:
    cite = {
        "type": "url_citation",
        "url_citation": {
            "start_index": 0,
            "end_index": 5,
            "title": "Paris",
            "url": "https://www.paris.fr/",
        },
    }
    other = {
        "type": "url_citation",
        "url_citation": {
            "start_index": 6,
            "end_index": 9,
            "title": "Météo",
            "url": "https://meteofrance.com/",
        },
    }
    chunks = [
        make_chunk(
            [choice({"content": "Paris", "annotations": [cite], "moderation": {"flagged": False}})]
        ),
        make_chunk([choice({"content": " sun", "annotations": [other], "moderation": None})]),
        make_chunk(
            [
                choice(
                    {"annotations": [], "moderation": {"flagged": False, "categories": []}},
                    finish_reason="stop",
                )
            ]
        ),
    ]
    message = to_dict(accumulate(chunks))["choices"][0]["message"]
    assert message["annotations"] == [cite, other]
    assert message["moderation"] == {"flagged": False, "categories": []}


def test_other_delta_extras_follow_the_stated_rule_and_are_reported_once() -> None:
    chunks = [
        make_chunk([choice({"content": "a", "thinking": "Let", "channel": {"n": 1}})]),
        make_chunk([choice({"thinking": " me", "channel": {"n": 2}})]),
        make_chunk([choice({"thinking": None, "channel": None}, finish_reason="stop")]),
    ]
    accumulator = ChunkAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    message = to_dict(accumulator.result())["choices"][0]["message"]
    assert message["thinking"] == "Let me"
    assert message["channel"] == {"n": 2}
    assert [(a.kind, a.position) for a in accumulator.anomalies] == [
        ("unknown_delta_field", 1),
        ("unknown_delta_field", 1),
    ]
    assert "'thinking'" in accumulator.anomalies[0].message


def test_a_partial_usage_after_a_full_one_fills_in_field_by_field() -> None:
    full = {
        "prompt_tokens": 19,
        "completion_tokens": 10,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost": 0.0001,
    }
    chunks = [
        make_chunk([choice({"content": "x"}, finish_reason="stop")], usage=full),
        # A proxy that sends only some counts afterwards, with a null among them.
        make_chunk(
            [],
            usage={
                "completion_tokens": 11,
                "total_tokens": None,
                "prompt_tokens_details": {"cached_tokens": 4},
            },
        ),
    ]
    usage = to_dict(accumulate(chunks))["usage"]
    assert usage == {
        "prompt_tokens": 19,
        "completion_tokens": 11,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
        "cost": 0.0001,
    }
    # A usage with every count is taken as it is, object and all.
    accumulator = ChunkAccumulator()
    accumulator.add(chunks[0])
    again = make_chunk([], usage={**full, "completion_tokens": 12})
    accumulator.add(again)
    assert accumulator._usage is again.usage  # pyright: ignore[reportPrivateUsage]


class CountingIndex(int):
    """An int that counts how often it is compared for equality."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountingIndex.comparisons += 1
        return int(self) == other

    __hash__ = int.__hash__


def test_one_delta_of_many_continuation_fragments_is_not_quadratic() -> None:
    # N calls, then one delta that continues each of them. With a list of the indices
    # used in that delta, each fragment compared its index with all before it: N²/2.
    # The indices are built without validation to count those comparisons.
    n = 2_000
    head = make_chunk(
        [
            choice(
                {
                    "tool_calls": [
                        {"index": k, "id": f"c{k}", "function": {"name": "f"}} for k in range(n)
                    ]
                }
            )
        ]
    )
    body = make_chunk(
        [choice({"tool_calls": [{"index": k, "function": {"arguments": "{}"}} for k in range(n)]})]
    )
    fragments = body.choices[0].delta.tool_calls
    assert fragments
    for k, fragment in enumerate(fragments):
        fragment.index = CountingIndex(k)
    accumulator = ChunkAccumulator()
    accumulator.add(head)
    CountingIndex.comparisons = 0
    accumulator.add(body)
    assert CountingIndex.comparisons <= 4 * n
    calls = to_dict(accumulator.result())["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["arguments"] for c in calls] == ["{}"] * n


def test_choices_are_sorted_by_index_when_index_1_is_seen_first() -> None:
    chunks = [
        make_chunk([choice({"role": "assistant", "content": "B"}, index=1)]),
        make_chunk([choice({"role": "assistant", "content": "A"}, index=0)]),
        make_chunk([choice({"content": "b"}, index=1), choice({"content": "a"}, index=0)]),
        make_chunk([choice({}, index=2, finish_reason="length")]),
    ]
    result = accumulate(chunks)
    assert [c.index for c in result.choices] == [0, 1, 2]
    assert [c.message.content for c in result.choices] == ["Aa", "Bb", None]


def test_empty_choices_and_choices_without_delta_do_no_harm() -> None:
    chunks = [
        # Azure's prompt-filter header.
        make_chunk([], id="", model="", created=0, object="", prompt_filter_results=[]),
        # An annotation choice without "delta", before any content.
        make_chunk([choice(None, content_filter_results={"hate": {"filtered": False}})]),
        make_chunk([choice({"role": "assistant", "content": "Hi"})]),
        make_chunk([choice(None, content_filter_offsets={"check_offset": 0})]),
        make_chunk([]),
        make_chunk([choice({}, finish_reason="stop")]),
        make_chunk([choice(None, finish_reason=None)]),
    ]
    assert to_dict(accumulate(chunks)) == {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi", "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "prompt_filter_results": [],  # the header's provider field, kept
    }


def test_a_choice_only_seen_without_delta_is_an_empty_message() -> None:
    result = to_dict(accumulate([make_chunk([choice(None)])]))
    assert result["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": None, "refusal": None},
            "finish_reason": None,
            "logprobs": None,
        }
    ]


def test_finished_is_false_until_every_choice_has_a_finish_reason() -> None:
    accumulator = ChunkAccumulator()
    assert accumulator.finished is False
    accumulator.add(make_chunk([], id="", model="", created=0))
    assert accumulator.finished is False  # a header without choices finishes nothing
    accumulator.add(make_chunk([choice({"role": "assistant"}, index=1)]))
    accumulator.add(make_chunk([choice({"role": "assistant"}, index=0)]))
    assert accumulator.finished is False
    accumulator.add(make_chunk([choice({"content": "x"}, index=1, finish_reason="stop")]))
    assert accumulator.finished is False
    accumulator.add(make_chunk([choice({"content": "y"}, index=0, finish_reason="")]))
    assert accumulator.finished is False  # "" is not a reason
    accumulator.add(make_chunk([choice({}, index=0, finish_reason="length")]))
    assert accumulator.finished is True
    accumulator.add(
        make_chunk([], usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})
    )
    accumulator.add(make_chunk([choice({}, index=0, finish_reason=None)]))
    assert accumulator.finished is True


def test_chunk_count_counts_chunks_only() -> None:
    accumulator = ChunkAccumulator()
    assert accumulator.chunk_count == 0
    for i in range(5):
        accumulator.add(make_chunk([choice({"content": str(i)})]))
    accumulator.add(StreamErrorEvent(error="boom", payload={"error": "boom"}))
    accumulator.add(make_chunk([]))
    assert accumulator.chunk_count == 6
    assert accumulator.result().choices[0].message.content == "01234"


def test_anomaly_when_the_id_changes() -> None:
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([choice({"content": "a"})], id="chatcmpl-A"))
    accumulator.add(make_chunk([choice({"content": "b"})], id="chatcmpl-A"))
    assert accumulator.anomalies == []
    accumulator.add(make_chunk([choice({"content": "c"})], id="chatcmpl-B"))
    anomalies = accumulator.anomalies
    assert len(anomalies) == 1
    assert isinstance(anomalies[0], StreamAnomaly)
    assert anomalies[0].kind == "id_changed"
    assert anomalies[0].position == 3
    assert "chatcmpl-A" in anomalies[0].message
    assert "chatcmpl-B" in anomalies[0].message
    result = accumulator.result()
    assert result.id == "chatcmpl-A"  # the first id is the completion's
    assert result.choices[0].message.content == "abc"  # and nothing is lost


def test_the_anomalies_property_is_a_copy() -> None:
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([], id="a"))
    accumulator.add(make_chunk([], id="b"))
    accumulator.anomalies.clear()
    accumulator.errors.append(StreamErrorEvent(error="x", payload="x"))
    assert len(accumulator.anomalies) == 1
    assert accumulator.errors == []


@pytest.mark.parametrize(
    ("second", "kind"),
    [({"model": "other-model"}, "model_changed"), ({"created": 1700000999}, "created_changed")],
)
def test_anomaly_when_the_model_or_created_changes(second: Dict[str, Any], kind: str) -> None:
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([choice({"content": "a"})]))
    accumulator.add(make_chunk([choice({"content": "b"})], **second))
    assert [a.kind for a in accumulator.anomalies] == [kind]
    result = accumulator.result()
    assert (result.model, result.created) == ("m", 1700000000)


def test_azure_header_zeros_are_no_anomaly() -> None:
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([], id="", model="", created=0, object=""))
    accumulator.add(make_chunk([choice({"content": "a"})]))
    assert accumulator.anomalies == []
    assert (accumulator.result().id, accumulator.result().created) == ("chatcmpl-1", 1700000000)


def test_anomaly_when_a_tool_fragment_arrives_before_the_id() -> None:
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([choice({"role": "assistant"})]))
    accumulator.add(
        make_chunk([choice({"tool_calls": [{"index": 0, "function": {"arguments": '{"q":'}}]})])
    )
    assert accumulator.anomalies == []
    accumulator.add(
        make_chunk(
            [
                choice(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_9",
                                "type": "function",
                                "function": {"name": "search", "arguments": '"tea"}'},
                            }
                        ]
                    }
                )
            ]
        )
    )
    anomalies = accumulator.anomalies
    assert [(a.kind, a.position) for a in anomalies] == [("tool_fragment_before_id", 3)]
    assert "call_9" in anomalies[0].message
    assert tool_calls_of(accumulator.result()) == [
        {
            "id": "call_9",
            "type": "function",
            "function": {"name": "search", "arguments": '{"q":"tea"}'},
        }
    ]


def test_anomaly_when_a_tool_name_changes() -> None:
    def fragment(name: str, arguments: str) -> ChatCompletionChunk:
        call = {"index": 0, "id": "call_1", "function": {"name": name, "arguments": arguments}}
        return make_chunk([choice({"tool_calls": [call]})])

    accumulator = ChunkAccumulator()
    accumulator.add(fragment("search", "{"))
    accumulator.add(fragment("lookup", "}"))
    assert [a.kind for a in accumulator.anomalies] == ["tool_name_changed"]
    assert tool_calls_of(accumulator.result())[0]["function"] == {
        "name": "search",
        "arguments": "{}",
    }


def test_an_error_event_is_recorded_not_raised() -> None:
    event = StreamErrorEvent(
        error={"message": "Overloaded", "type": "server_error", "code": 529},
        payload={"error": {"message": "Overloaded", "type": "server_error", "code": 529}},
        position=2,
    )
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([choice({"role": "assistant", "content": "Partial"})]))
    accumulator.add(event)
    assert accumulator.errors == [event]
    assert accumulator.errors[0] is event
    assert accumulator.anomalies == [
        StreamAnomaly("not_a_chunk", "the stream reported an error: Overloaded", 2)
    ]
    assert accumulator.chunk_count == 1
    assert accumulator.finished is False
    assert accumulator.result().choices[0].message.content == "Partial"
    # accumulate and aaccumulate take error events in the stream too.
    assert accumulate([event]).choices == []
    assert run_async([event]).choices == []


def test_an_earlier_result_is_a_snapshot() -> None:
    def token(text: str) -> Dict[str, Any]:
        return {"token": text, "logprob": -0.5, "bytes": list(text.encode()), "top_logprobs": []}

    accumulator = ChunkAccumulator()
    accumulator.add(
        make_chunk([choice({"content": "a"}, logprobs={"content": [token("a")], "refusal": None})])
    )
    early = to_dict(accumulator.result())
    early_model = accumulator.result()
    accumulator.add(
        make_chunk([choice({"content": "b"}, logprobs={"content": [token("b")], "refusal": None})])
    )
    accumulator.add(
        make_chunk(
            [
                choice(
                    {
                        "tool_calls": [
                            {"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}
                        ]
                    }
                )
            ]
        )
    )
    assert to_dict(early_model) == early
    late = accumulator.result()
    assert late.choices[0].message.content == "ab"
    assert late.choices[0].logprobs is not None
    assert [t.token for t in late.choices[0].logprobs.content or []] == ["a", "b"]


def test_refusal_logprobs_are_concatenated_and_empty_lists_add_nothing() -> None:
    def token(text: str) -> Dict[str, Any]:
        return {"token": text, "logprob": -0.125, "bytes": list(text.encode())}

    chunks = [
        make_chunk([choice({"role": "assistant"}, logprobs={"content": [], "refusal": []})]),
        make_chunk(
            [choice({"refusal": "No"}, logprobs={"content": None, "refusal": [token("No")]})]
        ),
        make_chunk(
            [choice({"refusal": "pe"}, logprobs={"content": None, "refusal": [token("pe")]})]
        ),
        make_chunk([choice({}, logprobs=None, finish_reason="stop")]),
    ]
    choice_dict = to_dict(accumulate(chunks))["choices"][0]
    assert choice_dict["message"]["refusal"] == "Nope"
    assert choice_dict["logprobs"] == {"content": None, "refusal": [token("No"), token("pe")]}


def test_only_empty_logprobs_give_none() -> None:
    chunks = [
        make_chunk([choice({"content": "x"}, logprobs={"content": [], "refusal": None})]),
        make_chunk([choice({}, logprobs=None, finish_reason="stop")]),
    ]
    assert accumulate(chunks).choices[0].logprobs is None


def test_result_of_an_empty_accumulator() -> None:
    result = ChunkAccumulator().result()
    assert to_dict(result) == {
        "id": "",
        "object": "chat.completion",
        "created": 0,
        "model": "",
        "choices": [],
    }
    assert to_dict(accumulate([])) == to_dict(result)
    assert to_dict(run_async([])) == to_dict(result)


def test_accumulate_takes_a_generator_once() -> None:
    chunks = chunks_of(STREAMS["openai_text_usage"][0])
    assert to_dict(accumulate(iter(chunks))) == expected_of("openai_text_usage")
    assert to_dict(accumulate(c for c in chunks)) == expected_of("openai_text_usage")


# ---------------------------------------------------------------------------------------
# Memory: the text storage is linear, never one object per fragment
# ---------------------------------------------------------------------------------------


def test_text_storage_keeps_no_object_per_fragment() -> None:
    """200_000 one-character fragments into three texts; peak memory stays near the text.

    Content, reasoning and tool-call arguments each get one fragment per chunk (refusal
    and function-call arguments share content's storage code). The fragments are CJK
    characters made inside the traced loop: unlike one-character ASCII strings they are
    not cached by CPython, so an accumulator that kept each fragment alive would pay
    ~80 bytes per fragment and text (~16 MB per text here, against a 4 MB bound).
    """
    n = 200_000
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": ""},
    }
    chunk = make_chunk([choice({"content": "", "reasoning_content": "", "tool_calls": [call]})])
    delta = chunk.choices[0].delta
    assert delta.tool_calls
    assert delta.tool_calls[0].function
    # The loop writes straight into the fields' storage: pydantic's __setattr__ is slow.
    fields = delta.__dict__
    tool_fields = delta.tool_calls[0].function.__dict__
    accumulator = ChunkAccumulator()
    accumulator.add(chunk)
    # From here on the tool call repeats its id and name on every fragment (llama.cpp).
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for i in range(n):
            fragment = chr(0x4E00 + i % 20_000)
            fields["content"] = fields["reasoning_content"] = tool_fields["arguments"] = fragment
            accumulator.add(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    texts = texts_of(accumulator.result())
    assert sorted(texts) == [(0, "content"), (0, "reasoning_content"), (0, "tool_calls", 0)]
    expected_text = "".join(chr(0x4E00 + i % 20_000) for i in range(n))
    assert all(text == expected_text for text in texts.values())
    total_length = sum(len(text) for text in texts.values())
    assert peak < 4 * total_length + 1_000_000, (peak, total_length)
    assert accumulator.chunk_count == n + 1


def test_memory_bound_would_catch_a_list_of_fragments() -> None:
    """The bound above is meaningful: one text keeping its fragments alive breaks it alone."""
    n = 20_000
    tracemalloc.start()
    try:
        kept = [chr(0x4E00 + i) for i in range(n)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(set(map(id, kept))) == n
    per_fragment = peak / n
    assert per_fragment * 200_000 > 4 * (3 * 200_000) + 1_000_000


# ---------------------------------------------------------------------------------------
# Properties: random splits of random text reassemble exactly
# ---------------------------------------------------------------------------------------


@st.composite
def split(draw: st.DrawFn, text: str) -> List[str]:
    """`text` cut at random places; fragments may be empty."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


TEXT_FIELDS = {
    "content": "content",
    "refusal": "refusal",
    "reasoning_content": "reasoning_content",
    "reasoning": "reasoning_content",
}


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=300),
    field=st.sampled_from(sorted(TEXT_FIELDS)),
    repeat_role=st.booleans(),
    data=st.data(),
)
def test_random_text_fragments_reassemble(
    text: str, field: str, repeat_role: bool, data: st.DataObject
) -> None:
    fragments = data.draw(split(text))
    chunks = []
    for position, fragment in enumerate(fragments):
        delta: Dict[str, Any] = {field: fragment}
        if repeat_role or position == 0:
            delta["role"] = "assistant"
        chunks.append(make_chunk([choice(delta)]))
    chunks.append(make_chunk([choice({}, finish_reason="stop")]))
    result = accumulate(chunks)
    message = result.choices[0].message
    assert message.role == "assistant"
    value = getattr(message, TEXT_FIELDS[field])
    if field.startswith("reasoning") and text == "":
        assert value is UNSET  # an empty reasoning is no reasoning
    else:
        assert value == text
    assert to_dict(run_async(chunks)) == to_dict(result)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_tool_call_fragments_reassemble(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 3), label="calls")
    repeat_header = data.draw(st.booleans(), label="repeat id/type/name on every fragment")
    empty_first = data.draw(st.booleans(), label='header fragment with "arguments": ""')
    with_type = data.draw(st.booleans(), label="send type")
    calls: List[Tuple[str, str, str]] = []
    pending: List[List[str]] = []
    for k in range(count):
        arguments = data.draw(st.text(max_size=80), label=f"arguments {k}")
        name = data.draw(st.sampled_from(["get_weather", "search", "f", "read_file"]))
        calls.append((f"call_{k}_{name}", name, arguments))
        fragments = data.draw(split(arguments), label=f"fragments {k}")
        pending.append(([""] if empty_first else []) + fragments)

    # Interleave the calls' fragments at random, each call's own order kept.
    order: List[Tuple[int, str, bool]] = []
    sent = [0] * count
    while any(pending):
        k = data.draw(st.sampled_from([i for i in range(count) if pending[i]]))
        order.append((k, pending[k].pop(0), sent[k] == 0))
        sent[k] += 1
    # Pack them into deltas: several calls may share a delta, one fragment per call each.
    deltas: List[List[Dict[str, Any]]] = []
    for k, arguments, first in order:
        fragment: Dict[str, Any] = {"index": k, "function": {"arguments": arguments}}
        if first or repeat_header:
            call_id, name, _ = calls[k]
            fragment["id"] = call_id
            fragment["function"]["name"] = name
            if with_type:
                fragment["type"] = "function"
        indexes = [f["index"] for f in deltas[-1]] if deltas else [k]
        if k in indexes or data.draw(st.booleans()):
            deltas.append([fragment])
        else:
            deltas[-1].append(fragment)

    chunks = [make_chunk([choice({"role": "assistant", "content": None})])]
    chunks += [make_chunk([choice({"tool_calls": fragments})]) for fragments in deltas]
    chunks.append(make_chunk([choice({}, finish_reason="tool_calls")]))
    accumulator = ChunkAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    seen = first_seen(k for k, _, _ in order)
    assert tool_calls_of(accumulator.result()) == [
        {
            "id": calls[k][0],
            "type": "function",
            "function": {"name": calls[k][1], "arguments": calls[k][2]},
        }
        for k in seen
    ]
    assert accumulator.anomalies == []


# ---------------------------------------------------------------------------------------
# Rules added after review: provider fields of tool calls, one anomaly per change,
# continuations without index, reused indexes, stop_reason, a private usage copy
# ---------------------------------------------------------------------------------------


def test_tool_call_provider_fields_are_kept() -> None:
    # Gemini 3 returns a thought signature that the client must send back.
    signature = {"google": {"thought_signature": "c2lnbmF0dXJl"}}
    call = {
        "id": "call_a",
        "type": "function",
        "function": {"name": "get_time", "arguments": "{}"},
        "extra_content": signature,
    }
    result = accumulate([make_chunk([choice({"tool_calls": [call]})])])
    assert tool_calls_of(result)[0]["extra_content"] == signature


def test_a_changed_id_is_reported_once_per_change() -> None:
    ids = ["a", "b", "b", "b", "c"]
    accumulator = ChunkAccumulator()
    for chunk_id in ids:
        accumulator.add(make_chunk([choice({"content": "x"})], id=chunk_id))
    assert [(a.kind, a.position) for a in accumulator.anomalies] == [
        ("id_changed", 2),
        ("id_changed", 5),
    ]
    assert accumulator.result().id == "a"


def test_unindexed_fragments_continue_the_previous_unindexed_call() -> None:
    first = {"id": "call_1", "function": {"name": "f", "arguments": '{"a":'}}
    by_id = {"id": "call_1", "function": {"arguments": "1"}}
    bare = {"function": {"arguments": "}"}}
    other = {"id": "call_2", "function": {"name": "g", "arguments": "{}"}}
    chunks = [make_chunk([choice({"tool_calls": [c]})]) for c in (first, by_id, bare, other)]
    calls = tool_calls_of(accumulate(chunks))
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in calls] == [
        ("call_1", "f", '{"a":1}'),
        ("call_2", "g", "{}"),
    ]


def test_a_new_name_at_a_used_index_starts_a_new_call() -> None:
    first = {"index": 0, "id": "t1", "function": {"name": "glob", "arguments": '{"a":1}'}}
    second = {"index": 0, "function": {"name": "grep", "arguments": '{"b":2}'}}
    accumulator = ChunkAccumulator()
    for call in (first, second):
        accumulator.add(make_chunk([choice({"tool_calls": [call]})]))
    calls = tool_calls_of(accumulator.result())
    assert [(c["function"]["name"], c["function"]["arguments"]) for c in calls] == [
        ("glob", '{"a":1}'),
        ("grep", '{"b":2}'),
    ]
    assert [a.kind for a in accumulator.anomalies] == ["tool_index_reused"]


def test_the_same_id_twice_in_one_delta_is_one_call() -> None:
    fragments = [
        {"index": 0, "id": "c", "function": {"name": "f", "arguments": "{"}},
        {"index": 0, "id": "c", "function": {"name": "f", "arguments": "}"}},
    ]
    calls = tool_calls_of(accumulate([make_chunk([choice({"tool_calls": fragments})])]))
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [("c", "{}")]


def test_stop_reason_is_carried_to_the_choice() -> None:
    chunks = [
        make_chunk([choice({"content": "Hi"})]),
        make_chunk([choice({}, finish_reason="stop", stop_reason=128009)]),
        make_chunk([choice({}, stop_reason=None)]),
    ]
    assert to_dict(accumulate(chunks))["choices"][0]["stop_reason"] == 128009


def test_the_result_owns_its_usage() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5}
    chunk = make_chunk([], usage=usage)
    accumulator = ChunkAccumulator()
    accumulator.add(chunk)
    result = accumulator.result()
    assert result.usage is not chunk.usage
    assert chunk.usage
    chunk.usage.prompt_tokens = 99
    assert to_dict(result)["usage"] == usage


# ---------------------------------------------------------------------------------------
# Whether the stream was whole
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_every_provider_stream_read_whole_is_complete(name: str) -> None:
    body, expected = STREAMS[name][0], expected_of(name)
    stream = iter_events(iter([body]))
    accumulator = ChunkAccumulator()
    for item in stream:
        accumulator.add(item)
    accumulator.end = stream.end
    if name == "no_done":
        assert accumulator.incomplete_reasons == ["the stream ended without data: [DONE]"]
        with pytest.raises(IncompleteStreamError):
            accumulate(iter_events([body]), strict=True)
    else:
        assert accumulator.complete, accumulator.incomplete_reasons
        assert to_dict(accumulate(iter_events([body]), strict=True)) == expected


@pytest.mark.parametrize(
    "name", ["openai_text_usage", "openai_parallel_tool_calls", "gemini", "vllm"]
)
def test_every_provider_stream_cut_short_is_incomplete(name: str) -> None:
    # Cut at every event boundary before [DONE], and inside the last event: never complete.
    body, _ = STREAMS[name]
    events = body.split(b"\n\n")[:-2]  # everything before "data: [DONE]"
    for count in range(1, len(events) + 1):
        for tail in (b"\n\n", b"\n", b""):
            cut = b"\n\n".join(events[:count]) + tail
            stream = iter_events([cut])
            with pytest.raises(IncompleteStreamError) as caught:
                accumulate(stream, strict=True)
            assert caught.value.end is stream.end
            assert stream.end in (StreamEnd.EOF, StreamEnd.TRUNCATED)
            # What was assembled is attached, and is what the lenient call returns.
            assert to_dict(caught.value.completion) == to_dict(accumulate(iter_events([cut])))


def test_incomplete_reasons_name_each_gap() -> None:
    accumulator = ChunkAccumulator()
    assert accumulator.incomplete_reasons == ["no choice was streamed"]
    accumulator.add(make_chunk([choice({"content": "a"}), choice({"content": "b"}, index=1)]))
    accumulator.add(make_chunk([choice({}, index=1, finish_reason="stop")]))
    accumulator.add(StreamErrorEvent({"message": "overloaded"}, {}, position=3))
    bad = next(iter(iter_events([b"data: {}\n\n"], on_invalid="yield")))
    assert isinstance(bad, InvalidPayload)
    accumulator.add(bad)
    accumulator.end = StreamEnd.TRUNCATED
    assert accumulator.incomplete_reasons == [
        "choice 0 got no finish_reason",
        "the stream reported an error: overloaded",
        "1 invalid payload(s) were skipped",
        "the stream was cut off inside an event, without data: [DONE]",
    ]
    assert accumulator.complete is False
    assert [a.kind for a in accumulator.anomalies] == ["not_a_chunk", "invalid_payload"]
    assert accumulator.result().choices[1].message.content == "b"


def test_without_an_end_the_accumulator_judges_by_its_chunks() -> None:
    # A caller who feeds chunks from elsewhere (a JSON Lines log) has no [DONE] to pass on.
    accumulator = ChunkAccumulator()
    accumulator.add(make_chunk([choice({"content": "a"}, finish_reason="stop")]))
    assert accumulator.end is None
    assert accumulator.complete
    accumulator.end = StreamEnd.EOF
    assert not accumulator.complete


def test_strict_aaccumulate_raises_with_the_partial_completion() -> None:
    body = STREAMS["openai_text_usage"][0]
    cut = body[: body.index(b"data: [DONE]")]

    async def source() -> AsyncIterator[bytes]:
        yield cut

    async def main() -> IncompleteStreamError:
        with pytest.raises(IncompleteStreamError) as caught:
            await aaccumulate(aiter_events(source()), strict=True)
        return caught.value

    error = asyncio.run(main())
    assert error.end is StreamEnd.EOF
    assert "ended without data: [DONE]" in str(error)
    assert isinstance(error, ValueError)
    assert error.completion.choices[0].message.content
    assert error.reasons == ["the stream ended without data: [DONE]"]


def test_lenient_accumulate_still_returns_what_it_assembled() -> None:
    stream = iter_chunks([sse_body({"content": "par"})])
    result = accumulate(stream)
    assert result.choices[0].message.content == "par"
    assert stream.end is StreamEnd.EOF


def sse_body(delta: Dict[str, Any]) -> bytes:
    payload = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
    }
    return b"data: " + json.dumps(payload).encode() + b"\n\n"
