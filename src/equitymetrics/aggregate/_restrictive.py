"""Restrictive practice: inpatients, people restricted, interventions and occupied bed days.

One definition, written against narwhals lazy frames, runs on every engine. The steps:

1. every stay and every intervention is paired with every period (one pass over all periods)
   and with its person's attributes at period end;
2. each (row, period) pair gets its first exclusion reason, or none when it is used;
3. each intervention still used is matched by date with the used stays of its person on its
   ward: one whose date lies in none of them is excluded (:data:`NO_STAY_REASON`);
4. used rows are stacked three times, once per organisational level (trust, division, ward),
   and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pandas as pd

from equitymetrics.aggregate._bands import AgeBand, age_band_expression, parse_age_bands
from equitymetrics.aggregate._engine import Frame, _Session, open_session
from equitymetrics.aggregate._frames import (
    EXCLUSION_COLUMNS,
    EXCLUSION_DTYPES,
    PERIOD_DTYPES,
    REASON,
    Classified,
    check_label,
    classify,
    distinct,
    exclusion_counts,
    finalise,
    missing_rules,
)
from equitymetrics.aggregate._people import IN_PATIENTS, age_expression, patients_frame
from equitymetrics.aggregate._periods import NEXT, period_table, validate_periods
from equitymetrics.aggregate._units import (
    STRATUM as _STRATUM,
)
from equitymetrics.aggregate._units import (
    bed_days_frame,
    interventions_frame,
    people_frame,
    with_bed_days,
)
from equitymetrics.exceptions import DataValidationError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "NO_STAY_REASON",
    "RESTRICTIVE_AGE_BANDS",
    "RESTRICTIVE_TYPE_GROUPS",
    "RestrictivePracticeCounts",
    "restrictive_practice_counts",
]

RESTRICTIVE_TYPE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "physical": ("01", "07", "08", "09", "10", "11", "12", "13"),
    "prone": ("01",),
    "mechanical": ("04",),
    "chemical": ("14", "15", "16", "17"),
    "seclusion": ("05",),
    "segregation": ("06",),
}
"""Restrictive intervention type codes (MHSDS) in each type group. Group ``"all"`` is added:
every code listed here. Codes 02 and 03 are not in use."""

RESTRICTIVE_AGE_BANDS: tuple[str, ...] = ("0-17", "18-34", "35-49", "50-64", "65+")
"""Default age bands of :func:`restrictive_practice_counts`."""

NO_STAY_REASON = "outside every stay of the person on that ward"
"""Exclusions reason for an intervention whose date lies in no stay of its person on its ward
(``stay start_date <= intervention date <= stay end_date``, compared as dates; an open stay
has no end). The intervention is not counted."""

_STAYS = "inpatient_stays"
_INTERVENTIONS = "restrictive_interventions"
_STAY_COLUMNS: dict[str, Any] = {
    "stay_id": "string",
    "person_id": "string",
    "ward": "string",
    "division": "string",
    "start_date": "date",
    "end_date": "date",
}
_INTERVENTION_COLUMNS: dict[str, Any] = {
    "intervention_id": "string",
    "person_id": "string",
    "ward": "string",
    "start_date": "date",
    "type_code": "string",
}
_BASE_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "unit_type": "str",
    "unit": "str",
    "ethnic_category": "str",
    "sex": "str",
    "age_band": "str",
}
PEOPLE_DTYPES: dict[str, str] = {
    **_BASE_DTYPES,
    "inpatients": "int64",
    "people_restricted": "int64",
}
INTERVENTION_DTYPES: dict[str, str] = {
    **_BASE_DTYPES,
    "type_group": "str",
    "interventions": "int64",
    "incidents": "int64",
}
BED_DAY_DTYPES: dict[str, str] = {**_BASE_DTYPES, "occupied_bed_days": "float64"}
_DIVISION = "_ward_division"
_SEEN = "_seen"
_ADMITTED = "_admitted"
_DISCHARGED = "_discharged"


@dataclass(frozen=True, slots=True)
class RestrictivePracticeCounts:
    """Counts for the restrictive practice measures (see :func:`restrictive_practice_counts`).

    Attributes
    ----------
    people : pandas.DataFrame
        ``period_start``, ``period_end``, ``unit_type``, ``unit``, ``ethnic_category``, ``sex``,
        ``age_band``, ``inpatients``, ``people_restricted``.
    interventions : pandas.DataFrame
        The same keys plus ``type_group``, then ``interventions`` and ``incidents``.
    bed_days : pandas.DataFrame
        The same keys as ``people``, then ``occupied_bed_days`` (float64).
    exclusions : pandas.DataFrame
        ``period_start``, ``period_end``, ``table``, ``reason``, ``rows``.
    """

    people: pd.DataFrame
    interventions: pd.DataFrame
    bed_days: pd.DataFrame
    exclusions: pd.DataFrame


def restrictive_practice_counts(
    stays: object,
    interventions: object,
    patients: object,
    *,
    periods: Sequence[tuple[dt.date, dt.date]],
    age_bands: Sequence[str] = RESTRICTIVE_AGE_BANDS,
    trust: str = "Trust",
    type_groups: Mapping[str, Sequence[str]] = RESTRICTIVE_TYPE_GROUPS,
    engine: str = "auto",
) -> RestrictivePracticeCounts:
    """Count inpatients, people restricted, interventions and occupied bed days.

    Counts are by period, organisational unit (the whole trust, each division, each ward),
    NHS ethnic category, sex and age band (age in completed years at period end).

    Parameters
    ----------
    stays : DataFrame, DuckDB relation or path
        Canonical ``inpatient_stays``: ``stay_id``, ``person_id``, ``ward``, ``division``,
        ``start_date``, ``end_date`` (missing while still in hospital).
    interventions : DataFrame, DuckDB relation or path
        Canonical ``restrictive_interventions``: ``intervention_id``, ``person_id``, ``ward``,
        ``start_date``, ``type_code``; one row per incident and type.
    patients : DataFrame, DuckDB relation or path
        Canonical ``patients``: ``person_id``, ``ethnic_category``, ``sex``, ``birth_date`` (or
        ``age``).
    periods : sequence of (date, date)
        Reporting periods, both ends inclusive.
    age_bands : sequence of str
        Age band labels, e.g. ``("0-17", "18-34", "35-49", "50-64", "65+")``.
    trust : str
        The ``unit`` label of the trust-level rows.
    type_groups : mapping of str to codes
        Type group -> intervention type codes; the group ``"all"`` (every listed code) is
        added. Codes not listed are excluded with the reason "unrecognised type code".
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute (see :mod:`equitymetrics.aggregate`).

    Returns
    -------
    RestrictivePracticeCounts
        Frames ``people``, ``interventions``, ``bed_days`` and ``exclusions``.

    Notes
    -----
    - A stay overlaps a period when ``start_date <= period_end`` and (``end_date`` is missing or
      ``end_date >= period_start``). ``inpatients`` counts distinct people with an overlapping
      stay on the unit: a person counts on every ward and division they stayed on, and once at
      trust level.
    - ``people_restricted`` counts those inpatients of the unit with at least one counted
      intervention starting in the period on the unit (the intervention's ward; its division is
      the ward's division in the stays table). A counted intervention always lies in a stay of
      its person on its ward, so people restricted are always among the inpatients.
    - ``interventions`` counts distinct (``intervention_id``, ``type_code``) pairs starting in the
      period, ``incidents`` distinct ``intervention_id``, per type group.
    - Occupied bed days of a stay: days from max(start, period start) to min(end, period end +
      1 day) (an open stay runs to period end + 1 day), never negative. Date-level arithmetic:
      a stay admitted and discharged on the same day contributes 0 days (but its person is an
      inpatient), and the day of discharge is not an occupied day.
    - An intervention is counted only when its date lies in a stay of the same person on the
      same ward: admission (the stay's ``start_date``) <= the intervention's ``start_date`` <=
      discharge (the stay's ``end_date``), compared as dates (times of day are dropped, so the
      days of admission and discharge count), an open stay covering every day from admission
      to the period end. Only stays counted in the period take part (not excluded ones), and
      overlapping stays of the person on the ward match it once. Any other intervention
      (dated before admission or after discharge, or on a ward where its person had no stay)
      is excluded under :data:`NO_STAY_REASON`.
    - Exclusions (first reason that applies, per row and period): a missing required value;
      a stay ending before it starts; outside the period; an unrecognised type code; the person
      is not in ``patients``; age outside the age bands; the intervention's ward has no stay in
      ``inpatient_stays`` (its division is unknown); the intervention's date lies outside every
      stay of its person on its ward.
    """
    checked_periods = validate_periods(periods)
    bands = parse_age_bands(age_bands)
    trust = check_label(trust, "trust")
    groups = _type_group_table(type_groups)
    codes = sorted(set(groups["type_code"]))
    tables = {_STAYS: stays, _INTERVENTIONS: interventions, "patients": patients}
    with open_session(engine, tables) as session:
        people = session.persist(patients_frame(session, patients))
        period_frame = session.small(period_table(checked_periods))
        stay_table = session.table(stays, _STAYS, _STAY_COLUMNS, optional=["stay_id"])
        divisions = session.small(_ward_divisions(session, stay_table))
        stay_rows = _classified_stays(session, stay_table, people, period_frame, bands)
        event_rows = _classified_interventions(
            session,
            session.table(interventions, _INTERVENTIONS, _INTERVENTION_COLUMNS),
            people,
            period_frame,
            bands,
            codes,
            divisions,
        )
        matched = session.persist(_match_stays(event_rows.used, stay_rows.used))
        used_events = matched.filter(~nw.col(_SEEN).is_null())
        outside_stays = (
            matched.filter(nw.col(_SEEN).is_null())
            .with_columns(nw.lit(NO_STAY_REASON).alias(REASON))
            .pipe(exclusion_counts, _INTERVENTIONS)
        )
        exclusions = nw.concat(
            [stay_rows.exclusions, event_rows.exclusions, outside_stays.select(*EXCLUSION_COLUMNS)]
        )
        group_frame = session.small(groups)
        return RestrictivePracticeCounts(
            people=_finish(
                session, people_frame(stay_rows.used, used_events, trust), PEOPLE_DTYPES
            ),
            interventions=_finish(
                session,
                interventions_frame(session, used_events, group_frame, trust),
                INTERVENTION_DTYPES,
            ),
            bed_days=_finish(
                session, bed_days_frame(with_bed_days(stay_rows.used), trust), BED_DAY_DTYPES
            ),
            exclusions=finalise(
                session.collect(exclusions), EXCLUSION_DTYPES, EXCLUSION_COLUMNS[:4]
            ),
        )


def _finish(session: _Session, frame: Frame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    keys = [column for column in dtypes if dtypes[column] == "str" or column in PERIOD_DTYPES]
    return finalise(session.collect(frame), dtypes, keys)


def _type_group_table(type_groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """The (type_code, type_group) pairs, including group ``"all"`` for every code."""
    if not isinstance(type_groups, Mapping) or not type_groups:
        raise InvalidTypeError(
            "type_groups must be a non-empty mapping of group name -> type codes, e.g. "
            "{'prone': ('01',)}."
        )
    if "all" in type_groups:
        raise InvalidArgumentError(
            "type_groups must not define 'all': that group (every listed code) is added."
        )
    pairs: list[tuple[str, str]] = []
    for group, group_codes in type_groups.items():
        if isinstance(group_codes, str) or not all(isinstance(c, str) for c in group_codes):
            raise InvalidTypeError(
                f"type_groups[{group!r}] must be a sequence of code strings such as ('01',); "
                f"got {group_codes!r}."
            )
        pairs.extend((code, group) for code in group_codes)
    every = sorted({code for code, _ in pairs})
    pairs.extend((code, "all") for code in every)
    return pd.DataFrame(pairs, columns=["type_code", "type_group"]).drop_duplicates()


def _with_person(people: Frame, bands: Sequence[AgeBand], reference: str) -> Any:
    """A function adding the person's attributes (age at column ``reference``) to rows."""
    names = people.collect_schema().names()
    band = age_band_expression(age_expression(names, reference), bands).alias("age_band")

    def enrich(frame: Frame) -> Frame:
        return frame.join(people, on="person_id", how="left").with_columns(band)

    return enrich


def _classified_stays(
    session: _Session, frame: Frame, people: Frame, period_frame: Frame, bands: Sequence[AgeBand]
) -> Classified:
    start, end = nw.col("start_date"), nw.col("end_date")
    return classify(
        frame,
        period_frame,
        table=_STAYS,
        unplaceable=[
            *missing_rules(["start_date"]),
            (~end.is_null() & (end < start), "end date before start date"),
        ],
        inside=(start < nw.col(NEXT)) & (end.is_null() | (end >= nw.col("period_start"))),
        enrich=_with_person(people, bands, "period_end"),
        persist=session.persist,
        keep=["person_id", "ward", "division", "start_date", "end_date", *_STRATUM],
        rules=[
            *missing_rules(["person_id", "ward", "division"]),
            (nw.col(IN_PATIENTS).is_null(), "person not in patients"),
            (nw.col("age_band").is_null(), "age outside the age bands"),
        ],
    )


def _ward_divisions(session: _Session, stay_table: Frame) -> pd.DataFrame:
    """Each ward's division, from the stays; a ward in two divisions is a data error."""
    pairs = session.collect(
        stay_table.filter(~nw.col("ward").is_null() & ~nw.col("division").is_null()).pipe(
            distinct, "ward", "division"
        )
    )
    counts = pairs.groupby("ward")["division"].nunique()
    clashing = sorted(counts[counts > 1].index)
    if clashing:
        rows = pairs[pairs["ward"].isin(clashing)].sort_values(["ward", "division"])
        failures = pd.DataFrame(
            {
                "table": _STAYS,
                "column": "division",
                "row": pd.array([pd.NA] * len(rows), dtype="Int64"),
                "value": rows["division"].astype("str").to_numpy(),
                "problem": [f"ward {w!r} is in more than one division" for w in rows["ward"]],
            }
        )
        raise DataValidationError(
            f"inpatient_stays: the ward(s) {', '.join(repr(w) for w in clashing[:5])} appear in "
            "more than one division; give each ward one division (see .failures).",
            failures,
        )
    return pairs.rename(columns={"division": _DIVISION}).astype("str")


def _classified_interventions(
    session: _Session,
    frame: Frame,
    people: Frame,
    period_frame: Frame,
    bands: Sequence[AgeBand],
    codes: Sequence[str],
    divisions: Frame,
) -> Classified:
    start = nw.col("start_date")
    with_person = _with_person(people, bands, "period_end")

    def enrich(placed: Frame) -> Frame:
        joined: Frame = with_person(placed).join(divisions, on="ward", how="left")
        return joined.with_columns(nw.col(_DIVISION).alias("division"))

    return classify(
        frame,
        period_frame,
        table=_INTERVENTIONS,
        unplaceable=missing_rules(["start_date"]),
        inside=(start >= nw.col("period_start")) & (start < nw.col(NEXT)),
        enrich=enrich,
        persist=session.persist,
        keep=[
            "intervention_id",
            "person_id",
            "ward",
            "division",
            "start_date",
            "type_code",
            *_STRATUM,
        ],
        rules=[
            *missing_rules(["intervention_id", "person_id", "ward", "type_code"]),
            (~nw.col("type_code").is_in(list(codes)), "unrecognised type code"),
            (nw.col(IN_PATIENTS).is_null(), "person not in patients"),
            (nw.col("age_band").is_null(), "age outside the age bands"),
            (nw.col(_DIVISION).is_null(), "ward not in inpatient_stays"),
        ],
    )


def _match_stays(events: Frame, used_stays: Frame) -> Frame:
    """Add :data:`_SEEN`: 1.0 when the intervention's date lies in a used stay of its person on
    its ward (``admission <= date <= discharge``, open stays never end), else null.

    Only the distinct (period, person, ward, date) keys of the interventions are matched, so
    that overlapping stays, and incidents with several types, cost one key each; every row of
    ``events`` is kept once, whatever the number of stays that contain its date.
    """
    keys = ["period_start", "person_id", "ward"]
    day = nw.col("start_date")
    stays = used_stays.select(
        *keys, nw.col("start_date").alias(_ADMITTED), nw.col("end_date").alias(_DISCHARGED)
    )
    inside = (
        distinct(events, *keys, "start_date")
        .join(stays, on=keys, how="inner")
        .filter(
            (nw.col(_ADMITTED) <= day)
            & (nw.col(_DISCHARGED).is_null() | (day <= nw.col(_DISCHARGED)))
        )
    )
    seen = distinct(inside, *keys, "start_date").with_columns(nw.lit(1.0).alias(_SEEN))
    return events.join(seen, on=[*keys, "start_date"], how="left")
