"""Charts of the results table, drawn with matplotlib.

Each chart function takes the results table (whole, with keyword filters, or already filtered),
draws into ``ax`` (or a new 16 cm wide figure) and returns the Axes; it never calls
``pyplot.show()`` and never touches pyplot's global state. Each has a ``describe_*`` companion
that returns plain-English alternative text for the image. Colours come from the Okabe-Ito
palette (:data:`OKABE_ITO`), which stays distinguishable with the common colour-vision
deficiencies. :func:`save_figure_png` gives deterministic PNG bytes for the report.

matplotlib is imported only when a chart is drawn, so ``import equitymetrics`` stays fast.
"""

from equitymetrics.plots._bars import bar_chart, describe_bar_chart
from equitymetrics.plots._completeness import completeness_chart, describe_completeness_chart
from equitymetrics.plots._export import save_figure_png
from equitymetrics.plots._forest import describe_forest_plot, forest_plot
from equitymetrics.plots._funnel import describe_funnel_plot, funnel_plot
from equitymetrics.plots._spc import describe_spc_chart, spc_chart
from equitymetrics.plots._style import OKABE_ITO

__all__ = [
    "OKABE_ITO",
    "bar_chart",
    "completeness_chart",
    "describe_bar_chart",
    "describe_completeness_chart",
    "describe_forest_plot",
    "describe_funnel_plot",
    "describe_spc_chart",
    "forest_plot",
    "funnel_plot",
    "save_figure_png",
    "spc_chart",
]
