# ruff: noqa: E501, RUF001
"""Whole provider-shaped streams, with the completion each one assembles into.

Each body is the SSE text a server sends for one request: ``data: {...}`` events
separated by a blank line, comments (``: ...``) where that provider sends
them, and ``data: [DONE]`` at the end where the provider sends it. The JSON
is written the way the provider writes it (compact, its own key order, UTF-8
or ``\\u`` escapes). Every stream here was written for this suite by hand
after the provider's documented and observed shapes; none is copied.

``STREAMS[name] == (body, expected)``, where ``expected`` is the plain dict
``to_dict(accumulate(chunks_of(body)))`` must equal. ``ANOMALIES[name]`` lists
the kinds of `StreamAnomaly` the accumulator must report for that stream.

`chunks_of` is deliberately dumb: it only knows these well-formed bodies.
The real SSE decoder lives in ``chatchunk._sse`` and has its own tests.
"""

from typing import Any, Dict, List, Tuple

from chatchunk import ChatCompletionChunk, parse_chunk

__all__ = ["ANOMALIES", "STREAMS", "chunks_of"]


def chunks_of(body: bytes) -> List[ChatCompletionChunk]:
    """Parse the ``data:`` payloads of a well-formed body, skipping comments and ``[DONE]``."""
    chunks: List[ChatCompletionChunk] = []
    for event in body.split(b"\n\n"):
        if not event or event.startswith(b":"):
            continue
        if not event.startswith(b"data: "):
            raise ValueError(f"not a data event: {event!r}")
        data = event[len(b"data: ") :]
        if data == b"[DONE]":
            continue
        chunks.append(parse_chunk(data))
    return chunks


def _body(text: str) -> bytes:
    # The literals below open with a newline so that the first event starts a line.
    if not text.startswith("\n") or not text.endswith("\n\n"):
        raise ValueError("a body starts on the line after its quotes and ends with a blank line")
    return text[1:].encode("utf-8")


# --- OpenAI: text, with stream_options.include_usage ------------------------------------
# "usage": null on every chunk, the finish reason on an empty delta, then a last chunk
# with no choices that carries the usage. Chunks carry "obfuscation" padding.

OPENAI_TEXT_USAGE = _body(r"""
data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"lP0r3"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"9b"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Xk2wq1"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" How"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"t4"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" can"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Zr8"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" I"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"mQ7e"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" help"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" you"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"J3uLp"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" today"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"w0"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"?"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Rn5yH"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"c8"}

data: {"id":"chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG","object":"chat.completion.chunk","created":1751900000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"V2fNq"}

data: [DONE]

""")

OPENAI_TEXT_USAGE_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq3xT7mKzR2aP9wLs4VnYc8Ej1HdG",
    "object": "chat.completion",
    "created": 1751900000,
    "model": "gpt-4o-mini-2024-07-18",
    "service_tier": "default",
    "system_fingerprint": "fp_34a54ae93c",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello! How can I help you today?",
                "refusal": None,
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 10,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
}


# --- OpenAI: two parallel tool calls ------------------------------------------------------
# The first fragment of each call has id, type, name and "arguments": ""; the arguments
# follow in many small fragments keyed by index only.

OPENAI_PARALLEL_TOOL_CALLS = _body(r"""
data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_u7Vb2RkQ9sMxE4LpW1aZt8Hc","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"obfuscation":"q1Z"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"lo"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"8"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"cation"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"Wm4"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"pR"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"Paris"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"n2Xc"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":", France"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"T"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"yE6b"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_N3kPq8sWd2YfJ6vB0mXa5Gte","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"Lh"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"lo"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"d0Uq"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"cation"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"7"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"sKf"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"Tokyo"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"Ue"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":", Japan"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"4mZ"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"obfuscation":"i"}

data: {"id":"chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V","object":"chat.completion.chunk","created":1751900420,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"obfuscation":"Gq9w"}

data: [DONE]

""")

OPENAI_PARALLEL_TOOL_CALLS_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq4aM2nXw8Kd5Ry1Tz7Pe3Uo9Lc6V",
    "object": "chat.completion",
    "created": 1751900420,
    "model": "gpt-4.1-2025-04-14",
    "service_tier": "default",
    "system_fingerprint": "fp_b3f1157249",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_u7Vb2RkQ9sMxE4LpW1aZt8Hc",
                        "type": "function",
                        "function": {
                            "name": "get_weather",
                            "arguments": '{"location":"Paris, France"}',
                        },
                    },
                    {
                        "id": "call_N3kPq8sWd2YfJ6vB0mXa5Gte",
                        "type": "function",
                        "function": {
                            "name": "get_weather",
                            "arguments": '{"location":"Tokyo, Japan"}',
                        },
                    },
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
}


