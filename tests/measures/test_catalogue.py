"""The catalogue: identifiers of the data contract, questions, and the docs page in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.measures import CATALOGUE, get_measure, list_measures

DOCS = Path(__file__).resolve().parents[2] / "docs" / "measures.md"

# The measure identifiers fixed by the data contract (docs/data-contract.md).
CONTRACT_IDS = {
    "ethnicity_recording",
    "smi_health_checks",
    "restrictive_practice_people",
    "restrictive_practice_rate",
    "mha_detentions",
    "mha_detentions_standardised",
    "mha_cto",
    *(f"wres_{n}" for n in range(1, 10)),
    *(
        f"smi_health_check_{e}"
        for e in ("bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol")
    ),
    *(
        f"restrictive_practice_{t}"
        for t in ("physical", "prone", "mechanical", "chemical", "seclusion", "segregation")
    ),
}


def test_catalogue_has_every_contract_measure_once() -> None:
    ids = list_measures()
    assert len(ids) == len(set(ids))
    assert set(ids) == CONTRACT_IDS


def test_every_measure_has_a_question_and_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for spec in CATALOGUE:
        assert spec.question.endswith("?")
        assert f"`{spec.id}`" in text, f"docs/measures.md does not document {spec.id}"


def test_unknown_measure_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidArgumentError, match="wres_2"):
        get_measure("wres_10")
    assert get_measure("wres_2").family == "wres"
