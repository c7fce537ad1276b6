"""The measure sections of the HTML report: key findings, tables and sentences per measure.

Everything here reads the *published* results (:class:`Published`), never the exact ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from equitymetrics.measures import CATALOGUE
from equitymetrics.report._format import (
    SUPPRESSED,
    format_count,
    format_interval,
    format_number,
    format_percent_level,
    format_period,
    is_missing,
)
from equitymetrics.report._model import (
    Cell,
    FamilySection,
    Figure,
    MeasureSection,
    Row,
    TableModel,
    anchor,
)
from equitymetrics.report._published import Published, find_spec
from equitymetrics.report._safety import safe_text

__all__ = [
    "FAMILY_TITLES",
    "TRUST_UNIT_TYPE",
    "current_rows",
    "key_findings",
    "measure_sections",
    "results_table",
]

TRUST_UNIT_TYPE = "trust"
"""The unit type of whole-organisation rows."""

FAMILY_TITLES: tuple[tuple[str, str], ...] = (
    ("restrictive_practice", "Restrictive practice"),
    ("mha", "Mental Health Act"),
    ("smi", "Physical health checks for people with severe mental illness"),
    ("wres", "Workforce Race Equality Standard (WRES)"),
)
"""Families with their own report section, in report order (recording is in data quality)."""

_OTHER_FAMILY = ("other", "Other measures")
_CATALOGUE_ORDER = {spec.id: position for position, spec in enumerate(CATALOGUE)}
_SIGNIFICANCE_TEXT = {
    "higher": "higher",
    "lower": "lower",
    "no evidence of a difference": "no evidence of a difference",
    "not compared": "not compared",
    "reference group": "reference group",
    "withheld": "withheld",
}

_SMALL_NUMBERS_NOTE = "small numbers: fewer than 10 events, so the estimate is unstable"

FigureMaker = Callable[[Published, str, pd.DataFrame], tuple[Figure, ...]]


def current_rows(published: Published, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the reporting period, or of the latest period when it has none."""
    if rows.empty:
        return rows
    ends = pd.to_datetime(rows["period_end"])
    wanted = pd.Timestamp(published.provenance.period_end)
    if not (ends == wanted).any():
        wanted = ends.max()
    return rows[(ends == wanted).to_numpy()]


def _text(value: object) -> str:
    return safe_text(value)


def _sort_key(measure: str) -> tuple[int, str]:
    return (_CATALOGUE_ORDER.get(measure, len(_CATALOGUE_ORDER)), measure)


def _fallback_sentence(row: pd.Series) -> str:
    level = format_percent_level(row["confidence_level"])
    interval = format_interval(row["ratio_lower_ci"], row["ratio_upper_ci"], 2)
    return (
        f"{_text(row['measure'])}: {_text(row['group'])} compared with "
        f"{_text(row['reference_group'])}, ratio {format_number(row['ratio'], 2)} "
        f"({level} CI {interval})."
    )


def key_findings(published: Published) -> tuple[str, ...]:
    """Organisation-level ratios of the reporting period whose interval excludes 1.

    Largest departures from 1 first (by the size of the log ratio, so that 2.0 and 0.5 rank
    equal), each as its plain-English sentence.
    """
    table = current_rows(published, published.table)
    if table.empty:
        return ()
    ratio = pd.to_numeric(table["ratio"], errors="coerce").to_numpy(dtype=float)
    chosen = (
        (table["unit_type"].astype(str) == TRUST_UNIT_TYPE).to_numpy()
        & table["significance"].astype(str).isin(["higher", "lower"]).to_numpy()
        & np.isfinite(ratio)
        & (ratio > 0)
    )
    rows = table[chosen].copy()
    rows["_size"] = np.abs(np.log(ratio[chosen]))
    rows["_order"] = rows["measure"].astype(str).map(lambda m: _sort_key(m)[0])
    rows = rows.sort_values(["_size", "_order"], ascending=[False, True], kind="mergesort")
    sentences = []
    for _, row in rows.iterrows():
        sentence = _text(row["interpretation"]) or _fallback_sentence(row)
        sentences.append(sentence)
    return tuple(sentences)


