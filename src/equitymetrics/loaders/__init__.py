"""Loaders: read any source into a validated canonical table, accounting for every row.

Typical use::

    from equitymetrics import loaders
    loaded = loaders.load("patients", "patients.csv", columns={"person_id": "PatientID"})
    loaded.frame                      # canonical DataFrame
    loaded.report.rows_excluded       # {} or {reason: count}

Built-in loaders: ``csv``, ``parquet``, ``excel``, ``sql``, ``memory`` and ``ons_census``;
others are installed as plugins through the entry-point group ``equitymetrics.loaders`` (see
docs/writing-a-loader.md). Each canonical table has a schema (``schema("patients")``) that the
loaded data must satisfy; docs/data-contract.md describes the tables and docs/loaders.md the
loaders, validation rules and row accounting.
"""

from equitymetrics.loaders._census import OnsCensusLoader
from equitymetrics.loaders._csv import CsvLoader
from equitymetrics.loaders._excel import ExcelLoader
from equitymetrics.loaders._load import infer_loader, load
from equitymetrics.loaders._memory import MemoryLoader
from equitymetrics.loaders._parquet import ParquetLoader
from equitymetrics.loaders._protocol import Loader
from equitymetrics.loaders._registry import ENTRY_POINT_GROUP, get_loader, list_loaders
from equitymetrics.loaders._report import LoadedTable, LoadReport
from equitymetrics.loaders._schemas import (
    CANONICAL_TABLES,
    SCHEMAS,
    ColumnSpec,
    RowRule,
    TableSchema,
    schema,
)
from equitymetrics.loaders._sql import SqlLoader

__all__ = [
    "CANONICAL_TABLES",
    "ColumnSpec",
    "CsvLoader",
    "ENTRY_POINT_GROUP",
    "ExcelLoader",
    "LoadReport",
    "LoadedTable",
    "Loader",
    "MemoryLoader",
    "OnsCensusLoader",
    "ParquetLoader",
    "RowRule",
    "SCHEMAS",
    "SqlLoader",
    "TableSchema",
    "get_loader",
    "infer_loader",
    "list_loaders",
    "load",
    "schema",
]
