"""Validate a raw table against its canonical schema, collecting every problem first.

The order of the checks is fixed and documented (docs/loaders.md), because with
``on_invalid="exclude"`` each excluded row is counted under the reason of its *first* problem:

1. problems the loader found in the source layout (e.g. census totals that do not add up);
2. each canonical column in schema order: blank required values, then each value's rule
   (type, code list, range);
3. rules across columns of a row (end date before start date, positive > respondents);
4. duplicate keys (every row sharing a key is a problem, not only the later ones).

Missing required columns always raise, whatever ``on_invalid`` says.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import FAILURE_COLUMNS, DataValidationError
from equitymetrics.loaders._columns import ObjectArray, ParsedColumn, parse_column
from equitymetrics.loaders._parsers import display_value
from equitymetrics.loaders._schemas import ColumnSpec, RowRule, TableSchema

__all__ = [
    "FAILURE_DTYPES",
    "ORIGINAL_ETHNIC_COLUMN",
    "STRING_DTYPE",
    "Validated",
    "empty_failures",
    "validate_table",
]

OnInvalid = Literal["raise", "exclude"]

STRING_DTYPE = pd.StringDtype(na_value=np.nan)
"""pandas' default string dtype (missing values are NaN), used for canonical text columns."""

FAILURE_DTYPES: Mapping[str, str] = MappingProxyType(
    {"table": "string", "column": "string", "row": "Int64", "value": "string", "problem": "string"}
)
"""dtypes of a failures frame: text as pandas ``string`` (missing is ``<NA>``), row as ``Int64``."""

ORIGINAL_ETHNIC_COLUMN = "ethnic_category_original"
"""Column added after ``ethnic_category`` holding the values as given in the source."""

_SHOWN_IN_MESSAGE = 5
_FIX = (
    "Fix the source; if a column has another name, map it with columns={'canonical': 'source'}; "
    'or pass on_invalid="exclude" to exclude invalid rows and count them in the load report.'
)


@dataclass(frozen=True, slots=True)
class _Failure:
    """One problem, with the keys that order it in the failures frame."""

    row: int | None
    order: int
    position: int
    column: str
    value: str | None
    problem: str
    reason: str
    listed: bool = True


@dataclass(frozen=True, slots=True)
class Validated:
    """The outcome of validation with ``on_invalid="exclude"`` (or of a clean table)."""

    frame: pd.DataFrame
    failures: pd.DataFrame
    rows_excluded: dict[str, int]
    extra_columns: tuple[str, ...]
    absent_optional_columns: tuple[str, ...]


def empty_failures() -> pd.DataFrame:
    """A failures frame with no rows and the documented columns and dtypes."""
    return pd.DataFrame(
        {name: pd.Series([], dtype=FAILURE_DTYPES[name]) for name in FAILURE_COLUMNS}
    )


def _failures_frame(table: str, failures: Sequence[_Failure]) -> pd.DataFrame:
    ordered = sorted(
        (f for f in failures if f.listed),
        key=lambda f: (-1 if f.row is None else f.row, f.order, f.position),
    )
    data: dict[str, Any] = {
        "table": [table] * len(ordered),
        "column": [f.column for f in ordered],
        "row": [f.row for f in ordered],
        "value": [f.value for f in ordered],
        "problem": [f.problem for f in ordered],
    }
    return pd.DataFrame(
        {name: pd.Series(data[name], dtype=FAILURE_DTYPES[name]) for name in FAILURE_COLUMNS}
    )


def _name_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _suggest(missing: Sequence[str], present: Sequence[str]) -> dict[str, str]:
    """Guess a ``columns=`` mapping for missing columns from the present names."""
    keys = {_name_key(name): name for name in present}
    suggestion: dict[str, str] = {}
    for name in missing:
        close = difflib.get_close_matches(_name_key(name), list(keys), n=1, cutoff=0.6)
        if close:
            suggestion[name] = keys[close[0]]
    return suggestion


