"""Plain-English sentences for results rows, careful about uncertainty.

Rules:

* A ratio whose interval excludes 1 is described as a difference, with its interval.
* A ratio whose interval includes 1 is described as "no evidence of a difference"; the estimate
  and interval are still given, because "no evidence" is not "no difference".
* Rows without a ratio (the reference group, ethnicity not recorded) describe the level only.
* Small numbers (fewer than 10 events) add a caution.
"""

from __future__ import annotations

import math

import pandas as pd

from equitymetrics.measures._catalogue import MeasureSpec, get_measure

__all__ = ["interpretation", "interpret_rows"]


def _number(value: float, *, digits: int = 2) -> str:
    if math.isinf(value):
        return "infinite"
    return f"{value:,.{digits}f}"


def _level(spec: MeasureSpec, row: pd.Series) -> str:
    value = float(row["value"])
    if math.isnan(value):
        return ""
    unit = "%" if spec.unit_label == "%" else f" {spec.unit_label}"
    digits = 1
    text = f"{_number(value, digits=digits)}{unit}"
    lower, upper = float(row["lower_ci"]), float(row["upper_ci"])
    if not (math.isnan(lower) or math.isnan(upper)):
        percent = round(float(row["confidence_level"]) * 100, 1)
        text += (
            f" ({percent:g}% CI {_number(lower, digits=digits)} to {_number(upper, digits=digits)})"
        )
    return text


def _who(group: str, spec: MeasureSpec) -> str:
    return f"{group} {spec.subject}"


def interpretation(row: pd.Series, spec: MeasureSpec | None = None) -> str:
    """One sentence describing a results row.

    Parameters
    ----------
    row : Series
        A row of the results table.
    spec : MeasureSpec, optional
        The catalogue card; looked up from ``row["measure"]`` when omitted.

    Examples
    --------
    A row with ratio 1.8 (95% CI 1.3 to 2.4) for Black inpatients against White inpatients
    reads "Black inpatients were 1.80 times as likely as White inpatients to be subject to a
    restrictive intervention (95% CI 1.30 to 2.40)."
    """
    spec = spec or get_measure(str(row["measure"]))
    group, reference = str(row["group"]), str(row["reference_group"])
    ratio = float(row["ratio"])
    lower, upper = float(row["ratio_lower_ci"]), float(row["ratio_upper_ci"])
    significance = str(row.get("significance", ""))
    adjusted = str(row["adjustment"]) not in ("", "none")
    after = f" after adjusting for {row['adjustment']}" if adjusted else ""
    level = _level(spec, row)
    percent = round(float(row["confidence_level"]) * 100, 1)
    caution = (
        " Based on small numbers (fewer than 10 events): interpret with caution."
        if bool(row.get("small_numbers", False))
        else ""
    )

    if significance == "reference group":
        base = f"{_who(group, spec)} are the reference group"
        return f"{base}: {level}.{caution}" if level else f"{base}.{caution}"
    if math.isnan(ratio) or significance == "not compared":
        reason = str(row["note"]).split(";")[0] or "no comparison was possible"
        text = (
            f"{_who(group, spec)}: {level}. Not compared ({reason})."
            if level
            else (f"{_who(group, spec)}: not compared ({reason}).")
        )
        return text + caution
    interval = f"{percent:g}% CI {_number(lower)} to {_number(upper)}"
    if spec.kind in ("rate", "standardised rate"):
        compared = (
            f"{_who(group, spec)} had {_number(ratio)} times the rate of {spec.outcome} of "
            f"{_who(reference, spec)}{after}"
        )
    else:
        compared = (
            f"{_who(group, spec)} were {_number(ratio)} times as likely as "
            f"{_who(reference, spec)} to {spec.outcome}{after}"
        )
    if significance in ("higher", "lower"):
        sentence = f"{compared} ({interval})."
    else:
        sentence = (
            f"There is no evidence of a difference between {_who(group, spec)} and "
            f"{_who(reference, spec)}{after} (ratio {_number(ratio)}, {interval})."
        )
    return sentence + caution


def interpret_rows(results: pd.DataFrame) -> pd.Series:
    """The interpretation sentence of every row of a results table."""
    specs: dict[str, MeasureSpec] = {}
    sentences = []
    for _, row in results.iterrows():
        measure = str(row["measure"])
        if measure not in specs:
            specs[measure] = get_measure(measure)
        sentences.append(interpretation(row, specs[measure]))
    return pd.Series(sentences, index=results.index, dtype=object)
