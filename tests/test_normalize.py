"""The normalizer: each rule on provider-shaped chunks, the stream forms, the views."""

import asyncio
import json
import pickle
from typing import Any, AsyncIterator, Dict, Iterable, List, Optional, Tuple, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionChunkDelta,
    CompletionUsage,
    StreamEnd,
    StreamErrorEvent,
    accumulate,
    aiter_events,
    arelay,
    dump_chunk,
    encode_stream,
    iter_events,
    parse_chunk,
    relay,
    to_dict,
)
from chatchunk._normalize import Change, NormalizeOptions, normalize_chunk
from chatchunk._normalize_stream import Normalizer, anormalize_stream, normalize_stream
from streams import STREAMS, chunks_of

ID = "chatcmpl-9f3b2a7c1d"
HEAD = f'"id":"{ID}","object":"chat.completion.chunk","created":1751900000,"model":"m"'


def chunk(choices: str = "[]", tail: str = "") -> ChatCompletionChunk:
    """A chunk with the usual header fields, ``choices`` and any more keys (``tail``)."""
    return parse_chunk(f'{{{HEAD},"choices":{choices}{tail}}}')


def choice(delta: str = "{}", tail: str = "") -> str:
    return f'[{{"index":0,"delta":{delta}{tail}}}]'


def as_json(c: ChatCompletionChunk) -> Any:
    return json.loads(dump_chunk(c))


def kinds(changes: Iterable[Change]) -> List[str]:
    return [c.kind for c in changes]


def run(chunks: Iterable[ChatCompletionChunk], **options: Any) -> Tuple[List[Any], List[Change]]:
    """Normalize a stream; its chunks as JSON, and the changes."""
    stream = normalize_stream(chunks, NormalizeOptions(**options))
    return [as_json(c) for c in stream], stream.changes


# --- no change ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in STREAMS if n.startswith("openai")])
def test_openai_streams_come_back_as_the_same_objects(name: str) -> None:
    for c in chunks_of(STREAMS[name][0]):
        result = normalize_chunk(c)
        assert result.chunk is c
        assert result.changes == ()


@pytest.mark.parametrize("name", [n for n in STREAMS if n.startswith("openai")])
def test_openai_streams_pass_a_normalizer_unchanged(name: str) -> None:
    sent = chunks_of(STREAMS[name][0])
    out, changes = run(sent, usage="last", header="merge", nulls="openai")
    assert changes == []
    assert out == [as_json(c) for c in sent]


def test_tool_call_indexes_out_of_order_are_left_as_sent() -> None:
    c = chunk(choice('{"tool_calls":[{"index":3,"id":"a","type":"function"},{"index":1}]}'))
    assert normalize_chunk(c).chunk is c
    out, changes = run([c])
    assert changes == []
    assert [t["index"] for t in out[0]["choices"][0]["delta"]["tool_calls"]] == [3, 1]


def test_the_callers_chunk_is_never_changed() -> None:
    sent = chunk(
        choice(
            '{"reasoning_content":"hm","tool_calls":[{"id":"a","function":{"name":"f"}}]}',
            ',"finish_reason":"eos"',
        ),
        ',"object":"","x_groq":{"usage":{"prompt_tokens":1}}',
    )
    sent = parse_chunk(dump_chunk(sent).replace('"object":"chat.completion.chunk"', '"object":""'))
    before = dump_chunk(sent)
    fields = sent.model_fields_set.copy()
    out = normalize_chunk(sent, NormalizeOptions(nulls="openai"))
    assert out.chunk is not sent
    assert dump_chunk(sent) == before
    assert sent.model_fields_set == fields
    assert sent.choices[0].delta.reasoning_content == "hm"


# --- reasoning ------------------------------------------------------------------------------

DEEPSEEK_DELTA = choice(
    '{"role":"assistant","content":null,"reasoning_content":"Let me think"}',
    ',"logprobs":null,"finish_reason":null',
)


