"""The write side's targets: `encode_event`, `encode_stream`, `ChunkWriter`, and the SDK bridge.

Each writes something and reads it back with the library's own reader: what was
written must be what is read.
"""

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

from fuzz_common import OPENAI, Failure, expect, item_key, same_json
from fuzz_corpus import Mutator

from chatchunk import (
    ChunkWriter,
    SSEDecoder,
    StreamEnd,
    StreamErrorEvent,
    dump_chunk,
    encode_chunk,
    encode_event,
    encode_stream,
    iter_chunks,
    iter_events,
    parse_chunk,
)

__all__ = [
    "check_encode_event",
    "check_encode_stream",
    "check_openai",
    "check_writer",
    "draw_encode_event",
    "draw_writer",
]


def draw_encode_event(m: Mutator) -> Tuple[str, Optional[str], Optional[str], Optional[int]]:
    """Data with every kind of line end, and an event name, id and retry, valid or not."""
    rng = m.rng
    data = "".join(str(m.scalar()) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.5:
        data = data.replace("1", "\r\n").replace("2", "\n").replace("3", "\r")
    event = rng.choice([None, "message", "delta", "", " x", "\u2028", "a\nb", "error"])
    id_ = rng.choice([None, "", "7", " 7", "a\x00b", "\u00e9", "x\ry"])
    retry = rng.choice([None, 0, 1500, -1, 2**70])
    return data, event, id_, retry


def check_encode_event(case: Tuple[str, Optional[str], Optional[str], Optional[int]]) -> None:
    """`encode_event` either refuses with ValueError or writes what the decoder reads back."""
    data, event, id_, retry = case
    try:
        frame = encode_event(data, event=event, id=id_, retry=retry)
    except ValueError:
        return
    (got,) = SSEDecoder().feed(frame)
    expected = data.replace("\r\n", "\n").replace("\r", "\n")
    expect(got.data == expected, f"data {got.data!r} vs {expected!r}")
    expect(got.event == (event or "message"), f"event {got.event!r} vs {event!r}")
    expect(got.id == (id_ or ""), f"id {got.id!r} vs {id_!r}")
    expect(got.retry == retry, f"retry {got.retry!r} vs {retry!r}")


def check_encode_stream(items: List[Any]) -> None:
    """`encode_stream` output reads back as the chunks and errors it was given."""
    try:
        body = b"".join(encode_stream(items))
    except ValueError as exc:
        raise Failure(f"encode_stream raised {exc!r}") from None
    stream = iter_events([body])
    got = [item_key(item)[:2] for item in stream]
    expected: List[Any] = []
    for item in items:
        if isinstance(item, StreamErrorEvent):
            expected.append(("error", repr(item.error)))
            continue
        expected.append(("chunk", dump_chunk(item)))
        extra: Dict[str, Any] = item.model_extra or {}
        error = extra.get("error")
        if error is not None:  # OpenRouter's shape: the chunk, and the error it carries
            expected.append(("error", repr(error)))
    expect(got == expected, f"encode_stream read back:\n{got}\nvs\n{expected}")
    end = StreamEnd.ERROR if any(key[0] == "error" for key in expected) else StreamEnd.DONE
    expect(stream.end is end, f"end {stream.end} vs {end}")


def draw_writer(m: Mutator) -> List[Tuple[str, Tuple[Any, ...]]]:
    """The steps of one response: `ChunkWriter` method names and their arguments."""
    rng = m.rng

    def text() -> str:  # JSON's hard characters, and a lone surrogate UTF-8 cannot hold
        return "".join(
            rng.choice(["a", "\u2028", '"', "\\", "\n", "\x00", "\U0001f600", "\ud800"])
            for _ in range(rng.randint(0, 5))
        )

    steps: List[Tuple[str, Tuple[Any, ...]]] = [("role", (0,))]
    for _ in range(rng.randint(1, 10)):
        kind = rng.randrange(6)
        if kind == 0:
            steps.append(("content", (text(), rng.choice([0, 0, 1, 5]))))
        elif kind == 1:
            steps.append(("reasoning", (text(),)))
        elif kind == 2:
            steps.append(("refusal", (text(),)))
        elif kind == 3:
            steps.append(("tool_call", (rng.randint(0, 2), text() or "call_1", text() or "f")))
        elif kind == 4:
            steps.append(("tool_arguments", (rng.randint(0, 2), text())))
        else:
            steps.append(("usage", (rng.randint(0, 2**40), rng.randint(0, 100))))
    steps.append(("finish", (rng.choice(["stop", "length", "", "eos"]),)))
    return steps


def check_writer(steps: List[Tuple[str, Tuple[Any, ...]]]) -> None:
    """Every `ChunkWriter` frame is `encode_chunk` of the chunk it reads back as."""
    writer = ChunkWriter("chatcmpl-fuzz", "m", 1, choices=2, include_usage=True)
    frames: List[bytes] = []
    for method, args in steps:
        try:
            frames.append(getattr(writer, method)(*args))
        except ValueError:
            continue
    frames.append(writer.done())
    chunks = list(iter_chunks([b"".join(frames)]))
    expect(len(chunks) == len(frames) - 1, f"{len(frames) - 1} frames read as {len(chunks)}")
    for frame, chunk in zip(frames, chunks):
        expect(encode_chunk(chunk) == frame, f"frame {frame!r} is not its chunk's")


def check_openai(data: Union[str, bytes]) -> None:
    """A chunk taken to the SDK and back is the same chunk, and the SDK writes its JSON."""
    assert OPENAI is not None
    from_openai, to_openai = OPENAI
    try:
        chunk = parse_chunk(data)
    except ValueError:
        return
    sdk = to_openai(chunk)
    expect(from_openai(sdk) == chunk, "from_openai(to_openai(x)) != x")
    expected = _sdk_floats(json.loads(dump_chunk(chunk)))
    if expected is not None:
        same_json(json.loads(sdk.to_json()), expected, "the SDK's to_json()")


def _sdk_floats(chunk: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The chunk's JSON as the SDK writes it: an int `logprob` as a float (its field is one).

    Only the SDK's declared `logprob` fields change: in extras it keeps the value as it
    is. None when an int there is past 2**53, where the float cannot be exact: the SDK's
    limit, stated in `tests/test_openai.py`.
    """
    for choice in _dicts(chunk.get("choices")):
        logprobs = choice.get("logprobs")
        if not isinstance(logprobs, dict):
            continue
        for name in ("content", "refusal"):
            for token in _dicts(cast(Dict[str, Any], logprobs).get(name)):
                for entry in [token, *_dicts(token.get("top_logprobs"))]:
                    value = entry.get("logprob")
                    if type(value) is int:
                        if float(value) != value:
                            return None
                        entry["logprob"] = float(value)
    return chunk


def _dicts(value: Any) -> List[Dict[str, Any]]:
    if not isinstance(value, list):
        return []
    items = cast(Sequence[Any], value)
    return [cast(Dict[str, Any], item) for item in items if isinstance(item, dict)]
