"""The feasibility solver behind the secondary-suppression audit, checked against scipy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from equitymetrics.disclosure._linear import feasible_point


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
