"""A realistic run's results, built by hand, for the report tests.

The counts are invented but consistent (wards add up to divisions and to the trust; groups add
up to "All"), and the statistics come from the measures layer's own row builders, so the table
looks exactly like a pipeline's. Some ward and division names carry HTML and spreadsheet-formula
payloads, and one numerator is 3 (which every published output must suppress).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from equitymetrics.measures import (
    Comparison,
    InputRecord,
    MethodRecord,
    Provenance,
    Results,
    comparison_rows,
    finalise_results,
    interpret_rows,
    recording_results,
    stratified_rows,
)

SCRIPT_WARD = "Cedar <script>window.__pwned = 1; alert('ward')</script>"
IMAGE_WARD = "<img src=x onerror=\"window.__pwned = 1; alert('img')\">"
FORMULA_WARD = '=HYPERLINK("https://attacker.invalid","click")'
SCRIPT_DIVISION = "<script>window.__pwned = 1</script>East"
FORMULA_DIVISION = "@SUM(1+1)*cmd|' /C calc'!A0"
PAYLOADS = (SCRIPT_WARD, IMAGE_WARD, FORMULA_WARD, SCRIPT_DIVISION, FORMULA_DIVISION)

WARDS = {  # ward -> division
    "Oak": "North",
    "Birch": "North",
    SCRIPT_WARD: "North",
    IMAGE_WARD: SCRIPT_DIVISION,
    FORMULA_WARD: SCRIPT_DIVISION,
    "Willow": FORMULA_DIVISION,
}
GROUPS = ("White", "Asian", "Black", "Mixed", "Other")
UNKNOWN = "Not known"
QUARTERS = (
    (dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
)
CURRENT = QUARTERS[-1]
TRUST = "Example Partnership NHS Foundation Trust"

SMALL_WARD, SMALL_GROUP = "Birch", "Black"
SMALL_NUMERATOR, SMALL_DENOMINATOR = 3.0, 41.0
"""The cell that disclosure control must suppress in every output."""

COMPARISON = Comparison(grouping="broad", reference="White", groups=GROUPS)
KEYS = ["period_start", "period_end", "unit_type", "unit"]


def _ward_counts() -> pd.DataFrame:
    """Restrictive-practice people counts per quarter, ward and group (fixed seed)."""
    rng = np.random.default_rng(20250630)
    share = {"White": 0.55, "Asian": 0.12, "Black": 0.16, "Mixed": 0.06, "Other": 0.05}
    risk = {"White": 0.16, "Asian": 0.07, "Black": 0.34, "Mixed": 0.22, "Other": 0.17}
    share[UNKNOWN] = 0.06
    risk[UNKNOWN] = 0.20
    rows = []
    for start, end in QUARTERS:
        for ward in WARDS:
            size = int(rng.integers(180, 260))
            for group, part in share.items():
                denominator = max(round(size * part), 9)
                numerator = int(rng.binomial(denominator, risk[group]))
                if (start, end) == CURRENT and (ward, group) == (SMALL_WARD, SMALL_GROUP):
                    numerator, denominator = int(SMALL_NUMERATOR), int(SMALL_DENOMINATOR)
                rows.append((start, end, ward, WARDS[ward], group, numerator, denominator))
    frame = pd.DataFrame(
        rows,
        columns=[
            "period_start",
            "period_end",
            "ward",
            "division",
            "group",
            "numerator",
            "denominator",
        ],
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def _with_all(counts: pd.DataFrame) -> pd.DataFrame:
    total = counts.groupby(KEYS, as_index=False, sort=False)[["numerator", "denominator"]].sum()
    total["group"] = "All"
    return pd.concat([counts, total], ignore_index=True)


def _units(wards: pd.DataFrame, unit_type: str, *, current_only: bool) -> pd.DataFrame:
    frame = wards if not current_only else wards[wards["period_start"] == pd.Timestamp(CURRENT[0])]
    column = {"ward": "ward", "division": "division"}.get(unit_type)
    if column is None:
        summed = frame.groupby(["period_start", "period_end", "group"], as_index=False, sort=False)
        counts = summed[["numerator", "denominator"]].sum()
        counts["unit"] = TRUST
    else:
        summed = frame.groupby(
            ["period_start", "period_end", column, "group"], as_index=False, sort=False
        )
        counts = summed[["numerator", "denominator"]].sum().rename(columns={column: "unit"})
    counts["unit_type"] = unit_type
    return _with_all(counts)


def _restrictive_people(wards: pd.DataFrame) -> list[pd.DataFrame]:
    parts = [
        comparison_rows(
            _units(wards, "trust", current_only=False),
            measure=MEASURE_PEOPLE,
            comparison=COMPARISON,
            kind="proportion",
            multiplier=100.0,
        ),
        comparison_rows(
            _units(wards, "division", current_only=True),
            measure=MEASURE_PEOPLE,
            comparison=COMPARISON,
            kind="proportion",
            multiplier=100.0,
        ),
        comparison_rows(
            _units(wards, "ward", current_only=True),
            measure=MEASURE_PEOPLE,
            comparison=COMPARISON,
            kind="proportion",
            multiplier=100.0,
        ),
    ]
    current = wards[wards["period_start"] == pd.Timestamp(CURRENT[0])].assign(
        unit_type="trust", unit=TRUST
    )
    parts.append(
        stratified_rows(
            current,
            measure=MEASURE_PEOPLE,
            comparison=COMPARISON,
            kind="proportion",
            stratum=["ward"],
            adjustment="ward (Mantel-Haenszel)",
        )
    )
    return parts


MEASURE_PEOPLE = "restrictive_practice_people"


def _population_rates() -> pd.DataFrame:
    """MHA detentions per 100,000 residents, trust level, four quarters."""
    population = {
        "White": 310_000,
        "Asian": 42_000,
        "Black": 21_000,
        "Mixed": 12_500,
        "Other": 9_800,
    }
    rate = {"White": 18.0, "Asian": 21.0, "Black": 74.0, "Mixed": 33.0, "Other": 25.0}
    rng = np.random.default_rng(7)
    rows = []
    for start, end in QUARTERS:
        for group in GROUPS:
            expected = population[group] * rate[group] / 100_000
            rows.append(
                (
                    pd.Timestamp(start),
                    pd.Timestamp(end),
                    "trust",
                    TRUST,
                    group,
                    float(rng.poisson(expected)),
                    float(population[group]),
                )
            )
    frame = pd.DataFrame(rows, columns=[*KEYS, "group", "numerator", "denominator"])
    return comparison_rows(
        frame, measure="mha_detentions", comparison=COMPARISON, kind="rate", multiplier=100_000.0
    )


def _wres_2() -> pd.DataFrame:
    binary = Comparison(grouping="binary", reference="White", groups=("White", "BME"))
    start, end = pd.Timestamp(CURRENT[0]), pd.Timestamp(CURRENT[1])
    frame = pd.DataFrame(
        {
            "period_start": start,
            "period_end": end,
            "unit_type": "trust",
            "unit": TRUST,
            "group": ["White", "BME"],
            "numerator": [188.0, 59.0],
            "denominator": [400.0, 403.0],
        }
    )
    # WRES indicator 2 is White / BME: compare White against the BME reference.
    white_first = Comparison(grouping="binary", reference="BME", groups=("BME", "White"))
    rows = comparison_rows(
        frame, measure="wres_2", comparison=white_first, kind="proportion", multiplier=100.0
    )
    rows["non_adverse_range"] = [
        pd.NA if np.isnan(r) else bool(0.8 <= r <= 1.25) for r in rows["ratio"]
    ]
    del binary
    return rows


def _recording(wards: pd.DataFrame) -> pd.DataFrame:
    """Ethnicity recording of inpatients per ward and for the trust (reporting quarter)."""
    current = wards[wards["period_start"] == pd.Timestamp(CURRENT[0])]
    # NHS ethnic category codes: A White British, H Indian, M Caribbean, D White and Black
    # Caribbean, S any other ethnic group, 99 not known.
    code = {"White": "A", "Asian": "H", "Black": "M", "Mixed": "D", "Other": "S", UNKNOWN: "99"}
    ward_counts = pd.DataFrame(
        {
            "period_start": current["period_start"],
            "period_end": current["period_end"],
            "unit_type": "ward",
            "unit": current["ward"],
            "ethnic_category": current["group"].map(code),
            "count": current["denominator"],
        }
    )
    trust_counts = ward_counts.assign(unit_type="trust", unit=TRUST)
    counts = pd.concat([trust_counts, ward_counts], ignore_index=True)
    keys = ["period_start", "period_end", "unit_type", "unit", "ethnic_category"]
    counts = counts.groupby(keys, as_index=False, sort=False)["count"].sum()
    return recording_results({"inpatients": counts}, confidence_level=0.95)


UNIT_PARENTS = {("ward", ward): ("division", division) for ward, division in WARDS.items()}
"""Which division holds each ward (passed to disclosure control)."""


def build_table() -> pd.DataFrame:
    wards = _ward_counts()
    table = finalise_results(
        [*_restrictive_people(wards), _population_rates(), _wres_2(), _recording(wards)]
    )
    table["interpretation"] = interpret_rows(table)
    return table


def build_results() -> Results:
    provenance = Provenance(
        library_version="0.1.0",
        python_version="3.11.9",
        dependencies={"numpy": "2.4.0", "pandas": "3.1.0", "scipy": "1.17.0"},
        created=dt.datetime(2025, 7, 14, 9, 30, tzinfo=dt.UTC),
        organisation=TRUST,
        period_start=CURRENT[0],
        period_end=CURRENT[1],
        configuration={
            "organisation": {"name": TRUST},
            "period": {"start": "2025-04-01", "end": "2025-06-30"},
            "analysis": {"grouping": "broad", "reference": "White", "confidence_level": 0.95},
            "disclosure": {"policy": "nhs_secondary_care"},
        },
        inputs=[
            InputRecord(
                table="patients",
                source="patients.csv",
                loader="csv",
                sha256="a" * 64,
                rows_read=12_406,
                rows_accepted=12_400,
                rows_excluded={"invalid age": 3, "duplicate person": 3},
            ),
            InputRecord(
                table="restrictive_interventions",
                source="ri.parquet",
                loader="parquet",
                sha256="b" * 64,
                rows_read=4_021,
                rows_accepted=4_021,
                rows_excluded={},
            ),
        ],
        methods=[
            MethodRecord(
                name="Wilson score interval",
                used_for="proportions",
                reference="Wilson EB (1927) J Am Stat Assoc 22:209-212",
            ),
            MethodRecord(
                name="Katz log method",
                used_for="risk ratios",
                reference="Katz D et al. (1978) Biometrics 34:469-474",
            ),
            MethodRecord(
                name="Mantel-Haenszel risk ratio",
                used_for="ratios adjusted for ward",
                reference="Greenland S, Robins JM (1985) Biometrics 41:55-68",
            ),
        ],
        measures_computed=[MEASURE_PEOPLE, "mha_detentions", "wres_2", "ethnicity_recording"],
        measures_failed={"smi_health_checks": "no smi_register table was configured"},
    )
    exclusions = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2025-04-01", "2025-04-01", "2025-04-01"]),
            "period_end": pd.to_datetime(["2025-06-30", "2025-06-30", "2025-06-30"]),
            "table": ["patients", "patients", "restrictive_interventions"],
            "reason": ["invalid age", "duplicate person", f"no stay on ward {IMAGE_WARD}"],
            "rows": [3, 3, 12],
        }
    )
    return Results(
        table=build_table(),
        provenance=provenance,
        exclusions=exclusions,
        failures={"wres": "staff table: column 'band' is missing <b>bold</b>"},
    )


@pytest.fixture(scope="session")
def results() -> Results:
    """The hand-built results (exact, before disclosure control)."""
    return build_results()


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory, results: Results) -> Path:
    """A folder holding every output of :func:`write_report` for ``results`` (written once)."""
    from equitymetrics.report import write_report

    folder = tmp_path_factory.mktemp("report")
    write_report(results, folder, unit_parents=UNIT_PARENTS)
    return folder


class ParsedPage(HTMLParser):
    """The parts of an HTML page the tests look at: every start tag, the text, the tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self.list_items: dict[str, list[str]] = {}
        self._table: dict[str, Any] | None = None
        self._row: list[tuple[str, dict[str, str | None], str]] | None = None
        self._cell: list[str] | None = None
        self._cell_tag: tuple[str, dict[str, str | None]] | None = None
        self._caption: list[str] | None = None
        self._list_class: list[str | None] = []
        self._item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = {"id": attributes.get("id"), "caption": "", "rows": []}
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_tag = [], (tag, attributes)
        elif tag in ("ul", "ol"):
            self._list_class.append(attributes.get("class"))
        elif tag == "li":
            self._item = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "caption" and self._caption is not None and self._table is not None:
            self._table["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._cell_tag is not None:
            assert self._row is not None
            self._row.append((*self._cell_tag, "".join(self._cell).strip()))
            self._cell = self._cell_tag = None
        elif tag in ("ul", "ol") and self._list_class:
            self._list_class.pop()
        elif tag == "li" and self._item is not None:
            name = (self._list_class[-1] if self._list_class else None) or ""
            self.list_items.setdefault(name, []).append(" ".join("".join(self._item).split()))
            self._item = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        for buffer in (self._cell, self._caption, self._item):
            if buffer is not None:
                buffer.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def parse_html(markup: str) -> ParsedPage:
    parser = ParsedPage()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.fixture(scope="session")
def page(report_dir: Path) -> ParsedPage:
    """``report.html`` parsed."""
    return parse_html((report_dir / "report.html").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Facts:
    """The constants of the hand-built results, for the test modules (which cannot import
    this conftest under pytest's importlib import mode)."""

    trust: str = TRUST
    current: tuple[dt.date, dt.date] = CURRENT
    payloads: tuple[str, ...] = PAYLOADS
    script_ward: str = SCRIPT_WARD
    image_ward: str = IMAGE_WARD
    formula_ward: str = FORMULA_WARD
    script_division: str = SCRIPT_DIVISION
    formula_division: str = FORMULA_DIVISION
    small_ward: str = SMALL_WARD
    small_group: str = SMALL_GROUP
    small_numerator: float = SMALL_NUMERATOR
    small_denominator: float = SMALL_DENOMINATOR
    measure: str = MEASURE_PEOPLE
    unit_parents: Any = None


@pytest.fixture(scope="session")
def facts() -> Facts:
    """Constants of the hand-built results."""
    return Facts(unit_parents=UNIT_PARENTS)


@pytest.fixture(scope="session")
def parse() -> Any:
    """The HTML parser used by the tests: ``parse(markup) -> ParsedPage``."""
    return parse_html


@pytest.fixture(scope="session")
def build() -> Any:
    """``build()`` -> a fresh copy of the hand-built results."""
    return build_results
