"""Forest plot: each group's ratio to the reference group, with its confidence interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.measures import ALL_GROUP, NON_ADVERSE_RANGE
from equitymetrics.plots._common import chart_axes, finish_chart, place_of
from equitymetrics.plots._select import PLACE_COLUMNS, distinct, require_single, select_rows
from equitymetrics.plots._style import (
    LABEL_SIZE,
    NOTE_SIZE,
    OKABE_ITO,
    check_measure,
    format_number,
    interval_prefix,
    measure_phrase,
    measure_title,
    plain,
    set_ratio_axis,
    wrap_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_COLUMNS = (
    *PLACE_COLUMNS,
    "confidence_level",
    "adjustment",
    "reference_group",
    "ratio",
    "ratio_lower_ci",
    "ratio_upper_ci",
)
_SINGLE = ("period_start", "unit_type", "unit", "grouping")
_ADJUSTMENT_STYLE = (
    (OKABE_ITO["blue"], "o"),
    (OKABE_ITO["vermillion"], "s"),
    (OKABE_ITO["bluish green"], "^"),
    (OKABE_ITO["reddish purple"], "v"),
)
_CRUDE = ("", "none")


@dataclass(frozen=True)
class _Forest:
    """The rows of one forest plot and what is needed to draw and describe them."""

    measure: str
    rows: pd.DataFrame
    groups: tuple[str, ...]
    adjustments: tuple[str, ...]
    reference: str
    confidence_level: float
    subtitle: str
    wres: bool


def _prepare(
    results: object,
    *,
    measure: str,
    period_start: object,
    unit_type: str | None,
    unit: str | None,
    grouping: str | None,
    adjustment: str | None,
) -> _Forest:
    measure = check_measure(measure)
    rows = select_rows(
        results,
        measure=measure,
        filters={
            "period_start": period_start,
            "unit_type": unit_type,
            "unit": unit,
            "grouping": grouping,
            "adjustment": adjustment,
        },
        columns=_COLUMNS,
    )
    require_single(rows, _SINGLE, chart="forest plot")
    text = ("group", "adjustment", "reference_group")
    rows = rows.assign(**{column: rows[column].fillna("").astype(str) for column in text})
    references = [name for name in distinct(rows["reference_group"]) if name]
    if len(references) != 1:
        raise InvalidArgumentError(
            f"a forest plot needs one reference group, but the selected rows name "
            f"{len(references)}: {references}; filter by grouping or adjustment first."
        )
    if references[0] != ALL_GROUP:
        rows = rows[rows["group"] != ALL_GROUP].reset_index(drop=True)
    if rows.empty:
        raise InvalidArgumentError(
            f"the selected rows of measure {measure!r} hold only the {ALL_GROUP!r} row, which "
            "has no ratio; choose a unit whose groups were compared."
        )
    repeated = rows[rows.duplicated(["group", "adjustment"], keep=False)]
    if not repeated.empty:
        raise InvalidArgumentError(
            f"a forest plot needs one row per group and adjustment, but group "
            f"{repeated['group'].iloc[0]!r} with adjustment {repeated['adjustment'].iloc[0]!r} "
            "has several rows; filter the results first (e.g. by period_end or grouping)."
        )
    adjustments = distinct(rows["adjustment"])
    adjustments.sort(key=lambda name: name not in _CRUDE)  # stable: crude first
    levels = {float(level) for level in rows["confidence_level"] if not math.isnan(level)}
    return _Forest(
        measure=measure,
        rows=rows,
        groups=tuple(distinct(rows["group"])),
        adjustments=tuple(adjustments),
        reference=references[0],
        confidence_level=max(levels) if len(levels) == 1 else math.nan,
        subtitle=place_of(rows),
        wres=measure.startswith("wres_"),
    )


def _adjustment_label(adjustment: str, *, capital: bool = True) -> str:
    if adjustment in _CRUDE:
        return "Crude (no adjustment)" if capital else "crude (no adjustment)"
    return f"{'A' if capital else 'a'}djusted for {adjustment}"


def _plottable(row: pd.Series) -> bool:
    ratio = float(row["ratio"])
    return math.isfinite(ratio) and ratio > 0


def _has_interval(row: pd.Series) -> bool:
    lower, upper = float(row["ratio_lower_ci"]), float(row["ratio_upper_ci"])
    return math.isfinite(lower) and math.isfinite(upper) and 0 < lower <= upper


def _not_compared_text(row: pd.Series) -> str:
    ratio = float(row["ratio"])
    if math.isnan(ratio):
        return "not compared"
    return f"ratio {format_number(ratio)}: not shown on a log scale"


def _ratio_text(row: pd.Series, level: float) -> str:
    ratio = format_number(float(row["ratio"]))
    if not _has_interval(row):
        return f"{ratio} (no interval)"
    percent = interval_prefix(level)
    lower = format_number(float(row["ratio_lower_ci"]))
    upper = format_number(float(row["ratio_upper_ci"]))
    return f"{ratio} ({percent}{lower} to {upper})"


def _limits(forest: _Forest) -> tuple[float, float]:
    values = [1.0]
    if forest.wres:
        values.extend(NON_ADVERSE_RANGE)
    for column in ("ratio", "ratio_lower_ci", "ratio_upper_ci"):
        data = forest.rows[column].to_numpy(dtype=np.float64)
        values.extend(float(value) for value in data[np.isfinite(data) & (data > 0)])
    low, high = min(values), max(values)
    if high / low < 4.0:
        centre = math.sqrt(low * high)
        low, high = centre / 2.0, centre * 2.0
    margin = math.exp(0.06 * math.log(high / low))
    return low / margin, high * margin


def _adjustments_of(forest: _Forest, group: str) -> list[str]:
    """The adjustments with a row for ``group``, in the plot's adjustment order."""
    present = set(forest.rows.loc[forest.rows["group"] == group, "adjustment"])
    return [name for name in forest.adjustments if name in present]


