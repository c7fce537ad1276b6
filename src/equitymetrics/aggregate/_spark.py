"""The Spark engine: the same narwhals aggregation definitions, run on PySpark DataFrames.

PySpark is optional (``pip install "equitymetrics[spark]"``). Nothing here imports it: a Spark
input is recognised through narwhals (which only looks at modules already imported), and every
Spark object used (the session, the helper frames) is reached from the caller's DataFrames. So
``import equitymetrics`` never starts or imports Spark, and a notebook on Databricks passes its
own DataFrames (from ``spark.table`` or ``spark.read``) and gets small pandas counts back.

Both classic PySpark DataFrames and Spark Connect DataFrames (Databricks serverless and shared
clusters) are accepted; the tests run classic PySpark in local mode (no Spark Connect server was
available to test against).
"""

from __future__ import annotations

import contextlib
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow as pa
from narwhals.dependencies import is_pyspark_connect_dataframe, is_pyspark_dataframe

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "SparkState",
    "is_spark_frame",
    "sends_arrow",
]


def is_spark_frame(value: object) -> bool:
    """Whether ``value`` is a PySpark (classic or Spark Connect) DataFrame; never imports it."""
    return bool(is_pyspark_dataframe(value) or is_pyspark_connect_dataframe(value))


_TYPES: dict[str, Any] = {
    "TIMESTAMP_NTZ": pa.timestamp("us"),
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "STRING": pa.string(),
}


def _spark_type(dtype: Any, column: str) -> str:
    """The Spark SQL type (as DDL text) of a helper-table column of pandas ``dtype``."""
    if pd.api.types.is_datetime64_dtype(dtype):
        # Timestamps without a time zone: the aggregation casts dates to nw.Datetime, which
        # narwhals maps to TIMESTAMP_NTZ on Spark, so comparisons never depend on the Spark
        # session's time zone.
        return "TIMESTAMP_NTZ"
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "STRING"
    raise InvalidTypeError(  # pragma: no cover - helper tables are built by the library
        f"cannot send the helper column {column!r} of dtype {dtype} to Spark."
    )


def _python_value(value: Any) -> Any:
    """A plain Python value (``None`` for missing) that Spark accepts for its column type."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def sends_arrow(spark: Any) -> bool:
    """Whether small pandas tables go to ``spark`` as Arrow tables (Spark 4 and later)."""
    return int(str(spark.version).split(".")[0]) >= 4


def _checkpoint(native: Any) -> Any:
    return native.localCheckpoint(eager=True)


class SparkState:
    """The Spark side of one aggregation call: the session, and the frames it cached.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The caller's inputs, all PySpark DataFrames (checked by the engine).
    """

    def __init__(self, tables: dict[str, object]) -> None:
        frames = [value for value in tables.values() if is_spark_frame(value)]
        if not frames:  # pragma: no cover - resolve_engine checks
            raise InvalidArgumentError("engine='spark' needs PySpark DataFrames as inputs.")
        self.spark: Any = frames[0].sparkSession  # type: ignore[attr-defined]
        self._arrow = sends_arrow(self.spark)
        self._cached: list[Any] = []

    def small(self, frame: pd.DataFrame) -> nw.LazyFrame[Any]:
        """A small helper table (periods, code lists) as a Spark DataFrame, with fixed types.

        The Spark schema is given explicitly (``TIMESTAMP_NTZ`` for dates, ``STRING`` for
        text), so that nothing depends on type inference or the session's time zone.
        """
        types = {str(column): _spark_type(frame[column].dtype, str(column)) for column in frame}
        schema = ", ".join(f"`{column}` {kind}" for column, kind in types.items())
        rows = [
            tuple(_python_value(value) for value in row)
            for row in frame.itertuples(index=False, name=None)
        ]
        if self._arrow:
            # From Spark 4 an Arrow table becomes a local relation inside the JVM; a list of
            # rows would start Python worker processes just to read a few helper rows.
            data: Any = pa.table(
                {
                    column: pa.array([row[index] for row in rows], type=_TYPES[kind])
                    for index, (column, kind) in enumerate(types.items())
                }
            )
        else:
            data = rows
        helper: nw.LazyFrame[Any] = nw.from_native(self.spark.createDataFrame(data, schema=schema))
        return helper

    def persist(self, frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        """Compute ``frame`` once so that later steps reuse it.

        A local checkpoint (computed now, kept by the executors, memory spilling to disk) also
        cuts the query plan short: later queries that read the frame several times are planned
        in a fraction of the time a cached plan takes (several times faster overall on the
        sample trust). Where checkpoints are refused the frame is cached instead, and where
        that is refused too (Databricks serverless compute refuses caching) it is returned as it
        is and Spark recomputes it when needed: slower, with the same result.
        """
        native = frame.to_native()
        for keep in (_checkpoint, self._cache):
            try:
                stored = keep(native)
            except Exception:  # any refusal to keep the rows just means recomputing them
                continue
            persisted: nw.LazyFrame[Any] = nw.from_native(stored)
            return persisted
        return frame

    def _cache(self, native: Any) -> Any:
        cached = native.persist()
        self._cached.append(cached)
        return cached

    def collect(self, frame: nw.LazyFrame[Any]) -> pd.DataFrame:
        """Run ``frame`` on Spark and return the (small) result as pandas, through Arrow."""
        table = frame.collect("pyarrow").to_native()
        result = table.to_pandas()
        if not isinstance(result, pd.DataFrame):  # pragma: no cover - pyarrow guarantees it
            raise InvalidTypeError("Spark did not return a table")
        return result

    def close(self) -> None:
        """Release the cached frames (Spark releases local checkpoints when they are no longer
        referenced)."""
        for cached in self._cached:
            # Runs while the call returns (or raises): releasing a cache must not hide the
            # result or the original error, and a stopped session has nothing to release.
            with contextlib.suppress(Exception):
                cached.unpersist()
        self._cached.clear()
