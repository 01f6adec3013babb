"""The HTTP clients people use, reading real streams: the recipes of docs/clients.md, run.

Each test executes a block of docs/clients.md by its title (so the page and the tests
cannot drift apart) and calls it against the server of `servers.py` on 127.0.0.1, which
streams the provider-shaped bodies of `streams.py` with ``Transfer-Encoding: chunked``
in small writes. The clients: the official ``openai`` client (``with_streaming_response``
with ``iter_bytes()``, sync and async, and its own ``stream=True`` iterator through the
bridge), httpx and httpx2 (sync and async), requests (sync only) and aiohttp (async
only); every one with a timeout.

For each client: every stream assembles to the expected completion and ends ``DONE``
(``EOF`` for the one server that never sends ``[DONE]``); a body that stops between two
events ends ``EOF``, one that stops inside an event ``TRUNCATED``; a connection that
drops raises the client's own exception, which the test names, and the stream ends
``FAILED``; an error status raises ``NotAnEventStreamError`` with the server's message
(the openai client raises its own ``APIStatusError`` first).

The stream a recipe reads is observed by wrapping the ``iter_chunks`` / ``aiter_chunks``
its block calls, so the recipe's code stays the page's.
"""

import asyncio
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple, Type

import aiohttp
import httpx
import openai
import pytest
import requests

from chatchunk import (
    ChatCompletion,
    NotAnEventStreamError,
    StreamEnd,
    accumulate,
    to_dict,
)
from servers import TIMEOUT, Reply, async_client, client, serving
from streams import STREAMS, chunks_of

httpx2: Optional[ModuleType] = None
if sys.version_info >= (3, 11):  # httpx2 needs 3.11; the test extra installs it there
    import httpx2

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "clients.md"

# --- The recipes, from the page -------------------------------------------------------------


def recipe(title: str) -> Dict[str, Any]:
    """Run the block of docs/clients.md titled ``title``; return its namespace."""
    text = PAGE.read_text(encoding="utf-8")
    pattern = rf'^```python title="{re.escape(title)}"\n(.*?)^```$'
    found = re.search(pattern, text, re.MULTILINE | re.DOTALL)
    assert found is not None, f"docs/clients.md has no {title} block"
    line = text.count("\n", 0, found.start(1))
    namespace: Dict[str, Any] = {"__name__": title.replace(".py", "")}
    exec(compile("\n" * line + found.group(1), str(PAGE), "exec"), namespace)
    return namespace


def test_every_block_is_a_recipe_the_tests_run() -> None:
    titles = re.findall(r'^```python title="([^"]+)"$', PAGE.read_text(encoding="utf-8"), re.M)
    assert sorted(titles) == sorted(RECIPES)
    assert "```python\n" not in PAGE.read_text(encoding="utf-8")  # none runs without a server


RECIPES = [
    "openai_raw.py",
    "openai_sdk.py",
    "httpx_recipe.py",
    "requests_recipe.py",
    "aiohttp_recipe.py",
    "status_recipe.py",
]

Streams = List[Any]
"""The chatchunk streams a recipe opened, in order (a `ChunkStream` or `AsyncChunkStream`)."""


def observed(title: str) -> Tuple[Dict[str, Any], Streams]:
    """A recipe's namespace whose ``iter_chunks`` and ``aiter_chunks`` keep what they return."""
    namespace = recipe(title)
    opened: Streams = []
    for name in ("iter_chunks", "aiter_chunks"):
        if name in namespace:
            namespace[name] = _keeping(namespace[name], opened)
    if "TIMEOUT" in namespace:  # requests: the recipe's own (connect, read) timeout
        namespace["TIMEOUT"] = (TIMEOUT, TIMEOUT)
    return namespace, opened


def _keeping(function: Callable[..., Any], into: Streams) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stream = function(*args, **kwargs)
        into.append(stream)
        return stream

    return wrapper


# --- The clients, each calling its recipe ---------------------------------------------------

REQUEST: Dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}

Result = Tuple[ChatCompletion, Optional[StreamEnd]]


def _openai(base: str) -> openai.OpenAI:
    http = openai.DefaultHttpxClient(trust_env=False, timeout=TIMEOUT)
    return openai.OpenAI(base_url=base, api_key="x", max_retries=0, http_client=http)


