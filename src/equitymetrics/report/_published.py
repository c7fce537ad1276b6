"""The published copy of a run: disclosure control applied to everything the report writes.

:func:`publish` is the only place the report layer touches the exact results. It returns a
:class:`Published` bundle holding

* the results table after :func:`equitymetrics.disclosure.apply_disclosure`, with the extra
  columns the disclosure layer does not know about made consistent with it: where a ratio is
  withheld, its sensitivity range, its non-adverse-range flag and its significance are withheld
  too, and where any statistic of a row is withheld, the row's sentence is rewritten so that it
  does not quote it;
* a mask of the cells that were withheld (shown as ``*`` in the HTML report and the workbook);
* the data-quality counts (rows excluded by reason, rows read and accepted per input table) with
  the policy's primary rule applied (small counts suppressed, others rounded);
* the provenance, the failures and the policy itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equitymetrics.disclosure import DisclosurePolicy, apply_disclosure, get_policy
from equitymetrics.exceptions import InvalidTypeError
from equitymetrics.measures import CATALOGUE, InputRecord, MeasureSpec, Provenance, Results

__all__ = [
    "CHECKED_COLUMNS",
    "NestedGroupings",
    "Published",
    "PublishedInput",
    "UnitParents",
    "find_spec",
    "policy_rule",
    "publish",
    "publish_count",
    "resolve_policy",
]

CHECKED_COLUMNS: tuple[str, ...] = (
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "ratio",
    "ratio_lower_ci",
    "ratio_upper_ci",
    "excess_events",
)
"""Columns whose cells may be withheld by the disclosure policy."""

UnitParents = Mapping[tuple[str, str], tuple[str, str]]
"""(unit type, unit) -> (unit type, unit) of the unit that contains it."""

NestedGroupings = Mapping[tuple[str, str], Mapping[str, str]]
"""(fine grouping, coarse grouping) -> {fine group: coarse group}."""

_STATISTICS = ("value", "lower_ci", "upper_ci", "ratio", "ratio_lower_ci", "ratio_upper_ci")
_SPECS: dict[str, MeasureSpec] = {spec.id: spec for spec in CATALOGUE}


def find_spec(measure: str) -> MeasureSpec | None:
    """The catalogue card of ``measure``, or None for a measure the catalogue does not hold."""
    return _SPECS.get(measure)


@dataclass(frozen=True, slots=True)
class PublishedInput:
    """One input table's row accounting as published (None where a count is suppressed)."""

    table: str
    source: str
    loader: str
    sha256: str
    rows_read: float | None
    rows_accepted: float | None
    rows_excluded: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (whole counts as int)."""
        return {
            "table": self.table,
            "source": self.source,
            "loader": self.loader,
            "sha256": self.sha256,
            "rows_read": _json_count(self.rows_read),
            "rows_accepted": _json_count(self.rows_accepted),
            "rows_excluded": {k: _json_count(v) for k, v in sorted(self.rows_excluded.items())},
        }


@dataclass(frozen=True, slots=True)
class Published:
    """Everything the report may publish, with disclosure control applied.

    Attributes
    ----------
    table : DataFrame
        The published results table (same rows and order as the exact one).
    withheld : DataFrame
        Boolean, one column per :data:`CHECKED_COLUMNS`: True where the exact table had a
        value and the published one does not.
    exclusions : DataFrame
        Rows excluded by period, table and reason; ``rows`` published under the policy
        (missing where suppressed).
    inputs : tuple of PublishedInput
        Row accounting of each input table, published under the policy.
    provenance : Provenance
        The provenance of the run (its exact input counts are not published; see ``inputs``).
    failures : dict
        Measure or family -> reason, for everything that failed while being computed.
    skipped : dict
        Family -> reason, for families not computed because their data were not configured.
    policy : DisclosurePolicy
        The policy applied.
    """

    table: pd.DataFrame
    withheld: pd.DataFrame
    exclusions: pd.DataFrame
    inputs: tuple[PublishedInput, ...]
    provenance: Provenance
    failures: dict[str, str]
    skipped: dict[str, str]
    policy: DisclosurePolicy


def _json_count(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def publish_count(value: float, policy: DisclosurePolicy) -> float | None:
    """One count as published: None when the policy suppresses it, otherwise rounded.

    Rounding is to the nearest multiple of ``policy.rounding_base``, halves away from zero
    (the rule of :func:`equitymetrics.disclosure.apply_disclosure`).

    Examples
    --------
    >>> from equitymetrics.disclosure import get_policy
    >>> policy = get_policy("nhs_secondary_care")
    >>> publish_count(3, policy) is None, publish_count(0, policy), publish_count(12.5, policy)
    (True, 0.0, 15.0)
    """
    number = float(value)
    if math.isnan(number) or policy.is_small(number):
        return None
    base = policy.rounding_base
    if base == 1:
        return number
    return math.copysign(math.floor(abs(number) / base + 0.5) * base, number)


def policy_rule(policy: DisclosurePolicy) -> str:
    """The policy's rule in plain words, for every output to state."""
    suppressed = policy.suppressed_range
    if suppressed is None and policy.rounding_base == 1:
        return f"{policy.description}: no disclosure control; all counts are exact."
    parts: list[str] = []
    if suppressed is not None:
        low, high = suppressed
        span = f"{low} to {high}" if low != high else f"{low}"
        parts.append(f"counts of {span} are suppressed (shown as *)")
        if policy.show_zero:
            parts.append("zero is shown as 0")
    if policy.rounding_base > 1:
        parts.append(f"other counts are rounded to the nearest {policy.rounding_base}")
    if policy.secondary_suppression:
        parts.append(
            "further counts are suppressed where a suppressed count could be worked out from totals"
        )
    parts.append(
        "rates, ratios and intervals are calculated from exact counts and withheld where they "
        "would reveal a suppressed count"
    )
    if policy.exempt_unit_types:
        parts.append(f"exempt unit types: {', '.join(policy.exempt_unit_types)}")
    return f"{policy.description} ({policy.name}): " + "; ".join(parts) + "."


