"""Shared fixtures of the chart tests: results rows written by hand, axes, artist lookup.

Every table is built row by row in the tests (not by the measures layer) and typed with
``finalise_results``, so the charts see the columns and types of a pipeline's output.
Expected values are computed in the tests themselves, never taken from the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from equitymetrics.measures import finalise_results

TRUST = "Example Partnership NHS Foundation Trust"

Row = dict[str, Any]


@pytest.fixture
def make_row() -> Callable[..., Row]:
    """One results row for the trust in April-June 2025; keyword arguments override."""

    def make(**fields: Any) -> Row:
        row: Row = {
            "measure": "restrictive_practice_people",
            "period_start": "2025-04-01",
            "period_end": "2025-06-30",
            "unit_type": "trust",
            "unit": TRUST,
            "grouping": "broad",
            "confidence_level": 0.95,
            "multiplier": 100.0,
            "adjustment": "none",
            "reference_group": "White",
        }
        row.update(fields)
        return row

    return make


@pytest.fixture
def make_results() -> Callable[[Iterable[Row]], pd.DataFrame]:
    """Row dictionaries -> a typed results table (missing columns filled in)."""

    def make(rows: Iterable[Row]) -> pd.DataFrame:
        return finalise_results([pd.DataFrame(list(rows))])

    return make


@pytest.fixture
def new_axes() -> Callable[[], Axes]:
    """Axes on a plain Figure (no pyplot), as a caller passing ``ax=`` would make them."""

    def make() -> Axes:
        return Figure(figsize=(6.3, 4.5)).add_subplot()

    return make


@pytest.fixture
def artists() -> Callable[..., list[Any]]:
    """The artists of an Axes with a given id, of one kind (lines, collections, ...)."""

    def find(ax: Axes, gid: str, kind: str = "lines") -> list[Any]:
        return [artist for artist in getattr(ax, kind) if artist.get_gid() == gid]

    return find
