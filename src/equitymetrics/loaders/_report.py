"""What :func:`~equitymetrics.loaders.load` returns: the canonical frame and its row accounting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.loaders._validate import empty_failures

__all__ = ["LoadReport", "LoadedTable"]


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How a source became a canonical table: every row read is accepted or excluded.

    Attributes
    ----------
    table : str
        The canonical table name.
    source : str
        Description of the source: the path as given, a database URL (password hidden) with the
        table or query, or ``"DataFrame (n rows, m columns)"``.
    loader : str
        Name of the loader used (for a loader object passed directly, its class name).
    rows_read : int
        Data rows in the raw table (completely blank lines of files are not data rows).
    rows_accepted : int
        Rows in the canonical frame.
    rows_excluded : dict of str to int
        Excluded rows by reason (each row counted once, under its first problem).
        ``rows_read == rows_accepted + sum(rows_excluded.values())`` always holds.
    failures : pandas.DataFrame
        Every problem found (columns table, column, row, value, problem); empty when none.
    extra_columns : tuple of str
        Source columns that are not canonical; they are kept, after the canonical columns.
    absent_optional_columns : tuple of str
        Optional canonical columns the source does not have (added as empty columns).
    details : dict of str to str
        Facts recorded by the loader, e.g. ``encoding``, ``delimiter``, ``sheet``, ``layout``.
    """

    table: str
    source: str
    loader: str
    rows_read: int
    rows_accepted: int
    rows_excluded: dict[str, int] = field(default_factory=dict)
    failures: pd.DataFrame = field(default_factory=empty_failures, repr=False)
    extra_columns: tuple[str, ...] = ()
    absent_optional_columns: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = {"rows_read": self.rows_read, "rows_accepted": self.rows_accepted}
        counts.update({f"rows_excluded[{k!r}]": v for k, v in self.rows_excluded.items()})
        for name, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgumentError(f"{name} must be a whole number >= 0; got {value!r}.")
        excluded = sum(self.rows_excluded.values())
        if self.rows_read != self.rows_accepted + excluded:
            raise InvalidArgumentError(
                f"row accounting does not reconcile for {self.table!r}: rows_read "
                f"({self.rows_read}) must equal rows_accepted ({self.rows_accepted}) plus the "
                f"rows excluded ({excluded}: {self.rows_excluded!r})."
            )

    @property
    def rows_excluded_total(self) -> int:
        """The number of excluded rows, all reasons together."""
        return sum(self.rows_excluded.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for provenance records); failures are counted, not listed."""
        return {
            "table": self.table,
            "source": self.source,
            "loader": self.loader,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_excluded": dict(self.rows_excluded),
            "failures": len(self.failures),
            "extra_columns": list(self.extra_columns),
            "absent_optional_columns": list(self.absent_optional_columns),
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class LoadedTable:
    """A canonical table with its load report and the fingerprint of its source.

    Attributes
    ----------
    frame : pandas.DataFrame
        The canonical table: canonical columns in schema order with their dtypes, then
        ``ethnic_category_original`` where there is an ethnic category, then extra columns;
        indexed by the source's 1-based data row numbers (index name ``row``).
    report : LoadReport
        Row accounting, failures and details.
    sha256 : str
        Hex SHA-256 of the source file's bytes; for a DataFrame, SQL or other non-file source,
        of the raw table written as UTF-8 CSV with its row numbers (see docs/loaders.md).
    """

    frame: pd.DataFrame = field(repr=False)
    report: LoadReport
    sha256: str

    def __repr__(self) -> str:
        return (
            f"LoadedTable(table={self.report.table!r}, rows={len(self.frame)}, "
            f"source={self.report.source!r}, sha256={self.sha256[:12]!r}...)"
        )
