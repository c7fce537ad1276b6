"""An adversary tries to recover every suppressed count from the published table.

Hypothesis draws random counts for a few wards and ethnic groups, and sometimes for two to four
quarters together with the longer period they make up (the half-year, three quarters or the
financial year). The test builds the results table as a measure would (numerator,
denominator, rate per 100 with a simple Wald interval, rate ratio to the White reference group
with a log interval, excess events, an "All" row per table, division and trust rows that are
the sums of their wards, and long-period rows that are the sums of the quarters, or at most
the sums when some people are counted in two quarters), applies each policy, and then plays a
reader of the published table who also knows every *published* count exactly (the worst
case: rates computed from unrounded values often reveal them). For every suppressed count the
reader gathers candidate values from

* the row itself: rate x denominator, the interval, ratio x reference rate x denominator,
  excess events + expected events;
* sums: the "All" row minus the published groups, the trust row minus the published wards,
  the year minus the published quarters (when the year is their exact sum);
* all sums at once: the smallest and largest value the suppressed count can take given every
  published count and every sum, including the period sums (as equations, or as "the year is
  at most the sum of the quarters" when people may be counted twice); linear programs solved
  with scipy's HiGHS, an implementation independent of the library's own audit. The sums of
  a two-way table with its margins form a network matrix, which is totally unimodular, so
  these limits are whole numbers and equal the limits over whole-number solutions; with more
  sums they are still limits that every whole-number solution respects.

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


QUARTERS = (
    ("2024-04-01", "2024-06-30"),
    ("2024-07-01", "2024-09-30"),
    ("2024-10-01", "2024-12-31"),
    ("2025-01-01", "2025-03-31"),
)
"""The quarters of the financial year 2024-25; the first k of them tile 2024-04-01 to the end
of the k-th."""
ONE_QUARTER = ("2025-04-01", "2025-06-30")

Period = tuple[str, str]
Lines = list[tuple[list[int], int, bool]]


def _row(
    unit_type: str, unit: str, group: str, n: int, d: int, period: Period = ONE_QUARTER
) -> dict[str, object]:
    value = n / d * MULTIPLIER if d else math.nan
    half = Z * math.sqrt(n * (d - n) / d) / d * MULTIPLIER if d else math.nan
    return {
        "measure": "restrictive_practice_people",
        "period_start": period[0],
        "period_end": period[1],
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
    numerators: np.ndarray,
    extra: np.ndarray,
    groups: tuple[str, ...],
    divisions: int = 0,
    period: Period = ONE_QUARTER,
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
            _row(unit_type, unit, group, int(n), int(d), period)
            for group, n, d in zip(groups, n_row, d_row, strict=True)
        ]
        table.append(_row(unit_type, unit, "All", int(n_row.sum()), int(d_row.sum()), period))
        _add_comparisons(table)
        rows.extend(table)
    return pd.DataFrame(rows), parents


def build_periods(
    numerators: np.ndarray,
    extra: np.ndarray,
    groups: tuple[str, ...],
    divisions: int = 0,
    overlap: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[str, str]], Period]:
    """Tables for k quarters (``numerators[q]`` is wards x groups) and the period they tile.

    The long period's ward counts are the sums of the quarters less ``overlap`` (people counted
    in two quarters; the same people are in the denominators); its division, trust and "All"
    rows are sums as in every period. Returns the table, the ward -> division mapping and the
    long period.
    """
    quarters = QUARTERS[: numerators.shape[0]]
    long_period = (quarters[0][0], quarters[-1][1])
    counted_twice = np.zeros(numerators.shape[1:], dtype=int) if overlap is None else overlap
    frames = []
    parents: dict[tuple[str, str], tuple[str, str]] = {}
    for quarter, n, e in zip(quarters, numerators, extra, strict=True):
        frame, parents = build_results(n, e, groups, divisions, quarter)
        frames.append(frame)
    year, _ = build_results(
        numerators.sum(axis=0) - counted_twice, extra.sum(axis=0), groups, divisions, long_period
    )
    frames.append(year)
    return pd.concat(frames, ignore_index=True), parents, long_period


def _lines(
    table: pd.DataFrame,
    parents: dict[tuple[str, str], tuple[str, str]],
    long_period: Period | None = None,
    exact_periods: bool = True,
) -> Lines:
    """(parts, total, exact) for every sum: groups to "All" in each unit and period; per group
    and period, wards to the trust, divisions to the trust, and each division's wards to the
    division; per unit and group, the quarters to the long period (exact only if
    ``exact_periods``: otherwise the long period is at most their sum)."""
    lines: Lines = []
    for _, rows in table.groupby(["unit", "period_start", "period_end"], sort=False):
        parts = [int(i) for i in rows.index[rows["group"] != "All"]]
        lines.append((parts, int(rows.index[rows["group"] == "All"][0]), True))
    for _, rows in table.groupby(["group", "period_start", "period_end"], sort=False):
        position = {
            (t, u): int(i)
            for i, t, u in zip(rows.index, rows["unit_type"], rows["unit"], strict=True)
        }
        trust = position[("trust", "Trust")]
        for unit_type in ("ward", "division"):
            parts = [i for (t, _), i in position.items() if t == unit_type]
            if parts:
                lines.append((parts, trust, True))
        for parent in sorted(set(parents.values())):
            children = [position[child] for child, p in parents.items() if p == parent]
            lines.append((children, position[parent], True))
    if long_period is not None:
        is_long = (table["period_start"] == long_period[0]) & (
            table["period_end"] == long_period[1]
        )
        for _, rows in table.groupby(["unit", "group"], sort=False):
            long_rows = rows.index[is_long[rows.index]]
            quarters = [int(i) for i in rows.index[~is_long[rows.index]]]
            lines.append((quarters, int(long_rows[0]), exact_periods))
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
        long_period: Period | None = None,
        exact_periods: bool = True,
    ) -> None:
        self.lower_bound = lower_bound
        self.rounding_base = rounding_base
        self.groups = published["group"].tolist()
        self.tables = list(
            zip(published["unit"], published["period_start"], published["period_end"], strict=True)
        )
        self.lines = _lines(published, parents or {}, long_period, exact_periods)
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
            table: i
            for i, (table, group) in enumerate(zip(self.tables, self.groups, strict=True))
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
    reference = k.reference[k.tables[row]]
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
    same = [i for i, table in enumerate(k.tables) if table == k.tables[row] and i != row]
    for other in same:
        ratio, value = k.shown("ratio", other), k.shown("value", other)
        if ratio and value is not None and d_ref is not None:
            return {round(value / ratio / MULTIPLIER * d_ref)}
    return None


def attack_differences(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Total minus the published parts, when this is the only suppressed cell of an exact sum
    (the year minus the published quarters, the trust minus the published wards, ...)."""
    for parts, total, exact in k.lines:
        members = [*parts, total]
        if not exact or row not in members:
            continue
        hidden = [m for m in members if k.known(column, m) is None]
        if hidden == [row]:
            known_parts = sum(k.known(column, p) or 0.0 for p in parts if p != row)
            if row == total:
                return {round(known_parts)}
            return {round(float(k.known(column, total) or 0.0) - known_parts)}
    return None