# --- OpenAI: n=2, choices interleaved, choice 1 seen first --------------------------------

OPENAI_N2 = _body(r"""
data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":1,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"obfuscation":"aB3"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"obfuscation":"Y"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":1,"delta":{"content":"Blue"},"logprobs":null,"finish_reason":null}],"obfuscation":"kk9Pz"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"content":"Green"},"logprobs":null,"finish_reason":null}],"obfuscation":"3q"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"content":" is"},"logprobs":null,"finish_reason":null}],"obfuscation":"Rt0"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":1,"delta":{"content":"."},"logprobs":null,"finish_reason":null}],"obfuscation":"e5Lw1"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":1,"delta":{},"logprobs":null,"finish_reason":"stop"}],"obfuscation":"J"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"content":" calm"},"logprobs":null,"finish_reason":null}],"obfuscation":"uV2"}

data: {"id":"chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K","object":"chat.completion.chunk","created":1751900733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"obfuscation":"h8Q"}

data: [DONE]

""")

OPENAI_N2_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq5cR8tYu1Iw3Oe6Pa9Sd2Fg4Hj7K",
    "object": "chat.completion",
    "created": 1751900733,
    "model": "gpt-4o-2024-08-06",
    "service_tier": "default",
    "system_fingerprint": "fp_07871e2ad8",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Green is calm", "refusal": None},
            "finish_reason": "length",
            "logprobs": None,
        },
        {
            "index": 1,
            "message": {"role": "assistant", "content": "Blue.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        },
    ],
}


# --- OpenAI: a refusal (structured outputs) -----------------------------------------------

OPENAI_REFUSAL = _body(r"""
data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}],"obfuscation":"M2"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":"I’m"},"logprobs":null,"finish_reason":null}],"obfuscation":"0xR"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" sorry"},"logprobs":null,"finish_reason":null}],"obfuscation":"b"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":","},"logprobs":null,"finish_reason":null}],"obfuscation":"wP4cZ"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" but"},"logprobs":null,"finish_reason":null}],"obfuscation":"Ko"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" I"},"logprobs":null,"finish_reason":null}],"obfuscation":"5sV"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" can’t"},"logprobs":null,"finish_reason":null}],"obfuscation":"r"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" assist"},"logprobs":null,"finish_reason":null}],"obfuscation":"Ee1q"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" with"},"logprobs":null,"finish_reason":null}],"obfuscation":"9"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":" that"},"logprobs":null,"finish_reason":null}],"obfuscation":"Hn3"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{"refusal":"."},"logprobs":null,"finish_reason":null}],"obfuscation":"uB"}

data: {"id":"chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L","object":"chat.completion.chunk","created":1751901002,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_a288987b44","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"obfuscation":"f7Tz"}

data: [DONE]

""")

OPENAI_REFUSAL_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq6dS9uZv2Jx4Pf7Qb0Te3Gh5Ik8L",
    "object": "chat.completion",
    "created": 1751901002,
    "model": "gpt-4o-2024-08-06",
    "service_tier": "default",
    "system_fingerprint": "fp_a288987b44",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": "I\u2019m sorry, but I can\u2019t assist with that.",
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}


# --- OpenAI: logprobs=true, top_logprobs=2 ------------------------------------------------
# The role chunk has "content": [], each token chunk one entry, the finish chunk null.

