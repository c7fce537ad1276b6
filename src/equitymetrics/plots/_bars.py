"""Bar chart of a measure's value by group, with confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from equitymetrics.measures import ALL_GROUP
from equitymetrics.plots._common import chart_axes, finish_chart, place_of
from equitymetrics.plots._select import (
    VALUE_COLUMNS,
    one_row_per,
    require_single,
    select_rows,
    single_number,
)
from equitymetrics.plots._style import (
    LABEL_SIZE,
    NOTE_SIZE,
    OKABE_ITO,
    check_measure,
    format_value,
    interval_prefix,
    is_percentage,
    measure_phrase,
    measure_title,
    percent_text,
    value_axis_label,
    wrap_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BAR_COLUMNS = (
    *VALUE_COLUMNS,
    "lower_ci",
    "upper_ci",
    "confidence_level",
    "multiplier",
    "reference_group",
)
SMALL_NUMBERS_HATCH = "///"


@dataclass(frozen=True)
class Bars:
    """Rows to draw as horizontal bars, one per label, with their wording."""

    measure: str
    rows: pd.DataFrame
    labels: tuple[str, ...]
    percentage: bool
    multiplier: float
    confidence_level: float
    subtitle: str


def _flag_column(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column that may be missing (then all False) or hold missing values."""
    if column not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return rows[column].fillna(False).astype(bool).to_numpy()


def _single_level(rows: pd.DataFrame) -> float:
    levels = {float(level) for level in rows["confidence_level"] if math.isfinite(level)}
    return levels.pop() if len(levels) == 1 else math.nan


def make_bars(
    measure: str,
    rows: pd.DataFrame,
    labels: tuple[str, ...],
    *,
    is_reference: bool | Sequence[bool],
    is_total: bool | Sequence[bool],
    subtitle: str | None = None,
) -> Bars:
    """Bars of ``rows`` (one period and multiplier), flagged for drawing and describing.

    The rows gain the columns small_numbers and suppressed (False where absent or missing),
    is_reference and is_total. ``subtitle`` defaults to the place and period of the rows.
    """
    flagged = rows.assign(
        small_numbers=_flag_column(rows, "small_numbers"),
        suppressed=_flag_column(rows, "suppressed"),
        is_reference=is_reference,
        is_total=is_total,
    )
    multiplier = single_number(rows, "multiplier")
    return Bars(
        measure=measure,
        rows=flagged,
        labels=labels,
        percentage=is_percentage(measure, multiplier),
        multiplier=multiplier,
        confidence_level=_single_level(rows),
        subtitle=place_of(rows) if subtitle is None else subtitle,
    )


def _prepare(
    results: object,
    *,
    measure: str,
    period_start: object,
    unit_type: str | None,
    unit: str | None,
    grouping: str | None,
    adjustment: str | None,
) -> Bars:
    measure = check_measure(measure)
    filters = {
        "period_start": period_start,
        "unit_type": unit_type,
        "unit": unit,
        "grouping": grouping,
        "adjustment": adjustment,
    }
    rows = select_rows(results, measure=measure, filters=filters, columns=BAR_COLUMNS)
    require_single(
        rows,
        ("period_start", "unit_type", "unit", "grouping", "adjustment", "multiplier"),
        chart="bar chart",
    )
    rows = one_row_per(rows, "group", chart="bar chart")
    reference = {str(name) for name in rows["reference_group"].dropna() if str(name)}
    labels = tuple(
        f"{group} (reference)" if str(group) in reference else str(group) for group in rows["group"]
    )
    return make_bars(
        measure,
        rows,
        labels,
        is_reference=[str(group) in reference for group in rows["group"]],
        is_total=[str(group) == ALL_GROUP for group in rows["group"]],
    )


