"""Tests of the live events: `ChunkAccumulator.feed`, `feed_end`, `stream_events`.

The claim under test: the events of a stream, concatenated, give exactly what the
accumulator assembles, for every provider stream in `streams.py` and for random
streams with the providers' quirks. Then the order and content of each kind of event.
"""

import asyncio
import json
from typing import Any, AsyncIterator, Dict, Iterable, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import (
    UNSET,
    ChatCompletion,
    ChatCompletionChunk,
    InvalidPayload,
    StreamEnd,
    StreamErrorEvent,
    aiter_events,
    iter_events,
    parse_chunk,
    to_dict,
)
from chatchunk._accumulate import ChunkAccumulator, accumulate, astream_events, stream_events
from chatchunk._live import (
    ChoiceFinished,
    ContentDelta,
    ErrorReceived,
    FunctionCallDelta,
    ReasoningDelta,
    RefusalDelta,
    StreamEnded,
    StreamEvent,
    ToolArgumentsDelta,
    ToolArgumentsError,
    ToolCallDone,
    ToolCallStarted,
    UsageReceived,
)
from chatchunk._partial import PartialJSONError
from streams import STREAMS, chunks_of

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def make_chunk(choices: List[Dict[str, Any]], **top: Any) -> ChatCompletionChunk:
    payload: Dict[str, Any] = {
        "id": "chatcmpl-live",
        "object": "chat.completion.chunk",
        "created": 1751900000,
        "model": "m",
        "choices": choices,
    }
    payload.update(top)
    return parse_chunk(json.dumps(payload))


def delta(d: Dict[str, Any], index: int = 0, **fields: Any) -> Dict[str, Any]:
    result: Dict[str, Any] = {"index": index, "delta": d, "finish_reason": None}
    result.update(fields)
    return result


Summary = Dict[str, Any]


def replay(events: List[StreamEvent]) -> Summary:
    """What a live viewer that only saw the events would show at the end."""
    choices: Dict[int, Dict[str, Any]] = {}

    def at(index: int) -> Dict[str, Any]:
        return choices.setdefault(
            index,
            {
                "content": "",
                "reasoning": "",
                "refusal": "",
                "tool_calls": {},
                "finish_reason": None,
                "function_call": None,
            },
        )

    usage: Optional[Dict[str, Any]] = None
    for event in events:
        if isinstance(event, ContentDelta):
            at(event.choice)["content"] += event.text
        elif isinstance(event, ReasoningDelta):
            at(event.choice)["reasoning"] += event.text
        elif isinstance(event, RefusalDelta):
            at(event.choice)["refusal"] += event.text
        elif isinstance(event, ToolCallDone):
            at(event.choice)["tool_calls"][event.index] = (event.id, event.name, event.arguments)
        elif isinstance(event, ChoiceFinished):
            at(event.choice)["finish_reason"] = event.finish_reason
        elif isinstance(event, FunctionCallDelta):
            before = at(event.choice)["function_call"] or ("", "")
            at(event.choice)["function_call"] = (event.name, before[1] + event.text)
        elif isinstance(event, UsageReceived):
            usage = to_dict(event.usage)
    for c in choices.values():
        calls = c["tool_calls"]
        assert sorted(calls) == list(range(len(calls)))
        c["tool_calls"] = [calls[i] for i in range(len(calls))]
    return {"choices": choices, "usage": usage}


def summary_of(completion: ChatCompletion) -> Summary:
    """The same summary, from the assembled completion."""
    choices: Dict[int, Dict[str, Any]] = {}
    for c in completion.choices:
        m = c.message
        reasoning = m.reasoning_content
        function = m.function_call
        choices[c.index] = {
            "content": m.content or "",
            "reasoning": reasoning if isinstance(reasoning, str) else "",
            "refusal": m.refusal or "",
            "tool_calls": [
                (t.id, t.function.name, t.function.arguments) for t in (m.tool_calls or [])
            ],
            # "" is no finish reason, for the events as for `finished`.
            "finish_reason": c.finish_reason or None,
            "function_call": (
                (function.name, function.arguments)
                if function is not UNSET and function is not None
                else None
            ),
        }
    usage = completion.usage
    empty: Dict[str, Any] = {"content": "", "reasoning": "", "refusal": "", "tool_calls": []}
    empty.update(finish_reason=None, function_call=None)
    return {
        # A choice that brought nothing has no event to show it.
        "choices": {i: c for i, c in choices.items() if c != empty},
        "usage": None if usage is UNSET or usage is None else to_dict(usage),
    }


