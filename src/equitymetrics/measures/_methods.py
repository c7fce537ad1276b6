"""The statistical methods behind the results, with their references (for provenance)."""

from __future__ import annotations

import pandas as pd

from equitymetrics.measures._results import MethodRecord

__all__ = ["METHOD_REFERENCES", "methods_used"]

METHOD_REFERENCES: dict[str, tuple[str, str]] = {
    "wilson": (
        "Wilson score interval for a proportion",
        "Wilson EB (1927). Probable inference, the law of succession, and statistical "
        "inference. J Am Stat Assoc 22:209-212.",
    ),
    "byar": (
        "Byar's approximation to the Poisson interval for a count (10 or more events)",
        "Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, Vol II. IARC.",
    ),
    "exact": (
        "Exact Poisson interval for a count (fewer than 10 events)",
        "Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.",
    ),
    "dobson": (
        "Directly standardised rate with Dobson's interval",
        "Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted "
        "sums of Poisson parameters. Stat Med 10:457-462.",
    ),
    "normal_national": (
        "NHS England national Mental Health Act method (normal interval, binomial variance)",
        "NHS England, Mental Health Act Statistics, Annual Figures: methodology.",
    ),
    "katz": (
        "Risk ratio with the Katz log interval",
        "Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the "
        "risk ratio in cohort studies. Biometrics 34:469-474.",
    ),
    "log": (
        "Rate ratio with the log-normal interval",
        "Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed.",
    ),
    "mantel-haenszel": (
        "Mantel-Haenszel pooled ratio over strata (Greenland-Robins variance)",
        "Greenland S, Robins JM (1985). Estimation of a common effect parameter from sparse "
        "follow-up data. Biometrics 41:55-68.",
    ),
    "newcombe": (
        "Difference of proportions with Newcombe's hybrid score interval",
        "Newcombe RG (1998). Interval estimation for the difference between independent "
        "proportions. Stat Med 17:873-890.",
    ),
}
"""Method key -> (what it is, reference)."""


def methods_used(results: pd.DataFrame) -> list[MethodRecord]:
    """One record per method named in the ``method`` or ``ratio_method`` columns."""
    named = " ".join(
        sorted(set(results["method"].astype(str)) | set(results["ratio_method"].astype(str)))
    ).lower()
    records = []
    for key, (description, reference) in METHOD_REFERENCES.items():
        if key in named:
            records.append(MethodRecord(name=key, used_for=description, reference=reference))
    return records
