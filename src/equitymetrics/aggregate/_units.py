"""Restrictive practice counts by organisational level: trust, division and ward.

Used rows (stays and interventions placed in periods, with their person's stratum) are counted
once per level. A person or an incident appears on each ward and division of theirs, and once
at trust level.
"""

from __future__ import annotations

import narwhals as nw

from equitymetrics.aggregate._engine import Frame, _Session
from equitymetrics.aggregate._frames import distinct
from equitymetrics.aggregate._periods import NEXT

__all__ = [
    "DAYS",
    "STRATUM",
    "UNIT_KEYS",
    "bed_days_frame",
    "interventions_frame",
    "people_frame",
    "with_bed_days",
]

STRATUM = ("ethnic_category", "sex", "age_band")
UNIT_KEYS = ("period_start", "period_end", "unit_type", "unit", *STRATUM)
DAYS = "_days"


def with_bed_days(used_stays: Frame) -> Frame:
    """Add each stay's occupied bed days in the period (date-level, never negative)."""
    start, end, following = nw.col("start_date"), nw.col("end_date"), nw.col(NEXT)
    low = nw.max_horizontal(start, nw.col("period_start"))
    high = nw.min_horizontal(end.fill_null(following), following)
    days = (_day_number(high) - _day_number(low)).cast(nw.Float64)
    return used_stays.with_columns(nw.max_horizontal(days, nw.lit(0.0)).alias(DAYS))


def _day_number(date: nw.Expr) -> nw.Expr:
    """Days since a fixed origin of a date (at midnight), by integer calendar arithmetic.

    Differences of day numbers are exact numbers of days on every engine (Spark has no
    duration type that narwhals can turn into seconds). March is taken as the first month so
    that the leap day falls at the end of the counting year: ``365 y + y // 4 - y // 100 +
    y // 400`` days for whole years, ``(153 m + 2) // 5`` for whole months (m = 0 for March),
    plus the day of the month.
    """
    year = date.dt.year().cast(nw.Int64)
    month = date.dt.month().cast(nw.Int64)
    early = nw.when(month <= 2).then(nw.lit(1, nw.Int64)).otherwise(nw.lit(0, nw.Int64))
    shifted_year = year - early
    shifted_month = month + 12 * early - 3
    return (
        365 * shifted_year
        + shifted_year // 4
        - shifted_year // 100
        + shifted_year // 400
        + (153 * shifted_month + 2) // 5
        + date.dt.day().cast(nw.Int64)
    )


def _levels(trust: str) -> list[tuple[str, nw.Expr]]:
    return [
        ("trust", nw.lit(trust)),
        ("division", nw.col("division")),
        ("ward", nw.col("ward")),
    ]


def _at_level(frame: Frame, level: str, unit: nw.Expr) -> Frame:
    return frame.with_columns(nw.lit(level).alias("unit_type"), unit.cast(nw.String).alias("unit"))


def _by_unit(frame: Frame, trust: str) -> Frame:
    """Stack ``frame`` once per level, with ``unit_type`` and ``unit`` columns."""
    return nw.concat([_at_level(frame, level, unit) for level, unit in _levels(trust)])


def people_frame(used_stays: Frame, used_events: Frame, trust: str) -> Frame:
    unit = ["period_start", "unit_type", "unit", "person_id"]
    # Reduce to people and wards first: the stratum and period_end are the same for every row
    # of a person in a period, and the division is the ward's.
    stays = distinct(
        used_stays, "period_start", "period_end", "ward", "division", "person_id", *STRATUM
    )
    events = distinct(used_events, "period_start", "ward", "division", "person_id")
    inpatients = distinct(_by_unit(stays, trust), *unit, "period_end", *STRATUM)
    restricted = distinct(_by_unit(events, trust), *unit).with_columns(
        nw.lit(1).alias("_restricted")
    )
    return (
        inpatients.join(restricted, on=unit, how="left")
        .with_columns(nw.col("_restricted").fill_null(0))
        .group_by(*UNIT_KEYS)
        .agg(nw.len().alias("inpatients"), nw.col("_restricted").sum().alias("people_restricted"))
    )


def interventions_frame(session: _Session, used_events: Frame, groups: Frame, trust: str) -> Frame:
    """Distinct (intervention_id, type_code) pairs and distinct incidents per type group.

    Pairs with different type codes are different pairs, so the pairs of a group are the sum
    over its codes of the pairs of each code. Rows are first made distinct at ward level (a ward
    lies in one division). When every incident of a period lies on one ward in one stratum (the
    usual case, checked), division and trust counts are sums of ward counts; otherwise rows
    are made distinct again at those levels, so that an incident recorded on two wards still
    counts once there.
    """
    columns = ["period_start", "period_end", "ward", "division", *STRATUM]
    pairs = session.persist(distinct(used_events, *columns, "intervention_id", "type_code"))
    incidents = session.persist(
        distinct(
            pairs.join(groups, on="type_code", how="inner"),
            *columns,
            "type_group",
            "intervention_id",
        )
    )
    keys = [*UNIT_KEYS, "type_group"]
    if _one_place_per_incident(session, pairs):
        wards = session.persist(_counted(pairs, incidents, groups, [*columns, "type_group"]))
        return nw.concat(
            [
                _at_level(wards, level, unit)
                .group_by(*keys)
                .agg(nw.col("interventions").sum(), nw.col("incidents").sum())
                for level, unit in _levels(trust)
            ]
        )
    pieces = []
    for level, unit in _levels(trust):
        level_pairs = _at_level(pairs, level, unit)
        level_incidents = _at_level(incidents, level, unit)
        if level != "ward":
            level_pairs = distinct(level_pairs, *UNIT_KEYS, "intervention_id", "type_code")
            level_incidents = distinct(level_incidents, *keys, "intervention_id")
        pieces.append(_counted(level_pairs, level_incidents, groups, keys))
    return nw.concat(pieces)


def _counted(pairs: Frame, incidents: Frame, groups: Frame, keys: list[str]) -> Frame:
    """Interventions and incidents by ``keys`` (which end with ``type_group``)."""
    by_code = (
        pairs.group_by(*keys[:-1], "type_code")
        .agg(nw.len().alias("_pairs"))
        .join(groups, on="type_code", how="inner")
        .group_by(*keys)
        .agg(nw.col("_pairs").sum().alias("interventions"))
    )
    by_group = incidents.group_by(*keys).agg(nw.len().alias("incidents"))
    return by_code.join(by_group, on=keys, how="inner").select(*keys, "interventions", "incidents")


def _one_place_per_incident(session: _Session, pairs: Frame) -> bool:
    """Whether each incident of a period has one ward and one stratum."""
    places = ["ward", *STRATUM]
    spread = session.collect(
        pairs.group_by("period_start", "intervention_id")
        .agg(
            *[nw.col(c).min().alias(f"_low_{c}") for c in places],
            *[nw.col(c).max().alias(f"_high_{c}") for c in places],
        )
        .filter(
            nw.any_horizontal(
                *[nw.col(f"_low_{c}") != nw.col(f"_high_{c}") for c in places], ignore_nulls=True
            )
        )
        .select(nw.len().alias("incidents"))
    )
    return int(spread["incidents"].iloc[0]) == 0


def bed_days_frame(used_stays: Frame, trust: str) -> Frame:
    return (
        _by_unit(used_stays, trust)
        .group_by(*UNIT_KEYS)
        .agg(nw.col(DAYS).sum().alias("occupied_bed_days"))
    )
