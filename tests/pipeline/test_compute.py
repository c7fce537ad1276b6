"""End-to-end: ``compute`` on the bundled sample trust, reproducibility, failure isolation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import equitymetrics as em
from equitymetrics.exceptions import ConfigurationError
from equitymetrics.measures import EXTRA_COLUMNS, RESULT_COLUMNS

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CONFIG = REPO / "sample_data" / "quarterly.toml"


@pytest.fixture(scope="module")
def results() -> em.Results:
    return em.compute(SAMPLE_CONFIG)


def test_every_catalogue_measure_is_computed(results: em.Results) -> None:
    assert results.failures == {}
    assert set(results.to_frame()["measure"]) == set(em.measures.list_measures())


def test_results_table_has_the_contract_columns_in_order(results: em.Results) -> None:
    table = results.to_frame()
    assert list(table.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    assert set(EXTRA_COLUMNS) <= set(table.columns)
    assert not table["interpretation"].eq("").any()


def test_trend_quarters_are_present(results: em.Results) -> None:
    table = results.to_frame()
    quarters = table.loc[table["measure"] == "restrictive_practice_people", "period_start"]
    assert quarters.nunique() == 8  # the sample has stays from 2023-07-01 on
    assert quarters.max() == pd.Timestamp("2025-04-01")


def test_units_trust_division_ward(results: em.Results) -> None:
    table = results.measure("restrictive_practice_people")
    assert set(table["unit_type"]) == {"trust", "division", "ward"}
    assert table.loc[table["unit_type"] == "ward", "unit"].nunique() == 30


def test_planted_disparity_is_found_with_interval_excluding_one(results: em.Results) -> None:
    # docs/sample-data.md: Black patients restrained ~1.8x White patients on the same ward.
    table = results.measure("restrictive_practice_people")
    row = table[
        (table["period_start"] == "2025-04-01")
        & (table["unit_type"] == "trust")
        & (table["group"] == "Black")
        & (table["adjustment"] == "ward (Mantel-Haenszel)")
    ].iloc[0]
    assert row["ratio_lower_ci"] > 1
    assert row["significance"] == "higher"


def test_provenance_records_inputs_and_methods(results: em.Results) -> None:
    provenance = results.provenance
    assert provenance.library_version == em.__version__
    assert {record.table for record in provenance.inputs} == set(em.datasets.sample_trust_files())
    for record in provenance.inputs:
        assert len(record.sha256) == 64
        assert record.rows_read == record.rows_accepted + sum(record.rows_excluded.values())
    assert {"wilson", "katz", "byar", "mantel-haenszel", "dobson"} <= {
        method.name for method in provenance.methods
    }
    json.loads(provenance.model_dump_json())  # serialisable


def test_same_inputs_give_identical_results(results: em.Results) -> None:
    again = em.compute(SAMPLE_CONFIG)
    pd.testing.assert_frame_equal(results.to_frame(), again.to_frame())
    assert results.provenance == again.provenance


def test_a_failing_family_does_not_lose_the_others(tmp_path: Path) -> None:
    config = em.load_config(SAMPLE_CONFIG)
    analysis = config.analysis.model_copy(
        update={"catchment": [], "measures": ["mha_detentions", "wres_2"]}
    )
    results = em.compute(config.model_copy(update={"analysis": analysis}))
    assert "mha" in results.failures
    assert "catchment" in results.failures["mha"]
    measures_present = set(results.to_frame()["measure"])
    assert measures_present == {"wres_2"}
    assert not any(m.startswith("mha_") for m in measures_present)
    assert "mha" in results.provenance.measures_failed


def test_measure_selection_and_unknown_measure(tmp_path: Path) -> None:
    config = em.load_config(SAMPLE_CONFIG)
    only = config.model_copy(
        update={"analysis": config.analysis.model_copy(update={"measures": ["wres_2"]})}
    )
    assert set(em.compute(only).to_frame()["measure"]) == {"wres_2"}
    wrong = config.model_copy(
        update={"analysis": config.analysis.model_copy(update={"measures": ["wres_99"]})}
    )
    with pytest.raises(ConfigurationError, match="wres_99"):
        em.compute(wrong)


def test_missing_tables_skip_their_family_and_say_so() -> None:
    config = em.load_config(SAMPLE_CONFIG)
    data = {k: v for k, v in config.data.items() if k != "smi_register"}
    analysis = config.analysis.model_copy(update={"measures": ["smi_health_checks", "wres_2"]})
    results = em.compute(config.model_copy(update={"data": data, "analysis": analysis}))
    assert "smi" in results.provenance.measures_skipped
    assert "smi_register" in results.provenance.measures_skipped["smi"]


def test_reference_outside_the_grouping_fails_before_loading() -> None:
    config = em.load_config(SAMPLE_CONFIG)
    analysis = config.analysis.model_copy(update={"grouping": "nhs16", "reference": "White"})
    with pytest.raises(ConfigurationError, match="White - British"):
        em.compute(config.model_copy(update={"analysis": analysis}))
