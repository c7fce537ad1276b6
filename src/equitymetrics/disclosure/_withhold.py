"""Withhold the statistics that would reveal a suppressed count.

Statistics are published as computed from exact counts, except where they, together with
what is published, would give a suppressed count back:

* a row whose numerator or denominator is suppressed: its rate and interval (rate x
  denominator is the numerator), its ratio and interval (ratio x reference rate x
  denominator), its excess events (excess + expected), and the extra columns the measures add
  (significance, sensitivity range, non-adverse-range flag, small-numbers flag and the
  sentence, which quotes the figures);
* every row of a table whose reference group has a suppressed count: the ratios, their
  intervals and the excess events (each gives the reference rate), with the extras that
  depend on them;
* every row of a table whose "Not stated", "Not known" or "Unrecognised" row has a suppressed
  count: the sensitivity range of the ratio, which is computed from those counts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.disclosure._tables import Linkage

__all__ = ["NON_GROUPS", "REFERENCE_COLUMNS", "STATISTIC_COLUMNS", "withhold_statistics"]

BoolArray = npt.NDArray[np.bool_]

STATISTIC_COLUMNS: tuple[str, ...] = (
    "value",
    "lower_ci",
    "upper_ci",
    "ratio",
    "ratio_lower_ci",
    "ratio_upper_ci",
    "excess_events",
)
"""Columns withheld in a row whose numerator or denominator is suppressed."""

REFERENCE_COLUMNS: tuple[str, ...] = ("ratio", "ratio_lower_ci", "ratio_upper_ci", "excess_events")
"""Columns withheld in every row of a table whose reference group's count is suppressed."""

_SENSITIVITY = ("ratio_sensitivity_lower", "ratio_sensitivity_upper")
_ROW_EXTRAS = (
    "significance",
    "non_adverse_range",
    "small_numbers",
    "interpretation",
    *_SENSITIVITY,
)
_REFERENCE_EXTRAS = ("significance", "non_adverse_range", "interpretation", *_SENSITIVITY)

NON_GROUPS = frozenset({"Not stated", "Not known", "Unrecognised"})
"""Rows of a table that are not ethnic groups; their counts enter the sensitivity range."""

_STATISTICS_NOTE = "statistics withheld because they would reveal a suppressed count"
_UNKNOWN_NOTE = "sensitivity range withheld because a not-stated or not-known count is suppressed"


def _reference_note(reference: object) -> str:
    return (
        f"ratio and excess events withheld because the reference group ({reference}) has a "
        "suppressed count"
    )


def _blank(published: pd.DataFrame, rows: BoolArray, columns: tuple[str, ...]) -> BoolArray:
    """Set ``columns`` missing in ``rows``; return the rows where a value was removed."""
    removed = np.zeros(len(published), dtype=bool)
    for column in (c for c in columns if c in published.columns):
        present = published[column].notna().to_numpy()
        removed |= rows & present
        if (rows & present).any():
            published[column] = published[column].mask(rows)
    return removed


def withhold_statistics(
    published: pd.DataFrame, hidden: BoolArray, linkage: Linkage, notes: list[list[str]]
) -> BoolArray:
    """Withhold, in place, what would reveal a count in a ``hidden`` row; note why.

    Returns the rows where anything was withheld.
    """
    own = _blank(published, hidden, (*STATISTIC_COLUMNS, *_ROW_EXTRAS))
    for row in np.flatnonzero(own):
        notes[row].append(_STATISTICS_NOTE)

    reference = linkage.reference_row
    by_reference = (reference >= 0) & hidden[np.maximum(reference, 0)] & ~hidden
    shared = _blank(published, by_reference, (*REFERENCE_COLUMNS, *_REFERENCE_EXTRAS))
    for row in np.flatnonzero(shared):
        notes[row].append(_reference_note(linkage.group[reference[row]]))

    unknown_rows = hidden & np.array([g in NON_GROUPS for g in linkage.group], dtype=bool)
    exposed_tables = np.unique(linkage.table[unknown_rows])
    by_unknown = np.isin(linkage.table, exposed_tables) & ~hidden & ~by_reference
    sensitivity = _blank(published, by_unknown, _SENSITIVITY)
    for row in np.flatnonzero(sensitivity):
        notes[row].append(_UNKNOWN_NOTE)
    return own | shared | sensitivity
