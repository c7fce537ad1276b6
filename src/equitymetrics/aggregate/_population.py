"""Census population of the catchment by NHS ethnic category, sex and analysis age band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from equitymetrics.aggregate._bands import nest_age_bands, parse_age_bands
from equitymetrics.aggregate._engine import open_session
from equitymetrics.aggregate._frames import (
    EXCLUSION_DTYPES,
    PERIOD_DTYPES,
    REASON,
    Counts,
    finalise,
    first_reason,
    missing_rules,
)
from equitymetrics.aggregate._mha import MHA_AGE_BANDS, _catchment
from equitymetrics.taxonomy import census_to_nhs

__all__ = ["population_counts"]

_CENSUS = "census_population"
_CENSUS_COLUMNS: dict[str, Any] = {
    "area_code": "string",
    "ethnic_group": "string",
    "sex": "string",
    "age_band": "string",
    "population": "number",
}
_KEYS = ("ethnic_category", "sex", "age_band")
POPULATION_DTYPES: dict[str, str] = {
    **PERIOD_DTYPES,
    "ethnic_category": "str",
    "sex": "str",
    "age_band": "str",
    "population": "int64",
}
_BAND = "_analysis_band"


def population_counts(
    census: object,
    *,
    catchment: Sequence[str],
    age_bands: Sequence[str] = MHA_AGE_BANDS,
    crosswalk: Mapping[Any, str] | None = None,
    engine: str = "auto",
) -> Counts:
    """Sum the census population of the catchment by NHS ethnic category, sex and age band.

    Parameters
    ----------
    census : DataFrame, DuckDB relation or path
        Canonical ``census_population``: ``area_code``, ``ethnic_group`` (Census 2021 code or
        TS021 label), ``sex``, ``age_band`` (census bands such as ``"0-4"``, ``"15"``,
        ``"16-17"``, ``"90+"``), ``population``.
    catchment : sequence of str
        Area codes (exact match) to include.
    age_bands : sequence of str
        Analysis bands; every census band must lie inside one of them.
    crosswalk : mapping, optional
        Census code -> NHS code entries overriding the default crosswalk of
        :func:`equitymetrics.taxonomy.census_to_nhs`.
    engine : {"auto", "pandas", "duckdb", "spark"}
        Where to compute.

    Returns
    -------
    Counts
        ``counts``: ``period_start``, ``period_end`` (both missing: a census has no period),
        ``ethnic_category``, ``sex``, ``age_band``, ``population`` (int64); and ``exclusions``.

    Raises
    ------
    InvalidArgumentError
        A census age band straddles two analysis bands (both are named).
    UnrecognisedCodeError
        An ethnic group is neither a Census 2021 code nor a TS021 label.

    Notes
    -----
    Exclusions (first that applies): a missing value; "population is negative"; "area
    outside the catchment"; "age band outside the analysis bands" (a census band wholly
    outside them, e.g. "0-4" when the analysis starts at 18).
    """
    areas = _catchment(catchment)
    bands = parse_age_bands(age_bands)
    with open_session(engine, {_CENSUS: census}) as session:
        frame = session.table(census, _CENSUS, _CENSUS_COLUMNS)
        groups = session.collect(
            frame.filter(~nw.col("ethnic_group").is_null())
            .group_by("ethnic_group")
            .agg(nw.len().alias("_rows"))
        )["ethnic_group"]
        codes = pd.DataFrame(
            {
                "ethnic_group": groups.astype("str").to_numpy(),
                "ethnic_category": census_to_nhs(groups.tolist(), crosswalk=crosswalk)
                .astype("str")
                .to_numpy(),
            }
        )
        census_bands = session.collect(
            frame.filter(~nw.col("age_band").is_null())
            .group_by("age_band")
            .agg(nw.len().alias("_rows"))
        )["age_band"]
        nesting = nest_age_bands(census_bands.tolist(), bands, argument="census age_band")
        band_table = pd.DataFrame(
            {
                "age_band": pd.Series(list(nesting), dtype="str"),
                _BAND: pd.Series(list(nesting.values()), dtype="str"),
            }
        )
        rows = (
            frame.join(session.small(codes), on="ethnic_group", how="left")
            .join(session.small(band_table), on="age_band", how="left")
            .with_columns(
                first_reason(
                    [
                        *missing_rules(list(_CENSUS_COLUMNS)),
                        (nw.col("population") < 0, "population is negative"),
                        (~nw.col("area_code").is_in(list(areas)), "area outside the catchment"),
                        (nw.col(_BAND).is_null(), "age band outside the analysis bands"),
                    ]
                )
            )
        )
        counts = (
            rows.filter(nw.col(REASON).is_null())
            .group_by("ethnic_category", "sex", _BAND)
            .agg(nw.col("population").sum())
            .rename({_BAND: "age_band"})
        )
        exclusions = (
            rows.filter(~nw.col(REASON).is_null())
            .group_by(REASON)
            .agg(nw.len().alias("rows"))
            .select(nw.lit(_CENSUS).alias("table"), nw.col(REASON).alias("reason"), "rows")
        )
        return Counts(
            counts=finalise(session.collect(counts), POPULATION_DTYPES, _KEYS),
            exclusions=finalise(
                session.collect(exclusions), EXCLUSION_DTYPES, tuple(EXCLUSION_DTYPES)[:4]
            ),
        )