def test_reasoning_content_is_renamed_to_reasoning_and_the_name_kept() -> None:
    out = normalize_chunk(chunk(DEEPSEEK_DELTA))
    delta = as_json(out.chunk)["choices"][0]["delta"]
    assert delta == {
        "role": "assistant",
        "content": None,
        "reasoning": "Let me think",
        "native_reasoning_field": "reasoning_content",
    }
    assert out.changes == (
        Change(
            "reasoning_renamed",
            "choices.0.delta.reasoning_content",
            "reasoning_content",
            "reasoning",
        ),
    )
    assert out.chunk.choices[0].delta.model_fields_set == {"role", "content", "reasoning"}


def test_reasoning_is_renamed_to_reasoning_content_when_asked() -> None:
    vllm = chunk(choice('{"reasoning":" arithmetic"}', ',"logprobs":null,"finish_reason":null'))
    out = normalize_chunk(vllm, NormalizeOptions(reasoning="reasoning_content", lossless=False))
    assert as_json(out.chunk)["choices"][0]["delta"] == {"reasoning_content": " arithmetic"}
    assert kinds(out.changes) == ["reasoning_renamed"]


def test_reasoning_keep_leaves_both_names() -> None:
    c = chunk(DEEPSEEK_DELTA)
    assert normalize_chunk(c, NormalizeOptions(reasoning="keep")).chunk is c


def test_the_same_text_under_both_names_is_kept_once() -> None:
    both = chunk(choice('{"reasoning_content":"a","reasoning":"a"}'))
    out = normalize_chunk(both)
    assert as_json(out.chunk)["choices"][0]["delta"] == {
        "reasoning": "a",
        "native_reasoning_field": "reasoning_content,reasoning",
    }
    assert out.changes[0] == Change(
        "reasoning_duplicate", "choices.0.delta.reasoning_content", "a", UNSET
    )


def test_different_texts_under_both_names_are_both_kept() -> None:
    both = chunk(choice('{"reasoning_content":"a","reasoning":"b"}'))
    out = normalize_chunk(both)
    assert out.chunk is both
    assert out.changes == ()


# --- finish reasons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [("eos", "stop"), ("eos_token", "stop"), ("model_length", "length"),
     ("max_tokens", "length"), ("", None)],
)  # fmt: skip
def test_finish_reasons_are_mapped_and_the_native_one_kept(
    sent: str, canonical: Optional[str]
) -> None:
    # llama.cpp-style finishing chunk: an empty delta and the server's own reason.
    c = chunk(choice("{}", f',"finish_reason":"{sent}"'))
    out = normalize_chunk(c)
    got = as_json(out.chunk)["choices"][0]
    assert got["finish_reason"] == canonical
    assert got["native_finish_reason"] == sent
    assert out.changes == (
        Change("finish_reason_mapped", "choices.0.finish_reason", sent, canonical),
    )
    assert c.choices[0].canonical_finish_reason == canonical


def test_an_unknown_finish_reason_is_kept_and_reported_never_mapped_to_stop() -> None:
    c = chunk(choice("{}", ',"finish_reason":"recitation"'))
    out = normalize_chunk(c)
    assert out.chunk is c
    assert out.changes == (
        Change("finish_reason_unknown", "choices.0.finish_reason", "recitation", "recitation"),
    )
    assert c.choices[0].canonical_finish_reason == "recitation"


