"""Secondary suppression on small tables, with the expected pattern worked out by hand.

The rule (docs/disclosure.md): a reader knows every published count exactly, every sum, and
that a suppressed count is at least 1 when zeros are shown (else 0). A suppressed count is
safe when it could be one more or one less without contradicting anything. While some
suppressed count is not safe, the cheapest set of published counts that makes it safe is
suppressed: fewest totals and reference groups, then fewest counts, then the smallest, then
the first by measure, period, unit, grouping, adjustment and group.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from equitymetrics.disclosure import apply_disclosure

NA = pd.NA


def table(
    counts: dict[tuple[str, str], dict[str, int]],
    *,
    measure: str = "restrictive_practice_people",
    grouping: str = "broad",
    adjustment: str = "none",
    reference: str = "White",
) -> pd.DataFrame:
    """Rows for {(unit_type, unit): {group: numerator}}; every denominator is 500."""
    rows: list[dict[str, Any]] = []
    for (unit_type, unit), groups in counts.items():
        for group, numerator in groups.items():
            rows.append(
                {
                    "measure": measure,
                    "period_start": "2025-04-01",
                    "period_end": "2025-06-30",
                    "unit_type": unit_type,
                    "unit": unit,
                    "grouping": grouping,
                    "adjustment": adjustment,
                    "group": group,
                    "numerator": numerator,
                    "denominator": 500,
                    "value": numerator / 5,
                    "reference_group": reference,
                    "ratio": 1.0,
                    "excess_events": 20.0,
                    "note": "",
                    "suppressed": False,
                }
            )
    return pd.DataFrame(rows)


def numerators(frame: pd.DataFrame) -> list[Any]:
    return [NA if pd.isna(v) else int(v) for v in frame["numerator"]]


def test_one_small_count_beside_a_published_total() -> None:
    # Black 3 = All 55 - White 40 - Asian 12. Suppress the cheapest other count: Asian 12 is
    # an ordinary group (White is the reference, All the total). Then Black + Asian = 15, and
    # Black could be anything from 1 to 14.
    frame = table({("ward", "Oak"): {"White": 40, "Black": 3, "Asian": 12, "All": 55}})
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [40, NA, NA, 55]
    assert published["note"].iloc[2] == (
        "numerator secondarily suppressed so that a suppressed count cannot be recovered from "
        "the totals; statistics withheld because they would reveal a suppressed count"
    )
    assert published["suppressed"].tolist() == [False, True, True, False]


def test_two_small_counts_that_can_only_be_one_each() -> None:
    # Black 1 and Asian 1 are suppressed, but Black + Asian = 41 - 30 - 9 = 2 and each is at
    # least 1 (a zero would have been shown), so both are 1. Mixed 9 is suppressed too:
    # Black + Asian + Mixed = 11 leaves Black anywhere from 1 to 9.
    frame = table({("ward", "Oak"): {"White": 30, "Black": 1, "Asian": 1, "Mixed": 9, "All": 41}})
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [30, NA, NA, NA, 40]


def test_two_small_counts_with_room_need_nothing_more() -> None:
    # Black + Asian = 35 - 30 = 5: Black could be 1, 2, 3 or 4.
    frame = table({("ward", "Oak"): {"White": 30, "Black": 2, "Asian": 3, "All": 35}})
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [30, NA, NA, 35]


def test_suppressed_zeros_that_add_up_to_zero() -> None:
    # Mental Health Act rule: 0 is under 5 and suppressed, but Black + Asian = 20 - 20 = 0
    # would show both are 0. The only other counts are White 20 and All 20 (a reference group
    # and a total, equal cost and size): "All" comes first in sort order and is suppressed.
    frame = table({("trust", "Trust"): {"White": 20, "Black": 0, "Asian": 0, "All": 20}})
    published = apply_disclosure(frame, "mha_annual")
    assert numerators(published) == [20, NA, NA, NA]


def test_a_small_ward_count_gets_a_rectangle() -> None:
    # Ward 1 Black 3 is alone in its ward (All 23) and in the Black wards (trust Black 15).
    # Cheapest companion in those sums: Ward 2 Black 12 (ordinary). Ward 1 Black is still alone
    # in Ward 1, where only White 20 and All 23 are left: White 20. Ward 1 White is then
    # alone among the White wards: Ward 2 White 30 closes the rectangle
    #     Ward 1: White 20 Black 3 | Ward 2: White 30 Black 12
    # in which +1, -1, -1, +1 keeps every total, so no cell is pinned down.
    frame = table(
        {
            ("ward", "Ward 1"): {"White": 20, "Black": 3, "All": 23},
            ("ward", "Ward 2"): {"White": 30, "Black": 12, "All": 42},
            ("trust", "Trust"): {"White": 50, "Black": 15, "All": 65},
        }
    )
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [NA, NA, 25, NA, NA, 40, 50, 15, 65]
    # White is the reference of both ward tables, so their ratios are withheld as well.
    assert published["ratio"].isna().tolist() == [True] * 6 + [False] * 3


def test_wards_inside_divisions() -> None:
    # Oak 3 could be read as Adult 40 - Elm 37 unless the division sum is known, so Elm or
    # another Adult ward count is suppressed with it; the trust sum alone would not do that.
    frame = table(
        {
            ("ward", "Oak"): {"White": 50, "Black": 3, "All": 53},
            ("ward", "Elm"): {"White": 60, "Black": 37, "All": 97},
            ("ward", "Ash"): {"White": 70, "Black": 20, "All": 90},
            ("division", "Adult"): {"White": 110, "Black": 40, "All": 150},
            ("division", "Older"): {"White": 70, "Black": 20, "All": 90},
            ("trust", "Trust"): {"White": 180, "Black": 60, "All": 240},
        }
    )
    parents = {("ward", "Oak"): ("division", "Adult"), ("ward", "Elm"): ("division", "Adult")}
    parents[("ward", "Ash")] = ("division", "Older")
    blind = apply_disclosure(frame, "nhs_secondary_care", unit_parents={})
    informed = apply_disclosure(frame, "nhs_secondary_care", unit_parents=parents)
    elm_black = 4
    # Without the division sums the companion comes from the trust sum (Ash 20 is cheapest),
    # leaving Elm 37 published: 40 - 37 = 3.
    assert numerators(blind)[elm_black] == 35
    # With them, Oak Black is alone in Adult (40 = Oak + Elm), so Elm Black is suppressed.
    assert numerators(informed)[elm_black] is NA


def test_nested_groupings() -> None:
    # nhs16: British 40, Irish 9, African 20, Caribbean 3 (All 72); broad: White 49, Black 23.
    # Within nhs16 alone the cheapest companion of Caribbean is Irish 9 (British is the
    # reference group), but Black 23 - African 20 would still give Caribbean 3. Knowing that
    # Black = African + Caribbean, Caribbean is alone in two sums: nhs16 All (72 = British +
    # Irish + African + Caribbean) and Black (23 = African + Caribbean). African 20 is the
    # only count in both, so suppressing it alone protects Caribbean: African + Caribbean = 23
    # in both sums, and Caribbean could be anything from 1 to 22 (African 22 to 1). No single
    # other count does it, so this is the cheapest set.
    nhs16 = table(
        {("trust", "Trust"): {"British": 40, "Irish": 9, "African": 20, "Caribbean": 3, "All": 72}},
        grouping="nhs16",
        reference="British",
    )
    broad = table({("trust", "Trust"): {"White": 49, "Black": 23, "All": 72}})
    frame = pd.concat([nhs16, broad], ignore_index=True)
    mapping = {"British": "White", "Irish": "White", "African": "Black", "Caribbean": "Black"}
    nested = {("nhs16", "broad"): mapping}
    blind = apply_disclosure(frame, "nhs_secondary_care", nested_groupings={})
    assert numerators(blind) == [40, NA, 20, NA, 70, 50, 25, 70]  # 23 - 20 = 3: exposed
    informed = apply_disclosure(frame, "nhs_secondary_care", nested_groupings=nested)
    assert numerators(informed) == [40, 10, NA, NA, 70, 50, 25, 70]


def test_the_same_counts_in_two_measures_are_suppressed_alike() -> None:
    # A crude and a standardised measure publish the same detentions. Each table alone would
    # pick its own companion; as one set of cells they get the same one, so neither table
    # shows what the other hides.
    counts = {("trust", "Trust"): {"White": 40, "Black": 3, "Asian": 12, "Mixed": 12, "All": 67}}
    crude = table(counts, measure="mha_detentions")
    standardised = table(
        counts,
        measure="mha_detentions_standardised",
        adjustment="age and sex (direct standardisation)",
    )
    frame = pd.concat([crude, standardised], ignore_index=True)
    published = apply_disclosure(frame, "nhs_secondary_care")
    first, second = numerators(published)[:5], numerators(published)[5:]
    assert first == second
    assert first == [40, NA, NA, 10, 65]


def test_not_known_counts_take_part_in_the_sums() -> None:
    # Black 3 and a Not known count of 10: the cheapest companion is Not known 10, an ordinary
    # row of the table even though it is never a group for ratios.
    frame = table(
        {("ward", "Oak"): {"White": 40, "Black": 3, "Asian": 12, "Not known": 10, "All": 65}}
    )
    published = apply_disclosure(frame, "nhs_secondary_care")
    assert numerators(published) == [40, NA, 10, NA, 65]
