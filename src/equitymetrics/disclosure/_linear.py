"""Feasibility of small linear systems with non-negative variables (simplex phase one).

The disclosure audit asks questions such as "could this suppressed count be one more than it
is, given every published count and every total?". Each question is whether a system
``A z = b`` has a solution with ``z >= 0``. The systems are small (one variable per
suppressed cell of one linked set of tables), so a dense tableau is fast enough.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "closest_point", "feasible_point"]

FloatArray = npt.NDArray[np.float64]

_TOLERANCE = 1e-9
_STALL_LIMIT = 50


def feasible_point(matrix: FloatArray, rhs: FloatArray) -> FloatArray | None:
    """A point ``z >= 0`` with ``matrix @ z == rhs``, or None if there is none.

    Equations with a single unknown left are settled first, repeatedly (a presolve). The
    rest goes to phase one of the simplex method (Dantzig 1963): one artificial variable per
    equation, minimise their sum. Pivots follow Dantzig's most-negative-cost rule, switching
    to Bland's smallest-index rule (which cannot cycle) after a run of pivots that do not
    improve the objective. The system is feasible exactly when the minimum is zero.

    Parameters
    ----------
    matrix : numpy.ndarray
        ``(m, n)`` coefficients.
    rhs : numpy.ndarray
        ``(m,)`` right-hand side.

    Returns
    -------
    numpy.ndarray or None
        A feasible ``(n,)`` point (a vertex), or None when the system has no non-negative
        solution. If the pivoting does not finish within a generous limit the answer is
        None, which callers treat as "no other value is possible" (the cautious reading).

    Notes
    -----
    Checked against :func:`scipy.optimize.linprog` (HiGHS) on random systems in the tests.

    References
    ----------
    Dantzig GB. Linear programming and extensions. Princeton University Press; 1963.
    Bland RG. New finite pivoting rules for the simplex method. Math Oper Res 1977;2:103-107.
    """
    original = np.asarray(matrix, dtype=np.float64)
    wanted = np.asarray(rhs, dtype=np.float64)
    scale = max(
        1.0, float(np.abs(wanted).max(initial=0.0)), float(np.abs(original).max(initial=0.0))
    )
    reduced = _presolve(original, wanted, _TOLERANCE * scale)
    if reduced is None:
        return None
    fixed, kept_rows, kept_columns = reduced
    solution = fixed.copy()
    if kept_rows.any():
        tolerance = _TOLERANCE * scale
        found = _phase_one(
            original[np.ix_(kept_rows, kept_columns)],
            wanted[kept_rows] - original[np.ix_(kept_rows, ~kept_columns)] @ fixed[~kept_columns],
            tolerance,
        )
        if found is None or found[1].sum() > tolerance * max(1, int(kept_rows.sum())):
            return None
        solution[kept_columns] = found[0]
    solution = np.clip(solution, 0.0, None)
    if not np.allclose(original @ solution, wanted, atol=1e-6 * scale):
        return None
    return solution


def closest_point(
    matrix: FloatArray, rhs: FloatArray, soft: npt.NDArray[np.bool_]
) -> FloatArray | None:
    """A point ``z >= 0`` meeting every equation not marked ``soft``, and the soft ones as
    nearly as it can (their total shortfall is minimised), or None.

    The soft equations carry weight 1 and the others a weight large enough to come first, in
    one weighted phase one; None if the others are not all met (or the pivoting fails).
    """
    original = np.asarray(matrix, dtype=np.float64)
    wanted = np.asarray(rhs, dtype=np.float64)
    if original.shape[0] == 0:
        return np.zeros(original.shape[1])
    scale = max(1.0, float(np.abs(wanted).max()), float(np.abs(original).max(initial=0.0)))
    weights = np.where(soft, 1.0, 1000.0 * (1.0 + float(soft.sum())))
    found = _phase_one(original, wanted, _TOLERANCE * scale, weights, soft)
    if found is None:
        return None
    point = np.clip(found[0], 0.0, None)
    hard = ~soft
    if not np.allclose(original[hard] @ point, wanted[hard], atol=1e-6 * scale):
        return None
    return point


def _presolve(
    matrix: FloatArray, rhs: FloatArray, tolerance: float
) -> tuple[FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]] | None:
    """Settle every equation with a single variable left, repeatedly (or None: infeasible).

    Returns the settled values (zero elsewhere) and the equations and variables left over.
    """
    rows, columns = matrix.shape
    values = np.zeros(columns)
    targets = rhs.copy()
    open_rows = np.ones(rows, dtype=bool)
    open_columns = np.ones(columns, dtype=bool)
    nonzero = matrix != 0
    while True:
        counts = (nonzero[:, open_columns]).sum(axis=1)
        empty = open_rows & (counts == 0)
        if (np.abs(targets[empty]) > tolerance).any():
            return None
        open_rows &= ~empty
        single = np.flatnonzero(open_rows & (counts == 1))
        if single.size == 0:
            return values, open_rows, open_columns
        # Each equation's one open variable; an equation whose variable an earlier one
        # settles in this pass is left open, and checked as an empty equation next pass.
        columns_of = (nonzero[single] & open_columns).argmax(axis=1)
        settled, first = np.unique(columns_of, return_index=True)
        rows_of = single[first]
        found = targets[rows_of] / matrix[rows_of, settled]
        if (found < -tolerance).any():
            return None
        found = np.maximum(found, 0.0)
        values[settled] = found
        targets -= matrix[:, settled] @ found
        open_columns[settled] = False
        open_rows[rows_of] = False


def _phase_one(
    matrix: FloatArray,
    rhs: FloatArray,
    tolerance: float,
    weights: FloatArray | None = None,
    soft: npt.NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, FloatArray] | None:
    """Phase one of the simplex method: minimise the weighted sum of artificial variables.

    Returns a vertex (the original variables) and each equation's remaining artificial value
    (zero where the equation is met), or None if the pivoting did not finish.

    An artificial variable that leaves the basis is dropped (it is zero in every solution of
    the equations, so the minimum is unchanged), except those of the ``soft`` equations,
    whose shortfall may be needed again; the tableau keeps columns only for those.
    """
    rows, columns = matrix.shape
    weight = np.ones(rows) if weights is None else np.asarray(weights, dtype=np.float64)
    coefficients = np.array(matrix, dtype=np.float64)
    targets = np.array(rhs, dtype=np.float64)
    negative = targets < 0
    coefficients[negative] *= -1.0
    targets[negative] *= -1.0

    kept = np.flatnonzero(soft) if soft is not None else np.zeros(0, dtype=np.int64)
    width = columns + kept.size
    tableau = np.zeros((rows + 1, width + 1))
    tableau[:rows, :columns] = coefficients
    tableau[kept, columns + np.arange(kept.size)] = 1.0
    tableau[:rows, width] = targets
    tableau[rows, :columns] = -(weight @ coefficients)
    tableau[rows, width] = -(weight @ targets)
    # Variables are numbered: artificials without a column first (negative, so that Bland's
    # rule lets them leave first), then the original columns, then the kept artificials.
    basis = np.arange(rows, dtype=np.int64) - rows
    basis[kept] = columns + np.arange(kept.size)

    best_objective = tableau[rows, width]
    stalled = 0
    ratios = np.empty(rows)
    values = tableau[:rows, width]
    costs = tableau[rows, :width]
    for _ in range(50 * (columns + rows + 1)):
        if stalled < _STALL_LIMIT:  # Dantzig's rule: most negative reduced cost
            entering = int(costs.argmin())
            if costs[entering] >= -tolerance:
                break
        else:  # Bland's rule after a run of degenerate pivots, so that it cannot cycle
            negative_costs = np.flatnonzero(costs < -tolerance)
            if negative_costs.size == 0:
                break
            entering = int(negative_costs[0])
        column = tableau[:rows, entering]
        positive = column > tolerance
        if not positive.any():  # cannot happen in phase one: the objective is bounded below
            return None
        ratios.fill(np.inf)
        np.divide(values, column, out=ratios, where=positive)
        tied = np.flatnonzero(ratios <= ratios.min() + tolerance)
        leaving = int(tied[basis[tied].argmin()]) if tied.size > 1 else int(tied[0])
        pivot_row = tableau[leaving] / tableau[leaving, entering]
        tableau[leaving] = pivot_row
        factors = tableau[:, entering].copy()
        factors[leaving] = 0.0
        touched = np.flatnonzero(factors)
        tableau[touched] -= factors[touched, None] * pivot_row
        basis[leaving] = entering
        if tableau[rows, width] > best_objective + tolerance:
            best_objective = tableau[rows, width]
            stalled = 0
        else:
            stalled += 1
    else:
        return None

    point = np.zeros(width)
    inside = basis >= 0
    point[basis[inside]] = values[inside]
    artificial = np.zeros(rows)
    artificial[basis[~inside] + rows] = values[~inside]
    artificial[kept] = point[columns:]
    return point[:columns], artificial
