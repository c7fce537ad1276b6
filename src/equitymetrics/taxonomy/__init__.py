"""Ethnicity classifications: NHS ethnic category, ONS Census 2021 groups, groupings, completeness.

- :func:`normalise_ethnic_category` turns messy extracts (codes in any case, local codes,
  labels, blanks, legacy values) into the NHS codes "A" ... "S", "Z" (not stated) and "99" (not
  known), and refuses, or counts and reports, anything it cannot recognise.
- :func:`normalise_census_ethnic_group` and :func:`census_to_nhs` read Census 2021 (TS021)
  codes and labels and cross them to NHS codes through an explicit, overridable crosswalk.
- :func:`get_grouping` and :class:`Grouping` define named groupings ("nhs16", "broad",
  "binary", or custom) with reference groups; :func:`assign_group` applies one.
- :func:`recording_completeness` reports how completely ethnicity is recorded, with Wilson
  intervals.

The classifications themselves are CSV files in ``taxonomy/data``. This layer imports only
:mod:`equitymetrics.stats` (for the Wilson interval) and the exceptions.
"""

from equitymetrics.taxonomy._census import census_to_nhs, normalise_census_ethnic_group
from equitymetrics.taxonomy._completeness import recording_completeness
from equitymetrics.taxonomy._groupings import (
    NOT_KNOWN_LABEL,
    NOT_STATED_LABEL,
    UNRECOGNISED_LABEL,
    Grouping,
    assign_group,
    get_grouping,
    list_groupings,
)
from equitymetrics.taxonomy._nhs import normalise_ethnic_category
from equitymetrics.taxonomy._tables import (
    CENSUS_TO_NHS_DEFAULT,
    NHS_CODES,
    NOT_KNOWN,
    NOT_STATED,
    STATED_CODES,
    UNRECOGNISED,
    census_ethnic_groups,
    nhs_ethnic_categories,
)

__all__ = [
    "CENSUS_TO_NHS_DEFAULT",
    "Grouping",
    "NHS_CODES",
    "NOT_KNOWN",
    "NOT_KNOWN_LABEL",
    "NOT_STATED",
    "NOT_STATED_LABEL",
    "STATED_CODES",
    "UNRECOGNISED",
    "UNRECOGNISED_LABEL",
    "assign_group",
    "census_ethnic_groups",
    "census_to_nhs",
    "get_grouping",
    "list_groupings",
    "nhs_ethnic_categories",
    "normalise_census_ethnic_group",
    "normalise_ethnic_category",
    "recording_completeness",
]
