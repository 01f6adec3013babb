"""A generated, deterministic corpus of chat-completion streams for the benchmarks.

`make_stream` writes the JSON payloads of one stream the way OpenAI sends them
(compact JSON, non-ASCII as UTF-8, ``null`` for the fields it nulls out):

- a role chunk (``{"role":"assistant","content":"","refusal":null}``);
- one-token content chunks, tokens drawn from a small word list with spaces,
  punctuation, newlines, quotes, non-ASCII letters, CJK and the odd emoji;
- now and then a tool call: a first fragment with ``id``, ``type`` and the
  function's ``name``, then fragments carrying pieces of the JSON arguments;
- now and then a content chunk with ``logprobs`` (token, logprob, bytes and
  two ``top_logprobs``);
- a finish chunk (``"delta":{}`` and a ``finish_reason``) and a usage trailer
  (``"choices":[]``).

`sse_body` frames the payloads as one ``text/event-stream`` body ending in
``data: [DONE]``, and `split_body` cuts it into network-sized pieces (1-4 KiB,
cut anywhere, including inside a UTF-8 character or a line end).
"""

import json
import random
from typing import Any, Dict, Iterator, List, NamedTuple, Optional

__all__ = ["StreamStats", "make_stream", "split_body", "sse_body", "stream_stats"]

# Tokens as a tokenizer cuts them: a leading space, bare punctuation, newlines,
# escapes for JSON (quote, backslash), Latin-1 letters, CJK and an emoji.
WORDS = [
    " the", " weather", " in", " Paris", " is", " sunny", " and", " warm", " today",
    ",", ".", "!", "?", ":", " a", " to", " of", " it", "'s", " you", " I", "\n", "\n\n",
    " -", " **", "bold", "**", " `", "code", "`", " \"", "quoted", "\"", " \\", " path",
    " café", " naïve", " über", " façade", " —", " …", " 日本", "語", " 東京", " 👍",
    " 42", "°C", " %", " (", ")", " temperature", " forecast", " tomorrow", " rain",
]  # fmt: skip
# The emoji makes every string it joins four bytes a character in CPython: keep it rare.
_RARE = {" 👍"}
TOOL_NAMES = ["get_weather", "search_web", "lookup_city", "convert_units"]
ARG_KEYS = ["city", "unit", "query", "date", "limit", "country"]
ARG_VALUES = ["Paris", "celsius", "München", "2025-05-23", "10", "FR", "東京", "rain"]

