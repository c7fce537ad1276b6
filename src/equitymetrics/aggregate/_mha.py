"""Mental Health Act: new detentions and community treatment orders of catchment residents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from equitymetrics.aggregate._bands import age_band_expression, parse_age_bands
from equitymetrics.aggregate._engine import open_session
from equitymetrics.aggregate._frames import (
    EXCLUSION_DTYPES,
    PERIOD_DTYPES,
    Counts,
    classify,
    finalise,
    missing_rules,
)
from equitymetrics.aggregate._people import IN_PATIENTS, age_expression, patients_frame
from equitymetrics.aggregate._periods import NEXT, period_table, validate_periods
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "CTO_CODES",
    "DETENTION_CODES",
    "MHA_AGE_BANDS",
    "mha_counts",
]

DETENTION_CODES: tuple[str, ...] = ("A", "B", "C", "D", "P")
"""Legal-status categories of a new detention: A on admission, B subsequent to admission,
C following a place of safety order, D following revocation of a CTO or conditional discharge,
P criminal-justice admission."""

CTO_CODES: tuple[str, ...] = ("CTO",)
"""Legal-status categories counted as community treatment orders. Only the label ``"CTO"`` by
default: add the national code(s) your extract uses with ``cto_codes=``."""

MHA_AGE_BANDS: tuple[str, ...] = ("0-15", "16-17", "18-34", "35-49", "50-64", "65+")
"""The age bands of NHS England's Mental Health Act statistics."""

_EPISODES = "mha_episodes"
_EPISODE_COLUMNS: dict[str, Any] = {
    "episode_id": "string",
    "person_id": "string",
    "start_date": "date",
    "legal_status_category": "string",
}
_KEYS = ("period_start", "period_end", "ethnic_category", "sex", "age_band", "episode_kind")
MHA_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "sex": "str",
    "age_band": "str",
    "episode_kind": "str",
    "episodes": "int64",
}


def _codes(value: object, argument: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidTypeError(
            f"{argument} must be a sequence of code strings such as ('A', 'B'); got {value!r}."
        )
    if not all(isinstance(code, str) for code in value):
        raise InvalidTypeError(f"{argument} must hold strings; got {value!r}.")
    return tuple(value)


def _catchment(value: object) -> tuple[str, ...]:
    codes = _codes(value, "catchment")
    if not codes:
        raise InvalidArgumentError(
            "catchment must list at least one area code (e.g. ['E06000045'])."
        )
    return codes


def mha_counts(
    episodes: object,
    patients: object,
    *,
    periods: Sequence[tuple[dt.date, dt.date]],
    catchment: Sequence[str],
    age_bands: Sequence[str] = MHA_AGE_BANDS,
    detention_codes: Sequence[str] = DETENTION_CODES,
    cto_codes: Sequence[str] = CTO_CODES,
    engine: str = "auto",
) -> Counts:
    """Count new detentions and CTOs of catchment residents by ethnic category, sex and age.

    Parameters
    ----------
    episodes : DataFrame, DuckDB relation or path
        Canonical ``mha_episodes``: ``episode_id``, ``person_id``, ``start_date``,
        ``legal_status_category``.
    patients : DataFrame, DuckDB relation or path
        Canonical ``patients`` with ``residence_area_code``.
    periods : sequence of (date, date)
        Reporting periods, both ends inclusive.
    catchment : sequence of str
        Area codes (exact match) whose residents are counted.
    age_bands : sequence of str
        Age band labels; age in completed years at the episode start.
    detention_codes, cto_codes : sequence of str
        Legal-status categories counted as ``"detention"`` and as ``"cto"``.
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start``, ``period_end``, ``ethnic_category``, ``sex``, ``age_band``,
        ``episode_kind`` ("detention" or "cto"), ``episodes`` (distinct ``episode_id`` starting
        in the period); and ``exclusions``.

    Notes
    -----
    Exclusions (first that applies, per row and period): missing start date (every period);
    outside the period; a missing ``episode_id``, ``person_id`` or legal status; "not a new
    detention or CTO"; "person not in patients"; "no residence area code"; "not resident in
    the catchment"; "age outside the age bands".
    """
    checked_periods = validate_periods(periods)
    bands = parse_age_bands(age_bands)
    areas = _catchment(catchment)
    kinds = _kind_table(_codes(detention_codes, "detention_codes"), _codes(cto_codes, "cto_codes"))
    tables = {_EPISODES: episodes, "patients": patients}
    with open_session(engine, tables) as session:
        people = session.persist(patients_frame(session, patients, residence=True))
        names = people.collect_schema().names()
        band = age_band_expression(age_expression(names, "start_date"), bands).alias("age_band")
        kind_frame = session.small(kinds)

        def enrich(frame: Any) -> Any:
            joined = frame.join(kind_frame, on="legal_status_category", how="left")
            return joined.join(people, on="person_id", how="left").with_columns(band)

        start = nw.col("start_date")
        residence = nw.col("residence_area_code")
        rows = classify(
            session.table(episodes, _EPISODES, _EPISODE_COLUMNS),
            session.small(period_table(checked_periods)),
            table=_EPISODES,
            unplaceable=missing_rules(["start_date"]),
            inside=(start >= nw.col("period_start")) & (start < nw.col(NEXT)),
            enrich=enrich,
            persist=session.persist,
            rules=[
                *missing_rules(["episode_id", "person_id", "legal_status_category"]),
                (nw.col("episode_kind").is_null(), "not a new detention or CTO"),
                (nw.col(IN_PATIENTS).is_null(), "person not in patients"),
                (
                    residence.is_null() | (residence.str.strip_chars() == ""),
                    "no residence area code",
                ),
                (~residence.is_in(list(areas)), "not resident in the catchment"),
                (nw.col("age_band").is_null(), "age outside the age bands"),
            ],
        )
        counts = (
            rows.used.group_by(*_KEYS, "episode_id")
            .agg(nw.len().alias("_rows"))
            .group_by(*_KEYS)
            .agg(nw.len().alias("episodes"))
        )
        return Counts(
            counts=finalise(session.collect(counts), MHA_DTYPES, _KEYS),
            exclusions=finalise(
                session.collect(rows.exclusions), EXCLUSION_DTYPES, tuple(EXCLUSION_DTYPES)[:4]
            ),
        )


def _kind_table(detention: tuple[str, ...], cto: tuple[str, ...]) -> pd.DataFrame:
    both = sorted(set(detention) & set(cto))
    if both:
        raise InvalidArgumentError(
            f"the legal-status code(s) {both} are in both detention_codes and cto_codes; each "
            "code must mean one kind of episode."
        )
    pairs = [(code, "detention") for code in dict.fromkeys(detention)]
    pairs += [(code, "cto") for code in dict.fromkeys(cto)]
    return pd.DataFrame(pairs, columns=["legal_status_category", "episode_kind"]).astype("str")
