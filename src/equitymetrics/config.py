"""The TOML configuration of a quarterly run, as pydantic models.

A configuration names the organisation, the reporting quarter, one source per canonical table,
the analysis choices, the disclosure policy and the outputs. :func:`load_config` reads a TOML
file; every problem becomes a :class:`~equitymetrics.exceptions.ConfigurationError` that names
the file and the key, and suggests the nearest valid key for a misspelt one.

Example::

    [organisation]
    name = "Example Partnership NHS Foundation Trust"

    [period]
    start = 2025-04-01
    end = 2025-06-30

    [data.patients]
    path = "patients.csv"
    loader = "csv"

    [analysis]
    grouping = "broad"
    reference = "White"
    catchment = ["E06999901"]

Relative paths are resolved against the folder of the configuration file. Paths that leave that
folder (``../data/x.csv``) are allowed; the resolved path is recorded in the provenance.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from equitymetrics.exceptions import ConfigurationError, InvalidTypeError
from equitymetrics.loaders import CANONICAL_TABLES

__all__ = [
    "AnalysisConfig",
    "Config",
    "DisclosureConfig",
    "OrganisationConfig",
    "OutputConfig",
    "PeriodConfig",
    "TableSource",
    "config_from_mapping",
    "load_config",
]

OutputFormat = Literal["html", "xlsx", "parquet", "csv", "json"]
ALL_FORMATS: tuple[OutputFormat, ...] = ("html", "xlsx", "parquet", "csv", "json")


def _not_true_or_false(value: Any) -> Any:
    """Refuse true and false where a number is expected (pydantic would read true as 1)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    return value


def _not_a_number(value: Any) -> Any:
    """Refuse numbers where a date is expected (pydantic would read them as Unix times)."""
    if isinstance(value, bool | int | float):
        raise ValueError(f"must be a date such as 2025-04-01, not the number {value!r}")
    return value


_Whole = Annotated[int, BeforeValidator(_not_true_or_false)]
_Day = Annotated[dt.date, BeforeValidator(_not_a_number)]


class _Strict(BaseModel):
    """Base: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationConfig(_Strict):
    """``[organisation]``: who the report is for."""

    name: str = Field(min_length=1, description="Organisation name shown in the report.")
    trust_label: str = Field(
        default="Trust", description="Unit name used for whole-organisation rows."
    )


class PeriodConfig(_Strict):
    """``[period]``: the reporting period, both dates inclusive (usually one quarter)."""

    start: _Day
    end: _Day

    @model_validator(mode="after")
    def _ordered(self) -> PeriodConfig:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); swap them")
        return self


class TableSource(_Strict):
    """``[data.<table>]``: where one canonical table comes from and how to read it."""

    path: str | None = Field(default=None, description="File path or database URL.")
    loader: str | None = Field(default=None, description="Registry name; inferred if omitted.")
    columns: dict[str, str] | None = Field(
        default=None, description="Canonical column name -> the source's column name."
    )
    table: str | None = None
    query: str | None = None
    params: dict[str, Any] | None = None
    sheet: Annotated[str | int | None, BeforeValidator(_not_true_or_false)] = None
    header_row: _Whole | None = Field(default=None, ge=1)
    delimiter: str | None = None
    encoding: str | None = None
    on_invalid: Literal["raise", "exclude"] = "raise"

    def options(self) -> dict[str, Any]:
        """Loader options: every field that was set, except path, loader, columns, on_invalid."""
        skip = {"path", "loader", "columns", "on_invalid"}
        return {
            key: value
            for key, value in self.model_dump(exclude_none=True).items()
            if key not in skip
        }


class AnalysisConfig(_Strict):
    """``[analysis]``: groupings, reference group, confidence level, catchment, measures."""

    grouping: Literal["nhs16", "broad", "binary"] = "broad"
    reference: str = "White"
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0, allow_inf_nan=False)
    minority_label: str = Field(default="BME", min_length=1)
    catchment: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=lambda: ["all"])
    engine: Literal["auto", "pandas", "duckdb"] = "auto"
    smi_min_age: _Whole = Field(default=18, ge=0, le=120)
    mha_standardisation: Literal["dobson", "normal_national"] = "dobson"
    trend_quarters: _Whole = Field(default=8, ge=1, le=40)

    @field_validator("confidence_level", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> Any:
        """A percentage such as 95 (or "95") gets a hint; true/false are refused."""
        _not_true_or_false(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value  # pydantic names the wrong type
        if 1 < number < 100:
            raise ValueError(f"must be a fraction such as 0.95, not {value}; use {number / 100:g}")
        return value


class DisclosureConfig(_Strict):
    """``[disclosure]``: the small-number policy applied to published outputs."""

    policy: str = "nhs_secondary_care"


class OutputConfig(_Strict):
    """``[output]``: which files to write, and a fixed timestamp for reproducible outputs."""

    formats: list[OutputFormat] = Field(default_factory=lambda: list(ALL_FORMATS))
    timestamp: dt.datetime | None = Field(
        default=None,
        description="Time written into outputs; default SOURCE_DATE_EPOCH, else the period end.",
    )


class Config(_Strict):
    """A whole run: organisation, period, data sources, analysis, disclosure, output."""

    organisation: OrganisationConfig
    period: PeriodConfig
    data: dict[str, TableSource] = Field(default_factory=dict)
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    disclosure: DisclosureConfig = Field(default_factory=DisclosureConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    base_dir: Path = Field(default=Path("."), exclude=True)
    source_file: Path | None = Field(default=None, exclude=True)

    def resolve(self, path: str) -> str:
        """Resolve a data path against :attr:`base_dir`; URLs are returned unchanged.

        A relative path, including one that leaves the configuration's folder such as
        ``../shared/census.csv``, is joined to :attr:`base_dir` (the folder of the configuration
        file) and made absolute with ``..`` and symbolic links resolved; ``~`` is the user's
        home folder. The pipeline records the resolved path in the provenance.
        """
        if "://" in path:
            return path
        candidate = Path(path).expanduser()
        if not candidate.is_absolute():
            candidate = self.base_dir / candidate
        return str(candidate.resolve())


_INTERNAL_FIELDS = ("base_dir", "source_file")
"""Fields set by :func:`config_from_mapping`, not by the file."""


def _suggest(key: str, valid: list[str], noun: str = "keys") -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else f" Valid {noun}: {', '.join(valid)}."


def _model_at(location: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the key at ``location`` (for 'did you mean')."""
    model: type[BaseModel] | None = Config
    for part in location[:-1]:
        if model is None:
            return None
        if model is Config and part == "data":
            return None if len(location) == 2 else TableSource
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return model