def _value_digits(unit_label: str) -> int:
    return 1 if unit_label else 2


def _cell(value: object, text: str, hidden: bool) -> Cell:
    if hidden:
        return Cell(SUPPRESSED, numeric=True, withheld=True)
    return Cell(text if not is_missing(value) else "", numeric=True)


def results_table(
    published: Published,
    rows: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    row_headers: Sequence[tuple[str, str]],
    summary: str = "",
) -> TableModel:
    """An accessible table of results rows.

    ``row_headers`` lists (column, title) pairs shown as row headers, e.g.
    ``[("group", "Ethnic group")]`` or ``[("unit", "Ward"), ("group", "Ethnic group")]``.
    """
    measure = str(rows["measure"].iloc[0])
    spec = find_spec(measure)
    unit_label = spec.unit_label if spec is not None else ""
    digits = _value_digits(unit_label)
    level = (
        format_percent_level(rows["confidence_level"].dropna().iloc[0])
        if rows["confidence_level"].notna().any()
        else ""
    )
    references = [r for r in dict.fromkeys(rows["reference_group"].astype(str)) if r]
    reference = references[0] if len(references) == 1 else "the reference group"
    columns = (
        "Numerator",
        "Denominator",
        f"Value ({unit_label})" if unit_label else "Value",
        f"{level} confidence interval".strip(),
        f"Ratio to {reference}",
        f"Ratio {level} confidence interval".replace("  ", " "),
        "Comparison",
        "Notes",
    )
    hidden = published.withheld.loc[rows.index]
    body = []
    numbered: dict[str, int] = {}
    for position, (_, row) in enumerate(rows.iterrows()):
        references = []
        parts = _note_parts(row["note"])
        if bool(row.get("small_numbers", False)) and not any("small numbers" in p for p in parts):
            parts.insert(0, _SMALL_NUMBERS_NOTE)
        for part in parts:
            references.append(str(numbered.setdefault(part, len(numbered) + 1)))
        mask = hidden.iloc[position]
        headers = tuple(_text(row[column]) for column, _ in row_headers)
        significance = _text(row.get("significance", ""))
        is_reference = significance == "reference group"
        ratio_text = "reference" if is_reference else format_number(row["ratio"], 2)
        cells = (
            _cell(row["numerator"], format_count(row["numerator"]), bool(mask["numerator"])),
            _cell(row["denominator"], format_count(row["denominator"]), bool(mask["denominator"])),
            _cell(row["value"], format_number(row["value"], digits), bool(mask["value"])),
            _cell(
                row["lower_ci"],
                format_interval(row["lower_ci"], row["upper_ci"], digits),
                bool(mask["lower_ci"] or mask["upper_ci"]),
            ),
            Cell(ratio_text, numeric=True)
            if is_reference
            else _cell(row["ratio"], ratio_text, bool(mask["ratio"])),
            _cell(
                row["ratio_lower_ci"],
                format_interval(row["ratio_lower_ci"], row["ratio_upper_ci"], 2),
                bool(mask["ratio_lower_ci"] or mask["ratio_upper_ci"]),
            ),
            Cell(_SIGNIFICANCE_TEXT.get(significance, significance)),
            Cell(", ".join(references)),
        )
        body.append(Row(headers=headers, cells=cells))
    footnotes = [f"Note {number}: {text}." for text, number in numbered.items()]
    return TableModel(
        id=table_id,
        caption=caption,
        row_header_columns=tuple(title for _, title in row_headers),
        columns=columns,
        rows=tuple(body),
        footnotes=tuple(footnotes),
        summary=summary,
    )


def _describe(value: str, kind: str) -> str:
    return f"{kind} {value}" if value else ""


