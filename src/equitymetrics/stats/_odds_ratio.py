"""Odds ratio of two groups: Woolf logit interval and the exact conditional method."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from equitymetrics.stats._ratios import (
    BoolArray,
    Limits,
    RatioResult,
    TwoGroupMethod,
    compare_counts,
    correction_note,
    log_interval,
    select_notes,
    undefined_tables,
)
from equitymetrics.stats._validation import FloatArray, z_value


def _contingency() -> Any:
    """``scipy.stats.contingency``, imported on first use (``scipy.stats`` is slow to import)."""
    from scipy.stats import contingency

    return contingency


__all__ = ["OddsRatioMethod", "odds_ratio"]

OddsRatioMethod = Literal["woolf", "exact"]

ZERO_TOTAL_NOTE = "total or reference_total is 0: odds ratio undefined"
NO_EVENTS_NOTE = "no events in either group (0/0): odds ratio undefined"
NO_NON_EVENTS_NOTE = "events = total in both groups (0/0): odds ratio undefined"
WOOLF_ZERO_NOTE = "zero cell: estimate 0, Woolf upper limit undefined (try method='exact')"
WOOLF_INFINITE_NOTE = (
    "zero cell: estimate infinite, Woolf lower limit undefined (try method='exact')"
)
EXACT_INFINITE_NOTE = "zero cell: estimate and upper limit infinite"

EXACT_MAX_TABLES = 10_000
"""The exact method sums over every table with the observed margins; beyond this many (about
10 seconds per distinct table) it is not attempted."""
EXACT_MAX_TOTAL = 2**31 - 1
"""scipy's noncentral hypergeometric distribution takes its sizes as 32-bit integers."""
EXACT_TOO_LARGE_NOTE = (
    f"not calculated: the exact method is limited to tables with at most {EXACT_MAX_TABLES:,} "
    f"possible values of events given the margins and at most {EXACT_MAX_TOTAL:,} people; "
    "use method='woolf', which is accurate for counts this large"
)


def _undefined(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray
) -> tuple[BoolArray, BoolArray, BoolArray]:
    """Masks: an empty group; no events anywhere; no non-events anywhere (each 0/0)."""
    zero_total, no_events = undefined_tables(a, n1, c, n0)
    no_non_events = (a == n1) & (c == n0) & ~zero_total
    return zero_total, no_events, no_non_events