def _top_level_keys() -> list[str]:
    return sorted(name for name in Config.model_fields if name not in _INTERNAL_FIELDS)


def _schema_problems(error: ValidationError) -> list[str]:
    """One line per pydantic error: the dotted key, what is wrong, the value and a hint."""
    lines = []
    for item in error.errors():
        location = tuple(item["loc"])
        key = ".".join(str(part) for part in location) or "(top level)"
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            model = _model_at(location)
            valid = sorted(model.model_fields) if model is not None else []
            valid = [name for name in valid if name not in _INTERNAL_FIELDS]
            hint = _suggest(str(location[-1]), valid) if valid else ""
            lines.append(f"  {key}: unknown key.{hint}")
        elif kind == "missing":
            lines.append(f"  {key}: required key is missing.")
        else:
            value = item.get("input")
            got = "" if isinstance(value, Mapping) else f" (got {value!r})"
            hint = ""
            if kind == "literal_error" and isinstance(value, str):
                expected = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
                close = difflib.get_close_matches(value, expected, n=1, cutoff=0.6)
                hint = f" Did you mean {close[0]!r}?" if close else ""
            elif kind.startswith("date") and isinstance(value, str):
                hint = f" Write a TOML date without quotes, e.g. {location[-1]} = 2025-04-01."
            lines.append(f"  {key}: {message}{got}.{hint}")
    return lines


def _other_problems(data: Mapping[str, Any]) -> list[str]:
    """Problems the models cannot see: internal field names used as keys, unknown tables."""
    lines = [
        f"  {key}: unknown key.{_suggest(key, _top_level_keys())}"
        for key in _INTERNAL_FIELDS
        if key in data
    ]
    tables = data.get("data")
    if isinstance(tables, Mapping):
        valid = list(CANONICAL_TABLES)
        lines.extend(
            f"  data.{table}: unknown table.{_suggest(str(table), valid, 'tables')}"
            for table in tables
            if table not in CANONICAL_TABLES
        )
    return lines


def config_from_mapping(
    data: Mapping[str, Any], *, base_dir: Path, source_file: Path | None = None
) -> Config:
    """Validate a parsed configuration mapping; errors name every bad key at once.

    Raises
    ------
    ConfigurationError
        Listing every problem, one line each with its dotted key: unknown keys (with the
        nearest valid key), unknown ``[data.<table>]`` names, missing keys, wrong types and
        values out of range.
    """
    where = str(source_file) if source_file else "configuration"
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"{where}: a configuration must be a table of keys (a mapping); got "
            f"{type(data).__name__}."
        )
    problems = _other_problems(data)
    clean = {key: value for key, value in data.items() if key not in _INTERNAL_FIELDS}
    try:
        config = Config.model_validate({**clean, "base_dir": base_dir, "source_file": source_file})
    except ValidationError as error:
        problems = _schema_problems(error) + problems
    if problems:
        count = len(problems)
        raise ConfigurationError(
            f"{where}: {count} problem{'s' if count != 1 else ''} in the configuration:\n"
            + "\n".join(problems)
        )
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML configuration file.

    Parameters
    ----------
    path : str or Path
        The TOML file. Relative data paths inside it are resolved against its folder.

    Returns
    -------
    Config

    Raises
    ------
    ConfigurationError
        If the file is missing, unreadable, not UTF-8, not valid TOML, or breaks the schema
        (every problem is listed, each with its key; misspelt keys get a suggestion).
    InvalidTypeError
        If ``path`` is not a string or path.
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidTypeError(
            f"path must be a str or pathlib.Path naming a TOML file; got {path!r}."
        )
    file = Path(path)
    if file.is_dir():
        raise ConfigurationError(
            f"configuration file {str(file)!r} is a folder; give the path of the TOML file."
        )
    if not file.is_file():
        raise ConfigurationError(
            f"configuration file {str(file)!r} does not exist; check the path "
            "(relative paths are taken from the current folder)."
        )
    try:
        # utf-8-sig also accepts the byte-order mark that some Windows editors write
        text = file.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except OSError as error:
        raise ConfigurationError(f"{file}: cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"{file}: not UTF-8 text (byte {error.start} cannot be decoded); save the file as "
            "UTF-8."
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}.") from None
    return config_from_mapping(data, base_dir=file.resolve().parent, source_file=file.resolve())
