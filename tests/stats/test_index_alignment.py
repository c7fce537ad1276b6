"""pandas arguments are paired by position, so arguments with different indexes are refused.

A Series of events indexed by group and a Series of totals in another order would otherwise be
paired silently, giving each group another group's denominator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from equitymetrics import stats
from equitymetrics.exceptions import ShapeMismatchError

GROUPS = ["White", "Black", "Asian"]
REORDERED = ["Black", "White", "Asian"]


def _series(values: list[float], index: list[str]) -> pd.Series:
    return pd.Series(values, index=index, dtype="float64")


EVENTS = [3.0, 5.0, 2.0]


def _events() -> pd.Series:
    return _series(EVENTS, GROUPS)


CALLS: list[tuple[str, Callable[[list[str]], Any]]] = [
    ("proportion", lambda i: stats.proportion(_events(), _series([10, 20, 8], i))),
    ("crude_rate", lambda i: stats.crude_rate(_events(), _series([1e3, 2e3, 8e2], i))),
    ("risk_ratio", lambda i: stats.risk_ratio(_events(), _series([10, 20, 8], i), 4, 40)),
    ("odds_ratio", lambda i: stats.odds_ratio(_events(), 30, 4, _series([40, 40, 40], i))),
    ("rate_ratio", lambda i: stats.rate_ratio(_events(), _series([1e3, 2e3, 8e2], i), 4, 4e3)),
    ("risk_difference", lambda i: stats.risk_difference(_events(), _series([10, 20, 8], i), 4, 40)),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_series_with_another_order_are_refused(name: str, call: Callable[[list[str]], Any]) -> None:
    with pytest.raises(ShapeMismatchError, match=r"different indexes .*reindex"):
        call(REORDERED)


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_series_with_the_same_index_are_accepted(
    name: str, call: Callable[[list[str]], Any]
) -> None:
    assert np.all(np.isfinite(call(GROUPS).estimate))


def test_aligned_series_give_the_proportions_by_hand() -> None:
    result = stats.proportion(_series([3, 5, 2], GROUPS), _series([10, 20, 8], GROUPS))
    np.testing.assert_allclose(result.estimate, [3 / 10, 5 / 20, 2 / 8], rtol=1e-15)


def test_the_message_names_both_arguments_and_their_labels() -> None:
    with pytest.raises(ShapeMismatchError) as raised:
        stats.proportion(_series([3, 5, 2], GROUPS), _series([10, 20, 8], REORDERED))
    message = str(raised.value)
    assert "events and total" in message
    assert "['White', 'Black', 'Asian']" in message
    assert "['Black', 'White', 'Asian']" in message


def test_series_with_plain_arrays_and_scalars_are_not_checked() -> None:
    # Only pandas objects carry an index; a list next to a Series is paired by position.
    result = stats.proportion(_series([3, 5, 2], REORDERED), [10, 20, 8])
    np.testing.assert_allclose(result.estimate, [0.3, 0.25, 0.25], rtol=1e-15)


def test_directly_standardised_rate_refuses_misaligned_frames() -> None:
    events = pd.DataFrame([[1, 2], [3, 4]], index=["A", "B"])
    population = pd.DataFrame([[100, 200], [300, 400]], index=["B", "A"])
    with pytest.raises(ShapeMismatchError, match="events and population"):
        stats.directly_standardised_rate(events, population, [0.5, 0.5])
