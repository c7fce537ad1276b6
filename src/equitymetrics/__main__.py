"""``python -m equitymetrics``: the same as the ``equitymetrics`` command."""

from __future__ import annotations

import sys

from equitymetrics.cli import main

if __name__ == "__main__":
    sys.exit(main())
