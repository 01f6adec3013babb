"""The start and the end of a byte stream: is it an event stream at all, did it hold events.

A server that fails a request answers with a JSON error, an HTML page or plain text;
the WHATWG algorithm reads those as a stream without events, so chatchunk looks at the
first bytes and says what the body is instead. Each body is tried whole and cut into
one-byte pieces, sync and async.
"""

import asyncio
import json
from typing import AsyncIterator, Iterator, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatchunk import (
    EmptyStreamError,
    NotAnEventStreamError,
    SSEError,
    aiter_chunks,
    aiter_sse,
    iter_chunks,
    iter_events,
    iter_sse,
)

LITELLM_529 = json.dumps(
    {
        "error": {
            "message": "litellm.ServiceUnavailableError: the model is overloaded",
            "type": None,
            "param": None,
            "code": "529",
        }
    }
).encode()
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
FASTAPI_422 = b'{"detail":"Not authenticated"}'
NOT_STREAMS = {
    "litellm_json_error": (LITELLM_529, "litellm.ServiceUnavailableError: the model is overloaded"),
    "nginx_html": (NGINX_502, "502 Bad Gateway"),
    "fastapi_detail": (FASTAPI_422, "Not authenticated"),
    "plain_text": (b"Internal Server Error", "Internal Server Error"),
    "json_list": (b"[1, 2]", "[1, 2]"),
    "gemini_list": (
        b'[{"error": {"code": 429, "message": "Resource has been exhausted",'
        b' "status": "RESOURCE_EXHAUSTED"}}]',
        "Resource has been exhausted",
    ),
    "bom_then_json": (b"\xef\xbb\xbf" + LITELLM_529, "the model is overloaded"),
    "blank_lines_then_html": (b"\n\r\n  " + NGINX_502, "502 Bad Gateway"),
    "a_field_like_word": (b"database unavailable\n", "database unavailable"),
}


def pieces(body: bytes, split: str) -> List[bytes]:
    return [body] if split == "whole" else [body[i : i + 1] for i in range(len(body))]


async def agen(parts: List[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        await asyncio.sleep(0)
        yield part


@pytest.mark.parametrize("name", list(NOT_STREAMS))
@pytest.mark.parametrize("split", ["whole", "bytes"])
def test_a_body_that_is_no_event_stream_raises_with_its_message(name: str, split: str) -> None:
    body, message = NOT_STREAMS[name]
    with pytest.raises(NotAnEventStreamError) as caught:
        list(iter_events(pieces(body, split)))
    assert message in caught.value.message
    assert str(caught.value).startswith("the response is not an event stream: ")
    assert isinstance(caught.value, SSEError)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(NotAnEventStreamError):
        list(iter_sse(pieces(body, split)))

    async def main() -> str:
        with pytest.raises(NotAnEventStreamError) as acaught:
            async for _ in aiter_chunks(agen(pieces(body, split))):
                pass
        return acaught.value.message

    assert message in asyncio.run(main())


def test_the_json_error_is_kept() -> None:
    with pytest.raises(NotAnEventStreamError) as caught:
        list(iter_chunks([LITELLM_529]))
    assert caught.value.error == json.loads(LITELLM_529)["error"]
    assert caught.value.body == LITELLM_529
    # The same after a BOM, which the body keeps and the message does not.
    with pytest.raises(NotAnEventStreamError) as caught:
        list(iter_chunks([b"\xef\xbb\xbf", LITELLM_529]))
    assert caught.value.error == json.loads(LITELLM_529)["error"]
    assert caught.value.body == b"\xef\xbb\xbf" + LITELLM_529


def test_it_raises_once_the_json_body_is_whole_without_waiting_for_more() -> None:
    # A server that keeps the connection open after its error body: no hang.
    def slow() -> Iterator[bytes]:
        yield LITELLM_529[:10]
        yield LITELLM_529[10:]
        yield b"\n"
        raise AssertionError("read past the whole JSON body")

    with pytest.raises(NotAnEventStreamError, match="overloaded"):
        list(iter_events(slow()))


def test_an_endless_body_that_is_no_event_stream_is_read_only_up_to_a_bound() -> None:
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        while True:
            read += 1
            yield b"<p>" + b"x" * 1021

    with pytest.raises(NotAnEventStreamError) as caught:
        list(iter_events(endless()))
    assert len(caught.value.body) == 64 * 1024
    assert read <= 65
    assert caught.value.message.endswith("...")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\n\n\n",
        b": ping\n\n: ping\n\n",
        b"\xef\xbb\xbf",
        b"event: ping\n\n",  # a field, but no data: no event is dispatched
        b"retry: 100\n\n",
    ],
)
@pytest.mark.parametrize("split", ["whole", "bytes"])
def test_a_stream_without_any_event_raises(body: bytes, split: str) -> None:
    with pytest.raises(EmptyStreamError, match="without any event"):
        list(iter_events(pieces(body, split)))
    with pytest.raises(EmptyStreamError):
        list(iter_sse(pieces(body, split)))

    async def main() -> None:
        with pytest.raises(EmptyStreamError):
            async for _ in aiter_sse(agen(pieces(body, split))):
                pass

    asyncio.run(main())


@pytest.mark.parametrize(
    "body",
    [
        b"data: [DONE]\n\n",
        b"\xef\xbb\xbf\r\n: hi\r\n\r\ndata: [DONE]\r\n\r\n",
        b"id: 7\ndata: [DONE]\n\n",
        b"retry:5\ndata: [DONE]\n\n",
        b"event:message\ndata: [DONE]\n\n",
        b":\n\ndata: [DONE]\n\n",
    ],
)
@pytest.mark.parametrize("split", ["whole", "bytes"])
def test_every_way_an_event_stream_may_begin_is_accepted(body: bytes, split: str) -> None:
    stream = iter_events(pieces(body, split))
    list(stream)
    assert stream.done


_LINE_END = st.sampled_from(["\n", "\r", "\r\n"])
_FIRST_LINE = st.one_of(
    st.builds(lambda v: f"data:{v}", st.text(max_size=20)),
    st.builds(lambda v: f"data: {v}", st.text(max_size=20)),
    st.builds(lambda v: f"event: {v}", st.text(alphabet="abcxyz", max_size=8)),
    st.builds(lambda v: f"id:{v}", st.text(alphabet="0123456789", max_size=4)),
    st.builds(lambda v: f":{v}", st.text(max_size=20)),
    st.just("data"),
)


@settings(max_examples=200, deadline=None)
@given(
    blank=st.lists(_LINE_END, max_size=3),
    first=_FIRST_LINE,
    end=_LINE_END,
    bom=st.booleans(),
    size=st.integers(min_value=1, max_value=9),
)
def test_no_event_stream_is_ever_rejected_for_its_start(
    blank: List[str], first: str, end: str, bom: bool, size: int
) -> None:
    text = "".join(blank) + first.replace("\r", " ").replace("\n", " ") + end
    body = (b"\xef\xbb\xbf" if bom else b"") + text.encode() + b"\n\ndata: [DONE]\n\n"
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    events = list(iter_sse(parts))  # no NotAnEventStreamError
    assert all(event.data != "[DONE]" for event in events)