def _woolf(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray, level: float, correction: float
) -> Limits:
    """Woolf (1955) logit interval: log OR -/+ z sqrt(1/a + 1/b + 1/c + 1/d)."""
    zero_total, no_events, no_non_events = _undefined(a, n1, c, n0)
    undefined = zero_total | no_events | no_non_events
    b, d = n1 - a, n0 - c
    zero_cell = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    corrected = zero_cell & ~undefined & (correction > 0.0)
    add = np.where(corrected, correction, 0.0)
    a1, b1, c1, d1 = a + add, b + add, c + add, d + add
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (a1 * d1) / (b1 * c1)
        standard_error = np.sqrt(1.0 / a1 + 1.0 / b1 + 1.0 / c1 + 1.0 / d1)
    is_zero = ((a1 == 0) | (d1 == 0)) & ~undefined
    is_infinite = ((b1 == 0) | (c1 == 0)) & ~undefined
    estimate, lower, upper = log_interval(
        estimate,
        standard_error,
        z_value(level),
        undefined=undefined,
        zero=is_zero,
        infinite=is_infinite,
    )
    note = select_notes(
        a.shape,
        [
            (zero_total, ZERO_TOTAL_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (no_non_events, NO_NON_EVENTS_NOTE),
            (is_zero, WOOLF_ZERO_NOTE),
            (is_infinite, WOOLF_INFINITE_NOTE),
            (corrected, correction_note(correction)),
        ],
    )
    return Limits(estimate, lower, upper, note)


def _exact(
    a: FloatArray, n1: FloatArray, c: FloatArray, n0: FloatArray, level: float, correction: float
) -> Limits:
    """Conditional maximum likelihood estimate with exact conditional (Cornfield) limits.

    Each distinct table is passed to ``scipy.stats.contingency.odds_ratio(kind="conditional")``:
    the estimate maximises the noncentral hypergeometric likelihood of a given the margins, and
    the limits solve P(X >= a; psi_L) = alpha/2 and P(X <= a; psi_U) = alpha/2.
    """
    zero_total, no_events, no_non_events = _undefined(a, n1, c, n0)
    events = a + c
    tables = np.minimum(events, n1) - np.maximum(events - n0, 0.0) + 1.0  # support of a
    too_large = ((tables > EXACT_MAX_TABLES) | (n1 + n0 > EXACT_MAX_TOTAL)) & ~zero_total
    too_large &= ~(no_events | no_non_events)
    defined = ~(zero_total | no_events | no_non_events | too_large)
    estimate = np.full(a.shape, np.nan)
    lower = np.full(a.shape, np.nan)
    upper = np.full(a.shape, np.nan)
    if defined.any():
        a_, n1_, c_, n0_ = a[defined], n1[defined], c[defined], n0[defined]
        tables = np.stack([a_, n1_ - a_, c_, n0_ - c_], axis=1)
        unique, inverse = np.unique(tables.astype(np.int64), axis=0, return_inverse=True)
        values = np.empty((len(unique), 3))
        for row, (x, y, u, v) in enumerate(unique.tolist()):
            fitted = _contingency().odds_ratio([[x, y], [u, v]], kind="conditional")
            interval = fitted.confidence_interval(confidence_level=level)
            values[row] = (fitted.statistic, interval.low, interval.high)
        found = values[np.ravel(inverse)]
        estimate[defined], lower[defined], upper[defined] = found[:, 0], found[:, 1], found[:, 2]
    note = select_notes(
        a.shape,
        [
            (zero_total, ZERO_TOTAL_NOTE),
            (no_events, NO_EVENTS_NOTE),
            (no_non_events, NO_NON_EVENTS_NOTE),
            (too_large, EXACT_TOO_LARGE_NOTE),
            (defined & np.isinf(estimate), EXACT_INFINITE_NOTE),
        ],
    )
    return Limits(estimate, lower, upper, note)


_METHODS: dict[str, TwoGroupMethod] = {"woolf": _woolf, "exact": _exact}
_CORRECTABLE = ("woolf",)


def odds_ratio(
    events: npt.ArrayLike,
    total: npt.ArrayLike,
    reference_events: npt.ArrayLike,
    reference_total: npt.ArrayLike,
    *,
    method: OddsRatioMethod = "woolf",
    confidence_level: float = 0.95,
    continuity_correction: float = 0.0,
) -> RatioResult:
    """Odds ratio of a group to a reference group, with a Woolf logit interval by default.

    The odds ratio is ``(a/b) / (c/d)`` with a = ``events``, b = ``total - events``,
    c = ``reference_events`` and d = ``reference_total - reference_events``. The default
    interval is Woolf's (1955) logit method; ``method="exact"`` gives the conditional maximum
    likelihood estimate with exact conditional limits (the interval reported with Fisher's
    exact test), which is valid for small counts and zero cells. Vectorised: the four
    arguments broadcast together.

    Parameters
    ----------
    events, total : array-like of whole numbers >= 0
        People with the outcome and people in the group (``events <= total``).
    reference_events, reference_total : array-like of whole numbers >= 0
        The same for the reference group (``reference_events <= reference_total``).
    method : {"woolf", "exact"}, default "woolf"
        ``"woolf"``: symmetric interval on the log scale around the sample odds ratio.
        ``"exact"``: conditional maximum likelihood estimate and exact conditional limits,
        computed element by element with ``scipy.stats.contingency.odds_ratio``
        (slow for millions of distinct tables).
    confidence_level : float, default 0.95
        Two-sided confidence level, a fraction strictly between 0 and 1.
    continuity_correction : float, default 0.0
        Opt-in, ``"woolf"`` only: this value (0.5 is usual, Haldane-Anscombe) is added to all
        four cells of every table with a zero cell; the note says so. Tables with an empty
        group, or whose odds ratio is 0/0, stay NaN. Never applied unless asked for.

    Returns
    -------
    RatioResult
        ``estimate``, ``lower``, ``upper``, ``method``, ``note``, ``confidence_level`` and the
        four inputs.

    Raises
    ------
    InvalidArgumentError
        Negative, fractional or non-finite counts; events above their total; a confidence
        level outside (0, 1); a negative correction, or a correction with ``"exact"``.
    UnknownMethodError
        ``method`` is not one of the names above.
    ShapeMismatchError
        The inputs cannot be broadcast together.
    InvalidTypeError
        Inputs are not numbers.

    Notes
    -----
    With z the standard normal quantile at 1 - alpha/2:

    - Woolf: OR = ad/(bc); limits OR exp(-/+ z sqrt(1/a + 1/b + 1/c + 1/d)).
    - Exact: the estimate psi maximises P(X = a; psi), X noncentral hypergeometric given the
      margins; psi_L solves P(X >= a; psi_L) = alpha/2 and psi_U solves P(X <= a; psi_U) =
      alpha/2. The estimate is not the sample odds ratio ad/(bc), though close to it.

    Zero cells (no silent correction):

    - total = 0 or reference_total = 0: NaN estimate and limits, with a note.
    - a = c = 0 (no events) or b = d = 0 (no non-events): 0/0, NaN with a note.
    - a = 0 or d = 0 (otherwise defined): estimate 0 and lower 0; the Woolf upper limit is NaN
      with a note; the exact upper limit is finite.
    - b = 0 or c = 0 (otherwise defined): estimate infinite and upper infinite; the Woolf
      lower limit is NaN with a note; the exact lower limit is finite.

    Large tables: the exact method sums over every table with the observed margins, and its
    cost grows with their number, min(a + c, n1) - max(0, a + c - n0) + 1. Above 10,000 such
    tables (about 10 seconds each), or above 2**31 - 1 people, it gives NaN with a note
    suggesting ``"woolf"``, rather than running for minutes or hours.

    References: Woolf B (1955) On estimating the relation between blood group and disease.
    Ann Hum Genet 19:251-253. Cornfield J (1956) A statistical problem arising from
    retrospective studies. Proc Third Berkeley Symp 4:135-148. Haldane JBS (1956) The
    estimation and significance of the logarithm of a ratio of frequencies. Ann Hum Genet
    20:309-311.

    Checked against: ``statsmodels.stats.contingency_tables.Table2x2`` (``oddsratio``,
    ``oddsratio_confint``); ``scipy.stats.contingency.odds_ratio`` (sample and conditional);
    the noncentral hypergeometric distribution ``scipy.stats.nchypergeom_fisher`` (tail
    probabilities at the exact limits equal alpha/2, and the conditional likelihood is
    maximal at the estimate); the Woolf formula evaluated by hand.

    Examples
    --------
    >>> from equitymetrics.stats import odds_ratio
    >>> result = odds_ratio(9, 13, 4, 14)
    >>> print(f"{result.estimate:.4f} ({result.lower:.4f} to {result.upper:.4f})")
    5.6250 (1.0773 to 29.3710)
    >>> exact = odds_ratio(3, 4, 1, 4, method="exact")
    >>> print(f"{exact.estimate:.4f} ({exact.lower:.4f} to {exact.upper:.2f})")
    6.4083 (0.2117 to 626.24)
    """
    return compare_counts(
        _METHODS,
        _CORRECTABLE,
        events,
        total,
        reference_events,
        reference_total,
        method=method,
        confidence_level=confidence_level,
        continuity_correction=continuity_correction,
    )
