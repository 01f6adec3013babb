"""``python -m chatchunk``: parse the example stream shipped with the package.

A stand-in for the command line to come: it reads the bundled SSE example,
parses every chunk, and prints what it found.
"""

import sys
from importlib.resources import files
from typing import List, Optional

from . import parse_chunk


def _example_payloads() -> List[bytes]:
    text = files("chatchunk").joinpath("_data/example.sse").read_bytes()
    return [
        line[len(b"data: ") :]
        for line in text.splitlines()
        if line.startswith(b"data: ") and line != b"data: [DONE]"
    ]


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the shipped example stream and print the text, reasoning and usage found."""
    content: List[str] = []
    reasoning: List[str] = []
    tools: List[str] = []
    finish: List[str] = []
    usage = None
    payloads = _example_payloads()
    for payload in payloads:
        chunk = parse_chunk(payload)
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                content.append(delta.content)
            if delta.reasoning_content:
                reasoning.append(delta.reasoning_content)
            for call in delta.tool_calls or ():
                if call.function and call.function.arguments:
                    tools.append(call.function.arguments)
            if choice.finish_reason:
                finish.append(choice.finish_reason)
    print(f"parsed {len(payloads)} chunks")
    print(f"reasoning: {''.join(reasoning)}")
    print(f"content:   {''.join(content)}")
    print(f"tool call arguments: {''.join(tools)}")
    print(f"finish reasons: {', '.join(finish)}")
    if usage is not None:
        print(
            f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion"
            f" = {usage.total_tokens} tokens"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
