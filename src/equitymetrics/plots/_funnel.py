"""Funnel plot: units' values against their denominators, with control limits around the trust."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.measures import ALL_GROUP
from equitymetrics.plots._common import chart_axes, finish_chart, period_of, plot_points
from equitymetrics.plots._select import (
    VALUE_COLUMNS,
    choose_group,
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
    measure_spec,
    measure_title,
    percent_text,
    plain,
    value_axis_label,
)
from equitymetrics.stats import FunnelLimits, funnel_limits, funnel_position

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_COLUMNS = (*VALUE_COLUMNS, "multiplier")
_SINGLE = ("period_start", "adjustment", "multiplier")
_PROPORTION_KINDS = ("proportion", "completeness", "share")
_RATE_KINDS = ("rate", "standardised rate")
_GRID_POINTS = 240
_LIMIT_STYLES = ("--", ":", "-.")
_POSITION_STYLE = {
    "within": (OKABE_ITO["grey"], "o", "Within the limits"),
    "inner": (OKABE_ITO["blue"], "s", "Outside the {inner} limits"),
    "outer": (OKABE_ITO["vermillion"], "^", "Outside the {outer} limits"),
}


@dataclass(frozen=True)
class _Funnel:
    """The units, target and limits of one funnel plot."""

    measure: str
    units: pd.DataFrame
    missing: tuple[str, ...]
    target: float
    from_trust: bool
    kind: str
    multiplier: float
    levels: tuple[float, ...]
    positions: tuple[str, ...]
    unit_type: str
    group: str
    period: str


def _kind(measure: str, multiplier: float) -> str:
    """Funnel kind from the catalogue's measure kind, or from the multiplier (100: percent)."""
    spec = measure_spec(measure)
    if spec is None:
        return "proportion" if multiplier == 100.0 else "rate"
    if spec.kind in _PROPORTION_KINDS:
        return "proportion"
    if spec.kind in _RATE_KINDS:
        return "rate"
    raise InvalidArgumentError(
        f"a funnel plot shows proportions or rates; measure {measure!r} is a {spec.kind}. "
        "Choose a proportion or rate measure."
    )


def _check_levels(levels: object) -> tuple[float, ...]:
    """The levels in increasing order (funnel_limits checks each lies in (0, 1))."""
    message = f"levels must be a sequence of fractions such as (0.95, 0.998); got {levels!r}."
    if isinstance(levels, str | bytes) or not isinstance(levels, Sequence) or not levels:
        raise InvalidTypeError(message)
    try:
        return tuple(sorted(float(level) for level in levels))
    except (TypeError, ValueError):
        raise InvalidTypeError(message) from None


def _trust_target(results: object, units: pd.DataFrame, *, measure: str, group: str) -> float:
    """The value of the trust row for the same measure, period, group and adjustment."""
    first = units.iloc[0]
    hint = (
        f"The funnel target is the trust value of measure {measure!r} for group {group!r} in "
        "the same period: include the trust row, or pass target=... (on the plotted scale)."
    )
    filters = {
        "unit_type": "trust",
        "group": group,
        "period_start": first["period_start"],
        "adjustment": str(first["adjustment"]),
        # the 'All' row is the same in every grouping; a named group belongs to one
        "grouping": None if group == ALL_GROUP else str(first["grouping"]),
    }
    try:
        trust = select_rows(results, measure=measure, filters=filters, columns=_COLUMNS)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"{error} {hint}") from None
    values = sorted({float(value) for value in trust["value"] if math.isfinite(value)})
    if len(values) != 1:
        found = "no trust value" if not values else f"{len(values)} different trust values"
        raise InvalidArgumentError(f"the results hold {found}. {hint}")
    return values[0]


def _prepare(
    results: object,
    *,
    measure: str,
    unit_type: str,
    group: str | None,
    period_start: object,
    grouping: str | None,
    adjustment: str | None,
    target: float | None,
    levels: object,
    method: str | None,
) -> _Funnel:
    measure = check_measure(measure)
    if not isinstance(unit_type, str):
        raise InvalidTypeError(f"unit_type must be a string such as 'ward'; got {unit_type!r}.")
    level_values = _check_levels(levels)
    filters = {
        "unit_type": unit_type,
        "period_start": period_start,
        "grouping": grouping,
        "adjustment": adjustment,
    }
    rows = select_rows(results, measure=measure, filters=filters, columns=_COLUMNS)
    rows = choose_group(rows, group, chart="funnel plot")
    require_single(rows, _SINGLE, chart="funnel plot")
    rows = one_row_per(rows, "unit", chart="funnel plot", same=("numerator", "denominator"))
    group_name = str(single_value(rows, "group"))
    multiplier = single_number(rows, "multiplier")
    kind = _kind(measure, multiplier)
    from_trust = target is None
    if target is None:
        target = _trust_target(results, rows, measure=measure, group=group_name)
    usable = np.isfinite(rows["value"].to_numpy(dtype=np.float64)) & (
        rows["denominator"].to_numpy(dtype=np.float64) > 0
    )
    units = rows[usable].reset_index(drop=True)
    positions = np.full(len(units), "within", dtype=object)
    if len(units):
        where = funnel_position(
            units["value"].to_numpy(dtype=np.float64),
            units["denominator"].to_numpy(dtype=np.float64),
            target,
            kind=kind,  # type: ignore[arg-type]
            levels=level_values,
            method=method,  # type: ignore[arg-type]
            multiplier=multiplier,
        )
        outside = (where == "above") | (where == "below")
        positions[outside[0]] = "inner"
        positions[outside[-1]] = "outer"
    return _Funnel(
        measure=measure,
        units=units,
        missing=tuple(str(unit) for unit in rows.loc[~usable, "unit"]),
        target=float(target),
        from_trust=from_trust,
        kind=kind,
        multiplier=multiplier,
        levels=level_values,
        positions=tuple(str(position) for position in positions),
        unit_type=unit_type,
        group=group_name,
        period=period_of(rows),
    )


