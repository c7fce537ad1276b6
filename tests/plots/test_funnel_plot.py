"""Funnel plot: units against denominators, limits around the trust value, outliers labelled."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.axes import Axes
from scipy import stats as scipy_stats

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.plots import describe_funnel_plot, funnel_plot
from equitymetrics.stats import funnel_limits

NAN = math.nan
TRUST_EVENTS, TRUST_PEOPLE = 235, 2500  # the trust value is 235 / 2500 = 9.4%
WARDS = {  # ward -> (people restrained, inpatients)
    "Oak": (67, 210),
    "Ash": (20, 224),
    "Pine": (0, 47),
    "Elm": (20, 351),
    "Birch": (12, 138),
}


def wilson_funnel(total: float, target: float, level: float) -> tuple[float, float]:
    """Fingertips proportion funnel by hand: p0 -/+ z sqrt(p0 (1 - p0) / n), in percent."""
    z = scipy_stats.norm.ppf(1 - (1 - level) / 2)
    p0 = target / 100
    half = z * math.sqrt(p0 * (1 - p0) / total)
    return max(p0 - half, 0.0) * 100, min(p0 + half, 1.0) * 100


@pytest.fixture
def ward_rows(make_row):
    def make(measure="restrictive_practice_people", multiplier=100.0, wards=WARDS, **fields):
        rows = [
            make_row(
                measure=measure,
                group="All",
                numerator=TRUST_EVENTS,
                denominator=TRUST_PEOPLE,
                value=TRUST_EVENTS / TRUST_PEOPLE * multiplier,
                multiplier=multiplier,
                **fields,
            )
        ]
        for ward, (events, people) in wards.items():
            rows.append(
                make_row(
                    measure=measure,
                    unit_type="ward",
                    unit=ward,
                    group="All",
                    numerator=events,
                    denominator=people,
                    value=events / people * multiplier if people else NAN,
                    multiplier=multiplier,
                    **fields,
                )
            )
        return rows

    return make


@pytest.fixture
def wards(make_results, ward_rows):
    return make_results(ward_rows())


def test_every_ward_is_a_point_at_its_denominator_and_value(wards, artists):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    lines = artists(ax, "units")
    points = sorted(
        (float(x), float(y))
        for line in lines
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    )
    expected = sorted((people, events / people * 100) for events, people in WARDS.values())
    np.testing.assert_allclose(np.array(points), np.array(expected), rtol=1e-12)


def test_target_line_is_the_trust_value(wards, artists):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    (target,) = artists(ax, "target")
    assert list(target.get_ydata()) == pytest.approx([9.4, 9.4])  # 235 / 2500 = 9.4%


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_drawn_limits_are_the_wilson_funnel(wards, artists, level):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    (upper,) = artists(ax, f"limit-upper-{level:g}")
    (lower,) = artists(ax, f"limit-lower-{level:g}")
    totals = upper.get_xdata()
    assert totals.min() <= 47  # the funnel starts before the smallest ward
    assert totals.max() >= 351
    by_hand = np.array([wilson_funnel(total, 9.4, level) for total in totals])
    np.testing.assert_allclose(lower.get_ydata(), by_hand[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper.get_ydata(), by_hand[:, 1], rtol=1e-9, atol=1e-12)
    # and they are what the stats layer computes for the same denominators
    limits = funnel_limits(totals, 9.4, levels=(level,), multiplier=100)
    np.testing.assert_array_equal(upper.get_ydata(), limits.upper[0])


def test_only_units_outside_the_widest_limits_are_labelled(wards, artists):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    labelled = [text.get_text() for text in artists(ax, "unit-label", "texts")]
    # by hand: outside the 99.8% funnel when |p - p0| > z sqrt(p0 (1 - p0) / n)
    z = scipy_stats.norm.ppf(0.999)
    p0 = 0.094
    outside = [
        ward
        for ward, (events, people) in WARDS.items()
        if abs(events / people - p0) > z * math.sqrt(p0 * (1 - p0) / people)
    ]
    assert labelled == outside == ["Oak"]


def test_marker_groups_follow_the_limits(wards, artists):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    groups = {line.get_label(): len(line.get_xdata()) for line in artists(ax, "units")}
    # by hand with the Wilson funnel: Pine (0 of 47) and Elm (20 of 351) are below the 95%
    # limits (1.06% and 6.35%) but not the 99.8% limits; Oak is above both
    assert groups == {
        "Within the limits": 2,
        "Outside the 95% limits": 2,
        "Outside the 99.8% limits": 1,
    }


def test_rate_funnel_uses_exact_poisson_limits(make_results, ward_rows, artists):
    # interventions per 1,000 bed days: the limits are where the exact (Garwood) interval of
    # the count just reaches the target, so chi2 quantiles at the limits give back mu
    table = make_results(ward_rows(measure="restrictive_practice_rate", multiplier=1000.0))
    ax = funnel_plot(table, measure="restrictive_practice_rate", levels=(0.95,))
    (upper,) = artists(ax, "limit-upper-0.95")
    (lower,) = artists(ax, "limit-lower-0.95")
    target = TRUST_EVENTS / TRUST_PEOPLE * 1000
    exposure = upper.get_xdata()
    mean = target * exposure / 1000
    upper_count = upper.get_ydata() * exposure / 1000
    np.testing.assert_allclose(scipy_stats.chi2.ppf(0.025, 2 * upper_count) / 2, mean, rtol=1e-7)
    lower_count = lower.get_ydata() * exposure / 1000
    positive = lower_count > 0
    np.testing.assert_allclose(
        scipy_stats.chi2.ppf(0.975, 2 * lower_count[positive] + 2) / 2, mean[positive], rtol=1e-7
    )


def test_all_rows_repeated_per_grouping_are_drawn_once(make_results, ward_rows, artists):
    table = make_results(ward_rows() + ward_rows(grouping="binary"))
    ax = funnel_plot(table, measure="restrictive_practice_people")
    assert sum(len(line.get_xdata()) for line in artists(ax, "units")) == len(WARDS)


def test_a_chosen_group_is_compared_with_the_trust_value_of_that_group(make_results, make_row):
    rows = [
        make_row(group="Black", numerator=30, denominator=200, value=15.0),
        make_row(
            unit_type="ward", unit="Oak", group="Black", numerator=9, denominator=30, value=30.0
        ),
        make_row(
            unit_type="ward", unit="Ash", group="Black", numerator=3, denominator=40, value=7.5
        ),
        make_row(
            unit_type="ward", unit="Ash", group="White", numerator=3, denominator=60, value=5.0
        ),
    ]
    table = make_results(rows)
    text = describe_funnel_plot(table, measure="restrictive_practice_people", group="Black")
    assert "around the trust value of 15.0%" in text
    assert "Oak: 30.0% of 30" in text
    with pytest.raises(InvalidArgumentError, match=r"one group at a time.*'Black', 'White'"):
        funnel_plot(table, measure="restrictive_practice_people")


def test_without_a_trust_row_a_target_is_needed(make_results, ward_rows, artists):
    table = make_results(ward_rows()[1:])
    with pytest.raises(InvalidArgumentError, match="pass target="):
        funnel_plot(table, measure="restrictive_practice_people")
    ax = funnel_plot(table, measure="restrictive_practice_people", target=10.0)
    (target,) = artists(ax, "target")
    assert list(target.get_ydata()) == [10.0, 10.0]


def test_a_unit_without_a_value_is_left_out_and_named(make_results, ward_rows, artists):
    table = make_results(ward_rows(wards={**WARDS, "Yew": (0, 0)}))
    ax = funnel_plot(table, measure="restrictive_practice_people")
    assert sum(len(line.get_xdata()) for line in artists(ax, "units")) == len(WARDS)
    text = describe_funnel_plot(table, measure="restrictive_practice_people")
    assert "Not shown (no value or no denominator): Yew." in text


def test_alt_text_names_every_ward_and_where_it_lies(wards):
    text = describe_funnel_plot(wards, measure="restrictive_practice_people")
    assert "95% and 99.8% control limits around the trust value of 9.4%" in text
    assert "Oak: 31.9% of 210, outside the 99.8% limits (above)." in text
    assert "Pine: 0.0% of 47, outside the 95% limits (below)." in text
    assert "Ash: 8.9% of 224, within the limits." in text
    assert all(f"{ward}:" in text for ward in WARDS)


def test_a_difference_measure_cannot_be_funnelled(make_results, ward_rows):
    table = make_results(ward_rows(measure="wres_9"))
    with pytest.raises(InvalidArgumentError, match="proportions or rates; measure 'wres_9'"):
        funnel_plot(table, measure="wres_9")


def test_draws_into_the_given_axes(wards, new_axes):
    given_axes = new_axes()
    assert funnel_plot(wards, measure="restrictive_practice_people", ax=given_axes) is given_axes


def test_percentage_axis_stays_within_zero_to_one_hundred(wards):
    ax = funnel_plot(wards, measure="restrictive_practice_people")
    bottom, top = ax.get_ylim()
    assert -5 < bottom < 0  # a small margin below 0% so that a 0% ward is visible
    assert top <= 105
    assert isinstance(ax, Axes)


def test_a_given_target_is_named_as_such(wards, artists):
    ax = funnel_plot(wards, measure="restrictive_practice_people", target=12.0)
    (target,) = artists(ax, "target")
    assert target.get_label() == "Target (12.0%)"
    text = describe_funnel_plot(wards, measure="restrictive_practice_people", target=12.0)
    assert "around the target of 12.0%" in text


def test_the_x_axis_says_what_the_denominator_counts(make_results, ward_rows, wards):
    proportion = funnel_plot(wards, measure="restrictive_practice_people")
    assert proportion.get_xlabel() == "Number of inpatients"
    rates = make_results(ward_rows(measure="restrictive_practice_rate", multiplier=1000.0))
    rate = funnel_plot(rates, measure="restrictive_practice_rate")
    assert rate.get_xlabel() == "Occupied bed days"


@pytest.mark.parametrize("levels", ["0.95", (), ("high",)])
def test_levels_must_be_fractions(wards, levels):
    with pytest.raises(InvalidTypeError, match="levels must be a sequence of fractions"):
        funnel_plot(wards, measure="restrictive_practice_people", levels=levels)
