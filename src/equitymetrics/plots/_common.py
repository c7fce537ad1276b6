"""Steps every chart shares: its axes, its markers, the place it names, its legend and titles.

Each chart function starts with :func:`chart_axes` and ends with :func:`finish_chart`, so the
figure size, grid, legend and title work the same way in every chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitymetrics.plots._select import single_value
from equitymetrics.plots._style import (
    axes_or_new,
    legend_above,
    period_text,
    place_text,
    set_titles,
    style_axes,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_PLACE = ("unit_type", "unit", "period_start", "period_end")
"""The columns that say where and when, in the order :func:`place_text` takes them."""


def chart_axes(ax: Axes | None, *, height: float, grid_axis: str = "x") -> Axes:
    """``ax``, or the axes of a new 16 cm wide figure ``height`` inches tall, styled.

    The axes get the shared look of :func:`style_axes` with the grid along ``grid_axis``.
    """
    ax = axes_or_new(ax, height=height)
    style_axes(ax, grid_axis=grid_axis)
    return ax


def finish_chart(
    ax: Axes,
    title: str,
    subtitle: str,
    *,
    handles: Sequence[Any] | None = None,
    columns: int,
) -> Axes:
    """Draw the legend above the axes, then the title and subtitle above it; return ``ax``.

    ``handles`` default to the labelled artists of ``ax`` (see :func:`legend_above`).
    """
    pad = legend_above(ax, handles, columns=columns)
    set_titles(ax, title, subtitle, pad=pad)
    return ax


def plot_points(
    ax: Axes,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    style: tuple[str, str, str],
    *,
    gid: str,
) -> None:
    """Markers without a line, in front of the other lines; ``style`` is (colour, marker, label).

    A thin white edge keeps touching markers apart.
    """
    colour, marker, label = style
    ax.plot(
        x,
        y,
        linestyle="none",
        marker=marker,
        markersize=7,
        color=colour,
        markeredgecolor="white",
        markeredgewidth=0.6,
        label=label,
        gid=gid,
        zorder=3,
    )


def place_of(rows: pd.DataFrame) -> str:
    """Where and when the rows are: 'Oak (ward), 1 Apr 2025 to 30 Jun 2025'."""
    return place_text(*(single_value(rows, column) for column in _PLACE))


def period_of(rows: pd.DataFrame) -> str:
    """When the rows are: '1 Apr 2025 to 30 Jun 2025'."""
    return period_text(single_value(rows, "period_start"), single_value(rows, "period_end"))