def check_order(events: List[StreamEvent]) -> None:
    """Each call starts once, its deltas join to its text, and it is done before the end."""
    started: Dict[Tuple[int, int], ToolCallStarted] = {}
    views: Dict[Tuple[int, int], Any] = {}
    texts: Dict[Tuple[int, int], str] = {}
    open_: Dict[Tuple[int, int], bool] = {}
    for event in events:
        if isinstance(event, ToolCallStarted):
            key = (event.choice, event.index)
            assert key not in started
            started[key] = event
            texts[key] = ""
            open_[key] = True
        elif isinstance(event, ToolArgumentsDelta):
            key = (event.choice, event.index)
            assert key in started
            assert event.text
            texts[key] += event.text
            open_[key] = True
            assert event.call.arguments.startswith(texts[key])
            # One live view per call, shared by all its events.
            assert views.setdefault(key, event.call) is event.call
            assert (event.call.choice, event.call.index) == key
        elif isinstance(event, ToolCallDone):
            key = (event.choice, event.index)
            assert key in started
            open_[key] = False
            assert event.arguments == texts[key]
        elif isinstance(event, (ContentDelta, ReasoningDelta, RefusalDelta)):
            assert event.text
    assert isinstance(events[-1], StreamEnded)
    assert not any(open_.values())
    assert sum(isinstance(e, StreamEnded) for e in events) == 1


# ---------------------------------------------------------------------------------------
# Every provider stream
# ---------------------------------------------------------------------------------------

STREAM_NAMES = sorted(STREAMS)


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_events_of_a_provider_stream_give_the_assembled_completion(name: str) -> None:
    chunks = chunks_of(STREAMS[name][0])
    accumulator = ChunkAccumulator()
    events = list(stream_events(chunks, accumulator))
    check_order(events)
    assert replay(events) == summary_of(accumulate(chunks))
    # Feeding gives the same completion as adding, provider fields and all.
    assert to_dict(accumulator.result()) == to_dict(accumulate(chunks))
    assert accumulator.anomalies == _anomalies(chunks)


def _anomalies(chunks: Iterable[ChatCompletionChunk]) -> Any:
    accumulator = ChunkAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.anomalies


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_events_of_an_sse_body_end_with_how_it_ended(name: str) -> None:
    body = STREAMS[name][0]
    events = list(stream_events(iter_events([body])))
    ended = events[-1]
    assert isinstance(ended, StreamEnded)
    assert ended.end is (StreamEnd.EOF if name == "no_done" else StreamEnd.DONE)
    assert ended.complete is (name != "no_done")
    assert ended.reasons == ([] if name != "no_done" else ["the stream ended without data: [DONE]"])


@pytest.mark.parametrize("name", STREAM_NAMES)
def test_astream_events_gives_the_same_events(name: str) -> None:
    chunks = chunks_of(STREAMS[name][0])

    async def source() -> AsyncIterator[ChatCompletionChunk]:
        for chunk in chunks:
            await asyncio.sleep(0)
            yield chunk

    async def main() -> List[StreamEvent]:
        return [event async for event in astream_events(source())]

    assert asyncio.run(main()) == list(stream_events(chunks))


def test_astream_events_takes_the_end_of_an_async_chunk_stream() -> None:
    body = STREAMS["no_done"][0]

    async def source() -> AsyncIterator[bytes]:
        yield body[:40]
        yield body[40:]

    async def main() -> List[StreamEvent]:
        return [event async for event in astream_events(aiter_events(source()))]

    events = asyncio.run(main())
    assert [e.text for e in events if isinstance(e, ContentDelta)] == ["Ok", "ay."]
    ended = events[-1]
    assert isinstance(ended, StreamEnded)
    assert ended.end is StreamEnd.EOF
    assert ended.reasons == ["the stream ended without data: [DONE]"]


