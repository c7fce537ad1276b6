"""Pure numerics for disparity measures: proportions, rates, standardisation, ratios.

Every function is vectorised over array-likes, validates its inputs, takes ``confidence_level``
(a fraction, default 0.95) as a keyword, and returns a frozen dataclass with ``estimate``,
``lower``, ``upper``, the ``method`` actually used per element, a ``note`` per element and
``to_frame()``. This layer imports nothing else from the package except the exceptions.

Inputs may be numbers, lists, numpy arrays, pandas Series or object arrays of numbers (int,
float, Decimal, Fraction). Counts must be whole numbers from 0 to 2**53; exposures, populations
and weights finite and >= 0. NaN, infinity, negatives, booleans, strings, None and ragged lists
raise an :class:`~equitymetrics.exceptions.EquityMetricsError` subclass naming the argument and
the position. A value that cannot be computed (a zero denominator, or a result beyond the float
range) is NaN with the reason in ``note``.
"""

from equitymetrics.stats._differences import RiskDifferenceResult, risk_difference
from equitymetrics.stats._funnel import FunnelLimits, funnel_limits, funnel_position
from equitymetrics.stats._mantel_haenszel import (
    MantelHaenszelRateRatioResult,
    MantelHaenszelResult,
    mantel_haenszel_odds_ratio,
    mantel_haenszel_rate_ratio,
    mantel_haenszel_risk_ratio,
)
from equitymetrics.stats._odds_ratio import odds_ratio
from equitymetrics.stats._proportions import ProportionResult, proportion
from equitymetrics.stats._rate_ratio import RateRatioResult, rate_ratio
from equitymetrics.stats._rates import RateResult, crude_rate
from equitymetrics.stats._ratios import RatioResult
from equitymetrics.stats._results import IntervalResult
from equitymetrics.stats._risk_ratio import risk_ratio
from equitymetrics.stats._spc import (
    SpecialCauseResult,
    XmRLimits,
    special_cause_flags,
    xmr_limits,
)
from equitymetrics.stats._standardised import (
    StandardisedRateResult,
    StandardisedRatioResult,
    directly_standardised_rate,
    indirectly_standardised_ratio,
)
from equitymetrics.stats._standards import EUROPEAN_STANDARD_POPULATION_2013, StandardPopulation

__all__ = [
    "EUROPEAN_STANDARD_POPULATION_2013",
    "FunnelLimits",
    "IntervalResult",
    "MantelHaenszelRateRatioResult",
    "MantelHaenszelResult",
    "ProportionResult",
    "RateRatioResult",
    "RateResult",
    "RatioResult",
    "RiskDifferenceResult",
    "SpecialCauseResult",
    "StandardPopulation",
    "StandardisedRateResult",
    "StandardisedRatioResult",
    "XmRLimits",
    "crude_rate",
    "directly_standardised_rate",
    "funnel_limits",
    "funnel_position",
    "indirectly_standardised_ratio",
    "mantel_haenszel_odds_ratio",
    "mantel_haenszel_rate_ratio",
    "mantel_haenszel_risk_ratio",
    "odds_ratio",
    "proportion",
    "rate_ratio",
    "risk_difference",
    "risk_ratio",
    "special_cause_flags",
    "xmr_limits",
]
