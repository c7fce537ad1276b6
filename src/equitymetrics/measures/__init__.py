"""The measure catalogue: counts -> results rows with ratios to a named reference group.

Each measure answers a question a patient or member of staff could ask (see
:data:`CATALOGUE`), with an estimate, a confidence interval, a ratio to the reference group,
excess events, the range the ratio could take if every record of unknown ethnicity belonged to
the group or to the reference, and a plain-English sentence.
"""

from equitymetrics.measures._catalogue import CATALOGUE, MeasureSpec, get_measure, list_measures
from equitymetrics.measures._compare import ALL_GROUP, Comparison, comparison_rows
from equitymetrics.measures._groups import comparison_for, roll_up
from equitymetrics.measures._interpret import interpret_rows, interpretation
from equitymetrics.measures._methods import METHOD_REFERENCES, methods_used
from equitymetrics.measures._mha import mha_results
from equitymetrics.measures._periods import reporting_periods, wres_year
from equitymetrics.measures._recording import recording_results
from equitymetrics.measures._restrictive import WARD_ADJUSTMENT, restrictive_practice_results
from equitymetrics.measures._results import InputRecord, MethodRecord, Provenance, Results
from equitymetrics.measures._smi import SMI_ELEMENTS, smi_results
from equitymetrics.measures._stratified import stratified_rows
from equitymetrics.measures._table import (
    EXTRA_COLUMNS,
    RESULT_COLUMNS,
    empty_results,
    finalise_results,
)
from equitymetrics.measures._wres import NON_ADVERSE_RANGE, WorkforceCounts, wres_results

__all__ = [
    "ALL_GROUP",
    "CATALOGUE",
    "Comparison",
    "EXTRA_COLUMNS",
    "InputRecord",
    "METHOD_REFERENCES",
    "MeasureSpec",
    "MethodRecord",
    "NON_ADVERSE_RANGE",
    "Provenance",
    "RESULT_COLUMNS",
    "Results",
    "SMI_ELEMENTS",
    "WARD_ADJUSTMENT",
    "WorkforceCounts",
    "comparison_for",
    "comparison_rows",
    "empty_results",
    "finalise_results",
    "get_measure",
    "interpret_rows",
    "interpretation",
    "list_measures",
    "methods_used",
    "mha_results",
    "recording_results",
    "reporting_periods",
    "restrictive_practice_results",
    "roll_up",
    "smi_results",
    "stratified_rows",
    "wres_results",
    "wres_year",
]