def attack_all_sums(k: Knowledge, row: int, column: str) -> set[int] | None:
    """Every whole-number value the cell can take given all sums (linear programming).

    An exact sum is an equation ``parts - total == 0``; a long period whose people may be
    counted in two quarters gives ``total - parts <= 0``.
    """
    hidden = [i for i in range(len(k.groups)) if k.known(column, i) is None]
    position = {cell: j for j, cell in enumerate(hidden)}
    rows: dict[bool, tuple[list[np.ndarray], list[float]]] = {True: ([], []), False: ([], [])}
    for parts, total, exact in k.lines:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for member, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if member in position:
                coefficients[position[member]] += sign
            else:
                constant -= sign * float(k.known(column, member) or 0.0)
        if coefficients.any():
            rows[exact][0].append(coefficients if exact else -coefficients)
            rows[exact][1].append(constant if exact else -constant)
    if not rows[True][0] and not rows[False][0]:
        return None
    system = {
        name: (np.array(matrix), np.array(rhs)) if matrix else (None, None)
        for name, (matrix, rhs) in (("eq", rows[True]), ("ub", rows[False]))
    }
    limits = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[position[row]] = sign
        found = linprog(
            objective,
            A_ub=system["ub"][0],
            b_ub=system["ub"][1],
            A_eq=system["eq"][0],
            b_eq=system["eq"][1],
            bounds=(k.lower_bound, None),
            method="highs",
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
    long_period: Period | None = None,
    exact_periods: bool = True,
) -> list[str]:
    """Every suppressed count that the attacks pin down to one value."""
    knowledge = Knowledge(
        published, exact, lower_bound, rounding_base, parents, long_period, exact_periods
    )
    found = []
    for column in ("numerator", "denominator"):
        for row in np.flatnonzero(published[column].isna().to_numpy()):
            candidates = recover(knowledge, int(row), column)
            truth = int(exact[column].iloc[row])
            assert candidates is None or truth in candidates  # the attacks are sound
            if candidates is not None and len(candidates) == 1:
                place = f"{exact['unit'].iloc[row]}, {exact['group'].iloc[row]}"
                if long_period is not None:
                    place += f", {exact['period_start'].iloc[row]}/{exact['period_end'].iloc[row]}"
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


