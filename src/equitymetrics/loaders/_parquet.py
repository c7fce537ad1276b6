"""The ``parquet`` loader: Apache Parquet files, read with pyarrow."""

from __future__ import annotations

from typing import Any

import pandas as pd

from equitymetrics.exceptions import LoaderError
from equitymetrics.loaders._csv import as_path
from equitymetrics.loaders._protocol import check_options, number_rows, restore_named_index

__all__ = ["ParquetLoader"]


class ParquetLoader:
    """Read a Parquet file (``loader="parquet"``; chosen for ``.parquet`` and ``.pq``).

    Columns keep their stored types (dates, numbers, text); the schema converts and checks
    them like text. A named index stored by pandas becomes a column. Takes no options.
    """

    name = "parquet"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read ``source`` (a path) into a raw table."""
        check_options(self.name, options, ())
        path = as_path(self.name, source)
        try:
            frame = pd.read_parquet(path, engine="pyarrow")
        except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
            raise LoaderError(f"parquet: cannot read {str(path)!r}: {error}") from None
        return number_rows(restore_named_index(frame))
