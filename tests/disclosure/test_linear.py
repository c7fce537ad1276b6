"""The linear-programming helpers behind the secondary-suppression audit, against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from equitymetrics.disclosure._linear import closest_point, feasible_point


def test_an_empty_system_is_feasible() -> None:
    point = feasible_point(np.zeros((0, 3)), np.zeros(0))
    assert point is not None
    assert point.tolist() == [0.0, 0.0, 0.0]


def test_a_negative_total_of_non_negative_parts_is_infeasible() -> None:
    # x + y = -1 has no solution with x, y >= 0
    assert feasible_point(np.array([[1.0, 1.0]]), np.array([-1.0])) is None


def test_two_cells_that_must_both_be_zero() -> None:
    # x + y = 0 and x - y = 0 with x, y >= 0: only (0, 0)
    point = feasible_point(np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([0.0, 0.0]))
    assert point is not None
    assert point.tolist() == [0.0, 0.0]


def test_a_rectangle_can_move() -> None:
    # a + b = 5, c + d = 7, a + c = 4, b + d = 8 (one degree of freedom): feasible
    matrix = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    rhs = np.array([5.0, 7.0, 4.0, 8.0])
    point = feasible_point(matrix, rhs)
    assert point is not None
    np.testing.assert_allclose(matrix @ point, rhs, atol=1e-9)
    assert (point >= 0).all()


systems = st.integers(min_value=1, max_value=6).flatmap(
    lambda rows: st.integers(min_value=1, max_value=8).flatmap(
        lambda columns: st.tuples(
            st.lists(
                st.sampled_from([-1.0, 0.0, 0.0, 1.0]),
                min_size=rows * columns,
                max_size=rows * columns,
            ).map(lambda values: np.reshape(values, (rows, columns))),
            st.lists(st.integers(-6, 12), min_size=rows, max_size=rows).map(
                lambda values: np.array(values, dtype=float)
            ),
        )
    )
)


@settings(max_examples=150)
@given(system=systems)
def test_agrees_with_scipy_highs(system: tuple[np.ndarray, np.ndarray]) -> None:
    matrix, rhs = system
    reference = linprog(
        np.zeros(matrix.shape[1]), A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs"
    )
    point = feasible_point(matrix, rhs)
    assert (point is not None) == (reference.status == 0)
    if point is not None:
        np.testing.assert_allclose(matrix @ point, rhs, atol=1e-9)
        assert (point >= 0).all()


def test_closest_point_meets_the_hard_equations_and_as_many_wishes_as_it_can() -> None:
    # x + y = 1 must hold; the wishes x >= 1 and y >= 1 (x - s = 1, y - t = 1) cannot both
    # be met, so the shortfall is 1 and exactly one wish is met.
    matrix = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, -1.0]])
    rhs = np.array([1.0, 1.0, 1.0])
    soft = np.array([False, True, True])
    point = closest_point(matrix, rhs, soft)
    assert point is not None
    assert point[0] + point[1] == pytest.approx(1.0)
    assert sorted(np.round(point[:2], 9).tolist()) == [0.0, 1.0]


def test_closest_point_refuses_impossible_hard_equations() -> None:
    soft = np.array([False, True])
    assert closest_point(np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([-1.0, 1.0]), soft) is None


hard_and_soft = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.tuples(
        st.lists(st.sampled_from([-1.0, 0.0, 0.0, 1.0]), min_size=rows * 6, max_size=rows * 6).map(
            lambda values: np.reshape(values, (rows, 6))
        ),
        st.lists(st.integers(0, 5), min_size=6, max_size=6).map(np.array),
        st.lists(st.integers(0, 5), min_size=3, max_size=3).map(np.array),
    )
)


@settings(max_examples=80)
@given(system=hard_and_soft)
def test_closest_point_minimises_the_shortfall_like_scipy(
    system: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    hard, start, wishes = system
    rhs = hard @ start  # the hard equations have a solution: the start
    # wishes: variable j >= wish j, for the first three variables, with a surplus each
    soft_rows = np.hstack([np.eye(3), np.zeros((3, 3)), -np.eye(3)])
    matrix = np.vstack([np.hstack([hard, np.zeros((len(hard), 3))]), soft_rows])
    soft = np.array([False] * len(hard) + [True] * 3)
    point = closest_point(matrix, np.concatenate([rhs, wishes]), soft)
    assert point is not None
    np.testing.assert_allclose(hard @ point[:6], rhs, atol=1e-7)
    shortfall = np.clip(wishes - point[:3], 0.0, None).sum()
    # The same problem for HiGHS: minimise the total shortfall a >= wish - x, x >= 0.
    objective = np.concatenate([np.zeros(6), np.ones(3)])
    upper = np.hstack([-np.eye(3), np.zeros((3, 3)), -np.eye(3)])
    reference = linprog(
        objective,
        A_eq=np.hstack([hard, np.zeros((len(hard), 3))]),
        b_eq=rhs,
        A_ub=upper,
        b_ub=-wishes,
        bounds=(0, None),
        method="highs",
    )
    assert reference.status == 0
    assert shortfall == pytest.approx(reference.fun, abs=1e-7)