def _draw_rows(ax: Axes, forest: _Forest) -> None:
    """The band, the line at 1, and per group its reference marker, estimates and labels."""
    from matplotlib.transforms import blended_transform_factory

    label_transform = blended_transform_factory(ax.transAxes, ax.transData)
    several = len(forest.adjustments) > 1
    if forest.wres:
        ax.axvspan(
            *NON_ADVERSE_RANGE,
            color=OKABE_ITO["bluish green"],
            alpha=0.18,
            linewidth=0,
            label="WRES non-adverse range (0.80 to 1.25)",
            gid="non-adverse-range",
        )
    ax.axvline(1.0, color=OKABE_ITO["black"], linewidth=1.0, gid="no-difference-line")

    def label(y: float, text: str, colour: str, *, italic: bool = False, gid: str) -> None:
        ax.text(
            1.02,
            y,
            text,
            transform=label_transform,
            va="center",
            fontsize=NOTE_SIZE,
            color=colour,
            style="italic" if italic else "normal",
            gid=gid,
        )

    points: dict[str, list[tuple[float, float]]] = {name: [] for name in forest.adjustments}
    intervals: dict[str, list[tuple[float, float, float]]] = {
        name: [] for name in forest.adjustments
    }
    for y, group in enumerate(forest.groups):
        if group == forest.reference:
            ax.plot(
                [1.0],
                [y],
                linestyle="none",
                marker="D",
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=OKABE_ITO["black"],
                label="Reference group",
                gid="reference-group",
            )
            label(y, "reference group", OKABE_ITO["black"], gid="ratio-label")
            continue
        present = _adjustments_of(forest, group)
        offsets = np.linspace(-0.22, 0.22, len(present)) if len(present) > 1 else [0.0]
        for offset, name in zip(offsets, present, strict=True):
            row = _row_of(forest, group, name)
            y_line = y + float(offset)
            colour = _style_of(forest, name)[0] if several else OKABE_ITO["black"]
            if not _plottable(row):
                label(y_line, _not_compared_text(row), "#555555", italic=True, gid="not-compared")
                continue
            points[name].append((float(row["ratio"]), y_line))
            if _has_interval(row):
                lower, upper = float(row["ratio_lower_ci"]), float(row["ratio_upper_ci"])
                intervals[name].append((y_line, lower, upper))
            label(y_line, _ratio_text(row, forest.confidence_level), colour, gid="ratio-label")
    for name in forest.adjustments:
        colour, marker = _style_of(forest, name)
        if intervals[name]:
            ys, lows, highs = zip(*intervals[name], strict=True)
            ax.hlines(ys, lows, highs, colors=colour, linewidth=1.6, gid="intervals")
        if points[name]:
            xs, ys = zip(*points[name], strict=True)
            ax.plot(
                xs,
                ys,
                linestyle="none",
                marker=marker,
                markersize=6.5,
                color=colour,
                label=plain(_adjustment_label(name))
                if several or name not in _CRUDE
                else "Ratio and confidence interval",
                gid="estimates",
            )


