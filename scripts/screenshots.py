"""Build the documentation site and take full-page screenshots of it in headless Chromium.

    python scripts/screenshots.py [--out DIR] [--config FILE] [--chromium PATH] [--page PATH ...]

Builds the site with `mkdocs build --strict` into a temporary folder, serves it on
127.0.0.1 (a free port), and saves one PNG per page and width into DIR (default
`build/screenshots/`, which git ignores): the home page, a guide and every page of the API
reference, at 1280 px (a laptop) and 390 px (a phone). Look at them after changing the
theme, the CSS or the mkdocstrings options.

Chromium's `--screenshot` captures the window only, so each page is first loaded with
`--dump-dom` through this server, which then adds a script that writes the page's full
height into the DOM; the screenshot's window is that tall (at most `MAX_HEIGHT`).

Needs the docs extra (`pip install -e '.[docs]'`) and Chromium (`apt-get install -y
chromium`). Standard library only otherwise.
"""

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 390)
MAX_HEIGHT = 16000  # Chromium's largest texture; longer pages are cut there
GUIDE = "streams/"

_MEASURE = (
    b"<script>window.addEventListener('load', function () {"
    b" document.body.setAttribute('data-height', document.documentElement.scrollHeight);"
    b" });</script>"
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serve the site; with `?measure`, add the script that records the page's height."""

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the output to the list of screenshots

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if query != "measure":
            super().do_GET()
            return
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        body = file.read_bytes().replace(b"</body>", _MEASURE + b"</body>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def build(site: Path, config: Path) -> None:
    """Build the site of `config` into `site`, failing on any warning."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config)]
    subprocess.run([*command, "--site-dir", str(site)], cwd=ROOT, env=env, check=True)


def pages(site: Path) -> List[str]:
    """The home page, one guide and every page of the reference, as paths below the site."""
    reference = sorted(
        path.parent.relative_to(site).as_posix() + "/"
        for path in (site / "reference").glob("**/index.html")
    )
    return ["", GUIDE, *reference]


def _chromium(chromium: str, *args: str) -> "subprocess.CompletedProcess[str]":
    # --no-sandbox: the sandbox refuses to start as root, which CI and containers are.
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, check=False
    )


def height(chromium: str, url: str, width: int) -> int:
    """Return the full height of the page at `url` when the window is `width` wide."""
    run = _chromium(
        chromium, f"--window-size={width},800", "--virtual-time-budget=3000", "--dump-dom", url
    )
    found = re.search(r'data-height="(\d+)"', run.stdout)
    if found is None:
        raise RuntimeError(f"could not measure {url}: {run.stderr[-500:]}")
    return min(int(found.group(1)), MAX_HEIGHT)


def screenshot(chromium: str, url: str, width: int, out: Path) -> int:
    """Save a full-page screenshot of `url` at `width` into `out`; return its height."""
    tall = height(chromium, url + "?measure", width)
    run = _chromium(
        chromium,
        f"--window-size={width},{tall}",
        "--virtual-time-budget=3000",
        f"--screenshot={out}",
        url,
    )
    if not out.is_file():
        raise RuntimeError(f"no screenshot of {url}: {run.stderr[-500:]}")
    return tall


def _name(page: str, width: int) -> str:
    return f"{page.strip('/').replace('/', '-') or 'home'}-{width}.png"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Build, serve and photograph the site; print each PNG written."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--page", action="append", help="a page path such as 'cli/' (repeatable)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build(site, args.config)
        handler = functools.partial(_Handler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            for page in args.page or pages(site):
                for width in WIDTHS:
                    out = args.out / _name(page, width)
                    tall = screenshot(args.chromium, base + page, width, out)
                    print(f"{out} ({width}x{tall})")
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