def _async_openai(base: str) -> openai.AsyncOpenAI:
    http = openai.DefaultAsyncHttpxClient(trust_env=False, timeout=TIMEOUT)
    return openai.AsyncOpenAI(base_url=base, api_key="x", max_retries=0, http_client=http)


def _requests_session(base: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment
    return session


def _aiohttp_session(base: str = "") -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))


def _httpx2_client(base: str) -> Any:
    assert httpx2 is not None
    return httpx2.Client(timeout=TIMEOUT, trust_env=False)


def _httpx2_async_client(base: str) -> Any:
    assert httpx2 is not None
    return httpx2.AsyncClient(timeout=TIMEOUT, trust_env=False)


Call = Callable[[Dict[str, Any], str], Result]


def _arguments(http: Any, base: str, with_url: bool) -> Tuple[Any, ...]:
    # The openai client holds its base URL; the others get it with each call.
    return (http, base, REQUEST) if with_url else (http, REQUEST)


def sync_call(open_client: Callable[[str], Any], with_url: bool = True) -> Call:
    """Open a client for a base URL, and call the recipe's ``complete`` with it."""

    def call(ns: Dict[str, Any], base: str) -> Result:
        with open_client(base) as http:
            return ns["complete"](*_arguments(http, base, with_url))  # type: ignore[no-any-return]

    return call


def async_call(open_client: Callable[[str], Any], with_url: bool = True) -> Call:
    """The same with the recipe's ``acomplete``, in a new event loop."""

    def call(ns: Dict[str, Any], base: str) -> Result:
        async def main() -> Result:
            async with open_client(base) as http:
                return await ns["acomplete"](*_arguments(http, base, with_url))  # type: ignore[no-any-return]

        return asyncio.run(main())

    return call


def _transport() -> ModuleType:
    """The HTTP library under the openai client: httpx2 from openai-python 3.x, else httpx."""
    import openai._base_client as base_client

    return getattr(base_client, "httpx2", None) or httpx


class Client(NamedTuple):
    recipe: str
    call: Call
    dropped: Type[BaseException]
    """What the client raises when the connection drops inside a chunked body."""


def _clients() -> List[Any]:
    needs_httpx2 = pytest.mark.skipif(httpx2 is None, reason="httpx2 needs Python 3.11")
    httpx2_error: Any = httpx2.RemoteProtocolError if httpx2 is not None else None
    rows = {
        "openai-raw": Client(
            "openai_raw.py", sync_call(_openai, False), _transport().RemoteProtocolError
        ),
        "openai-raw-async": Client(
            "openai_raw.py", async_call(_async_openai, False), _transport().RemoteProtocolError
        ),
        "httpx": Client(
            "httpx_recipe.py", sync_call(lambda base: client()), httpx.RemoteProtocolError
        ),
        "httpx-async": Client(
            "httpx_recipe.py", async_call(lambda base: async_client()), httpx.RemoteProtocolError
        ),
        "httpx2": Client("httpx_recipe.py", sync_call(_httpx2_client), httpx2_error),
        "httpx2-async": Client("httpx_recipe.py", async_call(_httpx2_async_client), httpx2_error),
        "requests": Client(
            "requests_recipe.py",
            sync_call(_requests_session),
            requests.exceptions.ChunkedEncodingError,
        ),
        "aiohttp-async": Client(
            "aiohttp_recipe.py", async_call(_aiohttp_session), aiohttp.ClientPayloadError
        ),
    }
    return [
        pytest.param(row, id=name, marks=[needs_httpx2] if name.startswith("httpx2") else [])
        for name, row in rows.items()
    ]


CLIENTS = _clients()

# --- The server -----------------------------------------------------------------------------

_BODY = STREAMS["openai_text_usage"][0]
_HEAD = _BODY[: _BODY.index(b"data: [DONE]")]
_EVENTS = [event + b"\n\n" for event in _HEAD.split(b"\n\n") if event]
BETWEEN = b"".join(_EVENTS[:4])  # four whole events, then nothing
INSIDE = BETWEEN + _EVENTS[4][:40]  # and the start of a fifth
ERROR = {"message": "Rate limit reached", "type": "rate_limit_error", "code": "rate_limit_exceeded"}
ERROR_BODY = json.dumps({"error": ERROR}).encode()
HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

