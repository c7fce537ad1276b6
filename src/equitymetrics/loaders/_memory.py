"""The ``memory`` loader: a pandas DataFrame already in memory (also the test double)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from equitymetrics.loaders._protocol import (
    check_options,
    number_rows,
    require_frame,
    restore_named_index,
)

__all__ = ["MemoryLoader"]


class MemoryLoader:
    """Read a pandas DataFrame (``loader="memory"``; chosen automatically for a DataFrame).

    The frame is copied, never changed. A named index (for example ``person_id`` set as the
    index) becomes a column; an unnamed index carries no data and is replaced by the row
    numbers 1, 2, ... in the frame's order. Takes no options.
    """

    name = "memory"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Return a copy of ``source`` numbered from 1."""
        check_options(self.name, options, ())
        frame = require_frame(self.name, source)
        return number_rows(restore_named_index(frame.copy(deep=True)))