def interval_text(row: pd.Series, bars: Bars) -> str:
    """'12.3% (95% CI 10.1% to 14.9%)', or why there is no value."""
    value = float(row["value"])
    if math.isnan(value):
        return "suppressed" if bool(row["suppressed"]) else "no value"
    text = format_value(value, percentage=bars.percentage)
    lower, upper = float(row["lower_ci"]), float(row["upper_ci"])
    if math.isfinite(lower) and math.isfinite(upper):
        percent = interval_prefix(bars.confidence_level)
        text += (
            f" ({percent}{format_value(lower, percentage=bars.percentage)} to "
            f"{format_value(upper, percentage=bars.percentage)})"
        )
    return text


def draw_bars(
    ax: Axes,
    bars: Bars,
    colours: list[str],
    hatches: list[str],
    *,
    inside: list[str] | None = None,
) -> None:
    """Horizontal bars, interval whiskers and value labels, top to bottom in row order.

    Value labels go after the end of the whisker; with ``inside`` (a text colour per bar)
    they go inside the base of each bar long enough to hold them, and the axis ends at 100%
    for percentages, so that a target line never crosses a label.
    """
    rows = bars.rows
    values = rows["value"].to_numpy(dtype=np.float64)
    lower = rows["lower_ci"].to_numpy(dtype=np.float64)
    upper = rows["upper_ci"].to_numpy(dtype=np.float64)
    y = np.arange(len(rows), dtype=np.float64)
    shown = np.isfinite(values)
    for index in np.flatnonzero(shown):
        ax.barh(
            y[index],
            values[index],
            height=0.62,
            color=colours[index],
            hatch=hatches[index] or None,
            edgecolor=OKABE_ITO["black"] if hatches[index] else colours[index],
            linewidth=0.6,
            gid="bar",
        )
    whisker = shown & np.isfinite(lower) & np.isfinite(upper)
    if whisker.any():
        container = ax.errorbar(
            values[whisker],
            y[whisker],
            xerr=np.vstack([values[whisker] - lower[whisker], upper[whisker] - values[whisker]]),
            fmt="none",
            ecolor=OKABE_ITO["black"],
            elinewidth=1.1,
            capsize=3,
        )
        for collection in container.lines[2]:
            collection.set_gid("intervals")
    ends = np.where(np.isfinite(upper), np.fmax(upper, values), values)
    top = float(np.nanmax(ends)) if shown.any() else 0.0
    if inside is not None and bars.percentage:
        right = 100.0
    elif top > 0:
        right = top * (1.05 if inside is not None else 1.3)
    else:
        right = 100.0 if bars.percentage else 1.0
    for position, (_, row) in enumerate(rows.iterrows()):
        place, colour, offset = (ends[position], OKABE_ITO["black"], 5.0)
        box = None
        if shown[position]:
            text = format_value(values[position], percentage=bars.percentage)
            text += " (small numbers)" if bool(row["small_numbers"]) else ""
            if inside is not None and values[position] >= 0.22 * right:
                place, colour, offset = (0.0, inside[position], 5.0)
                box = {"boxstyle": "square,pad=0.2", "facecolor": colours[position], "linewidth": 0}
        else:
            text = "suppressed" if bool(row["suppressed"]) else "no value"
            place = 0.0
        ax.annotate(
            text,
            (place, y[position]),
            xytext=(offset, 0),
            textcoords="offset points",
            va="center",
            fontsize=NOTE_SIZE,
            color=colour,
            fontweight="normal" if box is None else "bold",
            style="normal" if shown[position] else "italic",
            bbox=box,
            gid="value-label",
        )
    ax.set_yticks(y)
    ax.set_yticklabels([wrap_label(label) for label in bars.labels])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if bars.percentage and right > 100.0:
        from matplotlib.ticker import FixedLocator

        ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.set_xlim(0.0, right)


def bar_axes(ax: Axes | None, bars: Bars) -> Axes:
    """``ax``, or new axes tall enough for one bar per row of ``bars``."""
    return chart_axes(ax, height=2.2 + 0.34 * len(bars.rows))


