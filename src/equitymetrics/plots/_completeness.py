"""Ethnicity recording completeness by unit, against a target."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.measures import ALL_GROUP
from equitymetrics.plots._bars import (
    BAR_COLUMNS,
    Bars,
    bar_axes,
    draw_bars,
    finish_bars,
    interval_text,
    make_bars,
)
from equitymetrics.plots._common import period_of
from equitymetrics.plots._select import (
    choose_group,
    distinct,
    one_row_per,
    require_single,
    select_rows,
    single_value,
)
from equitymetrics.plots._style import (
    OKABE_ITO,
    check_measure,
    format_value,
    measure_phrase,
    measure_title,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BELOW_TARGET_HATCH = "\\\\\\"
COMPLETENESS_MEASURE = "ethnicity_recording"


def _check_target(target: object, *, percentage: bool, multiplier: float) -> float | None:
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, int | float | np.integer | np.floating):
        raise InvalidTypeError(f"target must be a number such as 90 (or None); got {target!r}.")
    value = float(target)
    top = multiplier if percentage else math.inf
    if not (math.isfinite(value) and 0.0 <= value <= top):
        raise InvalidArgumentError(
            f"target must be between 0 and {top:g} on the scale of the values (90 means "
            f"90%); got {target!r}."
        )
    return value


def _prepare(
    results: object,
    *,
    measure: str,
    period_start: object,
    unit_type: str | None,
    group: str | None,
    grouping: str | None,
) -> Bars:
    measure = check_measure(measure)
    filters = {"period_start": period_start, "unit_type": unit_type, "grouping": grouping}
    rows = select_rows(results, measure=measure, filters=filters, columns=BAR_COLUMNS)
    rows = choose_group(rows, group, chart="completeness chart")
    require_single(rows, ("period_start", "multiplier"), chart="completeness chart")
    rows = one_row_per(
        rows, "unit", chart="completeness chart", same=("unit_type", "numerator", "denominator")
    )
    is_trust = (rows["unit_type"].astype(str) == "trust").to_numpy()
    rows = pd.concat([rows[is_trust], rows[~is_trust]]).reset_index(drop=True)
    several_types = len(distinct(rows.loc[rows["unit_type"] != "trust", "unit_type"])) > 1
    labels = tuple(
        f"{unit} ({kind})" if kind == "trust" or several_types else str(unit)
        for unit, kind in zip(rows["unit"], rows["unit_type"].astype(str), strict=True)
    )
    group_name = str(single_value(rows, "group"))
    period = period_of(rows)
    subtitle = period if group_name == ALL_GROUP else f"Table: {group_name}, {period}"
    return make_bars(measure, rows, labels, is_reference=False, is_total=False, subtitle=subtitle)


def completeness_chart(
    results: pd.DataFrame,
    *,
    target: float | None = 90.0,
    measure: str = COMPLETENESS_MEASURE,
    period_start: object = None,
    unit_type: str | None = None,
    group: str | None = None,
    grouping: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw ethnicity recording completeness by unit, with intervals and a target line.

    One horizontal bar per unit with its confidence interval and value: the trust first, then
    the other units in the order of the table.
    Units at or above ``target`` are blue; units below it are orange and hatched, so the
    difference does not rest on colour alone. A dashed vertical line marks the target.

    Parameters
    ----------
    results : DataFrame
        The results table, whole or filtered.
    target : float or None, default 90.0
        The target on the scale of the values (90 means 90%); None draws no line.
    measure : str, default "ethnicity_recording"
        The completeness measure.
    period_start, unit_type, grouping : optional
        Filters; one period must remain.
    group : str, optional
        Which table's recording to show: the measures write the table label (e.g.
        ``"patients"``) in the ``group`` column. Default: the only group present, or the
        ``"All"`` rows; with several tables, choose one (the error lists them).
    title : str, optional
        The title; by default "Ethnicity recording completeness by unit".
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new 16 cm wide figure (no pyplot).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Artists carry ids: "bar", "intervals", "value-label" and
        "target".

    See Also
    --------
    describe_completeness_chart : the alternative text of this chart.
    """
    bars = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        group=group,
        grouping=grouping,
    )
    goal = _check_target(target, percentage=bars.percentage, multiplier=bars.multiplier)
    ax = bar_axes(ax, bars)
    values = bars.rows["value"].to_numpy(dtype=np.float64)
    below = (values < goal) if goal is not None else np.zeros(values.size, dtype=bool)
    colours = [OKABE_ITO["orange"] if flag else OKABE_ITO["blue"] for flag in below]
    hatches = [BELOW_TARGET_HATCH if flag else "" for flag in below]
    text = [OKABE_ITO["black"] if flag else "white" for flag in below]
    draw_bars(ax, bars, colours, hatches, inside=text)
    from matplotlib.patches import Patch

    handles: list[object] = []
    if goal is not None:
        line = ax.axvline(
            goal,
            color=OKABE_ITO["black"],
            linestyle="--",
            linewidth=1.2,
            label=f"Target ({format_value(goal, percentage=bars.percentage)})",
            gid="target",
        )
        handles = [
            Patch(color=OKABE_ITO["blue"], label="At or above the target"),
            Patch(
                facecolor=OKABE_ITO["orange"],
                edgecolor=OKABE_ITO["black"],
                hatch=BELOW_TARGET_HATCH,
                label="Below the target",
            ),
            line,
        ]
    default = f"{measure_title(bars.measure)} by unit"
    return finish_bars(ax, bars, title or default, handles)


def describe_completeness_chart(
    results: pd.DataFrame,
    *,
    target: float | None = 90.0,
    measure: str = COMPLETENESS_MEASURE,
    period_start: object = None,
    unit_type: str | None = None,
    group: str | None = None,
    grouping: str | None = None,
) -> str:
    """Plain-English alternative text for :func:`completeness_chart` with the same arguments.

    It names the period and target, then every unit with its completeness, interval and
    whether it meets the target.
    """
    bars = _prepare(
        results,
        measure=measure,
        period_start=period_start,
        unit_type=unit_type,
        group=group,
        grouping=grouping,
    )
    goal = _check_target(target, percentage=bars.percentage, multiplier=bars.multiplier)
    goal_text = (
        ""
        if goal is None
        else f", against a target of {format_value(goal, percentage=bars.percentage)}"
    )
    sentences = [
        f"Bar chart of {measure_phrase(bars.measure)} by unit, {bars.subtitle}{goal_text}."
    ]
    for label, (_, row) in zip(bars.labels, bars.rows.iterrows(), strict=True):
        verdict = ""
        value = float(row["value"])
        if goal is not None and math.isfinite(value):
            verdict = ", meets the target" if value >= goal else ", below the target"
        sentences.append(f"{label}: {interval_text(row, bars)}{verdict}.")
    return " ".join(sentences)
