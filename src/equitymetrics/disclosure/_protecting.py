"""The cheapest set of published counts whose suppression protects one suppressed count.

A suppressed count is protected when it could be one more or one less than it is (see
:mod:`~equitymetrics.disclosure._audit`). For an exposed count ``c`` this module chooses, with
one small mixed-integer program, the cheapest set of published counts near ``c`` such that,
with them suppressed, ``c`` could move by one: there is an *adjustment* ``y`` of the counts
with ``y[c] = +1`` (or ``-1``) that keeps every sum, moves only suppressed counts (those
already suppressed and those chosen), and takes no count below the lower bound. This is the
usual protection model of cell suppression (Fischetti and Salazar-Gonzalez 2001), for one cell
and one direction at a time.

The choice only makes the repair suppress less; it never decides what is safe. The audit
checks every suppressed count again afterwards, and the repair goes on while any is exposed.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from equitymetrics.disclosure._audit import SLACK, Audit

__all__ = ["protecting_set"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

_DEPTHS = (2, 4)
"""How many sums away from the exposed count the program looks (nearest first)."""
_STEP = 1.0
"""The largest adjustment of any one count: moves of one suffice for tables with margins."""
_NODE_LIMIT = 2000
"""Branch-and-bound nodes per program; beyond it the best set found so far is used."""


def _neighbourhood(audit: Audit, cell: int, depth: int) -> list[int]:
    """Cells (suppressed or not) within ``depth`` sums of ``cell``, in canonical order."""
    seen = {cell: 0}
    queue = deque([cell])
    relations = audit.system.relations
    while queue:
        current = queue.popleft()
        if seen[current] >= depth:
            continue
        for index in audit.system.cell_relations[current]:
            for other in relations[index].cells.tolist():
                if other not in seen:
                    seen[other] = seen[current] + 1
                    queue.append(other)
    return sorted(seen)


def _costs(audit: Audit, candidates: list[int]) -> FloatArray:
    """Cost of suppressing each candidate, ordered lexicographically by construction.

    First the number of kept-published rows (totals, trust rows, reference groups, long
    periods) suppressed, then the number of counts, then their sum, then the canonical rank
    (cells are numbered in the canonical row order, never by row position).
    """
    if not candidates:
        return np.zeros(0)
    chosen = np.array(candidates, dtype=np.int64)
    values = np.abs(audit.values[chosen])
    priority = audit.system.priority[chosen].astype(np.float64)
    count = len(candidates)
    ranks = np.arange(count, dtype=np.float64) / (count + 1.0)
    # Each count costs 1 plus under 1/2 in all (its size, then its rank), so no saving in
    # size outweighs one count more; a kept-published row outweighs all ordinary ones.
    size = (values + ranks) / (2.0 * (float(values.sum()) + count + 1.0))
    return priority * (2.0 * count + 2.0) + 1.0 + size


def _solve(
    audit: Audit, cell: int, cells: list[int], direction: float
) -> tuple[float, list[int]] | None:
    """The cheapest candidates in ``cells`` that let ``cell`` move by ``direction``, with
    their cost; None if there are none."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    unknown = audit.unknown
    lower_bound = audit.lower_bound
    values = audit.values
    free = [
        c
        for c in cells
        if c == cell or unknown[c] or values[c] > lower_bound + SLACK  # published candidates
    ]
    candidates = [c for c in free if not unknown[c]]
    size = len(free)
    column = {c: position for position, c in enumerate(free)}
    count = len(candidates)
    # Variables: one adjustment per free cell, then one 0/1 "suppress" per candidate.
    down = np.array(
        [_STEP if np.isnan(values[c]) else min(_STEP, float(values[c]) - lower_bound) for c in free]
    )
    lower = np.concatenate([-down, np.zeros(count)])
    upper = np.concatenate([np.full(size, _STEP), np.ones(count)])
    lower[column[cell]] = upper[column[cell]] = direction

    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    low: list[float] = []
    high: list[float] = []
    relation_ids = sorted({i for c in cells for i in audit.system.cell_relations[c]})
    for index in relation_ids:
        relation = audit.system.relations[index]
        members = relation.cells.tolist()
        terms = [
            (column[m], a)
            for m, a in zip(members, relation.coefficients.tolist(), strict=True)
            if m in column
        ]
        if not terms:
            continue
        member_values = values[relation.cells]
        row = len(low)
        for position, coefficient in terms:
            rows.append(row)
            cols.append(position)
            data.append(coefficient)
        room = abs(float(relation.coefficients @ member_values) - relation.constant)
        if relation.sense == 0 or np.isnan(room):  # keep the sum as it is
            low.append(0.0)
            high.append(0.0)
        elif relation.sense > 0:  # the sum may fall by at most its room
            low.append(-room)
            high.append(np.inf)
        else:
            low.append(-np.inf)
            high.append(room)
    # A candidate moves only if it is suppressed: -down * s <= y <= step * s.
    for offset, c in enumerate(candidates):
        position = column[c]
        for sign, bound in ((1.0, _STEP), (-1.0, float(down[position]))):
            row = len(low)
            rows.extend([row, row])
            cols.extend([position, size + offset])
            data.extend([sign, -bound])
            low.append(-np.inf)
            high.append(0.0)
    if not low:
        return 0.0, []
    matrix = coo_array((data, (rows, cols)), shape=(len(low), size + count)).tocsr()
    cost = np.concatenate([np.zeros(size), _costs(audit, candidates)])
    integrality = np.concatenate([np.zeros(size), np.ones(count)])
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(low), np.array(high)),
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"mip_rel_gap": 0.0, "node_limit": _NODE_LIMIT},
    )
    if result.x is None:
        return None
    chosen = np.asarray(result.x[size:]) > 0.5
    return float(result.fun), [
        c for c, flag in zip(candidates, chosen.tolist(), strict=True) if flag
    ]


def protecting_set(audit: Audit, cell: int) -> list[int]:
    """Published cells whose suppression would let ``cell`` move by one (cheapest found).

    Looks near ``cell`` first, then further; in each neighbourhood both directions are
    tried (down only if the count can fall by one) and the cheaper set is kept (up on a tie).
    Returns an empty list when no such set is found; the caller then falls back to adding
    one companion at a time.
    """
    value = float(audit.values[cell])
    directions = [1.0]
    if value - 1.0 >= audit.lower_bound - SLACK:
        directions.append(-1.0)
    for depth in _DEPTHS:
        cells = _neighbourhood(audit, cell, depth)
        best: tuple[float, list[int]] | None = None
        for direction in directions:
            found = _solve(audit, cell, cells, direction)
            if found is not None and (best is None or found[0] < best[0] - SLACK):
                best = found
        if best is not None and best[1]:
            return best[1]
    return []
