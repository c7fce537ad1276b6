"""Run a configuration end to end: load, aggregate, compute every measure, record provenance.

:func:`compute` is the library's main entry point::

    import equitymetrics as em
    results = em.compute("quarterly.toml")
    table = results.to_frame()

Statistics are computed on exact counts; disclosure control is applied only when results are
published (see :mod:`equitymetrics.report`). A failure in one measure family does not lose the
others: it is recorded in ``results.failures`` (and the report and exit status say so).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from equitymetrics import aggregate, loaders, measures, taxonomy
from equitymetrics._version import __version__
from equitymetrics.config import Config, load_config
from equitymetrics.exceptions import ConfigurationError, DataValidationError, EquityMetricsError
from equitymetrics.measures import (
    Comparison,
    InputRecord,
    Provenance,
    Results,
    methods_used,
    reporting_periods,
    wres_year,
)

__all__ = ["FAMILY_TABLES", "compute", "load_tables"]

FAMILY_TABLES: Mapping[str, tuple[str, ...]] = {
    "restrictive_practice": ("patients", "inpatient_stays", "restrictive_interventions"),
    "mha": ("patients", "mha_episodes", "census_population"),
    "smi": ("patients", "smi_register"),
    "wres": ("staff", "recruitment", "disciplinary", "training", "staff_survey"),
}
"""The canonical tables each measure family needs."""

_DEPENDENCIES = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pydantic",
    "pyarrow",
    "duckdb",
    "narwhals",
)


def _wanted_families(config: Config) -> dict[str, set[str]]:
    """Measure family -> measure ids requested (``["all"]`` asks for everything)."""
    requested = config.analysis.measures
    known = measures.list_measures()
    ids = set(known) if "all" in requested else set(requested)
    unknown = sorted(ids - set(known))
    if unknown:
        raise ConfigurationError(
            f"analysis.measures names unknown measures {unknown}; valid: 'all', " + ", ".join(known)
        )
    families: dict[str, set[str]] = {}
    for measure_id in ids:
        families.setdefault(measures.get_measure(measure_id).family, set()).add(measure_id)
    return families


def load_tables(config: Config, *, only: set[str] | None = None) -> dict[str, loaders.LoadedTable]:
    """Load and validate every ``[data.<table>]`` of the configuration (or those in ``only``).

    Raises
    ------
    ConfigurationError
        For an unknown table name or a source without a path.
    DataValidationError
        For invalid data; the message names the file and table.
    """
    loaded: dict[str, loaders.LoadedTable] = {}
    for table, source in sorted(config.data.items()):
        if only is not None and table not in only:
            continue
        if table not in loaders.CANONICAL_TABLES:
            raise ConfigurationError(
                f"[data.{table}] is not a canonical table; valid tables: "
                + ", ".join(loaders.CANONICAL_TABLES)
            )
        if source.path is None:
            raise ConfigurationError(f"[data.{table}] needs a path (a file or database URL).")
        location = config.resolve(source.path)
        try:
            loaded[table] = loaders.load(
                table,
                location,
                loader=source.loader,
                columns=source.columns,
                on_invalid=source.on_invalid,
                **source.options(),
            )
        except DataValidationError as error:
            raise DataValidationError(
                f"[data.{table}] {location}: {error}", error.failures
            ) from None
    return loaded


def _check_reference(config: Config) -> None:
    """Fail before loading anything when the reference group is not in the grouping."""
    analysis = config.analysis
    grouping = taxonomy.get_grouping(analysis.grouping, binary_label=analysis.minority_label)
    if analysis.reference not in grouping.comparable_groups:
        valid = ", ".join(repr(group) for group in grouping.comparable_groups)
        raise ConfigurationError(
            f"analysis.reference = {analysis.reference!r} is not a group of the "
            f"{analysis.grouping!r} grouping; choose one of {valid}."
        )


def _timestamp(config: Config) -> dt.datetime:
    if config.output.timestamp is not None:
        return config.output.timestamp
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(config.period.end, dt.time())


def _versions() -> dict[str, str]:
    versions = {}
    for name in _DEPENDENCIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class _Run:
    """State of one :func:`compute` call (kept out of module globals)."""

    def __init__(self, config: Config, tables: Mapping[str, loaders.LoadedTable]) -> None:
        self.config = config
        self.tables = tables
        analysis = config.analysis
        self.trust = config.organisation.trust_label
        self.grouping = taxonomy.get_grouping(
            analysis.grouping, binary_label=analysis.minority_label
        )
        self.comparison: Comparison = measures.comparison_for(
            self.grouping, analysis.reference, analysis.confidence_level
        )
        self.periods = reporting_periods(
            config.period.start, config.period.end, analysis.trend_quarters
        )
        self.exclusions: list[pd.DataFrame] = []
        self.recording: dict[str, pd.DataFrame] = {}

    def frame(self, table: str) -> pd.DataFrame:
        return self.tables[table].frame

    def periods_from(self, earliest: Any) -> list[tuple[dt.date, dt.date]]:
        """Reporting periods that end on or after the earliest date in the data."""
        if pd.isna(earliest):
            return self.periods[-1:]
        first = pd.Timestamp(earliest).date()
        kept = [period for period in self.periods if period[1] >= first]
        return kept or self.periods[-1:]

    # Families -------------------------------------------------------------------------------

    def restrictive_practice(self) -> list[pd.DataFrame]:
        stays = self.frame("inpatient_stays")
        counts = aggregate.restrictive_practice_counts(
            stays,
            self.frame("restrictive_interventions"),
            self.frame("patients"),
            periods=self.periods_from(stays["start_date"].min()),
            trust=self.trust,
            engine=self.config.analysis.engine,
        )
        self.exclusions.append(counts.exclusions)
        self.recording["inpatients"] = counts.people.rename(columns={"inpatients": "count"})
        return measures.restrictive_practice_results(counts, self.grouping, self.comparison)

    def mha(self) -> list[pd.DataFrame]:
        catchment = self.config.analysis.catchment
        if not catchment:
            raise ConfigurationError(
                "analysis.catchment is empty: list the area codes whose residents count for "
                'Mental Health Act rates, e.g. catchment = ["E06999901"].'
            )
        episodes_frame = self.frame("mha_episodes")
        periods = self.periods_from(episodes_frame["start_date"].min())
        episodes = aggregate.mha_counts(
            episodes_frame,
            self.frame("patients"),
            periods=periods,
            catchment=catchment,
            engine=self.config.analysis.engine,
        )
        population = aggregate.population_counts(
            self.frame("census_population"), catchment=catchment
        )
        self.exclusions.extend([episodes.exclusions, population.exclusions])
        period_frame = pd.DataFrame(
            {
                "period_start": [pd.Timestamp(s) for s, _ in periods],
                "period_end": [pd.Timestamp(e) for _, e in periods],
            }
        )
        return measures.mha_results(
            episodes.counts,
            population.counts,
            self.grouping,
            self.comparison,
            periods=period_frame,
            trust=self.trust,
            standardisation=self.config.analysis.mha_standardisation,
        )

    def smi(self) -> list[pd.DataFrame]:
        register = self.frame("smi_register")
        counts = aggregate.smi_counts(
            register,
            self.frame("patients"),
            periods=self.periods_from(register["snapshot_date"].min()),
            min_age=self.config.analysis.smi_min_age,
            engine=self.config.analysis.engine,
        )
        self.exclusions.append(counts.exclusions)
        self.recording["SMI register"] = counts.counts.assign(
            unit_type="trust", unit=self.trust
        ).rename(columns={"register": "count"})
        return measures.smi_results(counts.counts, self.grouping, self.comparison, trust=self.trust)

    def wres(self) -> list[pd.DataFrame]:
        start, end = wres_year(self.config.period.end)
        previous_start, previous_end = wres_year(start - dt.timedelta(days=1))
        staff = self.frame("staff")
        engine = self.config.analysis.engine
        staff_now = aggregate.staff_counts(staff, snapshot_date=end, engine=engine)
        staff_before = aggregate.staff_counts(staff, snapshot_date=previous_end, engine=engine)
        recruitment = aggregate.recruitment_counts(
            self.frame("recruitment"), start=start, end=end, engine=engine
        )
        disciplinary = aggregate.disciplinary_counts(
            self.frame("disciplinary"), start=start, end=end, engine=engine
        )
        disciplinary_before = aggregate.disciplinary_counts(
            self.frame("disciplinary"), start=previous_start, end=previous_end, engine=engine
        )
        training = aggregate.training_counts(self.frame("training"), year_end=end, engine=engine)
        survey = self.frame("staff_survey")
        survey_year = survey.loc[survey["year"].astype(int) <= end.year, "year"].astype(int)
        latest = (
            survey[survey["year"].astype(int) == survey_year.max()]
            if len(survey_year)
            else survey.iloc[0:0]
        )
        for part in (
            staff_now,
            staff_before,
            recruitment,
            disciplinary,
            disciplinary_before,
            training,
        ):
            self.exclusions.append(part.exclusions)
        self.recording["staff"] = staff_now.counts.assign(
            period_start=pd.Timestamp(start),
            period_end=pd.Timestamp(end),
            unit_type="trust",
            unit=self.trust,
        ).rename(columns={"headcount": "count"})
        counts = measures.WorkforceCounts(
            year_start=start,
            year_end=end,
            staff=staff_now.counts,
            staff_previous=staff_before.counts,
            recruitment=recruitment.counts,
            disciplinary=disciplinary.counts,
            disciplinary_previous=disciplinary_before.counts,
            training=training.counts,
            survey=latest,
        )
        binary = taxonomy.get_grouping("binary", binary_label=self.config.analysis.minority_label)
        return measures.wres_results(
            counts, binary, trust=self.trust, confidence_level=self.config.analysis.confidence_level
        )

    def recording_rows(self) -> list[pd.DataFrame]:
        keyed = {}
        for label, frame in self.recording.items():
            columns = ["period_start", "period_end", "unit_type", "unit", "ethnic_category"]
            keyed[label] = frame.groupby(columns, as_index=False)[["count"]].sum()
        return [
            measures.recording_results(
                keyed, confidence_level=self.config.analysis.confidence_level
            )
        ]


def _family_runner(run: _Run, family: str) -> Callable[[], list[pd.DataFrame]]:
    runners: dict[str, Callable[[], list[pd.DataFrame]]] = {
        "restrictive_practice": run.restrictive_practice,
        "mha": run.mha,
        "smi": run.smi,
        "wres": run.wres,
        "recording": run.recording_rows,
    }
    return runners[family]


def compute(config: Config | str | Path) -> Results:
    """Compute every configured measure from the configured data.

    Parameters
    ----------
    config : Config, str or Path
        A configuration object or the path of a TOML configuration file.

    Returns
    -------
    Results
        The exact results table, provenance, exclusions and any per-family failures.

    Raises
    ------
    ConfigurationError
        For an invalid configuration.
    DataValidationError
        For an input table that breaks its schema (every problem listed).
    """
    if not isinstance(config, Config):
        config = load_config(config)
    families = _wanted_families(config)
    _check_reference(config)
    unknown = sorted(set(config.data) - set(loaders.CANONICAL_TABLES))
    if unknown:
        raise ConfigurationError(
            f"[data.{unknown[0]}] is not a canonical table; valid tables: "
            + ", ".join(loaders.CANONICAL_TABLES)
        )
    needed = {table for family in families for table in FAMILY_TABLES.get(family, ())}
    tables = load_tables(config, only=needed)
    run = _Run(config, tables)
    frames: list[pd.DataFrame] = []
    failures: dict[str, str] = {}
    skipped: dict[str, str] = {}
    order = [f for f in ("restrictive_practice", "mha", "smi", "wres") if f in families]
    for family in order:
        missing = [t for t in FAMILY_TABLES[family] if t not in tables]
        if missing:
            skipped[family] = "no data configured for " + ", ".join(missing)
            continue
        try:
            frames.extend(_family_runner(run, family)())
        except EquityMetricsError as error:
            failures[family] = f"{type(error).__name__}: {error}"
        except Exception as error:  # keep the other families; the report names the failure
            failures[family] = f"unexpected {type(error).__name__}: {error}"
    if "recording" in families:
        frames.extend(run.recording_rows())
    table = measures.finalise_results(frames)
    parents = _unit_parents(table, tables, run.trust)
    wanted = set().union(*families.values()) if families else set()
    table = table[table["measure"].isin(wanted)].reset_index(drop=True)
    table["interpretation"] = measures.interpret_rows(table).to_numpy()
    exclusions = (
        pd.concat([e for e in run.exclusions if len(e)], ignore_index=True)
        if any(len(e) for e in run.exclusions)
        else pd.DataFrame(columns=["period_start", "period_end", "table", "reason", "rows"])
    )
    provenance = Provenance(
        library_version=__version__,
        python_version=platform.python_version(),
        dependencies=_versions(),
        created=_timestamp(config),
        organisation=config.organisation.name,
        period_start=config.period.start,
        period_end=config.period.end,
        configuration=_configuration_record(config, tables),
        inputs=[
            InputRecord(
                table=name,
                source=loaded.report.source,
                loader=config.data[name].loader or "inferred",
                sha256=loaded.sha256,
                rows_read=loaded.report.rows_read,
                rows_accepted=loaded.report.rows_accepted,
                rows_excluded=dict(loaded.report.rows_excluded),
            )
            for name, loaded in sorted(tables.items())
        ],
        methods=methods_used(table),
        measures_computed=sorted(set(table["measure"])),
        measures_failed=failures,
        measures_skipped=skipped,
        disclosure_policy=config.disclosure.policy,
    )
    return Results(
        table=table,
        provenance=provenance,
        exclusions=exclusions,
        failures=failures,
        unit_parents=parents,
    )


def _unit_parents(
    table: pd.DataFrame, tables: Mapping[str, loaders.LoadedTable], trust: str
) -> dict[tuple[str, str], tuple[str, str]]:
    """Which unit contains which: ward -> division (from the stays), any other unit -> trust."""
    parents: dict[tuple[str, str], tuple[str, str]] = {}
    if "inpatient_stays" in tables:
        stays = tables["inpatient_stays"].frame[["ward", "division"]].drop_duplicates()
        for ward, division in stays.itertuples(index=False):
            parents[("ward", str(ward))] = ("division", str(division))
    units = table.loc[table["unit_type"] != "trust", ["unit_type", "unit"]].drop_duplicates()
    for unit_type, unit in units.itertuples(index=False):
        parents.setdefault((str(unit_type), str(unit)), ("trust", trust))
    return dict(sorted(parents.items()))


def _configuration_record(config: Config, tables: Mapping[str, Any]) -> dict[str, Any]:
    record = config.model_dump(mode="json")
    for name, source in config.data.items():
        if source.path is not None:
            record["data"][name]["resolved_path"] = config.resolve(source.path)
    del tables
    return record
