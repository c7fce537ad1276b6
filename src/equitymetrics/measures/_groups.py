"""Roll counts by NHS ethnic category up to the configured grouping, with an "All" row."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.measures._compare import ALL_GROUP, Comparison
from equitymetrics.taxonomy import Grouping, assign_group

__all__ = ["comparison_for", "roll_up"]


def comparison_for(grouping: Grouping, reference: str, confidence_level: float) -> Comparison:
    """The :class:`Comparison` for ``grouping`` against the named ``reference`` group."""
    if reference not in grouping.comparable_groups:
        valid = ", ".join(repr(g) for g in grouping.comparable_groups)
        raise InvalidArgumentError(
            f"reference={reference!r} is not a group of the {grouping.name!r} grouping; "
            f"choose one of {valid}."
        )
    return Comparison(
        grouping=grouping.name,
        reference=reference,
        groups=tuple(grouping.comparable_groups),
        confidence_level=confidence_level,
    )


def roll_up(
    counts: pd.DataFrame,
    grouping: Grouping,
    *,
    keys: Sequence[str],
    values: Sequence[str],
    include_all: bool = True,
) -> pd.DataFrame:
    """Sum ``values`` by ``keys`` and group, mapping ``ethnic_category`` through ``grouping``.

    Every group of the grouping appears for every key (with zero counts where nobody is in
    it), as do "Not stated" and "Not known" where present, and, when ``include_all``, an "All"
    row summing every ethnic category.
    """
    keys, values = list(keys), list(values)
    frame = counts.copy()
    frame["group"] = assign_group(frame["ethnic_category"], grouping).to_numpy()
    summed = frame.groupby([*keys, "group"], dropna=False, sort=True)[values].sum().reset_index()
    if summed.empty:
        return summed
    key_table = summed[keys].drop_duplicates()
    full = key_table.merge(pd.DataFrame({"group": list(grouping.comparable_groups)}), how="cross")
    summed = full.merge(summed, on=[*keys, "group"], how="outer")
    summed[values] = summed[values].fillna(0)
    if include_all:
        totals = frame.groupby(keys, dropna=False, sort=True)[values].sum().reset_index()
        totals["group"] = ALL_GROUP
        summed = pd.concat([summed, totals], ignore_index=True)
    return summed.sort_values([*keys, "group"], kind="mergesort").reset_index(drop=True)
