"""An adversary tries to recover every suppressed count from the published table.

Hypothesis draws random counts for a few wards and ethnic groups. The test builds the results
table as a measure would (numerator, denominator, rate per 100 with a simple Wald interval,
rate ratio to the White reference group with a log interval, excess events, an "All" row per
table and a trust row that is the sum of the wards), applies each policy, and then plays a
reader of the published table who also knows every *published* count exactly (the worst
case: rates computed from unrounded values often reveal them). For every suppressed count the
reader gathers candidate values from

* the row itself: rate x denominator, the interval, ratio x reference rate x denominator,
  excess events + expected events;
* sums: the "All" row minus the published groups, the trust row minus the published wards;
* all sums at once: the smallest and largest value the suppressed count can take given every
  published count and every sum (linear programs solved with scipy's HiGHS, an implementation
  independent of the library's own audit). The sums of a two-way table with its margins form a
  network matrix, which is totally unimodular, so these limits are whole numbers and equal the
  limits over whole-number solutions.

The attack succeeds if the candidates narrow to one value. It must fail for every suppressed
count under every policy except ``none`` (which suppresses nothing).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from equitymetrics.disclosure import apply_disclosure, get_policy

GROUPS = ("White", "Black", "Asian", "Mixed", "Not known")
MULTIPLIER = 100.0
Z = 1.959963984540054  # standard normal 97.5% quantile


def _row(unit_type: str, unit: str, group: str, n: int, d: int) -> dict[str, object]:
    value = n / d * MULTIPLIER if d else math.nan
    half = Z * math.sqrt(n * (d - n) / d) / d * MULTIPLIER if d else math.nan
    return {
        "measure": "restrictive_practice_people",
        "period_start": "2025-04-01",
        "period_end": "2025-06-30",
        "unit_type": unit_type,
        "unit": unit,
        "grouping": "broad",
        "group": group,
        "numerator": n,
        "denominator": d,
        "value": value,
        "lower_ci": value - half,
        "upper_ci": value + half,
        "confidence_level": 0.95,
        "multiplier": MULTIPLIER,
        "method": "wald",
        "adjustment": "none",
        "reference_group": "White",
        "note": "",
        "suppressed": False,
    }


def _add_comparisons(rows: list[dict[str, object]]) -> None:
    """Ratio to the White row of the same table (log interval) and excess events."""
    reference = rows[0]
    n_ref, d_ref = int(reference["numerator"]), int(reference["denominator"])  # type: ignore[call-overload]
    for row in rows:
        n, d = int(row["numerator"]), int(row["denominator"])  # type: ignore[call-overload]
        usable = row["group"] not in ("All", "Not known") and n > 0 and n_ref > 0
        ratio = (n / d) / (n_ref / d_ref) if usable else math.nan
        spread = Z * math.sqrt(1 / n - 1 / d + 1 / n_ref - 1 / d_ref) if usable else math.nan
        row["ratio"] = ratio
        row["ratio_lower_ci"] = ratio * math.exp(-spread) if usable else math.nan
        row["ratio_upper_ci"] = ratio * math.exp(spread) if usable else math.nan
        row["ratio_method"] = "katz"
        row["excess_events"] = (
            n - d * n_ref / d_ref if d_ref and row["group"] != "All" else math.nan
        )


def build_results(
    numerators: np.ndarray, extra: np.ndarray, groups: tuple[str, ...], divisions: int = 0
) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[str, str]]]:
    """Ward, division and trust rows (sums of the wards), an "All" row in every table.

    Ward ``i`` belongs to division ``i % divisions`` (no divisions when ``divisions`` is 0).
    Returns the table and the ward -> division mapping.
    """
    denominators = numerators + extra
    wards = numerators.shape[0]
    parents = {
        ("ward", f"Ward {i + 1}"): ("division", f"Division {i % divisions + 1}")
        for i in range(wards)
        if divisions
    }
    blocks = [(("ward", f"Ward {i + 1}"), numerators[i], denominators[i]) for i in range(wards)]
    for j in range(divisions):
        members = [i for i in range(wards) if i % divisions == j]
        blocks.append(
            (
                ("division", f"Division {j + 1}"),
                numerators[members].sum(axis=0),
                denominators[members].sum(axis=0),
            )
        )
    blocks.append((("trust", "Trust"), numerators.sum(axis=0), denominators.sum(axis=0)))
    rows: list[dict[str, object]] = []
    for (unit_type, unit), n_row, d_row in blocks:
        table = [
            _row(unit_type, unit, group, int(n), int(d))
            for group, n, d in zip(groups, n_row, d_row, strict=True)
        ]
        table.append(_row(unit_type, unit, "All", int(n_row.sum()), int(d_row.sum())))
        _add_comparisons(table)
        rows.extend(table)
    return pd.DataFrame(rows), parents


def _lines(
    table: pd.DataFrame, parents: dict[tuple[str, str], tuple[str, str]]
) -> list[tuple[list[int], int]]:
    """(parts, total) for every sum: groups to "All" in each unit; per group, wards to the
    trust, divisions to the trust, and each division's wards to the division."""
    lines = []
    for _, rows in table.groupby("unit", sort=False):
        parts = [int(i) for i in rows.index[rows["group"] != "All"]]
        lines.append((parts, int(rows.index[rows["group"] == "All"][0])))
    for _, rows in table.groupby("group", sort=False):
        position = {
            (t, u): int(i)
            for i, t, u in zip(rows.index, rows["unit_type"], rows["unit"], strict=True)
        }
        trust = position[("trust", "Trust")]
        for unit_type in ("ward", "division"):
            parts = [i for (t, _), i in position.items() if t == unit_type]
            if parts:
                lines.append((parts, trust))
        for parent in sorted(set(parents.values())):
            children = [position[child] for child, p in parents.items() if p == parent]
            lines.append((children, position[parent]))
    return lines


