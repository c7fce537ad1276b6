"""Rendering: identical PNG bytes, 16 cm at 150 dpi, no overlapping or cut-off text, lazy import.

Every chart is drawn from one realistic table with long names (the report's worst case) and
rendered with the Agg canvas, headless.
"""

from __future__ import annotations

import itertools
import math
import struct
import subprocess
import sys

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from equitymetrics import plots
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

NAN = math.nan
TRUST = "Example Partnership NHS Foundation Trust"
GROUPS = (  # group, events, people, ratio, lower, upper
    ("White", 120, 1500, 1.0, NAN, NAN),
    ("Asian or Asian British", 30, 300, 1.25, 0.86, 1.82),
    ("Black or Black British", 60, 400, 1.88, 1.41, 2.49),
    ("Mixed or multiple ethnic groups", 6, 90, 0.83, 0.38, 1.84),
    ("Other ethnic groups", 12, 110, 1.36, 0.77, 2.41),
    ("Not stated", 4, 80, NAN, NAN, NAN),
)
WARDS = {"Oak": (67, 210), "Ash": (20, 224), "Pine": (0, 47), "Elm": (20, 351)}
SERIES = [10.1, 9.5, 10.8, 10.2, 11.0, 11.5, 11.9, 12.2, 12.6, 13.1, 13.0, 14.8]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    from equitymetrics.measures import finalise_results

    base = {
        "period_start": "2025-04-01",
        "period_end": "2025-06-30",
        "grouping": "broad",
        "confidence_level": 0.95,
        "multiplier": 100.0,
        "adjustment": "none",
        "reference_group": "White",
    }
    rows = []
    for group, events, people, ratio, lower, upper in GROUPS:
        for measure in ("restrictive_practice_people", "wres_2"):
            rows.append(
                {
                    **base,
                    "measure": measure,
                    "unit_type": "trust",
                    "unit": TRUST,
                    "group": group,
                    "numerator": events,
                    "denominator": people,
                    "value": events / people * 100,
                    "lower_ci": events / people * 80,
                    "upper_ci": events / people * 120,
                    "ratio": ratio,
                    "ratio_lower_ci": lower,
                    "ratio_upper_ci": upper,
                    "small_numbers": events < 10,
                }
            )
    trust_all = {"unit_type": "trust", "unit": TRUST, "numerator": 232, "denominator": 2480}
    for unit in [trust_all] + [
        {"unit_type": "ward", "unit": ward, "numerator": events, "denominator": people}
        for ward, (events, people) in WARDS.items()
    ]:
        value = unit["numerator"] / unit["denominator"] * 100
        rows.append(
            {
                **base,
                **unit,
                "measure": "restrictive_practice_people",
                "group": "All",
                "value": value,
            }
        )
        rows.append(
            {
                **base,
                **unit,
                "measure": "ethnicity_recording",
                "grouping": "recording",
                "group": "patients",
                "value": 100 - value / 3,
                "lower_ci": 95 - value / 3,
                "upper_ci": min(100.0, 104 - value / 3),
            }
        )
    for start, value in zip(
        pd.date_range("2022-04-01", periods=12, freq="QS-APR"), SERIES, strict=True
    ):
        rows.append(
            {
                **base,
                "measure": "smi_health_checks",
                "unit_type": "trust",
                "unit": TRUST,
                "group": "Black or Black British",
                "period_start": start,
                "period_end": start + pd.offsets.QuarterEnd(0),
                "value": value,
            }
        )
    return finalise_results([pd.DataFrame(rows)])


CHARTS = {
    "forest": (
        plots.forest_plot,
        {"measure": "restrictive_practice_people", "unit_type": "trust"},
    ),
    "forest-wres": (plots.forest_plot, {"measure": "wres_2"}),
    "funnel": (plots.funnel_plot, {"measure": "restrictive_practice_people"}),
    "spc": (
        plots.spc_chart,
        {
            "measure": "smi_health_checks",
            "group": "Black or Black British",
            "improvement": "higher",
        },
    ),
    "bar": (plots.bar_chart, {"measure": "restrictive_practice_people", "unit_type": "trust"}),
    "completeness": (plots.completeness_chart, {"target": 90.0}),
}