ROUTES: Dict[str, Reply] = {
    f"/{name}/v1/chat/completions": Reply(body) for name, (body, _) in STREAMS.items()
}
ROUTES.update(
    {
        "/drop/v1/chat/completions": Reply(INSIDE, drop=True),
        "/eof/v1/chat/completions": Reply(BETWEEN, framing="close"),
        "/truncated/v1/chat/completions": Reply(INSIDE, framing="close"),
        "/status/v1/chat/completions": Reply(ERROR_BODY, 429, "application/json", "length"),
        "/html/v1/chat/completions": Reply(HTML, 200, "text/html", "length"),
    }
)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(ROUTES) as base:
        yield base


def partial(body: bytes) -> Dict[str, Any]:
    """What a stream cut after ``body``'s whole events assembles to."""
    whole = body[: body.rindex(b"\n\n") + 2]
    return to_dict(accumulate(chunks_of(whole)))


# --- Every client, every stream --------------------------------------------------------------


@pytest.mark.parametrize("client_", CLIENTS)
@pytest.mark.parametrize("name", list(STREAMS))
def test_recipe_reads_every_stream(url: str, client_: Client, name: str) -> None:
    body, expected = STREAMS[name]
    ns, opened = observed(client_.recipe)
    completion, end = client_.call(ns, f"{url}/{name}/v1")
    assert to_dict(completion) == expected
    # Every body ends at [DONE] but one, from a server that never sends it.
    assert end is (StreamEnd.DONE if b"data: [DONE]" in body else StreamEnd.EOF)
    (stream,) = opened
    assert stream.end is end
    assert stream.done is (end is StreamEnd.DONE)


@pytest.mark.parametrize("client_", CLIENTS)
def test_dropped_connection_raises_the_clients_error(url: str, client_: Client) -> None:
    ns, opened = observed(client_.recipe)
    with pytest.raises(client_.dropped):
        client_.call(ns, f"{url}/drop/v1")
    (stream,) = opened
    assert stream.end is StreamEnd.FAILED
    assert not stream.done


@pytest.mark.parametrize("client_", CLIENTS)
@pytest.mark.parametrize(
    ("cut", "body", "ended"),
    [("eof", BETWEEN, StreamEnd.EOF), ("truncated", INSIDE, StreamEnd.TRUNCATED)],
)
def test_body_that_stops_early(
    url: str, client_: Client, cut: str, body: bytes, ended: StreamEnd
) -> None:
    # An HTTP/1.0 body without Content-Length ends where the server closes: no client
    # can tell a cut from the end, and none raises. Only the stream's end says it.
    ns, opened = observed(client_.recipe)
    completion, end = client_.call(ns, f"{url}/{cut}/v1")
    assert end is ended
    assert [stream.end for stream in opened] == [ended]
    assert to_dict(completion) == partial(body)
    assert completion.choices[0].finish_reason is None


@pytest.mark.parametrize("client_", CLIENTS)
def test_error_status_gives_the_servers_message(url: str, client_: Client) -> None:
    ns, _ = observed(client_.recipe)
    if client_.recipe == "openai_raw.py":  # the client raises before chatchunk reads a byte
        with pytest.raises(openai.RateLimitError, match="Rate limit reached") as status:
            client_.call(ns, f"{url}/status/v1")
        assert status.value.status_code == 429
        return
    with pytest.raises(NotAnEventStreamError) as error:
        client_.call(ns, f"{url}/status/v1")
    assert error.value.message == "Rate limit reached"
    assert error.value.error == ERROR
    with pytest.raises(NotAnEventStreamError, match="502 Bad Gateway"):
        client_.call(ns, f"{url}/html/v1")  # an error page with status 200


# --- The SDK's own iterator, through the bridge ----------------------------------------------


def _sdk_dropped() -> Type[BaseException]:
    # openai-python 3.x wraps the transport's error; 1.x and 2.x let it through.
    if int(openai.__version__.split(".")[0]) >= 3:
        return openai.APIConnectionError
    return _transport().RemoteProtocolError  # type: ignore[no-any-return]


