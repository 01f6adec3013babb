"""chatchunk against real OpenAI-compatible servers that nobody here wrote.

`peer_servers.py` starts xpyd-sim (a vLLM-style simulator), fakellm (a rule-driven mock) and
the LiteLLM proxy (its own ``mock_response``, and its translators in front of the other
two) on 127.0.0.1, once per test run. Each stream asks for the usage
(``stream_options.include_usage``), two choices (``n=2``) where the server takes them,
or tool calls, and for each the tests prove:

* every payload parses and ``dump_chunk`` writes it back as the same JSON, type-strictly;
* the stream ends with ``data: [DONE]``;
* chatchunk's assembled completion (``accumulate(iter_events(...))``) agrees with the
  openai client's own assembly of the same bytes (its ``Stream`` and
  ``ChatCompletionStreamState``), except where ``docs/providers.md`` says they differ;
* what the server sends beyond the OpenAI specification is exactly the drift that
  ``docs/providers.md`` lists for it, each unknown field named with its source.

The bytes of each stream are read once, with httpx, and then given to both sides.
"""

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, NamedTuple, Optional, Set, Tuple

import httpx
import openai
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState

from chatchunk import (
    UNSET,
    ChatCompletion,
    StreamConformance,
    StreamEnd,
    accumulate,
    check_conformance,
    dump_chunk,
    iter_events,
    iter_sse,
    parse_chunk,
)
from peer_servers import (
    MOCK_TEXT,
    REQUIREMENTS,
    SCRIPTS,
    Peer,
    fakellm_config,
    litellm_config,
    litellm_env,
    peer_serving,
    script,
)
from providers import assert_json_identical
from servers import TIMEOUT, client

# --- the servers, once per run ----------------------------------------------------------------


def _need(name: str) -> None:
    if script(name) is None:
        message = (
            f"{name} is not installed here: pip install {REQUIREMENTS} into a venv of"
            f" Python 3.10 or newer and set {SCRIPTS[name]} to its {name} script, as .ci/run does"
        )
        if os.environ.get("CHATCHUNK_PEERS") == "required":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def xpyd_sim() -> Iterator[Peer]:
    _need("xpyd-sim")
    args = ["serve", "--model", "sim-model", "--prefill-delay-ms", "0"]
    args += ["--decode-delay-per-token-ms", "0", "--kv-transfer-delay-ms", "0"]
    with peer_serving("xpyd-sim", args, health="/health") as peer:
        yield peer


@pytest.fixture(scope="session")
def fakellm() -> Iterator[Peer]:
    _need("fakellm")
    with (
        tempfile.TemporaryDirectory() as folder,
        peer_serving(
            "fakellm", ["serve", "--config", fakellm_config(folder)], health="/_fakellm/stats"
        ) as peer,
    ):
        yield peer


@pytest.fixture(scope="session")
def litellm(xpyd_sim: Peer, fakellm: Peer) -> Iterator[Peer]:
    _need("litellm")
    env = litellm_env()
    headers = {"Authorization": "Bearer " + env["LITELLM_MASTER_KEY"]}
    with tempfile.TemporaryDirectory() as folder:
        config = litellm_config(folder, xpyd_sim.url, fakellm.url)
        with peer_serving(
            "litellm",
            ["--config", config, "--num_workers", "1"],
            health="/health/liveliness",
            env=env,
            headers=headers,
            cwd=folder,
        ) as peer:
            yield peer


# --- one stream, read once and checked ----------------------------------------------------------

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
USAGE = {"stream": True, "stream_options": {"include_usage": True}}


def request(model: str, text: str = "hello", **fields: Any) -> Dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **USAGE, **fields}


