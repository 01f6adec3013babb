"""Run the code of README.md and docs/ (the reference pages too) so that it cannot rot.

Every fenced block whose info string is exactly a language runs, as written:

- ```` ```python ````: in a fresh namespace; an example imports what it uses and
  `assert`s what it shows. Tracebacks point at the Markdown file and line.
- ```` ```sh ```` (or `bash`, `shell`, `console`): each command, one a line (a trailing
  backslash continues it, `#` starts a comment), through bash with the installed
  `chatchunk` first on `PATH`, in a folder holding the example data shipped inside the
  package, under the names the pages use: `stream.sse` (the stream `chatchunk demo`
  replays), `log.jsonl` (its payloads one a line), `chunk.json` (its first payload);
  stdin is `stream.sse`. A command passes when it exits 0, or 1 (the CLI's "found a
  problem", which `validate --strict` reports for the example's `reasoning_content`), and
  prints no traceback.

A block is shown but not run when it has anything after the language, a title such as
```` ```python title="gateway.py" ````: that is the marker for code that cannot run here
(it needs an API key, the network, a server, or takes minutes). `NOT_RUN` below lists
each such block with the reason, which its page says too; a titled block missing from it
fails `test_unrun_blocks_are_listed`, so no example escapes the tests unnoticed. Blocks
of other languages (`text` for output, `json`) are not code and are not run.

`test_api_reference_complete` checks that docs/reference/ has one `::: chatchunk.NAME`
entry for every name in `chatchunk.__all__`, and `test_reference_examples` that the
functions people call first each have an example and a link to their guide there.
"""

import json
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

import pytest

import chatchunk

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("**/*.md"))]

PYTHON = {"python"}
SHELL = {"sh", "bash", "shell", "console"}

# (page, title) -> why the block is not run by this file. Each page says so in its text.
NOT_RUN: Dict[Tuple[str, str], str] = {
    ("README.md", "install and test"): "creates a venv and installs packages; .ci/run runs it",
    ("index.md", "install"): "installs the package",
    ("performance.md", "the whole benchmark"): "installs the bench extra, runs for minutes",
    ("performance.md", "the writer benchmark"): "runs for minutes",
    ("streams.md", "with httpx"): "needs a server; docs/clients.md's recipes are run",
    ("openai.md", "the stream=True iterator"): "needs an OpenAI API key and the network",
    ("openai.md", "with_streaming_response"): "needs an OpenAI API key and the network",
    ("writing.md", "gateway.py"): "a server; tests/test_relay.py serves and reads it",
    ("clients.md", "openai_raw.py"): "tests/test_clients.py runs it against a local server",
    ("clients.md", "openai_sdk.py"): "tests/test_clients.py runs it against a local server",
    ("clients.md", "httpx_recipe.py"): "tests/test_clients.py runs it against a local server",
    ("clients.md", "requests_recipe.py"): "tests/test_clients.py runs it against a local server",
    ("clients.md", "aiohttp_recipe.py"): "tests/test_clients.py runs it against a local server",
    ("clients.md", "status_recipe.py"): "tests/test_clients.py runs it against a local server",
}

# The functions people call first: each has an example beside its reference entry, and a
# link to its guide.
FIRST_CALLED = [
    "parse_chunk",
    "dump_chunk",
    "iter_chunks",
    "aiter_chunks",
    "accumulate",
    "ChunkAccumulator",
    "encode_stream",
    "relay",
    "ChunkWriter",
    "check_conformance",
    "from_openai",
]

# An opening fence, possibly indented (inside an admonition or a list),
# three or more backticks, then the info string.
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})(?P<info>.*)$")
_TITLE = re.compile(r'title="([^"]*)"')


class Block(NamedTuple):
    """One fenced block of a page."""

    page: Path
    line: int  # of the opening fence, 1-based
    info: str
    source: str

    @property
    def language(self) -> str:
        return self.info.split(" ", 1)[0]

    @property
    def runs(self) -> bool:
        return self.info in PYTHON | SHELL

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def blocks(page: Path) -> List[Block]:
    """Return every fenced block of a page."""
    found: List[Block] = []
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
        found.append(Block(page, start + 1, info, "\n".join(body) + "\n"))
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]
PYTHON_BLOCKS = [b for b in ALL_BLOCKS if b.runs and b.language in PYTHON]
SHELL_BLOCKS = [b for b in ALL_BLOCKS if b.runs and b.language in SHELL]


def shell_commands(source: str) -> List[str]:
    """Split a shell block into its commands: one a line, `\\` continues, `#` comments."""
    commands: List[str] = []
    pending = ""
    for raw in source.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        # A comment starts at a `#` after whitespace (the pages put no `#` in arguments).
        line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()
        if line.startswith("$ "):
            line = line[2:]
        if line:
            commands.append(line)
    return commands