def _style_of(forest: _Forest, adjustment: str) -> tuple[str, str]:
    """Colour and marker of an adjustment."""
    index = forest.adjustments.index(adjustment)
    return _ADJUSTMENT_STYLE[index % len(_ADJUSTMENT_STYLE)]


def _row_of(forest: _Forest, group: str, adjustment: str) -> pd.Series:
    rows = forest.rows
    chosen = rows[(rows["group"] == group) & (rows["adjustment"] == adjustment)]
    return chosen.iloc[0]


def forest_plot(
    results: pd.DataFrame,
    *,
    measure: str,
    period_start: object = None,
    unit_type: str | None = None,
    unit: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw each group's ratio to the reference group with its confidence interval.

    One row per group, top to bottom in the order of the results table; one marker per
    adjustment ("none" is drawn as "Crude (no adjustment)", an adjusted ratio such as "ward
    (Mantel-Haenszel)" as a second marker of another colour and shape). The x axis is
    log-scaled with a vertical line at 1 (no difference); the reference group is drawn as an
    open diamond at 1. For WRES measures (``measure`` starting with ``"wres_"``) the
    non-adverse range 0.80 to 1.25 is shaded. Groups without a ratio (ethnicity not
    recorded, no reference group, a ratio of 0 or infinity) are listed and marked "not
    compared"; the "All" row (everyone in the unit) has no ratio and is left out. Each ratio
    and its interval are written to the right of the plot.

    Parameters
    ----------
    results : DataFrame
        The results table (columns as in ``RESULT_COLUMNS``), whole or already filtered.
    measure : str
        The measure identifier, e.g. ``"restrictive_practice_people"``.
    period_start, unit_type, unit, grouping, adjustment : optional
        Filters; after filtering the rows must hold one period, unit type, unit, grouping and
        reference group (the error lists the choices). ``adjustment=None`` keeps every
        adjustment.
    title : str, optional
        The title; by default the measure in plain words and the reference group.
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new 16 cm wide figure (no pyplot).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Artists carry ids (``Artist.get_gid()``): "estimates"
        (one line of markers per adjustment), "intervals", "reference-group",
        "no-difference-line", "non-adverse-range", "not-compared" and "ratio-label".

    Raises
    ------
    InvalidArgumentError
        A filter matches nothing, or the rows hold more than one period, unit or grouping.
    InvalidTypeError
        ``results`` is not a DataFrame or ``ax`` is not an Axes.

    See Also
    --------
    describe_forest_plot : the alternative text of this chart.
    """
    forest = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        unit=unit,
        grouping=grouping,
        adjustment=adjustment,
    )
    lines = sum(max(1, len(_adjustments_of(forest, group))) for group in forest.groups)
    ax = chart_axes(ax, height=2.3 + 0.3 * lines)
    _draw_rows(ax, forest)
    low, high = _limits(forest)
    set_ratio_axis(ax, low, high, always=(1.0,))
    ax.set_yticks(range(len(forest.groups)))
    ax.set_yticklabels(
        [
            wrap_label(f"{group} (reference)" if group == forest.reference else group)
            for group in forest.groups
        ]
    )
    ax.set_ylim(len(forest.groups) - 0.5, -0.5)
    ax.set_xlabel(
        plain(f"Ratio to {forest.reference} (log scale; 1 = the same as {forest.reference})"),
        fontsize=LABEL_SIZE,
    )
    default = f"{measure_title(forest.measure)}: ratio to {forest.reference}"
    return finish_chart(ax, title or default, forest.subtitle, columns=2)


def describe_forest_plot(
    results: pd.DataFrame,
    *,
    measure: str,
    period_start: object = None,
    unit_type: str | None = None,
    unit: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = None,
) -> str:
    """Plain-English alternative text for :func:`forest_plot` with the same arguments.

    It names the measure, unit, period and reference group, then every group with its ratio
    and interval (or why it was not compared), for use as the ``alt`` text of the image.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "measure": "restrictive_practice_people", "period_start": "2025-04-01",
    ...     "period_end": "2025-06-30", "unit_type": "trust", "unit": "Trust",
    ...     "grouping": "broad", "group": ["White", "Black"], "confidence_level": 0.95,
    ...     "adjustment": "none", "reference_group": "White", "ratio": [1.0, 1.8],
    ...     "ratio_lower_ci": [float("nan"), 1.3], "ratio_upper_ci": [float("nan"), 2.4]})
    >>> print(describe_forest_plot(rows, measure="restrictive_practice_people"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Forest plot of people subject to restrictive practice for Trust, 1 Apr 2025 to 30 Jun 2025:
    each group's ratio to White on a log scale, where 1 means the same as White.
    White: reference group. Black: 1.80 (95% CI 1.30 to 2.40), higher than White.
    """
    forest = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        unit=unit,
        grouping=grouping,
        adjustment=adjustment,
    )
    reference = forest.reference
    sentences = [
        f"Forest plot of {measure_phrase(forest.measure)} for {forest.subtitle}: each group's "
        f"ratio to {reference} on a log scale, where 1 means the same as {reference}."
    ]
    if forest.wres:
        sentences.append("The shaded band marks the WRES non-adverse range, 0.80 to 1.25.")
    several = len(forest.adjustments) > 1
    for group in forest.groups:
        if group == reference:
            sentences.append(f"{group}: reference group.")
            continue
        parts = [
            _describe_row(forest, _row_of(forest, group, name), several=several)
            for name in _adjustments_of(forest, group)
        ]
        sentences.append(f"{group}: {'; '.join(parts)}.")
    return " ".join(sentences)


def _describe_row(forest: _Forest, row: pd.Series, *, several: bool) -> str:
    """'1.80 (95% CI 1.30 to 2.40), higher than White' for one row, with its adjustment."""
    prefix = f"{_adjustment_label(str(row['adjustment']), capital=False)} " if several else ""
    if not _plottable(row):
        return f"{prefix}{_not_compared_text(row)}"
    text = f"{prefix}{_ratio_text(row, forest.confidence_level)}"
    if _has_interval(row):
        lower, upper = float(row["ratio_lower_ci"]), float(row["ratio_upper_ci"])
        if lower > 1:
            text += f", higher than {forest.reference}"
        elif upper < 1:
            text += f", lower than {forest.reference}"
        else:
            text += ", no evidence of a difference"
    if forest.wres:
        inside = NON_ADVERSE_RANGE[0] <= float(row["ratio"]) <= NON_ADVERSE_RANGE[1]
        text += ", within the non-adverse range" if inside else ", outside the non-adverse range"
    return text