def test_openai_parallel_calls_in_order() -> None:
    events = list(stream_events(chunks_of(STREAMS["openai_parallel_tool_calls"][0])))
    kinds: List[Tuple[str, Any]] = [(type(e).__name__, getattr(e, "index", None)) for e in events]
    first_done = kinds.index(("ToolCallDone", 0))
    assert kinds.index(("ToolCallStarted", 1)) == first_done + 1
    done = [e for e in events if isinstance(e, ToolCallDone)]
    assert [(d.index, d.name, d.parsed, d.error) for d in done] == [
        (0, "get_weather", {"location": "Paris, France"}, None),
        (1, "get_weather", {"location": "Tokyo, Japan"}, None),
    ]
    # The finish reason comes after the last call is done.
    assert isinstance(events[-3], ToolCallDone)
    assert events[-2] == ChoiceFinished(0, "tool_calls", None)
    assert events[-1] == StreamEnded(None, True, [])  # chunks, not a ChunkStream: no end


def test_ollama_calls_under_one_index_are_three_calls() -> None:
    events = list(stream_events(chunks_of(STREAMS["ollama"][0])))
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    assert started == [
        ToolCallStarted(0, 0, "call_k3m9x2ab", "get_current_weather"),
        ToolCallStarted(0, 1, "call_p7q1r4cd", "get_current_weather"),
        ToolCallStarted(0, 2, "call_z8w5v6ef", "get_time"),
    ]
    done = [e.parsed for e in events if isinstance(e, ToolCallDone)]
    assert done == [
        {"city": "Paris", "unit": "celsius"},
        {"city": "Tokyo", "unit": "celsius"},
        {"timezone": "Asia/Tokyo"},
    ]
    # The third call is done when the choice finishes, on the next chunk.
    finished = next(i for i, e in enumerate(events) if isinstance(e, ChoiceFinished))
    before = events[finished - 1]
    assert isinstance(before, ToolCallDone)
    assert before.index == 2


def test_gemini_unindexed_calls_each_start_and_finish() -> None:
    events = list(stream_events(chunks_of(STREAMS["gemini"][0])))
    names = [type(e).__name__ for e in events]
    assert names == [
        "ContentDelta",
        "ToolCallStarted",
        "ToolArgumentsDelta",
        "ToolCallDone",
        "ToolCallStarted",
        "ToolArgumentsDelta",
        "ToolCallDone",
        "ChoiceFinished",
        "UsageReceived",
        "StreamEnded",
    ]


def test_a_fragment_before_the_id_starts_a_call_without_id() -> None:
    events = list(stream_events(chunks_of(STREAMS["tool_fragment_before_id"][0])))
    started = next(e for e in events if isinstance(e, ToolCallStarted))
    assert (started.id, started.name) == ("", "")
    done = next(e for e in events if isinstance(e, ToolCallDone))
    assert (done.id, done.name, done.parsed) == ("call_0a1b2c", "search", {"query": "green tea"})
    view = next(e for e in events if isinstance(e, ToolArgumentsDelta)).call
    assert (view.id, view.name) == ("call_0a1b2c", "search")  # the view is live


def test_reasoning_in_both_fields_is_one_event() -> None:
    chunk = make_chunk([delta({"reasoning_content": "Hm", "reasoning": "Hm"})])
    assert ChunkAccumulator().feed(chunk) == [ReasoningDelta(0, "Hm")]


def test_repeated_role_and_empty_content_make_no_event() -> None:
    accumulator = ChunkAccumulator()
    assert accumulator.feed(make_chunk([delta({"role": "assistant", "content": ""})])) == []
    assert accumulator.feed(make_chunk([delta({"role": "assistant", "content": "Hi"})])) == [
        ContentDelta(0, "Hi")
    ]


def test_empty_and_null_finish_reasons_are_no_finish() -> None:
    accumulator = ChunkAccumulator()
    assert accumulator.feed(make_chunk([delta({"content": "a"}, finish_reason="")])) == [
        ContentDelta(0, "a")
    ]
    assert accumulator.feed(make_chunk([delta({}, finish_reason="stop", stop_reason=42)])) == [
        ChoiceFinished(0, "stop", 42)
    ]
    # A late null, or the same reason again, is no new event.
    assert accumulator.feed(make_chunk([delta({}, finish_reason=None)])) == []
    assert accumulator.feed(make_chunk([delta({}, finish_reason="stop")])) == []
    assert accumulator.feed(make_chunk([delta({}, finish_reason="length")])) == [
        ChoiceFinished(0, "length", 42)
    ]