def stream(peer: Peer, body: Dict[str, Any]) -> bytes:
    """POST a chat request; return the whole response body (the client's timeout bounds it)."""
    with client() as http:
        response = http.post(
            peer.url + "/v1/chat/completions", json=body, headers=peer.headers, timeout=TIMEOUT
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return response.content


Drift = Set[Tuple[str, str, Optional[str]]]
"""(kind, path, provider) of every conformance finding of a stream."""


class Checked(NamedTuple):
    completion: ChatCompletion
    theirs: Dict[str, Any]
    """The openai client's assembly, in the shape of `essentials`."""
    drift: Drift
    chunks: int


def check(body: bytes) -> Checked:
    """Every payload parses and round-trips; the stream ends DONE; both assemblies and
    the conformance findings, for the test to compare."""
    payloads = [event.data for event in iter_sse([body]) if event.data != "[DONE]"]
    assert payloads
    stream_check = StreamConformance()
    drift: Drift = set()
    for payload in payloads:
        chunk = parse_chunk(payload)
        assert_json_identical(json.loads(dump_chunk(chunk)), json.loads(payload))
        for finding in check_conformance(chunk) + stream_check.add(chunk):
            drift.add((finding.kind, finding.path, finding.provider))
    events = iter_events([body])
    completion = accumulate(events)
    assert events.end is StreamEnd.DONE
    for finding in stream_check.finish(done=True):
        drift.add((finding.kind, finding.path, finding.provider))
    return Checked(completion, openai_assembly(body), drift, len(payloads))


def openai_assembly(body: bytes) -> Dict[str, Any]:
    """What the openai client makes of the same bytes: its own `Stream` (SSE decoding
    and chunk models) over an httpx transport that answers with ``body``, into its
    ``ChatCompletionStreamState``."""

    transport = _openai_transport()

    def answer(request: Any) -> Any:
        return transport.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    http = transport.Client(transport=transport.MockTransport(answer))
    with openai.OpenAI(api_key="none", base_url="http://127.0.0.1:1/v1", http_client=http) as sdk:
        state = ChatCompletionStreamState()
        for chunk in sdk.chat.completions.create(model="m", messages=[], stream=True):
            state.handle_chunk(chunk)
        # The snapshot, not get_final_completion(): that one also parses the content
        # and raises LengthFinishReasonError on a choice that hit max_tokens.
        final = state.current_completion_snapshot
    return essentials(json.loads(final.model_dump_json(exclude_unset=True)))


def _openai_transport() -> Any:
    """The HTTP module the openai client runs on: httpx2 from openai-python 3, else httpx."""
    try:
        import httpx2
    except ImportError:
        return httpx
    return httpx2 if issubclass(openai.DefaultHttpxClient, httpx2.Client) else httpx


def ours(completion: ChatCompletion) -> Dict[str, Any]:
    return essentials(json.loads(completion.model_dump_json(exclude_unset=True)))


def essentials(data: Dict[str, Any]) -> Dict[str, Any]:
    """The parts of an assembled completion that both sides build: the header, each
    choice's role, content, finish reason and tool calls, and the usage. An absent key
    is None here, as the openai client has no other way to say it."""
    choices = []
    for choice in sorted(data["choices"], key=lambda c: c["index"]):
        message = choice.get("message") or {}
        # In order, without `index`: the openai client leaves each chunk's `index` on the
        # assembled tool call, which a message's tool call does not have.
        calls = [
            {
                "id": call.get("id"),
                "type": call.get("type"),
                "name": (call.get("function") or {}).get("name"),
                "arguments": (call.get("function") or {}).get("arguments"),
            }
            for call in message.get("tool_calls") or ()
        ]
        choices.append(
            {
                "index": choice["index"],
                "finish_reason": choice.get("finish_reason"),
                "role": message.get("role"),
                "content": message.get("content"),
                "tool_calls": calls,
            }
        )
    return {
        "id": data.get("id"),
        "model": data.get("model"),
        "created": data.get("created"),
        "choices": choices,
        "usage": data.get("usage"),
    }


def agree(checked: Checked, **differences: Any) -> Dict[str, Any]:
    """Assert both assemblies agree, but for ``differences``: ``choice1_role="..."``
    says what the openai client has as choice 1's role where chatchunk's differs."""
    mine, theirs = ours(checked.completion), checked.theirs
    for name, value in differences.items():
        index, field = name[len("choice") :].split("_", 1)
        assert theirs["choices"][int(index)][field] == value, (name, theirs)
        theirs["choices"][int(index)][field] = mine["choices"][int(index)][field]
    assert mine == theirs
    return mine


# --- xpyd-sim -------------------------------------------------------------------------------

SIM_TOKENS = 4
ENDS = ("stop", "length")


def test_xpyd_sim_two_choices_logprobs_usage(xpyd_sim: Peer) -> None:
    body = request("sim-model", n=2, max_tokens=SIM_TOKENS, logprobs=True, top_logprobs=2)
    checked = check(stream(xpyd_sim, body))
    mine = agree(checked)
    # The simulator ends a choice at random, before max_tokens or at it.
    assert all(c["finish_reason"] in ENDS for c in mine["choices"])
    assert len(mine["choices"]) == 2
    assert all(c["role"] == "assistant" and c["content"] for c in mine["choices"])
    assert mine["usage"]["total_tokens"] == (
        mine["usage"]["prompt_tokens"] + mine["usage"]["completion_tokens"]
    )
    # Each token's logprobs are assembled in order.
    logprobs = checked.completion.choices[0].logprobs
    assert logprobs
    assert logprobs.content
    assert "".join(t.token for t in logprobs.content) == mine["choices"][0]["content"]
    # Its logprobs objects leave out `refusal`.
    assert checked.drift == {*XPYD_SIM_DRIFT, ("missing_field", "choices.0.logprobs.refusal", None)}


XPYD_SIM_DRIFT: Drift = {
    # vLLM's `stop_reason` on every choice (null, or the stop string or token that ended it).
    ("unknown_field", "choices.0.stop_reason", "vLLM"),
    # Every delta spells out `"role": null` and `"tool_calls": null` after the first.
    ("null_value", "choices.0.delta.role", None),
    ("null_value", "choices.0.delta.tool_calls", None),
}
"""What xpyd-sim sends beyond the specification. Each chunk has one choice (the two
of ``n=2`` come one after the other), so the paths are all ``choices.0``."""


def test_xpyd_sim_tool_call_usage(xpyd_sim: Peer) -> None:
    body = request("sim-model", max_tokens=8, tools=TOOLS, tool_choice="required")
    checked = check(stream(xpyd_sim, body))
    mine = agree(checked)
    (choice,) = mine["choices"]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["tool_calls"]
    assert call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == {"city": "dummy_value"}
    assert mine["usage"] is not None
    assert checked.drift == XPYD_SIM_DRIFT


# --- fakellm -------------------------------------------------------------------------------


def test_fakellm_ignores_n_and_include_usage(fakellm: Peer) -> None:
    checked = check(stream(fakellm, request("gpt-4o-mini", n=2)))
    mine = agree(checked)
    # One choice and no usage chunk, whatever was asked.
    assert [c["content"] for c in mine["choices"]] == ["Hi there, from fakellm."]
    assert mine["usage"] is None
    assert checked.completion.usage is UNSET
    assert checked.drift == FAKELLM_DRIFT


FAKELLM_DRIFT: Drift = set()
"""fakellm's chunks follow the specification to the letter (it sends no `logprobs` key,
which the specification allows)."""


def test_fakellm_two_tool_calls(fakellm: Peer) -> None:
    checked = check(stream(fakellm, request("gpt-4o-mini", "weather?", tools=TOOLS)))
    mine = agree(checked)
    (choice,) = mine["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert [(c["name"], json.loads(c["arguments"])) for c in choice["tool_calls"]] == [
        ("get_weather", {"city": "Paris", "unit": "celsius"}),
        ("get_time", {"tz": "Europe/Paris"}),
    ]
    assert checked.drift == FAKELLM_DRIFT


# --- LiteLLM -------------------------------------------------------------------------------


def test_litellm_mock_two_choices_usage(litellm: Peer) -> None:
    checked = check(stream(litellm, request("mock", n=2)))
    # Choice 1 repeats `"role": "assistant"` in every content chunk, which the openai
    # client concatenates; chatchunk keeps one.
    role_repeats = checked.chunks - 2  # all but the finish and usage chunks
    mine = agree(checked, choice1_role="assistant" * role_repeats)
    assert [c["content"] for c in mine["choices"]] == [MOCK_TEXT, MOCK_TEXT]
    assert [c["role"] for c in mine["choices"]] == ["assistant", "assistant"]
    # Only choice 0 is ever finished: the finish chunk has one choice.
    assert [c["finish_reason"] for c in mine["choices"]] == ["stop", None]
    assert mine["usage"]["total_tokens"] > 0
    assert checked.drift == {
        *LITELLM_DRIFT,
        ("missing_field", "choices.1.finish_reason", None),
        ("choice_not_finished", "choices.1.finish_reason", None),
    }


LITELLM_DRIFT: Drift = {
    # Content chunks leave out `finish_reason` instead of sending null.
    ("missing_field", "choices.0.finish_reason", None),
    # The usage comes in a chunk of its own, but with `[{"index": 0, "delta": {}}]`.
    ("usage_with_choices", "choices", None),
}
"""What the LiteLLM proxy sends beyond the specification, whatever the model."""


def test_litellm_translating_xpyd_sim(litellm: Peer) -> None:
    # LiteLLM's hosted_vllm translator in front of xpyd-sim, with n=2 and logprobs.
    body = request("sim", n=2, max_tokens=SIM_TOKENS, logprobs=True, top_logprobs=2)
    checked = check(stream(litellm, body))
    # Choice 1 never gets a role through LiteLLM (xpyd-sim sent one): chatchunk says
    # "assistant", the openai client None.
    mine = agree(checked, choice1_role=None)
    # LiteLLM drops choice 1's finish chunk, and with it the finish reason xpyd-sim sent.
    first, second = mine["choices"]
    assert first["finish_reason"] in ENDS
    assert second["finish_reason"] is None
    # What LiteLLM translated away: xpyd-sim's `stop_reason` and its explicit nulls.
    assert checked.drift == {
        *LITELLM_DRIFT,
        ("missing_field", "choices.0.logprobs.refusal", None),
        ("choice_not_finished", "choices.1.finish_reason", None),
    }


def test_litellm_translating_xpyd_sim_tool_call(litellm: Peer) -> None:
    body = request("sim", max_tokens=8, tools=TOOLS, tool_choice="required")
    checked = check(stream(litellm, body))
    (choice,) = agree(checked)["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert [c["name"] for c in choice["tool_calls"]] == ["get_weather"]
    assert checked.drift == LITELLM_DRIFT


def test_litellm_translating_fakellm_tool_calls(litellm: Peer) -> None:
    # LiteLLM's openai translator in front of fakellm: two tool calls, and a cost.
    checked = check(stream(litellm, request("fake", "weather?", tools=TOOLS)))
    mine = agree(checked)
    (choice,) = mine["choices"]
    assert [c["name"] for c in choice["tool_calls"]] == ["get_weather", "get_time"]
    assert isinstance(mine["usage"]["cost"], float)
    assert checked.drift == {*LITELLM_DRIFT, ("unknown_field", "usage.cost", "OpenRouter/LiteLLM")}


def test_litellm_translating_fakellm_anthropic_tool_calls(litellm: Peer) -> None:
    # LiteLLM's anthropic translator in front of fakellm's Messages API: Anthropic's
    # events become chunks, and Anthropic's cache counts come along in the usage.
    checked = check(stream(litellm, request("claude", "weather?", max_tokens=50, tools=TOOLS)))
    mine = agree(checked)
    (choice,) = mine["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert [c["name"] for c in choice["tool_calls"]] == ["get_weather", "get_time"]
    # Every tool-call fragment comes with `"content": ""`, which adds up to "".
    assert choice["content"] == ""
    anthropic = "LiteLLM (Anthropic)"
    assert checked.drift == {
        *LITELLM_DRIFT,
        ("unknown_field", "usage.cache_creation_input_tokens", anthropic),
        ("unknown_field", "usage.cache_read_input_tokens", anthropic),
        ("unknown_field", "usage.prompt_tokens_details.cache_creation_tokens", anthropic),
    }


def test_versions_are_the_pinned_ones(xpyd_sim: Peer, fakellm: Peer, litellm: Peer) -> None:
    # docs/providers.md names the versions whose drift it lists; .ci/run pins them.
    pins = dict(re.findall(r"'([a-z-]+)(?:\[proxy\])?==([0-9.]+)'", REQUIREMENTS))
    running = {"litellm": litellm.version, "xpyd-sim": xpyd_sim.version}
    assert {**running, "fakellm": fakellm.version} == pins


def test_ci_installs_the_pinned_servers() -> None:
    # Without the servers too: .ci/run installs exactly what these tests expect.
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f"install -q {REQUIREMENTS}\n" in ci
    for variable in SCRIPTS.values():
        assert f"{variable}=" in ci
