"""Sums across periods: a long period is the sum of the shorter periods that tile it.

A results table may publish one count for several periods: four quarters and the financial
year they make up, or months and the quarter. For rows of one measure, unit, grouping,
adjustment and group, a row whose period ``[period_start, period_end]`` (both days included)
is exactly *tiled* by the periods of other rows (contiguous, not overlapping, every day once)
is the sum of those rows: exactly for events and bed days, and at most for counts of distinct
people (a patient restrained in two quarters is one person in the year). Which of the two
holds is read from the data, as for every other sum (see ``_tables``).

Only *irreducible* tilings are listed. A tiling in which two or more consecutive parts make
up the period of another row (three months that make a quarter, inside a year of months)
follows from the tiling that uses that row together with the row's own tiling, both as an
equation and as an inequality, so it adds nothing a reader could use. What is left is
usually one tiling per long period (the year by its quarters, each quarter by its months).

Periods are compared as calendar days: dates, timestamps and ISO text such as
``"2025-04-01"`` are understood; a period that cannot be read as two days in order (a
number, a missing or malformed date, an end before the start) takes part in no period sum.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

__all__ = ["Span", "TILING_LIMIT", "period_days", "tilings"]

Span = tuple[int, int]
"""A period as (first day, last day), both as proleptic Gregorian ordinals."""

TILING_LIMIT = 64
"""Most irreducible tilings listed for one period (realistic tables have one)."""
_STEP_LIMIT = 20_000
"""Most partial tilings explored for one period before giving up on the rest."""


def _ordinal(text: str) -> int | None:
    try:
        stamp: object = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    if not isinstance(stamp, pd.Timestamp):  # "NaT" reads as NaT, which is not a Timestamp
        return None
    return int(stamp.toordinal())


def _days_of(values: np.ndarray) -> list[int | None]:
    """The calendar day of each value (None where it is not a date)."""
    cache: dict[str, int | None] = {}
    days: list[int | None] = []
    for value in values.tolist():
        if value is None or isinstance(value, (bool, int, float, np.number)):
            days.append(None)  # numbers (and NaN) are not dates
            continue
        text = str(value)
        if text not in cache:
            cache[text] = _ordinal(text)
        days.append(cache[text])
    return days


def period_days(frame: pd.DataFrame) -> list[Span | None]:
    """Each row's period as a span of days, or None where it cannot be read as one."""
    if "period_start" not in frame.columns or "period_end" not in frame.columns:
        return [None] * len(frame)
    starts = _days_of(frame["period_start"].astype(object).to_numpy())
    ends = _days_of(frame["period_end"].astype(object).to_numpy())
    return [
        (start, end) if start is not None and end is not None and start <= end else None
        for start, end in zip(starts, ends, strict=True)
    ]


def _merges(path: tuple[Span, ...], part: Span, present: set[Span], whole: Span) -> bool:
    """Whether ``part`` and one or more of the last parts of ``path`` make up another span."""
    return any(
        (earlier[0], part[1]) in present and (earlier[0], part[1]) != whole for earlier in path
    )


def _tilings_of(
    whole: Span, by_start: dict[int, list[Span]], present: set[Span]
) -> tuple[list[tuple[Span, ...]], bool]:
    """The irreducible tilings of ``whole``, in order, and whether the search was cut short."""
    found: list[tuple[Span, ...]] = []
    stack: list[tuple[int, tuple[Span, ...]]] = [(whole[0], ())]
    steps = 0
    while stack:
        day, path = stack.pop()
        steps += 1
        if steps > _STEP_LIMIT:
            return sorted(found), True
        for part in reversed(by_start.get(day, [])):  # reversed: the shortest is popped first
            if part == whole or part[1] > whole[1] or _merges(path, part, present, whole):
                continue
            extended = (*path, part)
            if part[1] == whole[1]:
                found.append(extended)
                if len(found) > TILING_LIMIT:
                    return sorted(found[:TILING_LIMIT]), True
            else:
                stack.append((part[1] + 1, extended))
    return sorted(found), False


def tilings(spans: Collection[Span]) -> tuple[list[tuple[Span, tuple[Span, ...]]], list[Span]]:
    """Every period of ``spans`` that the others tile, with each irreducible tiling.

    Parameters
    ----------
    spans : collection of (int, int)
        Distinct periods as (first day, last day), both included.

    Returns
    -------
    list of (span, parts)
        Each long period with the parts of one tiling (in date order), sorted by period and
        then by parts; a period tiled in two ways appears twice.
    list of span
        Periods tiled in more than :data:`TILING_LIMIT` ways (only the first are listed).

    Examples
    --------
    >>> q1, q2, h1 = (1, 90), (91, 181), (1, 181)
    >>> tilings([q2, h1, q1])
    ([((1, 181), ((1, 90), (91, 181)))], [])
    """
    present = set(spans)
    by_start: dict[int, list[Span]] = {}
    for span in sorted(present):
        by_start.setdefault(span[0], []).append(span)
    found: list[tuple[Span, tuple[Span, ...]]] = []
    cut_short: list[Span] = []
    for whole in sorted(present):
        parts, truncated = _tilings_of(whole, by_start, present)
        found.extend((whole, tiling) for tiling in parts)
        if truncated:
            cut_short.append(whole)
    return found, cut_short