def test_blocks_found() -> None:
    # A broken collector would otherwise pass by running nothing.
    assert len(PYTHON_BLOCKS) >= 60
    assert len(SHELL_BLOCKS) >= 2
    assert {b.page.name for b in PYTHON_BLOCKS} >= {
        "README.md",
        "index.md",
        "unset.md",
        "round-trip.md",
        "providers.md",
        "streams.md",
        "json.md",
        "accumulator.md",
    }


def test_shell_commands_split() -> None:
    source = (
        "chatchunk demo   # replay\n\n$ chatchunk validate \\\n    stream.sse\n# only a comment\n"
    )
    assert shell_commands(source) == ["chatchunk demo", "chatchunk validate      stream.sse"]


def test_unrun_blocks_are_listed() -> None:
    # Python and shell blocks that do not run are the listed ones, and each listed one
    # still exists (a renamed title would otherwise leave a stale entry).
    unrun = {
        (b.page.name, (_TITLE.findall(b.info) or [b.info])[0])
        for b in ALL_BLOCKS
        if b.language in PYTHON | SHELL and not b.runs
    }
    assert unrun == set(NOT_RUN)


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.name)
def test_python_example(block: Block) -> None:
    # Pad so that line numbers in tracebacks are the Markdown file's.
    code = compile("\n" * block.line + block.source, str(block.page), "exec")
    exec(code, {"__name__": f"docs_example_{block.page.stem.replace('-', '_')}"})


@pytest.fixture(scope="module")
def example_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the package's example stream under the names the pages use."""
    folder = tmp_path_factory.mktemp("example")
    stream = files("chatchunk").joinpath("_data/example.sse").read_bytes()
    (folder / "stream.sse").write_bytes(stream)
    payloads = [
        line[len(b"data: ") :]
        for line in stream.splitlines()
        if line.startswith(b"data: {") and line.strip() != b"data: [DONE]"
    ]
    assert len(payloads) >= 5
    for payload in payloads:
        json.loads(payload)  # each line of the log is one JSON chunk
    (folder / "log.jsonl").write_bytes(b"\n".join(payloads) + b"\n")
    (folder / "chunk.json").write_bytes(payloads[0])
    return folder


def run_shell(command: str, folder: Path) -> Optional[str]:
    """Run one command of a shell block in `folder`; return why it failed, or None."""
    bin_dir = str(Path(sys.executable).parent)
    with (folder / "stream.sse").open("rb") as stdin:
        run = subprocess.run(
            ["bash", "-c", command],
            cwd=folder,
            stdin=stdin,
            capture_output=True,
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
            timeout=120,
            check=False,
        )
    out, err = run.stdout.decode(errors="replace"), run.stderr.decode(errors="replace")
    if run.returncode in (0, 1) and "Traceback" not in err and (out or err):
        return None
    return f"{command}: status {run.returncode}\n{out[-800:]}{err[-800:]}"


def test_shell_runner_fails_on_unreadable_input(example_data: Path) -> None:
    assert run_shell("chatchunk assemble --text stream.sse", example_data) is None
    failure = run_shell("chatchunk validate missing.sse", example_data)
    assert failure is not None
    assert "status 2" in failure


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda b: b.name)
def test_shell_example(block: Block, example_data: Path) -> None:
    commands = shell_commands(block.source)
    assert commands, "an empty shell block"
    failures = [failure for c in commands if (failure := run_shell(c, example_data))]
    assert failures == []


def _reference_entries() -> Dict[str, str]:
    """Map each `::: chatchunk.NAME` of docs/reference/ to the text after it."""
    entries: Dict[str, str] = {}
    for page in sorted((DOCS / "reference").glob("*.md")):
        parts = re.split(r"^::: chatchunk\.(\w+)$", page.read_text(encoding="utf-8"), flags=re.M)
        for name, text in zip(parts[1::2], parts[2::2]):
            assert name not in entries, f"chatchunk.{name} is documented twice"
            entries[name] = text
    return entries


def test_api_reference_complete() -> None:
    # Every public name has its own `::: chatchunk.NAME` entry in docs/reference/.
    assert set(_reference_entries()) == set(chatchunk.__all__)


@pytest.mark.parametrize("name", FIRST_CALLED)
def test_reference_examples(name: str) -> None:
    text = _reference_entries()[name]
    assert "```python\n" in text, f"no example after ::: chatchunk.{name}"
    guide = re.search(r"\]\(\.\./([\w-]+\.md)(#[\w-]+)?\)", text)
    assert guide is not None, f"no link to a guide after ::: chatchunk.{name}"
    assert (DOCS / guide.group(1)).is_file(), guide.group(0)