def _tables(published: Published, measure: str, current: pd.DataFrame) -> tuple[TableModel, ...]:
    tables = []
    period = format_period(current["period_start"].iloc[0], current["period_end"].iloc[0])
    keys = ["unit_type", "grouping", "adjustment"]
    ordered = current.assign(
        _trust_first=(current["unit_type"].astype(str) != TRUST_UNIT_TYPE).to_numpy()
    ).sort_values("_trust_first", kind="mergesort")
    groups = ordered.drop(columns="_trust_first").groupby(keys, sort=False, dropna=False)
    has_trust = bool((current["unit_type"].astype(str) == TRUST_UNIT_TYPE).any())
    for number, (key, rows) in enumerate(groups):
        unit_type, grouping, adjustment = (_text(part) for part in key)
        trust = unit_type == TRUST_UNIT_TYPE
        headers = (
            [("group", "Ethnic group")]
            if trust
            else [
                ("unit", unit_type.capitalize() or "Unit"),
                ("group", "Ethnic group"),
            ]
        )
        where = _text(rows["unit"].iloc[0]) if trust else f"by {unit_type}"
        extras = [
            _describe(grouping, "grouping"),
            "" if adjustment in ("", "none") else f"adjusted for {adjustment}",
        ]
        details = ", ".join(part for part in extras if part)
        caption = f"{_text(measure)}: {where}, {period}" + (f" ({details})" if details else "")
        tables.append(
            results_table(
                published,
                rows,
                table_id=anchor("table", measure, str(number + 1)),
                caption=caption,
                row_headers=headers,
                summary=_unit_summary(unit_type, len(rows)) if has_trust and not trust else "",
            )
        )
    return tuple(tables)


def _unit_summary(unit_type: str, rows: int) -> str:
    return f"Show the table by {unit_type or 'unit'} ({rows} rows)"


def _sentences(current: pd.DataFrame) -> tuple[str, ...]:
    trust = current[current["unit_type"].astype(str) == TRUST_UNIT_TYPE]
    sentences = [_text(text) for text in trust["interpretation"] if _text(text)]
    return tuple(dict.fromkeys(sentences))


def _note_parts(note: object) -> list[str]:
    """The separate reasons in a row's note ("; "-separated), without repeats."""
    parts = (part.strip() for part in _text(note).split("; "))
    return list(dict.fromkeys(part for part in parts if part))


def _measure_section(
    published: Published, measure: str, rows: pd.DataFrame, figures: FigureMaker
) -> MeasureSection:
    spec = find_spec(measure)
    current = current_rows(published, rows)
    return MeasureSection(
        id=anchor("measure", measure),
        measure=measure,
        question=spec.question if spec is not None else measure,
        definition=spec.definition if spec is not None else "",
        unit_label=spec.unit_label if spec is not None else "",
        figures=figures(published, measure, rows),
        tables=_tables(published, measure, current) if not current.empty else (),
        sentences=_sentences(current),
    )


def measure_sections(published: Published, figures: FigureMaker) -> tuple[FamilySection, ...]:
    """One section per measure family with results, one subsection per measure."""
    table = published.table
    measures = sorted(dict.fromkeys(table["measure"].astype(str)), key=_sort_key)
    by_family: dict[str, list[MeasureSection]] = {}
    for measure in measures:
        spec = find_spec(measure)
        family = spec.family if spec is not None else _OTHER_FAMILY[0]
        if family == "recording":
            continue
        rows = table[table["measure"].astype(str) == measure]
        by_family.setdefault(family, []).append(_measure_section(published, measure, rows, figures))
    sections = []
    for family, title in (*FAMILY_TITLES, _OTHER_FAMILY):
        if family in by_family:
            sections.append(
                FamilySection(
                    id=anchor("family", family), title=title, measures=tuple(by_family[family])
                )
            )
    return tuple(sections)
