"""The rule that tells the streams of a log apart (``chatchunk._logs``), on its own.

Each case is a sequence of provider-shaped chunks and the streams it must read as;
`split` is then checked on real inputs for ``[DONE]`` and for how each stream ended.
"""

import io
import json
import re
from typing import Any, Dict, List, Optional, Sequence, Union

import pytest
from pydantic import ValidationError

import chatchunk._inputs as inputs
from chatchunk import (
    ChatCompletionChunk,
    InvalidPayload,
    SSEDecoder,
    StreamEnd,
    StreamErrorEvent,
    dump_chunk,
    parse_chunk,
)
from chatchunk._inputs import Item, Place, Reader, Source, sniff
from chatchunk._logs import Ended, StreamSplitter, split

_UNSET: Any = object()


def chunk(
    id: str = "chatcmpl-A",
    delta: Any = _UNSET,
    finish: Optional[str] = None,
    *,
    index: int = 0,
    choices: Optional[List[Dict[str, Any]]] = None,
    **extra: Any,
) -> ChatCompletionChunk:
    """A chunk with one choice (or ``choices``); ``delta`` left out when None is asked."""
    if choices is None:
        choice: Dict[str, Any] = {"index": index, "finish_reason": finish}
        if delta is not None:
            choice["delta"] = {"content": "x"} if delta is _UNSET else delta
        choices = [choice]
    payload = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": 1764289000,
        "model": "m",
        "choices": choices,
        **extra,
    }
    return parse_chunk(json.dumps(payload))


ROLE = {"role": "assistant", "content": ""}  # OpenAI's first delta
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def streams(items: Sequence[Item]) -> List[List[int]]:
    """Each stream the rule finds, as the positions of its items (from 0)."""
    splitter = StreamSplitter()
    found: List[List[int]] = []
    for at, item in enumerate(items):
        if not found or splitter.begins(item):
            splitter.reset()
            found.append([])
        found[-1].append(at)
        splitter.add(item)
    return found


def openai(id: str) -> List[ChatCompletionChunk]:
    return [
        chunk(id, ROLE),
        chunk(id, {"content": "Hi"}),
        chunk(id, {}, "stop"),
        chunk(id, choices=[], usage=USAGE),  # stream_options.include_usage
    ]


def test_one_stream_with_a_usage_chunk_at_the_end() -> None:
    assert streams(openai("chatcmpl-A")) == [[0, 1, 2, 3]]


def test_requests_one_after_another() -> None:
    items = openai("chatcmpl-A") + openai("chatcmpl-B") + openai("chatcmpl-C")
    assert streams(items) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_a_new_id_on_every_chunk_is_one_stream() -> None:
    # LiteLLM in front of Gemini: a fresh id per chunk, then a usage chunk whose delta is
    # all nulls (and another new id) after the finish.
    def litellm(prefix: str) -> List[ChatCompletionChunk]:
        return [
            chunk(f"{prefix}1", {"content": "Bon", "role": "assistant"}),
            chunk(f"{prefix}2", {"content": "jour", "role": None}),
            chunk(f"{prefix}3", {"content": "!", "role": None}, "stop"),
            chunk(
                f"{prefix}4",
                {"content": None, "role": None, "function_call": None, "tool_calls": None},
                usage=USAGE,
            ),
        ]

    assert streams(litellm("a") + litellm("b")) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_azure_filter_chunks_do_not_begin_a_stream() -> None:
    # A prompt-filter chunk (no choices, empty id) first; a content-filter annotation
    # (a choice without delta) after the finish. The next request's prompt-filter chunk
    # belongs to the stream before it, which it changes nothing in.
    def azure(id: str) -> List[ChatCompletionChunk]:
        return [
            chunk("", choices=[], prompt_filter_results=[]),
            chunk(id, ROLE),
            chunk(id, {"content": "Sure."}),
            chunk(id, {}, "stop"),
            chunk(id, None, None, content_filter_results={}),
        ]

    assert streams(azure("chatcmpl-A") + azure("chatcmpl-B")) == [
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9],
    ]


def test_a_chunk_with_the_streams_id_after_the_finish_stays() -> None:
    # OpenRouter repeats the role in its usage chunk, after the finish.
    items = [
        chunk("gen-1", {"role": "assistant", "content": "Paris."}),
        chunk("gen-1", {"role": "assistant", "content": ""}, "stop"),
        chunk("gen-1", {"role": "assistant", "content": ""}, usage=USAGE),
        chunk("gen-2", {"role": "assistant", "content": "Yes"}),
    ]
    assert streams(items) == [[0, 1, 2], [3]]


def test_without_ids_a_finished_choice_coming_back_begins_a_stream() -> None:
    items = [
        chunk("", ROLE),
        chunk("", {"content": "Hi"}, "stop"),
        chunk("", {"content": ""}),  # nothing in it: no new message
        chunk("", ROLE, index=1),  # n=2 streamed one choice after the other
        chunk("", {}, "stop", index=1),
        chunk("", ROLE),
        chunk("", {"content": "Yo"}),
    ]
    assert streams(items) == [[0, 1, 2, 3, 4], [5, 6]]


def test_a_stream_cut_off_before_its_finish() -> None:
    # Its chunks had one id: a chunk with another id and a role is the next response.
    items = [chunk("chatcmpl-A", ROLE), chunk("chatcmpl-A"), *openai("chatcmpl-B")]
    assert streams(items) == [[0, 1], [2, 3, 4, 5]]