def test_the_caller_can_map_more_finish_reasons() -> None:
    c = chunk(choice("{}", ',"finish_reason":"STOP"'))
    out = normalize_chunk(c, NormalizeOptions(finish_reasons={"STOP": "stop"}, lossless=False))
    assert as_json(out.chunk)["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}


def test_openrouters_own_native_finish_reason_is_not_overwritten() -> None:
    c = chunk(choice("{}", ',"finish_reason":"eos","native_finish_reason":"end_turn"'))
    got = as_json(normalize_chunk(c).chunk)["choices"][0]
    assert (got["finish_reason"], got["native_finish_reason"]) == ("stop", "end_turn")


# --- object and the prompt-filter header ----------------------------------------------------

AZURE_HEADER = parse_chunk(
    '{"choices":[],"created":0,"id":"","model":"","object":"",'
    '"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}'
)


def azure_stream() -> List[ChatCompletionChunk]:
    return chunks_of(STREAMS["azure"][0])


def test_object_is_set_and_the_sent_value_kept() -> None:
    out = normalize_chunk(AZURE_HEADER)
    got = as_json(out.chunk)
    assert (got["object"], got["native_object"]) == ("chat.completion.chunk", "")
    assert out.changes == (Change("object_set", "object", "", "chat.completion.chunk"),)
    assert AZURE_HEADER.object == ""


def test_the_azure_header_is_kept_as_a_chunk_by_default() -> None:
    out, changes = run(azure_stream())
    assert len(out) == len(azure_stream())
    assert out[0]["id"] == ""
    assert "prompt_filter_results" in out[0]
    assert kinds(changes) == ["object_set"]


def test_the_azure_header_can_be_dropped_and_is_reported() -> None:
    out, changes = run(azure_stream(), header="drop")
    assert len(out) == len(azure_stream()) - 1
    assert all(c["id"] for c in out)
    assert changes[0].kind == "header_dropped"
    assert changes[0].old["prompt_filter_results"][0]["prompt_index"] == 0


def test_the_azure_header_can_be_merged_into_the_next_chunk() -> None:
    out, changes = run(azure_stream(), header="merge")
    assert len(out) == len(azure_stream()) - 1
    first = out[0]
    assert first["id"] == "chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N"
    assert first["prompt_filter_results"][0]["content_filter_results"]["hate"]["severity"] == (
        "safe"
    )
    assert changes[0] == Change(
        "header_merged", "prompt_filter_results", UNSET, first["prompt_filter_results"], 2
    )


def test_a_held_header_goes_out_before_an_error_and_at_the_end() -> None:
    error = StreamErrorEvent({"message": "overloaded"}, {"error": {"message": "overloaded"}})
    stream = normalize_stream([AZURE_HEADER, error], NormalizeOptions(header="merge"))
    items = list(stream)
    assert isinstance(items[0], ChatCompletionChunk)
    assert items[0].object == OBJECT
    assert items[1] is error
    assert stream.end is StreamEnd.ERROR
    only = list(normalize_stream([AZURE_HEADER], NormalizeOptions(header="merge")))
    assert [c.model_extra for c in only] == [
        {**(AZURE_HEADER.model_extra or {}), "native_object": ""}
    ]


OBJECT = "chat.completion.chunk"


# --- usage ----------------------------------------------------------------------------------


def test_groq_usage_is_copied_to_usage_and_x_groq_kept() -> None:
    out, changes = run(chunks_of(STREAMS["groq"][0]))
    last = out[-1]
    assert last["usage"]["prompt_tokens"] == 44
    assert last["usage"]["queue_time"] == 0.048215  # Groq's timing fields are kept
    assert last["x_groq"]["usage"] == last["usage"]
    assert kinds(changes) == ["usage_from_x_groq"]
    assert changes[0].path == "usage"
    assert changes[0].old is UNSET


def test_groq_usage_is_moved_when_not_lossless() -> None:
    out, changes = run(chunks_of(STREAMS["groq"][0]), lossless=False)
    assert out[-1]["x_groq"] == {"id": "req_01jzb4k7x9f2qv8m3n5p6r7s8t"}
    assert kinds(changes) == ["usage_from_x_groq", "usage_from_x_groq"]


def test_a_groq_usage_the_models_cannot_read_stays_where_it_was() -> None:
    c = chunk("[]", ',"x_groq":{"usage":{"prompt_tokens":"12"}}')
    assert normalize_chunk(c).chunk is c


VLLM_RUNNING_USAGE = [
    chunk(choice(f'{{"content":"{text}"}}', ',"finish_reason":null'),
          f',"usage":{{"prompt_tokens":5,"completion_tokens":{n},"total_tokens":{5 + n}}}')
    for n, text in enumerate(["A", "B", "C"], 1)
] + [
    chunk("[]", ',"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}'),
]  # fmt: skip


def test_running_usage_is_reduced_to_the_last_chunk_when_asked() -> None:
    out, changes = run(VLLM_RUNNING_USAGE, usage="last")
    assert [c["usage"] for c in out[:3]] == [None, None, None]
    assert out[-1]["usage"]["total_tokens"] == 8
    assert kinds(changes) == ["usage_removed"] * 3
    assert [c.chunk for c in changes] == [1, 2, 3]


def test_usage_beside_choices_goes_into_a_chunk_of_its_own() -> None:
    # Mistral: the tool calls, the finish reason and the usage on one chunk.
    out, changes = run(chunks_of(STREAMS["mistral"][0]), usage="last")
    assert out[-2]["usage"] is None
    assert out[-1]["choices"] == []
    assert out[-1]["usage"]["total_tokens"] == 124
    assert out[-1]["id"] == out[-2]["id"]
    assert kinds(changes)[-2:] == ["usage_removed", "usage_chunk_added"]


def test_usage_keeps_the_providers_cost_fields() -> None:
    out, _ = run(chunks_of(STREAMS["openrouter"][0]), usage="last")
    usage = out[-1]["usage"]
    assert usage["cost"] == 0.0000375
    assert usage["cost_details"] == {"upstream_inference_cost": None}
    assert out[-1]["choices"] == []


# --- tool calls -----------------------------------------------------------------------------


def test_gemini_tool_calls_without_index_get_one_in_stream_order() -> None:
    out, changes = run(chunks_of(STREAMS["gemini"][0]))
    calls = [c["choices"][0]["delta"].get("tool_calls") for c in out]
    assert [call[0]["index"] for call in calls if call] == [0, 1]
    assert [(c.kind, c.old, c.new, c.chunk) for c in changes] == [
        ("tool_index_filled", UNSET, 0, 2),
        ("tool_index_filled", UNSET, 1, 3),
    ]


def test_an_unindexed_fragment_without_id_continues_the_last_call() -> None:
    call = '{"id":"c1","type":"function","function":{"name":"f","arguments":"{"}}'
    first = chunk(choice(f'{{"tool_calls":[{call}]}}'))
    more = chunk(choice('{"tool_calls":[{"function":{"arguments":"}"}}]}'))
    out, _ = run([first, more])
    assert [c["choices"][0]["delta"]["tool_calls"][0]["index"] for c in out] == [0, 0]


def test_a_missing_tool_type_is_set_to_function() -> None:
    out, changes = run(chunks_of(STREAMS["mistral"][0]))
    calls = out[1]["choices"][0]["delta"]["tool_calls"]
    assert [call["type"] for call in calls] == ["function", "function"]
    assert kinds(changes) == ["tool_type_set", "tool_type_set"]


def test_several_calls_under_one_index_are_split_and_the_index_kept() -> None:
    out, changes = run(chunks_of(STREAMS["ollama"][0]))
    calls: List[Dict[str, Any]] = [
        call for c in out for call in c["choices"][0]["delta"].get("tool_calls") or ()
    ]
    assert [call["index"] for call in calls] == [0, 1, 2]
    assert [call.get("native_index") for call in calls] == [None, 0, 0]
    assert kinds(changes) == ["tool_call_split", "tool_call_split"]


def test_normalize_chunk_numbers_calls_within_the_chunk() -> None:
    c = chunk(choice('{"tool_calls":[{"id":"a","type":"function"},{"id":"b","type":"function"}]}'))
    out = normalize_chunk(c)
    assert [t.index for t in out.chunk.choices[0].delta.tool_calls or []] == [0, 1]


# --- the null profile -----------------------------------------------------------------------


def test_the_openai_null_profile_writes_nulls_where_openai_does() -> None:
    gemini = chunks_of(STREAMS["gemini"][0])[0]
    out = normalize_chunk(gemini, NormalizeOptions(nulls="openai"))
    got = as_json(out.chunk)["choices"][0]
    assert got["logprobs"] is None
    assert got["finish_reason"] is None
    assert kinds(out.changes) == ["null_added", "null_added"]
    azure_filter = azure_stream()[4]  # a content-filter choice without "delta"
    got = as_json(normalize_chunk(azure_filter, NormalizeOptions(nulls="openai")).chunk)
    assert got["choices"][0]["delta"] == {}


def test_the_omit_null_profile_leaves_nulls_out() -> None:
    c = chunk(choice('{"content":"x","role":null}', ',"logprobs":null,"finish_reason":null'),
              ',"system_fingerprint":null')  # fmt: skip
    out = normalize_chunk(c, NormalizeOptions(nulls="omit"))
    assert as_json(out.chunk) == json.loads(
        f'{{{HEAD.replace(",", ",", 1)},"choices":[{{"index":0,"delta":{{"content":"x"}}}}]}}'
    ) | {"id": ID}
    assert sorted(c.path for c in out.changes) == [
        "choices.0.delta.role", "choices.0.finish_reason", "choices.0.logprobs",
        "system_fingerprint",
    ]  # fmt: skip


def test_the_keep_null_profile_changes_nothing() -> None:
    c = chunk(choice('{"content":"x"}'))
    assert normalize_chunk(c).chunk is c


# --- canonical views ------------------------------------------------------------------------


def test_the_views_read_whatever_the_provider_called_it_and_change_nothing() -> None:
    text = (
        f'{{{HEAD},"choices":[{{"index":0,"delta":{{"reasoning":"r"}},"finish_reason":"eos"}}],'
        '"usage":{"prompt_tokens":3,"prompt_cache_hit_tokens":2,"reasoning_tokens":1}}'
    )
    c = parse_chunk(text)
    assert c.choices[0].delta.reasoning_text == "r"
    assert c.choices[0].canonical_finish_reason == "stop"
    assert c.usage
    assert (c.usage.cached_tokens, c.usage.reasoning_tokens) == (2, 1)
    assert json.loads(dump_chunk(c)) == json.loads(text)
    assert c.usage.model_extra == {"prompt_cache_hit_tokens": 2, "reasoning_tokens": 1}


def test_the_views_are_no_fields_of_the_models() -> None:
    for model, name in [
        (ChatCompletionChunkDelta, "reasoning_text"),
        (ChatCompletionChunkChoice, "canonical_finish_reason"),
        (CompletionUsage, "cached_tokens"),
        (CompletionUsage, "reasoning_tokens"),
    ]:
        assert name not in model.model_fields
        assert name not in model.model_json_schema().get("properties", {})
    # A provider's own top-level `reasoning_tokens` stays an extra, and is written back.
    usage = CompletionUsage.model_validate_json('{"reasoning_tokens":3}')
    assert usage.model_extra == {"reasoning_tokens": 3}
    assert usage.model_dump_json() == '{"reasoning_tokens":3}'


def test_the_views_prefer_the_openai_fields() -> None:
    c = chunk(
        choice('{"reasoning_content":"a","reasoning":"b"}'),
        ',"usage":{"prompt_tokens_details":{"cached_tokens":7},"cache_read_input_tokens":9,'
        '"completion_tokens_details":{"reasoning_tokens":4}}',
    )
    assert c.choices[0].delta.reasoning_text == "a"
    assert c.usage
    assert (c.usage.cached_tokens, c.usage.reasoning_tokens) == (7, 4)
    plain = chunk(choice("{}"), ',"usage":{"cache_read_input_tokens":9,"reasoning_tokens":true}')
    assert plain.usage
    assert (plain.usage.cached_tokens, plain.usage.reasoning_tokens) == (9, None)
    assert plain.choices[0].delta.reasoning_text is None
    assert plain.choices[0].canonical_finish_reason is None


# --- streams: end state, relay ---------------------------------------------------------------


def sse(chunks: Iterable[ChatCompletionChunk], done: bool = True) -> bytes:
    body = b"".join(b"data: " + dump_chunk(c).encode() + b"\n\n" for c in chunks)
    return body + (b"data: [DONE]\n\n" if done else b"")


def test_normalize_stream_keeps_the_sources_end() -> None:
    body = STREAMS["gemini"][0]
    stream = normalize_stream(iter_events([body]))
    assert stream.end is None
    frames = b"".join(encode_stream(stream))
    assert stream.end is StreamEnd.DONE
    assert stream.done
    assert frames.endswith(b"data: [DONE]\n\n")
    cut = normalize_stream(iter_events([body[: body.rindex(b"data: [DONE]")]]))
    assert not b"".join(encode_stream(cut)).endswith(b"[DONE]\n\n")
    assert cut.end is StreamEnd.EOF


def test_a_plain_iterable_ends_done_or_failed() -> None:
    stream = normalize_stream(chunks_of(STREAMS["groq"][0]))
    list(stream)
    assert stream.end is StreamEnd.DONE
    assert stream.complete

    def broken() -> Iterable[ChatCompletionChunk]:
        yield chunk()
        raise OSError("connection reset")

    failing = normalize_stream(broken())
    with pytest.raises(OSError, match="reset"):
        list(failing)
    assert failing.end is StreamEnd.FAILED


def test_normalized_streams_assemble_as_the_originals_do() -> None:
    options = NormalizeOptions(usage="last", header="merge", lossless=False)
    for name, (body, _) in STREAMS.items():
        expected = to_dict(accumulate(chunks_of(body)))
        got = to_dict(accumulate(normalize_stream(chunks_of(body), options)))
        # The messages, finish reasons and usage: what a reader of the stream gets.
        assert got["choices"] == expected["choices"], name
        assert got["id"] == expected["id"], name
        if name == "groq":
            # Groq's usage now reaches the completion where every reader looks for it.
            assert got["usage"]["total_tokens"] == 52
        else:
            assert got.get("usage") == expected.get("usage"), name


def test_the_normalizer_is_a_relay_transform() -> None:
    body = STREAMS["gemini"][0]
    frames = b"".join(relay([body], Normalizer().transform))
    chunks = [c for c in iter_events([frames]) if isinstance(c, ChatCompletionChunk)]
    indexes = [t.index for c in chunks for t in c.choices[0].delta.tool_calls or []]
    assert indexes == [0, 1]
    assert frames.endswith(b"data: [DONE]\n\n")


def test_the_normalizer_is_an_arelay_transform_and_anormalize_stream_keeps_the_end() -> None:
    body = STREAMS["deepseek"][0]

    async def source() -> AsyncIterator[bytes]:
        yield body

    async def main() -> Tuple[bytes, List[Any], Optional[StreamEnd], int]:
        frames = b"".join([f async for f in arelay(source(), Normalizer().transform)])
        stream = anormalize_stream(aiter_events(source()), NormalizeOptions(usage="last"))
        items = [item async for item in stream]
        return frames, items, stream.end, len(stream.changes)

    frames, items, end, changes = asyncio.run(main())
    assert b'"reasoning_content":' not in frames
    assert b'"reasoning":' in frames
    assert end is StreamEnd.DONE
    assert items[-1].choices == []
    assert items[-1].usage
    assert changes > 0


def test_transform_refuses_options_that_hold_chunks_back() -> None:
    with pytest.raises(ValueError, match="normalize_stream"):
        Normalizer(NormalizeOptions(usage="last")).transform(chunk())


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field"),
    [({"reasoning": "thinking"}, "reasoning"), ({"usage": "first"}, "usage"),
     ({"header": "merge_all"}, "header"), ({"nulls": "none"}, "nulls"),
     ({"finish_reasons": {"x": 1}}, "finish_reasons"), ({"lossless": "yes"}, "lossless")],
)  # fmt: skip
def test_bad_options_raise_a_value_error_naming_the_option(
    options: Dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        NormalizeOptions(**options)


def test_options_hash_compare_and_pickle() -> None:
    options = NormalizeOptions(finish_reasons={"STOP": "stop"}, usage="last")
    normalize_stream([chunk()], options)  # the rules it builds are kept on it
    again = pickle.loads(pickle.dumps(options))
    assert again == options
    assert hash(again) == hash(NormalizeOptions(finish_reasons={"STOP": "stop"}, usage="last"))
    assert again.finish_reasons == {"STOP": "stop"}
    with pytest.raises(TypeError):
        again.finish_reasons["x"] = "stop"  # type: ignore[index]
    c = chunk(choice("{}", ',"finish_reason":"STOP"'))
    assert normalize_chunk(c, NormalizeOptions(finish_reasons={"STOP": "stop"})).changes


def test_normalize_chunk_refuses_stream_options_and_non_chunks() -> None:
    with pytest.raises(ValueError, match="whole stream"):
        normalize_chunk(chunk(), NormalizeOptions(header="drop"))
    with pytest.raises(TypeError, match="ChatCompletionChunk"):
        normalize_chunk({"id": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="NormalizeOptions"):
        normalize_chunk(chunk(), {"usage": "last"})  # type: ignore[arg-type]
    normalizer = Normalizer()
    normalizer.finish()
    with pytest.raises(ValueError, match="finished"):
        normalizer.add(chunk())


# --- properties -----------------------------------------------------------------------------

_reasons = st.sampled_from(
    [None, "stop", "length", "tool_calls", "eos", "eos_token", "model_length", "max_tokens", "",
     "recitation", "content_filter"]
)  # fmt: skip


@st.composite
def provider_chunks(draw: st.DrawFn) -> Dict[str, Any]:
    """A chunk as DeepSeek, vLLM, Groq, Gemini, Ollama, Azure or llama.cpp might send it."""
    choices: List[Dict[str, Any]] = []
    for index in range(draw(st.integers(0, 2))):
        delta: Dict[str, Any] = {}
        if draw(st.booleans()):
            delta["content"] = draw(st.text(max_size=5))
        name = draw(st.sampled_from([None, "reasoning", "reasoning_content", "both"]))
        text = draw(st.text(max_size=5))
        if name == "both":
            delta["reasoning_content"] = delta["reasoning"] = text
        elif name:
            delta[name] = text
        calls: List[Dict[str, Any]] = []
        for _ in range(draw(st.integers(0, 2))):
            call: Dict[str, Any] = {"function": {"name": "f", "arguments": "{}"}}
            if draw(st.booleans()):
                call["id"] = draw(st.sampled_from(["a", "b", "c"]))
            if draw(st.booleans()):
                call["index"] = draw(st.integers(0, 1))
            if draw(st.booleans()):
                call["type"] = "function"
            calls.append(call)
        if calls:
            delta["tool_calls"] = calls
        entry: Dict[str, Any] = {"index": index}
        if draw(st.booleans()):
            entry["delta"] = delta
        reason = draw(_reasons)
        if reason is not None or draw(st.booleans()):
            entry["finish_reason"] = reason
        if draw(st.booleans()):
            entry["logprobs"] = None
        choices.append(entry)
    header = draw(st.booleans()) and not choices
    payload: Dict[str, Any] = {
        "id": "" if header else ID,
        "object": draw(st.sampled_from(["chat.completion.chunk", ""])),
        "created": 0 if header else 1751900000,
        "model": "" if header else "m",
        "choices": choices,
    }
    if draw(st.booleans()):
        payload["x_groq"] = {"id": "req_1", "usage": {"prompt_tokens": 3, "queue_time": 0.1}}
    if draw(st.booleans()):
        payload["usage"] = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    if draw(st.booleans()):
        payload["system_fingerprint"] = None
    return payload


_options = st.builds(
    NormalizeOptions,
    reasoning=st.sampled_from(["reasoning", "reasoning_content", "keep"]),
    nulls=st.sampled_from(["keep", "openai", "omit"]),
    lossless=st.booleans(),
)
_stream_options = st.builds(
    NormalizeOptions,
    reasoning=st.sampled_from(["reasoning", "reasoning_content", "keep"]),
    usage=st.sampled_from(["keep", "last"]),
    header=st.sampled_from(["keep", "drop", "merge"]),
    nulls=st.sampled_from(["keep", "openai", "omit"]),
    lossless=st.booleans(),
)


def _only_reports(changes: Iterable[Change]) -> bool:
    return all(c.kind == "finish_reason_unknown" for c in changes)


@settings(max_examples=300, deadline=None)
@given(provider_chunks(), _options)
def test_normalizing_a_chunk_twice_changes_nothing_the_second_time(
    payload: Dict[str, Any], options: NormalizeOptions
) -> None:
    once = normalize_chunk(parse_chunk(json.dumps(payload)), options)
    twice = normalize_chunk(once.chunk, options)
    assert _only_reports(twice.changes)
    assert dump_chunk(twice.chunk) == dump_chunk(once.chunk)
    # The normalized chunk reads back as the same chunk: nothing was half-built.
    assert dump_chunk(parse_chunk(dump_chunk(once.chunk))) == dump_chunk(once.chunk)


@settings(max_examples=200, deadline=None)
@given(st.lists(provider_chunks(), max_size=6), _stream_options)
def test_normalizing_a_stream_twice_changes_nothing_the_second_time(
    payloads: List[Dict[str, Any]], options: NormalizeOptions
) -> None:
    chunks = [parse_chunk(json.dumps(p)) for p in payloads]
    once = list(normalize_stream(chunks, options))
    again = normalize_stream(once, options)
    twice = list(again)
    assert [dump_chunk(c) for c in twice] == [dump_chunk(c) for c in once]
    assert _only_reports(again.changes)


def _at(root: Any, path: str) -> Any:
    found: Any = root
    for part in path.split("."):
        found = cast(List[Any], found)[int(part)] if isinstance(found, list) else found[part]
    return found


def _parent(root: Any, path: str) -> Any:
    return _at(root, path.rsplit(".", 1)[0]) if "." in path else root


@settings(max_examples=300, deadline=None)
@given(provider_chunks())
def test_with_the_lossless_default_every_sent_value_is_kept_in_the_chunk(
    payload: Dict[str, Any],
) -> None:
    sent = parse_chunk(json.dumps(payload))
    result = normalize_chunk(sent)
    out = as_json(result.chunk)
    for change in result.changes:
        if change.old is UNSET or change.old is None:
            continue  # something filled in where the provider sent nothing
        owner = _parent(out, change.path)
        if change.kind == "finish_reason_mapped":
            recovered = owner.get("native_finish_reason")
        elif change.kind == "object_set":
            recovered = owner["native_object"]
        elif change.kind == "tool_call_split":
            recovered = owner["native_index"]
        elif change.kind == "reasoning_renamed":
            assert owner["native_reasoning_field"] == change.old
            recovered = change.old
        elif change.kind == "reasoning_duplicate":
            assert owner["native_reasoning_field"] == "reasoning_content,reasoning"
            recovered = owner["reasoning"] if "reasoning" in owner else owner["reasoning_content"]
        else:  # finish_reason_unknown: kept where it was
            recovered = _at(out, change.path)
        assert recovered == change.old, change
    # And the text of every field, renamed or not, is still there.
    for got, was in zip(result.chunk.choices, sent.choices):
        assert got.delta.reasoning_text == was.delta.reasoning_text
        assert got.delta.content == was.delta.content
    extra = sent.model_extra or {}
    if "x_groq" in extra:
        assert out["x_groq"] == extra["x_groq"]