OPENAI_LOGPROBS = _body(r"""
data: {"id":"chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M","object":"chat.completion.chunk","created":1751901250,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":{"content":[],"refusal":null},"finish_reason":null}],"obfuscation":"Qz"}

data: {"id":"chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M","object":"chat.completion.chunk","created":1751901250,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"Bonjour"},"logprobs":{"content":[{"token":"Bonjour","logprob":-0.0031781876,"bytes":[66,111,110,106,111,117,114],"top_logprobs":[{"token":"Bonjour","logprob":-0.0031781876,"bytes":[66,111,110,106,111,117,114]},{"token":"Salut","logprob":-5.753178,"bytes":[83,97,108,117,116]}]}],"refusal":null},"finish_reason":null}],"obfuscation":"x"}

data: {"id":"chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M","object":"chat.completion.chunk","created":1751901250,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" café"},"logprobs":{"content":[{"token":" café","logprob":-1.9361265e-07,"bytes":[32,99,97,102,195,169],"top_logprobs":[{"token":" café","logprob":-1.9361265e-07,"bytes":[32,99,97,102,195,169]},{"token":" cafe","logprob":-15.5,"bytes":[32,99,97,102,101]}]}],"refusal":null},"finish_reason":null}],"obfuscation":"LmN0p"}

data: {"id":"chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M","object":"chat.completion.chunk","created":1751901250,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"!"},"logprobs":{"content":[{"token":"!","logprob":-0.25192907,"bytes":[33],"top_logprobs":[{"token":"!","logprob":-0.25192907,"bytes":[33]},{"token":".","logprob":-1.5019291,"bytes":[46]}]}],"refusal":null},"finish_reason":null}],"obfuscation":"s4"}

data: {"id":"chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M","object":"chat.completion.chunk","created":1751901250,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"obfuscation":"Wc1r"}

data: [DONE]

""")

OPENAI_LOGPROBS_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq7eT0vAw3Ky5Qg8Rc1Uf4Hi6Jl9M",
    "object": "chat.completion",
    "created": 1751901250,
    "model": "gpt-4o-mini-2024-07-18",
    "service_tier": "default",
    "system_fingerprint": "fp_34a54ae93c",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Bonjour café!", "refusal": None},
            "finish_reason": "stop",
            "logprobs": {
                "content": [
                    {
                        "token": "Bonjour",
                        "logprob": -0.0031781876,
                        "bytes": [66, 111, 110, 106, 111, 117, 114],
                        "top_logprobs": [
                            {
                                "token": "Bonjour",
                                "logprob": -0.0031781876,
                                "bytes": [66, 111, 110, 106, 111, 117, 114],
                            },
                            {
                                "token": "Salut",
                                "logprob": -5.753178,
                                "bytes": [83, 97, 108, 117, 116],
                            },
                        ],
                    },
                    {
                        "token": " café",
                        "logprob": -1.9361265e-07,
                        "bytes": [32, 99, 97, 102, 195, 169],
                        "top_logprobs": [
                            {
                                "token": " café",
                                "logprob": -1.9361265e-07,
                                "bytes": [32, 99, 97, 102, 195, 169],
                            },
                            {"token": " cafe", "logprob": -15.5, "bytes": [32, 99, 97, 102, 101]},
                        ],
                    },
                    {
                        "token": "!",
                        "logprob": -0.25192907,
                        "bytes": [33],
                        "top_logprobs": [
                            {"token": "!", "logprob": -0.25192907, "bytes": [33]},
                            {"token": ".", "logprob": -1.5019291, "bytes": [46]},
                        ],
                    },
                ],
                "refusal": None,
            },
        }
    ],
}


# --- OpenAI: the deprecated function_call ------------------------------------------------

OPENAI_FUNCTION_CALL = _body(r"""
data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"function_call":{"name":"get_current_weather","arguments":""}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"{\n"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":" "}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":" \""}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"location"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"\":"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":" \"Boston, MA"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"\"\n"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"}"}},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ","object":"chat.completion.chunk","created":1722000000,"model":"gpt-3.5-turbo-0125","system_fingerprint":null,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"function_call"}]}

data: [DONE]

""")

OPENAI_FUNCTION_CALL_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-9xQ2wE4rT6yU8iO0pA1sD3fG5hJ",
    "object": "chat.completion",
    "created": 1722000000,
    "model": "gpt-3.5-turbo-0125",
    # "system_fingerprint": null on every chunk: never a value, so left out.
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "function_call": {
                    "name": "get_current_weather",
                    "arguments": '{\n  "location": "Boston, MA"\n}',
                },
            },
            "finish_reason": "function_call",
            "logprobs": None,
        }
    ],
}


# --- Azure OpenAI -------------------------------------------------------------------------
# Keys sorted. A prompt-filter header first (empty id and model, created 0, no choices),
# content chunks with content_filter_results, and filter-annotation choices without a
# "delta" key: one in the middle, one after the finish reason (with "finish_reason": null).

AZURE = _body(r"""
data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}

data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":"Sure"},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":","},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_offsets":{"check_offset":52,"start_offset":52,"end_offset":57},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":" here"},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":" you"},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":" go"},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":"."},"finish_reason":null,"index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}

data: {"choices":[{"content_filter_offsets":{"check_offset":52,"start_offset":57,"end_offset":70},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":1751902000,"id":"chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk"}

data: [DONE]

""")

