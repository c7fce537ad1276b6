"""Age bands: parsing labels such as ``"18-34"`` and ``"65+"``, and assigning ages to bands.

Bands are given as labels: ``"a-b"`` (ages a to b inclusive), ``"a+"`` (a and over) or ``"a"``
(exactly a). Together they must form one contiguous range without gaps or overlaps; only the
oldest band may be open-ended. Ages are in completed years.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import narwhals as nw

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError

__all__ = [
    "AgeBand",
    "UNKNOWN_AGE_BAND",
    "age_band_expression",
    "nest_age_bands",
    "parse_age_band",
    "parse_age_bands",
]

UNKNOWN_AGE_BAND = "unknown"
"""The ``age_band`` of a person whose age is not known (no birth date and no age)."""

_LABEL = re.compile(r"^\s*(\d+)\s*(?:(-)\s*(\d+)|(\+))?\s*$")


@dataclass(frozen=True, slots=True)
class AgeBand:
    """One age band: ages ``lower`` to ``upper`` inclusive (``upper=None``: no upper limit)."""

    label: str
    lower: int
    upper: int | None

    def contains(self, other: AgeBand) -> bool:
        """Whether every age of ``other`` lies in this band."""
        if other.lower < self.lower:
            return False
        if self.upper is None:
            return True
        return other.upper is not None and other.upper <= self.upper

    def overlaps(self, other: AgeBand) -> bool:
        """Whether this band and ``other`` share at least one age."""
        below = self.upper is not None and self.upper < other.lower
        above = other.upper is not None and other.upper < self.lower
        return not (below or above)


def parse_age_band(label: str, *, argument: str = "age_bands") -> AgeBand:
    """Parse one band label: ``"a-b"``, ``"a+"`` or ``"a"``.

    Examples
    --------
    >>> parse_age_band("18-34")
    AgeBand(label='18-34', lower=18, upper=34)
    >>> parse_age_band("65+")
    AgeBand(label='65+', lower=65, upper=None)
    """
    if not isinstance(label, str):
        raise InvalidTypeError(f"{argument} must hold strings like '18-34'; got {label!r}.")
    match = _LABEL.match(label)
    if match is None:
        raise InvalidArgumentError(
            f"{argument}: cannot read the age band {label!r}; write 'a-b' (e.g. '18-34'), "
            "'a+' (e.g. '65+') or a single age 'a' (e.g. '15')."
        )
    lower = int(match.group(1))
    if match.group(4):
        return AgeBand(label, lower, None)
    upper = int(match.group(3)) if match.group(2) else lower
    if upper < lower:
        raise InvalidArgumentError(
            f"{argument}: the age band {label!r} ends before it starts; write it as "
            f"'{upper}-{lower}'."
        )
    return AgeBand(label, lower, upper)


def parse_age_bands(labels: Iterable[str], *, argument: str = "age_bands") -> tuple[AgeBand, ...]:
    """Parse band labels and check they form one contiguous range (no gaps, no overlaps).

    Parameters
    ----------
    labels : iterable of str
        Band labels such as ``("0-17", "18-34", "35-49", "50-64", "65+")``, in any order.
    argument : str
        Name used in error messages.

    Returns
    -------
    tuple of AgeBand
        The bands, youngest first.

    Raises
    ------
    InvalidArgumentError
        A label cannot be read, is repeated, or the bands leave a gap or overlap.
    """
    if isinstance(labels, str):
        raise InvalidTypeError(
            f"{argument} must be a sequence of labels such as ('0-17', '18-34', '35+'); got the "
            f"single string {labels!r}."
        )
    bands = sorted(
        (parse_age_band(label, argument=argument) for label in labels), key=lambda b: b.lower
    )
    if not bands:
        raise InvalidArgumentError(f"{argument} must name at least one age band; got none.")
    seen: set[str] = set()
    for band in bands:
        if band.label in seen:
            raise InvalidArgumentError(f"{argument}: the age band {band.label!r} is repeated.")
        seen.add(band.label)
    for previous, band in itertools.pairwise(bands):
        if previous.upper is None or previous.upper >= band.lower:
            raise InvalidArgumentError(
                f"{argument}: the age bands {previous.label!r} and {band.label!r} overlap; each "
                "age must fall in exactly one band."
            )
        if previous.upper + 1 != band.lower:
            raise InvalidArgumentError(
                f"{argument}: there is a gap between the age bands {previous.label!r} and "
                f"{band.label!r} (ages {previous.upper + 1} to {band.lower - 1} fall in no "
                "band); make each band start the year after the previous one ends."
            )
    return tuple(bands)


def age_band_expression(age: nw.Expr, bands: Sequence[AgeBand]) -> nw.Expr:
    """Expression giving the band label of ``age``.

    The label is :data:`UNKNOWN_AGE_BAND` when the age is missing, and missing (null) when the
    age falls in no band (the caller counts those rows as exclusions).
    """
    result = nw.lit(None, nw.String)
    for band in reversed(bands):
        inside = age >= band.lower
        if band.upper is not None:
            inside = inside & (age <= band.upper)
        result = nw.when(inside).then(nw.lit(band.label)).otherwise(result)
    return nw.when(age.is_null()).then(nw.lit(UNKNOWN_AGE_BAND)).otherwise(result)


def nest_age_bands(
    fine: Iterable[str], bands: Sequence[AgeBand], *, argument: str = "age_band"
) -> Mapping[str, str | None]:
    """Map each finer band label (e.g. a census band) to the analysis band containing it.

    Parameters
    ----------
    fine : iterable of str
        Finer band labels, such as census bands ``"0-4"``, ``"15"``, ``"16-17"``, ``"90+"``.
    bands : sequence of AgeBand
        The analysis bands (from :func:`parse_age_bands`).
    argument : str
        Name of the column holding the finer labels, for error messages.

    Returns
    -------
    mapping of str to str or None
        Finer label -> analysis label, or None when the finer band lies wholly outside the
        analysis bands.

    Raises
    ------
    InvalidArgumentError
        A finer band straddles two analysis bands (both are named), or straddles the edge of
        the analysis range.
    """
    mapping: dict[str, str | None] = {}
    for label in fine:
        band = parse_age_band(label, argument=argument)
        touching = [candidate for candidate in bands if candidate.overlaps(band)]
        if not touching:
            mapping[label] = None
            continue
        holder = touching[0]
        if len(touching) > 1:
            raise InvalidArgumentError(
                f"{argument} {label!r} straddles the analysis age bands {touching[0].label!r} "
                f"and {touching[1].label!r}; choose analysis bands whose limits fall on the "
                f"limits of the {argument} values."
            )
        if not holder.contains(band):
            raise InvalidArgumentError(
                f"{argument} {label!r} lies partly outside the analysis age bands (it overlaps "
                f"{holder.label!r} only in part); choose analysis bands whose limits fall on the "
                f"limits of the {argument} values."
            )
        mapping[label] = holder.label
    return mapping