def test_usage_events_carry_the_merged_usage() -> None:
    accumulator = ChunkAccumulator()
    full = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    (first,) = accumulator.feed(make_chunk([], usage=full))
    assert isinstance(first, UsageReceived)
    assert to_dict(first.usage) == full
    (second,) = accumulator.feed(make_chunk([], usage={"completion_tokens": 3}))
    assert isinstance(second, UsageReceived)
    assert to_dict(second.usage) == {**full, "completion_tokens": 3}
    assert accumulator.feed(make_chunk([], usage=None)) == []


def test_errors_and_invalid_payloads_are_events() -> None:
    error = StreamErrorEvent({"message": "overloaded"}, {"error": {"message": "overloaded"}})
    bad = next(iter(iter_events([b"data: {}\n\n"], on_invalid="yield")))
    assert isinstance(bad, InvalidPayload)
    accumulator = ChunkAccumulator()
    assert accumulator.feed(error) == [ErrorReceived(error)]
    assert accumulator.feed(bad) == [ErrorReceived(bad)]
    (ended,) = accumulator.feed_end(StreamEnd.ERROR)
    assert isinstance(ended, StreamEnded)
    assert ended.end is StreamEnd.ERROR
    assert ended.complete is False
    assert "the stream reported an error: overloaded" in ended.reasons


def test_feed_end_closes_the_calls_of_a_cut_stream() -> None:
    accumulator = ChunkAccumulator()
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
    accumulator.feed(make_chunk([delta({"tool_calls": [first]})]))
    more = {"index": 0, "function": {"arguments": '{"a": [1, '}}
    (args,) = accumulator.feed(make_chunk([delta({"tool_calls": [more]})]))
    assert isinstance(args, ToolArgumentsDelta)
    assert args.call.partial_arguments() == {"a": [1]}
    done, ended = accumulator.feed_end(StreamEnd.EOF)
    assert isinstance(done, ToolCallDone)
    assert done.parsed is UNSET
    assert isinstance(done.error, ToolArgumentsError)
    assert isinstance(done.error, ValueError)
    assert str(done.error).startswith(
        "choice 0, tool call 0 ('f'): the arguments are not valid JSON"
    )
    assert done.error.arguments == '{"a": [1, '
    assert isinstance(ended, StreamEnded)
    assert ended.end is StreamEnd.EOF
    # A call closed once is not closed again.
    assert [type(e) for e in accumulator.feed_end()] == [StreamEnded]