def _column_failures(schema: TableSchema, present: Sequence[str]) -> list[_Failure]:
    missing = [c.name for c in schema.columns if c.required and c.name not in present]
    failures = [
        _Failure(None, i, -1, name, None, f"required column {name} is missing", "missing column")
        for i, name in enumerate(missing)
    ]
    for group in schema.one_of:
        if not any(name in present for name in group):
            label = " or ".join(group)
            failures.append(
                _Failure(
                    None,
                    len(failures),
                    -1,
                    label,
                    None,
                    f"table {schema.name} needs at least one of the columns {', '.join(group)}",
                    "missing column",
                )
            )
    return failures


def _missing_columns_message(
    schema: TableSchema, source: str, failures: Sequence[_Failure], present: Sequence[str]
) -> str:
    names = [f.column for f in failures if f.row is None]
    wanted = [name for label in names for name in label.split(" or ")]
    suggestion = _suggest(wanted, present) or {names[0].split(" or ")[0]: "<source column>"}
    listed = ", ".join(repr(name) for name in present) or "(none)"
    return (
        f"{schema.name}: required column(s) missing from {source}: {', '.join(names)}. "
        f"The source has the columns {listed}. Map source columns to canonical names with "
        f"columns=, e.g. columns={suggestion!r}."
    )


def _rows_message(
    schema: TableSchema, source: str, frame: pd.DataFrame, rows_with_problems: int
) -> str:
    shown = []
    for record in frame.head(_SHOWN_IN_MESSAGE).to_dict("records"):
        where = "whole column" if pd.isna(record["row"]) else f"row {record['row']}"
        value = "" if pd.isna(record["value"]) else f" = {record['value']!r}"
        shown.append(f"  {where}, {record['column']}{value}: {record['problem']}")
    more = len(frame) - len(shown)
    tail = [f"  ... and {more} more (see the .failures frame of this error)"] if more else []
    head = f"{schema.name}: {len(frame)} problem(s) in {rows_with_problems} row(s) of {source}:"
    return "\n".join([head, *shown, *tail, _FIX])


def _not_before(later: ObjectArray, earlier: ObjectArray) -> npt.NDArray[np.bool_]:
    """True where both dates are present and ``later`` is before ``earlier``."""
    return np.asarray(pd.DatetimeIndex(later) < pd.DatetimeIndex(earlier), dtype=bool)


def _not_greater(part: ObjectArray, whole: ObjectArray) -> npt.NDArray[np.bool_]:
    """True where both numbers are present and ``part`` is greater than ``whole``."""
    first = pd.to_numeric(pd.Series(part, dtype=object), errors="coerce").to_numpy(float)
    second = pd.to_numeric(pd.Series(whole, dtype=object), errors="coerce").to_numpy(float)
    return np.asarray(first > second, dtype=bool)


def _describe(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value != value.normalize() else "%Y-%m-%d")
    return str(value)


_RULES: Mapping[str, tuple[Callable[[ObjectArray, ObjectArray], npt.NDArray[np.bool_]], str, str]]
_RULES = MappingProxyType(
    {
        "not_before": (
            _not_before,
            "{column} is before {other} ({value})",
            "{column} before {other}",
        ),
        "not_greater": (
            _not_greater,
            "{column} is greater than {other} ({value})",
            "{column} greater than {other}",
        ),
    }
)


def _rule_failures(
    rule: RowRule, parsed: Mapping[str, ParsedColumn], raw: pd.DataFrame, rows: Any, order: int
) -> list[_Failure]:
    if rule.column not in raw.columns or rule.other not in raw.columns:
        return []
    check, problem, reason = _RULES[rule.rule]
    other = parsed[rule.other].values
    broken = check(parsed[rule.column].values, other)
    raw_values = raw[rule.column].to_numpy(dtype=object)
    return [
        _Failure(
            int(rows[p]),
            order,
            int(p),
            rule.column,
            display_value(raw_values[p]),
            problem.format(column=rule.column, other=rule.other, value=_describe(other[p])),
            reason.format(column=rule.column, other=rule.other),
        )
        for p in np.flatnonzero(broken)
    ]


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_SHOWN_IN_MESSAGE])
    more = len(rows) - _SHOWN_IN_MESSAGE
    return shown + (f" and {more} more" if more > 0 else "")


