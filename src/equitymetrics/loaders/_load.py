"""``load``: read a source with a loader, map its columns, validate, and account for every row."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, LoaderError
from equitymetrics.loaders._protocol import DETAILS_ATTR, FAILURES_ATTR, Loader
from equitymetrics.loaders._registry import get_loader
from equitymetrics.loaders._report import LoadedTable, LoadReport
from equitymetrics.loaders._schemas import TableSchema, schema
from equitymetrics.loaders._validate import ORIGINAL_ETHNIC_COLUMN, validate_table

__all__ = ["infer_loader", "load"]

OnInvalid = Literal["raise", "exclude"]
_ON_INVALID = ("raise", "exclude")

_SUFFIXES: Mapping[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
_CHUNK = 1 << 20


def infer_loader(source: Any, table: str) -> str:
    """The loader name for ``source``: from its type, URL scheme or file extension.

    A DataFrame -> ``"memory"``; a URL (``scheme://...``) or SQLAlchemy object -> ``"sql"``;
    ``.csv``/``.tsv``/``.txt`` -> ``"csv"`` (``"ons_census"`` for the ``census_population``
    table); ``.parquet``/``.pq`` -> ``"parquet"``; ``.xlsx``/``.xlsm`` -> ``"excel"``.
    """
    if isinstance(source, pd.DataFrame):
        return "memory"
    if type(source).__module__.startswith("sqlalchemy"):
        return "sql"
    if isinstance(source, str) and "://" in source:
        return "sql"
    if isinstance(source, str | os.PathLike):
        suffix = Path(source).suffix.lower()
        name = _SUFFIXES.get(suffix)
        if name == "csv" and table == "census_population":
            return "ons_census"
        if name is not None:
            return name
        raise InvalidArgumentError(
            f"cannot tell which loader reads {str(source)!r} from its extension {suffix!r}; "
            f"pass loader=, one of: csv, parquet, excel, sql, ons_census, memory (or a "
            f"plugin name). Known extensions: {', '.join(_SUFFIXES)}."
        )
    raise InvalidTypeError(
        f"cannot tell which loader reads a {type(source).__name__}; pass a path, a database "
        "URL or a DataFrame, or name the loader with loader=."
    )


def _resolve(loader: Any, source: Any, table: str) -> tuple[str, Loader]:
    if loader is None:
        loader = infer_loader(source, table)
    if isinstance(loader, str):
        return loader, get_loader(loader)
    if isinstance(loader, type):
        raise InvalidTypeError(
            f"loader must be a loader name or a loader object; got the class {loader.__name__}: "
            f"pass an instance, loader={loader.__name__}()."
        )
    if isinstance(loader, Loader):
        return str(getattr(loader, "name", type(loader).__name__)), loader
    raise InvalidTypeError(
        f"loader must be a loader name (see list_loaders()) or an object with a "
        f"read(source, **options) method; got {type(loader).__name__}."
    )


def _describe(source: Any) -> str:
    if isinstance(source, pd.DataFrame):
        return f"DataFrame ({source.shape[0]} rows, {source.shape[1]} columns)"
    if isinstance(source, str | os.PathLike):
        return str(source)
    return type(source).__name__


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def frame_digest(raw: pd.DataFrame) -> str:
    """SHA-256 of a raw table written as UTF-8 CSV with a ``row`` column and ``\\n`` endings."""
    text = raw.to_csv(index=True, index_label="row", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fingerprint(source: Any, raw: pd.DataFrame) -> str:
    if isinstance(source, str | os.PathLike) and Path(source).is_file():
        return _file_digest(Path(source))
    return frame_digest(raw)


def _check_raw(raw: Any, name: str) -> pd.DataFrame:
    if not isinstance(raw, pd.DataFrame):
        raise LoaderError(
            f"loader {name!r} returned a {type(raw).__name__}; a loader's read() must return "
            "a pandas DataFrame."
        )
    index = raw.index
    if len(index) and (
        not pd.api.types.is_integer_dtype(index.dtype) or int(np.min(index.to_numpy())) < 1
    ):
        raise LoaderError(
            f"loader {name!r} returned a table indexed by {index.dtype} values from "
            f"{index[0]!r}; the index must hold the source's 1-based data row numbers."
        )
    return raw


def _canonical_names(
    raw: pd.DataFrame, columns: Mapping[str, str] | None, table: TableSchema
) -> pd.DataFrame:
    """Strip column names, then rename source columns to canonical names with ``columns``."""
    names = [str(c).strip() for c in raw.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise LoaderError(f"the source has duplicate column names {duplicates!r}.")
    raw = raw.set_axis(names, axis=1)
    if columns is None:
        return raw
    if not isinstance(columns, Mapping):
        raise InvalidTypeError(
            "columns must map canonical names to source names, e.g. "
            f"{{'person_id': 'PatientID'}}; got {type(columns).__name__}."
        )
    allowed = (*table.column_names, ORIGINAL_ETHNIC_COLUMN)
    renames: dict[str, str] = {}
    for canonical, original in columns.items():
        if canonical not in allowed:
            raise InvalidArgumentError(
                f"columns= maps {original!r} to {canonical!r}, which is not a column of "
                f"{table.name}; its columns are {', '.join(table.column_names)}."
            )
        if not isinstance(original, str):
            raise InvalidTypeError(
                f"columns[{canonical!r}] must be a source column name; got {original!r}."
            )
        if original.strip() not in names:
            if canonical in names:  # the loader already gave this column its canonical name
                continue
            raise InvalidArgumentError(
                f"columns= maps {original!r} to {canonical!r}, but the source has no column "
                f"{original!r}; its columns are {names!r}."
            )
        if original.strip() in renames:
            raise InvalidArgumentError(
                f"columns= maps the source column {original!r} to both "
                f"{renames[original.strip()]!r} and {canonical!r}; map each source column once."
            )
        renames[original.strip()] = canonical
    clashes = sorted(set(renames.values()) & (set(names) - set(renames)))
    if clashes:
        raise InvalidArgumentError(
            f"columns= renames a column to {clashes!r}, but the source already has a column of "
            "that name; drop or rename the existing column first."
        )
    return raw.rename(columns=renames)


def load(
    table: str,
    source: Any,
    /,
    *,
    loader: str | Loader | None = None,
    columns: Mapping[str, str] | None = None,
    on_invalid: OnInvalid = "raise",
    **options: Any,
) -> LoadedTable:
    """Read ``source`` as the canonical table ``table``, validating and counting every row.

    Parameters
    ----------
    table : str
        Canonical table name, one of :data:`CANONICAL_TABLES` (e.g. ``"patients"``).
        Positional only, so that the ``sql`` loader's own ``table=`` option can follow.
    source : path, URL, DataFrame or anything a plugin loader reads
        ``"patients.csv"``, ``"sqlite:///trust.db"``, a pandas DataFrame ... (positional only).
    loader : str or Loader, optional
        Loader name (see :func:`list_loaders`) or a loader object. Inferred from ``source`` if
        omitted: .csv -> csv (ons_census for census_population), .parquet -> parquet, .xlsx ->
        excel, a URL -> sql, a DataFrame -> memory.
    columns : mapping of str to str, optional
        Canonical name -> source column name, e.g. ``{"person_id": "PatientID"}``.
    on_invalid : {"raise", "exclude"}, default "raise"
        ``"raise"``: any invalid row raises one :class:`DataValidationError` listing every
        problem. ``"exclude"``: invalid rows are left out and counted in
        ``report.rows_excluded`` by the reason of their first problem (``report.failures``
        lists every problem). Missing required columns always raise.
    **options
        Passed to the loader, e.g. ``delimiter=";"`` (csv), ``sheet="Data", header_row=3``
        (excel), ``table="patients"`` or ``query=..., params={...}`` (sql).

    Returns
    -------
    LoadedTable
        ``.frame`` (canonical DataFrame), ``.report`` (:class:`LoadReport`) and ``.sha256``.

    Raises
    ------
    DataValidationError
        The data break the schema; ``.failures`` lists every problem (table, column, row,
        value, problem).
    LoaderError
        The source cannot be read (missing file, bad encoding, unknown SQL table ...).
    UnknownLoaderError
        ``loader`` names no installed loader.
    InvalidArgumentError, InvalidTypeError
        An argument is invalid (unknown table or option, bad ``columns=`` ...).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"year": [2024], "indicator": ["5"], "group": ["BME"],
    ...                     "respondents": [120], "positive": [30]})
    >>> loaded = load("staff_survey", raw)
    >>> loaded.report.rows_read, loaded.report.rows_accepted, loaded.report.rows_excluded
    (1, 1, {})
    """
    table_schema = schema(table)
    if on_invalid not in _ON_INVALID:
        raise InvalidArgumentError(f"on_invalid must be 'raise' or 'exclude'; got {on_invalid!r}.")
    name, instance = _resolve(loader, source, table)
    raw = _check_raw(instance.read(source, **options), name)
    attrs = dict(raw.attrs)
    raw = raw.copy(deep=False)
    raw.attrs = {}
    details = {str(k): str(v) for k, v in dict(attrs.get(DETAILS_ATTR) or {}).items()}
    description = details.pop("source", None) or _describe(source)
    sha256 = _fingerprint(source, raw)
    renamed = _canonical_names(raw, columns, table_schema)
    validated = validate_table(
        table_schema,
        renamed,
        on_invalid=on_invalid,
        source=description,
        loader_failures=attrs.get(FAILURES_ATTR),
    )
    report = LoadReport(
        table=table,
        source=description,
        loader=name,
        rows_read=len(raw),
        rows_accepted=len(validated.frame),
        rows_excluded=dict(sorted(validated.rows_excluded.items())),
        failures=validated.failures,
        extra_columns=validated.extra_columns,
        absent_optional_columns=validated.absent_optional_columns,
        details=details,
    )
    return LoadedTable(frame=validated.frame, report=report, sha256=sha256)
