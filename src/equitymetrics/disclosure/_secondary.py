"""Secondary suppression: hide more cells until no suppressed count can be worked out.

The audit takes the view of a careful reader of the published table who knows every
published count *exactly* (rates computed from unrounded values often reveal them), every
sum that links the tables, and that a suppressed count is at least ``lower_bound`` (1 when
zeros are shown, else 0). A suppressed cell is *protected* when that reader cannot pin it
down: some other value, one more or one less than the true count, fits every published
number and every sum. Each question is a small linear feasibility problem
(:func:`~equitymetrics.disclosure._linear.feasible_point`).

Greedy repair: while some suppressed cell is not protected, suppress one more published cell
near it. Candidates are published counts above the lower bound, cheapest first: ordinary
groups before totals, trust rows and reference groups, then the smallest count, then the
first by measure, period, unit, grouping, adjustment and group (never by row order, so the
outcome does not depend on it). If one candidate would protect the cell on its own, the
cheapest such is taken (a few are tried); otherwise the cheapest in the sums where the cell
has the fewest suppressed companions (a count alone in a sum is given a companion there
first). Suppressing a cell can only widen what the reader cannot rule out, so protected cells
stay protected and the loop ends.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from equitymetrics.disclosure._linear import feasible_point
from equitymetrics.disclosure._tables import CountSystem
from equitymetrics.exceptions import MeasureError

__all__ = ["secondary_suppression"]

BoolArray = npt.NDArray[np.bool_]

_SLACK = 1e-7
_NEARBY = 2
_TRIALS = 3
_SMALLEST_BATCH = 3
_BATCH_DEPTH = 4
"""Batches smaller than this are left to the checks of single cells."""
_QUICK_LIMIT = 80
"""Largest neighbourhood for the least-squares shortcut (larger ones go to linear programs)."""
"""How many single cells to try (cheapest first) before suppressing one that only helps."""
"""Try cells within two sums first (most protection comes from rectangles), then all of them."""


class _Audit:
    """The state of one count column while secondary suppression runs."""

    def __init__(self, system: CountSystem, primary: BoolArray, lower_bound: float) -> None:
        self.system = system
        self.values = system.values
        self.lower_bound = lower_bound
        withheld = np.isnan(self.values)
        self.withheld = withheld
        self.unknown = primary | withheld
        self.audited = primary & ~withheld
        self.protected = np.zeros(len(self.values), dtype=bool)
        self._members = [relation.cells.tolist() for relation in system.relations]
        self._coefficients = [relation.coefficients.tolist() for relation in system.relations]
        self._unknown_cells = set(np.flatnonzero(self.unknown).tolist())
        self._components: dict[int, list[int]] = {}
        self._nearby: dict[tuple[int, int], list[int]] = {}
        self._batched: set[int] = set()

    def suppress(self, cell: int) -> None:
        """Treat ``cell`` as suppressed from now on (and audit it)."""
        self.unknown[cell] = True
        self.audited[cell] = True
        self._unknown_cells.add(cell)
        self._components.clear()
        self._nearby.clear()

    def component(self, cell: int, depth: int | None = None) -> list[int]:
        """Unknown cells linked to ``cell`` through sums (within ``depth`` sums, if given)."""
        if depth is None and cell in self._components:
            return self._components[cell]
        if depth is not None and (cell, depth) in self._nearby:
            return self._nearby[(cell, depth)]
        seen = {cell: 0}
        queue = deque([cell])
        unknown = self._unknown_cells
        while queue:
            current = queue.popleft()
            if depth is not None and seen[current] >= depth:
                continue
            for index in self.system.cell_relations[current]:
                for other in self._members[index]:
                    if other in unknown and other not in seen:
                        seen[other] = seen[current] + 1
                        queue.append(other)
        found = sorted(seen)
        if depth is None:
            self._components.update(dict.fromkeys(found, found))
        else:
            self._nearby[(cell, depth)] = found
        return found

    def _equations_alone_in(self, cell: int) -> list[int]:
        """Equalities in which ``cell`` is the only suppressed cell (each one pins it down)."""
        return [
            index
            for index in self.system.cell_relations[cell]
            if self.system.relations[index].sense == 0
            and int(self.unknown[self.system.relations[index].cells].sum()) == 1
        ]

    def _alone_in_an_equation(self, cell: int) -> bool:
        return bool(self._equations_alone_in(cell))

    def _solve(
        self,
        cells: list[int],
        fixed: int,
        target: float,
        raised: dict[int, float] | None = None,
    ) -> dict[int, float] | None:
        """A feasible assignment with ``fixed`` set to ``target``, or None.

        ``cells`` vary (with any unknown cell whose true value is not known); every other
        unknown cell keeps its true value, so a solution is also one of the whole system.
        ``raised`` gives cells a lower bound above the usual one. ``fixed`` may be -1 (none).
        """
        relation_ids = sorted({index for c in cells for index in self.system.cell_relations[c]})
        relations = [self.system.relations[index] for index in relation_ids]
        members = np.concatenate([relation.cells for relation in relations])
        coefficients = np.concatenate([relation.coefficients for relation in relations])
        rows = np.repeat(np.arange(len(relations)), [len(r.cells) for r in relations])
        varying = np.zeros(len(self.values), dtype=bool)
        varying[cells] = True
        varying[members[self.withheld[members]]] = True
        varying[fixed] = False
        free = np.flatnonzero(varying)
        column = np.full(len(self.values), -1, dtype=np.int64)
        column[free] = np.arange(len(free))
        position = column[members]
        is_free = position >= 0
        is_fixed = members == fixed
        is_known = ~is_free & ~is_fixed
        count = len(relations)
        rhs = np.array([relation.constant for relation in relations], dtype=np.float64)
        rhs -= np.bincount(
            rows[is_known], coefficients[is_known] * self.values[members[is_known]], count
        )
        rhs -= np.bincount(rows[is_fixed], coefficients[is_fixed] * target, count)
        lowest = np.full(len(free), self.lower_bound)
        for cell, bound in (raised or {}).items():
            lowest[column[cell]] = bound
        rhs -= np.bincount(rows[is_free], coefficients[is_free] * lowest[position[is_free]], count)
        senses = np.array([relation.sense for relation in relations], dtype=np.float64)
        slacks = np.flatnonzero(senses != 0)
        matrix = np.zeros((count, len(free) + len(slacks)))
        np.add.at(matrix, (rows[is_free], position[is_free]), coefficients[is_free])
        matrix[slacks, len(free) + np.arange(len(slacks))] = -senses[slacks]
        point = feasible_point(matrix, rhs)
        if point is None:
            return None
        found = point[: len(free)] + lowest
        solution = dict(zip(free.tolist(), found.tolist(), strict=True))
        if fixed >= 0:
            solution[fixed] = target
        return solution

    def certify_in_batches(self, cell: int) -> None:
        """Try to show many cells of ``cell``'s component safe at once.

        One linear program asks whether every uncertified suppressed cell of the component
        can be at least one more than it is at the same time; if so they are all protected.
        If not, the batch is halved and each half tried, a few times over (the individual
        checks settle the rest). Each cell takes part once. Counts at the lower bound (zeros,
        or ones when zeros are shown) can only move up, which this tries for many at once.
        """
        cells = self.component(cell)
        batch = [c for c in cells if self.audited[c] and not self.protected[c]]
        self._batched.update(cells)
        pending = [(batch, 0)]
        while pending:
            members, depth = pending.pop()
            group = [c for c in members if not self.protected[c]]
            if len(group) < _SMALLEST_BATCH:
                continue
            raised = {c: float(self.values[c]) + 1.0 for c in group}
            solution = self._solve(cells, -1, 0.0, raised)
            if solution is not None:
                self._certify(solution)
            elif depth < _BATCH_DEPTH:
                half = len(group) // 2
                pending.extend([(group[half:], depth + 1), (group[:half], depth + 1)])

    def is_protected(self, cell: int, *, certify: bool = True) -> bool:
        """Whether ``cell`` could be one more or one less than it is.

        With ``certify``, every other audited cell that the solution found moves by at least
        one is marked protected too.
        """
        if self._alone_in_an_equation(cell):
            return False
        value = float(self.values[cell])
        targets = [value + 1.0]
        if value - 1.0 >= self.lower_bound - _SLACK:
            targets.append(value - 1.0)
        everything = self.component(cell)
        nearby = self.component(cell, _NEARBY)
        if len(nearby) <= _QUICK_LIMIT and self._smallest_move(cell, nearby, certify=certify):
            return True
        stages = [nearby, everything] if len(nearby) < len(everything) * 0.7 else [everything]
        for cells in stages:
            for target in targets:
                solution = self._solve(cells, cell, target)
                if solution is None:
                    continue
                if certify:
                    self._certify(solution)
                return True
        return False

    def _smallest_move(self, cell: int, cells: list[int], *, certify: bool) -> bool:
        """Whether the smallest move of ``cells`` that changes ``cell`` by one shows it safe.

        The move ``d`` with ``d[cell] = 1`` that keeps every sum with the other unknown cells
        fixed (least squares, minimum norm; an inequality is kept as an equation, which is
        stricter) is tried both ways: if ``x0 + d`` or ``x0 - d`` keeps every cell at or above
        the lower bound, ``cell`` is protected. False means "not shown this way" only.
        """
        if self.withheld[cells].any():
            return False
        relation_ids = sorted({i for c in cells for i in self.system.cell_relations[c]})
        column = {c: position for position, c in enumerate(cells)}
        matrix = np.zeros((len(relation_ids), len(cells)))
        for row, index in enumerate(relation_ids):
            members = zip(self._members[index], self._coefficients[index], strict=True)
            for member, coefficient in members:
                if member in column:
                    matrix[row, column[member]] += coefficient
        position = column[cell]
        others = np.delete(matrix, position, axis=1)
        wanted = -matrix[:, position]
        move, *_ = np.linalg.lstsq(others, wanted, rcond=None)
        if np.abs(others @ move - wanted).max(initial=0.0) > 1e-7:
            return False
        step = np.insert(move, position, 1.0)
        room = self.values[cells] - self.lower_bound
        for sign in (1.0, -1.0):
            if (room + sign * step >= -_SLACK).all():
                if certify:
                    moved = np.asarray(cells)[np.abs(step) >= 1.0 - _SLACK]
                    self.protected[moved[self.audited[moved]]] = True
                return True
        return False

    def _certify(self, solution: dict[int, float]) -> None:
        """Mark every audited cell that ``solution`` moves by at least one as protected."""
        for cell, found in solution.items():
            if self.audited[cell] and abs(found - self.values[cell]) >= 1.0 - _SLACK:
                self.protected[cell] = True

    def _candidates(self, relation_ids: list[int]) -> list[int]:
        found: set[int] = set()
        for index in relation_ids:
            for cell in self.system.relations[index].cells:
                cell = int(cell)
                if not self.unknown[cell] and self.values[cell] > self.lower_bound + _SLACK:
                    found.add(cell)
        return sorted(found)

    def _cost(self, candidate: int) -> tuple[int, float, int]:
        """Ordinary groups before totals and reference groups, then smallest, then first
        in the canonical order (table key, then group)."""
        return int(self.system.priority[candidate]), float(self.values[candidate]), candidate

    def _would_protect(self, cell: int, candidate: int) -> bool:
        """Whether suppressing ``candidate`` as well would protect ``cell``."""
        self.unknown[candidate] = True
        self._unknown_cells.add(candidate)
        self._components.clear()
        self._nearby.clear()
        try:
            return self.is_protected(cell, certify=False)
        finally:
            self.unknown[candidate] = False
            self._unknown_cells.discard(candidate)
            self._components.clear()
            self._nearby.clear()

    def choose_companion(self, cell: int) -> int:
        """The published cell to suppress next so that ``cell`` becomes protected.

        If one cell would do it, the cheapest such cell (trying a few, cheapest first, from
        the sums near ``cell``); otherwise the cheapest cell in the sums where ``cell`` has the
        fewest suppressed companions, which makes progress towards protecting it.
        """
        alone = self._equations_alone_in(cell)
        if len(alone) < 2:
            near = self.component(cell, _NEARBY)
            pool = alone or sorted({i for c in near for i in self.system.cell_relations[c]})
            for candidate in sorted(self._candidates(pool), key=self._cost)[:_TRIALS]:
                if self._would_protect(cell, candidate):
                    return candidate

        def crowding(index: int) -> int:
            return int(self.unknown[self.system.relations[index].cells].sum())

        relation_ids = sorted(self.system.cell_relations[cell], key=crowding)
        while relation_ids:
            fewest = crowding(relation_ids[0])
            level = [index for index in relation_ids if crowding(index) == fewest]
            candidates = self._candidates(level)
            if candidates:
                return min(candidates, key=self._cost)
            relation_ids = relation_ids[len(level) :]
        whole = sorted({i for c in self.component(cell) for i in self.system.cell_relations[c]})
        candidates = self._candidates(whole)
        if candidates:
            return min(candidates, key=self._cost)
        raise MeasureError(
            f"secondary suppression found no published {self.system.column} to suppress beside "
            f"row {int(self.system.first_row[cell])}, so a suppressed count could be recovered; "
            "this should not happen: please report it with the results table."
        )


def secondary_suppression(
    system: CountSystem, primary: BoolArray, *, lower_bound: float
) -> BoolArray:
    """The cells of ``system`` to suppress in addition to the ``primary`` ones.

    Parameters
    ----------
    system : CountSystem
        The cells and sums of one count column.
    primary : numpy.ndarray of bool
        Cells suppressed by the policy's own rule (small counts).
    lower_bound : float
        What a reader knows about any suppressed count (1 when zeros are shown, else 0).

    Returns
    -------
    numpy.ndarray of bool
        One flag per cell: suppressed to protect another cell.
    """
    audit = _Audit(system, primary, lower_bound)
    order = range(len(system.values))
    secondary = np.zeros(len(system.values), dtype=bool)
    while True:
        exposed = None
        for cell in order:
            if not audit.audited[cell] or audit.protected[cell]:
                continue
            if cell not in audit._batched:
                audit.certify_in_batches(cell)
                if audit.protected[cell]:
                    continue
            if audit.is_protected(cell):
                audit.protected[cell] = True
            else:
                exposed = cell
                break
        if exposed is None:
            return secondary
        companion = audit.choose_companion(exposed)
        secondary[companion] = True
        audit.suppress(companion)
