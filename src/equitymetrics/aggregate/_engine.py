"""Engines that run the aggregation definitions: pandas in memory, DuckDB embedded, Spark.

Every aggregation is written once against the narwhals expression API on *lazy* frames. This
module turns the caller's inputs into such frames on the chosen engine, and collects the small
results back to pandas:

- ``"pandas"``: each input DataFrame is wrapped as a narwhals lazy frame backed by pandas (the
  work runs in memory, in pandas).
- ``"duckdb"``: each input becomes a DuckDB relation (a pandas DataFrame is scanned in place; a
  Parquet or CSV path is read by DuckDB itself; a relation is used as it is), so the record-level
  rows stay inside DuckDB and only the small counts come back as pandas.
- ``"spark"``: every input is a PySpark DataFrame; the work runs on the Spark cluster (or in
  Spark local mode) and only the small counts are collected (see :mod:`._spark`; PySpark is an
  optional dependency and is never imported by this package).
- ``"auto"``: Spark when the inputs are PySpark DataFrames; DuckDB when any input is a file path
  or a DuckDB relation, or when the inputs hold more than :data:`AUTO_DUCKDB_ROWS` rows in total;
  pandas otherwise.

Before the aggregation sees a table, :meth:`_Session.table` selects the canonical columns the
aggregation needs and casts them to one logical type per column, so that both engines compute on
the same values: codes and identifiers become strings, dates become timestamps truncated to the
day, and flags (booleans) become floats 1.0 / 0.0 with missing values kept missing (a plain
boolean cast would turn a missing pandas flag into False on one engine and NULL on the other).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeAlias

import duckdb
import narwhals as nw
import pandas as pd

from equitymetrics.aggregate._spark import SparkState, is_spark_frame
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnknownMethodError

__all__ = [
    "AUTO_DUCKDB_ROWS",
    "ENGINES",
    "EngineName",
    "Frame",
    "TableInput",
    "open_session",
]

EngineName: TypeAlias = Literal["auto", "duckdb", "pandas", "spark"]
"""Names accepted by ``engine=``."""

ENGINES: tuple[str, ...] = ("auto", "duckdb", "pandas", "spark")
"""The valid values of ``engine=``, sorted."""

AUTO_DUCKDB_ROWS = 1_000_000
"""``engine="auto"`` uses DuckDB when the record-level inputs hold more rows than this in total."""

TableInput: TypeAlias = "pd.DataFrame | duckdb.DuckDBPyRelation | str | os.PathLike[str]"
"""A canonical table: a pandas DataFrame, a DuckDB relation, or a Parquet / CSV file path (or a
PySpark DataFrame, for ``engine="spark"``; not named here so that PySpark stays optional)."""

Frame: TypeAlias = "nw.LazyFrame[Any]"
"""The lazy frame type every aggregation definition works on."""

Kind: TypeAlias = Literal["string", "date", "flag", "number"]

_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt")


def _is_path(value: object) -> bool:
    return isinstance(value, str | os.PathLike)


def _is_relation(value: object) -> bool:
    return isinstance(value, duckdb.DuckDBPyRelation)


def _check_input(name: str, value: object) -> None:
    if isinstance(value, pd.DataFrame) or _is_path(value) or _is_relation(value):
        return
    if is_spark_frame(value):
        return
    raise InvalidTypeError(
        f"{name} must be a pandas DataFrame, a DuckDB relation, a Parquet/CSV file path or a "
        f"PySpark DataFrame; got "
        f"{type(value).__name__}. Load the table with equitymetrics.loaders or pandas first."
    )


def resolve_engine(
    engine: str, tables: Mapping[str, object]
) -> Literal["pandas", "duckdb", "spark"]:
    """Choose the engine that will run an aggregation.

    Parameters
    ----------
    engine : {"auto", "duckdb", "pandas", "spark"}
        The requested engine.
    tables : mapping of str to table
        The record-level inputs, keyed by canonical table name (used in error messages).

    Returns
    -------
    {"pandas", "duckdb", "spark"}
        The engine to use.
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        raise UnknownMethodError(
            f"engine must be one of {', '.join(repr(name) for name in ENGINES)}; got {engine!r}."
        )
    for name, value in tables.items():
        _check_input(name, value)
    spark = [name for name, value in tables.items() if is_spark_frame(value)]
    if spark or engine == "spark":
        return _resolve_spark(engine, tables, spark)
    lazy = [name for name, value in tables.items() if not isinstance(value, pd.DataFrame)]
    if engine == "pandas":
        if lazy:
            raise InvalidArgumentError(
                f"engine='pandas' needs pandas DataFrames, but {', '.join(lazy)} is a file path "
                "or a DuckDB relation; use engine='duckdb' (or 'auto') to aggregate it where it "
                "lives, or read it into pandas first."
            )
        return "pandas"
    if engine == "duckdb":
        return "duckdb"
    rows = sum(len(value) for value in tables.values() if isinstance(value, pd.DataFrame))
    return "duckdb" if lazy or rows > AUTO_DUCKDB_ROWS else "pandas"