def _duplicate_failures(
    key: tuple[str, ...],
    parsed: Mapping[str, ParsedColumn],
    raw: pd.DataFrame,
    rows: Any,
    order: int,
) -> list[_Failure]:
    if any(name not in raw.columns for name in key):
        return []
    values = pd.DataFrame({name: parsed[name].values for name in key})
    eligible = values.notna().all(axis=1).to_numpy()
    duplicated = values.duplicated(keep=False).to_numpy() & eligible
    if not duplicated.any():
        return []
    positions = np.flatnonzero(duplicated)
    groups = values.iloc[positions].groupby(list(key), sort=False).indices
    label = " and ".join(key)
    raw_values = [raw[name].to_numpy(dtype=object) for name in key]
    failures: list[_Failure] = []
    for members in groups.values():
        group_positions = positions[members]
        for p in group_positions:
            others = [int(rows[q]) for q in group_positions if q != p]
            shown = ", ".join(str(display_value(column[p])) for column in raw_values)
            failures.append(
                _Failure(
                    int(rows[p]),
                    order,
                    int(p),
                    ", ".join(key),
                    shown,
                    f"duplicate {label}: the same value is also in row(s) {_rows_text(others)}",
                    f"duplicate {label}",
                )
            )
    return failures


def _loader_failures(extra: pd.DataFrame | None, rows: Any) -> list[_Failure]:
    """Problems found by the loader itself, listed once and applied to every matching row."""
    if extra is None or extra.empty:
        return []
    failures = []
    for record in extra.to_dict("records"):
        row = None if pd.isna(record["row"]) else int(record["row"])
        positions = np.flatnonzero(rows == row) if row is not None else np.array([-1])
        reason = record.get("reason") or f"invalid {record['column']}"
        value = None if pd.isna(record["value"]) else str(record["value"])
        for k, p in enumerate(positions):
            failures.append(
                _Failure(
                    row,
                    -1,
                    int(p),
                    str(record["column"]),
                    value,
                    str(record["problem"]),
                    str(reason),
                    listed=k == 0,
                )
            )
    return failures


def _typed(spec: ColumnSpec, values: ObjectArray, index: pd.Index) -> pd.Series:
    dtype = spec.dtype
    if dtype == "datetime64[ns]":
        return pd.Series(pd.DatetimeIndex(values).as_unit("ns"), index=index, name=spec.name)
    if dtype == "str":
        return pd.Series(values, index=index, dtype=STRING_DTYPE, name=spec.name)
    if dtype == "Int64":
        return pd.Series(pd.array(values.tolist(), dtype="Int64"), index=index, name=spec.name)
    return pd.Series(values, index=index, dtype=dtype, name=spec.name)


def _original_text(series: pd.Series) -> pd.Series:
    """The ethnic category as given; a blank value is missing whatever the format (an empty
    Excel cell and an empty CSV field must give the same frame)."""
    texts = [display_value(v) for v in series.to_numpy(dtype=object)]
    texts = [None if isinstance(t, str) and not t.strip() else t for t in texts]
    return pd.Series(texts, index=series.index, dtype=STRING_DTYPE, name=ORIGINAL_ETHNIC_COLUMN)


