"""SMI health-check measures and interpretation sentences, from hand-made counts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from equitymetrics import measures, taxonomy

Z95 = 1.959963984540054
PERIOD = {"period_start": pd.Timestamp("2025-04-01"), "period_end": pd.Timestamp("2025-06-30")}


def _smi() -> pd.DataFrame:
    rows = [
        # code, sex, band, register, each element count, all six
        ("A", "1", "18-34", 200, 150, 120),
        ("A", "2", "35-64", 300, 240, 180),
        ("N", "1", "18-34", 60, 30, 24),
        ("N", "2", "35-64", 40, 25, 20),
    ]
    frame = pd.DataFrame(
        rows, columns=["ethnic_category", "sex", "age_band", "register", "element", "all_six"]
    )
    for element in measures.SMI_ELEMENTS:
        frame[element] = frame["element"]
    return frame.drop(columns="element").assign(snapshot_date=PERIOD["period_end"], **PERIOD)


def _table() -> pd.DataFrame:
    grouping = taxonomy.get_grouping("broad")
    comparison = measures.comparison_for(grouping, "White", 0.95)
    table = measures.finalise_results(
        measures.smi_results(_smi(), grouping, comparison, trust="Trust")
    )
    table["interpretation"] = measures.interpret_rows(table)
    return table


def test_all_six_checks_share_and_risk_ratio() -> None:
    table = _table()
    black = table[
        (table["measure"] == "smi_health_checks")
        & (table["group"] == "Black")
        & (table["adjustment"] == "none")
    ].iloc[0]
    assert black["value"] == pytest.approx(44 / 100 * 100)
    ratio = (44 / 100) / (300 / 500)
    se = math.sqrt(1 / 44 - 1 / 100 + 1 / 300 - 1 / 500)
    assert black["ratio"] == pytest.approx(ratio, rel=1e-12)
    assert black["ratio_upper_ci"] == pytest.approx(ratio * math.exp(Z95 * se), rel=1e-12)
    assert black["significance"] == "lower"
    assert "0.73 times as likely" in black["interpretation"]


def test_every_element_has_a_measure() -> None:
    measures_present = set(_table()["measure"])
    for element in measures.SMI_ELEMENTS:
        assert f"smi_health_check_{element}" in measures_present


def test_no_evidence_sentence_when_interval_includes_one() -> None:
    row = pd.Series(
        {
            "measure": "restrictive_practice_people",
            "group": "Asian",
            "reference_group": "White",
            "ratio": 1.2,
            "ratio_lower_ci": 0.8,
            "ratio_upper_ci": 1.8,
            "significance": "no evidence of a difference",
            "adjustment": "none",
            "value": 12.0,
            "lower_ci": 8.0,
            "upper_ci": 17.0,
            "confidence_level": 0.95,
            "note": "",
            "small_numbers": False,
        }
    )
    sentence = measures.interpretation(row)
    assert sentence.startswith("There is no evidence of a difference between Asian inpatients")
    assert "ratio 1.20, 95% CI 0.80 to 1.80" in sentence


def test_small_numbers_caution_is_added() -> None:
    row = pd.Series(
        {
            "measure": "mha_detentions",
            "group": "Mixed",
            "reference_group": "White",
            "ratio": 3.1,
            "ratio_lower_ci": 1.2,
            "ratio_upper_ci": 8.0,
            "significance": "higher",
            "adjustment": "none",
            "value": 50.0,
            "lower_ci": 20.0,
            "upper_ci": 90.0,
            "confidence_level": 0.95,
            "note": "",
            "small_numbers": True,
        }
    )
    sentence = measures.interpretation(row)
    assert "had 3.10 times the rate of detentions under the Mental Health Act" in sentence
    assert "small numbers" in sentence
