"""The published copy: extra columns kept consistent with disclosure control; odd inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from equitymetrics.measures import (
    Comparison,
    Provenance,
    Results,
    comparison_rows,
    finalise_results,
    interpret_rows,
)
from equitymetrics.report import write_report
from equitymetrics.report._published import publish

START, END = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30")


def _provenance() -> Provenance:
    return Provenance(
        library_version="0.1.0",
        python_version="3.11.9",
        dependencies={},
        created=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
        organisation="Small Trust",
        period_start=START.date(),
        period_end=END.date(),
        configuration={},
        inputs=[],
        methods=[],
        measures_computed=["restrictive_practice_people"],
    )


def _small_reference_results() -> Results:
    """White (the reference) has 3 events: every ratio of the table reveals it."""
    counts = pd.DataFrame(
        {
            "period_start": START,
            "period_end": END,
            "unit_type": "trust",
            "unit": "Small Trust",
            "group": ["White", "Black", "Not known"],
            "numerator": [3.0, 40.0, 10.0],
            "denominator": [60.0, 200.0, 50.0],
        }
    )
    comparison = Comparison(grouping="binary", reference="White", groups=("White", "Black"))
    rows = comparison_rows(
        counts,
        measure="restrictive_practice_people",
        comparison=comparison,
        kind="proportion",
        multiplier=100.0,
    )
    table = finalise_results([rows])
    table["interpretation"] = interpret_rows(table)
    return Results(table=table, provenance=_provenance())


def test_a_withheld_ratio_withholds_its_extras() -> None:
    results = _small_reference_results()
    exact = results.table.set_index("group")
    # The exact table has a ratio, a sensitivity range and a significance for Black.
    assert exact.loc["Black", "ratio"] > 1
    assert exact.loc["Black", "ratio_sensitivity_lower"] > 0
    published = publish(results, "nhs_secondary_care").table.set_index("group")
    black = published.loc["Black"]
    assert pd.isna(black["ratio"])
    assert pd.isna(black["ratio_sensitivity_lower"])
    assert pd.isna(black["ratio_sensitivity_upper"])
    assert black["significance"] == "withheld"
    # Its own level is still published, and its sentence names why the comparison is not.
    assert black["value"] == pytest.approx(20.0)  # 40 / 200 x 100, by hand
    assert black["interpretation"] == (
        "Black inpatients: the comparison with the reference group is withheld because the "
        "reference group's count is suppressed under the NHS secondary-care rule."
    )
    white = published.loc["White"]
    assert pd.isna(white["numerator"])
    assert white["interpretation"] == (
        "White inpatients: figures withheld because they would reveal a count suppressed "
        "under the NHS secondary-care rule."
    )


def test_policy_none_changes_nothing_but_the_dtypes() -> None:
    results = _small_reference_results()
    published = publish(results, "none")
    assert not published.withheld.to_numpy().any()
    assert list(published.table["interpretation"]) == list(results.table["interpretation"])


def test_unknown_measure_gets_its_own_section_and_sheet(tmp_path: Path) -> None:
    base = _small_reference_results()
    extra = base.table.copy()
    extra["measure"] = "local_waiting_times"
    extra["interpretation"] = "A local measure <em>outside</em> the catalogue."
    table = pd.concat([base.table, extra], ignore_index=True)
    results = Results(table=table, provenance=base.provenance)
    write_report(results, tmp_path, formats=["html", "xlsx"], policy="none")
    workbook = openpyxl.load_workbook(tmp_path / "results.xlsx")
    assert workbook.sheetnames[-1] == "Other measures"
    assert workbook["Other measures"].max_row == len(extra) + 1
    markup = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="family-other"' in markup
    assert "A local measure &lt;em&gt;outside&lt;/em&gt; the catalogue." in markup


def test_empty_results_still_make_a_report(tmp_path: Path, parse: Any) -> None:
    base = _small_reference_results()
    results = Results(table=base.table.iloc[0:0], provenance=base.provenance)
    write_report(results, tmp_path, policy="none")
    page = parse((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert "No measure results to show." in page.text
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "provenance.json",
        "report.html",
        "results.csv",
        "results.parquet",
        "results.xlsx",
    ]
