"""How the rows of a results table are linked by sums: tables, units and nested groupings.

A published count can be recovered by subtraction wherever counts add up. This module finds
those sums in a results table and writes them as linear relations between *cells*:

* the groups of one table (same measure, period, unit, grouping and adjustment) add up to its
  ``"All"`` row; a table whose ratios use the whole population as the reference
  (``reference_group`` "overall" or "All") but has no ``"All"`` row publishes its total
  through the ratios, so its groups add up to a known total;
* the units of one type (division, ward, ...) add up to the single ``"trust"`` row of the same
  measure, period, grouping, adjustment and group;
* the periods that tile a longer period (four quarters and their year) add up to it, for the
  same measure, unit, grouping, adjustment and group (see ``_periods``);
* optionally, the units inside a larger unit (wards in a division) add up to it
  (``unit_parents``), and the groups of a finer grouping add up to the group of a coarser
  grouping that contains them (``nested_groupings``).

A cell is one count that may be published in several places, so that its copies are
suppressed together and a count hidden in one table is not shown in another: rows of one
measure and adjustment with the same period, unit and group label and the same value (the
"White" row of the broad and binary groupings, the "All" rows of every grouping) are one
cell, and so are the rows of two tables of the same period, unit and grouping whose counts are
all equal, with at least three of them non-zero (the same numerators published by a crude and
a standardised measure, or by crude and Mantel-Haenszel rows). Tables of zeros and single
events are left apart: equal tables of rare events in different measures are usually
coincidences, and joining them would link unrelated measures into one large audit.

A relation holds exactly in the data, or (for counts of distinct people, where a person can
be counted in two wards or in two quarters of a year) only as an inequality; each relation
records which.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.disclosure._linear import FloatArray
from equitymetrics.disclosure._periods import TILING_LIMIT, Span, period_days, tilings
from equitymetrics.exceptions import DataQualityWarning

__all__ = [
    "OVERALL_REFERENCES",
    "TABLE_KEY",
    "TOTAL_GROUP",
    "TOTAL_UNIT_TYPE",
    "CountSystem",
    "Linkage",
    "Relation",
    "build_linkage",
    "build_system",
    "warn_incomplete_periods",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TOTAL_GROUP = "All"
"""The ``group`` of the row that covers the whole population of a table."""

TOTAL_UNIT_TYPE = "trust"
"""The ``unit_type`` whose single row every other unit type adds up to."""

OVERALL_REFERENCES = frozenset({"overall", "all"})
"""``reference_group`` values (compared in lower case) that mean the whole population."""

TABLE_KEY = ("measure", "period_start", "period_end", "unit_type", "unit", "grouping", "adjustment")
"""Rows with equal values in these columns form one table."""

_CROSS_UNIT_KEY = ("measure", "period_start", "period_end", "grouping", "adjustment", "group")
_UNIT_KEY = ("measure", "period_start", "period_end", "unit_type", "unit", "adjustment")
_CELL_KEY = ("measure", "adjustment", "period_start", "period_end", "unit_type", "unit", "group")
_SHAPE_KEY = ("period_start", "period_end", "unit_type", "unit", "grouping")
_PERIOD_KEY = ("measure", "unit_type", "unit", "grouping", "adjustment", "group")
_RICH_TABLE = 3
"""Equal tables are one set of cells only if at least this many of their counts are non-zero."""


@dataclass(frozen=True, slots=True)
class RowRelation:
    """Parts that add up to a total row, or to a total known only through published ratios."""

    parts: tuple[int, ...]
    total: int | None


@dataclass(frozen=True, slots=True)
class Linkage:
    """The sums that link the rows of one results table (row positions, not yet cells).

    Attributes
    ----------
    relations : tuple of RowRelation
        Every sum found.
    covered : numpy.ndarray of bool
        Rows that take part in disclosure control (not exempt).
    priority : numpy.ndarray of int
        1 for rows that are best kept published (totals, reference groups, trust rows, long
        periods that shorter ones tile), else 0.
    cell_key : numpy.ndarray of int
        Rows of one measure and adjustment with the same period, unit and group (in any
        grouping) and the same value of a count are the same cell.
    table : numpy.ndarray of int
        The table each row belongs to.
    shape : numpy.ndarray of int
        Rows with equal period, unit and grouping: tables of the same shape in other measures
        or adjustments, which are the same cells when every count in them is equal.
    group : numpy.ndarray of object
        Each row's group label.
    reference_row : numpy.ndarray of int
        For each row, the row of its reference group in the same table, or -1.
    order : numpy.ndarray of int
        The rows sorted by table key and group: cells are numbered in this order, so the
        outcome does not depend on the order of the rows.
    incomplete_periods : numpy.ndarray of int
        Rows whose period other rows tile in more ways than are used as sums.
    """

    relations: tuple[RowRelation, ...]
    covered: BoolArray
    priority: IntArray
    cell_key: IntArray
    table: IntArray
    shape: IntArray
    group: npt.NDArray[np.object_]
    reference_row: IntArray
    order: IntArray
    incomplete_periods: IntArray


@dataclass(frozen=True, slots=True)
class Relation:
    """``sum(coefficients * x[cells])`` compared with ``constant``.

    ``sense`` is 0 for equality, +1 for ``>=`` and -1 for ``<=``.
    """

    cells: IntArray
    coefficients: FloatArray
    constant: float
    sense: int


@dataclass(frozen=True, slots=True)
class CountSystem:
    """The cells of one count column and the relations between them.

    Cells are numbered in the canonical row order (``Linkage.order``); ``first_row`` is the
    position of a cell's first row in that order.
    """

    column: str
    row_cell: IntArray
    values: FloatArray
    first_row: IntArray
    priority: IntArray
    relations: tuple[Relation, ...]
    cell_relations: tuple[tuple[int, ...], ...]


def _group_ids(frame: pd.DataFrame, columns: Sequence[str]) -> IntArray:
    keys = frame[list(columns)].astype(object)
    grouped = keys.groupby(list(columns), dropna=False, sort=False)
    return np.asarray(grouped.ngroup(), dtype=np.int64)


def _positions(ids: IntArray, mask: BoolArray, order: IntArray) -> dict[int, list[int]]:
    """Rows of each id among ``mask``, listed (and ids met) in the canonical ``order``."""
    found: dict[int, list[int]] = {}
    for position in order:
        if mask[position]:
            found.setdefault(int(ids[position]), []).append(int(position))
    return found


def _canonical_order(frame: pd.DataFrame) -> IntArray:
    """Rows sorted by their table key and group, so that nothing depends on the row order."""
    columns = [*TABLE_KEY, "group"]
    keys = [_text(frame, column) for column in reversed(columns)]
    text = [np.array(["" if v is None else "~" + v for v in key], dtype=str) for key in keys]
    return np.asarray(np.lexsort(text), dtype=np.int64)


def _text(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    if column not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    values = frame[column].astype(object).to_numpy()
    return np.array([None if pd.isna(v) else str(v) for v in values], dtype=object)


def _period_relations(
    frame: pd.DataFrame, covered: BoolArray, order: IntArray
) -> tuple[list[RowRelation], BoolArray, IntArray]:
    """Rows whose period the periods of other rows tile, as sums of those rows.

    Rows of one measure, unit, grouping, adjustment and group are compared. Also returns the
    rows that are such sums (long periods, kept published where possible like other totals)
    and the rows tiled in so many ways that only the first :data:`TILING_LIMIT` are used.
    """
    spans = period_days(frame)
    readable = covered & np.array([span is not None for span in spans], dtype=bool)
    relations: list[RowRelation] = []
    long_period = np.zeros(len(frame), dtype=bool)
    cut_short: list[int] = []
    for rows in _positions(_group_ids(frame, _PERIOD_KEY), readable, order).values():
        if len(rows) < 2:
            continue
        row_of: dict[Span, int] = {}
        for row in rows:
            span = spans[row]
            if span is None:  # excluded by ``readable``
                continue
            first = row_of.setdefault(span, row)
            if first != row:  # one period written in two ways: the same count
                relations.append(RowRelation((row,), first))
        found, truncated = tilings(row_of)
        for whole, parts in found:
            relations.append(RowRelation(tuple(row_of[part] for part in parts), row_of[whole]))
            long_period[row_of[whole]] = True
        cut_short.extend(row_of[whole] for whole in truncated)
    return relations, long_period, np.array(sorted(cut_short), dtype=np.int64)


def warn_incomplete_periods(frame: pd.DataFrame, linkage: Linkage) -> None:
    """Warn when some period is tiled in too many ways for every tiling to be used."""
    if linkage.incomplete_periods.size == 0:
        return
    row = int(linkage.incomplete_periods[0])
    others = linkage.incomplete_periods.size - 1
    warnings.warn(
        f"the period of row {row + 1} ({frame['measure'].iloc[row]}, "
        f"{frame['period_start'].iloc[row]} to {frame['period_end'].iloc[row]})"
        + (f" and of {others} other row(s)" if others else "")
        + f" is tiled by the periods of other rows in more than {TILING_LIMIT} ways; only "
        f"{TILING_LIMIT} of those sums are used, so a suppressed count might be recovered from "
        "another. Publish fewer overlapping periods of one measure together.",
        DataQualityWarning,
        stacklevel=3,
    )


def build_linkage(
    frame: pd.DataFrame,
    exempt_unit_types: Sequence[str],
    nested_groupings: Mapping[tuple[str, str], Mapping[str, str]],
    unit_parents: Mapping[tuple[str, str], tuple[str, str]],
) -> Linkage:
    """Find every sum that links the rows of ``frame`` (a validated results table)."""
    size = len(frame)
    unit_type = _text(frame, "unit_type")
    group = _text(frame, "group")
    grouping = _text(frame, "grouping")
    reference = _text(frame, "reference_group")
    covered = np.array([t not in exempt_unit_types for t in unit_type], dtype=bool)
    is_total = np.array([g == TOTAL_GROUP for g in group], dtype=bool)
    order = _canonical_order(frame)
    overall = np.array([r is not None and r.lower() in OVERALL_REFERENCES for r in reference])
    table = _group_ids(frame, TABLE_KEY)
    relations: list[RowRelation] = []

    reference_row = np.full(size, -1, dtype=np.int64)
    for rows in _positions(table, np.ones(size, dtype=bool), order).values():
        by_group = {group[row]: row for row in rows}
        for row in rows:
            wanted = TOTAL_GROUP if overall[row] else reference[row]
            reference_row[row] = by_group.get(wanted, -1)
        if not covered[rows[0]]:
            continue
        totals = [row for row in rows if is_total[row]]
        parts = tuple(row for row in rows if not is_total[row])
        if totals and parts:
            relations.append(RowRelation(parts, totals[0]))
        elif parts and overall[list(parts)].any():
            relations.append(RowRelation(parts, None))

    trust = np.array([t == TOTAL_UNIT_TYPE for t in unit_type], dtype=bool)
    cross = _group_ids(frame, _CROSS_UNIT_KEY)
    for rows in _positions(cross, covered, order).values():
        top = [row for row in rows if trust[row]]
        if len(top) != 1:
            continue
        by_type: dict[str, list[int]] = {}
        for row in rows:
            if not trust[row]:
                by_type.setdefault(str(unit_type[row]), []).append(row)
        for parts_of_type in by_type.values():
            relations.append(RowRelation(tuple(parts_of_type), top[0]))

    if unit_parents:
        unit = _text(frame, "unit")
        for rows in _positions(cross, covered, order).values():
            by_unit = {(unit_type[row], unit[row]): row for row in rows}
            children: dict[int, list[int]] = {}
            for row in rows:
                parent = by_unit.get(unit_parents.get((unit_type[row], unit[row]), ("", "")))
                if parent is not None:
                    children.setdefault(parent, []).append(row)
            for parent, members in children.items():
                relations.append(RowRelation(tuple(members), parent))

    if nested_groupings:
        unit_tables = _group_ids(frame, _UNIT_KEY)
        for rows in _positions(unit_tables, covered, order).values():
            for (fine, coarse), mapping in nested_groupings.items():
                for coarse_row in (row for row in rows if grouping[row] == coarse):
                    parts = tuple(
                        row
                        for row in rows
                        if grouping[row] == fine
                        and mapping.get(str(group[row])) == group[coarse_row]
                    )
                    if parts:
                        relations.append(RowRelation(parts, coarse_row))

    by_period, long_period, incomplete = _period_relations(frame, covered, order)
    relations.extend(by_period)

    priority = is_total | trust | long_period | (reference_row == np.arange(size))
    return Linkage(
        relations=tuple(relations),
        covered=covered,
        priority=priority.astype(np.int64),
        cell_key=_group_ids(frame, _CELL_KEY),
        table=table,
        shape=_group_ids(frame, _SHAPE_KEY),
        group=group,
        reference_row=reference_row,
        order=order,
        incomplete_periods=incomplete,
    )


def _sense(difference: float, scale: float) -> int:
    if np.isnan(difference) or abs(difference) <= 1e-9 * max(1.0, scale):
        return 0
    return 1 if difference > 0 else -1


def build_system(column: str, values: FloatArray, linkage: Linkage) -> CountSystem:
    """The cells of one count column (``values`` per row, NaN when already withheld)."""
    covered = [int(row) for row in linkage.order if linkage.covered[row]]
    parent = {row: row for row in covered}

    def root(row: int) -> int:
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return row

    def join(first: int, second: int) -> None:
        parent[max(root(first), root(second))] = min(root(first), root(second))

    same_count: dict[tuple[int, float], int] = {}
    for row in covered:
        if not np.isnan(values[row]):
            join(row, same_count.setdefault((int(linkage.cell_key[row]), float(values[row])), row))
    same_table: dict[tuple[object, ...], dict[object, int]] = {}
    for rows in _positions(linkage.table, linkage.covered, linkage.order).values():
        contents = sorted((str(linkage.group[row]), float(values[row])) for row in rows)
        if any(np.isnan(value) for _, value in contents):
            continue
        if sum(value != 0 for _, value in contents) < _RICH_TABLE:
            continue  # mostly zeros: equal tables of rare events are usually coincidences
        first = same_table.setdefault(
            (int(linkage.shape[rows[0]]), *contents), {linkage.group[row]: row for row in rows}
        )
        for row in rows:
            join(row, first[linkage.group[row]])

    row_cell = np.full(len(values), -1, dtype=np.int64)
    cell_of_root: dict[int, int] = {}
    cell_values: list[float] = []
    first_row: list[int] = []
    priority: list[int] = []
    for row in covered:
        cell = cell_of_root.setdefault(root(row), len(cell_values))
        if cell == len(cell_values):
            cell_values.append(float(values[row]))
            first_row.append(row)
            priority.append(int(linkage.priority[row]))
        else:
            priority[cell] = max(priority[cell], int(linkage.priority[row]))
        row_cell[row] = cell

    relations: list[Relation] = []
    for link in linkage.relations:
        coefficient: dict[int, float] = {}
        for row in link.parts:
            cell = int(row_cell[row])
            coefficient[cell] = coefficient.get(cell, 0.0) + 1.0
        part_values = np.array([values[row] for row in link.parts], dtype=np.float64)
        if link.total is None:
            if np.isnan(part_values).any():
                continue
            constant = float(part_values.sum())
        else:
            cell = int(row_cell[link.total])
            coefficient[cell] = coefficient.get(cell, 0.0) - 1.0
            constant = 0.0
        members = sorted(cell for cell, a in coefficient.items() if a != 0.0)
        if not members:
            continue
        member_cells = np.array(members, dtype=np.int64)
        member_coefficients = np.array([coefficient[c] for c in members], dtype=np.float64)
        member_values = np.array([cell_values[c] for c in members], dtype=np.float64)
        difference = float(member_coefficients @ member_values) - constant
        sense = _sense(difference, float(np.nansum(np.abs(member_values))))
        relations.append(Relation(member_cells, member_coefficients, constant, sense))

    cell_relations: list[list[int]] = [[] for _ in cell_values]
    for index, relation in enumerate(relations):
        for cell in relation.cells:
            cell_relations[int(cell)].append(index)
    return CountSystem(
        column=column,
        row_cell=row_cell,
        values=np.array(cell_values, dtype=np.float64),
        first_row=np.array(first_row, dtype=np.int64),
        priority=np.array(priority, dtype=np.int64),
        relations=tuple(relations),
        cell_relations=tuple(tuple(found) for found in cell_relations),
    )
