"""Disclosure control: small-number suppression and rounding of results before publication.

Statistics are always computed on exact counts; this layer only decides what may be
published. A policy (:class:`DisclosurePolicy`) holds the rules as data; the built-in ones are
listed by :func:`list_policies`. :func:`apply_disclosure` returns the published copy of a
results table: counts rounded or suppressed, further counts suppressed so that no suppressed
count can be recovered by subtraction, and statistics that would reveal a suppressed count
withheld, with a ``suppressed`` flag and a plain-words ``note`` on every affected row.

This layer imports nothing else from the package except the exceptions.
"""

from equitymetrics.disclosure._apply import apply_disclosure
from equitymetrics.disclosure._policies import DisclosurePolicy, get_policy, list_policies

__all__ = [
    "DisclosurePolicy",
    "apply_disclosure",
    "get_policy",
    "list_policies",
]