def _resolve_spark(engine: str, tables: Mapping[str, object], spark: list[str]) -> Literal["spark"]:
    """Spark runs only on PySpark DataFrames, and PySpark DataFrames only on Spark."""
    others = [name for name in tables if name not in spark]
    if engine not in ("spark", "auto"):
        raise InvalidArgumentError(
            f"engine={engine!r} cannot read PySpark DataFrames ({', '.join(spark)}); use "
            "engine='spark' (or 'auto') so that the counts are computed on Spark."
        )
    if others:
        raise InvalidArgumentError(
            f"engine='spark' needs every table as a PySpark DataFrame, but {', '.join(others)} "
            "is not one; read it with spark.read / spark.table (or spark.createDataFrame for a "
            "small pandas table) so that all inputs live on one Spark session."
        )
    return "spark"


def _sql_string(text: str) -> str:
    """Quote ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class _Session:
    """Inputs of one aggregation call, turned into lazy frames on one engine."""

    def __init__(
        self, engine: Literal["pandas", "duckdb", "spark"], tables: Mapping[str, object]
    ) -> None:
        self.engine = engine
        self._connection: Any = None
        self._anchor: Any = None
        self._temporary: list[str] = []
        self._spark = SparkState(dict(tables)) if engine == "spark" else None
        if engine == "duckdb":
            relations = [value for value in tables.values() if _is_relation(value)]
            if relations:
                # Relations cannot be moved between connections, so everything else is brought
                # onto the connection of the first relation given.
                self._anchor = relations[0]
                for name, value in tables.items():
                    if _is_relation(value) and value is not self._anchor:
                        self._check_same_connection(name, value)
            else:
                self._connection = duckdb.connect()

    def close(self) -> None:
        """Drop the temporary tables made by :meth:`persist` and close our own connection."""
        if self._spark is not None:
            self._spark.close()
        if self._anchor is not None:
            for name in self._temporary:
                self._anchor.query("_em_anchor", f"DROP TABLE IF EXISTS {name}")
        self._temporary.clear()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _check_same_connection(self, name: str, relation: Any) -> None:
        try:
            left = self._anchor.limit(0).set_alias("_em_left")
            left.cross(relation.limit(0).set_alias("_em_right"))
        except duckdb.Error as error:
            raise InvalidArgumentError(
                f"{name} is a DuckDB relation on a different connection from the other inputs; "
                "create every input relation on one connection (or pass file paths or pandas "
                f"DataFrames instead). DuckDB said: {error}"
            ) from None

    def _sql(self, sql: str, frame: pd.DataFrame | None = None) -> Any:
        """Run ``sql`` on the session's DuckDB connection; ``frame`` is visible as ``_em_frame``."""
        if self._anchor is None:
            if frame is not None:
                return self._connection.from_df(frame)
            return self._connection.sql(sql)
        # A relation does not expose its connection, but ``query`` runs on it; DuckDB's
        # replacement scan finds the pandas frame among this function's local variables.
        _em_frame = frame  # read by DuckDB by name
        return self._anchor.query("_em_anchor", sql)

    def _relation(self, value: object, table: str) -> Any:
        if _is_relation(value):
            return value
        if isinstance(value, pd.DataFrame):
            return self._sql("SELECT * FROM _em_frame", value)
        if not isinstance(value, str | os.PathLike):  # pragma: no cover - checked earlier
            raise InvalidTypeError(f"{table}: expected a file path; got {type(value).__name__}.")
        path = Path(value)
        name = path.name.lower()
        if name.endswith(_PARQUET_SUFFIXES) or path.is_dir() or "*" in name:
            source = str(path / "*.parquet") if path.is_dir() else str(path)
            return self._sql(f"SELECT * FROM read_parquet({_sql_string(source)})")
        if name.endswith(_CSV_SUFFIXES):
            # Read every column as text so that codes keep their leading zeros ("01").
            return self._sql(
                f"SELECT * FROM read_csv({_sql_string(str(path))}, all_varchar = true)"
            )
        raise InvalidArgumentError(
            f"{table}: cannot tell the file type of {str(path)!r}; give a path ending in "
            f"{', '.join(_PARQUET_SUFFIXES + _CSV_SUFFIXES)}, or a directory of Parquet files."
        )

    def table(
        self,
        value: object,
        table: str,
        columns: Mapping[str, Kind],
        *,
        optional: Sequence[str] = (),
    ) -> Frame:
        """Return the canonical ``columns`` of ``value`` as a lazy frame with logical types.

        Parameters
        ----------
        value : DataFrame, relation or path
            The table as the caller gave it.
        table : str
            Canonical table name, used in error messages.
        columns : mapping of str to kind
            Column name -> ``"string"``, ``"date"``, ``"flag"`` or ``"number"``.
        optional : sequence of str
            Columns of ``columns`` that may be absent.
        """
        if self.engine == "pandas":
            if not isinstance(value, pd.DataFrame):  # pragma: no cover - resolve_engine checks
                raise InvalidArgumentError(f"{table}: the pandas engine needs a DataFrame.")
            frame: Frame = nw.from_native(value, eager_only=True).lazy()
        elif self._spark is not None:
            frame = nw.from_native(value)
        else:
            frame = nw.from_native(self._relation(value, table))
        schema = frame.collect_schema()
        present = [str(name) for name in schema.names()]
        missing = [name for name in columns if name not in present and name not in optional]
        if missing:
            raise InvalidArgumentError(
                f"{table} is missing the column(s) {', '.join(repr(m) for m in missing)}; it has "
                f"{', '.join(repr(p) for p in present) or 'no columns'}. Rename the columns to "
                "the canonical names of the data contract, or load the table through "
                "equitymetrics.loaders."
            )
        spark = self._spark is not None
        expressions = [
            _cast(name, kind, schema[name], spark=spark)
            for name, kind in columns.items()
            if name in present
        ]
        return frame.select(expressions)

    def small(self, frame: pd.DataFrame) -> Frame:
        """Bring a small helper table (periods, code lists) onto the session's engine."""
        if self.engine == "pandas":
            return nw.from_native(frame, eager_only=True).lazy()
        if self._spark is not None:
            return self._spark.small(frame)
        helper: Frame = nw.from_native(self._sql("SELECT * FROM _em_frame", frame))
        return helper

    def persist(self, frame: Frame) -> Frame:
        """Compute ``frame`` once so that later queries reuse it instead of recomputing it.

        On DuckDB the rows go to a temporary table of the connection (which DuckDB may spill to
        disk; it is dropped when the session closes), never to pandas. On pandas the frame is
        already computed.
        """
        if self.engine == "pandas":
            return frame
        if self._spark is not None:
            return self._spark.persist(frame)
        name = f"_em_{uuid.uuid4().hex}"
        frame.to_native().query(
            "_em_source", f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM _em_source"
        )
        self._temporary.append(name)
        persisted: Frame = nw.from_native(self._sql(f"SELECT * FROM {name}"))
        return persisted

    def collect(self, frame: Frame) -> pd.DataFrame:
        """Run ``frame`` on the engine and return the (small) result as pandas."""
        if self._spark is not None:
            return self._spark.collect(frame)
        result = frame.collect("pandas").to_native()
        if not isinstance(result, pd.DataFrame):  # pragma: no cover - narwhals guarantees it
            raise InvalidTypeError("the engine did not return a pandas DataFrame")
        return result


