"""Workforce (WRES) counts: headcount, recruitment, disciplinary cases, training access.

Each function runs through the same engines as the patient measures and returns
:class:`~equitymetrics.aggregate.Counts`. A missing ``ethnic_category`` is counted as ``"99"``
(not known), as for patients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import narwhals as nw

from equitymetrics.aggregate._engine import Frame, open_session
from equitymetrics.aggregate._frames import (
    EXCLUSION_DTYPES,
    PERIOD_DTYPES,
    Counts,
    classify,
    distinct,
    finalise,
    missing_rules,
)
from equitymetrics.aggregate._periods import NEXT, as_date, months_before, period_table
from equitymetrics.exceptions import InvalidArgumentError

__all__ = [
    "disciplinary_counts",
    "recruitment_counts",
    "staff_counts",
    "training_counts",
]

_EXCLUSION_KEYS = tuple(EXCLUSION_DTYPES)[:4]
STAFF_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "band": "str",
    "clinical": "bool",
    "division": "str",
    "board_member": "str",
    "executive": "bool",
    "headcount": "int64",
}
RECRUITMENT_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "applications": "int64",
    "shortlisted": "int64",
    "appointed": "int64",
}
DISCIPLINARY_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "cases": "int64",
}
TRAINING_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "staff": "int64",
    "accessed": "int64",
}


def _window(start: object, end: object) -> tuple[dt.date, dt.date]:
    first, last = as_date(start, "start"), as_date(end, "end")
    if first > last:
        raise InvalidArgumentError(
            f"start must not be after end; got start={first} and end={last} (both inclusive)."
        )
    return first, last


def _in_window(column: str) -> nw.Expr:
    value = nw.col(column)
    return (value >= nw.col("period_start")) & (value < nw.col(NEXT))


def _ethnicity(frame: Frame) -> Frame:
    return frame.with_columns(nw.col("ethnic_category").fill_null(nw.lit("99")))


def _run(
    engine: str,
    table: str,
    data: object,
    columns: dict[str, Any],
    period: tuple[dt.date, dt.date],
    *,
    date_column: str,
    rules: list[tuple[nw.Expr, str]],
    inside: nw.Expr | None = None,
    count: Any,
    dtypes: dict[str, str],
    keys: Sequence[str],
) -> Counts:
    """Place ``data`` in ``period`` by ``date_column``, classify, and count with ``count``."""
    with open_session(engine, {table: data}) as session:
        rows = classify(
            session.table(data, table, columns),
            session.small(period_table([period])),
            table=table,
            unplaceable=missing_rules([date_column]),
            inside=_in_window(date_column) if inside is None else inside,
            enrich=_ethnicity,
            persist=session.persist,
            rules=rules,
        )
        return Counts(
            counts=finalise(session.collect(count(rows.used)), dtypes, keys),
            exclusions=finalise(
                session.collect(rows.exclusions), EXCLUSION_DTYPES, _EXCLUSION_KEYS
            ),
        )


def staff_counts(staff: object, *, snapshot_date: dt.date, engine: str = "auto") -> Counts:
    """Headcount (distinct ``staff_id``) at a snapshot, by ethnicity, band and role.

    Parameters
    ----------
    staff : DataFrame, DuckDB relation or path
        Canonical ``staff``: ``staff_id``, ``ethnic_category``, ``band``, ``clinical``,
        ``division``, ``board_member``, ``executive``, ``snapshot_date``.
    snapshot_date : date
        The snapshot to count; rows of other snapshots are excluded ("outside the period").
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start`` and ``period_end`` (both the snapshot date),
        ``ethnic_category``, ``band``, ``clinical``, ``division``, ``board_member``,
        ``executive``, ``headcount``. A missing ``band``, ``division`` or ``board_member`` is
        kept as its own (missing) group; a missing ``staff_id``, ``clinical`` or ``executive``
        is an exclusion.
    """
    day = as_date(snapshot_date, "snapshot_date")
    columns: dict[str, Any] = {
        "staff_id": "string",
        "ethnic_category": "string",
        "band": "string",
        "clinical": "flag",
        "division": "string",
        "board_member": "string",
        "executive": "flag",
        "snapshot_date": "date",
    }
    keys = [*PERIOD_DTYPES, "ethnic_category", "band", "clinical", "division"]
    keys += ["board_member", "executive"]

    def count(used: Frame) -> Frame:
        people = distinct(used, *keys, "staff_id")
        return people.group_by(*keys).agg(nw.len().alias("headcount"))

    return _run(
        engine,
        "staff",
        staff,
        columns,
        (day, day),
        date_column="snapshot_date",
        rules=missing_rules(["staff_id", "clinical", "executive"]),
        count=count,
        dtypes=STAFF_DTYPES,
        keys=keys,
    )


def recruitment_counts(
    recruitment: object, *, start: dt.date, end: dt.date, engine: str = "auto"
) -> Counts:
    """Applications, shortlisted and appointed-from-shortlisting by ethnic category (WRES 2).

    Parameters
    ----------
    recruitment : DataFrame, DuckDB relation or path
        Canonical ``recruitment``: ``applicant_id``, ``ethnic_category``, ``shortlisted``,
        ``appointed``, ``date``; one row per application.
    start, end : date
        The reporting window, both inclusive, applied to ``date``.
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start``, ``period_end``, ``ethnic_category``, ``applications``
        (rows), ``shortlisted`` (rows shortlisted), ``appointed`` (rows shortlisted and
        appointed). Rows are counted as given (one per application, as in the WRES return: a
        person shortlisted for two posts counts twice). An application appointed but not
        shortlisted is an exclusion ("appointed but not shortlisted").
    """
    period = _window(start, end)
    columns: dict[str, Any] = {
        "applicant_id": "string",
        "ethnic_category": "string",
        "shortlisted": "flag",
        "appointed": "flag",
        "date": "date",
    }
    keys = [*PERIOD_DTYPES, "ethnic_category"]
    shortlisted, appointed = nw.col("shortlisted"), nw.col("appointed")

    def count(used: Frame) -> Frame:
        return used.group_by(*keys).agg(
            nw.len().alias("applications"), shortlisted.sum(), appointed.sum()
        )

    return _run(
        engine,
        "recruitment",
        recruitment,
        columns,
        period,
        date_column="date",
        rules=[
            *missing_rules(["applicant_id", "shortlisted", "appointed"]),
            ((appointed == 1.0) & (shortlisted == 0.0), "appointed but not shortlisted"),
        ],
        count=count,
        dtypes=RECRUITMENT_DTYPES,
        keys=keys,
    )


def disciplinary_counts(
    disciplinary: object, *, start: dt.date, end: dt.date, engine: str = "auto"
) -> Counts:
    """Cases entering the formal disciplinary process, by ethnic category (WRES 3).

    Parameters
    ----------
    disciplinary : DataFrame, DuckDB relation or path
        Canonical ``disciplinary``: ``case_id``, ``ethnic_category``, ``entered_date``.
    start, end : date
        The window, both inclusive, applied to ``entered_date`` (for the WRES two-year rolling
        figure, give the two years).
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start``, ``period_end``, ``ethnic_category``, ``cases`` (distinct
        ``case_id`` entered in the window).
    """
    period = _window(start, end)
    columns: dict[str, Any] = {
        "case_id": "string",
        "ethnic_category": "string",
        "entered_date": "date",
    }
    keys = [*PERIOD_DTYPES, "ethnic_category"]

    def count(used: Frame) -> Frame:
        return distinct(used, *keys, "case_id").group_by(*keys).agg(nw.len().alias("cases"))

    return _run(
        engine,
        "disciplinary",
        disciplinary,
        columns,
        period,
        date_column="entered_date",
        rules=missing_rules(["case_id"]),
        count=count,
        dtypes=DISCIPLINARY_DTYPES,
        keys=keys,
    )


def training_counts(training: object, *, year_end: dt.date, engine: str = "auto") -> Counts:
    """Staff and staff who accessed non-mandatory training, by ethnic category (WRES 4).

    Parameters
    ----------
    training : DataFrame, DuckDB relation or path
        Canonical ``training``: ``staff_id``, ``ethnic_category``, ``accessed_non_mandatory``,
        ``year_end``.
    year_end : date
        The year to count (rows whose ``year_end`` is this date).
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start`` (the day after ``year_end`` minus 12 months),
        ``period_end`` (``year_end``), ``ethnic_category``, ``staff`` (distinct ``staff_id``),
        ``accessed`` (distinct ``staff_id`` with at least one row accessed).
    """
    last = as_date(year_end, "year_end")
    first = months_before(last, 12) + dt.timedelta(days=1)
    columns: dict[str, Any] = {
        "staff_id": "string",
        "ethnic_category": "string",
        "accessed_non_mandatory": "flag",
        "year_end": "date",
    }
    keys = [*PERIOD_DTYPES, "ethnic_category"]

    def count(used: Frame) -> Frame:
        people = used.group_by(*keys, "staff_id").agg(nw.col("accessed_non_mandatory").max())
        return people.group_by(*keys).agg(
            nw.len().alias("staff"), nw.col("accessed_non_mandatory").sum().alias("accessed")
        )

    # Rows of this year only: year_end on the day given (other years are "outside the period").
    year = nw.col("year_end")
    return _run(
        engine,
        "training",
        training,
        columns,
        (first, last),
        date_column="year_end",
        rules=missing_rules(["staff_id", "accessed_non_mandatory"]),
        inside=(year >= nw.col("period_end")) & (year < nw.col(NEXT)),
        count=count,
        dtypes=TRAINING_DTYPES,
        keys=keys,
    )
