"""What the fuzzer runs, and the oracles that judge each run.

A `Target` draws one input from a `Mutator` and checks it. Rejecting bad input with a
`ValueError` subclass is always allowed; anything else that escapes (a `TypeError`, a
`KeyError`, a `RecursionError`) is a failure, and so is an oracle that does not hold,
which raises `Failure`. Each check calls the library only inside `try` blocks that name
`ValueError`, so an oracle's own exception is never taken for a rejection.
"""

import asyncio
import json
import math
from typing import Any, AsyncGenerator, Callable, Dict, List, Optional, Tuple, Union, cast

from fuzz_accumulate import check_completion, check_items, draw_items
from fuzz_common import OPENAI, Failure, Target, expect, item_key, same_json
from fuzz_corpus import Mutator
from fuzz_paths import dotted_path_exists, loc_exists
from fuzz_write import (
    check_encode_event,
    check_encode_stream,
    check_openai,
    check_writer,
    draw_encode_event,
    draw_writer,
)
from pydantic import ValidationError

from chatchunk import (
    UNSET,
    ChatCompletionChunk,
    Finding,
    InvalidPayload,
    SSEDecoder,
    SSEError,
    StreamEnd,
    accumulate,
    aiter_chunks,
    check_conformance,
    chunk_to_dict,
    dump,
    dump_chunk,
    encode_chunk,
    iter_chunks,
    iter_events,
    parse,
    parse_chunk,
    to_dict,
)
from whatwg import interpret

__all__ = [
    "TARGETS",
    "check_parse",
    "check_sse",
    "check_stream",
    "comparable_json",
    "decode_sse",
    "draw_payload",
    "shutdown",
]


# --- parse_chunk / parse, dump, to_dict -------------------------------------------------


class _NotComparable(Exception):
    """The input's JSON holds a duplicate key or a number not spelled as Python spells it."""


def _pairs(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotComparable
    return result


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or repr(value) != text:
        raise _NotComparable
    return value


def _int(text: str) -> int:
    if str(int(text)) != text:
        raise _NotComparable
    return int(text)


def _constant(text: str) -> Any:
    raise _NotComparable


def comparable_json(data: Union[str, bytes]) -> Optional[Any]:
    """The input as `json.loads` reads it, or None when the round trip makes no claim on it.

    The claim (`tests/test_json.py`) is for JSON without duplicate keys whose numbers are
    spelled canonically: ``1e-07`` is written back as ``1e-07``, ``1E-7`` is not.
    """
    try:
        text = data.decode() if isinstance(data, bytes) else data
        return json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_float,
            parse_int=_int,
            parse_constant=_constant,
        )
    except (_NotComparable, ValueError, RecursionError):
        return None


def check_parse(data: Union[str, bytes]) -> None:
    """`parse_chunk` accepts or rejects with ValueError; what it accepts round-trips exactly."""
    try:
        chunk = parse_chunk(data)
    except ValueError as exc:
        try:
            parse(ChatCompletionChunk, data)
        except ValueError:
            _check_rejection(exc, data)
            return
        raise Failure("parse() accepted what parse_chunk() rejected") from None
    expect(parse(ChatCompletionChunk, data) == chunk, "parse() and parse_chunk() differ")
    if isinstance(data, str):
        try:
            raw = data.encode()
        except UnicodeEncodeError:
            raw = None
        if raw is not None:
            expect(parse_chunk(raw) == chunk, "the str and its UTF-8 bytes parse differently")
    try:
        text = dump_chunk(chunk)
    except ValueError as exc:
        raise Failure(f"an accepted chunk cannot be dumped: {exc!r}") from None
    again = parse_chunk(text)
    expect(again == chunk, "parse(dump(x)) != x")
    expect(dump_chunk(again) == text, "dump(parse(dump(x))) != dump(x)")
    expect(dump(chunk) == text, "dump() and dump_chunk() differ")
    same_json(to_dict(again), to_dict(chunk), "to_dict(parse(dump(x))) vs to_dict(x)")
    same_json(chunk_to_dict(chunk), json.loads(text), "chunk_to_dict(x) vs json.loads(dump(x))")
    original = comparable_json(data)
    if original is not None:
        same_json(json.loads(text), original, "json.loads(dump_chunk(x)) vs json.loads(input)")
    findings = check_conformance(chunk)
    expect(all(type(f) is Finding for f in findings), "check_conformance returned a non-Finding")
    expect(check_conformance(again) == findings, "conformance differs after the round trip")
    _check_findings(chunk, findings)
    # The frame of the chunk reads back as the chunk, unless it carries an in-band error.
    extra = chunk.model_extra
    if not extra or extra.get("error") is None:
        frames = [encode_chunk(chunk), b"data: [DONE]\n\n"]
        stream = iter_chunks(frames)
        expect(list(stream) == [chunk], "iter_chunks(encode_chunk(x)) != [x]")
        expect(stream.end is StreamEnd.DONE, f"end {stream.end} after [DONE]")


