"""Deterministic PNG bytes of a chart, for embedding in the report."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.plots._style import FIGURE_DPI

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def save_figure_png(figure: Axes | Figure, *, dpi: float = FIGURE_DPI) -> bytes:
    """Render the figure holding ``figure`` (an Axes or a Figure) as PNG bytes.

    The same chart gives the same bytes every time: the PNG carries no software version or
    time stamp (``metadata={"Software": None}``) and the Agg renderer is deterministic. The
    figure is rendered at its own size (16 cm wide for the charts of this package) and
    ``dpi`` (150 by default, the report's resolution); nothing is cropped. pyplot is not
    used, so no figure is opened or shown.

    Parameters
    ----------
    figure : matplotlib Axes or Figure
        A chart returned by a plot function, or its figure.
    dpi : float, default 150
        Dots per inch.

    Returns
    -------
    bytes
        The PNG file; base64-encode it to embed it in HTML.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if not isinstance(figure, Axes | Figure | SubFigure):
        raise InvalidTypeError(
            f"figure must be a matplotlib Axes or Figure; got {type(figure).__name__}."
        )
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not 10 <= dpi <= 1200:
        raise InvalidArgumentError(f"dpi must be a number between 10 and 1200; got {dpi!r}.")
    root = figure.get_figure(root=True)
    if root is None:
        raise InvalidArgumentError("the Axes belongs to no figure; draw it into a figure first.")
    buffer = io.BytesIO()
    root.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