def test_a_call_that_continues_after_it_was_closed_is_done_again() -> None:
    # A server that interleaves two calls: call 0 gets a fragment after call 1 started.
    accumulator = ChunkAccumulator()
    events: List[StreamEvent] = []
    for fragment in (
        {"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"x":'}},
        {"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}},
        {"index": 0, "function": {"arguments": "1}"}},
    ):
        events += accumulator.feed(make_chunk([delta({"tool_calls": [fragment]})]))
    events += accumulator.feed(make_chunk([delta({}, finish_reason="tool_calls")]))
    done = [(e.index, e.arguments, e.error is None) for e in events if isinstance(e, ToolCallDone)]
    assert done == [(0, '{"x":', False), (1, "{}", True), (0, '{"x":1}', True)]
    assert replay(events + accumulator.feed_end()) == summary_of(accumulator.result())


def test_function_call_events() -> None:
    events = list(stream_events(chunks_of(STREAMS["openai_function_call"][0])))
    calls = [e for e in events if isinstance(e, FunctionCallDelta)]
    assert calls[0].text == ""
    assert calls[0].name
    assert {e.name for e in calls} == {"get_current_weather"}
    assert json.loads("".join(e.text for e in calls)) == {"location": "Boston, MA"}
    assert (
        replay(events)["choices"][0]["function_call"]
        == summary_of(accumulate(chunks_of(STREAMS["openai_function_call"][0])))["choices"][0][
            "function_call"
        ]
    )


def test_a_caller_may_pass_its_accumulator() -> None:
    accumulator = ChunkAccumulator()
    chunks = chunks_of(STREAMS["deepseek"][0])
    assert list(stream_events(chunks, accumulator))
    assert to_dict(accumulator.result()) == to_dict(accumulate(chunks))
    assert accumulator.chunk_count == len(chunks)


def test_add_makes_no_events_and_no_views() -> None:
    accumulator = ChunkAccumulator()
    for chunk in chunks_of(STREAMS["openai_parallel_tool_calls"][0]):
        accumulator.add(chunk)
    calls = accumulator._choices[0].tool_calls  # pyright: ignore[reportPrivateUsage]
    assert [(c.view, c.parser, c.unfed) for c in calls] == [(None, None, None)] * 2
    # feed_end has no open call to close: those were added, not fed.
    assert [type(e) for e in accumulator.feed_end()] == [StreamEnded]


# ---------------------------------------------------------------------------------------
# The event classes
# ---------------------------------------------------------------------------------------


def test_events_compare_by_value_and_show_their_fields() -> None:
    assert ContentDelta(0, "a") == ContentDelta(0, "a")
    assert ContentDelta(0, "a") != ContentDelta(1, "a")
    assert ContentDelta(0, "a") != ReasoningDelta(0, "a")
    assert repr(ToolCallStarted(0, 1, "c", "f")) == (
        "ToolCallStarted(choice=0, index=1, id='c', name='f')"
    )
    assert repr(StreamEnded(StreamEnd.DONE, True, [])).startswith("StreamEnded(end=")
    error = ToolArgumentsError(0, 0, "f", "{", "EOF")
    assert ToolCallDone(0, 0, "c", "f", "{", UNSET, error) == ToolCallDone(
        0, 0, "c", "f", "{", UNSET, ToolArgumentsError(0, 0, "f", "{", "EOF")
    )
    assert ToolCallDone(0, 0, "c", "f", "{}", {}, None) != ToolCallDone(
        0, 0, "c", "f", "{", UNSET, error
    )
    with pytest.raises(TypeError):
        hash(ContentDelta(0, "a"))
    with pytest.raises(AttributeError):
        ContentDelta(0, "a").extra = 1  # type: ignore[attr-defined]
    assert all(
        isinstance(e, StreamEvent)
        for e in (ContentDelta(0, "a"), UsageReceived.__new__(UsageReceived))
    )


# ---------------------------------------------------------------------------------------
# Partial arguments
# ---------------------------------------------------------------------------------------


def test_partial_arguments_parse_only_what_is_new() -> None:
    # 10^4 one-character fragments, the partial value asked after each: each character
    # is scanned once, however often the value is asked.
    text = json.dumps({"path": "docs/" + "x" * 9_970, "n": [1, 2]})
    accumulator = ChunkAccumulator()
    header = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "write"}}
    accumulator.feed(make_chunk([delta({"tool_calls": [header]})]))
    view = None
    for ch in text:
        fragment = {"index": 0, "function": {"arguments": ch}}
        (event,) = accumulator.feed(make_chunk([delta({"tool_calls": [fragment]})]))
        assert isinstance(event, ToolArgumentsDelta)
        view = event.call
        value = view.partial_arguments()
        assert value is UNSET or isinstance(value, dict)
    assert view is not None
    assert view.partial_arguments() == json.loads(text)
    parser = view._call.parser  # pyright: ignore[reportPrivateUsage]
    assert parser is not None
    assert parser._scanned == len(text)  # pyright: ignore[reportPrivateUsage]


def test_partial_arguments_start_late_and_raise_on_bad_text() -> None:
    accumulator = ChunkAccumulator()
    events: List[StreamEvent] = []
    for piece in ('{"q": "gre', 'en tea", "k": 3', "}"):
        fragment = {"index": 0, "id": "c", "function": {"name": "s", "arguments": piece}}
        events += accumulator.feed(make_chunk([delta({"tool_calls": [fragment]})]))
    view = next(e for e in events if isinstance(e, ToolArgumentsDelta)).call
    assert view.partial_arguments() == {"q": "green tea", "k": 3}  # first asked at the end
    assert view.arguments == '{"q": "green tea", "k": 3}'
    bad = {"index": 1, "id": "d", "function": {"name": "s", "arguments": "<html>"}}
    (_, _, args) = accumulator.feed(make_chunk([delta({"tool_calls": [bad]})]))
    assert isinstance(args, ToolArgumentsDelta)
    with pytest.raises(PartialJSONError):
        args.call.partial_arguments()
    assert "ToolCallView(choice=0, index=1" in repr(args.call)


