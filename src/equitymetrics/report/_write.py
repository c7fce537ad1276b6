"""The entry point: :func:`write_report` writes every output of a run to a folder."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

from equitymetrics.disclosure import DisclosurePolicy
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.measures import Results
from equitymetrics.report._atomic import write_atomically
from equitymetrics.report._charts import measure_figures
from equitymetrics.report._excel import xlsx_bytes
from equitymetrics.report._html import html_bytes
from equitymetrics.report._published import NestedGroupings, Published, UnitParents, publish
from equitymetrics.report._tables import csv_bytes, parquet_bytes, provenance_json_bytes

__all__ = ["OUTPUT_FILES", "ReportFormat", "write_report"]

ReportFormat = Literal["html", "xlsx", "parquet", "csv", "json"]

OUTPUT_FILES: MappingProxyType[str, str] = MappingProxyType(
    {
        "html": "report.html",
        "xlsx": "results.xlsx",
        "parquet": "results.parquet",
        "csv": "results.csv",
        "json": "provenance.json",
    }
)
"""Output format -> the file it is written to."""


def _html(published: Published) -> bytes:
    return html_bytes(published, measure_figures)


def _builders() -> dict[str, Callable[[Published], bytes]]:
    """Format -> function building its bytes (looked up at call time)."""
    return {
        "html": _html,
        "xlsx": xlsx_bytes,
        "parquet": parquet_bytes,
        "csv": csv_bytes,
        "json": provenance_json_bytes,
    }


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        raise InvalidTypeError(
            f"formats must be a sequence of format names such as ('html', 'csv'), not one "
            f"string; got {formats!r}."
        )
    chosen = tuple(dict.fromkeys(formats))
    valid = get_args(ReportFormat)
    unknown = [name for name in chosen if name not in valid]
    if unknown:
        raise InvalidArgumentError(
            f"formats must be chosen from {list(valid)}; got unknown format(s) {unknown}."
        )
    if not chosen:
        raise InvalidArgumentError(f"formats is empty; choose at least one of {list(valid)}.")
    return chosen


def write_report(
    results: Results,
    out_dir: str | Path,
    *,
    formats: Iterable[ReportFormat] = ("html", "xlsx", "parquet", "csv", "json"),
    policy: DisclosurePolicy | str = "nhs_secondary_care",
    unit_parents: UnitParents | None = None,
    nested_groupings: NestedGroupings | None = None,
) -> dict[str, Path]:
    """Write the report, workbook and machine-readable results of a run to ``out_dir``.

    The disclosure policy is applied to everything written: the exact results never leave
    the :class:`Results` object. Each output states the policy it was published under.

    Parameters
    ----------
    results : Results
        The results of a run (``equitymetrics.compute``), with their provenance.
    out_dir : str or Path
        The folder to write into; created if missing. Existing files of the same names are
        replaced.
    formats : sequence of str, optional
        Which outputs to write: ``"html"`` (``report.html``), ``"xlsx"``
        (``results.xlsx``), ``"parquet"`` (``results.parquet``), ``"csv"`` (``results.csv``)
        and ``"json"`` (``provenance.json``). All five by default.
    policy : DisclosurePolicy or str, optional
        The disclosure-control policy, or the name of a built-in one
        (``"nhs_secondary_care"``, the default; ``"mha_annual"``; ``"none"``).
    unit_parents : mapping, optional
        ``{(unit_type, unit): (unit_type, unit)}``, the unit that contains each unit (e.g.
        ``{("ward", "Oak"): ("division", "Adult")}``), so that a count suppressed in a ward
        cannot be recovered from its division. Passed to
        :func:`equitymetrics.disclosure.apply_disclosure`, which warns
        (:class:`~equitymetrics.exceptions.DataQualityWarning`) when the results hold two unit
        types below the trust and this is not given; pass ``{}`` when no unit contains another.
        Defaults to ``results.unit_parents``, which :func:`equitymetrics.compute` fills in.
    nested_groupings : mapping, optional
        ``{(fine grouping, coarse grouping): {fine group: coarse group}}`` when the results hold
        groupings that nest (e.g. NHS categories within broad groups); passed on likewise.

    Returns
    -------
    dict
        Format -> path of the file written, in the order of ``formats``.

    Raises
    ------
    InvalidTypeError
        ``results`` is not a :class:`Results`, or ``policy`` is neither a policy nor a name.
    InvalidArgumentError
        ``formats`` is empty or names an unknown format.
    UnknownMethodError
        ``policy`` names no built-in policy.

    Notes
    -----
    Outputs are byte-identical for the same results and policy: the only time written is
    ``results.provenance.created``, charts are rendered deterministically, JSON keys are
    sorted and the workbook's zip entries carry fixed timestamps.

    Every output is built in memory before anything is written, so an error while building
    writes nothing. Each file is then written to a temporary file in ``out_dir`` and renamed
    into place, so a reader (or an interrupted run) never sees a half-written file under the
    final name.

    Examples
    --------
    >>> import equitymetrics as em                                   # doctest: +SKIP
    >>> results = em.compute("quarterly.toml")                        # doctest: +SKIP
    >>> em.report.write_report(results, "out", formats=["html", "csv"])  # doctest: +SKIP
    {'html': PosixPath('out/report.html'), 'csv': PosixPath('out/results.csv')}
    """
    chosen = _check_formats(formats)
    if not isinstance(out_dir, str | Path):
        raise InvalidTypeError(
            f"out_dir must be a folder path (str or Path); got {type(out_dir).__name__}."
        )
    if unit_parents is None and isinstance(results, Results) and results.unit_parents:
        unit_parents = results.unit_parents
    published = publish(
        results, policy, unit_parents=unit_parents, nested_groupings=nested_groupings
    )
    builders = _builders()
    contents = {name: builders[name](published) for name in chosen}
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        name: write_atomically(folder / OUTPUT_FILES[name], data) for name, data in contents.items()
    }