PeriodDraw = tuple[np.ndarray, np.ndarray, int, int, np.ndarray | None]


@st.composite
def quarter_counts(draw: st.DrawFn) -> PeriodDraw:
    """Numerators (quarters x wards x groups), extra denominators, groups, divisions, and the
    people counted in two quarters (wards x groups; None when the long period is their exact
    sum)."""
    quarters = draw(st.integers(min_value=2, max_value=4))
    wards = draw(st.integers(min_value=2, max_value=3))
    groups = draw(st.integers(min_value=2, max_value=3))
    divisions = draw(st.sampled_from([0, 2])) if wards == 3 else 0
    shape = (quarters, wards, groups)
    cells = quarters * wards * groups
    small_or_not = st.sampled_from([0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 25])
    numerators = np.reshape(draw(st.lists(small_or_not, min_size=cells, max_size=cells)), shape)
    extra = np.reshape(draw(st.lists(st.integers(0, 30), min_size=cells, max_size=cells)), shape)
    overlap = None
    if draw(st.booleans()):
        wanted = draw(st.lists(st.integers(0, 3), min_size=wards * groups, max_size=wards * groups))
        room = numerators.sum(axis=0) - numerators.max(axis=0)  # the year holds every quarter
        overlap = np.minimum(np.reshape(wanted, shape[1:]), room)
    return numerators, extra, groups, divisions, overlap


@pytest.mark.parametrize("policy_name", ["nhs_secondary_care", "mha_annual"])
@settings(max_examples=10)
@given(drawn=quarter_counts())
def test_no_suppressed_count_can_be_recovered_across_periods(
    policy_name: str, drawn: PeriodDraw
) -> None:
    numerators, extra, groups, divisions, overlap = drawn
    exact, parents, long_period = build_periods(
        numerators, extra, GROUPS[:groups], divisions, overlap
    )
    policy = get_policy(policy_name)
    published = apply_disclosure(exact, policy, unit_parents=parents)
    found = _recoverable(
        published,
        exact,
        policy.lower_bound,
        policy.rounding_base,
        parents,
        long_period,
        exact_periods=overlap is None,
    )
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


def test_the_attacks_use_the_period_sums() -> None:
    """A layer that does not see that the quarters tile the year leaves a quarter's count
    recoverable as the year minus the published quarters; the layer that sees it does not."""
    numerators = np.array(
        [
            [[30, 3], [40, 20]],  # 2024-25 Q1: Ward 1 Black 3 is the only small count
            [[35, 25], [45, 30]],
            [[50, 40], [55, 35]],
            [[60, 45], [65, 50]],
        ]
    )
    extra = np.full(numerators.shape, 50)
    exact, parents, long_period = build_periods(numerators, extra, ("White", "Black"))
    policy = get_policy("nhs_secondary_care")
    # The year's rows moved by one day: the quarters no longer tile it, so no period sum.
    moved = exact.copy()
    year = (exact["period_start"] == long_period[0]) & (exact["period_end"] == long_period[1])
    moved.loc[year, "period_start"] = "2024-04-02"
    blind = apply_disclosure(moved, policy, unit_parents=parents)
    blind[["period_start", "period_end"]] = exact[["period_start", "period_end"]]
    found = _recoverable(blind, exact, 1, 5, parents, long_period)
    # Ward 1 Black in 2024-25 is 3 + 25 + 40 + 45 = 113, published; Q2-Q4 are published.
    assert "numerator of row 1 (Ward 1, Black, 2024-04-01/2024-06-30) = 3" in found
    informed = apply_disclosure(exact, policy, unit_parents=parents)
    assert _recoverable(informed, exact, 1, 5, parents, long_period) == []
