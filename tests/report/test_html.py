"""report.html: sections, accessibility, escaping, self-containment, findings, disclosure."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from equitymetrics.measures import Results, get_measure
from equitymetrics.report._html import REPORT_SECTIONS


def _markup(report_dir: Path) -> str:
    return (report_dir / "report.html").read_text(encoding="utf-8")


def _current_exact(results: Results, facts: Any) -> pd.DataFrame:
    table = results.table
    return table[table["period_end"] == pd.Timestamp(facts.current[1])]


def _table_with(page: Any, caption_start: str) -> dict[str, Any]:
    for table in page.tables:
        if table["caption"].startswith(caption_start):
            return dict(table)
    raise AssertionError(f"no table captioned {caption_start!r}")


@pytest.mark.parametrize(("section", "heading"), REPORT_SECTIONS)
def test_every_section_is_present_with_its_heading(page: Any, section: str, heading: str) -> None:
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert section in ids
    assert heading in page.text


def test_title_names_the_organisation_and_period(report_dir: Path, facts: Any) -> None:
    markup = _markup(report_dir)
    title = re.search(r"<title>(.*?)</title>", markup, re.S)
    assert title is not None
    # The period written out by hand: 1 April 2025 to 30 June 2025.
    expected = f"Race equity report: {facts.trust}, 1 April 2025 to 30 June 2025"
    assert title.group(1) == expected
    assert f"<h1>{facts.trust}</h1>" in markup


@pytest.mark.parametrize("measure", ["restrictive_practice_people", "mha_detentions", "wres_2"])
def test_each_measure_is_headed_by_its_question(page: Any, measure: str) -> None:
    headings = [attrs.get("id") for tag, attrs in page.tags if tag == "h4"]
    assert f"measure-{measure}-heading" in headings
    assert get_measure(measure).question in page.text


def test_every_table_has_a_caption_and_scoped_headers(page: Any) -> None:
    assert len(page.tables) >= 8
    for table in page.tables:
        assert table["caption"], f"table {table['id']} has no caption"
        header, *body = table["rows"]
        assert header
        assert all(tag == "th" for tag, _, _ in header)
        assert all(attrs.get("scope") == "col" for _, attrs, _ in header)
        for row in body:
            assert row[0][0] == "th"
            assert row[0][1].get("scope") == "row"
            assert all(attrs.get("scope") in ("row", None) for _, attrs, _ in row)


def test_every_image_is_an_embedded_png_with_alt_text(page: Any) -> None:
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    # Restrictive practice: bar, forest, funnel and SPC charts; MHA: bar, forest and SPC;
    # WRES: bar and forest; recording: completeness.
    assert len(images) >= 8
    for attrs in images:
        assert (attrs.get("src") or "").startswith("data:image/png;base64,")
        assert len((attrs.get("alt") or "").strip()) > 40
        assert int(attrs.get("width") or 0) > 0


def test_no_script_and_no_external_resource(report_dir: Path, page: Any) -> None:
    markup = _markup(report_dir)
    assert "<script" not in markup.lower()
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base", "meta-refresh"}
    for _, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler attribute {name}"
            if name in ("src", "href") and value:
                assert value.startswith(("#", "data:image/png;base64,")), value
    style = re.search(r"<style>(.*?)</style>", markup, re.S)
    assert style is not None
    assert "url(" not in style.group(1)
    assert "@import" not in style.group(1)


def test_names_from_data_appear_as_text_not_markup(report_dir: Path, page: Any, facts: Any) -> None:
    markup = _markup(report_dir)
    for payload in facts.payloads:
        assert payload in page.text, payload
        if "<" in payload:
            assert payload not in markup, payload
    sources = [attrs.get("src") for tag, attrs in page.tags if tag == "img"]
    assert "x" not in sources


def _finding_rows(results: Results, facts: Any, report_dir: Path) -> pd.DataFrame:
    table = _current_exact(results, facts)
    lower, upper = table["ratio_lower_ci"], table["ratio_upper_ci"]
    chosen = table[(table["unit_type"] == "trust") & ((lower > 1) | (upper < 1))].copy()
    chosen["size"] = [abs(math.log(r)) for r in chosen["ratio"]]
    published = pd.read_csv(report_dir / "results.csv", keep_default_na=False, na_values=[""])
    shown = published.loc[
        published["ratio"].notna(),
        ["measure", "period_start", "unit_type", "grouping", "group", "adjustment"],
    ]
    keys = set(shown.itertuples(index=False, name=None))
    kept = [
        (m, p.strftime("%Y-%m-%d"), u, g, grp, a) in keys
        for m, p, u, g, grp, a in chosen[
            ["measure", "period_start", "unit_type", "grouping", "group", "adjustment"]
        ].itertuples(index=False, name=None)
    ]
    return chosen[kept].sort_values("size", ascending=False, kind="mergesort")


def test_key_findings_are_the_significant_ratios_largest_first(
    results: Results, page: Any, facts: Any, report_dir: Path
) -> None:
    # Independent criterion: the interval lies wholly above or below 1 (on the exact table),
    # ordered by the size of the log ratio, among the ratios that are published.
    rows = _finding_rows(results, facts, report_dir)
    expected = [" ".join(s.split()) for s in rows["interpretation"]]
    assert len(expected) >= 2, "the test data should hold significant ratios"
    assert page.list_items["findings"] == expected


def test_a_finding_withheld_by_disclosure_is_not_summarised(
    results: Results, report_dir: Path, facts: Any
) -> None:
    exact = _current_exact(results, facts)
    mixed = exact[(exact["measure"] == "mha_detentions") & (exact["group"] == "Mixed")].iloc[0]
    # The test data make this ratio significant on a numerator under 8, which the policy
    # suppresses, so its sentence must not be published.
    assert mixed["ratio_lower_ci"] > 1
    assert mixed["numerator"] < 8
    assert mixed["interpretation"] not in _markup(report_dir)


def test_trust_table_formats_values_from_exact_counts(
    results: Results, page: Any, facts: Any
) -> None:
    caption = f"{facts.measure}: {facts.trust}, 1 April 2025 to 30 June 2025 (grouping broad)"
    table = _table_with(page, caption)
    exact = _current_exact(results, facts)
    white = exact[
        (exact["measure"] == facts.measure)
        & (exact["unit_type"] == "trust")
        & (exact["group"] == "White")
        & (exact["adjustment"] == "none")
    ].iloc[0]
    row = next(r for r in table["rows"][1:] if r[0][2] == "White")
    cells = [text for _, _, text in row[1:]]
    # By hand: the percentage from the exact counts to one decimal; the count rounded to the
    # nearest 5 (NHS secondary-care rule).
    percentage = white["numerator"] / white["denominator"] * 100
    assert cells[2] == f"{percentage:.1f}"
    assert cells[0] == f"{5 * math.floor(white['numerator'] / 5 + 0.5):,}"
    assert cells[4] == "reference"


def test_adjusted_table_is_separate_and_captioned(page: Any, facts: Any) -> None:
    caption = (
        f"{facts.measure}: {facts.trust}, 1 April 2025 to 30 June 2025 (grouping broad, "
        "adjusted for ward (Mantel-Haenszel))"
    )
    table = _table_with(page, caption)
    groups = [row[0][2] for row in table["rows"][1:]]
    assert groups == ["White", "Asian", "Black", "Mixed", "Other"]


def test_suppressed_cell_is_a_star_with_a_footnote(page: Any, facts: Any) -> None:
    table = _table_with(page, f"{facts.measure}: by ward")
    row = next(
        r for r in table["rows"][1:] if r[0][2] == facts.small_ward and r[1][2] == facts.small_group
    )
    numerator, value = row[2], row[4]
    assert numerator[2] == "*"
    assert "withheld" in (numerator[1].get("class") or "")
    assert value[2] == "*"
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert f"{table['id']}-withheld" in ids


def test_suppressed_row_reveals_nothing(results: Results, report_dir: Path, facts: Any) -> None:
    exact = _current_exact(results, facts)
    row = exact[
        (exact["measure"] == facts.measure)
        & (exact["unit"] == facts.small_ward)
        & (exact["group"] == facts.small_group)
    ].iloc[0]
    assert row["numerator"] == facts.small_numerator
    markup = _markup(report_dir)
    assert row["interpretation"] not in markup
    for column in ("value", "lower_ci", "upper_ci", "ratio", "ratio_lower_ci"):
        assert f"{row[column]:.2f}" not in markup, column


def test_failures_and_skipped_families_are_listed_and_escaped(report_dir: Path) -> None:
    markup = _markup(report_dir)
    assert "smi_health_checks" in markup
    assert "no smi_register table was configured" in markup
    assert "column &#39;band&#39; is missing &lt;b&gt;bold&lt;/b&gt;" in markup


def test_data_quality_lists_exclusions_under_the_policy(page: Any, facts: Any) -> None:
    table = next(t for t in page.tables if t["id"] == "table-exclusions")
    by_reason = {(r[0][2], r[1][2]): r[3][2] for r in table["rows"][1:]}
    # 3 rows excluded -> suppressed; 12 -> rounded to the nearest 5, 10 (by hand).
    assert by_reason[("patients", "invalid age")] == "*"
    assert by_reason[("restrictive_interventions", f"no stay on ward {facts.image_ward}")] == "10"


def test_recording_completeness_is_in_data_quality(page: Any) -> None:
    table = _table_with(page, "Ethnicity recording completeness by trust")
    assert table["rows"][1][1][2] == "inpatients"


def test_methods_and_provenance_are_listed(results: Results, page: Any) -> None:
    for method in results.provenance.methods:
        assert method.name in page.text
        assert method.reference in page.text
    for record in results.provenance.inputs:
        assert record.sha256 in page.text
    assert "equitymetrics 0.1.0" in page.text


def test_policy_is_stated(page: Any) -> None:
    assert "NHS secondary-care rule (nhs_secondary_care)" in page.text
