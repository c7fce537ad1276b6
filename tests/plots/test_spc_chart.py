"""SPC chart: XmR mean and limits over quarters, Making Data Count colours for special causes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from equitymetrics.exceptions import InvalidArgumentError
from equitymetrics.plots import OKABE_ITO, describe_spc_chart, spc_chart

NAN = math.nan
# Two points on the mean (7) around a run of seven below it and a run of seven above it.
# By hand: mean = 112 / 16 = 7; moving ranges 2, 1 x 6, 4, 1 x 6, 2 sum to 20 over 15, so
# mR-bar = 4/3 and the process limits are 7 -/+ 2.66 x 4/3 = 3.4533 and 10.5467; the 2-sigma
# lines 7 -/+ 2.3644 are beyond every point and no seven points rise or fall in a row, so only
# the run rule fires: points 1-7 (below) and 8-14 (above); points 0 and 15 sit on the mean.
SERIES = [7, 5, 6, 5, 6, 5, 6, 5, 9, 8, 9, 8, 9, 8, 9, 7]
MEAN = 7.0
AVERAGE_MOVING_RANGE = 20 / 15
STARTS = pd.date_range("2021-04-01", periods=len(SERIES), freq="QS-APR")


@pytest.fixture
def quarterly(make_row, make_results):
    def make(values=SERIES, **fields):
        rows = [
            make_row(
                measure="smi_health_checks",
                group="Black",
                period_start=start,
                period_end=start + pd.offsets.QuarterEnd(0),
                numerator=value * 10 if math.isfinite(value) else NAN,
                denominator=1000,
                value=value,
                **fields,
            )
            for start, value in zip(STARTS, values, strict=False)
        ]
        return make_results(rows)

    return make


def test_mean_and_process_limits_are_the_xmr_values(quarterly, artists):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black")
    (mean,) = artists(ax, "mean")
    (upper,) = artists(ax, "process-limit-upper")
    (lower,) = artists(ax, "process-limit-lower")
    assert mean.get_ydata()[0] == pytest.approx(MEAN)
    assert upper.get_ydata()[0] == pytest.approx(MEAN + 2.66 * AVERAGE_MOVING_RANGE)
    assert lower.get_ydata()[0] == pytest.approx(MEAN - 2.66 * AVERAGE_MOVING_RANGE)


def test_points_are_joined_in_time_order(quarterly, artists):
    table = quarterly().sample(frac=1.0, random_state=3)  # rows in any order
    ax = spc_chart(table, measure="smi_health_checks", group="Black")
    (series,) = artists(ax, "series")
    assert list(series.get_xdata()) == list(range(len(SERIES)))
    assert list(series.get_ydata()) == SERIES


def test_run_of_seven_coloured_by_direction(quarterly, artists):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black", improvement="higher")
    points = {line.get_label(): line for line in artists(ax, "points")}
    assert set(points) == {
        "Common cause variation",
        "Special cause: concern",
        "Special cause: improvement",
    }
    # Making Data Count: improvement blue, concern orange, common cause grey
    expected = {
        "Common cause variation": ([0, 15], OKABE_ITO["grey"]),
        "Special cause: concern": (list(range(1, 8)), OKABE_ITO["orange"]),
        "Special cause: improvement": (list(range(8, 15)), OKABE_ITO["blue"]),
    }
    for label, (positions, colour) in expected.items():
        assert list(points[label].get_xdata()) == positions
        assert to_hex(points[label].get_color()) == colour.lower()


def test_lower_is_better_swaps_improvement_and_concern(quarterly, artists):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black", improvement="lower")
    points = {line.get_label(): list(line.get_xdata()) for line in artists(ax, "points")}
    assert points["Special cause: improvement"] == list(range(1, 8))
    assert points["Special cause: concern"] == list(range(8, 15))


def test_without_a_direction_special_causes_are_neither(quarterly, artists):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black")
    points = {line.get_label(): line for line in artists(ax, "points")}
    assert list(points["Special cause"].get_xdata()) == list(range(1, 15))
    assert to_hex(points["Special cause"].get_color()) == OKABE_ITO["reddish purple"].lower()


def test_six_points_on_one_side_are_common_cause(quarterly, artists):
    # one point fewer on each side: runs of six do not reach the rule's seven
    values = [7, 5, 6, 5, 6, 5, 6, 9, 8, 9, 8, 9, 8, 7]
    ax = spc_chart(quarterly(values), measure="smi_health_checks", group="Black")
    (points,) = artists(ax, "points")
    assert points.get_label() == "Common cause variation"
    assert len(points.get_xdata()) == len(values)


def test_one_point_is_drawn_with_a_note_and_no_limits(quarterly, artists):
    ax = spc_chart(quarterly([12.5]), measure="smi_health_checks", group="Black")
    (points,) = artists(ax, "points")
    assert list(points.get_ydata()) == [12.5]
    assert artists(ax, "mean") == []
    assert artists(ax, "process-limit-upper") == []
    (note,) = artists(ax, "too-few-points", "texts")
    assert "no process limits" in note.get_text()
    text = describe_spc_chart(quarterly([12.5]), measure="smi_health_checks", group="Black")
    assert "1 period." in text
    assert "Fewer than 2 periods have a value, so there are no process limits." in text


def test_a_quarter_without_a_value_is_left_out_and_named(quarterly, artists):
    values = [10.0, 11.0, NAN, 12.0]
    table = quarterly(values)
    ax = spc_chart(table, measure="smi_health_checks", group="Black")
    (series,) = artists(ax, "series")
    assert list(series.get_ydata()) == [10.0, 11.0, 12.0]
    text = describe_spc_chart(table, measure="smi_health_checks", group="Black")
    assert "Periods without a value, not shown: Oct 2021." in text


def test_alt_text_gives_mean_limits_values_and_special_causes(quarterly):
    text = describe_spc_chart(
        quarterly(), measure="smi_health_checks", group="Black", improvement="higher"
    )
    lower = MEAN - 2.66 * AVERAGE_MOVING_RANGE  # 3.45
    upper = MEAN + 2.66 * AVERAGE_MOVING_RANGE  # 10.55
    assert f"Mean 7.0%; process limits {lower:.1f}% to {upper:.1f}%." in text
    assert "Values: Apr 2021 7.0%, Jul 2021 5.0%" in text
    assert "Jul 2021 (concern)" in text
    assert "Jan 2023 (concern)" in text  # index 7, the last of the run below
    assert "Apr 2023 (improvement)" in text  # index 8, the first of the run above
    assert "Apr 2021 (" not in text  # on the mean: common cause


def test_tick_labels_name_quarters_without_crowding(quarterly):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black")
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert labels[0] == "Apr 2021"
    assert len(labels) <= 8


def test_several_units_must_be_chosen(quarterly, make_results):
    table = pd.concat([quarterly(), quarterly(unit_type="ward", unit="Oak")])
    with pytest.raises(InvalidArgumentError, match=r"one unit_type at a time"):
        spc_chart(table, measure="smi_health_checks", group="Black")
    ax = spc_chart(table, measure="smi_health_checks", group="Black", unit="Oak")
    assert ax.get_title(loc="left").endswith("Oak (ward), by quarter")


def test_repeated_quarter_with_different_values_is_refused(quarterly):
    table = quarterly()
    doubled = pd.concat([table, table.assign(value=table["value"] + 1, grouping="binary")])
    with pytest.raises(InvalidArgumentError, match="one row per period_start"):
        spc_chart(doubled, measure="smi_health_checks", group="Black")


def test_an_unknown_group_lists_the_groups(quarterly):
    with pytest.raises(InvalidArgumentError, match=r"group = 'Asian'.*'Black'"):
        spc_chart(quarterly(), measure="smi_health_checks", group="Asian")


def test_draws_into_the_given_axes(quarterly, new_axes):
    given_axes = new_axes()
    result = spc_chart(quarterly(), measure="smi_health_checks", group="Black", ax=given_axes)
    assert result is given_axes


def test_limits_stay_in_view(quarterly):
    ax = spc_chart(quarterly(), measure="smi_health_checks", group="Black")
    bottom, top = ax.get_ylim()
    limits = np.array([MEAN - 2.66 * AVERAGE_MOVING_RANGE, MEAN + 2.66 * AVERAGE_MOVING_RANGE])
    assert bottom < limits.min()
    assert top > limits.max()


def test_improvement_must_name_a_direction(quarterly):
    with pytest.raises(InvalidArgumentError, match='improvement must be "higher", "lower"'):
        spc_chart(quarterly([1.0]), measure="smi_health_checks", group="Black", improvement="up")