def _check_rejection(exc: ValueError, data: Union[str, bytes]) -> None:
    """Each error of a rejected payload names a place the payload has (or its parent)."""
    original = comparable_json(data)
    if not isinstance(exc, ValidationError) or original is None:
        return
    for error in exc.errors():
        loc = error["loc"]
        if error["type"] == "missing":  # the place of a missing field is its parent
            loc = loc[:-1]
        expect(loc_exists(original, loc), f"the error names {loc}, which the payload lacks")


def _check_findings(chunk: ChatCompletionChunk, findings: List[Finding]) -> None:
    """Each finding names a place the chunk has, and every extra of the chunk is reported."""
    plain = chunk_to_dict(chunk)
    for finding in findings:
        path = finding.path
        if finding.kind == "missing_field":
            path = path.rpartition(".")[0]
        expect(dotted_path_exists(plain, path), f"{finding} names a place the chunk lacks")
    reported = {f.path for f in findings}
    for name in chunk.model_extra or {}:
        expect(name in reported, f"the extra {name!r} is not reported by check_conformance")


# --- the SSE decoder -----------------------------------------------------------------------


def decode_sse(pieces: List[bytes], limit: int) -> Tuple[List[Any], Optional[str], SSEDecoder]:
    """The events of the pieces, then the error that stopped them (as text), if any."""
    decoder = SSEDecoder(limit)
    events: List[Any] = []
    try:
        for piece in pieces:
            events.extend(decoder.feed(piece))
        decoder.flush()
    except SSEError as exc:
        return events, str(exc), decoder
    return events, None, decoder


def draw_sse(m: Mutator) -> Tuple[bytes, List[bytes], int]:
    """A body, the same body cut in pieces, and the size bound (now and then a tiny one)."""
    data = m.stream()
    limit = m.rng.choice([1 << 22] * 8 + [m.rng.randint(1, 400)])
    return data, m.cut(data), limit


def check_sse(case: Tuple[bytes, List[bytes], int]) -> None:
    """The same events whatever the cut, and the WHATWG reference's events."""
    data, pieces, limit = case
    whole, error, decoder = decode_sse([data], limit)
    cut, cut_error, _ = decode_sse(pieces, limit)
    expect(cut == whole, f"a cut stream gives other events:\n{cut}\nvs\n{whole}")
    expect(cut_error == error, f"a cut stream fails otherwise: {cut_error!r} vs {error!r}")
    expect(
        [e.position for e in whole] == list(range(1, len(whole) + 1)),
        "positions are not 1, 2, 3, ...",
    )
    raw_replacement = "\ufffd".encode() in data
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    for event in whole:
        at = event.offset
        expect(
            at == start or (start < at < len(data) and data[at - 1] in b"\r\n"),
            f"event {event.position} begins at byte {at}, which is no line start",
        )
        expect(data[at] not in b"\r\n", f"event {event.position} begins with a blank line")
        if event.position in decoder.lossy:
            expect("\ufffd" in event.data, f"event {event.position} is lossy without U+FFFD")
        elif not raw_replacement:
            expect("\ufffd" not in event.data, f"event {event.position} is not listed lossy")
    if error is None:
        expected = interpret(data)
        rows = [(e.event, e.data, e.id, e.retry) for e in whole]
        reference = [tuple(e) for e in expected.events]
        expect(rows == reference, f"the WHATWG reference differs:\n{rows}\nvs\n{reference}")
        retry = getattr(decoder, "retry", UNSET)
        if retry is not UNSET:  # the stream's reconnection time, where the decoder keeps it
            expect(
                retry == expected.reconnection_time,
                f"reconnection time {retry} vs the reference's {expected.reconnection_time}",
            )