def _grid(funnel: _Funnel) -> npt.NDArray[np.float64]:
    """Denominators at which to draw the limits: from half the smallest to past the largest."""
    denominators = funnel.units["denominator"].to_numpy(dtype=np.float64)
    low, high = 0.5 * denominators.min(), 1.08 * denominators.max()
    grid = np.geomspace(max(low, 1e-9), high, _GRID_POINTS)
    if funnel.kind == "proportion":
        grid = np.unique(np.maximum(np.round(grid), 1.0))
    return grid


def funnel_plot(
    results: pd.DataFrame,
    *,
    measure: str,
    unit_type: str = "ward",
    group: str | None = None,
    period_start: object = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
    target: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    method: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw each unit's value against its denominator with funnel limits around the target.

    The target is the trust's value for the same measure, period, group and adjustment (the
    row with ``unit_type`` "trust"), unless ``target`` is given. The limits come from
    :func:`equitymetrics.stats.funnel_limits`: ``kind="proportion"`` for percentages
    (Wilson by default) and ``"rate"`` for rates (exact Poisson by default), with the
    measure's multiplier. Units outside the widest limits (99.8% by default) are labelled
    with their name; marker colour and shape show which limits a unit lies outside.

    Parameters
    ----------
    results : DataFrame
        The results table, including the trust row unless ``target`` is given.
    measure : str
        A proportion or rate measure, e.g. ``"restrictive_practice_people"``.
    unit_type : str, default "ward"
        Which units to plot.
    group : str, optional
        The group whose units are plotted; default the ``"All"`` rows (the whole population
        of each unit) or the only group present.
    period_start, grouping : optional
        Filters; after filtering one period must remain (the error lists the choices).
    adjustment : str or None, default "none"
        The adjustment of the rows (adjusted rows carry ratios, not values).
    target : float, optional
        The target on the plotted scale (e.g. a percentage), instead of the trust value.
    levels : sequence of float, default (0.95, 0.998)
        Levels of the limits, fractions.
    method : str, optional
        Passed to :func:`~equitymetrics.stats.funnel_limits`.
    title : str, optional
        The title; by default the measure in plain words and the unit type.
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new 16 cm wide figure (no pyplot).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Artists carry ids: "units" (one line of markers per position),
        "target", "limit-lower-<level>", "limit-upper-<level>" and "unit-label".

    Raises
    ------
    InvalidArgumentError
        A filter matches nothing; several periods or groups remain; a unit has several rows;
        no trust value and no ``target``; the measure is neither a proportion nor a rate; or
        any error of ``funnel_limits`` (for example fractional denominators for a
        proportion).

    See Also
    --------
    describe_funnel_plot : the alternative text of this chart.
    """
    funnel = _prepare(
        results,
        measure=measure,
        unit_type=unit_type,
        group=group,
        period_start=period_start,
        grouping=grouping,
        adjustment=adjustment,
        target=target,
        levels=levels,
        method=method,
    )
    ax = chart_axes(ax, height=4.6, grid_axis="both")
    if len(funnel.units):
        _draw_limits(ax, funnel, method)
    _draw_units(ax, funnel)
    percent = is_percentage(funnel.measure, funnel.multiplier)
    target_text = format_value(funnel.target, percentage=percent)
    ax.axhline(
        funnel.target,
        color=OKABE_ITO["black"],
        linewidth=1.2,
        label=f"{_target_name(funnel).capitalize()} ({target_text})",
        gid="target",
    )
    if percent:
        bottom, top = ax.get_ylim()
        bottom, top = max(bottom, 0.0), min(top, 100.0)
        margin = 0.03 * (top - bottom)
        ax.set_ylim(bottom - margin, top + margin)
    ax.set_xlim(left=0.0)
    ax.set_xlabel(_denominator_label(funnel), fontsize=LABEL_SIZE)
    ax.set_ylabel(value_axis_label(funnel.measure, funnel.multiplier), fontsize=LABEL_SIZE)
    group_text = "" if funnel.group == ALL_GROUP else f", {funnel.group}"
    default = f"{measure_title(funnel.measure)} by {funnel.unit_type}{group_text}"
    return finish_chart(ax, title or default, funnel.period, columns=3)


def _inner_and_outer(funnel: _Funnel) -> tuple[str, str]:
    """The narrowest and widest levels of the limits as percentages, e.g. ('95%', '99.8%')."""
    return percent_text(funnel.levels[0]), percent_text(funnel.levels[-1])


def _target_name(funnel: _Funnel) -> str:
    return "trust value" if funnel.from_trust else "target"


def _denominator_label(funnel: _Funnel) -> str:
    """What the x axis counts: people for proportions, bed days or residents for rates."""
    spec = measure_spec(funnel.measure)
    if spec is None:
        return "Denominator"
    if funnel.kind == "proportion":
        return f"Number of {spec.subject}"
    for words, label in (("bed days", "Occupied bed days"), ("residents", "Residents")):
        if words in spec.unit_label:
            return label
    return "Exposure"


def _draw_limits(ax: Axes, funnel: _Funnel, method: str | None) -> None:
    grid = _grid(funnel)
    limits: FunnelLimits = funnel_limits(
        grid,
        funnel.target,
        kind=funnel.kind,  # type: ignore[arg-type]
        levels=funnel.levels,
        method=method,  # type: ignore[arg-type]
        multiplier=funnel.multiplier,
    )
    for index, level in enumerate(limits.levels):
        style = _LIMIT_STYLES[index % len(_LIMIT_STYLES)]
        # the upper line carries the legend entry of the pair
        label = f"{percent_text(float(level))} limits"
        for side, values in (("upper", limits.upper[index]), ("lower", limits.lower[index])):
            ax.plot(
                grid,
                values,
                linestyle=style,
                color=OKABE_ITO["black"],
                linewidth=1.0,
                label=label if side == "upper" else None,
                gid=f"limit-{side}-{float(level):g}",
            )


def _draw_units(ax: Axes, funnel: _Funnel) -> None:
    x = funnel.units["denominator"].to_numpy(dtype=np.float64)
    y = funnel.units["value"].to_numpy(dtype=np.float64)
    positions = np.asarray(funnel.positions, dtype=object)
    inner, outer = _inner_and_outer(funnel)
    for position, (colour, marker, label) in _POSITION_STYLE.items():
        chosen = positions == position
        if chosen.any():
            style = (colour, marker, label.format(inner=inner, outer=outer))
            plot_points(ax, x[chosen], y[chosen], style, gid="units")
    labelled = np.flatnonzero(positions == "outer")
    for rank, index in enumerate(sorted(labelled, key=lambda i: (y[i], x[i]))):
        ax.annotate(
            plain(str(funnel.units["unit"].iloc[index])),
            (x[index], y[index]),
            xytext=(7, 6 if rank % 2 == 0 else -10),
            textcoords="offset points",
            fontsize=NOTE_SIZE,
            gid="unit-label",
        )


def describe_funnel_plot(
    results: pd.DataFrame,
    *,
    measure: str,
    unit_type: str = "ward",
    group: str | None = None,
    period_start: object = None,
    grouping: str | None = None,
    adjustment: str | None = "none",
    target: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    method: str | None = None,
) -> str:
    """Plain-English alternative text for :func:`funnel_plot` with the same arguments.

    It names the measure, unit type, period and target, then every unit with its value,
    denominator and where it lies against the limits.
    """
    funnel = _prepare(
        results,
        measure=measure,
        unit_type=unit_type,
        group=group,
        period_start=period_start,
        grouping=grouping,
        adjustment=adjustment,
        target=target,
        levels=levels,
        method=method,
    )
    percent = is_percentage(funnel.measure, funnel.multiplier)
    levels_text = " and ".join(percent_text(level) for level in funnel.levels)
    when = f", {funnel.period}" if funnel.period else ""
    group_text = "" if funnel.group == ALL_GROUP else f" ({funnel.group})"
    sentences = [
        f"Funnel plot of {measure_phrase(funnel.measure)}{group_text} by {funnel.unit_type}"
        f"{when}: each {funnel.unit_type}'s value against its denominator, with {levels_text} "
        f"control limits around the {_target_name(funnel)} of "
        f"{format_value(funnel.target, percentage=percent)}."
    ]
    inner, outer = _inner_and_outer(funnel)
    wording = {
        "within": "within the limits",
        "inner": f"outside the {inner} limits",
        "outer": f"outside the {outer} limits",
    }
    for (_, row), position in zip(funnel.units.iterrows(), funnel.positions, strict=True):
        side = "above" if float(row["value"]) > funnel.target else "below"
        where = wording[position] if position == "within" else f"{wording[position]} ({side})"
        sentences.append(
            f"{row['unit']}: {format_value(float(row['value']), percentage=percent)} of "
            f"{float(row['denominator']):,.0f}, {where}."
        )
    if funnel.missing:
        sentences.append(f"Not shown (no value or no denominator): {', '.join(funnel.missing)}.")
    if funnel.units.empty:
        sentences.append(f"No {funnel.unit_type} has a value to plot.")
    return " ".join(sentences)
