"""Pure numerics for disparity measures: proportions, rates, standardisation, ratios.

Every function is vectorised over array-likes, validates its inputs, takes ``confidence_level``
(a fraction, default 0.95) as a keyword, and returns a frozen dataclass with ``estimate``,
``lower``, ``upper``, the ``method`` actually used per element, a ``note`` per element and
``to_frame()``. This layer imports nothing else from the package except the exceptions.
"""

from equitymetrics.stats._results import IntervalResult

__all__ = [
    "IntervalResult",
]