# --- streams of chunks: iter_events, iter_chunks, aiter_chunks, encode_stream ------------


def _error_text(exc: ValueError) -> str:
    return f"{type(exc).__name__}: {exc}"


def _outcome(run: Callable[[], List[Any]]) -> Tuple[List[Any], Optional[str]]:
    try:
        return run(), None
    except ValueError as exc:
        return [], _error_text(exc)


def _located(item: Any) -> Any:
    # An invalid payload's error must say which event it was, and where it began.
    if isinstance(item, InvalidPayload):
        where = f"SSE event {item.position}, at byte {item.offset}"
        expect(where in str(item.error), f"{str(item.error)[:200]!r} does not say {where!r}")
    return item_key(item)


def _error_of(payload: Any) -> Any:
    """The top-level `error` of a JSON payload, None when it has none."""
    return cast(Dict[str, Any], payload).get("error") if isinstance(payload, dict) else None


def _expected_items(body: bytes) -> Tuple[List[Any], StreamEnd]:
    """What `iter_events` must yield for a body, from `SSEDecoder` and `parse_chunk` alone.

    As its documentation says: an event named ``error`` (whatever its bytes), or whose JSON
    has a non-null ``error``, is a `StreamErrorEvent` (of that ``error``, or of the whole
    payload); a chunk that carries one gives both; a payload that is neither, or whose
    bytes were not UTF-8, an `InvalidPayload`; ``[DONE]`` ends it.
    """
    decoder = SSEDecoder()
    events = decoder.feed(body)
    keys: List[Any] = []
    done = False
    for event in events:
        if event.data == "[DONE]":
            done = True
            break
        try:
            payload: Any = json.loads(event.data)
        except (ValueError, RecursionError):
            payload = event.data
        error = _error_of(payload)
        if event.position in decoder.lossy and event.event != "error":
            # Invalid UTF-8 makes a payload invalid; an error event stays an error.
            keys.append(("invalid", event.data, event.position, event.offset, event.event))
            continue
        if event.event == "error":  # its error: the payload's, or the payload itself
            keys.append(
                ("error", repr(payload if error is None else error), event.event, event.position)
            )
            continue
        try:
            chunk = parse_chunk(event.data)
        except ValueError:
            pass
        else:
            keys.append(("chunk", dump_chunk(chunk)))
            if (chunk.model_extra or {}).get("error") is not None:
                keys.append(("error", repr(error), event.event, event.position))
            continue
        if error is not None:
            keys.append(("error", repr(error), event.event, event.position))
        else:
            keys.append(("invalid", event.data, event.position, event.offset, event.event))
    if any(key[0] == "error" for key in keys):
        end = StreamEnd.ERROR
    elif done:
        end = StreamEnd.DONE
    else:
        end = StreamEnd.TRUNCATED if decoder.pending else StreamEnd.EOF
    return keys, end


def draw_stream(m: Mutator) -> Tuple[List[bytes], List[bytes], bool]:
    """One body cut two ways, and whether to read it with `aiter_chunks` too (a tenth)."""
    data = m.stream(max_events=12)
    return m.cut(data), m.cut(data), m.rng.random() < 0.1


async def _pieces(pieces: List[bytes]) -> AsyncGenerator[bytes, None]:
    for piece in pieces:
        yield piece


