"""The quarterly report: HTML, Excel, CSV, Parquet and provenance JSON from a run's results.

:func:`write_report` applies a disclosure-control policy to everything it publishes (the exact
results never leave the :class:`~equitymetrics.measures.Results` object) and writes, each
atomically and byte-identically for the same inputs:

* ``report.html``: one self-contained, accessible page that opens offline;
* ``results.xlsx``: a README sheet and one sheet per measure family;
* ``results.parquet`` and ``results.csv``: the published results table;
* ``provenance.json``: versions, methods, inputs and configuration, with the policy.
"""

from equitymetrics.report._write import OUTPUT_FILES, ReportFormat, write_report

__all__ = [
    "OUTPUT_FILES",
    "ReportFormat",
    "write_report",
]
