"""``python -m chatchunk``: the command line, as the ``chatchunk`` command runs it."""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