async def _acollect(pieces: List[bytes]) -> Tuple[List[Any], Optional[StreamEnd]]:
    source = _pieces(pieces)
    stream = aiter_chunks(source)
    try:
        return [chunk async for chunk in stream], stream.end
    finally:
        # Closed here: the loop is reused, and a generator it finalizes late warns.
        await stream.aclose()
        await source.aclose()


_loops: List[asyncio.AbstractEventLoop] = []  # one loop for every async check of a run


def _loop() -> asyncio.AbstractEventLoop:
    if not _loops:
        _loops.append(asyncio.new_event_loop())
    return _loops[0]


def shutdown() -> None:
    """Close the event loop of the async checks, and the generators it still holds."""
    if _loops:
        loop = _loops.pop()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def check_stream(case: Tuple[List[bytes], List[bytes], bool]) -> None:
    """Two cuts of one body give the same items and end; iter_chunks and aiter_chunks agree."""
    first, second, run_async = case
    ends: List[Optional[StreamEnd]] = []

    def events(pieces: List[bytes]) -> Callable[[], List[Any]]:
        def run() -> List[Any]:
            stream = iter_events(pieces, on_invalid="yield")
            items = [_located(item) for item in stream]
            ends.append(stream.end)
            return items

        return run

    one = _outcome(events(first))
    two = _outcome(events(second))
    expect(one == two, f"two cuts of one body give\n{one}\nvs\n{two}")
    if len(ends) == 2:
        expect(ends[0] == ends[1], f"ends {ends}")
        expect(isinstance(ends[0], StreamEnd), f"end {ends[0]!r} after a whole stream")
        expected_items, expected_end = _expected_items(b"".join(first))
        expect(
            one[0] == expected_items,
            f"iter_events vs the decoder and parse_chunk:\n{one[0]}\nvs\n{expected_items}",
        )
        expect(ends[0] is expected_end, f"end {ends[0]} vs {expected_end}")

    chunk_ends: List[Optional[StreamEnd]] = []

    def chunks() -> List[Any]:
        stream = iter_chunks(first)
        items = list(stream)
        chunk_ends.append(stream.end)
        return items

    found, error = _outcome(chunks)
    items, items_error = one
    if items_error is None and all(key[0] == "chunk" for key in items):
        expect(error is None, f"iter_chunks raised {error} where iter_events did not")
        expect([("chunk", dump_chunk(c)) for c in found] == items, "iter_chunks != iter_events")
        expect(chunk_ends == ends[:1], f"iter_chunks ends {chunk_ends}, iter_events {ends}")
    if error is None:
        try:
            completion = accumulate(found)
        except ValueError:
            raise Failure("accumulate raised without strict") from None
        check_completion(completion)
    if run_async:
        try:
            async_found, async_end = _loop().run_until_complete(_acollect(first))
            async_error = None
        except ValueError as exc:
            async_found, async_end = [], None
            async_error = _error_text(exc)
        expect(async_error == error, f"aiter_chunks: {async_error} vs iter_chunks: {error}")
        if error is None:
            expect(async_found == found, "aiter_chunks and iter_chunks give other chunks")
            expect([async_end] == chunk_ends, f"aiter_chunks ends {async_end}, {chunk_ends}")


def draw_payload(m: Mutator) -> Union[str, bytes]:
    """A chunk payload: a seed, a bad payload, or a seed mutated."""
    return m.payload()


TARGETS: List[Target] = [
    Target("parse_chunk", 4.0, draw_payload, check_parse),
    Target("sse_decoder", 3.0, draw_sse, check_sse),
    Target("encode_event", 0.5, draw_encode_event, check_encode_event),
    Target("iter_events", 2.0, draw_stream, check_stream),
    Target("accumulate", 1.5, draw_items, check_items),
    Target("encode_stream", 0.7, draw_items, check_encode_stream),
    Target("chunk_writer", 0.7, draw_writer, check_writer),
]
"""Every target, with its share of the time."""
if OPENAI is not None:
    TARGETS.append(Target("openai", 0.6, draw_payload, check_openai))
