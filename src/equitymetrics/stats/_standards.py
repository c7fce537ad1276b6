"""Standard populations for direct standardisation, as data."""

from __future__ import annotations

import math
from dataclasses import dataclass

from equitymetrics.exceptions import InvalidArgumentError

__all__ = ["EUROPEAN_STANDARD_POPULATION_2013", "StandardPopulation"]


@dataclass(frozen=True, slots=True)
class StandardPopulation:
    """A named standard population: band labels and their weights, in the same order.

    Pass ``weights`` (or the object itself) as ``standard`` to
    :func:`~equitymetrics.stats.directly_standardised_rate`, with the strata of ``events``
    and ``population`` in the order of ``bands``.

    Attributes
    ----------
    name : str
        Human-readable name, e.g. ``"European Standard Population 2013"``.
    bands : tuple of str
        Stratum labels, e.g. ``("0-4", "5-9", ..., "90+")``.
    weights : tuple of float
        The standard population in each band (finite, >= 0, positive total).
    """

    name: str
    bands: tuple[str, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.bands) != len(self.weights):
            raise InvalidArgumentError(
                f"bands and weights must have the same length; got {len(self.bands)} bands "
                f"and {len(self.weights)} weights for {self.name!r}."
            )
        if any(not math.isfinite(w) or w < 0 for w in self.weights) or sum(self.weights) <= 0:
            raise InvalidArgumentError(
                f"weights must be finite numbers >= 0 with a positive total; got "
                f"{self.weights!r} for {self.name!r}."
            )

    @property
    def total(self) -> float:
        """The sum of the weights (100,000 for the European Standard Population 2013)."""
        return float(sum(self.weights))


EUROPEAN_STANDARD_POPULATION_2013 = StandardPopulation(
    name="European Standard Population 2013",
    bands=(
        "0-4",
        "5-9",
        "10-14",
        "15-19",
        "20-24",
        "25-29",
        "30-34",
        "35-39",
        "40-44",
        "45-49",
        "50-54",
        "55-59",
        "60-64",
        "65-69",
        "70-74",
        "75-79",
        "80-84",
        "85-89",
        "90+",
    ),
    weights=(
        5000.0,
        5500.0,
        5500.0,
        5500.0,
        6000.0,
        6000.0,
        6500.0,
        7000.0,
        7000.0,
        7000.0,
        7000.0,
        6500.0,
        6000.0,
        5500.0,
        5000.0,
        4000.0,
        2500.0,
        1500.0,
        1000.0,
    ),
)
"""The European Standard Population 2013 (Eurostat): 19 five-year age bands, total 100,000."""
