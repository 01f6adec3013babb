"""Run the Python examples of README.md and docs/*.md so they cannot rot.

Every fenced block opened with exactly ```` ```python ```` runs, each in a fresh
namespace: an example must import what it uses and `assert` what it shows. A
block opened with anything after the language, such as
```` ```python title="gateway.py" ````, is shown but not run; use that for
sketches that need a network, a server or another library. Tracebacks point at
the Markdown file and line.

`test_api_reference_complete` checks that docs/api.md has an entry for every
name in `chatchunk.__all__`.
"""

import re
from pathlib import Path
from typing import List, Tuple

import pytest

import chatchunk

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# An opening fence, possibly indented (inside an admonition or a list),
# three or more backticks, then the info string.
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})(?P<info>.*)$")


def _blocks(page: Path) -> List[Tuple[int, str]]:
    """Return (line of the opening fence, source) for each runnable block of a page."""
    blocks: List[Tuple[int, str]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        start = i
        body: List[str] = []
        i += 1
        closing = re.compile(rf"^\s*{fence}`*\s*$")
        while i < len(lines) and not closing.match(lines[i]):
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1  # the closing fence
        if info == "python":
            blocks.append((start + 1, "\n".join(body) + "\n"))
    return blocks


EXAMPLES = [
    pytest.param(page, line, source, id=f"{page.name}:{line}")
    for page in PAGES
    for line, source in _blocks(page)
]


def test_examples_found() -> None:
    # A broken collector would otherwise pass by running nothing.
    assert len(EXAMPLES) >= 10
    assert {param.values[0].name for param in EXAMPLES} >= {
        "README.md",
        "index.md",
        "unset.md",
        "round-trip.md",
        "providers.md",
    }


@pytest.mark.parametrize(("page", "line", "source"), EXAMPLES)
def test_example(page: Path, line: int, source: str) -> None:
    # Pad so that line numbers in tracebacks are the Markdown file's.
    code = compile("\n" * line + source, str(page), "exec")
    exec(code, {"__name__": f"docs_example_{page.stem.replace('-', '_')}"})


def test_api_reference_complete() -> None:
    # Every public name has its own `::: chatchunk.NAME` entry in docs/api.md.
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: chatchunk\.(\w+)$", text, flags=re.MULTILINE))
    assert documented == set(chatchunk.__all__)
