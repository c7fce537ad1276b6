"""Shared look of every chart: the colour palette, sizes, new axes, ticks and wording.

matplotlib is imported inside the functions, never at module level, so that
``import equitymetrics`` stays fast; pyplot is never used, so no global figure state is touched.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.measures import CATALOGUE, MeasureSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes

OKABE_ITO: MappingProxyType[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky blue": "#56B4E9",
        "bluish green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish purple": "#CC79A7",
        "grey": "#999999",
    }
)
"""The Okabe-Ito palette (Okabe and Ito 2008), safe for the common colour-vision deficiencies,
with the grey usually paired with it. Read-only."""

FIGURE_WIDTH_INCHES = 16.0 / 2.54
"""New figures are 16 cm wide: the width of a figure on an A4 page in the quarterly report."""

FIGURE_DPI = 150
TITLE_SIZE = 11.0
LABEL_SIZE = 9.5
TICK_SIZE = 9.0
NOTE_SIZE = 8.0

_BY_ID: dict[str, MeasureSpec] = {spec.id: spec for spec in CATALOGUE}
_WORDS = {
    "mha": "Mental Health Act",
    "smi": "SMI",
    "wres": "WRES indicator",
    "cto": "community treatment orders",
    "bmi": "BMI",
}
_TITLES = {
    "ethnicity_recording": "Ethnicity recording completeness",
    "restrictive_practice_people": "People subject to restrictive practice",
    "restrictive_practice_rate": "Restrictive interventions",
    "mha_detentions_standardised": "Mental Health Act detentions (age and sex standardised)",
    "mha_cto": "Community treatment orders",
    "smi_health_checks": "SMI physical health checks (all six)",
}
_PROPER_WORDS = ("Mental",)
_LEGEND_CHARACTERS = 84
_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
_EXTRA_RATIO_TICKS = (0.25, 0.75, 1.5, 3.0, 4.0)


def axes_or_new(ax: Axes | None, *, height: float) -> Axes:
    """Return ``ax``, or the axes of a new 16 cm wide figure ``height`` inches tall.

    The new figure is a plain :class:`matplotlib.figure.Figure` (no pyplot) with constrained
    layout, so labels outside the axes are kept on the figure.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if ax is None:
        figure = Figure(figsize=(FIGURE_WIDTH_INCHES, height), dpi=FIGURE_DPI, layout="constrained")
        return figure.add_subplot()
    if not isinstance(ax, Axes):
        raise InvalidTypeError(
            f"ax must be a matplotlib Axes (or None for a new figure); got {type(ax).__name__}."
        )
    return ax


def measure_spec(measure: str) -> MeasureSpec | None:
    """The catalogue card of ``measure``, or None for a measure outside the catalogue."""
    return _BY_ID.get(measure)


def check_measure(measure: object) -> str:
    """Return ``measure`` if it is a non-empty string, else raise."""
    if not isinstance(measure, str) or not measure:
        raise InvalidTypeError(
            f"measure must be a measure identifier such as 'restrictive_practice_people'; got "
            f"{measure!r}."
        )
    return measure