def _withheld_mask(exact: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    mask = {}
    for column in CHECKED_COLUMNS:
        if column in exact.columns and column in published.columns:
            before = exact[column].notna().to_numpy()
            after = published[column].notna().to_numpy()
            mask[column] = before & ~after
        else:
            mask[column] = np.zeros(len(published), dtype=bool)
    return pd.DataFrame(mask, index=published.index)


def _withheld_sentence(row: pd.Series, policy: DisclosurePolicy, *, own_count: bool) -> str:
    spec = find_spec(str(row["measure"]))
    subject = spec.subject if spec is not None else "people"
    who = f"{row['group']} {subject}".strip()
    if not own_count:
        return (
            f"{who}: the comparison with the reference group is withheld because the reference "
            f"group's count is suppressed under the {policy.description}."
        )
    return (
        f"{who}: figures withheld because they would reveal a count suppressed under the "
        f"{policy.description}."
    )


def _consistent_extras(
    table: pd.DataFrame, withheld: pd.DataFrame, policy: DisclosurePolicy
) -> pd.DataFrame:
    """Withhold the extra columns that would reveal a withheld statistic."""
    table = table.copy()
    ratio_hidden = withheld["ratio"].to_numpy()
    for column in ("ratio_sensitivity_lower", "ratio_sensitivity_upper"):
        if column in table.columns:
            table[column] = table[column].mask(ratio_hidden)
    if "non_adverse_range" in table.columns:
        table["non_adverse_range"] = table["non_adverse_range"].astype("boolean").mask(ratio_hidden)
    if "significance" in table.columns:
        significance = table["significance"].astype(object).to_numpy(copy=True)
        significance[ratio_hidden] = "withheld"
        table["significance"] = pd.Series(significance, index=table.index, dtype=object)
    if "interpretation" in table.columns:
        statistics = withheld[list(_STATISTICS)].to_numpy().any(axis=1)
        own = withheld[["numerator", "denominator", "value", "lower_ci", "upper_ci"]]
        own_hidden = np.asarray(own.to_numpy(dtype=bool).any(axis=1), dtype=bool)
        sentences = table["interpretation"].astype(object).to_numpy(copy=True)
        for position in np.flatnonzero(statistics):
            sentences[position] = _withheld_sentence(
                table.iloc[position], policy, own_count=bool(own_hidden[position])
            )
        table["interpretation"] = pd.Series(sentences, index=table.index, dtype=object)
    return table


def _published_exclusions(exclusions: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    columns = ["period_start", "period_end", "table", "reason", "rows"]
    if exclusions.empty or "rows" not in exclusions.columns:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    frame = exclusions.copy()
    for name in columns:
        if name not in frame.columns:
            frame[name] = pd.NA
    frame = frame[columns]
    values = [publish_count(float(v), policy) for v in frame["rows"]]
    whole = all(v is None or float(v).is_integer() for v in values)
    array = pd.array([pd.NA if v is None else v for v in values], dtype="Float64")
    frame["rows"] = array.astype("Int64") if whole else array
    frame = frame.sort_values(["table", "reason", "period_start"], kind="mergesort")
    return frame.reset_index(drop=True)


def _published_input(record: InputRecord, policy: DisclosurePolicy) -> PublishedInput:
    return PublishedInput(
        table=record.table,
        source=record.source,
        loader=record.loader,
        sha256=record.sha256,
        rows_read=publish_count(record.rows_read, policy),
        rows_accepted=publish_count(record.rows_accepted, policy),
        rows_excluded={k: publish_count(v, policy) for k, v in record.rows_excluded.items()},
    )


def resolve_policy(policy: DisclosurePolicy | str) -> DisclosurePolicy:
    """A policy object from a policy or the name of a built-in one."""
    if isinstance(policy, DisclosurePolicy):
        return policy
    if isinstance(policy, str):
        return get_policy(policy)
    raise InvalidTypeError(
        f"policy must be a DisclosurePolicy or the name of a built-in policy such as "
        f"'nhs_secondary_care'; got {type(policy).__name__} {policy!r}."
    )


def publish(
    results: Results,
    policy: DisclosurePolicy | str,
    *,
    unit_parents: UnitParents | None = None,
    nested_groupings: NestedGroupings | None = None,
) -> Published:
    """Apply ``policy`` to everything in ``results`` that the report publishes.

    ``unit_parents`` and ``nested_groupings`` are passed to
    :func:`equitymetrics.disclosure.apply_disclosure`.
    """
    if not isinstance(results, Results):
        raise InvalidTypeError(
            f"results must be the Results object returned by a run (equitymetrics.compute); "
            f"got {type(results).__name__}."
        )
    resolved = resolve_policy(policy)
    exact = results.table.reset_index(drop=True)
    table = apply_disclosure(
        exact, resolved, unit_parents=unit_parents, nested_groupings=nested_groupings
    )
    withheld = _withheld_mask(exact, table)
    table = _consistent_extras(table, withheld, resolved)
    failures: dict[str, str] = dict(results.provenance.measures_failed)
    failures.update(results.failures)
    inputs = tuple(_published_input(record, resolved) for record in results.provenance.inputs)
    return Published(
        table=table,
        withheld=withheld,
        exclusions=_published_exclusions(results.exclusions, resolved),
        inputs=inputs,
        provenance=results.provenance,
        failures=dict(sorted(failures.items())),
        skipped=dict(sorted(results.provenance.measures_skipped.items())),
        policy=resolved,
    )
