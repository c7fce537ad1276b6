"""Bar chart by group and recording completeness chart by unit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError
from equitymetrics.plots import (
    OKABE_ITO,
    bar_chart,
    completeness_chart,
    describe_bar_chart,
    describe_completeness_chart,
)

NAN = math.nan
Z95 = 1.959963984540054  # standard normal quantile at 0.975


def wilson_percent(events: float, total: float) -> tuple[float, float]:
    """Wilson score interval by hand: (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / 2(n + z^2)."""
    z2 = Z95**2
    spread = Z95 * math.sqrt(z2 + 4 * events * (1 - events / total))
    lower = (2 * events + z2 - spread) / (2 * (total + z2))
    upper = (2 * events + z2 + spread) / (2 * (total + z2))
    return lower * 100, upper * 100


GROUPS = {  # group -> (events, people, small numbers)
    "White": (120, 1500, False),
    "Asian": (30, 300, False),
    "Black": (60, 400, False),
    "Mixed": (6, 90, True),
    "Not stated": (4, 80, True),
    "All": (220, 2370, False),
}


@pytest.fixture
def by_group(make_row, make_results):
    def make(groups=GROUPS, **fields):
        rows = []
        for order, (group, (events, people, small)) in enumerate(groups.items()):
            lower, upper = wilson_percent(events, people)
            rows.append(
                make_row(
                    group=group,
                    numerator=events,
                    denominator=people,
                    value=events / people * 100,
                    lower_ci=lower,
                    upper_ci=upper,
                    small_numbers=small,
                    group_order=order,
                    **fields,
                )
            )
        return make_results(rows)

    return make


def bars_of(ax):
    return [patch for patch in ax.patches if patch.get_gid() == "bar"]


def test_one_bar_per_group_as_long_as_its_value(by_group):
    ax = bar_chart(by_group(), measure="restrictive_practice_people")
    widths = [bar.get_width() for bar in bars_of(ax)]
    expected = [events / people * 100 for events, people, _ in GROUPS.values()]
    np.testing.assert_allclose(widths, expected, rtol=1e-12)


def test_whiskers_span_the_wilson_interval(by_group, artists):
    ax = bar_chart(by_group(), measure="restrictive_practice_people")
    (whiskers,) = artists(ax, "intervals", "collections")
    spans = [(segment[0][0], segment[1][0]) for segment in whiskers.get_segments()]
    expected = [wilson_percent(events, people) for events, people, _ in GROUPS.values()]
    np.testing.assert_allclose(spans, expected, rtol=1e-12)
    # the published Wilson example 65 of 100 (UKHSA test data), as a check on the helper
    assert wilson_percent(65, 100)[0] == pytest.approx(55.254443296887967, rel=1e-12)


def test_reference_group_is_highlighted(by_group):
    ax = bar_chart(by_group(), measure="restrictive_practice_people")
    colours = [to_hex(bar.get_facecolor()) for bar in bars_of(ax)]
    blue, light, grey = (OKABE_ITO[name].lower() for name in ("blue", "sky blue", "grey"))
    assert colours == [blue, light, light, light, light, grey]
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "White (reference)"


def test_small_numbers_are_hatched_and_annotated(by_group, artists):
    ax = bar_chart(by_group(), measure="restrictive_practice_people")
    hatched = [bool(bar.get_hatch()) for bar in bars_of(ax)]
    assert hatched == [small for _, _, small in GROUPS.values()]
    labels = [text.get_text() for text in artists(ax, "value-label", "texts")]
    assert labels[3] == "6.7% (small numbers)"  # 6 / 90
    assert labels[0] == "8.0%"  # 120 / 1500


def test_a_suppressed_value_has_no_bar_and_says_so(by_group, artists):
    table = by_group()
    withheld = table["group"] == "Mixed"
    table.loc[withheld, ["numerator", "value", "lower_ci", "upper_ci"]] = NAN
    table.loc[withheld, "suppressed"] = True
    ax = bar_chart(table, measure="restrictive_practice_people")
    assert len(bars_of(ax)) == len(GROUPS) - 1
    labels = [text.get_text() for text in artists(ax, "value-label", "texts")]
    assert labels[3] == "suppressed"
    assert "Mixed: suppressed." in describe_bar_chart(table, measure="restrictive_practice_people")


def test_alt_text_lists_every_group_with_its_interval(by_group):
    text = describe_bar_chart(by_group(), measure="restrictive_practice_people")
    for group in GROUPS:
        assert f"{group}" in text
    low, high = wilson_percent(60, 400)
    assert f"Black: 15.0% (95% CI {low:.1f}% to {high:.1f}%)." in text
    assert "White (reference): 8.0%" in text
    assert "Mixed: 6.7%" in text
    assert text.count("Small numbers: interpret with caution.") == 2


def test_draws_into_the_given_axes(by_group, new_axes):
    given_axes = new_axes()
    result = bar_chart(by_group(), measure="restrictive_practice_people", ax=given_axes)
    assert result is given_axes


def test_several_units_must_be_chosen(by_group):
    table = by_group()
    combined = pd.concat([table, table.assign(unit="Oak", unit_type="ward")])
    with pytest.raises(InvalidArgumentError, match="one unit_type at a time"):
        bar_chart(combined, measure="restrictive_practice_people")


# ---- completeness -----------------------------------------------------------------------

UNITS = {  # (unit type, unit) -> (records with a stated ethnicity, records), in table order
    ("trust", "Example Partnership NHS Foundation Trust"): (2300, 2480),
    ("ward", "Ash"): (285, 300),
    ("ward", "Elm"): (90, 100),
    ("ward", "Oak"): (170, 200),
}


@pytest.fixture
def recording(make_row, make_results):
    def make(tables=("patients",)):
        rows = []
        for table in tables:
            for (unit_type, unit), (stated, records) in UNITS.items():
                lower, upper = wilson_percent(stated, records)
                rows.append(
                    make_row(
                        measure="ethnicity_recording",
                        grouping="recording",
                        group=table,
                        unit_type=unit_type,
                        unit=unit,
                        numerator=stated,
                        denominator=records,
                        value=stated / records * 100,
                        lower_ci=lower,
                        upper_ci=upper,
                        reference_group="",
                    )
                )
        return make_results(rows)

    return make


def test_completeness_bars_coloured_against_the_target(recording, artists):
    ax = completeness_chart(recording(), target=90)
    bars = bars_of(ax)
    # by hand: 92.7%, 95.0%, 90.0% and 85.0%; 90.0% meets a 90% target
    values = [stated / records * 100 for stated, records in UNITS.values()]
    np.testing.assert_allclose([bar.get_width() for bar in bars], values, rtol=1e-12)
    below = [value < 90 for value in values]
    colours = [to_hex(bar.get_facecolor()) for bar in bars]
    expected = [OKABE_ITO["orange" if flag else "blue"].lower() for flag in below]
    assert colours == expected
    assert [bool(bar.get_hatch()) for bar in bars] == below
    (target,) = artists(ax, "target")
    assert list(target.get_xdata()) == [90.0, 90.0]


def test_the_trust_comes_first(recording):
    table = recording()
    ax = completeness_chart(table.iloc[::-1])  # the trust row last in the table
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0].replace("\n", " ") == "Example Partnership NHS Foundation Trust (trust)"
    assert labels[1:] == ["Oak", "Elm", "Ash"]  # the other units keep the table's order


def test_no_target_line_when_target_is_none(recording, artists):
    ax = completeness_chart(recording(), target=None)
    assert artists(ax, "target") == []
    assert {to_hex(bar.get_facecolor()) for bar in bars_of(ax)} == {OKABE_ITO["blue"].lower()}


def test_alt_text_says_which_units_meet_the_target(recording):
    text = describe_completeness_chart(recording(), target=90)
    assert "against a target of 90.0%" in text
    low, high = wilson_percent(170, 200)
    assert f"Oak: 85.0% (95% CI {low:.1f}% to {high:.1f}%), below the target." in text
    assert "Elm: 90.0%" in text
    assert "meets the target" in text.split("Elm:")[1]
    assert all(f"{unit}" in text for _, unit in UNITS)


def test_several_tables_need_a_choice(recording):
    table = recording(tables=("patients", "inpatients"))
    with pytest.raises(InvalidArgumentError, match=r"one group at a time.*'inpatients'"):
        completeness_chart(table)
    text = describe_completeness_chart(table, group="inpatients")
    assert "Table: inpatients" in text


@pytest.mark.parametrize("target", [-1, 100.5, math.inf])
def test_target_must_be_on_the_percentage_scale(recording, target):
    with pytest.raises(InvalidArgumentError, match="target must be between 0 and 100"):
        completeness_chart(recording(), target=target)


def test_target_must_be_a_number(recording):
    with pytest.raises(InvalidTypeError, match="target must be a number"):
        completeness_chart(recording(), target="90")


def test_completeness_draws_into_the_given_axes(recording, new_axes):
    given_axes = new_axes()
    assert completeness_chart(recording(), ax=given_axes) is given_axes