AZURE_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq8fU1wBx4Lz6Rh9Sd2Vg5Ij7Km0N",
    "object": "chat.completion",
    "created": 1751902000,
    "model": "gpt-4o-2024-11-20",
    "system_fingerprint": "fp_ee1d74bde0",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Sure, here you go.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "prompt_filter_results": [
        {
            "prompt_index": 0,
            "content_filter_results": {
                "hate": {"filtered": False, "severity": "safe"},
                "jailbreak": {"filtered": False, "detected": False},
                "self_harm": {"filtered": False, "severity": "safe"},
                "sexual": {"filtered": False, "severity": "safe"},
                "violence": {"filtered": False, "severity": "safe"},
            },
        }
    ],
}


# --- Groq ---------------------------------------------------------------------------------
# The role on every chunk; usage only inside "x_groq" on the last chunk, never top-level.

GROQ = _body(r"""
data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01jzb4k7x9f2qv8m3n5p6r7s8t"}}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":"The"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":" capital"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":" of"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":" France"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":" is"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":" Paris"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":"."},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f","object":"chat.completion.chunk","created":1751903000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant"},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01jzb4k7x9f2qv8m3n5p6r7s8t","usage":{"queue_time":0.048215,"prompt_tokens":44,"prompt_time":0.002431,"completion_tokens":8,"completion_time":0.029090909,"total_tokens":52,"total_time":0.031521909}}}

data: [DONE]

""")

GROQ_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-5f0c8e2a-1b3d-4c6e-9f7a-2d4b6c8e0a1f",
    "object": "chat.completion",
    "created": 1751903000,
    "model": "llama-3.3-70b-versatile",
    "system_fingerprint": "fp_3f3b593e33",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "The capital of France is Paris.",
                "refusal": None,
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "x_groq": {
        "id": "req_01jzb4k7x9f2qv8m3n5p6r7s8t",
        "usage": {
            "queue_time": 0.048215,
            "prompt_tokens": 44,
            "prompt_time": 0.002431,
            "completion_tokens": 8,
            "completion_time": 0.029090909,
            "total_tokens": 52,
            "total_time": 0.031521909,
        },
    },
}


# --- Ollama -------------------------------------------------------------------------------
# Go's encoder: "&" written as \u0026. The role on every chunk; several complete tool
# calls in one delta, all with "index": 0 but each with its own id; "stop" at the end.

OLLAMA = _body(r"""
data: {"id":"chatcmpl-287","object":"chat.completion.chunk","created":1751904000,"model":"qwen2.5:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking Paris \u0026 Tokyo…"},"finish_reason":null}]}

data: {"id":"chatcmpl-287","object":"chat.completion.chunk","created":1751904000,"model":"qwen2.5:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_k3m9x2ab","index":0,"type":"function","function":{"name":"get_current_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}},{"id":"call_p7q1r4cd","index":0,"type":"function","function":{"name":"get_current_weather","arguments":"{\"city\":\"Tokyo\",\"unit\":\"celsius\"}"}},{"id":"call_z8w5v6ef","index":0,"type":"function","function":{"name":"get_time","arguments":"{\"timezone\":\"Asia/Tokyo\"}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-287","object":"chat.completion.chunk","created":1751904000,"model":"qwen2.5:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}

data: [DONE]

""")

OLLAMA_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-287",
    "object": "chat.completion",
    "created": 1751904000,
    "model": "qwen2.5:7b",
    "system_fingerprint": "fp_ollama",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Checking Paris & Tokyo\u2026",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_k3m9x2ab",
                        "type": "function",
                        "function": {
                            "name": "get_current_weather",
                            "arguments": '{"city":"Paris","unit":"celsius"}',
                        },
                    },
                    {
                        "id": "call_p7q1r4cd",
                        "type": "function",
                        "function": {
                            "name": "get_current_weather",
                            "arguments": '{"city":"Tokyo","unit":"celsius"}',
                        },
                    },
                    {
                        "id": "call_z8w5v6ef",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": '{"timezone":"Asia/Tokyo"}'},
                    },
                ],
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}


# --- Gemini, OpenAI compatibility endpoint ------------------------------------------------
# Keys sorted, no "finish_reason" key until the last chunk. Each tool call comes whole in
# its own chunk, without "index". Tool calls still end with "stop"; usage on the last chunk.