@pytest.fixture
def bridge() -> None:
    """The openai bridge (issue 11, part 1); until it lands these tests skip, saying so."""
    pytest.importorskip("chatchunk._openai", reason="waits on the openai bridge, chatchunk._openai")


def sdk_complete(base: str) -> ChatCompletion:
    return sync_call(_openai, False)(recipe("openai_sdk.py"), base)  # type: ignore[return-value]


@pytest.mark.usefixtures("bridge")
@pytest.mark.parametrize("name", list(STREAMS))
def test_sdk_iterator_through_the_bridge(url: str, name: str) -> None:
    assert to_dict(sdk_complete(f"{url}/{name}/v1")) == STREAMS[name][1]


@pytest.mark.usefixtures("bridge")
def test_sdk_chunks_convert_one_by_one(url: str) -> None:
    from chatchunk._openai import from_openai

    body, _ = STREAMS["openai_text_usage"]
    with _openai(f"{url}/openai_text_usage/v1") as oa:
        converted = [from_openai(c) for c in oa.chat.completions.create(**REQUEST, stream=True)]
    assert converted == chunks_of(body)


@pytest.mark.usefixtures("bridge")
def test_sdk_iterator_cannot_tell_a_cut(url: str) -> None:
    # It stops quietly where the body stops, and raises only on a dropped connection.
    for cut, body in (("eof", BETWEEN), ("truncated", INSIDE)):
        assert to_dict(sdk_complete(f"{url}/{cut}/v1")) == partial(body)
    with pytest.raises(_sdk_dropped()):
        sdk_complete(f"{url}/drop/v1")
    with pytest.raises(openai.RateLimitError, match="Rate limit reached"):
        sdk_complete(f"{url}/status/v1")


# --- Error statuses --------------------------------------------------------------------------


def test_status_recipe(url: str) -> None:
    ns = recipe("status_recipe.py")
    with client() as http:
        completion = ns["complete"](http, f"{url}/openai_text_usage/v1", REQUEST)
        assert to_dict(completion) == STREAMS["openai_text_usage"][1]
        with pytest.raises(ns["ServerError"], match="HTTP 429: Rate limit reached") as error:
            ns["complete"](http, f"{url}/status/v1", REQUEST)
        assert error.value.status == 429
        with pytest.raises(ns["ServerError"], match="HTTP 200: 502 Bad Gateway"):
            ns["complete"](http, f"{url}/html/v1", REQUEST)
        with pytest.raises(ValueError, match="without data: \\[DONE\\]") as cut:
            ns["complete"](http, f"{url}/eof/v1", REQUEST)
        assert cut.value.end is StreamEnd.EOF


@contextmanager
def _status_response(url: str) -> Iterator[httpx.Response]:
    with client() as http, http.stream("POST", f"{url}/status/v1/chat/completions") as response:
        yield response


def test_raise_for_status_loses_the_message(url: str) -> None:
    # What docs/clients.md says of each client's raise_for_status on a streamed response.
    with _status_response(url) as response, pytest.raises(httpx.HTTPStatusError) as status:
        response.raise_for_status()
    assert "Rate limit reached" not in str(status.value)
    with pytest.raises(httpx.ResponseNotRead):
        _ = status.value.response.text  # the body was not read

    with requests.Session() as session:
        session.trust_env = False
        with session.post(
            f"{url}/status/v1/chat/completions", stream=True, timeout=TIMEOUT
        ) as response:
            with pytest.raises(requests.HTTPError) as error:
                response.raise_for_status()
            assert "Rate limit reached" not in str(error.value)
            assert str(error.value).startswith("429 Client Error: Too Many Requests")

    async def aiohttp_status() -> Tuple[str, bytes]:
        status_url = f"{url}/status/v1/chat/completions"
        async with _aiohttp_session() as session, session.post(status_url) as response:
            try:
                response.raise_for_status()
            except aiohttp.ClientResponseError as exc:
                return str(exc), await response.read()  # inside `async with`, still there
        raise AssertionError("no ClientResponseError")

    message, body = asyncio.run(aiohttp_status())
    assert message.startswith("429, message='Too Many Requests'")
    assert "Rate limit reached" not in message
    assert body == ERROR_BODY
