"""Machine-readable outputs: the published results as CSV and Parquet, and provenance JSON.

Each is returned as bytes (the caller writes them atomically) and is byte-identical for the
same inputs: rows keep the results' deterministic order, JSON keys are sorted, and nothing
depends on the clock or the locale.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from equitymetrics.report._published import Published, policy_rule
from equitymetrics.report._safety import neutralise_frame

__all__ = [
    "POLICY_COLUMN",
    "csv_bytes",
    "parquet_bytes",
    "provenance_document",
    "provenance_json_bytes",
    "published_frame",
]

POLICY_COLUMN = "disclosure_policy"
"""Column added to the CSV and Parquet results naming the disclosure policy applied."""


def published_frame(published: Published) -> pd.DataFrame:
    """The published results table with a column naming the disclosure policy."""
    frame = published.table.copy()
    frame[POLICY_COLUMN] = pd.Series([published.policy.name] * len(frame), dtype=object)
    return frame


def csv_bytes(published: Published) -> bytes:
    """The published results as UTF-8 CSV, with spreadsheet formulas neutralised.

    Dates are ISO 8601 (``2025-04-01``), missing values (including suppressed counts) are
    empty, numbers are written with full precision, and every text cell that a spreadsheet
    would run as a formula starts with a single quote.
    """
    frame = neutralise_frame(published_frame(published))
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def parquet_bytes(published: Published) -> bytes:
    """The published results as Parquet (typed; text is kept exactly as in the results).

    The file's key-value metadata records the disclosure policy and its rule.
    """
    table = pa.Table.from_pandas(published_frame(published), preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[b"equitymetrics.disclosure_policy"] = published.policy.name.encode("utf-8")
    metadata[b"equitymetrics.disclosure_rule"] = policy_rule(published.policy).encode("utf-8")
    table = table.replace_schema_metadata(metadata)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    return buffer.getvalue()


def provenance_document(published: Published) -> dict[str, Any]:
    """The provenance as JSON-ready data, with the disclosure policy and published counts.

    The input tables' row counts are published under the policy like every other count
    (suppressed counts are ``null``).
    """
    document: dict[str, Any] = published.provenance.model_dump(mode="json")
    document["inputs"] = [record.to_json() for record in published.inputs]
    document["measures_failed"] = dict(published.failures)
    document["disclosure_policy"] = published.policy.name
    document["disclosure_rule"] = policy_rule(published.policy)
    return document


def provenance_json_bytes(published: Published) -> bytes:
    """``provenance.json``: sorted keys, two-space indent, UTF-8, final newline."""
    text = json.dumps(provenance_document(published), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
