"""The object a run returns: the results table with its provenance and data-quality record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["InputRecord", "MethodRecord", "Provenance", "Results"]


class InputRecord(BaseModel):
    """One input table: where it came from, its fingerprint and its row accounting."""

    model_config = ConfigDict(frozen=True)

    table: str
    source: str
    loader: str
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_excluded: dict[str, int] = Field(default_factory=dict)


class MethodRecord(BaseModel):
    """A statistical method used in the results, with its reference."""

    model_config = ConfigDict(frozen=True)

    name: str
    used_for: str
    reference: str


class Provenance(BaseModel):
    """How the results were made: enough to reproduce and cite them.

    ``created`` is fixed by the configuration or ``SOURCE_DATE_EPOCH`` so that the same inputs
    and version give byte-identical outputs.
    """

    model_config = ConfigDict(frozen=True)

    library: str = "equitymetrics"
    library_version: str
    python_version: str
    dependencies: dict[str, str]
    created: dt.datetime
    organisation: str
    period_start: dt.date
    period_end: dt.date
    configuration: dict[str, Any]
    inputs: list[InputRecord]
    methods: list[MethodRecord]
    measures_computed: list[str]
    measures_failed: dict[str, str] = Field(default_factory=dict)
    measures_skipped: dict[str, str] = Field(default_factory=dict)
    disclosure_policy: str = ""


@dataclass(frozen=True)
class Results:
    """The results of a run.

    Attributes
    ----------
    table : DataFrame
        The exact results table (no disclosure control applied): one row per measure x period
        x unit x grouping x group x adjustment; see ``docs/data-contract.md``.
    provenance : Provenance
        Versions, configuration, input fingerprints and row accounting, methods, references.
    exclusions : DataFrame
        Rows the aggregation could not use, by period, table and reason, with counts.
    failures : dict
        Measure family -> error message for every family that could not be computed; the
        other families' results are still in ``table``.
    unit_parents : dict
        ``{(unit_type, unit): (unit_type, unit)}``: the unit that contains each unit (ward ->
        division -> trust; WRES bands -> trust). Disclosure control needs it so that a count
        suppressed in a ward cannot be recovered from its division.
    """

    table: pd.DataFrame
    provenance: Provenance
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    failures: dict[str, str] = field(default_factory=dict)
    unit_parents: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the exact results table."""
        return self.table.copy()

    def measure(self, measure_id: str) -> pd.DataFrame:
        """The rows of one measure."""
        return self.table[self.table["measure"] == measure_id].reset_index(drop=True)
