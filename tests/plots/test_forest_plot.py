"""Forest plot: one marker per finite ratio, intervals, reference, WRES band, alt text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.plots import describe_forest_plot, forest_plot

NAN = math.nan
WARD = "ward (Mantel-Haenszel)"
# (group, ratio, lower, upper): the crude comparison and a ward-adjusted one
CRUDE = (
    ("White", 1.0, NAN, NAN),
    ("Asian", 1.2, 0.8, 1.8),
    ("Black", 1.8, 1.3, 2.4),
    ("Mixed", 0.7, 0.35, 1.4),
    ("Other", 2.6, 0.9, 7.5),
    ("Not stated", NAN, NAN, NAN),
    ("Not known", NAN, NAN, NAN),
    ("All", NAN, NAN, NAN),
)
ADJUSTED = (
    ("White", 1.0, NAN, NAN),
    ("Asian", 1.1, 0.7, 1.7),
    ("Black", 1.5, 1.1, 2.1),
    ("Mixed", NAN, NAN, NAN),
    ("Other", 2.0, 0.7, 6.0),
)
COMPARED = ("Asian", "Black", "Mixed", "Other")


@pytest.fixture
def ratio_rows(make_row):
    def make(ratios, **fields):
        return [
            make_row(
                group=group,
                ratio=ratio,
                ratio_lower_ci=lower,
                ratio_upper_ci=upper,
                ratio_method="reference group" if group == "White" else "katz",
                group_order=order,
                **fields,
            )
            for order, (group, ratio, lower, upper) in enumerate(ratios)
        ]

    return make


@pytest.fixture
def crude(make_results, ratio_rows):
    return make_results(ratio_rows(CRUDE))


@pytest.fixture
def both(make_results, ratio_rows):
    return make_results(ratio_rows(CRUDE) + ratio_rows(ADJUSTED, adjustment=WARD))


def test_one_marker_per_finite_ratio_at_the_ratio(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    (points,) = artists(ax, "estimates")
    # by hand: the four compared groups, rows 1-4 below the reference in row 0
    assert list(points.get_xdata()) == [1.2, 1.8, 0.7, 2.6]
    assert list(points.get_ydata()) == [1.0, 2.0, 3.0, 4.0]


def test_interval_segments_span_lower_to_upper(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    (intervals,) = artists(ax, "intervals", "collections")
    segments = [(float(s[0][0]), float(s[1][0]), float(s[0][1])) for s in intervals.get_segments()]
    assert segments == [(0.8, 1.8, 1.0), (1.3, 2.4, 2.0), (0.35, 1.4, 3.0), (0.9, 7.5, 4.0)]


def test_reference_group_marked_at_one_and_labelled(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    (reference,) = artists(ax, "reference-group")
    assert (list(reference.get_xdata()), list(reference.get_ydata())) == ([1.0], [0.0])
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "White (reference)"


def test_vertical_line_at_one_and_log_axis(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    (line,) = artists(ax, "no-difference-line")
    assert list(line.get_xdata()) == [1.0, 1.0]
    assert ax.get_xscale() == "log"
    low, high = ax.get_xlim()
    assert low < 0.35  # every interval is inside the axis
    assert high > 7.5


def test_tick_labels_are_plain_numbers(crude):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    ax.get_figure(root=True).draw_without_rendering()
    texts = [label.get_text() for label in ax.get_xticklabels()]
    assert "1" in texts
    assert not any("^" in text for text in texts)


def test_groups_without_a_ratio_are_listed_as_not_compared(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == [
        "White (reference)",
        "Asian",
        "Black",
        "Mixed",
        "Other",
        "Not stated",
        "Not known",
    ]
    not_compared = artists(ax, "not-compared", "texts")
    assert [text.get_text() for text in not_compared] == ["not compared", "not compared"]


def test_the_all_row_is_left_out(crude):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    assert "All" not in [label.get_text() for label in ax.get_yticklabels()]
    assert "All:" not in describe_forest_plot(crude, measure="restrictive_practice_people")


def test_each_adjustment_gets_its_own_markers(both, artists):
    ax = forest_plot(both, measure="restrictive_practice_people")
    crude_points, adjusted_points = artists(ax, "estimates")
    assert list(crude_points.get_xdata()) == [1.2, 1.8, 0.7, 2.6]
    assert list(adjusted_points.get_xdata()) == [1.1, 1.5, 2.0]
    assert crude_points.get_label() == "Crude (no adjustment)"
    assert adjusted_points.get_label() == f"Adjusted for {WARD}"
    assert crude_points.get_color() != adjusted_points.get_color()
    assert crude_points.get_marker() != adjusted_points.get_marker()
    # the adjusted Mixed ratio is missing: listed as not compared, next to the crude one
    assert len(artists(ax, "not-compared", "texts")) == 3
    # one reference marker, not one per adjustment
    assert len(artists(ax, "reference-group")) == 1


def test_filtering_to_one_adjustment(both, artists):
    ax = forest_plot(both, measure="restrictive_practice_people", adjustment=WARD)
    (points,) = artists(ax, "estimates")
    assert list(points.get_xdata()) == [1.1, 1.5, 2.0]


def test_wres_measure_shades_the_non_adverse_range(make_results, ratio_rows, artists):
    table = make_results(ratio_rows(CRUDE[:5], measure="wres_2"))
    ax = forest_plot(table, measure="wres_2")
    (band,) = artists(ax, "non-adverse-range", "patches")
    assert isinstance(band, Rectangle)
    # the WRES non-adverse range is 0.80 to 1.25 (the four-fifths rule)
    assert band.get_x() == pytest.approx(0.80)
    assert band.get_x() + band.get_width() == pytest.approx(1.25)


def test_other_measures_have_no_band(crude, artists):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    assert artists(ax, "non-adverse-range", "patches") == []


def test_a_zero_ratio_is_listed_not_plotted(make_results, ratio_rows, artists):
    table = make_results(ratio_rows([CRUDE[0], ("Asian", 0.0, NAN, NAN), CRUDE[2]]))
    ax = forest_plot(table, measure="restrictive_practice_people")
    (points,) = artists(ax, "estimates")
    assert list(points.get_xdata()) == [1.8]
    texts = [text.get_text() for text in artists(ax, "not-compared", "texts")]
    assert texts == ["ratio 0.00: not shown on a log scale"]


def test_draws_into_the_given_axes(crude, new_axes):
    given_axes = new_axes()
    returned = forest_plot(crude, measure="restrictive_practice_people", ax=given_axes)
    assert returned is given_axes
    assert returned.get_figure(root=True).axes == [given_axes]


def test_returns_axes_of_a_new_figure_sixteen_centimetres_wide(crude):
    ax = forest_plot(crude, measure="restrictive_practice_people")
    assert isinstance(ax, Axes)
    width, _ = ax.get_figure(root=True).get_size_inches()
    assert width == pytest.approx(16 / 2.54)


def test_alt_text_mentions_every_group_and_its_interval(both):
    text = describe_forest_plot(both, measure="restrictive_practice_people")
    for group in ("White", *COMPARED, "Not stated", "Not known"):
        assert f"{group}:" in text
    assert "White: reference group." in text
    assert "crude (no adjustment) 1.80 (95% CI 1.30 to 2.40), higher than White" in text
    assert f"adjusted for {WARD} not compared" in text
    assert "Asian: crude (no adjustment) 1.20 (95% CI 0.80 to 1.80), no evidence" in text


def test_alt_text_of_a_wres_ratio_says_whether_it_is_in_the_range(make_results, ratio_rows):
    table = make_results(ratio_rows(CRUDE[:3], measure="wres_2"))
    text = describe_forest_plot(table, measure="wres_2")
    assert "non-adverse range, 0.80 to 1.25" in text
    assert "Asian: 1.20 (95% CI 0.80 to 1.80), no evidence of a difference, within" in text
    assert "Black: 1.80 (95% CI 1.30 to 2.40), higher than White, outside" in text


def test_several_periods_must_be_chosen(make_results, ratio_rows):
    rows = ratio_rows(CRUDE[:3]) + ratio_rows(
        CRUDE[:3], period_start="2025-07-01", period_end="2025-09-30"
    )
    table = make_results(rows)
    with pytest.raises(InvalidArgumentError, match=r"one period_start .* '2025-04-01'"):
        forest_plot(table, measure="restrictive_practice_people")
    ax = forest_plot(table, measure="restrictive_practice_people", period_start="2025-07-01")
    assert isinstance(ax, Axes)


def test_unknown_measure_lists_the_measures_present(crude):
    with pytest.raises(InvalidArgumentError, match=r"no rows for measure 'mha_cto'.*restrictive"):
        forest_plot(crude, measure="mha_cto")


def test_a_filter_that_matches_nothing_lists_the_values(crude):
    with pytest.raises(InvalidArgumentError, match=r"unit = 'Oak'.*Example Partnership"):
        forest_plot(crude, measure="restrictive_practice_people", unit="Oak")


def test_repeated_group_rows_are_refused(make_results, ratio_rows):
    table = make_results(ratio_rows(CRUDE[:3]) + ratio_rows(CRUDE[1:2], period_end="2025-05-31"))
    with pytest.raises(InvalidArgumentError, match=r"one row per group and adjustment.*'Asian'"):
        forest_plot(table, measure="restrictive_practice_people")


def test_results_must_be_a_dataframe():
    with pytest.raises(InvalidTypeError, match="results must be a results table"):
        forest_plot([1, 2], measure="restrictive_practice_people")


def test_missing_columns_are_named(crude):
    with pytest.raises(InvalidArgumentError, match=r"missing the column.*ratio_lower_ci"):
        forest_plot(crude.drop(columns="ratio_lower_ci"), measure="restrictive_practice_people")


def test_ax_must_be_axes(crude):
    with pytest.raises(InvalidTypeError, match="ax must be a matplotlib Axes"):
        forest_plot(crude, measure="restrictive_practice_people", ax="axes")


finite_or_missing = st.one_of(st.just(NAN), st.floats(0.05, 20.0))


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ratios=st.lists(finite_or_missing, min_size=1, max_size=6))
def test_markers_and_alt_text_follow_any_ratios(ratios, make_row, make_results):
    # the interval is the ratio / 1.5 to ratio x 1.5, so it is finite exactly when the ratio is
    rows = [make_row(group="White", ratio=1.0, ratio_method="reference group")]
    names = [f"Group {index}" for index in range(len(ratios))]
    for name, ratio in zip(names, ratios, strict=True):
        rows.append(
            make_row(
                group=name, ratio=ratio, ratio_lower_ci=ratio / 1.5, ratio_upper_ci=ratio * 1.5
            )
        )
    table = make_results(rows)
    ax = forest_plot(table, measure="restrictive_practice_people")
    plotted = [line for line in ax.lines if line.get_gid() == "estimates"]
    finite = [ratio for ratio in ratios if math.isfinite(ratio)]
    points = np.concatenate([line.get_xdata() for line in plotted]) if plotted else []
    assert list(points) == finite
    text = describe_forest_plot(table, measure="restrictive_practice_people")
    assert all(f"{name}:" in text for name in names)
    assert text.count("not compared") == len(ratios) - len(finite)
    ax.get_figure(root=True).clear()


def test_missing_text_values_are_handled(crude):
    table = crude.copy()
    table["ratio_method"] = pd.Series([None] * len(table), dtype=object)
    assert isinstance(forest_plot(table, measure="restrictive_practice_people"), Axes)


def test_a_unit_with_only_the_all_row_has_nothing_to_plot(make_results, make_row):
    table = make_results([make_row(unit_type="ward", unit="Oak", group="All", value=9.0)])
    with pytest.raises(InvalidArgumentError, match="only the 'All' row"):
        forest_plot(table, measure="restrictive_practice_people")
