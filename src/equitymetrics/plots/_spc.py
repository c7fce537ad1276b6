"""Statistical process control (XmR) chart of one group's value over quarters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.plots._common import chart_axes, finish_chart, plot_points
from equitymetrics.plots._select import (
    VALUE_COLUMNS,
    one_row_per,
    require_single,
    select_rows,
    single_number,
    single_value,
)
from equitymetrics.plots._style import (
    LABEL_SIZE,
    NOTE_SIZE,
    OKABE_ITO,
    check_measure,
    format_value,
    is_percentage,
    measure_phrase,
    measure_title,
    value_axis_label,
)
from equitymetrics.stats import SpecialCauseResult, special_cause_flags, xmr_limits

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Improvement = Literal["higher", "lower"]
"""Which direction of the measure is better."""

_COLUMNS = (*VALUE_COLUMNS, "multiplier")
_MAX_TICK_LABELS = 8

VARIATION_STYLE: dict[str, tuple[str, str, str]] = {
    "common cause": (OKABE_ITO["grey"], "o", "Common cause variation"),
    "special cause (improvement)": (OKABE_ITO["blue"], "s", "Special cause: improvement"),
    "special cause (concern)": (OKABE_ITO["orange"], "D", "Special cause: concern"),
    "special cause (neither)": (OKABE_ITO["reddish purple"], "P", "Special cause"),
}
"""Making Data Count colours (improvement blue, concern orange, common cause grey; purple when
neither direction is better) from the Okabe-Ito palette, with a marker shape for each so that
colour is not the only cue."""


@dataclass(frozen=True)
class _Series:
    """One unit's and group's values in time order, and the SPC verdict on them."""

    measure: str
    rows: pd.DataFrame
    missing: tuple[str, ...]
    flags: SpecialCauseResult | None
    unit: str
    unit_type: str
    group: str
    multiplier: float


def _quarter(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %Y")  # type: ignore[arg-type]


def _prepare(
    results: object,
    *,
    measure: str,
    group: str,
    unit: str | None,
    unit_type: str | None,
    grouping: str | None,
    adjustment: str | None,
    improvement: Improvement | None,
    baseline: int | None,
    run_length: int,
    trend_length: int,
) -> _Series:
    measure = check_measure(measure)
    if not isinstance(group, str):
        raise InvalidTypeError(f"group must be a group label such as 'Black'; got {group!r}.")
    if improvement not in (None, "higher", "lower"):
        raise InvalidArgumentError(
            f'improvement must be "higher", "lower" or None; got {improvement!r}.'
        )
    filters = {
        "group": group,
        "unit_type": unit_type,
        "unit": unit,
        "grouping": grouping,
        "adjustment": adjustment,
    }
    rows = select_rows(results, measure=measure, filters=filters, columns=_COLUMNS)
    require_single(rows, ("unit_type", "unit", "adjustment", "multiplier"), chart="SPC chart")
    rows = one_row_per(
        rows, "period_start", chart="SPC chart", same=("numerator", "denominator", "value")
    )
    rows = rows.assign(period_start=pd.to_datetime(rows["period_start"]))
    rows = rows.sort_values("period_start", kind="mergesort").reset_index(drop=True)
    present = np.isfinite(rows["value"].to_numpy(dtype=np.float64))
    missing = tuple(_quarter(value) for value in rows.loc[~present, "period_start"])
    kept = rows[present].reset_index(drop=True)
    flags = None
    if len(kept) >= 2:
        values = kept["value"].to_numpy(dtype=np.float64)
        limits = xmr_limits(values, baseline=baseline)
        flags = special_cause_flags(
            values,
            limits=limits,
            run_length=run_length,
            trend_length=trend_length,
            improvement=improvement,
        )
    return _Series(
        measure=measure,
        rows=kept,
        missing=missing,
        flags=flags,
        unit=str(single_value(rows, "unit")),
        unit_type=str(single_value(rows, "unit_type")),
        group=group,
        multiplier=single_number(rows, "multiplier"),
    )


def spc_chart(
    results: pd.DataFrame,
    *,
    measure: str,
    group: str,
    unit: str | None = None,
    unit_type: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
    improvement: Improvement | None = None,
    baseline: int | None = None,
    run_length: int = 7,
    trend_length: int = 7,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw an XmR chart of one group's value over quarters with Making Data Count colours.

    One point per period (``period_start``), joined in time order, with the mean and the
    natural process limits (mean -/+ 2.66 average moving range) of
    :func:`equitymetrics.stats.xmr_limits`. Points flagged by
    :func:`equitymetrics.stats.special_cause_flags` (outside the limits, runs, trends, two of
    three beyond 2 sigma) are coloured blue for improvement and orange for concern (purple
    when ``improvement`` is None); common-cause points are grey. With fewer than two points
    only the points are drawn, with a note, and no limits. Periods without a value (e.g.
    suppressed) are left out of the series and named in the alternative text.

    Parameters
    ----------
    results : DataFrame
        The results table, whole or filtered.
    measure : str
        The measure identifier.
    group : str
        The group to chart, e.g. ``"Black"`` or ``"All"``.
    unit, unit_type, grouping : optional
        Filters; one unit must remain (the error lists the choices).
    adjustment : str or None, default "none"
        The adjustment of the rows.
    improvement : {"higher", "lower"} or None, default None
        Which direction is better; None colours special causes purple ("neither").
    baseline, run_length, trend_length : optional
        Passed to :func:`~equitymetrics.stats.xmr_limits` and
        :func:`~equitymetrics.stats.special_cause_flags`.
    title : str, optional
        The title; by default the measure in plain words, the group and the unit.
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new 16 cm wide figure (no pyplot).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Artists carry ids: "series", "points" (one line of markers per
        variation, in time order), "mean", "process-limit-lower", "process-limit-upper",
        "too-few-points" and "latest-value".

    See Also
    --------
    describe_spc_chart : the alternative text of this chart.
    """
    series = _prepare(
        results,
        measure=measure,
        group=group,
        unit=unit,
        unit_type=unit_type,
        grouping=grouping,
        adjustment=adjustment,
        improvement=improvement,
        baseline=baseline,
        run_length=run_length,
        trend_length=trend_length,
    )
    ax = chart_axes(ax, height=4.2, grid_axis="y")
    percent = is_percentage(series.measure, series.multiplier)
    values = series.rows["value"].to_numpy(dtype=np.float64)
    x = np.arange(values.size, dtype=np.float64)
    ax.plot(x, values, color=OKABE_ITO["grey"], linewidth=1.2, gid="series", zorder=2)
    if series.flags is not None:
        _draw_limits(ax, series.flags, percent=percent)
    if series.flags is None:
        variation = np.full(values.size, "", dtype=object)
        plot_points(
            ax, x, values, (OKABE_ITO["grey"], "o", "Value (no process limits)"), gid="points"
        )
        ax.text(
            0.02,
            0.96,
            "Fewer than 2 periods with a value: no process limits can be drawn.",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=LABEL_SIZE,
            color="#555555",
            gid="too-few-points",
        )
    else:
        variation = series.flags.variation.astype(object)
    for name, style in VARIATION_STYLE.items():
        chosen = variation == name
        if chosen.any():
            plot_points(ax, x[chosen], values[chosen], style, gid="points")
    if values.size:
        ax.annotate(
            format_value(float(values[-1]), percentage=percent),
            (x[-1], values[-1]),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=NOTE_SIZE,
            gid="latest-value",
        )
    _set_time_axis(ax, series)
    ax.set_ylabel(value_axis_label(series.measure, series.multiplier), fontsize=LABEL_SIZE)
    default = f"{measure_title(series.measure)}: {series.group}"
    return finish_chart(ax, title or default, _where(series), columns=3)


