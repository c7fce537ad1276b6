"""Secondary suppression: hide more cells until no suppressed count can be worked out.

Whether a suppressed count can be worked out is decided by the audit
(:class:`~equitymetrics.disclosure._audit.Audit`). Repair: while some suppressed cell is not
protected, suppress more published cells near it. First choice: the cheapest set of
published counts whose suppression lets the exposed cell move by one, found by one small
mixed-integer program (:func:`~equitymetrics.disclosure._protecting.protecting_set`). Costs
put ordinary groups before totals, trust rows, reference groups and long periods, then fewer
counts, then smaller ones, then the first by measure, period, unit, grouping, adjustment and
group (never by row order, so the outcome does not depend on it). If the program finds no
set, one companion is added as before: a candidate that would protect the cell on its own
(the cheapest few are tried), otherwise the cheapest in the sums where the cell has the
fewest suppressed companions. Either way the audit checks the cell again. Suppressing a cell
can only widen what the reader cannot rule out, so protected cells stay protected and the
loop ends.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from equitymetrics.disclosure._audit import SLACK, Audit
from equitymetrics.disclosure._protecting import protecting_set
from equitymetrics.disclosure._tables import CountSystem
from equitymetrics.exceptions import MeasureError

__all__ = ["choose_companion", "secondary_suppression"]

BoolArray = npt.NDArray[np.bool_]

_NEARBY = 2
"""Sums around a cell from which companions are tried."""
_TRIALS = 3
"""How many single cells to try (cheapest first) before suppressing one that only helps."""


def _candidates(audit: Audit, relation_ids: list[int]) -> list[int]:
    found: set[int] = set()
    for index in relation_ids:
        for cell in audit.system.relations[index].cells:
            cell = int(cell)
            if not audit.unknown[cell] and audit.values[cell] > audit.lower_bound + SLACK:
                found.add(cell)
    return sorted(found)


def _cost(audit: Audit, candidate: int) -> tuple[int, float, int]:
    """Ordinary groups before totals and reference groups, then smallest, then first
    in the canonical order (table key, then group)."""
    return int(audit.system.priority[candidate]), float(audit.values[candidate]), candidate


def choose_companion(audit: Audit, cell: int) -> int:
    """The published cell to suppress next so that ``cell`` becomes protected.

    If one cell would do it, the cheapest such cell (trying a few, cheapest first, from
    the sums near ``cell``); otherwise the cheapest cell in the sums where ``cell`` has the
    fewest suppressed companions, which makes progress towards protecting it.
    """
    alone = audit.equations_alone_in(cell)
    if len(alone) < 2:
        near = audit.component(cell, _NEARBY)
        pool = alone or sorted({i for c in near for i in audit.system.cell_relations[c]})
        for candidate in sorted(_candidates(audit, pool), key=lambda c: _cost(audit, c))[:_TRIALS]:
            if audit.would_protect(cell, candidate):
                return candidate

    def crowding(index: int) -> int:
        return int(audit.unknown[audit.system.relations[index].cells].sum())

    relation_ids = sorted(audit.system.cell_relations[cell], key=crowding)
    while relation_ids:
        fewest = crowding(relation_ids[0])
        level = [index for index in relation_ids if crowding(index) == fewest]
        candidates = _candidates(audit, level)
        if candidates:
            return min(candidates, key=lambda c: _cost(audit, c))
        relation_ids = relation_ids[len(level) :]
    whole = sorted({i for c in audit.component(cell) for i in audit.system.cell_relations[c]})
    candidates = _candidates(audit, whole)
    if candidates:
        return min(candidates, key=lambda c: _cost(audit, c))
    raise MeasureError(
        f"secondary suppression found no published {audit.system.column} to suppress beside "
        f"row {int(audit.system.first_row[cell])}, so a suppressed count could be recovered; "
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
    audit = Audit(system, primary, lower_bound)
    order = range(len(system.values))
    secondary = np.zeros(len(system.values), dtype=bool)
    while True:
        exposed = None
        for cell in order:
            if not audit.audited[cell] or audit.protected[cell]:
                continue
            if not audit.batched(cell):
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
        companions = protecting_set(audit, exposed) or [choose_companion(audit, exposed)]
        for companion in companions:
            secondary[companion] = True
            audit.suppress(companion)
