"""The Spark engine: every aggregation on PySpark DataFrames equals pandas and DuckDB exactly.

The sample trust's canonical tables (loaded with ``equitymetrics.loaders``) are sent to a local
Spark session, and each aggregate function is run on pandas, on DuckDB and on Spark; the
resulting frames must be identical (values, dtypes, column and row order). The other
implementations are the independent source here: pandas and DuckDB are checked against
hand-computed tables and a plain-Python implementation in the other aggregate tests.

PySpark (and Java 17) are needed. Without PySpark the Spark tests FAIL, so that a CI machine
missing it is noticed, unless ``EQUITYMETRICS_SKIP_SPARK=1`` asks to skip them explicitly.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from equitymetrics import aggregate, loaders
from equitymetrics.aggregate import _engine, _spark
from equitymetrics.datasets import sample_trust_files
from equitymetrics.exceptions import InvalidArgumentError

SKIP_VARIABLE = "EQUITYMETRICS_SKIP_SPARK"

QUARTERS = [
    (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
]
CATCHMENT = ["E06999901", "E06999902", "E06999903", "E06999904"]
YEAR_START, YEAR_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)

# Tables whose date columns hold times of day: sent to Spark as TIMESTAMP_NTZ, so that the
# engine's truncation to the day is exercised; the other tables' dates are sent as DATE.
WITH_TIMES = {"restrictive_interventions"}

# (aggregate function, canonical tables in argument order, options)
CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...], dict[str, Any]]] = {
    "restrictive_practice_counts": (
        aggregate.restrictive_practice_counts,
        ("inpatient_stays", "restrictive_interventions", "patients"),
        {"periods": QUARTERS, "trust": "Example Trust"},
    ),
    "mha_counts": (
        aggregate.mha_counts,
        ("mha_episodes", "patients"),
        {"periods": [(dt.date(2024, 4, 1), dt.date(2024, 12, 31))], "catchment": CATCHMENT},
    ),
    "population_counts": (
        aggregate.population_counts,
        ("census_population",),
        {"catchment": CATCHMENT},
    ),
    "smi_counts": (aggregate.smi_counts, ("smi_register", "patients"), {"periods": QUARTERS}),
    "staff_counts": (aggregate.staff_counts, ("staff",), {"snapshot_date": YEAR_END}),
    "recruitment_counts": (
        aggregate.recruitment_counts,
        ("recruitment",),
        {"start": YEAR_START, "end": YEAR_END},
    ),
    "disciplinary_counts": (
        aggregate.disciplinary_counts,
        ("disciplinary",),
        {"start": dt.date(2023, 4, 1), "end": YEAR_END},
    ),
    "training_counts": (aggregate.training_counts, ("training",), {"year_end": YEAR_END}),
}


def _require_pyspark() -> Any:
    """Import ``pyspark.sql``; skip only when asked to explicitly, otherwise fail."""
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: the Spark engine tests are skipped on request")
    try:
        import pyspark.sql
    except ImportError as error:
        pytest.fail(
            f"PySpark is not importable ({error}). Install it (pip install "
            f"'equitymetrics[spark]', with Java 17) or set {SKIP_VARIABLE}=1 to skip the Spark "
            "tests explicitly."
        )
    return pyspark.sql


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One small local Spark session for the whole test run."""
    sql = _require_pyspark()
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("equitymetrics-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        # Settings for many tiny queries: a JVM that compiles quickly, no adaptive
        # re-planning, no whole-stage code generation.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # A zone with summer time, unlike the UTC default of clusters: results must not
        # depend on it.
        .config("spark.sql.session.timeZone", "Europe/London")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The sample trust's canonical tables, loaded and validated as the pipeline does."""
    return {name: loaders.load(name, path).frame for name, path in sample_trust_files().items()}


def _spark_type(name: str, series: pd.Series, table: str) -> tuple[str, pa.Array]:
    """The Spark type of a canonical column, and its values as an Arrow array of that type."""
    values = pa.array(series, from_pandas=True)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        if table in WITH_TIMES:
            return "TIMESTAMP_NTZ", values.cast(pa.timestamp("us"))
        known = series.dropna()
        assert (known == known.dt.normalize()).all(), f"{table}.{name} holds times of day"
        return "DATE", values.cast(pa.timestamp("us")).cast(pa.date32())
    if pd.api.types.is_bool_dtype(series.dtype):
        return "BOOLEAN", values
    if pd.api.types.is_integer_dtype(series.dtype):
        return "BIGINT", values.cast(pa.int64())
    if pd.api.types.is_float_dtype(series.dtype):
        return "DOUBLE", values
    return "STRING", values.cast(pa.string())


def to_spark(spark: Any, frame: pd.DataFrame, table: str) -> Any:
    """A Spark DataFrame holding ``frame``, with an explicit schema (no type inference)."""
    columns = {str(name): _spark_type(str(name), frame[name], table) for name in frame.columns}
    arrow = pa.table({name: values for name, (_, values) in columns.items()})
    schema = ", ".join(f"`{name}` {kind}" for name, (kind, _) in columns.items())
    return spark.createDataFrame(arrow, schema=schema)


@pytest.fixture(scope="module")
def spark_tables(spark: Any, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return {name: to_spark(spark, frame, name) for name, frame in tables.items()}


def _frames(result: Any) -> dict[str, pd.DataFrame]:
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


@pytest.mark.spark
@pytest.mark.parametrize("name", list(CALLS))
def test_spark_equals_pandas_and_duckdb(
    name: str, tables: dict[str, pd.DataFrame], spark_tables: dict[str, Any]
) -> None:
    function, inputs, options = CALLS[name]
    on_spark = function(*[spark_tables[t] for t in inputs], engine="spark", **options)
    on_pandas = function(*[tables[t] for t in inputs], engine="pandas", **options)
    on_duckdb = function(*[tables[t] for t in inputs], engine="duckdb", **options)
    frames = _frames(on_spark)
    # Every counts frame of the sample trust has rows, so the comparison is not vacuous.
    assert all(len(frame) > 0 for key, frame in frames.items() if key != "exclusions")
    for key, frame in frames.items():
        for other, result in (("pandas", on_pandas), ("duckdb", on_duckdb)):
            try:
                pd.testing.assert_frame_equal(frame, getattr(result, key), check_exact=True)
            except AssertionError as error:
                raise AssertionError(f"{name}.{key}: spark differs from {other}\n{error}") from None


@pytest.mark.spark
def test_helper_tables_sent_as_rows(
    tables: dict[str, pd.DataFrame],
    spark_tables: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before Spark 4 the small helper tables (periods, code lists) are sent as rows, not Arrow.
    monkeypatch.setattr(_spark, "sends_arrow", lambda session: False)
    quarter = (dt.date(2024, 7, 1), dt.date(2024, 9, 30))
    options: dict[str, Any] = {"periods": [quarter], "catchment": CATCHMENT}
    on_spark = aggregate.mha_counts(
        spark_tables["mha_episodes"], spark_tables["patients"], engine="spark", **options
    )
    on_pandas = aggregate.mha_counts(
        tables["mha_episodes"], tables["patients"], engine="pandas", **options
    )
    assert len(on_spark.counts) > 0
    for key, frame in _frames(on_spark).items():
        pd.testing.assert_frame_equal(frame, getattr(on_pandas, key), check_exact=True)


@pytest.mark.spark
def test_spark_matches_interventions_to_stays_by_date(spark: Any) -> None:
    # The sample trust has no intervention outside a stay, so this small table exercises the
    # date rule on Spark. p1 stays on Oak 10-20 May and 12-18 May (overlapping), and on Elm
    # from 20 May (open). Interventions: i1 Oak 9 May (before admission), i2 Oak 20 May 23:00
    # (discharge day), i3 Oak 21 May (after discharge), i4 Elm 20 May (admission day), i5 Elm
    # 30 June (open stay), i6 Elm 15 May (before the Elm admission), i7 Oak 15 May (in both
    # Oak stays). Counted: i2, i4, i5, i7 (4); outside every stay: i1, i3, i6 (3).
    stays = pd.DataFrame(
        {
            "stay_id": ["s1", "s2", "s3"],
            "person_id": ["p1", "p1", "p1"],
            "ward": ["Oak", "Oak", "Elm"],
            "division": ["Adult", "Adult", "Adult"],
            "start_date": pd.to_datetime(["2025-05-10", "2025-05-12", "2025-05-20"]),
            "end_date": pd.to_datetime(["2025-05-20", "2025-05-18", None]),
        }
    )
    days = ["2025-05-09", "2025-05-20 23:00", "2025-05-21", "2025-05-20", "2025-06-30"]
    events = pd.DataFrame(
        {
            "intervention_id": [f"i{n}" for n in range(1, 8)],
            "person_id": ["p1"] * 7,
            "ward": ["Oak", "Oak", "Oak", "Elm", "Elm", "Elm", "Oak"],
            "start_date": pd.to_datetime([*days, "2025-05-15", "2025-05-15"], format="ISO8601"),
            "type_code": ["01"] * 7,
        }
    )
    people = pd.DataFrame(
        {
            "person_id": ["p1"],
            "ethnic_category": ["A"],
            "sex": ["1"],
            "birth_date": pd.to_datetime(["1980-01-01"]),
        }
    )
    frames = {"inpatient_stays": stays, "restrictive_interventions": events, "patients": people}
    options: dict[str, Any] = {"periods": [(dt.date(2025, 4, 1), dt.date(2025, 6, 30))]}
    on_spark = aggregate.restrictive_practice_counts(
        *[to_spark(spark, frame, name) for name, frame in frames.items()],
        engine="spark",
        **options,
    )
    on_pandas = aggregate.restrictive_practice_counts(*frames.values(), engine="pandas", **options)
    for key, frame in _frames(on_spark).items():
        pd.testing.assert_frame_equal(frame, getattr(on_pandas, key), check_exact=True)
    assert on_spark.exclusions[["reason", "rows"]].to_numpy().tolist() == [
        [aggregate.NO_STAY_REASON, 3]
    ]
    trust = on_spark.interventions[on_spark.interventions["unit_type"] == "trust"]
    assert trust.set_index("type_group")["interventions"].to_dict() == {
        "all": 4,
        "physical": 4,
        "prone": 4,
    }


@pytest.mark.spark
def test_auto_chooses_spark_for_spark_inputs(spark_tables: dict[str, Any]) -> None:
    chosen = _engine.resolve_engine("auto", {"disciplinary": spark_tables["disciplinary"]})
    assert chosen == "spark"


@pytest.mark.spark
def test_spark_refuses_a_pandas_table(
    tables: dict[str, pd.DataFrame], spark_tables: dict[str, Any]
) -> None:
    with pytest.raises(InvalidArgumentError, match="patients is not one"):
        aggregate.smi_counts(
            spark_tables["smi_register"], tables["patients"], periods=QUARTERS, engine="spark"
        )


@pytest.mark.spark
def test_a_spark_table_is_refused_by_duckdb(spark_tables: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError, match="engine='duckdb' cannot read PySpark"):
        aggregate.disciplinary_counts(
            spark_tables["disciplinary"], start=YEAR_START, end=YEAR_END, engine="duckdb"
        )


def test_spark_needs_spark_tables() -> None:
    frame = pd.DataFrame({"case_id": ["c1"], "ethnic_category": ["A"]})
    with pytest.raises(InvalidArgumentError, match="disciplinary is not one"):
        _engine.resolve_engine("spark", {"disciplinary": frame})


def test_importing_equitymetrics_does_not_import_pyspark() -> None:
    code = (
        "import sys, equitymetrics, equitymetrics.aggregate, equitymetrics.pipeline; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