GEMINI = _body(r"""
data: {"choices":[{"delta":{"content":"Let me look up both cities.","role":"assistant"},"index":0}],"created":1751905000,"id":"mFhraKXJD4ui1MkP8_LQqAs","model":"gemini-2.5-flash","object":"chat.completion.chunk"}

data: {"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"function-call-7051873410245529081","type":"function"}]},"index":0}],"created":1751905000,"id":"mFhraKXJD4ui1MkP8_LQqAs","model":"gemini-2.5-flash","object":"chat.completion.chunk"}

data: {"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Tokyo\"}","name":"get_weather"},"id":"function-call-7051873410245531337","type":"function"}]},"finish_reason":"stop","index":0}],"created":1751905000,"id":"mFhraKXJD4ui1MkP8_LQqAs","model":"gemini-2.5-flash","object":"chat.completion.chunk","usage":{"completion_tokens":31,"prompt_tokens":58,"total_tokens":147}}

data: [DONE]

""")

GEMINI_EXPECTED: Dict[str, Any] = {
    "id": "mFhraKXJD4ui1MkP8_LQqAs",
    "object": "chat.completion",
    "created": 1751905000,
    "model": "gemini-2.5-flash",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Let me look up both cities.",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "function-call-7051873410245529081",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    },
                    {
                        "id": "function-call-7051873410245531337",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Tokyo"}'},
                    },
                ],
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    # Gemini's total counts the thinking tokens, which the other two leave out: kept as sent.
    "usage": {"completion_tokens": 31, "prompt_tokens": 58, "total_tokens": 147},
}


# --- A gateway in front of Gemini ----------------------------------------------------------
# Gateways that translate Gemini to the OpenAI shape add "index" and send continuation
# fragments with "name": "" (and no id).

GEMINI_GATEWAY = _body(r"""
data: {"id":"chatcmpl-20250707120000123456789","object":"chat.completion.chunk","created":1751889600,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"chatcmpl-20250707120000123456789","object":"chat.completion.chunk","created":1751889600,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_vrtx_01Hk7Qm2","type":"function","function":{"name":"glob","arguments":""}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-20250707120000123456789","object":"chat.completion.chunk","created":1751889600,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"{\"path\":\"docs\","}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-20250707120000123456789","object":"chat.completion.chunk","created":1751889600,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"\"pattern\":\"**/*.md\"}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-20250707120000123456789","object":"chat.completion.chunk","created":1751889600,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":210,"completion_tokens":19,"total_tokens":229}}

data: [DONE]

""")

GEMINI_GATEWAY_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-20250707120000123456789",
    "object": "chat.completion",
    "created": 1751889600,
    "model": "gemini-2.5-pro",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "toolu_vrtx_01Hk7Qm2",
                        "type": "function",
                        "function": {
                            "name": "glob",
                            "arguments": '{"path":"docs","pattern":"**/*.md"}',
                        },
                    }
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 210, "completion_tokens": 19, "total_tokens": 229},
}


# --- Mistral ------------------------------------------------------------------------------
# Complete tool calls in one delta, index 0 and 1, no "type"; the finish reason and the
# usage on that same chunk.

MISTRAL = _body(r"""
data: {"id":"3b1f6c0e9d8a4f7b8c2e5a1d0f9b7c6e","object":"chat.completion.chunk","created":1751906000,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"3b1f6c0e9d8a4f7b8c2e5a1d0f9b7c6e","object":"chat.completion.chunk","created":1751906000,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"tool_calls":[{"id":"fQ3kZ8pLm","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"},"index":0},{"id":"R7tY2uWxN","function":{"name":"get_weather","arguments":"{\"city\": \"Lyon\"}"},"index":1}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":92,"total_tokens":124,"completion_tokens":32}}

data: [DONE]

""")

MISTRAL_EXPECTED: Dict[str, Any] = {
    "id": "3b1f6c0e9d8a4f7b8c2e5a1d0f9b7c6e",
    "object": "chat.completion",
    "created": 1751906000,
    "model": "mistral-large-latest",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "fQ3kZ8pLm",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "R7tY2uWxN",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Lyon"}'},
                    },
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 92, "total_tokens": 124, "completion_tokens": 32},
}


# --- DeepSeek (deepseek-reasoner) -----------------------------------------------------------
# Keep-alive comments while the request is queued; reasoning_content deltas with
# "content": null, then content deltas with "reasoning_content": null; usage with the
# cache hit/miss counts on the last chunk.

