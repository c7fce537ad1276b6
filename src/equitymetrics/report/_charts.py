"""The charts of the HTML report, rendered to PNG and embedded with alternative text.

Every chart is drawn from the *published* results table by :mod:`equitymetrics.plots`, saved
with the deterministic :func:`equitymetrics.plots.save_figure_png` and described by the
matching ``describe_*`` function (the image's ``alt`` text). A chart whose rows cannot be drawn
(for example every ratio withheld by disclosure control) is left out; the tables still show
every row.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from equitymetrics import plots
from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.report._model import Figure
from equitymetrics.report._published import Published
from equitymetrics.report._safety import safe_text
from equitymetrics.report._sections import TRUST_UNIT_TYPE, current_rows

__all__ = ["TREND_MEASURES", "measure_figures", "png_size"]

TREND_MEASURES: tuple[str, ...] = (
    "restrictive_practice_people",
    "restrictive_practice_rate",
    "mha_detentions",
    "smi_health_checks",
)
"""The main measures, whose trend over quarters is charted (SPC charts)."""

_FUNNEL_UNIT_TYPE = "ward"
_RECORDING = "ethnicity_recording"
_CRUDE = ("none", "")

Draw = Callable[..., Any]
Describe = Callable[..., str]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise InvalidArgumentError("the chart was not rendered as a PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _figure(
    table: pd.DataFrame,
    draw: Draw,
    describe: Describe,
    options: Mapping[str, Any],
    caption: str,
) -> Figure | None:
    """Draw and describe one chart; None when its rows cannot be drawn."""
    try:
        axes = draw(table, **options)
        alt = describe(table, **options)
    except InvalidArgumentError:
        return None
    png = plots.save_figure_png(axes)
    width, height = png_size(png)
    return Figure(
        data=base64.b64encode(png).decode("ascii"),
        alt=safe_text(alt),
        caption=safe_text(caption),
        width=width,
        height=height,
    )


def _has(rows: pd.DataFrame, column: str) -> bool:
    return bool(pd.to_numeric(rows[column], errors="coerce").notna().any())


def _values(column: pd.Series) -> list[str]:
    """Distinct values of a column as text, in order of first appearance."""
    return list(dict.fromkeys(column.astype(str)))


def _crude(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["adjustment"].astype(str).isin(_CRUDE)]


def _trust_figures(table: pd.DataFrame, measure: str, current: pd.DataFrame) -> list[Figure | None]:
    """Bar chart of values and forest plot of ratios, per grouping, for the organisation."""
    figures: list[Figure | None] = []
    trust = current[current["unit_type"].astype(str) == TRUST_UNIT_TYPE]
    if trust.empty:
        return figures
    for grouping in _values(trust["grouping"]):
        rows = trust[trust["grouping"].astype(str) == grouping]
        options: dict[str, Any] = {
            "measure": measure,
            "period_start": rows["period_start"].iloc[0],
            "unit_type": TRUST_UNIT_TYPE,
            "unit": str(rows["unit"].iloc[0]),
            "grouping": grouping,
        }
        if _has(_crude(rows), "value"):
            caption = f"Value for each {grouping or 'group'} group with its confidence interval."
            figures.append(
                _figure(table, plots.bar_chart, plots.describe_bar_chart, options, caption)
            )
        comparable = rows[rows["significance"].astype(str) != "reference group"]
        if _has(comparable, "ratio"):
            caption = (
                "Ratio of each group to the reference group, with its confidence interval "
                "(log scale)."
            )
            figures.append(
                _figure(
                    table,
                    plots.forest_plot,
                    plots.describe_forest_plot,
                    {**options, "adjustment": None},
                    caption,
                )
            )
    return figures


def _funnel(table: pd.DataFrame, measure: str, current: pd.DataFrame) -> list[Figure | None]:
    """Funnel plot of the wards' values, when the measure has ward rows."""
    wards = current[current["unit_type"].astype(str) == _FUNNEL_UNIT_TYPE]
    if wards.empty or not _has(_crude(wards), "value"):
        return []
    options = {
        "measure": measure,
        "unit_type": _FUNNEL_UNIT_TYPE,
        "period_start": wards["period_start"].iloc[0],
    }
    caption = (
        "Each ward's value against its size, with the limits within which a ward would be "
        "expected to fall by chance around the trust value."
    )
    return [_figure(table, plots.funnel_plot, plots.describe_funnel_plot, options, caption)]


def _trend_groups(rows: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """The reference group, then each group whose current ratio differs from it."""
    present = set(rows["group"].astype(str))
    references = [group for group in _values(rows["reference_group"]) if group in present]
    found = current[current["significance"].astype(str).isin(["higher", "lower"])]
    return list(dict.fromkeys([*references, *_values(found["group"])]))


def _trends(table: pd.DataFrame, measure: str, rows: pd.DataFrame) -> list[Figure | None]:
    """SPC charts of a main measure over quarters, for the groups that matter this period.

    Charting every group would swamp the report (16 charts per measure for the NHS
    categories), so the charts show the reference group and each group whose ratio in the
    reporting period is higher or lower than the reference (its interval excludes 1).
    """
    trust = _crude(rows[rows["unit_type"].astype(str) == TRUST_UNIT_TYPE])
    if measure not in TREND_MEASURES or trust["period_start"].nunique() < 2:
        return []
    figures: list[Figure | None] = []
    for grouping in _values(trust["grouping"]):
        chosen = trust[trust["grouping"].astype(str) == grouping]
        latest = chosen[chosen["period_end"] == chosen["period_end"].max()]
        for group in _trend_groups(chosen, latest):
            options = {
                "measure": measure,
                "group": group,
                "unit_type": TRUST_UNIT_TYPE,
                "grouping": grouping,
            }
            caption = (
                f"Trend over quarters for {group}: statistical process control chart with the "
                "mean and process limits."
            )
            figures.append(
                _figure(table, plots.spc_chart, plots.describe_spc_chart, options, caption)
            )
    return figures


def _completeness(table: pd.DataFrame, current: pd.DataFrame) -> list[Figure | None]:
    """Ethnicity recording completeness by unit for the reporting period, per table."""
    figures: list[Figure | None] = []
    for group in _values(current["group"]):
        rows = current[current["group"].astype(str) == group]
        if not _has(rows, "value"):
            continue
        options = {"period_start": rows["period_start"].iloc[0], "group": group}
        caption = f"Share of {group} records with a stated ethnicity, by unit."
        figures.append(
            _figure(
                table,
                plots.completeness_chart,
                plots.describe_completeness_chart,
                options,
                caption,
            )
        )
    return figures


def measure_figures(published: Published, measure: str, rows: pd.DataFrame) -> tuple[Figure, ...]:
    """The charts of one measure (``rows`` are its published rows)."""
    table = published.table
    current = current_rows(published, rows)
    if measure == _RECORDING:
        figures = _completeness(table, current)
    else:
        figures = [
            *_trust_figures(table, measure, current),
            *_funnel(table, measure, current),
            *_trends(table, measure, rows),
        ]
    return tuple(figure for figure in figures if figure is not None)