STREAM_ID = "chatcmpl-BZx9fK3mQ2vL8nR4tY7wE1aD6sG0h"
MODEL = "gpt-4o-mini-2024-07-18"
CREATED = 1748000000
FINGERPRINT = "fp_34a54ae93c"

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class _Writer:
    """Builds chunks with the header fields every chunk of the stream repeats."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chunk(self, choices: List[Dict[str, Any]], usage: Optional[Dict[str, Any]] = None) -> bytes:
        # OpenAI's key order; `obfuscation` pads each chunk with random characters.
        pad = "".join(self.rng.choices(_ALNUM, k=self.rng.randint(1, 12)))
        return _dumps(
            {
                "id": STREAM_ID,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": MODEL,
                "service_tier": "default",
                "system_fingerprint": FINGERPRINT,
                "choices": choices,
                "usage": usage,
                "obfuscation": pad,
            }
        )

    def delta(self, delta: Dict[str, Any], logprobs: Any = None, finish: Any = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return self.chunk([choice])


def _token(rng: random.Random) -> str:
    word = rng.choice(WORDS)
    while word in _RARE and rng.random() < 0.9:
        word = rng.choice(WORDS)
    return word


def _logprob(rng: random.Random) -> float:
    # Six decimals and no exponent, so that every JSON writer prints it the same way.
    return -round(rng.uniform(0.0001, 12.0), 6)


def _token_logprob(rng: random.Random, token: str) -> Dict[str, Any]:
    top = [
        {"token": t, "logprob": _logprob(rng), "bytes": list(t.encode())}
        for t in (token, _token(rng))
    ]
    return {
        "token": token,
        "logprob": _logprob(rng),
        "bytes": list(token.encode()),
        "top_logprobs": top,
    }


def _arguments(rng: random.Random) -> List[str]:
    """The JSON arguments of one tool call, cut in pieces of 1-6 characters."""
    keys = rng.sample(ARG_KEYS, rng.randint(2, 4))
    text = json.dumps({k: rng.choice(ARG_VALUES) for k in keys}, ensure_ascii=False)
    pieces = []
    pos = 0
    while pos < len(text):
        step = rng.randint(1, 6)
        pieces.append(text[pos : pos + step])
        pos += step
    return pieces


def make_stream(n_chunks: int, seed: int = 0, *, logprobs: bool = True) -> List[bytes]:
    """The JSON payloads of one stream of ``n_chunks`` chunks (at least 3), deterministic per seed.

    About 85% of the body is one-token content, 11% tool-call fragments and
    3.5% content with logprobs (plain content instead when ``logprobs`` is
    false); the last two chunks are the finish chunk and the usage trailer.
    """
    if n_chunks < 3:
        raise ValueError("a stream has at least a role chunk, a finish chunk and a usage trailer")
    rng = random.Random(seed)
    out = _Writer(rng)
    payloads = [out.delta({"role": "assistant", "content": "", "refusal": None})]
    body = n_chunks - 3
    calls = 0
    completion_tokens = 0
    while len(payloads) - 1 < body:
        left = body - (len(payloads) - 1)
        roll = rng.random()
        if roll < 0.008 and left >= 8:
            # A tool call: first fragment, then the arguments in pieces.
            call_id = "call_" + "".join(rng.choices(_ALNUM, k=24))
            first = {
                "index": calls,
                "id": call_id,
                "type": "function",
                "function": {"name": rng.choice(TOOL_NAMES), "arguments": ""},
            }
            fragments = [_dumps_tool(out, first)]
            for piece in _arguments(rng)[: left - 1]:
                fragments.append(
                    _dumps_tool(out, {"index": calls, "function": {"arguments": piece}})
                )
            payloads.extend(fragments)
            completion_tokens += len(fragments)
            calls += 1
        elif roll < 0.048 and logprobs:
            token = _token(rng)
            entry = {"content": [_token_logprob(rng, token)], "refusal": None}
            payloads.append(out.delta({"content": token}, logprobs=entry))
            completion_tokens += 1
        else:
            payloads.append(out.delta({"content": _token(rng)}))
            completion_tokens += 1
    finish = "tool_calls" if calls else "stop"
    payloads.append(out.delta({}, finish=finish))
    usage = {
        "prompt_tokens": 1024,
        "completion_tokens": completion_tokens,
        "total_tokens": 1024 + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 512, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    payloads.append(out.chunk([], usage=usage))
    assert len(payloads) == n_chunks
    return payloads


def _dumps_tool(out: _Writer, fragment: Dict[str, Any]) -> bytes:
    return out.delta({"tool_calls": [fragment]})


def sse_body(payloads: List[bytes]) -> bytes:
    """One ``text/event-stream`` body: a ``data:`` event per payload, then ``[DONE]``."""
    return b"".join(b"data: " + p + b"\n\n" for p in payloads) + b"data: [DONE]\n\n"


def split_body(body: bytes, seed: int = 0, low: int = 1024, high: int = 4096) -> List[bytes]:
    """Cut a body into pieces of ``low``-``high`` bytes, as a socket hands them over."""
    rng = random.Random(seed)
    pieces = []
    pos = 0
    while pos < len(body):
        step = rng.randint(low, high)
        pieces.append(body[pos : pos + step])
        pos += step
    return pieces


def iter_pieces(pieces: List[bytes]) -> Iterator[bytes]:
    """The pieces as a one-shot iterator, the way a response body is read."""
    return iter(pieces)


class StreamStats(NamedTuple):
    chunks: int
    body_bytes: int
    mean_payload: float
    content_chunks: int
    tool_fragments: int
    logprob_chunks: int
    text_chars: int


def stream_stats(payloads: List[bytes]) -> StreamStats:
    """What a stream holds, for the report."""
    content = tools = logprobs = chars = 0
    for payload in payloads:
        data = json.loads(payload)
        for choice in data["choices"]:
            delta = choice.get("delta", {})
            if delta.get("content"):
                content += 1
                chars += len(delta["content"])
            for call in delta.get("tool_calls") or ():
                tools += 1
                chars += len(call["function"].get("arguments") or "")
            if choice.get("logprobs"):
                logprobs += 1
    size = len(sse_body(payloads))
    return StreamStats(
        len(payloads),
        size,
        sum(map(len, payloads)) / len(payloads),
        content,
        tools,
        logprobs,
        chars,
    )