DEEPSEEK = _body(r"""
: keep-alive

: keep-alive

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Okay"},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":","},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":" 9.11"},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":" < 9.9"},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"."},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":"9.9","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":" is","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":" larger.","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c","object":"chat.completion.chunk","created":1751907000,"model":"deepseek-reasoner","system_fingerprint":"fp_393bca965e_prod0623_fp8_kvcache","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":17,"completion_tokens":9,"total_tokens":26,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":5},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":17}}

data: [DONE]

""")

DEEPSEEK_EXPECTED: Dict[str, Any] = {
    "id": "9c2b7e1a-4f3d-4a8e-b6c5-0d1e2f3a4b5c",
    "object": "chat.completion",
    "created": 1751907000,
    "model": "deepseek-reasoner",
    "system_fingerprint": "fp_393bca965e_prod0623_fp8_kvcache",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "9.9 is larger.",
                "refusal": None,
                "reasoning_content": "Okay, 9.11 < 9.9.",
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {
        "prompt_tokens": 17,
        "completion_tokens": 9,
        "total_tokens": 26,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 5},
        "prompt_cache_hit_tokens": 0,
        "prompt_cache_miss_tokens": 17,
    },
}


# --- vLLM 0.11 and later --------------------------------------------------------------------
# "reasoning" deltas; "finish_reason": null until the last choice chunk, which adds
# "stop_reason"; with include_usage, a last chunk without choices carries the usage.

VLLM = _body(r"""
data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning":"Simple"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning":" arithmetic"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning":".\n"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"\n\n"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"2 + 2"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":" = 4."},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}

data: {"id":"chatcmpl-6d1e0b2c9a8f4e7d","object":"chat.completion.chunk","created":1751908000,"model":"Qwen/Qwen3-8B","choices":[],"usage":{"prompt_tokens":14,"total_tokens":27,"completion_tokens":13,"prompt_tokens_details":null}}

data: [DONE]

""")

VLLM_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-6d1e0b2c9a8f4e7d",
    "object": "chat.completion",
    "created": 1751908000,
    "model": "Qwen/Qwen3-8B",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "\n\n2 + 2 = 4.",
                "refusal": None,
                "reasoning_content": "Simple arithmetic.\n",
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {
        "prompt_tokens": 14,
        "total_tokens": 27,
        "completion_tokens": 13,
        "prompt_tokens_details": None,
    },
}


# --- OpenRouter -----------------------------------------------------------------------------
# ": OPENROUTER PROCESSING" comments, the role on every chunk, "reasoning" deltas (with
# "reasoning_details"), and usage with "cost" on a last chunk whose choice says
# "finish_reason": null again.

OPENROUTER = _body(r"""
: OPENROUTER PROCESSING

: OPENROUTER PROCESSING

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"The","reasoning_details":[{"type":"reasoning.text","text":"The","format":"unknown","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":" user","reasoning_details":[{"type":"reasoning.text","text":" user","format":"unknown","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":" greets me.","reasoning_details":[{"type":"reasoning.text","text":" greets me.","format":"unknown","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

: OPENROUTER PROCESSING

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":" there!","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":"stop","native_finish_reason":"stop","logprobs":null}]}

data: {"id":"gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9","provider":"DeepInfra","model":"deepseek/deepseek-r1-0528","object":"chat.completion.chunk","created":1751909000,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"cost":0.0000375,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0},"cost_details":{"upstream_inference_cost":null},"completion_tokens_details":{"reasoning_tokens":8}}}

data: [DONE]

""")

OPENROUTER_EXPECTED: Dict[str, Any] = {
    "id": "gen-1751909000-Xk3Jq8LmNp2Rs5Tv7Wy9",
    "object": "chat.completion",
    "created": 1751909000,
    "model": "deepseek/deepseek-r1-0528",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hi there!",
                "refusal": None,
                "reasoning_content": "The user greets me.",
                # OpenRouter's own reasoning record, merged by index.
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": "The user greets me.",
                        "format": "unknown",
                        "index": 0,
                    }
                ],
            },
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {
        "prompt_tokens": 9,
        "completion_tokens": 12,
        "total_tokens": 21,
        "cost": 0.0000375,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": {"reasoning_tokens": 8},
    },
    "provider": "DeepInfra",
}


# --- llama.cpp server -----------------------------------------------------------------------
# Keys in nlohmann's sorted order; every tool-call fragment repeats the call's id, type and
# function name; usage and "timings" on the last chunk.

