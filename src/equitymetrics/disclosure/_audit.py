"""The audit behind secondary suppression: can a suppressed count be pinned down?

The audit takes the view of a careful reader of the published table who knows every
published count *exactly* (rates computed from unrounded values often reveal them), every
sum that links the tables, and that a suppressed count is at least ``lower_bound`` (1 when
zeros are shown, else 0). A suppressed cell is *protected* when that reader cannot pin it
down: some other value, one more or one less than the true count, fits every published
number and every sum. Each question is a small linear feasibility problem
(:func:`~equitymetrics.disclosure._linear.feasible_point`). To keep the number of problems
down, any feasible solution found certifies every cell it moves by one or more; one program
per linked set first asks all uncertified cells to move up at once, meeting as many of those
wishes as it can (:func:`~equitymetrics.disclosure._linear.closest_point`); and a quick
least-squares move is tried before a program on the cells around a single cell.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from equitymetrics.disclosure._linear import FloatArray, closest_point, feasible_point
from equitymetrics.disclosure._tables import CountSystem

__all__ = ["Audit", "SLACK"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

SLACK = 1e-7
"""Tolerance on values that should be whole numbers or bounds."""
_SMALLEST_BATCH = 3
"""Batches smaller than this are left to the checks of single cells."""
_BATCH_ROUNDS = 4
"""Rounds of wishes per component: each asks again for the cells not yet shown safe."""
_QUICK_LIMIT = 80
"""Largest neighbourhood for the least-squares shortcut (larger ones go to linear programs)."""


class Audit:
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
        self._batched.clear()

    def batched(self, cell: int) -> bool:
        """Whether ``cell``'s component has had its batch since the last suppression."""
        return cell in self._batched

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

    def equations_alone_in(self, cell: int) -> list[int]:
        """Equalities in which ``cell`` is the only suppressed cell (each one pins it down)."""
        return [
            index
            for index in self.system.cell_relations[cell]
            if self.system.relations[index].sense == 0
            and int(self.unknown[self.system.relations[index].cells].sum()) == 1
        ]

    def _alone_in_an_equation(self, cell: int) -> bool:
        return bool(self.equations_alone_in(cell))

    def _system(
        self, cells: list[int], fixed: int, target: float
    ) -> tuple[FloatArray, FloatArray, IntArray, FloatArray] | None:
        """The sums around ``cells`` as ``matrix @ z == rhs``, ``z >= 0``; None if no sums.

        ``cells`` vary (with any unknown cell whose true value is not known), as
        ``x = z + lower bound``; ``fixed`` (or -1 for none) is set to ``target``; every other
        unknown cell keeps its true value, so a solution is also one of the whole system.
        Returns the matrix, right-hand side, the varying cells (the first columns, in order;
        then one slack column per inequality) and their lower bounds.
        """
        relation_ids = sorted({index for c in cells for index in self.system.cell_relations[c]})
        relations = [self.system.relations[index] for index in relation_ids]
        if not relations:
            return None
        members = np.concatenate([relation.cells for relation in relations])
        coefficients = np.concatenate([relation.coefficients for relation in relations])
        rows = np.repeat(np.arange(len(relations)), [len(r.cells) for r in relations])
        varying = np.zeros(len(self.values), dtype=bool)
        varying[cells] = True
        varying[members[self.withheld[members]]] = True
        if fixed >= 0:
            varying[fixed] = False
        free = np.flatnonzero(varying)
        column = np.full(len(self.values), -1, dtype=np.int64)
        column[free] = np.arange(len(free))
        position = column[members]
        is_free = position >= 0
        is_fixed = members == fixed
        is_known = ~is_free & ~is_fixed
        count = len(relations)
        lowest = np.full(len(free), float(self.lower_bound))
        rhs = np.array([relation.constant for relation in relations], dtype=np.float64)
        rhs -= np.bincount(
            rows[is_known], coefficients[is_known] * self.values[members[is_known]], count
        )
        rhs -= np.bincount(rows[is_fixed], coefficients[is_fixed] * target, count)
        rhs -= np.bincount(rows[is_free], coefficients[is_free] * self.lower_bound, count)
        senses = np.array([relation.sense for relation in relations], dtype=np.float64)
        slacks = np.flatnonzero(senses != 0)
        matrix = np.zeros((count, len(free) + len(slacks)))
        np.add.at(matrix, (rows[is_free], position[is_free]), coefficients[is_free])
        matrix[slacks, len(free) + np.arange(len(slacks))] = -senses[slacks]
        return matrix, rhs, free, lowest

    def _solve(self, cells: list[int], fixed: int, target: float) -> dict[int, float] | None:
        """A feasible assignment with ``fixed`` set to ``target``, or None (see _system)."""
        built = self._system(cells, fixed, target)
        if built is None:  # in no sum at all: any value fits
            return {fixed: target}
        matrix, rhs, free, lowest = built
        point = feasible_point(matrix, rhs)
        if point is None:
            return None
        found = point[: len(free)] + lowest
        solution = dict(zip(free.tolist(), found.tolist(), strict=True))
        solution[fixed] = target
        return solution

    def certify_in_batches(self, cell: int) -> None:
        """Try to show many cells of ``cell``'s component safe with one linear program.

        Every suppressed cell of the component not yet shown safe is asked to be at least one
        more than it is, as a soft wish: the program keeps every sum and meets as many
        wishes as it can (it minimises their total shortfall). Every cell it moves by one or
        more is protected. Counts at the lower bound (zeros, or ones when zeros are shown)
        can only move up, and this settles many of them at once.
        """
        cells = self.component(cell)
        self._batched.update(cells)
        for _ in range(_BATCH_ROUNDS):
            batch = [c for c in cells if self.audited[c] and not self.protected[c]]
            if len(batch) < _SMALLEST_BATCH or not self._wish_up(cells, batch):
                return

    def _wish_up(self, cells: list[int], batch: list[int]) -> bool:
        """One round of :meth:`certify_in_batches`; whether it showed any cell safe."""
        built = self._system(cells, -1, 0.0)
        if built is None:
            return False
        matrix, rhs, free, lowest = built
        column = {c: position for position, c in enumerate(free.tolist())}
        wishes = np.zeros((len(batch), matrix.shape[1] + len(batch)))
        for row, wished in enumerate(batch):
            wishes[row, column[wished]] = 1.0
            wishes[row, matrix.shape[1] + row] = -1.0  # surplus: may exceed the wish
        targets = np.array([self.values[c] + 1.0 - lowest[column[c]] for c in batch])
        whole = np.vstack([np.hstack([matrix, np.zeros((len(matrix), len(batch)))]), wishes])
        soft = np.concatenate([np.zeros(len(matrix), dtype=bool), np.ones(len(batch), dtype=bool)])
        point = closest_point(whole, np.concatenate([rhs, targets]), soft)
        if point is None:
            return False
        before = int(self.protected.sum())
        found = point[: len(free)] + lowest
        self._certify(dict(zip(free.tolist(), found.tolist(), strict=True)))
        return int(self.protected.sum()) > before

    def is_protected(self, cell: int, *, certify: bool = True, thorough: bool = True) -> bool:
        """Whether ``cell`` could be one more or one less than it is.

        With ``certify``, every other audited cell that the solution found moves by at least
        one is marked protected too. Without ``thorough``, only the cells of
        :meth:`closure` may move (a quicker check that can answer "no" where the full one
        would answer "yes").
        """
        if self._alone_in_an_equation(cell):
            return False
        value = float(self.values[cell])
        targets = [value + 1.0]
        if value - 1.0 >= self.lower_bound - SLACK:
            targets.append(value - 1.0)
        everything = self.component(cell)
        close = self.closure(cell)
        if len(close) <= _QUICK_LIMIT and self._smallest_move(cell, close, certify=certify):
            return True
        stages = [close, everything] if len(close) < len(everything) else [everything]
        if not thorough:
            stages = [close]
        for cells in stages:
            for target in targets:
                solution = self._solve(cells, cell, target)
                if solution is None:
                    continue
                if certify:
                    self._certify(solution)
                return True
        return False

    def closure(self, cell: int) -> list[int]:
        """``cell``, the unknown cells in its sums, and those linked to two of them.

        The smallest moves that keep every sum are cycles such as rectangles (two groups in
        two units); this set holds every rectangle through ``cell``, so a check confined to
        it is quick and usually enough.
        """
        key = (cell, -1)
        if key in self._nearby:
            return self._nearby[key]
        unknown = self._unknown_cells
        first = {cell}
        for index in self.system.cell_relations[cell]:
            first.update(m for m in self._members[index] if m in unknown)
        linked: dict[int, set[int]] = {}
        for neighbour in first - {cell}:
            for index in self.system.cell_relations[neighbour]:
                for member in self._members[index]:
                    if member in unknown and member not in first:
                        linked.setdefault(member, set()).add(neighbour)
        found = sorted(first | {m for m, via in linked.items() if len(via) >= 2})
        self._nearby[key] = found
        return found

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
            if (room + sign * step >= -SLACK).all():
                if certify:
                    moved = np.asarray(cells)[np.abs(step) >= 1.0 - SLACK]
                    self.protected[moved[self.audited[moved]]] = True
                return True
        return False

    def _certify(self, solution: dict[int, float]) -> None:
        """Mark every audited cell that ``solution`` moves by at least one as protected."""
        for cell, found in solution.items():
            if self.audited[cell] and abs(found - self.values[cell]) >= 1.0 - SLACK:
                self.protected[cell] = True

    def would_protect(self, cell: int, candidate: int) -> bool:
        """Whether suppressing ``candidate`` as well would protect ``cell``."""
        self.unknown[candidate] = True
        self._unknown_cells.add(candidate)
        self._components.clear()
        self._nearby.clear()
        try:
            return self.is_protected(cell, certify=False, thorough=False)
        finally:
            self.unknown[candidate] = False
            self._unknown_cells.discard(candidate)
            self._components.clear()
            self._nearby.clear()
