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
wishes as it can (:func:`~equitymetrics.disclosure._linear.closest_point`); a cell takes
part in one such program at most (the set is asked again only when a cell that was in none
is met, such as one suppressed since); and a program on the cells around a single cell is
tried before one on its whole linked set.

Answers that depend on which cells are suppressed are kept until a cell of the same linked
part (cells joined by sums, suppressed or not) is suppressed: parts that share no sum cannot
change each other's answers.
"""

from __future__ import annotations

from collections import deque
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from equitymetrics.disclosure._linear import FloatArray, closest_point, feasible_point
from equitymetrics.disclosure._tables import CountSystem

__all__ = ["Audit", "SLACK"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_Key = TypeVar("_Key", int, tuple[int, int])

SLACK = 1e-7
"""Tolerance on values that should be whole numbers or bounds."""
_SMALLEST_BATCH = 3
"""Batches smaller than this are left to the checks of single cells."""
_BATCH_ROUNDS = 4
"""Rounds of wishes per component: each asks again for the cells not yet shown safe."""


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
        self._part = _linked_parts(len(self.values), self._members)
        # Answers that depend on which cells are unknown are kept with the "generation" of
        # the cell's linked part (cells linked by sums, suppressed or not), which changes
        # whenever a cell of that part is suppressed; other parts keep theirs.
        self._generation = np.zeros(int(self._part.max(initial=-1)) + 1, dtype=np.int64)
        self._generations_used = 0
        self._components: dict[int, tuple[int, list[int]]] = {}
        self._nearby: dict[tuple[int, int], tuple[int, list[int]]] = {}
        self._batched: set[int] = set()

    def _current(self, cell: int) -> int:
        return int(self._generation[self._part[cell]])

    def _renew(self, cell: int) -> int:
        """Start a new generation for ``cell``'s part; return the one it replaces."""
        previous = self._current(cell)
        self._generations_used += 1
        self._generation[self._part[cell]] = self._generations_used
        return previous

    def _cached(
        self, store: dict[_Key, tuple[int, list[int]]], key: _Key, cell: int
    ) -> list[int] | None:
        """A kept answer about ``cell`` if no cell of its part was suppressed since."""
        found = store.get(key)
        if found is None or found[0] != self._current(cell):
            return None
        return found[1]

    def suppress(self, cell: int) -> None:
        """Treat ``cell`` as suppressed from now on (and audit it)."""
        self.unknown[cell] = True
        self.audited[cell] = True
        self._unknown_cells.add(cell)
        self._renew(cell)

    def batched(self, cell: int) -> bool:
        """Whether ``cell`` has been in a batch (see :meth:`certify_in_batches`)."""
        return cell in self._batched

    def component(self, cell: int, depth: int | None = None) -> list[int]:
        """Unknown cells linked to ``cell`` through sums (within ``depth`` sums, if given)."""
        if depth is None:
            cached = self._cached(self._components, cell, cell)
        else:
            cached = self._cached(self._nearby, (cell, depth), cell)
        if cached is not None:
            return cached
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
        generation = self._current(cell)
        if depth is None:
            self._components.update(dict.fromkeys(found, (generation, found)))
        else:
            self._nearby[(cell, depth)] = (generation, found)
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
        close = self.closure(cell)
        if thorough:
            everything = self.component(cell)
            stages = [close, everything] if len(close) < len(everything) else [everything]
        else:
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
        cached = self._cached(self._nearby, key, cell)
        if cached is not None:
            return cached
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
        self._nearby[key] = (self._current(cell), found)
        return found

    def _certify(self, solution: dict[int, float]) -> None:
        """Mark every audited cell that ``solution`` moves by at least one as protected."""
        for cell, found in solution.items():
            if self.audited[cell] and abs(found - self.values[cell]) >= 1.0 - SLACK:
                self.protected[cell] = True

    def would_protect(self, cell: int, candidate: int) -> bool:
        """Whether suppressing ``candidate`` as well would protect ``cell``."""
        self.unknown[candidate] = True
        self._unknown_cells.add(candidate)
        previous = self._renew(candidate)  # answers kept for the trial are never used again
        try:
            return self.is_protected(cell, certify=False, thorough=False)
        finally:
            self.unknown[candidate] = False
            self._unknown_cells.discard(candidate)
            self._generation[self._part[candidate]] = previous


def _linked_parts(size: int, members: list[list[int]]) -> IntArray:
    """A label per cell: cells linked through sums (directly or not) share one."""
    parent = list(range(size))

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for cells in members:
        first = root(cells[0]) if cells else 0
        for other in cells[1:]:
            found = root(other)
            if found != first:
                parent[found] = first
    return np.array([root(cell) for cell in range(size)], dtype=np.int64)