@pytest.mark.parametrize(
    "items",
    [
        # an id that changes mid-stream, without a role: one stream (--strict's id_changed)
        [chunk("A", ROLE), chunk("A"), chunk("B"), chunk("B", {}, "stop")],
        # ids that change on every chunk are no sign, even with a role on each
        [chunk("A", ROLE), chunk("B", ROLE), chunk("C", ROLE), chunk("D", {}, "stop")],
        # one chunk is no steady id yet
        [chunk("A", ROLE), chunk("B", ROLE), chunk("B", {}, "stop")],
    ],
    ids=["id-changed", "per-chunk-ids", "one-chunk"],
)
def test_unfinished_streams_that_stay_one(items: List[ChatCompletionChunk]) -> None:
    assert streams(items) == [list(range(len(items)))]


def test_every_choice_must_finish() -> None:
    two = [{"index": 0, "delta": ROLE}, {"index": 1, "delta": ROLE}]
    items = [
        chunk("A", choices=two),
        chunk("A", {}, "stop", index=0),
        chunk("B", {"content": "x"}, index=0),  # choice 1 is still open: not a new one
        chunk("B", {}, "stop", index=1),
        chunk("C", ROLE),
    ]
    assert streams(items) == [[0, 1, 2, 3], [4]]


def test_errors_and_invalid_payloads_belong_to_the_stream_they_are_in() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_chunk(b"{")
    invalid = InvalidPayload(caught.value, "{", 3)
    error = StreamErrorEvent({"message": "overloaded"}, {"error": {"message": "overloaded"}})
    items: List[Item] = [*openai("A")[:3], error, invalid, *openai("B")]
    assert streams(items) == [[0, 1, 2, 3, 4], [5, 6, 7, 8]]


def test_unfinished() -> None:
    splitter = StreamSplitter()
    two = [{"index": 0, "delta": ROLE}, {"index": 1, "delta": ROLE}]
    for item in [chunk(choices=two), chunk("chatcmpl-A", {}, "stop", index=1)]:
        splitter.add(item)
    assert splitter.unfinished == [0]
    splitter.reset()
    assert splitter.unfinished == []
    assert not splitter.begins(chunk("chatcmpl-Z", ROLE))  # nothing to tell it from


# --- split: the streams of an input and how each ended ----------------------------------


def read(data: bytes, max_event_size: Optional[int] = None) -> List[Union[Place, Ended]]:
    """What `split` yields: each payload as its place, and each stream's end."""
    stream = io.BytesIO(data)
    source = Source("x", stream.read, stream.close)
    reader = Reader(source, sniff(source))
    return [record if isinstance(record, Ended) else record.place for record in split(reader)]


def sse(*payloads: Union[str, ChatCompletionChunk]) -> bytes:
    texts = [p if isinstance(p, str) else dump_chunk(p) for p in payloads]
    return "".join(f"data: {text}\n\n" for text in texts).encode()


def events(data: bytes) -> List[Place]:
    """The place of each event of ``data``, [DONE] included, from 1."""
    starts = [m.start() for m in re.finditer(rb"(?m)^data: ", data)]
    return [Place(), *(Place(event=n, offset=at) for n, at in enumerate(starts, 1))]


def test_done_ends_a_stream_whatever_comes_next() -> None:
    # The same id on both sides, and the second stream is unfinished: only [DONE] tells.
    first = [chunk("A", ROLE), chunk("A", {}, "stop")]
    second = [chunk("A", {"content": "more"}), chunk("A", choices=[], usage=USAGE)]
    data = sse(*first, "[DONE]", *second, "[DONE]")
    at = events(data)
    assert read(data) == [
        at[1],
        at[2],
        Ended(StreamEnd.DONE, at[2], 2, []),
        at[4],
        at[5],
        Ended(StreamEnd.DONE, at[5], 2, [0]),
    ]


def test_how_sse_streams_end() -> None:
    a, b = openai("A"), openai("B")
    data = sse(*a, *b[:2]) + b'data: {"id"'
    fourth = events(data)[4]
    assert [r for r in read(data) if isinstance(r, Ended)] == [
        Ended(StreamEnd.EOF, fourth, 4, []),  # the next stream began, without [DONE]
        # the input ended inside event 7, which was dropped: its place is where it began
        Ended(StreamEnd.TRUNCATED, Place(event=7, offset=data.rindex(b"data: ")), 2, [0]),
    ]
    assert read(sse(*a))[-1] == Ended(StreamEnd.EOF, fourth, 4, [])


def test_an_event_too_large_fails_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "SSEDecoder", lambda: SSEDecoder(max_event_size=400))
    data = sse(*openai("A")[:2]) + b"data: " + b"x" * 500 + b"\n\n"
    at = events(data)
    # One piece holds it all: the decoder returns the two events, then fails. The reading
    # error is a payload without a place of its own, and the event is not also "dropped".
    assert read(data) == [at[1], at[2], Place(), Ended(StreamEnd.FAILED, Place(), 3, [0])]


def test_json_lines_streams_end_without_a_marker() -> None:
    lines = [dump_chunk(item) for item in openai("A") + openai("B")[:2]]
    ends = [r for r in read("\n".join(lines).encode() + b"\n") if isinstance(r, Ended)]
    assert ends == [
        Ended(None, Place(line=4), 4, []),
        Ended(None, Place(line=6), 2, [0]),
    ]
