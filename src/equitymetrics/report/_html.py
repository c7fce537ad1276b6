"""The HTML report (``report.html``): one self-contained, accessible file that opens offline.

The page is rendered from Jinja templates with autoescape on, so every piece of text from data
is escaped; nothing builds HTML from strings. Charts are embedded as base64 PNG images with
alternative text, the style sheet is inline, and there is no JavaScript, web font or external
resource of any kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from equitymetrics.report._format import (
    format_count,
    format_date,
    format_number,
    format_percent_level,
    format_period,
    format_timestamp,
)
from equitymetrics.report._model import Cell, FamilySection, Figure, Row, TableModel, anchor
from equitymetrics.report._published import Published, find_spec, policy_rule
from equitymetrics.report._safety import safe_text
from equitymetrics.report._sections import (
    TRUST_UNIT_TYPE,
    FigureMaker,
    current_rows,
    key_findings,
    measure_sections,
    results_table,
)

__all__ = ["REPORT_SECTIONS", "html_bytes", "render_html"]

REPORT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary of key findings"),
    ("results", "Results by measure"),
    ("data-quality", "Data quality"),
    ("failures", "Measures that could not be computed"),
    ("methods", "Methods"),
    ("provenance", "Provenance"),
)
"""The fixed sections of every report (id, heading), in page order."""

RECORDING_MEASURE = "ethnicity_recording"


@dataclass(frozen=True, slots=True)
class Failure:
    """A measure or family that could not be computed, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class DataQuality:
    """The data-quality section."""

    completeness_figures: tuple[Figure, ...]
    completeness_tables: tuple[TableModel, ...]
    exclusions: TableModel | None
    inputs: TableModel | None


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("equitymetrics.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _recording(
    published: Published, figures: FigureMaker
) -> tuple[tuple[Figure, ...], tuple[TableModel, ...]]:
    table = published.table
    rows = table[table["measure"].astype(str) == RECORDING_MEASURE]
    if rows.empty:
        return (), ()
    current = current_rows(published, rows)
    period = format_period(current["period_start"].iloc[0], current["period_end"].iloc[0])
    tables = []
    ordered = current.iloc[
        np.argsort((current["unit_type"].astype(str) != TRUST_UNIT_TYPE).to_numpy(), kind="stable")
    ]
    for number, (unit_type, part) in enumerate(ordered.groupby("unit_type", sort=False)):
        kind = safe_text(unit_type)
        headers = [("unit", kind.capitalize() or "Unit"), ("group", "Group")]
        tables.append(
            results_table(
                published,
                part,
                table_id=anchor("table", RECORDING_MEASURE, str(number + 1)),
                caption=f"Ethnicity recording completeness by {kind}, {period}",
                row_headers=headers,
                summary=""
                if number == 0
                else f"Show the table by {kind or 'unit'} ({len(part)} rows)",
            )
        )
    return figures(published, RECORDING_MEASURE, rows), tuple(tables)


def _exclusions_table(published: Published) -> TableModel | None:
    frame = published.exclusions
    if frame.empty:
        return None
    rows = []
    for _, row in frame.iterrows():
        withheld = pd.isna(row["rows"])
        rows.append(
            Row(
                headers=(safe_text(row["table"]), safe_text(row["reason"])),
                cells=(
                    Cell(format_period(row["period_start"], row["period_end"])),
                    Cell("*", numeric=True, withheld=True)
                    if withheld
                    else Cell(format_count(row["rows"]), numeric=True),
                ),
            )
        )
    return TableModel(
        id="table-exclusions",
        caption="Rows excluded from the counts, by input table, reason and period",
        row_header_columns=("Input table", "Reason"),
        columns=("Period", "Rows excluded"),
        rows=tuple(rows),
    )


def _inputs_table(published: Published) -> TableModel | None:
    if not published.inputs:
        return None
    rows = []
    for record in published.inputs:
        excluded = "; ".join(
            f"{safe_text(reason)}: {'*' if count is None else format_count(count)}"
            for reason, count in sorted(record.rows_excluded.items())
        )
        counts = (record.rows_read, record.rows_accepted)
        cells = tuple(
            Cell("*", numeric=True, withheld=True)
            if count is None
            else Cell(format_count(count), numeric=True)
            for count in counts
        )
        rows.append(
            Row(headers=(safe_text(record.table),), cells=(*cells, Cell(excluded or "none")))
        )
    return TableModel(
        id="table-inputs",
        caption="Rows read, accepted and excluded (by reason) for each input table",
        row_header_columns=("Input table",),
        columns=("Rows read", "Rows accepted", "Rows excluded by reason"),
        rows=tuple(rows),
    )


def _failures(reasons: dict[str, str]) -> tuple[Failure, ...]:
    return tuple(
        Failure(name=safe_text(name), reason=safe_text(reason)) for name, reason in reasons.items()
    )


def _context(published: Published, figures: FigureMaker) -> dict[str, Any]:
    provenance = published.provenance
    completeness_figures, completeness_tables = _recording(published, figures)
    families: tuple[FamilySection, ...] = measure_sections(published, figures)
    configuration = json.dumps(
        provenance.model_dump(mode="json")["configuration"],
        indent=2,
        sort_keys=True,
        ensure_ascii=False,
    )
    levels = sorted(
        {format_percent_level(level) for level in published.table["confidence_level"].dropna()}
    )
    return {
        "organisation": safe_text(provenance.organisation),
        "period": format_period(provenance.period_start, provenance.period_end),
        "created": format_timestamp(provenance.created),
        "created_date": format_date(provenance.created),
        "policy_name": published.policy.name,
        "policy_rule": policy_rule(published.policy),
        "sections": REPORT_SECTIONS,
        "findings": key_findings(published),
        "families": families,
        "data_quality": DataQuality(
            completeness_figures=completeness_figures,
            completeness_tables=completeness_tables,
            exclusions=_exclusions_table(published),
            inputs=_inputs_table(published),
        ),
        "failures": _failures(published.failures),
        "skipped": _failures(published.skipped),
        "methods": tuple(
            (safe_text(m.name), safe_text(m.used_for), safe_text(m.reference))
            for m in provenance.methods
        ),
        "levels": ", ".join(levels) or "95%",
        "library": f"{provenance.library} {provenance.library_version}",
        "python_version": safe_text(provenance.python_version),
        "dependencies": tuple(
            (safe_text(k), safe_text(v)) for k, v in sorted(provenance.dependencies.items())
        ),
        "inputs": published.inputs,
        "configuration": safe_text(configuration),
        "measures_computed": tuple(
            (m, find_spec(m).question if find_spec(m) is not None else "")  # type: ignore[union-attr]
            for m in provenance.measures_computed
        ),
        "format_number": format_number,
    }


def render_html(published: Published, figures: FigureMaker) -> str:
    """The report as an HTML string."""
    template = _environment().get_template("report.html.j2")
    return template.render(**_context(published, figures))


def html_bytes(published: Published, figures: FigureMaker) -> bytes:
    """The report as UTF-8 bytes."""
    return render_html(published, figures).encode("utf-8")