def measure_title(measure: str) -> str:
    """Plain words for a measure identifier: 'mha_detentions' -> 'Mental Health Act detentions'."""
    if measure in _TITLES:
        return _TITLES[measure]
    words = [_WORDS.get(word, word) for word in measure.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def measure_phrase(measure: str) -> str:
    """The measure title for use inside a sentence: lower case unless it starts with a name."""
    title = measure_title(measure)
    first = title.split(" ", 1)[0]
    if first.isupper() or first in _PROPER_WORDS:
        return title
    return title[:1].lower() + title[1:]


def is_percentage(measure: str, multiplier: float) -> bool:
    """Whether values are percentages: the catalogue says "%", or the multiplier is 100."""
    spec = measure_spec(measure)
    if spec is not None:
        return spec.unit_label == "%"
    return multiplier == 100.0


def value_axis_label(measure: str, multiplier: float) -> str:
    """Axis label for ``value``: 'Percentage (%)' or 'Rate per 1,000 occupied bed days'."""
    spec = measure_spec(measure)
    if is_percentage(measure, multiplier):
        return "Percentage (%)"
    if spec is not None and spec.kind == "difference":
        return f"Difference ({spec.unit_label})"
    if spec is not None:
        return f"Rate {spec.unit_label}"
    if math.isfinite(multiplier) and multiplier != 1.0:
        return f"Value per {multiplier:,.0f}"
    return "Value"


def plain(text: str) -> str:
    """``text`` to be drawn literally: a dollar sign would otherwise start mathematical text."""
    return text.replace("$", r"\$")


def wrap_label(text: str, *, width: int = 26) -> str:
    """Break a long tick label into lines of at most about ``width`` characters (drawn as is)."""
    wrapped = (
        textwrap.fill(text, width=width, break_long_words=False) if len(text) > width else text
    )
    return plain(wrapped)


def format_number(value: float, *, digits: int = 2) -> str:
    """A number with thousands separators and ``digits`` decimals; 'infinite' for inf."""
    if math.isinf(value):
        return "infinite"
    return f"{value:,.{digits}f}"


def format_value(value: float, *, percentage: bool) -> str:
    """A level for a label: '12.3%' for percentages, else three significant figures or more."""
    if math.isnan(value):
        return "not available"
    if percentage:
        return f"{format_number(value, digits=1)}%"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return format_number(value, digits=digits)


def percent_text(level: float) -> str:
    """A confidence level as a percentage: 0.95 -> '95%', 0.998 -> '99.8%'."""
    return f"{round(level * 100, 1):g}%"


def interval_prefix(level: float) -> str:
    """'95% CI ' to put before an interval's limits, or '' when the level is not known (NaN)."""
    return f"{percent_text(level)} CI " if math.isfinite(level) else ""


def place_text(unit_type: object, unit: object, start: object, end: object) -> str:
    """Where and when: 'Oak (ward), 1 Apr 2025 to 30 Jun 2025'; a trust is named alone."""
    where = str(unit) if str(unit_type) in ("trust", "") else f"{unit} ({unit_type})"
    period = period_text(start, end)
    return f"{where}, {period}" if period else where


def _present(value: object) -> bool:
    """Whether a scalar is present (not None, NaN or NaT)."""
    return not (value is None or bool(pd.isna(value)))  # type: ignore[call-overload]


def period_text(start: object, end: object) -> str:
    """'1 Apr 2025 to 30 Jun 2025' (or one date, or '' when both are missing)."""
    dates = [pd.Timestamp(str(value)) for value in (start, end) if _present(value)]
    words = [f"{date.day} {date.strftime('%b %Y')}" for date in dates]
    return " to ".join(words)


def ratio_ticks(low: float, high: float, *, always: Sequence[float] = ()) -> list[float]:
    """Tick positions for a log-scaled ratio axis from ``low`` to ``high``.

    1 (and ``always``) first, then the 1-2-5 sequence, then 0.25, 0.75, 1.5, 3 and 4, each
    added only if it is at least a seventh of the axis (on the log scale) from every tick
    already chosen, so that labels never crowd.
    """
    gap = math.log(high / low) / 7.0
    chosen: list[float] = []
    for tick in (1.0, *always, *_RATIO_TICKS, *_EXTRA_RATIO_TICKS):
        inside = low <= tick <= high
        if inside and all(abs(math.log(tick / other)) >= gap for other in chosen):
            chosen.append(tick)
    return sorted(chosen)


def set_ratio_axis(ax: Axes, low: float, high: float, *, always: Sequence[float] = ()) -> None:
    """A log-scaled x axis from ``low`` to ``high`` with plain tick labels (0.5, 1, 2)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    if not (0 < low < high and math.isfinite(high)):
        raise InvalidArgumentError(
            f"ratio axis limits must satisfy 0 < low < high; got {low}, {high}."
        )
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator(ratio_ticks(low, high, always=always)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def style_axes(ax: Axes, *, grid_axis: str = "x") -> None:
    """Light grid behind the data, no top and right spines, readable tick labels."""
    ax.set_axisbelow(True)
    ax.grid(True, axis=grid_axis, color="#DDDDDD", linewidth=0.6)  # type: ignore[arg-type]
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=TICK_SIZE)


def _room(ax: Axes) -> float:
    """Characters of 8-point text that fit between the y tick labels and the figure's edge."""
    lines = [line for label in ax.get_yticklabels() for line in label.get_text().split("\n")]
    return _LEGEND_CHARACTERS - max((len(line) for line in lines), default=0)


def _legend_columns(ax: Axes, labels: Sequence[str], most: int) -> int:
    """The most columns (at most ``most``) whose legend fits between the y labels and the edge.

    Widths are estimated in characters of the legend's font: a 16 cm figure holds about 84,
    less the longest line of the y tick labels; each entry adds about 7 for its handle and
    spacing. Matplotlib fills legend columns top to bottom.
    """
    room = _room(ax)
    for columns in range(min(most, len(labels)), 1, -1):
        rows = math.ceil(len(labels) / columns)
        chunks = [labels[start : start + rows] for start in range(0, len(labels), rows)]
        if sum(max(len(label) for label in chunk) + 7 for chunk in chunks) <= room:
            return columns
    return 1


def legend_above(ax: Axes, handles: Sequence[Any] | None = None, *, columns: int = 3) -> float:
    """A frameless legend between the title and the axes; returns the title pad it needs.

    ``handles`` default to the labelled artists of ``ax``. The pad (points) is for
    :func:`set_titles`, so that the title sits above the legend's rows.
    """
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    if not handles:
        return 6.0
    columns = _legend_columns(ax, [str(handle.get_label()) for handle in handles], columns)
    ax.legend(
        handles=list(handles),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=columns,
        frameon=False,
        fontsize=NOTE_SIZE,
        borderaxespad=0.2,
        handlelength=1.8,
        columnspacing=1.4,
    )
    return 6.0 + 14.0 * math.ceil(len(handles) / columns)


def set_titles(ax: Axes, title: str, subtitle: str, *, pad: float = 6.0) -> None:
    """A left-aligned title with the subtitle (unit, period) on the next line.

    Both are wrapped to the room between the y tick labels and the figure's right edge
    (estimated in characters, as for the legend), so that nothing is cut off at 16 cm; the
    subtitle breaks at its commas first. ``pad`` (points) leaves room for a legend drawn
    between the title and the axes.
    """
    width = max(int(_room(ax) * 0.8), 24)
    lines = textwrap.wrap(title, width=width)
    line = ""
    for part in subtitle.split(", ") if subtitle else []:
        joined = f"{line}, {part}" if line else part
        if len(joined) <= width or not line:
            line = joined
        else:
            lines.extend(textwrap.wrap(line, width=width))
            line = part
    if line:
        lines.extend(textwrap.wrap(line, width=width))
    text = plain("\n".join(lines))
    ax.set_title(text, loc="left", fontsize=TITLE_SIZE, linespacing=1.4, pad=pad)