def _canonical_frame(
    schema: TableSchema, raw: pd.DataFrame, parsed: Mapping[str, ParsedColumn], keep: Any
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    index = pd.Index(raw.index.to_numpy()[keep], name="row")
    columns: dict[str, pd.Series] = {}
    for spec in schema.columns:
        columns[spec.name] = _typed(spec, parsed[spec.name].values[keep], index)
        if spec.kind == "ethnic_category":
            source = raw[ORIGINAL_ETHNIC_COLUMN if ORIGINAL_ETHNIC_COLUMN in raw else spec.name]
            columns[ORIGINAL_ETHNIC_COLUMN] = _original_text(source.iloc[keep]).set_axis(index)
    extra = tuple(c for c in raw.columns if c not in columns)
    for name in extra:
        columns[name] = raw[name].iloc[keep].set_axis(index)
    return pd.DataFrame(columns, index=index), extra


def validate_table(
    schema: TableSchema,
    raw: pd.DataFrame,
    *,
    on_invalid: OnInvalid,
    source: str,
    loader_failures: pd.DataFrame | None = None,
    today: pd.Timestamp | None = None,
) -> Validated:
    """Check a raw table against ``schema`` and return the canonical frame.

    Parameters
    ----------
    schema : TableSchema
        The canonical table.
    raw : pandas.DataFrame
        Columns already renamed to canonical names; the index holds the 1-based source rows.
    on_invalid : {"raise", "exclude"}
        Raise one :class:`DataValidationError` listing every problem, or exclude rows with
        problems and count them by the reason of their first problem.
    source : str
        Description of the source, for messages.
    loader_failures : pandas.DataFrame, optional
        Problems the loader found (columns column, row, value, problem and optionally reason).
    today : pandas.Timestamp, optional
        The day of loading; defaults to today's date.

    Raises
    ------
    DataValidationError
        Required columns are missing (always), or any problem with ``on_invalid="raise"``.
    """
    day = (today if today is not None else pd.Timestamp.today()).normalize()
    present = [str(c) for c in raw.columns]
    rows = raw.index.to_numpy()
    failures = _column_failures(schema, present)
    missing_columns = bool(failures)
    failures.extend(_loader_failures(loader_failures, rows))

    parsed: dict[str, ParsedColumn] = {}
    for order, spec in enumerate(schema.columns):
        if spec.name not in raw.columns:
            parsed[spec.name] = ParsedColumn(np.full(len(raw), None, dtype=object), {}, {})
            continue
        column = parse_column(spec, raw[spec.name], day)
        parsed[spec.name] = column
        raw_values = raw[spec.name].to_numpy(dtype=object)
        failures.extend(
            _Failure(
                int(rows[p]),
                order,
                p,
                spec.name,
                display_value(raw_values[p]),
                problem.problem,
                problem.reason or f"invalid {spec.name}",
            )
            for p, problem in column.problems.items()
        )
    not_applicable = [
        (p, order, reason)
        for order, spec in enumerate(schema.columns)
        for p, reason in parsed[spec.name].excluded.items()
    ]
    order = len(schema.columns)
    for rule in schema.rules:
        failures.extend(_rule_failures(rule, parsed, raw, rows, order))
        order += 1
    for key in schema.unique:
        failures.extend(_duplicate_failures(key, parsed, raw, rows, order))
        order += 1

    frame = _failures_frame(schema.name, failures)
    first_reason: dict[int, str] = {}
    reasons = [(f.position, f.order, f.reason) for f in failures if f.position >= 0]
    for position, _, reason in sorted([*reasons, *not_applicable], key=lambda r: r[:2]):
        first_reason.setdefault(position, reason)
    if missing_columns:
        raise DataValidationError(
            _missing_columns_message(schema, source, failures, present), frame
        )
    if failures and on_invalid == "raise":
        problem_rows = frame["row"].dropna().nunique()
        raise DataValidationError(_rows_message(schema, source, frame, problem_rows), frame)

    keep = np.ones(len(raw), dtype=bool)
    keep[list(first_reason)] = False
    canonical, extra = _canonical_frame(schema, raw, parsed, keep)
    absent = tuple(c.name for c in schema.columns if c.name not in raw.columns)
    return Validated(
        frame=canonical,
        failures=frame,
        rows_excluded=dict(Counter(first_reason.values())),
        extra_columns=extra,
        absent_optional_columns=absent,
    )
