# ruff: noqa: E501
"""Provider-shaped chunk payloads, bad payloads, and a type-strict JSON comparison.

`PROVIDER_CHUNKS` maps a provider to raw chunk payloads, written the way that
provider puts them on the wire (key order, spacing, number spellings such as
``1.0``, ``-0.0`` or ``1e-10``). They are written for this test suite, in the
shape of each provider's streamed output; ids and timestamps are made up.

`BAD_PAYLOADS` lists payloads `parse_chunk` must reject, each with the field
path (pydantic's ``loc`` joined with dots, ``""`` for the whole document) that
the error must name.
"""

import math
from typing import Any, Dict, List, Tuple, Union

__all__ = ["BAD_PAYLOADS", "PROVIDER_CHUNKS", "assert_json_identical", "provider_cases"]


def assert_json_identical(actual: Any, expected: Any, path: str = "$") -> None:
    """Check that two pieces of JSON data are equal in value AND in type, recursively.

    ``1``, ``1.0`` and ``True`` differ; so do ``0.0`` and ``-0.0``. Dict key
    order is not compared (JSON objects are unordered), list order is.
    Raises AssertionError naming the first path that differs.
    """
    if type(actual) is not type(expected):
        raise AssertionError(
            f"{path}: type {type(actual).__name__} != {type(expected).__name__}"
            f" ({actual!r} vs {expected!r})"
        )
    if isinstance(actual, dict):
        if actual.keys() != expected.keys():
            raise AssertionError(
                f"{path}: keys differ: only left {sorted(actual.keys() - expected.keys())},"
                f" only right {sorted(expected.keys() - actual.keys())}"
            )
        for key in actual:
            assert_json_identical(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(actual, list):
        if len(actual) != len(expected):
            raise AssertionError(f"{path}: length {len(actual)} != {len(expected)}")
        for i, (left, right) in enumerate(zip(actual, expected)):
            assert_json_identical(left, right, f"{path}[{i}]")
    elif isinstance(actual, float):
        if math.isnan(actual) or math.isnan(expected):
            if not (math.isnan(actual) and math.isnan(expected)):
                raise AssertionError(f"{path}: {actual!r} != {expected!r}")
        elif actual != expected or math.copysign(1.0, actual) != math.copysign(1.0, expected):
            raise AssertionError(f"{path}: {actual!r} != {expected!r}")
    elif actual != expected:
        raise AssertionError(f"{path}: {actual!r} != {expected!r}")


PROVIDER_CHUNKS: Dict[str, List[str]] = {
    # OpenAI: compact JSON, "usage":null on every chunk (stream_options.include_usage),
    # obfuscation padding, a usage-only last chunk with "choices":[].
    "openai": [
        # role chunk
        r'{"id":"chatcmpl-CAq3TgWmF1bZ8yHn2LkVxRuP0eJdS","object":"chat.completion.chunk","created":1756397602,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Xw3Lq"}',
        # content chunks
        r'{"id":"chatcmpl-CAq3TgWmF1bZ8yHn2LkVxRuP0eJdS","object":"chat.completion.chunk","created":1756397602,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":0,"delta":{"content":"Bonjour"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"2rTbQ8kZ"}',
        r'{"id":"chatcmpl-CAq3TgWmF1bZ8yHn2LkVxRuP0eJdS","object":"chat.completion.chunk","created":1756397602,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":0,"delta":{"content":" à tous ! 👋\n\n\"Ça va ?\""},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"m"}',
        # last choice chunk: empty delta with the finish reason
        r'{"id":"chatcmpl-CAq3TgWmF1bZ8yHn2LkVxRuP0eJdS","object":"chat.completion.chunk","created":1756397602,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"pQ7a"}',
        # usage-only last chunk
        r'{"id":"chatcmpl-CAq3TgWmF1bZ8yHn2LkVxRuP0eJdS","object":"chat.completion.chunk","created":1756397602,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[],"usage":{"prompt_tokens":24,"completion_tokens":9,"total_tokens":33,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"Zb3kQ0xL9a"}',
        # tool call: first fragment with index/id/type/name, then argument fragments
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_4fQx8TnC2mVb0yKzR1uWdE7s","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"y1Jd"}',
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Lk2P0s"}',
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"city\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"d"}',
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Ob2nH6pW9cLqT3xA5vZjM8rK","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Tq9"}',
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":\"Europe/Paris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a8Hn3"}',
        r'{"id":"chatcmpl-CAq4HsPd2QwE8rTy6UiOp3LkJhGfD","object":"chat.completion.chunk","created":1756397655,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null,"obfuscation":"W0"}',
        # logprobs with bytes and top_logprobs
        r'{"id":"chatcmpl-CAq5Vb7NcX1mZ4aS8dF2gH6jK0lPo","object":"chat.completion.chunk","created":1756397701,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":{"content":[{"token":"Hello","logprob":-1.9361265e-07,"bytes":[72,101,108,108,111],"top_logprobs":[{"token":"Hello","logprob":-1.9361265e-07,"bytes":[72,101,108,108,111]},{"token":"Hi","logprob":-15.500000190734863,"bytes":[72,105]},{"token":"Hey","logprob":-17.0,"bytes":[72,101,121]}]}],"refusal":null},"finish_reason":null}],"usage":null,"obfuscation":"Pp"}',
        # a token that is half of a UTF-8 sequence, a certain token with logprob 0.0
        r'{"id":"chatcmpl-CAq5Vb7NcX1mZ4aS8dF2gH6jK0lPo","object":"chat.completion.chunk","created":1756397701,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"content":" 👋"},"logprobs":{"content":[{"token":" \\xf0\\x9f","logprob":-0.0017002792,"bytes":[32,240,159],"top_logprobs":[{"token":" \\xf0\\x9f","logprob":-0.0017002792,"bytes":[32,240,159]},{"token":"!","logprob":-6.3767004,"bytes":[33]}]},{"token":"\\x91\\x8b","logprob":0.0,"bytes":[145,139],"top_logprobs":[{"token":"\\x91\\x8b","logprob":0.0,"bytes":[145,139]},{"token":"<|end|>","logprob":-9999.0,"bytes":null}]}],"refusal":null},"finish_reason":null}],"usage":null,"obfuscation":"k0"}',
        # refusal: role chunk, then refusal fragments with refusal logprobs
        r'{"id":"chatcmpl-CAq6Jk3Lm5Nb7Vc9Xz1Qw2Er4Ty6Ui","object":"chat.completion.chunk","created":1756397733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Qa1w"}',
        r"""{"id":"chatcmpl-CAq6Jk3Lm5Nb7Vc9Xz1Qw2Er4Ty6Ui","object":"chat.completion.chunk","created":1756397733,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"refusal":"I'm sorry, I can't help with that."},"logprobs":{"content":null,"refusal":[{"token":"I'm","logprob":-0.00012,"bytes":[73,39,109],"top_logprobs":[]}]},"finish_reason":null}],"usage":null,"obfuscation":"z"}""",
        # n=2: the second choice
        r'{"id":"chatcmpl-CAq7Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa","object":"chat.completion.chunk","created":1756397790,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":1,"delta":{"content":"Salut"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"N7c2"}',
        # the deprecated function_call form, from an older model: system_fingerprint null
        r'{"id":"chatcmpl-8Zt1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik9","object":"chat.completion.chunk","created":1703721600,"model":"gpt-3.5-turbo-0613","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":""}},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-8Zt1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik9","object":"chat.completion.chunk","created":1703721600,"model":"gpt-3.5-turbo-0613","system_fingerprint":null,"choices":[{"index":0,"delta":{"function_call":{"arguments":"{\n  \"city\": \"Paris\"\n}"}},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-8Zt1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik9","object":"chat.completion.chunk","created":1703721600,"model":"gpt-3.5-turbo-0613","system_fingerprint":null,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"function_call"}]}',
        # reasoning model on the priority tier: usage with reasoning and cached tokens
        r'{"id":"chatcmpl-CAq8Mn2Bv4Cx6Zl8Kj0Hg2Fd4Sa6Q","object":"chat.completion.chunk","created":1756397811,"model":"o4-mini-2025-04-16","service_tier":"priority","system_fingerprint":null,"choices":[],"usage":{"prompt_tokens":1204,"completion_tokens":389,"total_tokens":1593,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":320,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"e"}',
        r'{"id":"chatcmpl-CAq9Ty1Ur2Ie3Wo4Qp5As6Dl7Fk8G","object":"chat.completion.chunk","created":1756397850,"model":"gpt-5-mini-2025-08-07","service_tier":"flex","system_fingerprint":null,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null,"obfuscation":"X4s8Yv"}',
    ],
    # Azure OpenAI: keys in alphabetical order, a prompt-filter header chunk with
    # empty id/model/object, content-filter annotation choices without "delta".
    "azure": [
        r'{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}',
        r'{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1756398000,"id":"chatcmpl-CAqA1Zx2Cv3Bn4Mq5Wr6Ty7Ui8Op","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}',
        r'{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"delta":{"content":"Hello"},"finish_reason":null,"index":0,"logprobs":null}],"created":1756398000,"id":"chatcmpl-CAqA1Zx2Cv3Bn4Mq5Wr6Ty7Ui8Op","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}',
        # asynchronous filter annotation: a choice without "delta"
        r'{"choices":[{"content_filter_offsets":{"check_offset":0,"start_offset":0,"end_offset":52},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}',
        r'{"choices":[{"content_filter_offsets":{"check_offset":52,"start_offset":52,"end_offset":97},"content_filter_results":{"custom_blocklists":{"filtered":false,"details":[]},"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"low"}},"finish_reason":"stop","index":0}],"created":0,"id":"","model":"","object":""}',
        r'{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1756398000,"id":"chatcmpl-CAqA1Zx2Cv3Bn4Mq5Wr6Ty7Ui8Op","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}',
        r'{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}},"delta":{},"finish_reason":"content_filter","index":0,"logprobs":null}],"created":1756398042,"id":"chatcmpl-CAqB9Lk8Jh7Gf6Ds5Aq4Wz3Xs2Ed","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}',
        r'{"choices":[],"created":1756398000,"id":"chatcmpl-CAqA1Zx2Cv3Bn4Mq5Wr6Ty7Ui8Op","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":{"completion_tokens":18,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":31,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":49}}',
    ],
    # vLLM: stop_reason next to finish_reason, reasoning_content (older) and
    # reasoning (0.11 and later), usage fields in vLLM's own order.
    "vllm": [
        r'{"id":"chatcmpl-6c1f0b7e9d3a4c59b8e2f4a1d0c7e3b5","object":"chat.completion.chunk","created":1756398200,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"system_fingerprint":null}',
        r'{"id":"chatcmpl-6c1f0b7e9d3a4c59b8e2f4a1d0c7e3b5","object":"chat.completion.chunk","created":1756398200,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning_content":"Okay, the user asks"},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-a07d2e4b6c8f4a1b9d3e5f7a9c1b3d5e","object":"chat.completion.chunk","created":1756398230,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning":"Let me check the units."},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-6c1f0b7e9d3a4c59b8e2f4a1d0c7e3b5","object":"chat.completion.chunk","created":1756398200,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"42"},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-6c1f0b7e9d3a4c59b8e2f4a1d0c7e3b5","object":"chat.completion.chunk","created":1756398200,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}',
        r'{"id":"chatcmpl-1e3a5c7e9b2d4f6a8c0e2b4d6f8a0c2e","object":"chat.completion.chunk","created":1756398260,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":128009}]}',
        r'{"id":"chatcmpl-2f4b6d8f0a3c5e7b9d1f3a5c7e9b1d3f","object":"chat.completion.chunk","created":1756398290,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":"</answer>"}]}',
        r'{"id":"chatcmpl-3a5c7e9b1d4f6a8c0e2b4d6f8a1c3e5b","object":"chat.completion.chunk","created":1756398320,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":" and"},"logprobs":null,"finish_reason":"length","stop_reason":null}]}',
        r'{"id":"chatcmpl-6c1f0b7e9d3a4c59b8e2f4a1d0c7e3b5","object":"chat.completion.chunk","created":1756398200,"model":"Qwen/Qwen3-8B","choices":[],"usage":{"prompt_tokens":17,"total_tokens":51,"completion_tokens":34,"prompt_tokens_details":null}}',
        # continuous usage stats: usage on a content chunk
        r'{"id":"chatcmpl-4b6d8f0a2c5e7a9c1e3b5d7f9a2c4e6a","object":"chat.completion.chunk","created":1756398350,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":17,"total_tokens":20,"completion_tokens":3}}',
        # tool call, in vLLM's key order
        r'{"id":"chatcmpl-5c7e9a1b3d6f8a0c2e4b6d8f0b3d5f7a","object":"chat.completion.chunk","created":1756398380,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"tool_calls":[{"id":"chatcmpl-tool-1b8f0c2d4e6a4f3a9c7d5e2b1a0f9e8d","type":"function","index":0,"function":{"name":"get_weather"}}]},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-5c7e9a1b3d6f8a0c2e4b6d8f0b3d5f7a","object":"chat.completion.chunk","created":1756398380,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \""}}]},"logprobs":null,"finish_reason":null}]}',
        # logprobs, with -9999.0 for a token of probability zero
        r'{"id":"chatcmpl-6d8f0b2c4e7a9b1d3f5a7c9e1b4d6f8b","object":"chat.completion.chunk","created":1756398410,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"delta":{"content":"Yes"},"logprobs":{"content":[{"token":"Yes","logprob":-0.31326162815093994,"bytes":[89,101,115],"top_logprobs":[{"token":"Yes","logprob":-0.31326162815093994,"bytes":[89,101,115]},{"token":"<|eot_id|>","logprob":-9999.0,"bytes":[60,124,101,111,116,95,105,100,124,62]}]}]},"finish_reason":null}]}',
        # return_token_ids: prompt_token_ids on the chunk, token_ids on the choice
        r'{"id":"chatcmpl-7e9a1c3d5f8b0c2e4a6c8e0a2c5e7a9c","object":"chat.completion.chunk","created":1756398440,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null,"token_ids":[9707]}],"prompt_token_ids":[151644,872,198,9707,151645,198,151644,77091,198]}',
    ],
    # llama.cpp server: its own key order, a build fingerprint, timings on the last chunk.
    "llamacpp": [
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1756398500,"id":"chatcmpl-Qm3vX8bN1kT5rY7wZ2pL9cJ4hF6dS0aE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"The user greets me."}}],"created":1756398500,"id":"chatcmpl-Qm3vX8bN1kT5rY7wZ2pL9cJ4hF6dS0aE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}],"created":1756398500,"id":"chatcmpl-Qm3vX8bN1kT5rY7wZ2pL9cJ4hF6dS0aE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        # logprobs with llama.cpp's token "id" extra
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"content":" there"},"logprobs":{"content":[{"id":1052,"token":" there","bytes":[32,116,104,101,114,101],"logprob":-0.2493891716003418,"top_logprobs":[{"id":1052,"token":" there","bytes":[32,116,104,101,114,101],"logprob":-0.2493891716003418},{"id":0,"token":"!","bytes":[33],"logprob":-1.7}]}]}}],"created":1756398500,"id":"chatcmpl-Qm3vX8bN1kT5rY7wZ2pL9cJ4hF6dS0aE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        r'{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1756398500,"id":"chatcmpl-Qm3vX8bN1kT5rY7wZ2pL9cJ4hF6dS0aE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk","usage":{"completion_tokens":12,"prompt_tokens":20,"total_tokens":32},"timings":{"cache_n":0,"prompt_n":20,"prompt_ms":38.5,"prompt_per_token_ms":1.925,"prompt_per_second":519.4805194805195,"predicted_n":12,"predicted_ms":141.0,"predicted_per_token_ms":11.75,"predicted_per_second":85.1063829787234}}',
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"kQ7xW2mZ9pLcT4vB8nRj1sHd6fYg3aE0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":"}}]}}],"created":1756398530,"id":"chatcmpl-Vb5nM7kL3jH1gF9dS2aQ4wE6rT8yU0iO","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        r'{"choices":[{"finish_reason":"tool_calls","index":0,"delta":{}}],"created":1756398530,"id":"chatcmpl-Vb5nM7kL3jH1gF9dS2aQ4wE6rT8yU0iO","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk","timings":{"prompt_n":1,"prompt_ms":12.0,"prompt_per_token_ms":12.0,"prompt_per_second":83.33333333333333,"predicted_n":19,"predicted_ms":230.114,"predicted_per_token_ms":12.111263157894737,"predicted_per_second":82.56777076579435}}',
        # "post_sampling_probs": true: "prob" and "top_probs" in place of "logprob" and
        # "top_logprobs" (tools/server/server-task.cpp, probs_vector_to_json); a float
        # probability written as a double, the logprobs key after the delta
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"content":" Paris"},"logprobs":{"content":[{"id":12366,"token":" Paris","bytes":[32,80,97,114,105,115],"prob":0.9412280917167664,"top_probs":[{"id":12366,"token":" Paris","bytes":[32,80,97,114,105,115],"prob":0.9412280917167664},{"id":279,"token":" the","bytes":[32,116,104,101],"prob":0.05877190828323364}]}]}}],"created":1756398560,"id":"chatcmpl-Zt4wP9kR2mX7vB1nL6qJ3hG8fD5sA0cE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        # "top_k": 1 leaves one candidate, certain: "prob":1.0 stays a float
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"."},"logprobs":{"content":[{"id":13,"token":".","bytes":[46],"prob":1.0,"top_probs":[{"id":13,"token":".","bytes":[46],"prob":1.0}]}]}}],"created":1756398560,"id":"chatcmpl-Zt4wP9kR2mX7vB1nL6qJ3hG8fD5sA0cE","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
        # an alternative that ends in half of a UTF-8 sequence: its text is cut back to
        # the whole characters (" "), its bytes are all there
        r'{"choices":[{"finish_reason":null,"index":0,"delta":{"content":" été"},"logprobs":{"content":[{"id":36014,"token":" été","bytes":[32,195,169,116,195,169],"prob":0.7309573888778687,"top_probs":[{"id":36014,"token":" été","bytes":[32,195,169,116,195,169],"prob":0.7309573888778687},{"id":11410,"token":" ","bytes":[32,240,159],"prob":0.2690426111221313}]}]}}],"created":1756398590,"id":"chatcmpl-Hq8mN2bV6cX4zL0kJ7gF3dS9aP5wE1rT","model":"gpt-3.5-turbo","system_fingerprint":"b6123-79c1160b","object":"chat.completion.chunk"}',
    ],
    # Ollama's OpenAI-compatible endpoint: role on every chunk, complete tool calls.
    "ollama": [
        r'{"id":"chatcmpl-417","object":"chat.completion.chunk","created":1756398600,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"The"},"finish_reason":null}]}',
        r'{"id":"chatcmpl-417","object":"chat.completion.chunk","created":1756398600,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":" sky"},"finish_reason":null}]}',
        r'{"id":"chatcmpl-417","object":"chat.completion.chunk","created":1756398600,"model":"llama3.2:3b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}',
        r'{"id":"chatcmpl-582","object":"chat.completion.chunk","created":1756398640,"model":"gpt-oss:20b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"User asks about the weather."},"finish_reason":null}]}',
        r'{"id":"chatcmpl-582","object":"chat.completion.chunk","created":1756398640,"model":"gpt-oss:20b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_k2m9x1qz","index":0,"type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_p7t3w8vd","index":1,"type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Lyon\"}"}}]},"finish_reason":null}]}',
        r'{"id":"chatcmpl-582","object":"chat.completion.chunk","created":1756398640,"model":"gpt-oss:20b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls"}]}',
        r'{"id":"chatcmpl-582","object":"chat.completion.chunk","created":1756398640,"model":"gpt-oss:20b","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":86,"completion_tokens":52,"total_tokens":138}}',
    ],
    # Groq: x_groq with the request id, and its usage (with timings) on the last chunk.
    "groq": [
        r'{"id":"chatcmpl-1f7e2c9a-4b3d-4e8f-9a6c-2d5b8e0f3a71","object":"chat.completion.chunk","created":1756398700,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01k3q8d5vbf7x9m2n4c6h8j0kp"}}',
        r'{"id":"chatcmpl-1f7e2c9a-4b3d-4e8f-9a6c-2d5b8e0f3a71","object":"chat.completion.chunk","created":1756398700,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":"Paris"},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-1f7e2c9a-4b3d-4e8f-9a6c-2d5b8e0f3a71","object":"chat.completion.chunk","created":1756398700,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":"."},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-1f7e2c9a-4b3d-4e8f-9a6c-2d5b8e0f3a71","object":"chat.completion.chunk","created":1756398700,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01k3q8d5vbf7x9m2n4c6h8j0kp","usage":{"queue_time":0.046918321,"prompt_tokens":48,"prompt_time":0.003125401,"completion_tokens":3,"completion_time":0.01,"total_tokens":51,"total_time":0.013125401}},"usage":{"queue_time":0.046918321,"prompt_tokens":48,"prompt_time":0.003125401,"completion_tokens":3,"completion_time":0.01,"total_tokens":51,"total_time":0.013125401}}',
        r'{"id":"chatcmpl-8a2c4e6b-0d1f-4a3c-8e5b-7d9f1a3c5e7b","object":"chat.completion.chunk","created":1756398760,"model":"qwen/qwen3-32b","system_fingerprint":"fp_5cf921caa2","choices":[{"index":0,"delta":{"role":"assistant","reasoning":"The user wants the weather."},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01k3q8h2zq4c6e8g0j2l4n6p8r"}}',
        r'{"id":"chatcmpl-8a2c4e6b-0d1f-4a3c-8e5b-7d9f1a3c5e7b","object":"chat.completion.chunk","created":1756398760,"model":"qwen/qwen3-32b","system_fingerprint":"fp_5cf921caa2","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_9x2mq4","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"},"index":0}]},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"chatcmpl-8a2c4e6b-0d1f-4a3c-8e5b-7d9f1a3c5e7b","object":"chat.completion.chunk","created":1756398760,"model":"qwen/qwen3-32b","system_fingerprint":"fp_5cf921caa2","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"x_groq":{"id":"req_01k3q8h2zq4c6e8g0j2l4n6p8r","usage":{"queue_time":0.1,"prompt_tokens":212,"prompt_time":0.0091,"completion_tokens":95,"completion_time":0.2,"total_tokens":307,"total_time":0.2091}}}',
    ],
    # DeepSeek: reasoning_content next to content (one of them null), cache usage fields.
    "deepseek": [
        r'{"id":"5f1e3b9c-7a2d-4c8e-b6f0-1d9a3e7c5b2f","object":"chat.completion.chunk","created":1756398800,"model":"deepseek-reasoner","system_fingerprint":"fp_feb633d1f5_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"5f1e3b9c-7a2d-4c8e-b6f0-1d9a3e7c5b2f","object":"chat.completion.chunk","created":1756398800,"model":"deepseek-reasoner","system_fingerprint":"fp_feb633d1f5_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Okay"},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"5f1e3b9c-7a2d-4c8e-b6f0-1d9a3e7c5b2f","object":"chat.completion.chunk","created":1756398800,"model":"deepseek-reasoner","system_fingerprint":"fp_feb633d1f5_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":"Paris","reasoning_content":null},"logprobs":null,"finish_reason":null}]}',
        r'{"id":"5f1e3b9c-7a2d-4c8e-b6f0-1d9a3e7c5b2f","object":"chat.completion.chunk","created":1756398800,"model":"deepseek-reasoner","system_fingerprint":"fp_feb633d1f5_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":13,"completion_tokens":211,"total_tokens":224,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":187},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":13}}',
        r'{"id":"0c2e4a6b-8d1f-4b3d-9e5a-7c9e1b3d5f7a","object":"chat.completion.chunk","created":1756398850,"model":"deepseek-chat","system_fingerprint":"fp_feb633d1f5_prod0820_fp8_kvcache","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"insufficient_system_resource"}],"usage":{"prompt_tokens":4096,"completion_tokens":17,"total_tokens":4113,"prompt_tokens_details":{"cached_tokens":3840},"prompt_cache_hit_tokens":3840,"prompt_cache_miss_tokens":256}}',
    ],
    # OpenRouter: the upstream provider, reasoning and reasoning_details,
    # native_finish_reason, usage with cost. Written by a JavaScript server:
    # whole floats come out as integers ("cost":0) and small ones as 3.6e-7.
    "openrouter": [
        r'{"id":"gen-1756398900-Tq8ZbX3mK9wRf2LpVn5c","provider":"Google","model":"google/gemini-2.5-flash","object":"chat.completion.chunk","created":1756398900,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"**Considering the question**","reasoning_details":[{"type":"reasoning.text","text":"**Considering the question**","format":"unknown","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}',
        r'{"id":"gen-1756398900-Tq8ZbX3mK9wRf2LpVn5c","provider":"Google","model":"google/gemini-2.5-flash","object":"chat.completion.chunk","created":1756398900,"choices":[{"index":0,"delta":{"role":"assistant","content":"Paris is the capital."},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}',
        r'{"id":"gen-1756398900-Tq8ZbX3mK9wRf2LpVn5c","provider":"Google","model":"google/gemini-2.5-flash","object":"chat.completion.chunk","created":1756398900,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop","native_finish_reason":"STOP","logprobs":null}]}',
        r'{"id":"gen-1756398900-Tq8ZbX3mK9wRf2LpVn5c","provider":"Google","model":"google/gemini-2.5-flash","object":"chat.completion.chunk","created":1756398900,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":12,"completion_tokens":431,"total_tokens":443,"cost":0.0010811,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":3.6e-7,"upstream_inference_completions_cost":0.0010775},"completion_tokens_details":{"reasoning_tokens":384,"image_tokens":0}}}',
        r'{"id":"gen-1756398960-Hn4Kp8Wq2Zs6Xv0Bm3Ct","provider":"OpenAI","model":"openai/o4-mini","object":"chat.completion.chunk","created":1756398960,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[{"type":"reasoning.encrypted","data":"gAAAAABoZk2xQ1z8bN3Yt7Vw-Rk0s9Ldj4Hf2Ga6Ps5Oq1Mi8Nu3Ly7Kx0Jw","id":"rs_68a1f0c2b3d4e5f6a7b8c9d0","format":"openai-responses-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}',
        r'{"id":"gen-1756398960-Hn4Kp8Wq2Zs6Xv0Bm3Ct","provider":"OpenAI","model":"openai/o4-mini","object":"chat.completion.chunk","created":1756398960,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop","native_finish_reason":"completed","logprobs":null}],"usage":{"prompt_tokens":25,"completion_tokens":140,"total_tokens":165,"cost":0,"is_byok":true,"prompt_tokens_details":{"cached_tokens":0},"cost_details":{"upstream_inference_cost":0.00064},"completion_tokens_details":{"reasoning_tokens":128}}}',
        r'{"id":"gen-1756399000-Lq2Wn6Ez0Rx4Tc8Yv3Ub","provider":"Mistral","model":"mistralai/mistral-small-3.2-24b-instruct","object":"chat.completion.chunk","created":1756399000,"choices":[{"index":0,"delta":{"role":"assistant","content":"Yes"},"finish_reason":null,"native_finish_reason":null,"logprobs":{"content":[{"token":"Yes","logprob":0,"bytes":[89,101,115],"top_logprobs":[{"token":"Yes","logprob":0,"bytes":[89,101,115]},{"token":"No","logprob":-23.25,"bytes":[78,111]}]}],"refusal":[]}}]}',
        r'{"id":"gen-1756399040-Pz5Qa9Ws1Ed3Rf7Tg2Yh","provider":"DeepInfra","model":"meta-llama/llama-3.3-70b-instruct","object":"chat.completion.chunk","created":1756399040,"error":{"code":502,"message":"Provider returned error","metadata":{"provider_name":"DeepInfra","raw":"upstream connect error"}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":"error"}]}',
    ],
    # Mistral: whole tool calls in one piece with "index":0, usage on the last chunk.
    "mistral": [
        r'{"id":"3b4f7c9e1a2d4e6f8b0c2d4e6f8a0b1c","object":"chat.completion.chunk","created":1756399100,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
        r'{"id":"3b4f7c9e1a2d4e6f8b0c2d4e6f8a0b1c","object":"chat.completion.chunk","created":1756399100,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}]}',
        r'{"id":"7d9b1f3a5c8e0a2c4e6b8d0f2a4c6e8b","object":"chat.completion.chunk","created":1756399130,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"tool_calls":[{"id":"Yq3mX8bT2","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\", \"unit\": \"celsius\"}"},"index":0}]},"finish_reason":"tool_calls","logprobs":null}],"usage":{"prompt_tokens":96,"total_tokens":124,"completion_tokens":28}}',
        r'{"id":"9f1d3b5e7a0c2e4a6c8e0b2d4f6a8c0d","object":"chat.completion.chunk","created":1756399160,"model":"open-mistral-nemo","choices":[{"index":0,"delta":{"content":" et"},"finish_reason":"model_length","logprobs":null}],"usage":{"prompt_tokens":128000,"total_tokens":131072,"completion_tokens":3072}}',
    ],
    # Gemini's OpenAI-compatible endpoint: alphabetical keys, tool calls without "index".
    "gemini": [
        r'{"choices":[{"delta":{"content":"Hello","role":"assistant"},"index":0}],"created":1756399200,"id":"mPmxaL2nGZ6Yz7IPn8WR0QQ","model":"gemini-2.5-flash","object":"chat.completion.chunk"}',
        r'{"choices":[{"delta":{"role":"assistant","tool_calls":[{"extra_content":{"google":{"thought_signature":"CiQB0e2Kb7xQzYk3Wm9Lp2Vt8Rn4Hs6Df1Ga5Jc0Uo3Ie7="}},"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"function-call-13751592829541447093","type":"function"}]},"finish_reason":"tool_calls","index":0}],"created":1756399230,"id":"rQnyaK4pHW8Bx2JSo6TU9PP","model":"gemini-2.5-flash","object":"chat.completion.chunk"}',
        r'{"choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Lyon\"}","name":""},"id":"function-call-4426981753368015526","type":"function"}]},"index":0}],"created":1756399230,"id":"rQnyaK4pHW8Bx2JSo6TU9PP","model":"gemini-2.5-flash","object":"chat.completion.chunk"}',
        r'{"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":"stop","index":0}],"created":1756399200,"id":"mPmxaL2nGZ6Yz7IPn8WR0QQ","model":"gemini-2.5-flash","object":"chat.completion.chunk","usage":{"completion_tokens":45,"completion_tokens_details":{"reasoning_tokens":100},"prompt_tokens":9,"total_tokens":154}}',
        r'{"choices":[{"delta":{"role":"assistant"},"finish_reason":"malformed_function_call","index":0}],"created":1756399260,"id":"tVpzbM6rJY0Dz4LUq8WV1RR","model":"gemini-2.0-flash","object":"chat.completion.chunk"}',
    ],
    # Hugging Face text-generation-inference: empty id, "eos_token" finish reason.
    "tgi": [
        r'{"object":"chat.completion.chunk","id":"","created":1756399300,"model":"meta-llama/Llama-3.1-8B-Instruct","system_fingerprint":"3.3.4-sha-9f38d93","choices":[{"index":0,"delta":{"role":"assistant","content":"Deep"},"logprobs":null,"finish_reason":null}],"usage":null}',
        r'{"object":"chat.completion.chunk","id":"","created":1756399300,"model":"meta-llama/Llama-3.1-8B-Instruct","system_fingerprint":"3.3.4-sha-9f38d93","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":"eos_token"}],"usage":null}',
        r'{"object":"chat.completion.chunk","id":"","created":1756399300,"model":"meta-llama/Llama-3.1-8B-Instruct","system_fingerprint":"3.3.4-sha-9f38d93","choices":[],"usage":{"prompt_tokens":15,"completion_tokens":21,"total_tokens":36}}',
    ],
    # Together: a "text" and "seed" on the choice, "token_id" in the delta, "eos".
    "together": [
        r'{"id":"8f2c4e6a1b3d5f7a-CDG","object":"chat.completion.chunk","created":1756399400,"model":"meta-llama/Llama-3.3-70B-Instruct-Turbo","choices":[{"index":0,"text":"Hello","logprobs":null,"finish_reason":null,"seed":null,"delta":{"token_id":9906,"role":"assistant","content":"Hello","tool_calls":null}}],"usage":null}',
        r'{"id":"8f2c4e6a1b3d5f7a-CDG","object":"chat.completion.chunk","created":1756399400,"model":"meta-llama/Llama-3.3-70B-Instruct-Turbo","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"eos","seed":14621453766925166000,"delta":{"token_id":128009,"role":"assistant","content":"","tool_calls":null}}],"usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49}}',
    ],
    # Odd but real values from small servers and proxies.
    "edge": [
        # an empty finish reason on a content chunk
        r'{"id":"chatcmpl-proxy-0001","object":"chat.completion.chunk","created":1756399500,"model":"glm-4.5","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":""}]}',
        # counts beyond 64 bits from a proxy summing counters
        r'{"id":"chatcmpl-proxy-0002","object":"chat.completion.chunk","created":1756399500,"model":"glm-4.5","choices":[],"usage":{"prompt_tokens":36893488147419103232,"completion_tokens":18446744073709551616,"total_tokens":55340232221128654848,"prompt_tokens_details":{"cached_tokens":18446744073709551615}}}',
        # a Python server: spaces after separators, ASCII escapes, -0.0 and 1e-10
        r'{"id": "chatcmpl-py-0003", "object": "chat.completion.chunk", "created": 1756399500, "model": "local-model", "choices": [{"index": 0, "delta": {"content": "caf\u00e9 \ud83d\ude00 \u2028"}, "logprobs": {"content": [{"token": "caf\u00e9", "logprob": -0.0, "bytes": [99, 97, 102, 195, 169], "top_logprobs": [{"token": "caf\u00e9", "logprob": -0.0, "bytes": null}, {"token": "cafe", "logprob": -1e-10, "bytes": [99, 97, 102, 101]}]}]}, "finish_reason": null}], "x_metrics": {"latency_s": 1.0, "drift": -0.0, "eps": 1e-10, "big": 1E+21, "count": 3, "ok": true, "note": null, "tags": ["a", 1, 1.0, false, null, {}, []]}}',
        # a streamed error: finish_reason "error" with an integer logprob
        r'{"id":"chatcmpl-proxy-0004","object":"chat.completion.chunk","created":1756399500,"model":"glm-4.5","choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":0,"bytes":[120],"top_logprobs":[]}]},"finish_reason":"error"}]}',
        # usage without completion_tokens: the first chunk of a vLLM-served model with
        # continuous usage, relayed by LiteLLM (vercel/ai#2763)
        r'{"id":"chat-5d7f9b1c3e6a4c8e9f0b2d4a6c8e0f1b","choices":[{"index":0,"delta":{"content":"","role":"assistant"}}],"created":1724276300,"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","object":"chat.completion.chunk","usage":{"prompt_tokens":11,"total_tokens":11}}',
        # usage with no count at all, only prompt_tokens_details: an intermediate chunk of
        # an SGLang-served model (theopenco/llmgateway#2861)
        r'{"id":"b1c3e5a7d9f24b6c8e0a2c4e6f8a0b2d","object":"chat.completion.chunk","created":1767139200,"model":"deepseek-ai/deepseek-v3.2-maas","choices":[{"index":0,"delta":{"role":null,"content":"Sure","reasoning_content":null,"tool_calls":null},"logprobs":null,"finish_reason":null,"matched_stop":null}],"usage":{"prompt_tokens_details":{"cached_tokens":0}}}',
        # usage without completion_tokens while Gemini has counted only thoughts, from a
        # proxy that translates its native API (router-for-me/CLIProxyAPI#4498)
        r'{"id":"chatcmpl-7f3a9c1e5b2d4f6a","object":"chat.completion.chunk","created":1768003200,"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":{"prompt_tokens":842,"total_tokens":1210,"completion_tokens_details":{"reasoning_tokens":368}}}',
    ],
}


