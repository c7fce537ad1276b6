"""Record-level canonical tables -> small counts tables, on pandas, DuckDB or Spark.

Every measure is computed from a small table of sufficient statistics (events, people,
exposure) by period, unit and stratum. The functions here build those tables from the
canonical record-level tables, with one aggregation definition (written with narwhals) that runs
on each engine: ``engine="pandas"`` in memory, ``engine="duckdb"`` where the data lives (pandas
DataFrames scanned in place, Parquet or CSV paths, DuckDB relations), ``engine="spark"`` on
PySpark DataFrames (PySpark is optional and never imported by this package), and
``engine="auto"`` (Spark for PySpark DataFrames; DuckDB for paths, relations or more than
:data:`AUTO_DUCKDB_ROWS` rows). Only the small results come back, as pandas DataFrames with a
fixed column order and dtypes, sorted by their keys.

Nothing is dropped silently: every function also returns an ``exclusions`` frame (``period_start``,
``period_end``, ``table``, ``reason``, ``rows``).

See ``docs/aggregation.md`` for the definitions and ``docs/scale.md`` for large data.
"""

from equitymetrics.aggregate._bands import UNKNOWN_AGE_BAND, AgeBand, parse_age_bands
from equitymetrics.aggregate._engine import AUTO_DUCKDB_ROWS, ENGINES
from equitymetrics.aggregate._frames import Counts
from equitymetrics.aggregate._mha import CTO_CODES, DETENTION_CODES, MHA_AGE_BANDS, mha_counts
from equitymetrics.aggregate._population import population_counts
from equitymetrics.aggregate._restrictive import (
    NO_STAY_REASON,
    RESTRICTIVE_AGE_BANDS,
    RESTRICTIVE_TYPE_GROUPS,
    RestrictivePracticeCounts,
    restrictive_practice_counts,
)
from equitymetrics.aggregate._smi import SMI_AGE_BANDS, SMI_ELEMENTS, smi_counts
from equitymetrics.aggregate._workforce import (
    disciplinary_counts,
    recruitment_counts,
    staff_counts,
    training_counts,
)

__all__ = [
    "AUTO_DUCKDB_ROWS",
    "AgeBand",
    "CTO_CODES",
    "Counts",
    "DETENTION_CODES",
    "ENGINES",
    "MHA_AGE_BANDS",
    "NO_STAY_REASON",
    "RESTRICTIVE_AGE_BANDS",
    "RESTRICTIVE_TYPE_GROUPS",
    "RestrictivePracticeCounts",
    "SMI_AGE_BANDS",
    "SMI_ELEMENTS",
    "UNKNOWN_AGE_BAND",
    "disciplinary_counts",
    "mha_counts",
    "parse_age_bands",
    "population_counts",
    "recruitment_counts",
    "restrictive_practice_counts",
    "smi_counts",
    "staff_counts",
    "training_counts",
]
