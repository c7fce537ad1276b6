"""Helpers for the aggregate tests: run one aggregation on every engine and compare."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

EngineRunner = Callable[..., dict[str, Any]]


def frames_of(result: Any) -> dict[str, pd.DataFrame]:
    """The DataFrames held by a result dataclass, by field name."""
    return {
        name: getattr(result, name)
        for name in result.__dataclass_fields__
        if isinstance(getattr(result, name), pd.DataFrame)
    }


def assert_same_result(left: Any, right: Any, label: str) -> None:
    """Every frame of two results is identical: values, order, columns and dtypes."""
    for name, frame in frames_of(left).items():
        try:
            pd.testing.assert_frame_equal(frame, getattr(right, name), check_exact=True)
        except AssertionError as error:
            raise AssertionError(f"{label}: frame {name!r} differs\n{error}") from None


def write_parquet(frame: pd.DataFrame, path: Path) -> str:
    frame.to_parquet(path, index=False)
    return str(path)


@pytest.fixture
def all_engines(tmp_path: Path) -> EngineRunner:
    """Run ``function(*tables, **options)`` on pandas, on DuckDB over the DataFrames, on DuckDB
    reading Parquet files, and on DuckDB relations; check all four agree; return them by name.
    """

    def run(function: Callable[..., Any], *tables: pd.DataFrame, **options: Any) -> dict[str, Any]:
        results: dict[str, Any] = {
            "pandas": function(*tables, engine="pandas", **options),
            "duckdb": function(*tables, engine="duckdb", **options),
        }
        paths = [write_parquet(t, tmp_path / f"table{i}.parquet") for i, t in enumerate(tables)]
        results["parquet"] = function(*paths, engine="auto", **options)
        connection = duckdb.connect()
        try:
            relations = [connection.read_parquet(path) for path in paths]
            results["relation"] = function(*relations, engine="duckdb", **options)
        finally:
            connection.close()
        for name in ("duckdb", "parquet", "relation"):
            assert_same_result(results["pandas"], results[name], f"pandas vs {name}")
        return results

    return run