def drawn_texts(figure: Figure) -> tuple[list[Text], FigureCanvasAgg]:
    """Every non-empty text the Agg canvas draws, with tick labels only for ticks in view."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    texts: list[Text] = []
    for ax in figure.axes:
        tick_labels = set()
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                tick_labels.update((tick.label1, tick.label2))
                inside = low - 1e-9 <= tick.get_loc() <= high + 1e-9
                if inside and tick.label1.get_visible() and tick.label1.get_text():
                    texts.append(tick.label1)
        texts += [
            text
            for text in ax.findobj(Text, include_self=False)
            if text not in tick_labels and text.get_visible() and text.get_text().strip()
        ]
    return texts, canvas


@pytest.mark.parametrize("name", CHARTS)
def test_no_text_overlaps_or_leaves_the_figure(table, name):
    draw, options = CHARTS[name]
    ax = draw(table, **options)
    figure = ax.get_figure(root=True)
    texts, canvas = drawn_texts(figure)
    renderer = canvas.get_renderer()
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
    width, height = figure.bbox.width, figure.bbox.height
    for label, box in boxes:
        assert box.x0 >= -1, f"{label!r} leaves the figure"
        assert box.y0 >= -1, f"{label!r} leaves the figure"
        assert box.x1 <= width + 1, f"{label!r} leaves the figure"
        assert box.y1 <= height + 1, f"{label!r} leaves the figure"
    for (first, a), (second, b) in itertools.combinations(boxes, 2):
        # boxes may touch, but not share more than a pixel in both directions
        across = min(a.x1, b.x1) - max(a.x0, b.x0)
        down = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert not (across > 1 and down > 1), f"{first!r} overlaps {second!r} in {name}"


@pytest.mark.parametrize("name", CHARTS)
def test_png_bytes_are_identical_across_renders(table, name):
    draw, options = CHARTS[name]
    first = plots.save_figure_png(draw(table, **options))
    second = plots.save_figure_png(draw(table, **options))
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second


def test_png_is_sixteen_centimetres_wide_at_150_dpi(table):
    png = plots.save_figure_png(
        plots.bar_chart(table, measure="restrictive_practice_people", unit_type="trust")
    )
    width, _ = struct.unpack(">II", png[16:24])
    assert abs(width - 16 / 2.54 * 150) < 1  # 944.9 pixels


def test_png_carries_no_software_or_time_stamp(table):
    png = plots.save_figure_png(plots.completeness_chart(table))
    assert b"matplotlib" not in png.lower()
    assert b"tIME" not in png


def test_save_accepts_a_figure(table):
    ax = plots.completeness_chart(table)
    assert plots.save_figure_png(ax.get_figure(root=True)) == plots.save_figure_png(ax)


def test_save_rejects_other_objects():
    with pytest.raises(InvalidTypeError, match="figure must be a matplotlib Axes or Figure"):
        plots.save_figure_png(b"png")


@pytest.mark.parametrize("dpi", [0, 5000, True])
def test_save_checks_the_dpi(table, dpi):
    ax = plots.completeness_chart(table)
    with pytest.raises(InvalidArgumentError, match="dpi must be a number between 10 and 1200"):
        plots.save_figure_png(ax, dpi=dpi)


def test_every_chart_has_alt_text_naming_its_subjects(table):
    forest = plots.describe_forest_plot(
        table, measure="restrictive_practice_people", unit_type="trust"
    )
    bar = plots.describe_bar_chart(table, measure="restrictive_practice_people", unit_type="trust")
    for group, *_ in GROUPS:
        assert f"{group}:" in forest
    for group, *_ in GROUPS:
        assert group in bar
    funnel = plots.describe_funnel_plot(table, measure="restrictive_practice_people")
    completeness = plots.describe_completeness_chart(table)
    for ward in WARDS:
        assert f"{ward}:" in funnel
        assert f"{ward}:" in completeness
    spc = plots.describe_spc_chart(
        table, measure="smi_health_checks", group="Black or Black British"
    )
    assert "Apr 2022 10.1%" in spc


def test_import_is_lazy_and_pyplot_is_never_used():
    code = (
        "import sys\n"
        "import equitymetrics\n"
        "print('matplotlib' in sys.modules)\n"
        "import pandas as pd\n"
        "from equitymetrics import plots\n"
        "rows = pd.DataFrame({'measure': 'mha_cto', 'period_start': '2025-04-01',\n"
        "    'period_end': '2025-06-30', 'unit_type': 'trust', 'unit': 'T', 'grouping': 'broad',\n"
        "    'group': ['White', 'Black'], 'numerator': [3, 5], 'denominator': [1e4, 2e3],\n"
        "    'value': [30.0, 250.0], 'lower_ci': [6.2, 81.2], 'upper_ci': [87.7, 583.4],\n"
        "    'confidence_level': 0.95, 'multiplier': 1e5, 'adjustment': 'none',\n"
        "    'reference_group': 'White'})\n"
        "plots.save_figure_png(plots.bar_chart(rows, measure='mha_cto'))\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "False"]


def test_names_are_drawn_literally(table):
    # a dollar sign would start matplotlib's mathematical text; markup and formulas are text
    odd = "Ward $x^2$ <b>=SUM(A1)</b>"
    renamed = table.replace({"Oak": odd, "Asian or Asian British": "Group $a$"})
    funnel = plots.funnel_plot(renamed, measure="restrictive_practice_people")
    labels = [text.get_text() for text in funnel.texts if text.get_gid() == "unit-label"]
    assert labels == [odd.replace("$", r"\$")]
    forest = plots.forest_plot(renamed, measure="restrictive_practice_people", unit_type="trust")
    completeness = plots.completeness_chart(renamed)
    for ax in (funnel, forest, completeness):
        assert plots.save_figure_png(ax)[:4] == b"\x89PNG"
    assert f"{odd}:" in plots.describe_funnel_plot(renamed, measure="restrictive_practice_people")