def _cast(name: str, kind: Kind, dtype: Any, *, spark: bool = False) -> nw.Expr:
    """Cast column ``name`` (of narwhals ``dtype``) to the logical type ``kind``."""
    column = nw.col(name)
    if kind == "string":
        return column if dtype == nw.String else column.cast(nw.String)
    if kind == "date":
        if spark:
            # Spark's date_trunc turns a TIMESTAMP_NTZ into a time-zone-aware TIMESTAMP; going
            # through DATE gives midnight as TIMESTAMP_NTZ, whatever the session's time zone.
            return column.cast(nw.Date).cast(nw.Datetime("us"))
        # ISO text (CSV read as text) casts directly on both engines.
        return column.cast(nw.Datetime("us")).dt.truncate("1d")
    if kind == "flag":
        if dtype == nw.String:
            # Text flags (CSV read as text by DuckDB): true/false, t/f, yes/no, 1/0.
            lowered = column.str.strip_chars().str.to_lowercase()
            return (
                nw.when(lowered.is_in(["true", "t", "yes", "y", "1"]))
                .then(nw.lit(1.0))
                .otherwise(
                    nw.when(lowered.is_in(["false", "f", "no", "n", "0"]))
                    .then(nw.lit(0.0))
                    .otherwise(nw.lit(None, nw.Float64))
                )
                .alias(name)
            )
        return column.cast(nw.Float64)
    return column.cast(nw.Float64)


@contextmanager
def open_session(engine: str, tables: Mapping[str, object]) -> Iterator[_Session]:
    """Resolve ``engine`` for ``tables`` and yield a session; close its connection afterwards."""
    session = _Session(resolve_engine(engine, tables), tables)
    try:
        yield session
    finally:
        session.close()
