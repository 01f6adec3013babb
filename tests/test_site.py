"""Build the documentation site and check the API reference as a reader sees it.

One `mkdocs build --strict` per session, into a temporary folder. The checks read the
built HTML of `docs/reference/`, not the Markdown, because the private names they look for
come from the source through mkdocstrings: a rendered signature, a default value, a link's
hover title.

mkdocs is in the `docs` extra, not the `test` one: without it these tests skip, unless
`CHATCHUNK_DOCS=required` is set (CI sets it after installing the docs extra), which makes
a missing mkdocs a failure.
"""

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest

import chatchunk

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("CHATCHUNK_DOCS") == "required"

# A private name: one leading underscore, then a letter. Dunder names (`__version__`) and
# `_` alone are not private names; a dotted path into a private module (`chatchunk._chunk`)
# is, since the lookbehind only asks for no word character before the underscore.
_PRIVATE = re.compile(r"(?<!\w)_[A-Za-z]\w*")
_ARTICLE = re.compile(r"<article\b.*?</article>", re.DOTALL)
_TITLE = re.compile(r'\btitle="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r'<h\d id="chatchunk\.([\w.]+)" class="doc doc-heading"')


def rendered_text(page: str) -> str:
    """Return what a reader of a built page sees: the text of its article, and hover titles."""
    match = _ARTICLE.search(page)
    article = match.group(0) if match else page
    titles = " ".join(_TITLE.findall(article))
    return html.unescape(_TAG.sub("", article) + " " + titles)


def private_names(text: str) -> Set[str]:
    """Return the private names (one leading underscore) that occur in `text`."""
    return set(_PRIVATE.findall(text))


def documented_names(page: str) -> List[str]:
    """Return the dotted names that a built page has a mkdocstrings heading for."""
    return _ANCHOR.findall(page)


def test_private_names_found_in_rendered_signatures() -> None:
    # The scanner itself, on the shapes the issue reported, so a broken pattern cannot
    # make the site test pass by finding nothing.
    page = (
        "<html><article><pre>Field(exclude_if=<span>_is_unset</span>), "
        "<span>_OptionalNullableSchema</span>()</pre>"
        '<a title="ChunkStream (chatchunk._stream.ChunkStream)">x</a>'
        "<code>__version__</code> <code>for _ in x</code> <code>sdk_chunk</code></article>"
    )
    assert private_names(rendered_text(page)) == {"_is_unset", "_OptionalNullableSchema", "_stream"}


def test_documented_names_read_from_headings() -> None:
    page = (
        '<h3 id="chatchunk.parse_chunk" class="doc doc-heading">'
        '<h4 id="chatchunk.ChunkWriter.content" class="doc doc-heading">'
    )
    assert documented_names(page) == ["parse_chunk", "ChunkWriter.content"]


def _mkdocs_missing() -> bool:
    return importlib.util.find_spec("mkdocs") is None


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site (one build per session)."""
    if _mkdocs_missing():
        if REQUIRED:
            pytest.fail("CHATCHUNK_DOCS=required but mkdocs is missing: pip install -e '.[docs]'")
        pytest.skip(
            "mkdocs is not installed: pip install -e '.[docs]' (or CHATCHUNK_DOCS=required)"
        )
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    return out


@pytest.fixture(scope="session")
def reference(site: Path) -> Dict[str, str]:
    """The built pages of the API reference, by name."""
    pages = {
        path.parent.relative_to(site / "reference").as_posix() or "index": path.read_text(
            encoding="utf-8"
        )
        for path in sorted((site / "reference").glob("**/index.html"))
    }
    assert len(pages) >= 9, sorted(pages)
    return pages


def _contexts(text: str, name: str) -> Iterator[str]:
    for match in re.finditer(rf"(?<!\w){re.escape(name)}\b", text):
        yield " ".join(text[max(0, match.start() - 60) : match.end() + 40].split())


def test_no_private_name_in_reference(reference: Dict[str, str]) -> None:
    found = {}
    for name, page in reference.items():
        text = rendered_text(page)
        for private in sorted(private_names(text)):
            found[f"{name}: {private}"] = list(_contexts(text, private))[:3]
    assert found == {}


def test_every_public_name_documented_once(reference: Dict[str, str]) -> None:
    headings = [
        name for page in reference.values() for name in documented_names(page) if "." not in name
    ]
    assert sorted(headings) == sorted(chatchunk.__all__)


def test_every_public_name_has_a_docstring(reference: Dict[str, str]) -> None:
    # A heading followed by no text is a name without a docstring (mkdocstrings renders an
    # empty `doc-contents`). Members count too: a field or method shown without a word.
    empty: List[str] = []
    for page in reference.values():
        for match in re.finditer(
            r'<h\d id="chatchunk\.([\w.]+)" class="doc doc-heading">(.*?)'
            r'<div class="doc doc-contents[^"]*">(.*?)</div>',
            page,
            re.DOTALL,
        ):
            name, contents = match.group(1), match.group(3)
            if not html.unescape(_TAG.sub("", contents)).strip():
                empty.append(name)
    assert empty == []


def test_every_public_name_has_a_docstring_in_source(site: Path) -> None:
    # What mkdocstrings reads: griffe (installed with mkdocs) loads the source, as the
    # build did; the docstring of an alias such as `OptionalNullable` is the string
    # literal under it, which only the source has.
    import griffe

    package = griffe.load("chatchunk", search_paths=[str(ROOT / "src")], resolve_aliases=True)
    missing: List[str] = []
    for name in chatchunk.__all__:
        member = package[name]
        target = member.final_target if isinstance(member, griffe.Alias) else member
        if target.docstring is None or not target.docstring.value.strip():
            missing.append(name)
    assert missing == []


def test_signatures_are_formatted(reference: Dict[str, str]) -> None:
    # With ruff installed, mkdocstrings breaks a long signature over lines; without it,
    # it writes one long line (and says "Formatting signatures requires either Black or
    # Ruff"). The longest signature line of the reference stays near mkdocs.yml's
    # `line_length: 88`, within the content column at 1280 px.
    longest = ""
    for page in reference.values():
        for block in re.findall(r'class="doc-signature highlight"><pre>(.*?)</pre>', page, re.S):
            for line in html.unescape(_TAG.sub("", block)).splitlines():
                longest = max(longest, line, key=len)
    assert len(longest) <= 92, longest


def test_site_has_every_page(site: Path) -> None:
    for page in ("index.html", "streams/index.html", "reference/index.html"):
        assert (site / page).is_file(), page
    assert not (site / "api").exists()  # the one-page reference is gone