LLAMA_CPP = _body(r"""
data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"R8kTq2mZ5pWx9Ls3Vb7Yc1Nd","type":"function","function":{"name":"get_weather","arguments":"{\""}}]}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"R8kTq2mZ5pWx9Ls3Vb7Yc1Nd","type":"function","function":{"name":"get_weather","arguments":"location"}}]}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"R8kTq2mZ5pWx9Ls3Vb7Yc1Nd","type":"function","function":{"name":"get_weather","arguments":"\":\""}}]}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"R8kTq2mZ5pWx9Ls3Vb7Yc1Nd","type":"function","function":{"name":"get_weather","arguments":"Berlin"}}]}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"R8kTq2mZ5pWx9Ls3Vb7Yc1Nd","type":"function","function":{"name":"get_weather","arguments":"\"}"}}]}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":"tool_calls","index":0,"delta":{}}],"created":1751910000,"id":"chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No","model":"gpt-3.5-turbo","system_fingerprint":"b5890-6efcd659","object":"chat.completion.chunk","usage":{"completion_tokens":18,"prompt_tokens":236,"total_tokens":254},"timings":{"prompt_n":236,"prompt_ms":101.752,"prompt_per_token_ms":0.43115254237288136,"prompt_per_second":2319.34,"predicted_n":18,"predicted_ms":212.469,"predicted_per_token_ms":11.80383333333333,"predicted_per_second":84.71824124931166}}

data: [DONE]

""")

LLAMA_CPP_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Tq9Wv2Xy4Za6Bc8De0Fg1Hi3Jk5Lm7No",
    "object": "chat.completion",
    "created": 1751910000,
    "model": "gpt-3.5-turbo",
    "system_fingerprint": "b5890-6efcd659",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "R8kTq2mZ5pWx9Ls3Vb7Yc1Nd",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location":"Berlin"}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
    "usage": {"completion_tokens": 18, "prompt_tokens": 236, "total_tokens": 254},
    "timings": {
        "prompt_n": 236,
        "prompt_ms": 101.752,
        "prompt_per_token_ms": 0.43115254237288136,
        "prompt_per_second": 2319.34,
        "predicted_n": 18,
        "predicted_ms": 212.469,
        "predicted_per_token_ms": 11.80383333333333,
        "predicted_per_second": 84.71824124931166,
    },
}


# --- A proxy that sends one more chunk after the finish reason -------------------------------
# The trailing chunk says "finish_reason": null, "usage": null, "system_fingerprint": null
# and "service_tier": null: none of them may wipe what came before.

LATE_NULLS = _body(r"""
data: {"id":"chatcmpl-Bq9gV2xCy5Ma7Si0Te3Wh6Jk8Ln1O","object":"chat.completion.chunk","created":1751911000,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_62a23a81ef","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-Bq9gV2xCy5Ma7Si0Te3Wh6Jk8Ln1O","object":"chat.completion.chunk","created":1751911000,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_62a23a81ef","choices":[{"index":0,"delta":{"content":"Done"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-Bq9gV2xCy5Ma7Si0Te3Wh6Jk8Ln1O","object":"chat.completion.chunk","created":1751911000,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_62a23a81ef","choices":[{"index":0,"delta":{"content":"."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":2,"total_tokens":13}}

data: {"id":"chatcmpl-Bq9gV2xCy5Ma7Si0Te3Wh6Jk8Ln1O","object":"chat.completion.chunk","created":1751911000,"model":"gpt-4o-mini","service_tier":null,"system_fingerprint":null,"choices":[{"index":0,"delta":{"content":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: [DONE]

""")

LATE_NULLS_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-Bq9gV2xCy5Ma7Si0Te3Wh6Jk8Ln1O",
    "object": "chat.completion",
    "created": 1751911000,
    "model": "gpt-4o-mini",
    "service_tier": "default",
    "system_fingerprint": "fp_62a23a81ef",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Done.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13},
}


# --- A failover proxy whose second upstream uses another id ----------------------------------

ID_CHANGES = _body(r"""
data: {"id":"chatcmpl-first-7c1d","object":"chat.completion.chunk","created":1751912000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-first-7c1d","object":"chat.completion.chunk","created":1751912000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":"One,"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-second-3e9a","object":"chat.completion.chunk","created":1751912000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":" two."},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-second-3e9a","object":"chat.completion.chunk","created":1751912000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}]}

data: [DONE]

""")