def _where(series: _Series) -> str:
    if series.unit_type in ("trust", ""):
        return f"{series.unit}, by quarter"
    return f"{series.unit} ({series.unit_type}), by quarter"


def _draw_limits(ax: Axes, flags: SpecialCauseResult, *, percent: bool) -> None:
    limits = flags.limits
    ax.axhline(
        limits.mean,
        color=OKABE_ITO["black"],
        linewidth=1.2,
        label=f"Mean ({format_value(limits.mean, percentage=percent)})",
        gid="mean",
    )
    sides = (("upper", limits.upper_process_limit), ("lower", limits.lower_process_limit))
    for side, limit in sides:
        ax.axhline(
            limit,
            color=OKABE_ITO["black"],
            linewidth=1.0,
            linestyle="--",
            label="Process limits" if side == "upper" else None,  # one legend entry for both
            gid=f"process-limit-{side}",
        )
    values = flags.values
    finite = [
        value
        for value in (limits.lower_process_limit, limits.upper_process_limit, *values)
        if math.isfinite(value)
    ]
    low, high = min(finite), max(finite)
    pad = 0.08 * (high - low) if high > low else max(abs(high) * 0.1, 1.0)
    ax.set_ylim(low - pad, high + pad)


def _set_time_axis(ax: Axes, series: _Series) -> None:
    count = len(series.rows)
    step = max(1, math.ceil(count / _MAX_TICK_LABELS))
    ticks = list(range(0, count, step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([_quarter(series.rows["period_start"].iloc[i]) for i in ticks])
    ax.set_xlim(-0.6, max(count - 0.4, 0.6))
    ax.set_xlabel("Period starting", fontsize=LABEL_SIZE)


def describe_spc_chart(
    results: pd.DataFrame,
    *,
    measure: str,
    group: str,
    unit: str | None = None,
    unit_type: str | None = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
    improvement: Improvement | None = None,
    baseline: int | None = None,
    run_length: int = 7,
    trend_length: int = 7,
) -> str:
    """Plain-English alternative text for :func:`spc_chart` with the same arguments.

    It names the measure, group and unit, gives the mean and process limits, every period's
    value and which periods show special-cause variation.
    """
    series = _prepare(
        results,
        measure=measure,
        group=group,
        unit=unit,
        unit_type=unit_type,
        grouping=grouping,
        adjustment=adjustment,
        improvement=improvement,
        baseline=baseline,
        run_length=run_length,
        trend_length=trend_length,
    )
    percent = is_percentage(series.measure, series.multiplier)
    values = series.rows["value"].to_numpy(dtype=np.float64)
    quarters = [_quarter(value) for value in series.rows["period_start"]]
    periods = f"{len(values)} period{'' if len(values) == 1 else 's'}"
    sentences = [
        f"Statistical process control (XmR) chart of {measure_phrase(series.measure)} for "
        f"{series.group} in {_where(series)}, {periods}."
    ]
    if series.flags is None:
        sentences.append("Fewer than 2 periods have a value, so there are no process limits.")
    else:
        limits = series.flags.limits
        sentences.append(
            f"Mean {format_value(limits.mean, percentage=percent)}; process limits "
            f"{format_value(limits.lower_process_limit, percentage=percent)} to "
            f"{format_value(limits.upper_process_limit, percentage=percent)}."
        )
    listed = ", ".join(
        f"{quarter} {format_value(float(value), percentage=percent)}"
        for quarter, value in zip(quarters, values, strict=True)
    )
    if listed:
        sentences.append(f"Values: {listed}.")
    if series.flags is not None:
        special = [
            f"{quarter} ({label.removeprefix('special cause (').rstrip(')')})"
            for quarter, label in zip(quarters, series.flags.variation, strict=True)
            if label != "common cause"
        ]
        sentences.append(
            f"Special-cause variation in {', '.join(special)}."
            if special
            else "All variation is common cause."
        )
    if series.missing:
        sentences.append(f"Periods without a value, not shown: {', '.join(series.missing)}.")
    return " ".join(sentences)