def provider_cases() -> List[Tuple[str, str]]:
    """Every provider payload as ``(id, payload)``, with ids like ``"openai-3"``."""
    return [
        (f"{provider}-{i}", payload)
        for provider, payloads in PROVIDER_CHUNKS.items()
        for i, payload in enumerate(payloads)
    ]


def _chunk(choices: str = "[]", rest: str = "") -> str:
    # A valid chunk around the part under test.
    return (
        '{"id":"chatcmpl-bad","object":"chat.completion.chunk","created":1700000000,'
        f'"model":"m","choices":{choices}{rest}}}'
    )


def _logprob(value: str) -> str:
    return _chunk(
        '[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[{"token":"a","logprob":'
        + value
        + ',"bytes":[97],"top_logprobs":[]}]},"finish_reason":null}]'
    )


_DEEP = 10_000

BAD_PAYLOADS: List[Tuple[Union[str, bytes], str]] = [
    # wrong types in declared fields: strict, no coercion
    (
        '{"id":"c","object":"chat.completion.chunk","created":"1700000000","model":"m","choices":[]}',
        "created",
    ),
    (
        '{"id":"c","object":"chat.completion.chunk","created":true,"model":"m","choices":[]}',
        "created",
    ),
    (
        '{"id":"c","object":"chat.completion.chunk","created":1.0,"model":"m","choices":[]}',
        "created",
    ),
    (_chunk('[{"index":"0","delta":{}}]'), "choices.0.index"),
    (_chunk('[{"index":0.5,"delta":{}}]'), "choices.0.index"),
    (_chunk('[{"index":0,"delta":{"content":5}}]'), "choices.0.delta.content"),
    (_chunk('[{"index":0,"delta":{"content":{}}}]'), "choices.0.delta.content"),
    (
        _chunk('[{"index":0,"delta":{"tool_calls":{"index":0,"function":{"arguments":"{}"}}}}]'),
        "choices.0.delta.tool_calls",
    ),
    (_chunk('[{"index":0,"delta":null}]'), "choices.0.delta"),
    (_chunk("null"), "choices"),
    (
        _chunk("[]", ',"usage":{"prompt_tokens":1.5,"completion_tokens":1,"total_tokens":2}'),
        "usage.prompt_tokens",
    ),
    (_chunk('[{"index":0,"delta":{},"finish_reason":0}]'), "choices.0.finish_reason"),
    # a union field (vLLM's stop_reason is int | str): the error names the field
    (
        _chunk('[{"index":0,"delta":{},"finish_reason":"stop","stop_reason":1.5}]'),
        "choices.0.stop_reason",
    ),
    # required fields missing
    ('{"id":"c","object":"chat.completion.chunk","created":1700000000,"model":"m"}', "choices"),
    ('{"object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[]}', "id"),
    # non-finite numbers in a declared float field
    (_logprob("NaN"), "choices.0.logprobs.content.0.logprob"),
    (_logprob("Infinity"), "choices.0.logprobs.content.0.logprob"),
    (_logprob("-Infinity"), "choices.0.logprobs.content.0.logprob"),
    (_logprob("1e400"), "choices.0.logprobs.content.0.logprob"),
    # an optional number is still a number: no strings or booleans
    (_logprob('"-0.5"'), "choices.0.logprobs.content.0.logprob"),
    (_logprob("false"), "choices.0.logprobs.content.0.logprob"),
    (_chunk("[]", ',"usage":{"total_tokens":"2"}'), "usage.total_tokens"),
    # llama.cpp's prob is an extra, and extras are finite too
    (
        _chunk('[{"index":0,"delta":{},"logprobs":{"content":[{"token":"a","prob":NaN}]}}]'),
        "choices.0.logprobs.content.0.prob",
    ),
    # non-finite numbers inside extras: the error names the extra field
    (_chunk("[]", ',"timings":{"x":NaN}'), "timings"),
    (_chunk("[]", ',"timings":{"prompt_ms":Infinity}'), "timings"),
    (_chunk("[]", ',"x_groq":{"usage":{"queue_time":-Infinity}}'), "x_groq"),
    (_chunk("[]", ',"cost":1e400'), "cost"),
    (
        _chunk('[{"index":0,"delta":{},"content_filter_results":{"hate":{"score":NaN}}}]'),
        "choices.0.content_filter_results",
    ),
    (
        _chunk('[{"index":0,"delta":{"reasoning_details":[{"index":0,"score":NaN}]}}]'),
        "choices.0.delta.reasoning_details",
    ),
    # not one JSON document
    (_chunk('[{"index":0,"delta":{"content":"Hel'), ""),
    (_chunk() + ' {"id":"c2"}', ""),
    (_chunk() + "garbage", ""),
    (
        b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"caf\xe9"}}]}',
        "",
    ),
    (
        b'{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"x":"\xff\xfe"}',
        "",
    ),
    (b"", ""),
    ("", ""),
    (" \r\n\t ", ""),
    ("[DONE]", ""),
    ("data: [DONE]", ""),
    ("[]", ""),
    ('[{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}]', ""),
    ("null", ""),
    ('"chat.completion.chunk"', ""),
    # nesting deeper than the JSON parser allows, inside an extra field
    (_chunk("[]", ',"x":' + "[" * _DEEP + "]" * _DEEP), ""),
    (_chunk("[]", ',"x":' + '{"a":' * _DEEP + "1" + "}" * _DEEP), ""),
]