# ---------------------------------------------------------------------------------------
# Random streams with the providers' quirks
# ---------------------------------------------------------------------------------------


@st.composite
def pieces(draw: st.DrawFn, text: str) -> List[str]:
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
ARGS = st.sampled_from(['{"city":"Paris"}', "{}", '{"q": "a\\"b", "n": [1, 2.5]}', "", "{bad"])


@st.composite
def quirky_stream(draw: st.DrawFn) -> List[ChatCompletionChunk]:
    style = draw(st.sampled_from(["openai", "gemini", "ollama", "mistral"]), label="style")
    repeat_role = draw(st.booleans(), label="role on every chunk")
    empty_reasons = draw(st.booleans(), label='"" finish reasons until the end')
    deltas: List[Tuple[int, Dict[str, Any]]] = []
    for index in range(draw(st.integers(1, 2), label="choices")):
        for field in ("reasoning_content", "reasoning", "both", "content", "refusal"):
            if draw(st.booleans()):
                for piece in draw(pieces(draw(TEXT))):
                    d = (
                        {"reasoning_content": piece, "reasoning": piece}
                        if field == "both"
                        else {field: piece}
                    )
                    deltas.append((index, d))
        calls = [
            (f"call_{index}_{k}", draw(st.sampled_from(["f", "get_weather"])), draw(ARGS))
            for k in range(draw(st.integers(0, 3)))
        ]
        if style == "openai":
            for k, (call_id, name, args) in enumerate(calls):
                first = {
                    "index": k,
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": ""},
                }
                deltas.append((index, {"tool_calls": [first]}))
                for piece in draw(pieces(args)):
                    deltas.append(
                        (index, {"tool_calls": [{"index": k, "function": {"arguments": piece}}]})
                    )
        elif style == "gemini":
            for call_id, name, args in calls:
                whole = {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": args},
                }
                deltas.append((index, {"tool_calls": [whole]}))
        elif calls:
            whole_calls = [
                {"id": c, "index": k * (style != "ollama"), "function": {"name": n, "arguments": a}}
                for k, (c, n, a) in enumerate(calls)
            ]
            deltas.append((index, {"tool_calls": whole_calls}))
    order = draw(st.permutations(range(len(deltas)))) if draw(st.booleans()) else range(len(deltas))
    chunks: List[ChatCompletionChunk] = []
    for i in order:
        index, d = deltas[i]
        if repeat_role:
            d = {"role": "assistant", **d}
        reason: Optional[str] = "" if empty_reasons else None
        chunks.append(make_chunk([delta(d, index, finish_reason=reason)]))
    for index in sorted({i for i, _ in deltas}):
        if draw(st.booleans()):
            chunks.append(
                make_chunk(
                    [
                        delta(
                            {},
                            index,
                            finish_reason=draw(st.sampled_from(["stop", "tool_calls", "length"])),
                        )
                    ]
                )
            )
    if draw(st.booleans()):
        chunks.append(
            make_chunk([], usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7})
        )
        if draw(st.booleans()):
            chunks.append(make_chunk([], usage={"completion_tokens": 5}))
    if draw(st.booleans()):  # late nulls
        chunks.append(
            make_chunk(
                [delta({"content": None}, 0, finish_reason=None)],
                usage=None,
                system_fingerprint=None,
            )
        )
    return chunks


@settings(max_examples=200, deadline=None)
@given(chunks=quirky_stream())
def test_events_of_random_quirky_streams_give_the_assembled_completion(
    chunks: List[ChatCompletionChunk],
) -> None:
    accumulator = ChunkAccumulator()
    events = list(stream_events(chunks, accumulator))
    check_order(events)
    assembled = accumulate(chunks)
    assert replay(events) == summary_of(assembled)
    assert to_dict(accumulator.result()) == to_dict(assembled)
    for event in events:
        if isinstance(event, ToolCallDone):
            try:
                expected: Any = json.loads(event.arguments)
            except ValueError:
                assert event.parsed is UNSET
                assert isinstance(event.error, ToolArgumentsError)
            else:
                assert (event.parsed, event.error) == (expected, None)