ID_CHANGES_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-first-7c1d",
    "object": "chat.completion",
    "created": 1751912000,
    "model": "meta-llama/Llama-3.1-8B-Instruct",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "One, two.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}


# --- A server that sends a call's first arguments before its id -----------------------------

TOOL_FRAGMENT_BEFORE_ID = _body(r"""
data: {"id":"chatcmpl-a41f","object":"chat.completion.chunk","created":1751913000,"model":"local-model","choices":[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}]}

data: {"id":"chatcmpl-a41f","object":"chat.completion.chunk","created":1751913000,"model":"local-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"query\":"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-a41f","object":"chat.completion.chunk","created":1751913000,"model":"local-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_0a1b2c","type":"function","function":{"name":"search","arguments":" \"green tea\"}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-a41f","object":"chat.completion.chunk","created":1751913000,"model":"local-model","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: [DONE]

""")

TOOL_FRAGMENT_BEFORE_ID_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-a41f",
    "object": "chat.completion",
    "created": 1751913000,
    "model": "local-model",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_0a1b2c",
                        "type": "function",
                        "function": {"name": "search", "arguments": '{"query": "green tea"}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
            "logprobs": None,
        }
    ],
}


# --- A server that closes the connection after the last chunk, without [DONE] ----------------

NO_DONE = _body(r"""
data: {"id":"chatcmpl-f00d","object":"chat.completion.chunk","created":1751914000,"model":"phi-4","choices":[{"index":0,"delta":{"role":"assistant","content":"Ok"},"finish_reason":null}]}

data: {"id":"chatcmpl-f00d","object":"chat.completion.chunk","created":1751914000,"model":"phi-4","choices":[{"index":0,"delta":{"content":"ay."},"finish_reason":"stop"}]}

""")

NO_DONE_EXPECTED: Dict[str, Any] = {
    "id": "chatcmpl-f00d",
    "object": "chat.completion",
    "created": 1751914000,
    "model": "phi-4",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Okay.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}


STREAMS: Dict[str, Tuple[bytes, Dict[str, Any]]] = {
    "openai_text_usage": (OPENAI_TEXT_USAGE, OPENAI_TEXT_USAGE_EXPECTED),
    "openai_parallel_tool_calls": (OPENAI_PARALLEL_TOOL_CALLS, OPENAI_PARALLEL_TOOL_CALLS_EXPECTED),
    "openai_n2": (OPENAI_N2, OPENAI_N2_EXPECTED),
    "openai_refusal": (OPENAI_REFUSAL, OPENAI_REFUSAL_EXPECTED),
    "openai_logprobs": (OPENAI_LOGPROBS, OPENAI_LOGPROBS_EXPECTED),
    "openai_function_call": (OPENAI_FUNCTION_CALL, OPENAI_FUNCTION_CALL_EXPECTED),
    "azure": (AZURE, AZURE_EXPECTED),
    "groq": (GROQ, GROQ_EXPECTED),
    "ollama": (OLLAMA, OLLAMA_EXPECTED),
    "gemini": (GEMINI, GEMINI_EXPECTED),
    "gemini_gateway": (GEMINI_GATEWAY, GEMINI_GATEWAY_EXPECTED),
    "mistral": (MISTRAL, MISTRAL_EXPECTED),
    "deepseek": (DEEPSEEK, DEEPSEEK_EXPECTED),
    "vllm": (VLLM, VLLM_EXPECTED),
    "openrouter": (OPENROUTER, OPENROUTER_EXPECTED),
    "llama_cpp": (LLAMA_CPP, LLAMA_CPP_EXPECTED),
    "late_nulls": (LATE_NULLS, LATE_NULLS_EXPECTED),
    "id_changes": (ID_CHANGES, ID_CHANGES_EXPECTED),
    "tool_fragment_before_id": (TOOL_FRAGMENT_BEFORE_ID, TOOL_FRAGMENT_BEFORE_ID_EXPECTED),
    "no_done": (NO_DONE, NO_DONE_EXPECTED),
}
"""Every stream by name: its SSE body and the completion it assembles into."""

ANOMALIES: Dict[str, List[str]] = {name: [] for name in STREAMS}
"""The kinds of anomaly each stream must report, in order of first report; most report none."""
ANOMALIES["id_changes"] = ["id_changed"]
ANOMALIES["tool_fragment_before_id"] = ["tool_fragment_before_id"]
