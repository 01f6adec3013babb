"""Real HTTP servers on 127.0.0.1 for the tests, and clients that cannot hang.

`serving` runs a `ThreadingHTTPServer` in a thread that answers each path with a
`Reply`: a status, a content type, a body and how the body is framed on the wire.
Event streams go out in odd-sized writes with a short pause now and then, so that the
client sees events cut anywhere.

`llmock_serving` starts the ``llmock`` console script (an OpenAI-compatible mock that
injects faults, written by others) as a subprocess on a port the OS picks, waits for
its health check and stops it at the end.

Every client has a timeout, so a hang fails the test instead of blocking the run.
"""

import itertools
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any, Callable, Dict, Iterator, List, Literal, Mapping, NamedTuple, Optional

import httpx  # a test dependency (the `test` extra): no importorskip

__all__ = ["TIMEOUT", "Reply", "async_client", "client", "llmock_serving", "serving"]

TIMEOUT = 10.0
"""Seconds any client or server step may take before the test fails."""

WRITE_SIZES = (1, 7, 13, 64, 3)


class Reply(NamedTuple):
    """What the server answers on one path."""

    body: bytes
    status: int = 200
    content_type: str = "text/event-stream"
    framing: Literal["chunked", "close", "length"] = "chunked"
    """``chunked``: ``Transfer-Encoding: chunked``, in odd-sized writes. ``close``: an
    HTTP/1.0 response without ``Content-Length``, in odd-sized writes; its body ends where
    the server closes the connection, so the client cannot tell a cut from the end.
    ``length``: ``Content-Length`` and the body in one write, as error pages come."""
    drop: bool = False
    """With ``chunked``: close the connection without the last, empty chunk, as an
    upstream that dies does; the client can tell, and raises."""


_NOT_FOUND = Reply(b"no such path\n", 404, "text/plain", "length")


def _pieces(body: bytes) -> Iterator[bytes]:
    sizes = itertools.cycle(WRITE_SIZES)
    pos = 0
    while pos < len(body):
        size = next(sizes)
        yield body[pos : pos + size]
        pos += size


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each small write goes out as it is, not coalesced
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean

    def do_POST(self) -> None:
        # As GET, after reading the request body (a gateway forwards a chat request).
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        reply = self.server.routes.get(self.path, _NOT_FOUND)
        chunked = reply.framing == "chunked"
        if reply.framing == "close":
            # The status line says HTTP/1.0, and the connection closes after the body:
            # nothing else marks where the body ends.
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Cache-Control", "no-cache")
        if reply.framing == "length":
            self.send_header("Content-Length", str(len(reply.body)))
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        try:
            if reply.framing == "length":
                self.wfile.write(reply.body)
                return
            for count, piece in enumerate(_pieces(reply.body), 1):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                self.wfile.flush()
                if count % 40 == 0:
                    time.sleep(0.001)
            if reply.drop:
                self.close_connection = True
            elif chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # A client that stops at an error or [DONE] may close before the end.
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: Mapping[str, Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.errors: List[BaseException] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stopped early (at [DONE] or an error) and closed its connection is
        # no error; anything else is kept, and fails the run at teardown.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)) and exc is not None:
            self.errors.append(exc)


@contextmanager
def serving(routes: Mapping[str, Reply]) -> Iterator[str]:
    """Serve ``routes`` (path to reply) on 127.0.0.1; yield the base URL."""
    server = _Server(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert server.errors == []


def client(timeout: float = TIMEOUT) -> httpx.Client:
    # trust_env=False: no proxy from the environment between us and 127.0.0.1.
    return httpx.Client(timeout=timeout, trust_env=False)


def async_client(timeout: float = TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, trust_env=False)


# --- llmock ---------------------------------------------------------------------------------

LLMOCK_STARTUP = 30.0
"""Seconds llmock may take to import FastAPI and uvicorn and answer its health check."""

# uvicorn logs the port it bound, also when asked for port 0.
_LISTENING = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@contextmanager
def process_serving(
    command: List[str],
    *,
    env: Dict[str, str],
    ready: Callable[[httpx.Client, str], bool],
    startup: float,
    what: str,
    cwd: Optional[str] = None,
) -> Iterator[str]:
    """Run a server of someone else's that logs uvicorn's "running on" line; yield its URL
    once ``ready(client, url)`` says so, within ``startup`` seconds; stop it at the end."""
    # The log goes to a file, never a pipe: a pipe nobody reads fills and stalls the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        try:
            yield _wait_until_ready(process, log, ready, startup, what)
        finally:
            process.terminate()
            try:
                process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(TIMEOUT)


def _wait_until_ready(
    process: "subprocess.Popen[bytes]",
    log: IO[bytes],
    ready: Callable[[httpx.Client, str], bool],
    startup: float,
    what: str,
) -> str:
    deadline = time.monotonic() + startup
    url = None
    with client(timeout=2.0) as http:
        while time.monotonic() < deadline and process.poll() is None:
            if url is None:
                log.seek(0)
                found = _LISTENING.search(log.read())
                if found is not None:
                    url = f"http://127.0.0.1:{int(found.group(1))}"
            if url is not None:
                try:
                    if ready(http, url):
                        return url
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
    log.seek(0)
    output = log.read().decode("utf-8", "replace")[-4000:]
    raise AssertionError(
        f"{what} was not ready within {startup} s "
        f"(exit status {process.poll()}); the end of its output:\n{output}"
    )


@contextmanager
def llmock_serving() -> Iterator[str]:
    """Run ``llmock serve`` on 127.0.0.1, on a port the OS picks; yield its root URL.

    The script is the one installed next to this interpreter, so the server is the
    version the test extra installed.
    """
    script = shutil.which("llmock", path=sysconfig.get_path("scripts"))
    if script is None:
        raise AssertionError(f"no llmock script in {sysconfig.get_path('scripts')}")
    # Its settings also come from LLMOCK_* variables (random faults, error rates, a
    # config file): none from the environment of the run may reach it.
    env = {name: value for name, value in os.environ.items() if not name.startswith("LLMOCK_")}
    env["NO_COLOR"] = "1"
    command = [script, "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "info"]

    def ready(http: httpx.Client, url: str) -> bool:
        return bool(http.get(f"{url}/health").json().get("status") == "ok")

    with process_serving(
        command, env=env, ready=ready, startup=LLMOCK_STARTUP, what="llmock (/health)"
    ) as url:
        yield url
