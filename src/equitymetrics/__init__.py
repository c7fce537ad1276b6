"""equitymetrics: measure racial and ethnic inequity in NHS mental-health care and workforce.

Typical use in a notebook::

    import equitymetrics as em
    result = em.stats.proportion([12, 30], [140, 610])

See the documentation for the measures, methods and data contract.
"""

from equitymetrics import exceptions, stats
from equitymetrics._version import __version__

__all__ = [
    "__version__",
    "exceptions",
    "stats",
]
