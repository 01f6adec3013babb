"""OpenAI-compatible servers written by others, run as subprocesses on 127.0.0.1.

Three servers from PyPI, none written here:

* ``xpyd-sim``, a vLLM-style inference simulator (``n``, logprobs, tool calls, usage,
  ``stop_reason``);
* ``fakellm``, a rule-driven mock of the OpenAI and Anthropic APIs (tool calls);
* the LiteLLM proxy (``litellm[proxy]``), with one model answered by its own
  ``mock_response`` and three that its ``openai``, ``hosted_vllm`` and ``anthropic``
  translators forward to the other two servers.

They need Python 3.10 or newer and LiteLLM's proxy weighs about 1 GB, so they are not
in the ``test`` extra: ``.ci/run`` installs them once into a venv of their own and names
each script in an environment variable (`SCRIPTS`). Without it the tests skip and say
which variable is missing; with ``CHATCHUNK_PEERS=required`` (as ``.ci/run`` sets it) a
missing script fails them instead.

Each server gets a port from the OS (``--port 0``; uvicorn logs the one it bound), its
log goes to a file, never a pipe, and it is stopped at the end, killed if it must.
"""

import os
import secrets
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional

import httpx

from servers import TIMEOUT, process_serving

__all__ = [
    "MOCK_TEXT",
    "REQUIREMENTS",
    "SCRIPTS",
    "Peer",
    "fakellm_config",
    "litellm_config",
    "litellm_env",
    "peer_serving",
    "script",
]

SCRIPTS = {
    "xpyd-sim": "CHATCHUNK_XPYD_SIM",
    "fakellm": "CHATCHUNK_FAKELLM",
    "litellm": "CHATCHUNK_LITELLM",
}
"""Each server's console script, and the environment variable that names its path."""

REQUIREMENTS = "'litellm[proxy]==1.108.7' 'xpyd-sim==0.5.0' 'fakellm==0.3.5'"
"""What ``.ci/run`` installs for these tests, as it spells it."""

STARTUP = 90.0
"""Seconds a server may take to import and answer (LiteLLM's proxy takes ten or more)."""

_THEIR_VARIABLES = ("LITELLM_", "XPYD_SIM_", "FAKELLM_")


class Peer(NamedTuple):
    """A running server."""

    url: str
    """Its root URL, ``http://127.0.0.1:PORT``."""
    headers: Dict[str, str]
    """What each request must carry (LiteLLM's master key)."""
    version: str
    """The installed version of its package, as ``pip`` reports it."""


def script(name: str) -> Optional[str]:
    """The path of ``name``'s script from its environment variable, or None when unset."""
    path = os.environ.get(SCRIPTS[name])
    if path and not Path(path).is_file():
        raise AssertionError(f"{SCRIPTS[name]}={path}: no such file")
    return path or None


def _version(path: str, package: str) -> str:
    # The server's own interpreter, next to its script, knows which version it runs.
    python = Path(path).with_name("python")
    out = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return out.stdout.strip()


@contextmanager
def peer_serving(
    name: str,
    args: List[str],
    *,
    health: str,
    env: Optional[Dict[str, str]] = None,
    headers: Optional[Dict[str, str]] = None,
    cwd: Optional[str] = None,
) -> Iterator[Peer]:
    """Run ``name``'s script with ``args`` and ``--host 127.0.0.1 --port 0``; yield it
    once ``health`` (a path) answers 200."""
    path = script(name)
    assert path is not None
    package = "litellm" if name == "litellm" else name
    version = _version(path, package)
    command = [path, *args, "--host", "127.0.0.1", "--port", "0"]
    # Their settings also come from the environment (LITELLM_*, a DATABASE_URL the proxy
    # would connect to, XPYD_SIM_*, FAKELLM_CONFIG): none from the run may reach them.
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_THEIR_VARIABLES) and name != "DATABASE_URL"
    }
    environ.update(NO_COLOR="1", **(env or {}))
    extra = headers or {}

    def ready(http: httpx.Client, url: str) -> bool:
        return http.get(url + health, headers=extra).status_code == 200

    with process_serving(
        command, env=environ, ready=ready, startup=STARTUP, what=f"{name} ({health})", cwd=cwd
    ) as url:
        yield Peer(url, extra, version)


# --- configurations ---------------------------------------------------------------------------

FAKELLM_CONFIG = """\
version: 1
defaults:
  fallback: deterministic_echo
rules:
  - name: tools
    when:
      messages_contain: "weather"
    respond:
      tool_calls:
        - name: get_weather
          arguments: {city: Paris, unit: celsius}
        - name: get_time
          arguments: {tz: Europe/Paris}
  - name: greeting
    when:
      messages_contain: "hello"
    respond:
      content: "Hi there, from fakellm."
"""


def fakellm_config(folder: str) -> str:
    """Write fakellm's rules into ``folder``; return the file's path."""
    path = Path(folder, "fakellm.yaml")
    path.write_text(FAKELLM_CONFIG, encoding="utf-8")
    return str(path)


MOCK_TEXT = "Hello from the LiteLLM mock."


def litellm_config(folder: str, xpyd_sim: str, fakellm: str) -> str:
    """Write a LiteLLM proxy config into ``folder``; return the file's path.

    ``mock``: LiteLLM's own ``mock_response``. ``sim``: its ``hosted_vllm`` translator
    in front of xpyd-sim. ``fake``: its ``openai`` translator in front of fakellm.
    ``claude``: its ``anthropic`` translator in front of fakellm's Messages API.
    """
    path = Path(folder, "litellm.yaml")
    path.write_text(
        f"""\
model_list:
  - model_name: mock
    litellm_params:
      model: openai/mock
      mock_response: "{MOCK_TEXT}"
  - model_name: sim
    litellm_params:
      model: hosted_vllm/sim-model
      api_base: {xpyd_sim}/v1
      api_key: none
  - model_name: fake
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {fakellm}/v1
      api_key: none
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-haiku-20241022
      api_base: {fakellm}
      api_key: none
litellm_settings:
  telemetry: false
""",
        encoding="utf-8",
    )
    return str(path)


def litellm_env() -> Dict[str, str]:
    """What the proxy needs to start offline: a master key, and the cost map it ships
    (it would fetch a newer one otherwise)."""
    return {
        "LITELLM_MASTER_KEY": "sk-" + secrets.token_hex(32),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
    }
