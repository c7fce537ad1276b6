"""An example equitymetrics loader plugin that reads JSON Lines files.

The whole contract is one method, ``read(source, **options) -> pandas.DataFrame``, returning the
source's columns as they are, indexed by the 1-based data row number in the source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, LoaderError

__all__ = ["JsonLinesLoader"]


class JsonLinesLoader:
    """Read a JSON Lines file: one JSON object per line, keys as column names.

    Options
    -------
    encoding : str, default "utf-8"
        Text encoding of the file.

    Row numbers are line numbers, so a problem reported at row 7 is on line 7 of the file;
    blank lines are skipped (and keep their number).
    """

    name = "jsonl"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read ``source`` (a path) into a raw table."""
        unknown = sorted(set(options) - {"encoding"})
        if unknown:
            raise InvalidArgumentError(
                f"the 'jsonl' loader does not take the option(s) {', '.join(unknown)}; "
                "it takes: encoding."
            )
        path = Path(source)
        if not path.is_file():
            raise LoaderError(f"jsonl: cannot read {str(path)!r}: it does not exist.")
        records: list[dict[str, Any]] = []
        rows: list[int] = []
        lines = path.read_text(encoding=options.get("encoding", "utf-8")).splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise LoaderError(f"jsonl: line {number} of {str(path)!r}: {error}") from None
            if not isinstance(record, dict):
                raise LoaderError(f"jsonl: line {number} of {str(path)!r} is not an object.")
            records.append(record)
            rows.append(number)
        frame = pd.DataFrame.from_records(records).astype(object)
        return frame.set_axis(pd.Index(rows, dtype="int64", name="row"), axis=0)
