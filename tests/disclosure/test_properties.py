"""Invariants of apply_disclosure on random results tables (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics.disclosure import DisclosurePolicy, apply_disclosure, get_policy

COUNTS = ("numerator", "denominator", "excess_events")
KEPT = (
    "measure",
    "period_start",
    "period_end",
    "unit_type",
    "unit",
    "grouping",
    "group",
    "adjustment",
    "reference_group",
    "confidence_level",
    "multiplier",
    "method",
)

POLICIES = st.sampled_from(
    [
        get_policy("nhs_secondary_care"),
        get_policy("mha_annual"),
        get_policy("none"),
        DisclosurePolicy(
            name="local", description="local rule", suppress_below=10, rounding_base=10
        ),
    ]
)

small_or_not = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 26, 40, 118])


@st.composite
def results_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Wards and a trust (the sum) per measure, groups plus "All", maybe a national row."""
    groups = ["White", "Black", "Asian", "Not known"][: draw(st.integers(2, 4))]
    wards = [f"Ward {i + 1}" for i in range(draw(st.integers(1, 3)))]
    measures = ["m1", "m2"][: draw(st.integers(1, 2))]
    rows: list[dict[str, Any]] = []
    for measure in measures:
        shape = (len(wards), len(groups))
        size = shape[0] * shape[1]
        n = np.reshape(draw(st.lists(small_or_not, min_size=size, max_size=size)), shape)
        extra = np.reshape(draw(st.lists(small_or_not, min_size=size, max_size=size)), shape)
        blocks = [("ward", ward, n[i], n[i] + extra[i]) for i, ward in enumerate(wards)]
        blocks.append(("trust", "Trust", n.sum(axis=0), (n + extra).sum(axis=0)))
        if draw(st.booleans()):
            blocks.append(("national", "England", n.sum(axis=0) * 3 + 1, (n + extra).sum(axis=0)))
        for unit_type, unit, numerator, denominator in blocks:
            values = [*zip(groups, numerator, denominator, strict=True)]
            values.append(("All", numerator.sum(), denominator.sum()))
            for group, num, den in values:
                excess = draw(
                    st.one_of(st.just(np.nan), st.floats(-30, 30).map(lambda x: round(x, 1)))
                )
                rows.append(
                    {
                        "measure": measure,
                        "period_start": "2025-04-01",
                        "period_end": "2025-06-30",
                        "unit_type": unit_type,
                        "unit": unit,
                        "grouping": "broad",
                        "group": group,
                        "adjustment": "none",
                        "reference_group": "White",
                        "numerator": int(num),
                        "denominator": int(den),
                        "value": num / den * 100 if den else np.nan,
                        "lower_ci": 0.0,
                        "upper_ci": 100.0,
                        "confidence_level": 0.95,
                        "multiplier": 100.0,
                        "method": "wilson",
                        "ratio": 1.0,
                        "ratio_lower_ci": 0.5,
                        "ratio_upper_ci": 2.0,
                        "excess_events": excess,
                        "note": "",
                        "suppressed": False,
                    }
                )
    frame = pd.DataFrame(rows)
    order = draw(st.permutations(range(len(frame))))
    return frame.iloc[list(order)].set_index(pd.Index([f"r{i}" for i in order]))


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column].astype(object), errors="coerce").to_numpy(dtype=float)


@settings(max_examples=25)
@given(frame=results_tables(), policy=POLICIES)
def test_published_counts_obey_the_policy(frame: pd.DataFrame, policy: DisclosurePolicy) -> None:
    published = apply_disclosure(frame, policy, unit_parents={})
    controlled = ~frame["unit_type"].isin(policy.exempt_unit_types).to_numpy()
    for column in COUNTS:
        shown = _floats(published, column)[controlled]
        shown = shown[~np.isnan(shown)]
        # no published count in the suppressed range ...
        assert not ((np.abs(shown) > 0) & (np.abs(shown) < policy.suppress_below)).any()
        if not policy.show_zero:
            assert not (shown == 0).any()
        # ... and every published count is a multiple of the rounding base (1: no rounding)
        if policy.rounding_base > 1:
            assert (np.mod(shown, policy.rounding_base) == 0).all()
        # exempt rows are published exactly
        exact = _floats(frame, column)[~controlled]
        assert np.array_equal(_floats(published, column)[~controlled], exact, equal_nan=True)
    if policy.show_zero:
        for column in ("numerator", "denominator"):
            zero = _floats(frame, column) == 0
            assert (_floats(published, column)[zero] == 0).all()


@settings(max_examples=25)
@given(frame=results_tables(), policy=POLICIES)
def test_rows_order_and_other_columns_are_kept(
    frame: pd.DataFrame, policy: DisclosurePolicy
) -> None:
    before = frame.copy(deep=True)
    published = apply_disclosure(frame, policy, unit_parents={})
    pd.testing.assert_frame_equal(frame, before)  # the input is never changed
    assert published.index.equals(frame.index)
    pd.testing.assert_frame_equal(published[list(KEPT)], frame[list(KEPT)])
    # a row whose counts were withheld is flagged, and its statistics are withheld too
    for column in ("numerator", "denominator"):
        hidden = published[column].isna().to_numpy()
        assert published["suppressed"].to_numpy()[hidden].all()
        assert published["value"].isna().to_numpy()[hidden].all()
    # a row that is not flagged publishes every statistic unchanged
    clear = ~published["suppressed"].to_numpy()
    for column in ("value", "lower_ci", "upper_ci", "ratio", "ratio_lower_ci", "ratio_upper_ci"):
        assert np.array_equal(
            published[column].to_numpy()[clear], frame[column].to_numpy()[clear], equal_nan=True
        )


@settings(max_examples=25)
@given(frame=results_tables(), policy=POLICIES)
def test_applying_twice_equals_applying_once(frame: pd.DataFrame, policy: DisclosurePolicy) -> None:
    once = apply_disclosure(frame, policy, unit_parents={})
    twice = apply_disclosure(once, policy, unit_parents={})
    pd.testing.assert_frame_equal(once, twice)


@settings(max_examples=25)
@given(frame=results_tables())
def test_results_do_not_depend_on_row_order(frame: pd.DataFrame) -> None:
    # Ties between equally cheap cells are broken by table key and group, never by position.
    published = apply_disclosure(frame, "nhs_secondary_care", unit_parents={})
    reordered = apply_disclosure(frame.iloc[::-1], "nhs_secondary_care", unit_parents={})
    pd.testing.assert_frame_equal(reordered.loc[frame.index], published)