class Knowledge:
    """What the reader knows: published rows plus the exact value of every published count."""

    def __init__(
        self,
        published: pd.DataFrame,
        exact: pd.DataFrame,
        lower_bound: int,
        rounding_base: int,
        parents: dict[tuple[str, str], tuple[str, str]] | None = None,
    ) -> None:
        self.lower_bound = lower_bound
        self.rounding_base = rounding_base
        self.groups = published["group"].tolist()
        self.units = published["unit"].tolist()
        self.lines = _lines(published, parents or {})
        self._shown = {
            column: published[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            for column in (
                "numerator",
                "denominator",
                "value",
                "lower_ci",
                "upper_ci",
                "ratio",
                "excess_events",
            )
        }
        self._exact = {c: exact[c].to_numpy(dtype=float) for c in ("numerator", "denominator")}
        self.reference = {
            unit: i
            for i, (unit, group) in enumerate(zip(self.units, self.groups, strict=True))
            if group == "White"
        }

    def known(self, column: str, row: int) -> float | None:
        """The exact count if it is published (the worst case), else None."""
        return None if np.isnan(self._shown[column][row]) else float(self._exact[column][row])

    def shown(self, column: str, row: int) -> float | None:
        value = self._shown[column][row]
        return None if np.isnan(value) else float(value)

    def exact(self, column: str, row: int) -> float:
        """Only to check an attack that has found a formula (e.g. a published interval)."""
        return float(self._exact[column][row])


def attack_row(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Candidates from the row's own statistics (None: nothing derivable)."""
    other = "denominator" if column == "numerator" else "numerator"
    partner = k.known(other, row)
    value = k.shown("value", row)
    if column == "numerator" and value is not None and (partner is not None or value == 0):
        return {round((partner or 0.0) * value / MULTIPLIER)}
    if column == "denominator" and value and partner is not None:
        return {round(partner * MULTIPLIER / value)}
    for interval in ("lower_ci", "upper_ci"):
        if k.shown(interval, row) is not None:
            return {round(k.exact(column, row))}  # a Wald limit with d gives n
    reference = k.reference[k.units[row]]
    reference_rate = k.shown("value", reference)
    ratio = k.shown("ratio", row)
    known_rate = ratio is not None and reference_rate is not None and partner is not None
    if column == "numerator" and known_rate:
        return {round(ratio * reference_rate / MULTIPLIER * partner)}  # type: ignore[operator]
    excess = k.shown("excess_events", row)
    n_ref, d_ref = k.known("numerator", reference), k.known("denominator", reference)
    if column == "numerator" and excess is not None and partner is not None and n_ref and d_ref:
        expected = partner * n_ref / d_ref
        base = k.rounding_base
        return {
            n
            for n in range(k.lower_bound, int(partner) + 1)
            if base * math.floor(abs(n - expected) / base + 0.5) * np.sign(n - expected) == excess
        }
    return None


def attack_reference(k: Knowledge, row: int, column: str) -> set[int] | None:
    """A reference row's count from the other rows' ratios (reference rate = rate / ratio)."""
    if k.groups[row] != "White" or column != "numerator":
        return None
    d_ref = k.known("denominator", row)
    same = [i for i, unit in enumerate(k.units) if unit == k.units[row] and i != row]
    for other in same:
        ratio, value = k.shown("ratio", other), k.shown("value", other)
        if ratio and value is not None and d_ref is not None:
            return {round(value / ratio / MULTIPLIER * d_ref)}
    return None


def attack_differences(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Total minus the published parts, when this is the only suppressed cell of a sum."""
    for parts, total in k.lines:
        members = [*parts, total]
        if row not in members:
            continue
        hidden = [m for m in members if k.known(column, m) is None]
        if hidden == [row]:
            known_parts = sum(k.known(column, p) or 0.0 for p in parts if p != row)
            if row == total:
                return {round(known_parts)}
            return {round(float(k.known(column, total) or 0.0) - known_parts)}
    return None


def attack_all_sums(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Every whole-number value the cell can take given all sums (linear programming)."""
    hidden = [i for i in range(len(k.units)) if k.known(column, i) is None]
    position = {cell: j for j, cell in enumerate(hidden)}
    matrix, rhs = [], []
    for parts, total in k.lines:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for member, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if member in position:
                coefficients[position[member]] += sign
            else:
                constant -= sign * float(k.known(column, member) or 0.0)
        if coefficients.any():
            matrix.append(coefficients)
            rhs.append(constant)
    if not matrix:
        return None
    equations, targets = np.array(matrix), np.array(rhs)
    limits = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[position[row]] = sign
        found = linprog(
            objective, A_eq=equations, b_eq=targets, bounds=(k.lower_bound, None), method="highs"
        )
        if found.status == 3:  # unbounded: no upper limit (the true counts are feasible)
            return None
        assert found.status == 0, found.message
        limits.append(found.x[position[row]])
    return set(range(math.ceil(limits[0] - 1e-7), math.floor(limits[1] + 1e-7) + 1))


def recover(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Intersect every attack's candidates; None if nothing narrows the value down."""
    candidates: set[int] | None = None
    for attack in (attack_row, attack_reference, attack_differences, attack_all_sums):
        found = attack(k, row, column)
        if found is not None:
            candidates = found if candidates is None else candidates & found
    return candidates


@st.composite
def ward_counts(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Numerators (wards x groups, mostly small), extra denominators, groups, divisions."""
    wards = draw(st.integers(min_value=2, max_value=4))
    groups = draw(st.integers(min_value=2, max_value=len(GROUPS)))
    divisions = draw(st.sampled_from([0, 0, 2])) if wards >= 3 else 0
    cells = wards * groups
    small_or_not = st.sampled_from([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 25, 40])
    numerators = draw(st.lists(small_or_not, min_size=cells, max_size=cells))
    extra = draw(st.lists(st.integers(0, 60), min_size=cells, max_size=cells))
    shape = (wards, groups)
    return np.reshape(numerators, shape), np.reshape(extra, shape), groups, divisions


def _recoverable(
    published: pd.DataFrame,
    exact: pd.DataFrame,
    lower_bound: int,
    rounding_base: int,
    parents: dict[tuple[str, str], tuple[str, str]],
) -> list[str]:
    """Every suppressed count that the attacks pin down to one value."""
    knowledge = Knowledge(published, exact, lower_bound, rounding_base, parents)
    found = []
    for column in ("numerator", "denominator"):
        for row in np.flatnonzero(published[column].isna().to_numpy()):
            candidates = recover(knowledge, int(row), column)
            truth = int(exact[column].iloc[row])
            assert candidates is None or truth in candidates  # the attacks are sound
            if candidates is not None and len(candidates) == 1:
                place = f"{exact['unit'].iloc[row]}, {exact['group'].iloc[row]}"
                found.append(f"{column} of row {row} ({place}) = {truth}")
    return found


@pytest.mark.parametrize("policy_name", ["nhs_secondary_care", "mha_annual"])
@settings(max_examples=30)
@given(drawn=ward_counts())
def test_no_suppressed_count_can_be_recovered(
    policy_name: str, drawn: tuple[np.ndarray, np.ndarray, int, int]
) -> None:
    numerators, extra, groups, divisions = drawn
    exact, parents = build_results(numerators, extra, GROUPS[:groups], divisions)
    policy = get_policy(policy_name)
    published = apply_disclosure(exact, policy, unit_parents=parents)
    found = _recoverable(published, exact, policy.lower_bound, policy.rounding_base, parents)
    assert found == []


@settings(max_examples=20)
@given(drawn=ward_counts())
def test_policy_none_publishes_everything(drawn: tuple[np.ndarray, np.ndarray, int, int]) -> None:
    numerators, extra, groups, divisions = drawn
    exact, parents = build_results(numerators, extra, GROUPS[:groups], divisions)
    published = apply_disclosure(exact, "none", unit_parents=parents)
    assert not published["suppressed"].any()
    assert published["numerator"].tolist() == exact["numerator"].tolist()
    assert published["value"].equals(exact["value"])


# Ward 1 Black (3) is the only small count: 20 + 3 White/Black in Ward 1, 30 + 12 in Ward 2.
SMALL_TABLE = (np.array([[20, 3], [30, 12]]), np.array([[40, 20], [50, 30]]))


def test_the_attacks_recover_a_count_hidden_by_hand() -> None:
    """The attacks are real: a count merely blanked, with nothing else done, is recovered."""
    exact, _ = build_results(*SMALL_TABLE, ("White", "Black"))
    published = exact.copy()
    published["numerator"] = published["numerator"].astype("Int64")
    published.loc[1, "numerator"] = pd.NA
    knowledge = Knowledge(published, exact, lower_bound=1, rounding_base=5)
    assert attack_row(knowledge, 1, "numerator") == {3}  # rate 3/23 x 23
    assert attack_differences(knowledge, 1, "numerator") == {3}  # All 23 minus White 20
    assert attack_all_sums(knowledge, 1, "numerator") == {3}


def test_the_attacks_defeat_primary_suppression_alone() -> None:
    """Without secondary suppression the small count is recovered from the totals."""
    exact, _ = build_results(*SMALL_TABLE, ("White", "Black"))
    primary_only = replace(get_policy("nhs_secondary_care"), secondary_suppression=False)
    published = apply_disclosure(exact, primary_only)
    assert published["numerator"].isna().tolist() == [False, True, False] + [False] * 6
    found = _recoverable(published, exact, 1, 5, {})
    assert found == ["numerator of row 1 (Ward 1, Black) = 3"]


def test_the_attacks_use_the_division_sums() -> None:
    """Without unit_parents the ward -> division sums are unknown to the library, and the
    adversary who knows them recovers a suppressed ward count; with them it cannot."""
    numerators = np.array([[30, 3], [40, 20], [50, 30], [60, 40]])
    extra = np.full((4, 2), 50)
    exact, parents = build_results(numerators, extra, ("White", "Black"), divisions=2)
    policy = get_policy("nhs_secondary_care")
    blind = apply_disclosure(exact, policy, unit_parents={})
    assert _recoverable(blind, exact, 1, 5, parents) != []
    informed = apply_disclosure(exact, policy, unit_parents=parents)
    assert _recoverable(informed, exact, 1, 5, parents) == []
