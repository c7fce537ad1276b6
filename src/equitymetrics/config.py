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
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from equitymetrics.exceptions import ConfigurationError

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

    start: dt.date
    end: dt.date

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
    sheet: str | int | None = None
    header_row: int | None = Field(default=None, ge=1)
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
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    minority_label: str = Field(default="BME", min_length=1)
    catchment: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=lambda: ["all"])
    engine: Literal["auto", "pandas", "duckdb"] = "auto"
    smi_min_age: int = Field(default=18, ge=0, le=120)
    mha_standardisation: Literal["dobson", "normal_national"] = "dobson"
    trend_quarters: int = Field(default=8, ge=1, le=40)

    @field_validator("confidence_level", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> Any:
        if isinstance(value, int | float) and 1 < value < 100:
            raise ValueError(f"must be a fraction such as 0.95, not {value}; use {value / 100:g}")
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
        """Resolve a data path against :attr:`base_dir`; URLs are returned unchanged."""
        if "://" in path:
            return path
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.base_dir / candidate
        return str(candidate.resolve())


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else f" Valid keys: {', '.join(valid)}."


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


def _describe(error: ValidationError, where: str) -> str:
    lines = []
    for item in error.errors():
        location = tuple(item["loc"])
        key = ".".join(str(part) for part in location) or "(top level)"
        if item["type"] == "extra_forbidden":
            model = _model_at(location)
            valid = sorted(model.model_fields) if model is not None else []
            valid = [name for name in valid if name not in {"base_dir", "source_file"}]
            hint = _suggest(str(location[-1]), valid) if valid else ""
            lines.append(f"  {key}: unknown key.{hint}")
        elif item["type"] == "missing":
            lines.append(f"  {key}: required key is missing.")
        else:
            value = item.get("input")
            lines.append(f"  {key}: {item['msg']} (got {value!r}).")
    count = len(lines)
    return (
        f"{where}: {count} problem{'s' if count != 1 else ''} in the configuration:\n"
        + "\n".join(lines)
    )


def config_from_mapping(
    data: dict[str, Any], *, base_dir: Path, source_file: Path | None = None
) -> Config:
    """Validate a parsed configuration mapping; errors name every bad key at once."""
    where = str(source_file) if source_file else "configuration"
    try:
        return Config.model_validate({**data, "base_dir": base_dir, "source_file": source_file})
    except ValidationError as error:
        raise ConfigurationError(_describe(error, where)) from None


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
        If the file is missing, is not valid TOML, or breaks the schema (every problem is
        listed, each with its key; misspelt keys get a suggestion).
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigurationError(
            f"configuration file {str(file)!r} does not exist; check the path "
            "(relative paths are taken from the current folder)."
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}.") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{file}: not UTF-8 text; save the file as UTF-8.") from None
    return config_from_mapping(data, base_dir=file.resolve().parent, source_file=file.resolve())