def finish_bars(ax: Axes, bars: Bars, title: str, handles: Sequence[Any]) -> Axes:
    """Label the value axis, then add the legend of ``handles`` and the titles."""
    ax.set_xlabel(value_axis_label(bars.measure, bars.multiplier), fontsize=LABEL_SIZE)
    return finish_chart(ax, title, bars.subtitle, handles=handles, columns=3)


def bar_chart(
    results: pd.DataFrame,
    *,
    measure: str,
    period_start: object = None,
    unit_type: str | None = None,
    unit: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the value of each group as a horizontal bar with its confidence interval.

    The reference group's bar is dark blue and labelled "(reference)"; other groups are light
    blue. Rows flagged ``small_numbers`` are hatched and their value label says "small
    numbers". Rows without a value (suppressed for publication, or not computable) are listed
    with the words "suppressed" or "no value" and no bar.

    Parameters
    ----------
    results : DataFrame
        The results table, whole or filtered.
    measure : str
        The measure identifier.
    period_start, unit_type, unit, grouping : optional
        Filters; after filtering one period, unit and grouping must remain.
    adjustment : str or None, default "none"
        The adjustment of the rows (adjusted rows carry ratios, not values).
    title : str, optional
        The title; by default the measure in plain words.
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new 16 cm wide figure (no pyplot).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Artists carry ids: "bar" (one per group with a value),
        "intervals" and "value-label".

    See Also
    --------
    describe_bar_chart : the alternative text of this chart.
    """
    bars = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        unit=unit,
        grouping=grouping,
        adjustment=adjustment,
    )
    ax = bar_axes(ax, bars)
    reference = bars.rows["is_reference"].to_numpy(dtype=bool)
    small = bars.rows["small_numbers"].to_numpy(dtype=bool)
    total = bars.rows["is_total"].to_numpy(dtype=bool)
    colours = [
        OKABE_ITO["blue"]
        if is_reference
        else OKABE_ITO["grey"]
        if is_total
        else OKABE_ITO["sky blue"]
        for is_reference, is_total in zip(reference, total, strict=True)
    ]
    hatches = [SMALL_NUMBERS_HATCH if flag else "" for flag in small]
    draw_bars(ax, bars, colours, hatches)
    default = f"{measure_title(bars.measure)} by ethnic group"
    return finish_bars(ax, bars, title or default, _legend_handles(bars, small=bool(small.any())))


def _legend_handles(bars: Bars, *, small: bool) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    if bars.rows["is_reference"].any():
        handles.append(Patch(color=OKABE_ITO["blue"], label="Reference group"))
    handles.append(Patch(color=OKABE_ITO["sky blue"], label="Other groups"))
    if bars.rows["is_total"].any():
        handles.append(Patch(color=OKABE_ITO["grey"], label=f"{ALL_GROUP} (everyone)"))
    if small:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=OKABE_ITO["black"],
                hatch=SMALL_NUMBERS_HATCH,
                label="Small numbers",
            )
        )
    level = bars.confidence_level
    name = f"{percent_text(level)} CI" if math.isfinite(level) else "Confidence interval"
    handles.append(Line2D([], [], color=OKABE_ITO["black"], linewidth=1.1, label=name))
    return handles


def describe_bar_chart(
    results: pd.DataFrame,
    *,
    measure: str,
    period_start: object = None,
    unit_type: str | None = None,
    unit: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
) -> str:
    """Plain-English alternative text for :func:`bar_chart` with the same arguments.

    It names the measure, unit and period, then every group with its value and interval,
    marking the reference group and small numbers.
    """
    bars = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        unit=unit,
        grouping=grouping,
        adjustment=adjustment,
    )
    sentences = [
        f"Bar chart of {measure_phrase(bars.measure)} by ethnic group for {bars.subtitle}, "
        "with confidence intervals."
    ]
    for label, (_, row) in zip(bars.labels, bars.rows.iterrows(), strict=True):
        caution = " Small numbers: interpret with caution." if bool(row["small_numbers"]) else ""
        sentences.append(f"{label}: {interval_text(row, bars)}.{caution}")
    return " ".join(sentences)
