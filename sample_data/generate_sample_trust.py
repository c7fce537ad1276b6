"""Generate the synthetic sample trust shipped with equitymetrics.

Every value written by this script is SYNTHETIC. "Example Partnership NHS Foundation Trust", its
wards, its four catchment areas (Northvale, Eastmere, Southbrook, Westdown) and their area codes
(E06999901 to E06999904, a range no real area uses) are invented; no record describes a real
person, place or organisation.

The script writes one CSV file per canonical table of the equitymetrics data contract
(``patients``, ``inpatient_stays``, ``restrictive_interventions``, ``mha_episodes``,
``smi_register``, ``census_population``, ``staff``, ``recruitment``, ``disciplinary``,
``training``, ``staff_survey``) into ``src/equitymetrics/datasets/sample_trust/`` (or ``--out``).

The output is byte-for-byte reproducible: ``numpy.random.default_rng(SEED)`` is split into one
independent stream per step (``STREAMS``), every table is sorted by its key columns, there are
no floating-point columns and no timestamps, and files are UTF-8 with ``\\n`` line endings.
(NumPy does not promise the same random streams in every future version; the shipped files were
made with numpy 2.4 and pandas 3.1.)

Group differences are drawn by systematic sampling (see ``systematic``): every unit keeps its
exact probability, but each group's count stays within one of its expectation, so the planted
differences are visible in a sample of this size rather than swamped by sampling noise.

The data carry planted disparities (the true generating parameters are the constants below and
are documented, with the values realised in the shipped files, in ``docs/sample-data.md``) and
realistic recording mess in the ethnicity, sex and date columns, but no invalid values: every
file loads cleanly.

Usage::

    python sample_data/generate_sample_trust.py              # rewrite the packaged files
    python sample_data/generate_sample_trust.py --out DIR    # write them somewhere else
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.object_]

# --------------------------------------------------------------------------------------------
# Constants: the fictional trust and the true generating parameters
# --------------------------------------------------------------------------------------------

SEED = 20250630
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/equitymetrics/datasets/sample_trust"

EPOCH = dt.date(1970, 1, 1)
HISTORY_START = dt.date(2017, 1, 1)  # admissions are simulated from here, then trimmed
WINDOW_START = dt.date(2023, 7, 1)  # first day of the extract (8 quarters)
WINDOW_END = dt.date(2025, 6, 30)  # last day of the extract; later discharges are left open
AGE_REFERENCE = dt.date(2024, 7, 1)  # people are given an age in their census band at this date
QUARTER_ENDS = (
    "2023-09-30",
    "2023-12-31",
    "2024-03-31",
    "2024-06-30",
    "2024-09-30",
    "2024-12-31",
    "2025-03-31",
    "2025-06-30",
)
TARGET_PATIENTS = 20_000

# (area code, name, residents, diversity): diversity multiplies every group other than White
# British (census code 13), whose share is the remainder.
AREAS = (
    ("E06999901", "Northvale", 430_000, 1.6),
    ("E06999902", "Eastmere", 360_000, 1.0),
    ("E06999903", "Southbrook", 340_000, 0.8),
    ("E06999904", "Westdown", 270_000, 0.5),
)
OUTSIDE_AREAS = ("E06999911", "E07999912", "E08999913")  # fictional areas outside the catchment


class CensusGroup(NamedTuple):
    """A Census 2021 ethnic group, its NHS code, base share (%) and age-structure slope."""

    code: int
    nhs_code: str
    share: float  # % of residents before the area's diversity factor (13 is the remainder)
    slope: float  # > 0: younger age structure than White British


CENSUS_GROUPS = (
    CensusGroup(1, "K", 0.35, 0.025),
    CensusGroup(2, "R", 0.55, 0.020),
    CensusGroup(3, "H", 1.70, 0.020),
    CensusGroup(4, "J", 0.70, 0.025),
    CensusGroup(5, "L", 1.50, 0.020),
    CensusGroup(6, "N", 1.25, 0.030),
    CensusGroup(7, "M", 0.55, 0.005),
    CensusGroup(8, "P", 0.20, 0.030),
    CensusGroup(9, "F", 0.85, 0.045),
    CensusGroup(10, "E", 0.35, 0.050),
    CensusGroup(11, "D", 0.70, 0.045),
    CensusGroup(12, "G", 0.60, 0.045),
    CensusGroup(13, "A", 0.00, 0.000),
    CensusGroup(14, "B", 0.90, -0.010),
    CensusGroup(15, "C", 0.10, 0.020),
    CensusGroup(16, "C", 0.05, 0.030),
    CensusGroup(17, "C", 5.50, 0.020),
    CensusGroup(18, "S", 0.30, 0.025),
    CensusGroup(19, "S", 0.70, 0.020),
)

NHS_BROAD = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
}
NHS_LABELS = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group",
}


class AgeBand(NamedTuple):
    """A census age band with its population density and per-capita service-use rates."""

    label: str
    low: int
    high: int  # inclusive; "90+" is treated as 90-99
    density: float  # residents per single year of age, relative (White British)
    female_share: float
    detention_rate: float  # new MHA detentions per 100,000 per year, White, both sexes
    informal_rate: float  # informal admissions per 100,000 per year, White, both sexes
    service_weight: float  # relative chance of being a community patient


AGE_BANDS = (
    AgeBand("0-4", 0, 4, 1.05, 0.49, 0.0, 0.0, 0.0),
    AgeBand("5-9", 5, 9, 1.15, 0.49, 0.0, 0.0, 0.10),
    AgeBand("10-14", 10, 14, 1.20, 0.49, 6.0, 4.0, 0.30),
    AgeBand("15", 15, 15, 1.15, 0.49, 30.0, 20.0, 0.50),
    AgeBand("16-17", 16, 17, 1.10, 0.49, 60.0, 35.0, 0.60),
    AgeBand("18-19", 18, 19, 1.00, 0.49, 130.0, 70.0, 0.90),
    AgeBand("20-24", 20, 24, 1.00, 0.49, 140.0, 75.0, 1.00),
    AgeBand("25-29", 25, 29, 1.10, 0.50, 135.0, 72.0, 1.00),
    AgeBand("30-34", 30, 34, 1.20, 0.50, 125.0, 68.0, 1.00),
    AgeBand("35-39", 35, 39, 1.20, 0.50, 115.0, 63.0, 1.00),
    AgeBand("40-44", 40, 44, 1.20, 0.51, 105.0, 58.0, 1.00),
    AgeBand("45-49", 45, 49, 1.30, 0.51, 95.0, 52.0, 1.00),
    AgeBand("50-54", 50, 54, 1.45, 0.51, 80.0, 45.0, 0.95),
    AgeBand("55-59", 55, 59, 1.45, 0.51, 70.0, 40.0, 0.90),
    AgeBand("60-64", 60, 64, 1.30, 0.51, 60.0, 36.0, 0.80),
    AgeBand("65-69", 65, 69, 1.20, 0.52, 55.0, 38.0, 0.80),
    AgeBand("70-74", 70, 74, 1.25, 0.53, 60.0, 42.0, 0.85),
    AgeBand("75-79", 75, 79, 0.95, 0.54, 75.0, 50.0, 1.10),
    AgeBand("80-84", 80, 84, 0.65, 0.57, 90.0, 60.0, 1.30),
    AgeBand("85-89", 85, 89, 0.40, 0.62, 95.0, 62.0, 1.40),
    AgeBand("90+", 90, 99, 0.20, 0.70, 85.0, 55.0, 1.40),
)

# Mental Health Act: rate multipliers by broad group (White = 1), applied to every age-sex cell,
# so they are the true age-sex standardised rate ratios. Informal admissions and service use.
DETENTION_MULTIPLIER = {"White": 1.0, "Mixed": 1.8, "Asian": 1.3, "Black": 3.5, "Other": 1.6}
INFORMAL_MULTIPLIER = {"White": 1.0, "Mixed": 1.2, "Asian": 1.0, "Black": 1.2, "Other": 1.0}
SERVICE_MULTIPLIER = {"White": 1.0, "Mixed": 1.1, "Asian": 0.7, "Black": 1.2, "Other": 0.9}
SEX_MULTIPLIER = {"1": 1.1, "2": 0.9}
READMISSION_SHARE = 0.25  # chance an admission belongs to someone already admitted in the cell
OUT_OF_AREA_ADMISSIONS_PER_YEAR = 150
OUT_OF_AREA_DETAINED = 0.6
OUT_OF_AREA_BLANK = 0.3  # share of out-of-area people with no residence code at all
CATCHMENT_BLANK = 0.01  # share of catchment residents with no residence code recorded

# New-detention legal status categories (REFERENCE: A, B, C, D, P) and their shares.
DETENTION_CATEGORIES = (("A", 0.60), ("B", 0.14), ("C", 0.16), ("D", 0.04), ("P", 0.06))
DETENTION_ENDS_AT_DISCHARGE = 0.7  # otherwise the detention lapses part way through the stay
INFORMAL_EPISODE_RECORDED = 0.6  # informal admissions with an "01" legal status record
CTO_PROBABILITY = 0.07  # CTO after a detained stay ends (White); times CTO_MULTIPLIER
CTO_MULTIPLIER = {"White": 1.0, "Mixed": 1.5, "Asian": 1.2, "Black": 2.2, "Other": 1.3}
GUARDIANSHIP_EPISODES = 40  # "35" episodes of community patients
UK_DATE_SHARE = 0.04  # mha_episodes rows written DD/MM/YYYY (a legacy system)


class WardKind(NamedTuple):
    """Length of stay and restrictive-practice parameters of a kind of ward (White patients)."""

    los_median: float  # days
    los_sigma: float  # log-normal shape
    restraint: float  # chance a stay involves any restrictive intervention
    incident_rate: float  # further incidents per day of a stay that involves restraint
    physical: float  # chance an incident includes a physical hold (01, 07-13)
    rapid_tranquillisation: float  # type 14
    seclusion: float  # type 05
    segregation: float  # type 06
    mechanical: float  # type 04


WARD_KINDS = {
    "acute": WardKind(28, 0.9, 0.16, 0.050, 0.85, 0.22, 0.08, 0.01, 0.005),
    "picu": WardKind(21, 0.8, 0.50, 0.100, 0.90, 0.35, 0.25, 0.03, 0.010),
    "older": WardKind(50, 0.8, 0.10, 0.040, 0.85, 0.08, 0.01, 0.00, 0.000),
    "medium_secure": WardKind(400, 0.7, 0.35, 0.020, 0.80, 0.20, 0.22, 0.06, 0.050),
    "low_secure": WardKind(300, 0.7, 0.22, 0.015, 0.80, 0.15, 0.15, 0.03, 0.020),
    "adolescent": WardKind(45, 0.7, 0.40, 0.080, 0.90, 0.15, 0.10, 0.02, 0.000),
    "eating_disorder": WardKind(70, 0.6, 0.30, 0.100, 0.95, 0.02, 0.00, 0.00, 0.000),
    "mother_baby": WardKind(35, 0.5, 0.03, 0.010, 0.90, 0.05, 0.00, 0.00, 0.000),
    "rehabilitation": WardKind(200, 0.6, 0.06, 0.010, 0.80, 0.10, 0.02, 0.00, 0.000),
    "learning_disability": WardKind(120, 0.8, 0.45, 0.060, 0.90, 0.12, 0.12, 0.05, 0.030),
}

# (ward, division, kind, beds): 30 wards in 4 divisions.
WARDS = (
    ("Oak", "Adult Acute", "acute", 20),
    ("Willow", "Adult Acute", "acute", 20),
    ("Ash", "Adult Acute", "acute", 18),
    ("Birch", "Adult Acute", "acute", 20),
    ("Elm", "Adult Acute", "acute", 22),
    ("Hazel", "Adult Acute", "acute", 18),
    ("Maple", "Adult Acute", "acute", 20),
    ("Cedar", "Adult Acute", "acute", 20),
    ("Poplar", "Adult Acute", "acute", 16),
    ("Alder", "Adult Acute", "acute", 18),
    ("Hawthorn", "Adult Acute", "picu", 10),
    ("Holly", "Adult Acute", "picu", 10),
    ("Beech", "Older Adults", "older", 18),
    ("Chestnut", "Older Adults", "older", 18),
    ("Juniper", "Older Adults", "older", 16),
    ("Linden", "Older Adults", "older", 16),
    ("Magnolia", "Older Adults", "older", 15),
    ("Sycamore", "Older Adults", "older", 15),
    ("Yew", "Forensic", "medium_secure", 16),
    ("Larch", "Forensic", "medium_secure", 16),
    ("Hornbeam", "Forensic", "medium_secure", 15),
    ("Aspen", "Forensic", "low_secure", 15),
    ("Walnut", "Forensic", "low_secure", 15),
    ("Cherry", "Forensic", "low_secure", 14),
    ("Rowan", "Specialist", "adolescent", 12),
    ("Laurel", "Specialist", "eating_disorder", 12),
    ("Heather", "Specialist", "mother_baby", 8),
    ("Bramble", "Specialist", "rehabilitation", 15),
    ("Fern", "Specialist", "rehabilitation", 15),
    ("Ivy", "Specialist", "learning_disability", 10),
)

# Where an adult aged 18-64 without a criminal-justice (P) detention is admitted.
ADULT_DIVISION_SHARES = {"Adult Acute": 0.84, "Forensic": 0.03, "Specialist": 0.13}
OLDER_DIVISION_SHARES = {"Older Adults": 0.90, "Adult Acute": 0.10}  # aged 65 and over
CRIMINAL_JUSTICE_DIVISION_SHARES = {"Forensic": 0.95, "Adult Acute": 0.05}  # category P
# Ward-level confounding: how much more often each group is placed on a kind of ward.
WARD_PLACEMENT_FACTOR = {
    "Black": {"picu": 2.5, "medium_secure": 2.2, "low_secure": 1.6},
    "Mixed": {"picu": 1.6, "medium_secure": 1.5, "low_secure": 1.3},
}

# Restrictive practice: multipliers on a ward's chance that a stay involves restraint, on the
# incident rate, on the chance an incident includes a physical hold and on the prone share.
RESTRAINT_MULTIPLIER = {"White": 1.0, "Mixed": 1.3, "Asian": 1.1, "Black": 1.8, "Other": 1.1}
INCIDENT_RATE_MULTIPLIER = {"White": 1.0, "Mixed": 1.1, "Asian": 1.0, "Black": 1.2, "Other": 1.0}
PHYSICAL_MULTIPLIER = {"White": 1.0, "Mixed": 1.03, "Asian": 1.0, "Black": 1.06, "Other": 1.0}
PRONE_SHARE = 0.10  # share of physical holds that are prone (White)
PRONE_MULTIPLIER = {"White": 1.0, "Mixed": 1.3, "Asian": 1.0, "Black": 1.8, "Other": 1.0}
OTHER_HOLDS = (("07", 0.35), ("08", 0.15), ("09", 0.12), ("10", 0.08), ("11", 0.15))
OTHER_HOLDS_REST = (("12", 0.05), ("13", 0.10))
OTHER_CHEMICAL = (("15", 0.03), ("16", 0.08), ("17", 0.01))
FIRST_INCIDENT_MEAN_DAYS = 7.0
REASONS = (
    ("10", 0.42),
    ("11", 0.18),
    ("12", 0.04),
    ("13", 0.10),
    ("14", 0.03),
    ("15", 0.01),
    ("16", 0.02),
    ("17", 0.10),
    ("18", 0.02),
    ("19", 0.04),
    ("98", 0.03),
    ("99", 0.01),
)
EATING_DISORDER_REASONS = (("15", 0.55), ("13", 0.20), ("11", 0.15), ("10", 0.05), ("98", 0.05))

# SMI register: size, remission and the annual-review model behind the six check dates.
SMI_REGISTER_SIZE = 3_000
SMI_INPATIENT_WEIGHT = 4.0  # people with a stay or detention are likelier to be on the register
SMI_GROUP_WEIGHT = {"White": 1.0, "Mixed": 1.3, "Asian": 1.1, "Black": 1.8, "Other": 1.2}
SMI_REMISSION = 0.08
SMI_JOINED_BEFORE_WINDOW = 0.75
SMI_LEAVERS = 0.15
SMI_COMPLETE_REVIEW = {"White": 0.65, "Mixed": 0.59, "Asian": 0.59, "Black": 0.52, "Other": 0.59}
SMI_NEVER_CHECKED = 0.03  # people with no element ever recorded
SMI_PARTIAL_REVIEW = 0.25  # a review with some but not all six elements
SMI_ELEMENTS = ("bmi", "blood_pressure", "lipids", "glucose", "smoking", "alcohol")
SMI_AD_HOC_PER_YEAR = (0.35, 0.35, 0.0, 0.0, 0.35, 0.0)  # extra one-off recordings
SMI_HISTORY_START = dt.date(2019, 1, 1)

# Ethnicity recording mess in patients (shares of all rows).
PATIENT_MESS = {
    "not_stated": 0.045,
    "not_known": 0.020,
    "blank": 0.010,
    "legacy": 0.005,
    "local": 0.030,
    "lower": 0.020,
    "label": 0.020,
    "spaces": 0.020,
}
WORKFORCE_MESS = {
    "not_stated": 0.025,
    "not_known": 0.008,
    "blank": 0.003,
    "legacy": 0.0,
    "local": 0.005,
    "lower": 0.005,
    "label": 0.010,
    "spaces": 0.005,
}
LOCAL_SUFFIXES = "BCDF"  # never "NA", "NK", "NS": those read as abbreviations
UNKNOWN_SEX_SHARE = 0.004  # patients with sex "9" or "X"

# Workforce: headcount by staff group and band (2025-03-31) and the BME share of each band.
CLINICAL_BANDS = {
    "2": (350, 0.22),
    "3": (1000, 0.24),
    "4": (650, 0.22),
    "5": (1050, 0.38),
    "6": (950, 0.26),
    "7": (650, 0.18),
    "8a": (300, 0.13),
    "8b": (120, 0.10),
    "8c": (50, 0.08),
    "8d": (20, 0.05),
    "9": (8, 0.05),
}
NON_CLINICAL_BANDS = {
    "1": (10, 0.10),
    "2": (350, 0.16),
    "3": (550, 0.14),
    "4": (450, 0.12),
    "5": (330, 0.12),
    "6": (250, 0.11),
    "7": (180, 0.10),
    "8a": (110, 0.08),
    "8b": (60, 0.07),
    "8c": (35, 0.06),
    "8d": (20, 0.05),
    "9": (10, 0.05),
}
MEDICAL_GRADES = {
    "Consultant": (160, 0.42),
    "Specialty Doctor": (110, 0.62),
    "Specialty Registrar": (90, 0.52),
    "Core Trainee": (70, 0.48),
    "Foundation Year 2": (40, 0.38),
}
SENIOR_MANAGERS = (12, 0.08)  # VSM, not on the board
# Board: (role, board_member, executive, clinical, NHS ethnic code).
BOARD = (
    ("Chair", "voting", False, False, "A"),
    ("Non-executive director", "voting", False, False, "A"),
    ("Non-executive director", "voting", False, False, "A"),
    ("Non-executive director", "voting", False, False, "B"),
    ("Non-executive director", "voting", False, False, "A"),
    ("Non-executive director", "voting", False, False, "H"),
    ("Non-executive director", "voting", False, False, "A"),
    ("Chief executive", "voting", True, False, "A"),
    ("Director of finance", "voting", True, False, "A"),
    ("Medical director", "voting", True, True, "C"),
    ("Director of nursing", "voting", True, True, "A"),
    ("Chief operating officer", "voting", True, False, "A"),
    ("Director of people", "non-voting", True, False, "N"),
    ("Director of strategy", "non-voting", True, False, "A"),
)
CLINICAL_DIVISIONS = {
    "Adult Acute": 0.30,
    "Older Adults": 0.12,
    "Forensic": 0.15,
    "Specialist": 0.10,
    "Community": 0.33,
}
NON_CLINICAL_DIVISIONS = {
    "Corporate": 0.55,
    "Adult Acute": 0.10,
    "Older Adults": 0.05,
    "Forensic": 0.08,
    "Specialist": 0.07,
    "Community": 0.15,
}
WHITE_STAFF_CODES = {"A": 0.82, "B": 0.03, "C": 0.15}
BME_STAFF_CODES = {
    "D": 0.03,
    "E": 0.03,
    "F": 0.03,
    "G": 0.03,
    "H": 0.18,
    "J": 0.05,
    "K": 0.02,
    "L": 0.14,
    "M": 0.06,
    "N": 0.30,
    "P": 0.02,
    "R": 0.03,
    "S": 0.08,
}
STARTERS_SHARE = 0.11  # of 2025 staff, joined after 2024-03-31
LEAVERS_SHARE = 0.105  # of 2024 staff, left by 2025-03-31
PROMOTED_SHARE = 0.05  # of continuing Agenda for Change staff, one band lower in 2024
STAFF_SNAPSHOTS = ("2024-03-31", "2025-03-31")

RECRUITMENT_APPLICANTS = 11_000
RECRUITMENT_START = dt.date(2024, 4, 1)
RECRUITMENT_END = dt.date(2025, 3, 31)
APPLICANT_GROUP_SHARES = {"White": 0.53, "BME": 0.44, "unknown": 0.03}
SHORTLISTED = {"White": 0.28, "BME": 0.21, "unknown": 0.24}
APPOINTED_IF_SHORTLISTED = {"White": 0.36, "BME": 0.24, "unknown": 0.30}

DISCIPLINARY_YEARS = (
    (dt.date(2023, 4, 1), dt.date(2024, 3, 31), "2024-03-31"),
    (dt.date(2024, 4, 1), dt.date(2025, 3, 31), "2025-03-31"),
)
DISCIPLINARY_ANNUAL = {"White": 0.0075, "BME": 0.0075 * 1.3, "unknown": 0.0075}
TRAINING_ACCESSED = {"White": 0.56, "BME": 0.54, "unknown": 0.50}
TRAINING_YEAR_END = "2025-03-31"

# Staff survey: (year, respondents White, respondents BME) and the share answering "yes" to each
# indicator: 5 harassment from the public, 6 harassment from staff, 7 believes the trust gives
# equal opportunities, 8 discrimination from a manager or colleague.
SURVEY_RESPONDENTS = ((2023, 2600, 700), (2024, 2750, 790))
SURVEY_RATES = {
    (2023, "5"): (0.26, 0.31),
    (2023, "6"): (0.18, 0.25),
    (2023, "7"): (0.60, 0.46),
    (2023, "8"): (0.06, 0.15),
    (2024, "5"): (0.25, 0.30),
    (2024, "6"): (0.17, 0.24),
    (2024, "7"): (0.61, 0.47),
    (2024, "8"): (0.06, 0.14),
}

STREAMS = (
    "census",
    "admissions",
    "episodes",
    "community",
    "patients",
    "restraint",
    "smi",
    "staff",
    "recruitment",
    "disciplinary",
    "training",
    "survey",
)  # one independent random stream per step, in this order
OPEN = 10**9  # day number meaning "no end date" (still open at the end of the extract)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def day_number(value: dt.date) -> int:
    """Days since 1970-01-01."""
    return (value - EPOCH).days


def format_days(days: npt.ArrayLike, *, uk: npt.ArrayLike | None = None) -> StrArray:
    """ISO ``YYYY-MM-DD`` strings (``DD/MM/YYYY`` where ``uk``); empty where the day is OPEN."""
    values = np.asarray(days, dtype=np.int64)
    is_open = values == OPEN
    iso = np.datetime_as_string(np.where(is_open, 0, values).astype("datetime64[D]"))
    text = iso.astype(object)
    if uk is not None:
        flags = np.asarray(uk, dtype=bool)
        text[flags] = [f"{v[8:10]}/{v[5:7]}/{v[0:4]}" for v in iso[flags]]
    text[is_open] = ""
    return np.asarray(text, dtype=object)


def draw(rng: np.random.Generator, weights: npt.ArrayLike, size: int) -> IntArray:
    """``size`` indices drawn with probabilities proportional to ``weights``."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    index = np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right")
    return np.asarray(np.minimum(index, cumulative.size - 1), dtype=np.int64)


def stratified_uniforms(rng: np.random.Generator, groups: npt.ArrayLike) -> FloatArray:
    """Uniform draws on [0, 1), spread evenly (stratified) within each group."""
    labels = np.asarray(groups).astype(str)
    draws = np.empty(labels.size, dtype=np.float64)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        draws[rows] = (rng.permutation(rows.size) + rng.random(rows.size)) / rows.size
    return draws


def choose(rng: np.random.Generator, weights: FloatArray, groups: npt.ArrayLike) -> IntArray:
    """One column index per row of ``weights`` (rows need not be normalised).

    The uniforms are stratified within ``groups``, so rows of a group that share the same
    weights are spread over the columns in close to their expected proportions.
    """
    matrix: FloatArray = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    cumulative = np.cumsum(matrix, axis=1)
    cumulative /= cumulative[:, -1:]
    draws = stratified_uniforms(rng, groups)
    index = (cumulative < draws[:, None]).sum(axis=1)
    return np.asarray(np.minimum(index, matrix.shape[1] - 1), dtype=np.int64)


def systematic(rng: np.random.Generator, expected: npt.ArrayLike, *keys: npt.ArrayLike) -> IntArray:
    """Counts with the given expectations, drawn by systematic sampling (low variance).

    Units are put in order of ``keys`` (in random order within equal keys) and one uniform
    start walks the cumulative expectations: each unit's count has exactly its expectation (a
    Bernoulli draw when that is at most 1), and the total of every run of units sharing the keys
    is within one of its expectation. So planted differences between groups are not swamped by
    sampling noise in a sample of modest size.
    """
    values = np.asarray(expected, dtype=np.float64)
    codes = [np.unique(np.asarray(key).astype(str), return_inverse=True)[1] for key in keys]
    order = np.lexsort((rng.random(values.size), *reversed(codes)))
    cumulative = np.floor(np.cumsum(values[order]) + rng.random())
    counts = np.empty(values.size, dtype=np.int64)
    counts[order] = np.diff(np.concatenate([[0.0], cumulative])).astype(np.int64)
    return counts


def chosen(rng: np.random.Generator, probability: npt.ArrayLike, *keys: npt.ArrayLike) -> BoolArray:
    """Bernoulli draws by systematic sampling within ``keys`` (see :func:`systematic`)."""
    return systematic(rng, np.clip(np.asarray(probability, dtype=np.float64), 0, 1), *keys) > 0


def stratified_days(
    rng: np.random.Generator, groups: npt.ArrayLike, start: int, span: int
) -> IntArray:
    """Days in ``[start, start + span)``, spread evenly (stratified) within each group."""
    position = stratified_uniforms(rng, groups)
    return np.asarray(start + np.floor(position * span), dtype=np.int64)


def choose_labels(
    rng: np.random.Generator, options: Sequence[tuple[str, float]], size: int
) -> StrArray:
    """``size`` labels drawn with the given (label, weight) pairs."""
    labels = np.array([label for label, _ in options], dtype=object)
    weights = np.array([weight for _, weight in options], dtype=np.float64)
    return np.asarray(labels[draw(rng, weights, size)], dtype=object)


def lookup(mapping: dict[str, float], keys: StrArray) -> FloatArray:
    """``mapping[key]`` for every key (1.0 where the key is absent)."""
    values = pd.Series(np.asarray(keys).astype(str)).map(mapping).fillna(1.0)
    return np.asarray(values.to_numpy(), dtype=np.float64)


def bools(values: BoolArray) -> StrArray:
    """``true``/``false`` text for a boolean array."""
    return np.where(np.asarray(values, dtype=bool), "true", "false").astype(object)


def unique_ids(rng: np.random.Generator, prefix: str, size: int, digits: int) -> StrArray:
    """``size`` distinct random identifiers like ``P0123456``, in random order."""
    numbers = rng.choice(9 * 10 ** (digits - 1), size=size, replace=False) + 10 ** (digits - 1)
    return np.array([f"{prefix}{number}" for number in numbers], dtype=object)


def sequential_ids(prefix: str, size: int, digits: int) -> StrArray:
    """``prefix`` + zero-padded 1..size (assign after sorting chronologically)."""
    return np.array([f"{prefix}{number:0{digits}d}" for number in range(1, size + 1)], dtype=object)


def record_ethnicity(rng: np.random.Generator, codes: StrArray, mess: dict[str, float]) -> StrArray:
    """Turn true NHS codes into recorded values with realistic (but recognisable) mess.

    Not stated becomes "Z"; not known "99", blank or legacy "9"/"X"; some known codes become a
    local two-character code (national letter plus a local letter, e.g. "CA"), lower case, the
    full NHS label, or gain surrounding spaces.
    """
    kinds = ["not_stated", "not_known", "blank", "legacy", "local", "lower", "label", "spaces"]
    weights = np.array([mess[kind] for kind in kinds] + [1.0 - sum(mess.values())])
    choice = draw(rng, weights, len(codes))
    recorded = np.asarray(codes, dtype=object).copy()
    extra = rng.integers(0, 10**6, size=len(codes))
    for row, (kind_index, code) in enumerate(zip(choice, codes, strict=True)):
        kind = kinds[kind_index] if kind_index < len(kinds) else "clean"
        if kind == "not_stated":
            recorded[row] = "Z"
        elif kind == "not_known":
            recorded[row] = "99"
        elif kind == "blank":
            recorded[row] = ""
        elif kind == "legacy":
            recorded[row] = "9" if extra[row] % 2 == 0 else "X"
        elif kind == "local":
            recorded[row] = code + LOCAL_SUFFIXES[extra[row] % len(LOCAL_SUFFIXES)]
        elif kind == "lower":
            recorded[row] = code.lower()
        elif kind == "label":
            recorded[row] = NHS_LABELS[code]
        elif kind == "spaces":
            before, after = ((" ", ""), ("", " "), ("  ", " "), (" ", "  "))[extra[row] % 4]
            recorded[row] = before + code + after
    return recorded


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line endings and every value as text."""
    frame.astype(str).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Census population
# --------------------------------------------------------------------------------------------


def census_cells(rng: np.random.Generator) -> pd.DataFrame:
    """Residents of the four areas by census group x sex x age band (Poisson around a model).

    Columns: area_code, ethnic_group (int 1-19), nhs_code, broad, sex, band (index into
    AGE_BANDS), population.
    """
    mids = np.array([(band.low + band.high + 1) / 2 for band in AGE_BANDS])
    widths = np.array([band.high - band.low + 1 for band in AGE_BANDS], dtype=np.float64)
    widths[-1] = 8.0  # effective width of "90+"
    densities = np.array([band.density for band in AGE_BANDS])
    female = np.array([band.female_share for band in AGE_BANDS])
    records: list[tuple[str, int, str, str, str, int, float]] = []
    for area_code, _name, residents, diversity in AREAS:
        shares = {group.code: group.share * diversity for group in CENSUS_GROUPS}
        shares[13] = 100.0 - sum(shares.values())
        for group in CENSUS_GROUPS:
            age = widths * densities * np.exp(-group.slope * (mids - 40.0))
            age /= age.sum()
            total = residents * shares[group.code] / 100.0
            for band_index in range(len(AGE_BANDS)):
                for sex, sex_share in (("1", 1.0 - female[band_index]), ("2", female[band_index])):
                    expected = total * age[band_index] * sex_share
                    broad = NHS_BROAD[group.nhs_code]
                    records.append(
                        (area_code, group.code, group.nhs_code, broad, sex, band_index, expected)
                    )
    cells = pd.DataFrame(
        records,
        columns=["area_code", "ethnic_group", "nhs_code", "broad", "sex", "band", "expected"],
    )
    cells["population"] = rng.poisson(cells["expected"].to_numpy())
    return cells.drop(columns="expected")


def census_table(cells: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``census_population`` table."""
    ordered = cells.sort_values(["area_code", "ethnic_group", "sex", "band"], kind="stable")
    return pd.DataFrame(
        {
            "area_code": ordered["area_code"].to_numpy(),
            "ethnic_group": ordered["ethnic_group"].astype(str).to_numpy(),
            "sex": ordered["sex"].to_numpy(),
            "age_band": [AGE_BANDS[index].label for index in ordered["band"]],
            "population": ordered["population"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------
# People and admissions
# --------------------------------------------------------------------------------------------


def birth_days(rng: np.random.Generator, bands: IntArray) -> IntArray:
    """Birth dates (day numbers) giving an age inside each census band on AGE_REFERENCE."""
    low = np.array([AGE_BANDS[band].low for band in bands])
    high = np.array([AGE_BANDS[band].high for band in bands])
    ages = low + rng.random(len(bands)) * (high - low + 1)
    return np.asarray(day_number(AGE_REFERENCE) - np.floor(ages * 365.25), dtype=np.int64)


def history_years() -> float:
    """Length of the simulated admission history in years."""
    return (day_number(WINDOW_END) - day_number(HISTORY_START) + 1) / 365.25


def admission_rows(
    rng: np.random.Generator,
    cells: pd.DataFrame,
    cell_index: IntArray,
    detained: BoolArray,
    *,
    outside: bool,
) -> pd.DataFrame:
    """Admissions with their census cell's attributes, a day and a fresh birth date.

    Days are uniform over the history, stratified within broad group x detained so that every
    quarter receives close to its expected share.

    ``pool`` groups admissions that may belong to the same person (same census cell; people
    from outside the catchment have pools of their own).
    """
    picked = cells.iloc[cell_index].reset_index(drop=True)
    start = day_number(HISTORY_START)
    span = day_number(WINDOW_END) - start + 1
    return pd.DataFrame(
        {
            "pool": cell_index + (len(cells) if outside else 0),
            "outside": outside,
            "nhs_code": picked["nhs_code"].to_numpy(),
            "broad": picked["broad"].to_numpy(),
            "sex": picked["sex"].to_numpy(),
            "band": picked["band"].to_numpy(),
            "area": picked["area_code"].to_numpy(),
            "detained": detained,
            "admitted": stratified_days(rng, picked["broad"] + detained.astype(str), start, span),
            "birth": birth_days(rng, picked["band"].to_numpy()),
        }
    )


def catchment_admissions(rng: np.random.Generator, cells: pd.DataFrame) -> pd.DataFrame:
    """Admissions of catchment residents over the simulated history.

    Each census cell has numbers of detained and informal admissions with expectation
    population x age-band rate x group multiplier x sex multiplier x years, drawn by
    systematic sampling within broad group x sex x age band.
    """
    band = cells["band"].to_numpy()
    broad = cells["broad"].to_numpy()
    sex = cells["sex"].to_numpy()
    scale = cells["population"].to_numpy() * history_years() / 100_000
    scale = scale * lookup(SEX_MULTIPLIER, sex)
    detention = np.array([AGE_BANDS[b].detention_rate for b in band])
    informal = np.array([AGE_BANDS[b].informal_rate for b in band])
    detained_expected = scale * detention * lookup(DETENTION_MULTIPLIER, broad)
    informal_expected = scale * informal * lookup(INFORMAL_MULTIPLIER, broad)
    detained_counts = systematic(rng, detained_expected, broad, sex, band)
    informal_counts = systematic(rng, informal_expected, broad, sex, band)
    everyone = np.arange(len(cells))
    cell_index = np.concatenate(
        [np.repeat(everyone, detained_counts), np.repeat(everyone, informal_counts)]
    )
    detained = np.arange(cell_index.size) < detained_counts.sum()
    return admission_rows(rng, cells, cell_index, detained, outside=False)


def out_of_area_admissions(rng: np.random.Generator, cells: pd.DataFrame) -> pd.DataFrame:
    """Admissions of adults living outside the catchment (or with no residence code)."""
    total = int(rng.poisson(OUT_OF_AREA_ADMISSIONS_PER_YEAR * history_years()))
    adult = cells["band"].to_numpy() >= 5  # "18-19" and older
    weights = cells["population"].to_numpy() * adult
    cell_index = draw(rng, weights, total)
    detained = rng.random(total) < OUT_OF_AREA_DETAINED
    return admission_rows(rng, cells, cell_index, detained, outside=True)


def division_share(division: str, category: StrArray, age: FloatArray) -> FloatArray:
    """Chance of admission to ``division`` given the legal category and age at admission."""
    return np.where(
        category == "P",
        CRIMINAL_JUSTICE_DIVISION_SHARES.get(division, 0.0),
        np.where(
            age >= 65,
            OLDER_DIVISION_SHARES.get(division, 0.0),
            ADULT_DIVISION_SHARES.get(division, 0.0),
        ),
    )


def ward_weights(admissions: pd.DataFrame, category: StrArray, age: FloatArray) -> FloatArray:
    """Admission x ward weights (rows need not sum to one).

    Under-18s go to the adolescent ward. Otherwise a White patient's chance of a division is
    set by legal category and age (``division_share``) and of a ward within it by beds / median
    length of stay. Other groups' weights are multiplied by their placement factor for the kind
    of ward (the planted ward-level confounding), which also raises their chance of that
    division: for example Black adults are placed on medium secure wards about twice as often.
    """
    broad = admissions["broad"].to_numpy()
    female = admissions["sex"].to_numpy() == "2"
    base = np.zeros((len(admissions), len(WARDS)))
    placement = np.ones_like(base)
    for column, (_ward, _division, kind, beds) in enumerate(WARDS):
        factors = {group: kinds.get(kind, 1.0) for group, kinds in WARD_PLACEMENT_FACTOR.items()}
        placement[:, column] = lookup(factors, broad)
        allowed = (female & (age < 46)) if kind == "mother_baby" else np.ones(len(admissions))
        base[:, column] = beds / WARD_KINDS[kind].los_median * allowed
    adolescent = np.array([kind == "adolescent" for _, _, kind, _ in WARDS])
    base[:, adolescent] = 0.0  # adults never go to the adolescent ward
    weights = np.zeros_like(base)
    divisions = np.array([division for _, division, _, _ in WARDS])
    for division in sorted(set(divisions)):
        members = divisions == division
        totals = base[:, members].sum(axis=1, keepdims=True)
        within = np.divide(
            base[:, members], totals, out=np.zeros_like(base[:, members]), where=totals > 0
        )
        weights[:, members] = within * division_share(division, category, age)[:, None]
    weights *= placement
    weights[age < 18] = np.where(adolescent, 1.0, 0.0)  # children only to the adolescent ward
    return weights


def assign_wards(rng: np.random.Generator, admissions: pd.DataFrame) -> pd.DataFrame:
    """Legal category, ward, division and length of stay for each admission.

    Admissions of children under 10 (possible only for people simulated years before the extract)
    are dropped.
    """
    n = len(admissions)
    age = (admissions["admitted"].to_numpy() - admissions["birth"].to_numpy()) / 365.25
    category = choose_labels(rng, DETENTION_CATEGORIES, n)
    category[(category == "P") & (age < 18)] = "A"
    category[~admissions["detained"].to_numpy()] = ""
    age_class = np.select([age < 18, age < 65], ["child", "adult"], "older")
    strata = admissions["broad"] + admissions["sex"] + age_class + category
    ward_index = choose(rng, ward_weights(admissions, category, age), strata)
    kinds = [WARD_KINDS[WARDS[index][2]] for index in ward_index]
    median = np.array([params.los_median for params in kinds])
    sigma = np.array([params.los_sigma for params in kinds])
    length = np.floor(np.exp(np.log(median) + sigma * rng.standard_normal(n))).astype(np.int64)
    same_day = (~admissions["detained"].to_numpy()) & (rng.random(n) < 0.005)
    length[same_day] = 0
    result = admissions.copy()
    result["category"] = category
    result["ward"] = [WARDS[index][0] for index in ward_index]
    result["division"] = [WARDS[index][1] for index in ward_index]
    result["kind"] = [WARDS[index][2] for index in ward_index]
    result["length"] = length
    kept: pd.DataFrame = result.loc[age >= 10].reset_index(drop=True)
    return kept


def age_class(days_old: int) -> int:
    """-1 under 10 years, 0 under 18, 1 under 65, 2 otherwise (the ward-placement classes)."""
    years = days_old / 365.25
    return -1 if years < 10 else 0 if years < 18 else 1 if years < 65 else 2


def link_people(
    rng: np.random.Generator, admissions: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decide who each admission belongs to: a new person or a readmission.

    Within a pool, in order of admission, an admission is a readmission with probability
    READMISSION_SHARE if someone in the pool was discharged before that day and is in the same
    age class; otherwise it starts a new person. Every admission is kept, so the planted
    admission rates hold exactly, and nobody has overlapping stays.

    Returns the admissions (with ``key``, ``discharged`` and the person's birth date) and the
    people (key, nhs_code, broad, sex, band, area, birth).
    """
    ordered = admissions.sort_values(["pool", "admitted"], kind="stable").reset_index(drop=True)
    pool = ordered["pool"].to_numpy()
    admitted = ordered["admitted"].to_numpy()
    discharged = admitted + ordered["length"].to_numpy()
    birth = ordered["birth"].to_numpy().copy()
    readmission = rng.random(len(ordered)) < READMISSION_SHARE
    pick = rng.random(len(ordered))
    keys = np.empty(len(ordered), dtype=np.int64)
    first_rows: list[int] = []
    last_discharge: list[int] = []
    members: list[int] = []
    for row in range(len(ordered)):
        if row == 0 or pool[row] != pool[row - 1]:
            members = []
        chosen = -1
        if readmission[row] and members:
            wanted = age_class(int(admitted[row] - birth[row]))
            eligible = [
                key
                for key in members
                if last_discharge[key] < admitted[row]
                and age_class(int(admitted[row] - birth[first_rows[key]])) == wanted
            ]
            if eligible:
                chosen = eligible[int(pick[row] * len(eligible))]
        if chosen < 0:
            chosen = len(first_rows)
            first_rows.append(row)
            last_discharge.append(0)
            members.append(chosen)
        keys[row] = chosen
        birth[row] = birth[first_rows[chosen]]
        last_discharge[chosen] = int(discharged[row])
    ordered["key"] = keys
    ordered["birth"] = birth
    ordered["discharged"] = discharged
    columns = ["key", "outside", "nhs_code", "broad", "sex", "band", "area", "birth"]
    people = ordered.iloc[first_rows][columns].reset_index(drop=True)
    outside = people["outside"].to_numpy()
    elsewhere = np.array(OUTSIDE_AREAS, dtype=object)[
        rng.integers(0, len(OUTSIDE_AREAS), size=len(people))
    ]
    blank = rng.random(len(people)) < np.where(outside, OUT_OF_AREA_BLANK, CATCHMENT_BLANK)
    people["area"] = np.where(blank, "", np.where(outside, elsewhere, people["area"]))
    return ordered.drop(columns=["pool", "outside"]), people.drop(columns="outside")


# --------------------------------------------------------------------------------------------
# Mental Health Act episodes
# --------------------------------------------------------------------------------------------


def mha_episodes(rng: np.random.Generator, admissions: pd.DataFrame) -> pd.DataFrame:
    """Detention, informal and CTO episodes derived from all admissions (before trimming).

    Columns: key, start, end (OPEN if after the extract), category.
    """
    last = day_number(WINDOW_END)
    admitted = admissions["admitted"].to_numpy()
    discharged = admissions["discharged"].to_numpy()
    length = discharged - admitted
    category = admissions["category"].to_numpy().astype(object)
    detained = category != ""
    # category B: informal first, detained part way through the stay
    late = (category == "B") & (length >= 2)
    category[(category == "B") & ~late] = "A"
    offset = np.floor(rng.uniform(0.1, 0.6, size=len(admissions)) * length).astype(np.int64)
    offset = np.maximum(offset, 1)
    start = np.where(late, admitted + offset, admitted)
    lapses = rng.random(len(admissions)) >= DETENTION_ENDS_AT_DISCHARGE
    fraction = rng.uniform(0.2, 0.9, size=len(admissions))
    lapse_day = start + np.floor(fraction * (np.minimum(discharged, last) - start)).astype(np.int64)
    end = np.where(lapses, lapse_day, discharged)
    frames = [
        pd.DataFrame(
            {
                "key": admissions["key"].to_numpy()[detained],
                "start": start[detained],
                "end": end[detained],
                "category": category[detained],
            }
        )
    ]
    informal_record = ~detained & (rng.random(len(admissions)) < INFORMAL_EPISODE_RECORDED)
    frames.append(
        pd.DataFrame(
            {
                "key": admissions["key"].to_numpy()[informal_record],
                "start": admitted[informal_record],
                "end": discharged[informal_record],
                "category": "01",
            }
        )
    )
    frames.append(
        pd.DataFrame(
            {
                "key": admissions["key"].to_numpy()[late],
                "start": admitted[late],
                "end": start[late] - 1,
                "category": "01",
            }
        )
    )
    cto_chance = CTO_PROBABILITY * lookup(CTO_MULTIPLIER, admissions["broad"].to_numpy())
    broad = admissions["broad"].to_numpy()
    cto = detained & (category != "P") & chosen(rng, cto_chance, broad)
    cto_start = discharged[cto]
    cto_end = cto_start + 182 * (1 + rng.poisson(0.7, size=int(cto.sum())))
    frames.append(
        pd.DataFrame(
            {
                "key": admissions["key"].to_numpy()[cto],
                "start": cto_start,
                "end": cto_end,
                "category": "CTO",
            }
        )
    )
    episodes = pd.concat(frames, ignore_index=True)
    episodes["end"] = np.where(episodes["end"].to_numpy() > last, OPEN, episodes["end"].to_numpy())
    return episodes


def in_window(start: IntArray, end: IntArray) -> BoolArray:
    """Intervals (end OPEN allowed) that overlap the extract window."""
    return (start <= day_number(WINDOW_END)) & (end >= day_number(WINDOW_START))


def guardianship_episodes(rng: np.random.Generator, community: pd.DataFrame) -> pd.DataFrame:
    """A few "35" (guardianship) episodes of adult community patients."""
    adults = community.loc[
        (day_number(WINDOW_END) - community["birth"].to_numpy()) / 365.25 >= 18
    ].reset_index(drop=True)
    picked = adults.iloc[rng.choice(len(adults), size=GUARDIANSHIP_EPISODES, replace=False)]
    start = day_number(WINDOW_START) - 180 + rng.integers(0, 900, size=GUARDIANSHIP_EPISODES)
    end = start + 182 * (1 + rng.poisson(1.0, size=GUARDIANSHIP_EPISODES))
    end = np.where(end > day_number(WINDOW_END), OPEN, end)
    return pd.DataFrame(
        {"key": picked["key"].to_numpy(), "start": start, "end": end, "category": "35"}
    )


def mha_table(
    rng: np.random.Generator, episodes: pd.DataFrame, ids: dict[int, str]
) -> pd.DataFrame:
    """The canonical ``mha_episodes`` table (a few rows with UK-style dates)."""
    frame = episodes.assign(person_id=episodes["key"].map(ids)).sort_values(
        ["start", "person_id", "category"], kind="stable"
    )
    uk = rng.random(len(frame)) < UK_DATE_SHARE
    return pd.DataFrame(
        {
            "episode_id": sequential_ids("MHA", len(frame), 6),
            "person_id": frame["person_id"].to_numpy(),
            "start_date": format_days(frame["start"].to_numpy(), uk=uk),
            "end_date": format_days(frame["end"].to_numpy(), uk=uk),
            "legal_status_category": frame["category"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------
# Inpatient stays and restrictive interventions
# --------------------------------------------------------------------------------------------


def stays_table(stays: pd.DataFrame, ids: dict[int, str]) -> pd.DataFrame:
    """The canonical ``inpatient_stays`` table, stay ids in order of admission."""
    frame = stays.assign(person_id=stays["key"].map(ids)).sort_values(
        ["admitted", "person_id"], kind="stable"
    )
    end = frame["discharged"].to_numpy()
    end = np.where(end > day_number(WINDOW_END), OPEN, end)
    return pd.DataFrame(
        {
            "stay_id": sequential_ids("S", len(frame), 6),
            "person_id": frame["person_id"].to_numpy(),
            "ward": frame["ward"].to_numpy(),
            "division": frame["division"].to_numpy(),
            "start_date": format_days(frame["admitted"].to_numpy()),
            "end_date": format_days(end),
        }
    )


def incidents(rng: np.random.Generator, stays: pd.DataFrame) -> pd.DataFrame:
    """Incidents of restrictive intervention: key, ward, kind, broad, day, minute of day.

    A stay involves restraint with probability ward restraint x group multiplier (at most 0.95;
    drawn systematically within group x ward). Such a stay has a first incident soon after
    admission (Exponential, mean FIRST_INCIDENT_MEAN_DAYS) and Poisson further incidents spread
    uniformly over the stay. Only incidents inside the extract window are kept.
    """
    broad = stays["broad"].to_numpy()
    kinds = [WARD_KINDS[kind] for kind in stays["kind"]]
    restraint = np.array([params.restraint for params in kinds])
    chance = np.minimum(restraint * lookup(RESTRAINT_MULTIPLIER, broad), 0.95)
    involved = chosen(rng, chance, broad, stays["ward"].to_numpy())
    first = day_number(WINDOW_START)
    last = day_number(WINDOW_END)
    admitted = stays["admitted"].to_numpy()
    until = np.minimum(stays["discharged"].to_numpy(), last)
    rate = np.array([params.incident_rate for params in kinds])
    rate = rate * lookup(INCIDENT_RATE_MULTIPLIER, broad)
    further = rng.poisson(rate * (until - admitted + 1))
    counts = np.where(involved, 1 + further, 0)
    row = np.repeat(np.arange(len(stays)), counts)
    position = np.concatenate([np.arange(count) for count in counts]) if row.size else row
    span = until[row] - admitted[row] + 1
    early = np.floor(rng.exponential(FIRST_INCIDENT_MEAN_DAYS, size=row.size)).astype(np.int64)
    anywhere = np.floor(rng.random(row.size) * span).astype(np.int64)
    offset = np.where(position == 0, np.minimum(early, span - 1), anywhere)
    day = admitted[row] + offset
    hours = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 6, 7, 8, 8, 7, 6, 4, 3, 2])
    hour = draw(rng, hours, row.size)
    minute = hour * 60 + rng.integers(0, 60, size=row.size)
    frame = pd.DataFrame(
        {
            "key": stays["key"].to_numpy()[row],
            "ward": stays["ward"].to_numpy()[row],
            "kind": stays["kind"].to_numpy()[row],
            "broad": broad[row],
            "day": day,
            "minute": minute,
        }
    )
    kept: pd.DataFrame = frame.loc[(day >= first) & (day <= last)].reset_index(drop=True)
    return kept


def intervention_types(rng: np.random.Generator, events: pd.DataFrame) -> pd.DataFrame:
    """One row per incident and type: incident (row of ``events``), type_code."""
    n = len(events)
    kinds = [WARD_KINDS[kind] for kind in events["kind"]]
    broad = events["broad"].to_numpy()
    ward = events["ward"].to_numpy()

    def pick(probabilities: FloatArray) -> BoolArray:
        return chosen(rng, np.minimum(probabilities, 0.98), broad, ward)

    physical = pick(np.array([k.physical for k in kinds]) * lookup(PHYSICAL_MULTIPLIER, broad))
    rapid = pick(np.array([k.rapid_tranquillisation for k in kinds]))
    seclusion = pick(np.array([k.seclusion for k in kinds]))
    segregation = pick(np.array([k.segregation for k in kinds]))
    mechanical = pick(np.array([k.mechanical for k in kinds]))
    other_chemical = choose_labels(rng, (*OTHER_CHEMICAL, ("", 0.88)), n)
    physical |= ~(rapid | seclusion | segregation | mechanical | (other_chemical != ""))
    prone = chosen(rng, PRONE_SHARE * lookup(PRONE_MULTIPLIER, broad), broad)
    hold = choose_labels(rng, (*OTHER_HOLDS, *OTHER_HOLDS_REST), n)
    hold = np.where(prone, "01", hold)
    rows: list[tuple[int, str]] = []
    for incident in range(n):
        if physical[incident]:
            rows.append((incident, str(hold[incident])))
        if mechanical[incident]:
            rows.append((incident, "04"))
        if seclusion[incident]:
            rows.append((incident, "05"))
        if segregation[incident]:
            rows.append((incident, "06"))
        if rapid[incident]:
            rows.append((incident, "14"))
        if other_chemical[incident] != "":
            rows.append((incident, str(other_chemical[incident])))
    return pd.DataFrame(rows, columns=["incident", "type_code"])


def restrictive_table(
    rng: np.random.Generator, stays: pd.DataFrame, ids: dict[int, str]
) -> pd.DataFrame:
    """The canonical ``restrictive_interventions`` table (one row per incident and type)."""
    events = incidents(rng, stays)
    general = choose_labels(rng, REASONS, len(events))
    feeding = choose_labels(rng, EATING_DISORDER_REASONS, len(events))
    events["reason"] = np.where(events["kind"] == "eating_disorder", feeding, general)
    events["person_id"] = events["key"].map(ids)
    events = events.sort_values(["day", "minute", "person_id"], kind="stable").reset_index(
        drop=True
    )
    events["intervention_id"] = sequential_ids("RI", len(events), 6)
    types = intervention_types(rng, events).sort_values(["incident", "type_code"], kind="stable")
    rows = events.iloc[types["incident"].to_numpy()]
    days = format_days(rows["day"].to_numpy())
    minutes = rows["minute"].to_numpy()
    stamps = [f"{d} {m // 60:02d}:{m % 60:02d}" for d, m in zip(days, minutes, strict=True)]
    return pd.DataFrame(
        {
            "intervention_id": rows["intervention_id"].to_numpy(),
            "person_id": rows["person_id"].to_numpy(),
            "ward": rows["ward"].to_numpy(),
            "start_date": stamps,
            "type_code": types["type_code"].to_numpy(),
            "reason_code": rows["reason"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------
# Community patients, the patients table and the SMI register
# --------------------------------------------------------------------------------------------


def community_people(
    rng: np.random.Generator, cells: pd.DataFrame, size: int, first_key: int
) -> pd.DataFrame:
    """People known to community services only, drawn from the census by service use."""
    service = np.array([AGE_BANDS[band].service_weight for band in cells["band"]])
    weights = (
        cells["population"].to_numpy()
        * service
        * lookup(SERVICE_MULTIPLIER, cells["broad"].to_numpy())
    )
    picked = cells.iloc[draw(rng, weights, size)]
    people = pd.DataFrame(
        {
            "key": first_key + np.arange(size),
            "nhs_code": picked["nhs_code"].to_numpy(),
            "broad": picked["broad"].to_numpy(),
            "sex": picked["sex"].to_numpy(),
            "band": picked["band"].to_numpy(),
            "area": picked["area_code"].to_numpy().astype(object),
        }
    )
    people["birth"] = birth_days(rng, people["band"].to_numpy())
    people.loc[rng.random(size) < CATCHMENT_BLANK, "area"] = ""
    return people


def patients_table(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``patients`` table with recorded (messy) ethnicity and sex."""
    ethnicity = record_ethnicity(rng, people["nhs_code"].to_numpy(), PATIENT_MESS)
    sex = people["sex"].to_numpy().astype(object)
    unknown = rng.random(len(people)) < UNKNOWN_SEX_SHARE
    sex[unknown] = np.where(rng.random(int(unknown.sum())) < 0.5, "9", "X")
    frame = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "ethnic_category": ethnicity,
            "sex": sex,
            "birth_date": format_days(people["birth"].to_numpy()),
            "residence_area_code": people["area"].to_numpy(),
        }
    )
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)


def quarter_of(days: IntArray) -> IntArray:
    """A calendar-quarter number for each day (for stratifying draws by time)."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return np.asarray(dates.astype(np.int64) // 3, dtype=np.int64)


def smi_events(rng: np.random.Generator, members: pd.DataFrame) -> pd.DataFrame:
    """Dates each check element was recorded: person_id, element (index into SMI_ELEMENTS), day.

    Each person has annual reviews (every 365 +/- 25 days from a random first date). A review
    is complete (all six elements) with probability SMI_COMPLETE_REVIEW[group], partial with
    probability SMI_PARTIAL_REVIEW (BMI, blood pressure and smoking recorded with probability
    0.9; lipids, glucose and alcohol each with probability 0.5 but never all three), and missed
    otherwise. Blood tests are dated up to three weeks after the review. BMI, blood pressure and
    smoking also have ad hoc recordings (Poisson over time). Review outcomes are drawn
    systematically within broad group x calendar quarter. A few people (SMI_NEVER_CHECKED) have
    nothing recorded at all.
    """
    history = day_number(SMI_HISTORY_START)
    last = day_number(WINDOW_END)
    reviews_each = (last - history) // 365 + 2
    steps = 365 + np.round(rng.normal(0.0, 25.0, size=(len(members), reviews_each)))
    steps[:, 0] = rng.integers(0, 365, size=len(members))
    days = (history + np.cumsum(steps, axis=1)).astype(np.int64).ravel()
    person = np.repeat(np.arange(len(members)), reviews_each)
    keep = days <= last
    person, days = person[keep], days[keep]
    broad = members["broad"].to_numpy()[person]
    quarter = quarter_of(days)
    complete_chance = lookup(SMI_COMPLETE_REVIEW, broad)
    complete = chosen(rng, complete_chance, broad, quarter)
    partial = ~complete & chosen(rng, SMI_PARTIAL_REVIEW / (1 - complete_chance), broad, quarter)
    routine = rng.random((person.size, 3)) < 0.9  # BMI, blood pressure, smoking
    # lipids, glucose, alcohol: a random pattern of the 7 that miss at least one of them
    blood = ((rng.integers(0, 7, size=person.size)[:, None] >> np.arange(3)) & 1) == 1
    recorded = np.zeros((person.size, len(SMI_ELEMENTS)), dtype=bool)
    recorded[:, [0, 1, 4]] = complete[:, None] | (partial[:, None] & routine)
    recorded[:, [2, 3, 5]] = complete[:, None] | (partial[:, None] & blood)
    frames: list[pd.DataFrame] = []
    for element in range(len(SMI_ELEMENTS)):
        lag = rng.integers(0, 22, size=person.size) if element in (2, 3) else 0
        when = days + lag
        rows = recorded[:, element] & (when <= last)
        frames.append(pd.DataFrame({"row": person[rows], "element": element, "day": when[rows]}))
    years = (last - history + 1) / 365.25
    for element, per_year in enumerate(SMI_AD_HOC_PER_YEAR):
        counts = rng.poisson(per_year * years, size=len(members))
        owners = np.repeat(np.arange(len(members)), counts)
        when = history + rng.integers(0, last - history + 1, size=owners.size)
        frames.append(pd.DataFrame({"row": owners, "element": element, "day": when}))
    events = pd.concat(frames, ignore_index=True)
    never = rng.random(len(members)) < SMI_NEVER_CHECKED
    events = events.loc[~never[events["row"].to_numpy()]].reset_index(drop=True)
    events["person_id"] = members["person_id"].to_numpy()[events["row"].to_numpy()]
    result: pd.DataFrame = events.drop(columns="row")
    return result


def smi_table(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``smi_register`` table: the register at every quarter end."""
    age_at_end = (day_number(WINDOW_END) - people["birth"].to_numpy()) / 365.25
    weights = np.where(age_at_end >= 16, 1.0, 0.0)
    weights = weights * np.where(people["inpatient"].to_numpy(), SMI_INPATIENT_WEIGHT, 1.0)
    weights = weights * lookup(SMI_GROUP_WEIGHT, people["broad"].to_numpy())
    picked = rng.choice(
        len(people), size=SMI_REGISTER_SIZE, replace=False, p=weights / weights.sum()
    )
    members = people.iloc[np.sort(picked)].reset_index(drop=True)
    n = len(members)
    first, last = day_number(WINDOW_START), day_number(WINDOW_END)
    before = rng.random(n) < SMI_JOINED_BEFORE_WINDOW
    joined = np.where(
        before,
        first - rng.integers(1, 6 * 365, size=n),
        first + rng.integers(0, last - first, size=n),
    )
    leaves = rng.random(n) < SMI_LEAVERS
    left = np.where(leaves, np.maximum(joined, first) + rng.integers(1, 730, size=n), OPEN)
    remission = rng.random(n) < SMI_REMISSION
    events = smi_events(rng, members)
    frames: list[pd.DataFrame] = []
    for snapshot in QUARTER_ENDS:
        snapshot_day = day_number(dt.date.fromisoformat(snapshot))
        on_register = (joined <= snapshot_day) & (left > snapshot_day)
        current = members.loc[on_register, ["person_id"]].copy()
        current["in_remission"] = bools(remission[on_register])
        latest = (
            events.loc[events["day"] <= snapshot_day]
            .groupby(["person_id", "element"], sort=True)["day"]
            .max()
            .unstack("element")
        )
        for element, name in enumerate(SMI_ELEMENTS):
            column = latest[element] if element in latest.columns else pd.Series(dtype=float)
            values = current["person_id"].map(column)
            days = np.where(values.isna(), OPEN, values.fillna(0).to_numpy()).astype(np.int64)
            current[f"{name}_date"] = format_days(days)
        current.insert(1, "snapshot_date", snapshot)
        frames.append(current)
    register = pd.concat(frames, ignore_index=True)
    return register.sort_values(["snapshot_date", "person_id"], kind="stable").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------------------------
# Workforce
# --------------------------------------------------------------------------------------------


def staff_codes(rng: np.random.Generator, bme: BoolArray) -> StrArray:
    """True NHS codes for staff: White codes A-C or BME codes D-S by national-style shares."""
    white = choose_labels(rng, tuple(WHITE_STAFF_CODES.items()), len(bme))
    minority = choose_labels(rng, tuple(BME_STAFF_CODES.items()), len(bme))
    return np.asarray(np.where(bme, minority, white), dtype=object)


def staff_records(rng: np.random.Generator) -> pd.DataFrame:
    """Staff in post on 2025-03-31 (true codes): band, clinical, division, board roles."""
    parts: list[pd.DataFrame] = []
    groups = (
        (CLINICAL_BANDS, True, CLINICAL_DIVISIONS),
        (NON_CLINICAL_BANDS, False, NON_CLINICAL_DIVISIONS),
        (MEDICAL_GRADES, True, CLINICAL_DIVISIONS),
    )
    for bands, clinical, divisions in groups:
        for band, (headcount, bme_share) in bands.items():
            parts.append(
                pd.DataFrame(
                    {
                        "band": band,
                        "clinical": clinical,
                        "division": choose_labels(rng, tuple(divisions.items()), headcount),
                        "board_member": "none",
                        "executive": False,
                        "bme": chosen(rng, np.full(headcount, bme_share)),
                    }
                )
            )
    senior_count, senior_bme = SENIOR_MANAGERS
    parts.append(
        pd.DataFrame(
            {
                "band": "VSM",
                "clinical": False,
                "division": "Corporate",
                "board_member": "none",
                "executive": False,
                "bme": chosen(rng, np.full(senior_count, senior_bme)),
            }
        )
    )
    staff = pd.concat(parts, ignore_index=True)
    staff["code"] = staff_codes(rng, staff["bme"].to_numpy())
    board = pd.DataFrame(
        {
            "band": "VSM",
            "clinical": [member[3] for member in BOARD],
            "division": "Corporate",
            "board_member": [member[1] for member in BOARD],
            "executive": [member[2] for member in BOARD],
            "bme": [NHS_BROAD[member[4]] != "White" for member in BOARD],
            "code": [member[4] for member in BOARD],
        }
    )
    return pd.concat([staff, board], ignore_index=True)


def previous_band(band: str) -> str:
    """The Agenda for Change band below ``band`` (itself when there is none)."""
    order = ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]
    return order[order.index(band) - 1] if band in order[1:] else band


def staff_snapshots(rng: np.random.Generator) -> pd.DataFrame:
    """Both staff snapshots with stable ids (starters, leavers, a few promotions)."""
    current = staff_records(rng)
    leavers_count = round(len(current) * LEAVERS_SHARE / (1 - LEAVERS_SHARE))
    leavers = staff_records(rng).sample(n=leavers_count, random_state=rng)
    leavers = leavers.loc[leavers["board_member"] == "none"]
    ids = unique_ids(rng, "ST", len(current) + len(leavers), 6)
    current["staff_id"] = ids[: len(current)]
    leavers = leavers.assign(staff_id=ids[len(current) :])
    current["recorded"] = record_ethnicity(rng, current["code"].to_numpy(), WORKFORCE_MESS)
    board = current["board_member"] != "none"
    current.loc[board, "recorded"] = current.loc[board, "code"]  # the board's are complete
    leavers["recorded"] = record_ethnicity(rng, leavers["code"].to_numpy(), WORKFORCE_MESS)
    starter = (rng.random(len(current)) < STARTERS_SHARE) & (current["board_member"] == "none")
    earlier = current.loc[~starter].copy()
    promoted = rng.random(len(earlier)) < PROMOTED_SHARE
    earlier.loc[promoted, "band"] = [previous_band(b) for b in earlier.loc[promoted, "band"]]
    earlier = pd.concat([earlier, leavers], ignore_index=True)
    current["snapshot_date"] = STAFF_SNAPSHOTS[1]
    earlier["snapshot_date"] = STAFF_SNAPSHOTS[0]
    return pd.concat([earlier, current], ignore_index=True)


def staff_table(snapshots: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``staff`` table."""
    frame = snapshots.sort_values(["snapshot_date", "staff_id"], kind="stable")
    return pd.DataFrame(
        {
            "staff_id": frame["staff_id"].to_numpy(),
            "ethnic_category": frame["recorded"].to_numpy(),
            "band": frame["band"].to_numpy(),
            "clinical": bools(frame["clinical"].to_numpy()),
            "division": frame["division"].to_numpy(),
            "board_member": frame["board_member"].to_numpy(),
            "executive": bools(frame["executive"].to_numpy()),
            "snapshot_date": frame["snapshot_date"].to_numpy(),
        }
    )


def workforce_group(rng: np.random.Generator, size: int) -> tuple[StrArray, StrArray]:
    """Applicant groups (White / BME / unknown) and their recorded ethnic categories."""
    group = choose_labels(rng, tuple(APPLICANT_GROUP_SHARES.items()), size)
    codes = staff_codes(rng, group == "BME")
    recorded = record_ethnicity(rng, codes, {**WORKFORCE_MESS, "not_stated": 0, "not_known": 0})
    unknown = group == "unknown"
    recorded[unknown] = np.where(rng.random(int(unknown.sum())) < 0.7, "Z", "99")
    return group, recorded


def recruitment_table(rng: np.random.Generator) -> pd.DataFrame:
    """The canonical ``recruitment`` table (applicants in the WRES year to 2025-03-31)."""
    group, recorded = workforce_group(rng, RECRUITMENT_APPLICANTS)
    shortlisted = chosen(rng, lookup(SHORTLISTED, group), group)
    appointed = chosen(rng, shortlisted * lookup(APPOINTED_IF_SHORTLISTED, group), group)
    start = day_number(RECRUITMENT_START)
    span = day_number(RECRUITMENT_END) - start + 1
    days = start + rng.integers(0, span, size=len(group))
    frame = pd.DataFrame(
        {
            "day": days,
            "ethnic_category": recorded,
            "shortlisted": bools(shortlisted),
            "appointed": bools(appointed),
        }
    ).sort_values("day", kind="stable")
    return pd.DataFrame(
        {
            "applicant_id": sequential_ids("APP", len(frame), 6),
            "ethnic_category": frame["ethnic_category"].to_numpy(),
            "shortlisted": frame["shortlisted"].to_numpy(),
            "appointed": frame["appointed"].to_numpy(),
            "date": format_days(frame["day"].to_numpy()),
        }
    )


def staff_group(snapshots: pd.DataFrame) -> StrArray:
    """White / BME / unknown from the recorded ethnicity (unknown where not stated or known)."""
    recorded = snapshots["recorded"].to_numpy()
    truth = np.where(snapshots["bme"].to_numpy(), "BME", "White").astype(object)
    unknown = np.array([value.strip().upper() in {"Z", "99", "", "9", "X"} for value in recorded])
    truth[unknown] = "unknown"
    return truth


def disciplinary_table(rng: np.random.Generator, snapshots: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``disciplinary`` table: cases entered over two WRES years."""
    frames: list[pd.DataFrame] = []
    for start, end, snapshot in DISCIPLINARY_YEARS:
        staff = snapshots.loc[snapshots["snapshot_date"] == snapshot]
        chance = lookup(DISCIPLINARY_ANNUAL, staff_group(staff))
        entered = chosen(rng, chance, staff_group(staff))
        span = day_number(end) - day_number(start) + 1
        frames.append(
            pd.DataFrame(
                {
                    "staff_id": staff["staff_id"].to_numpy()[entered],
                    "ethnic_category": staff["recorded"].to_numpy()[entered],
                    "day": day_number(start) + rng.integers(0, span, size=int(entered.sum())),
                }
            )
        )
    cases = pd.concat(frames, ignore_index=True).sort_values(["day", "staff_id"], kind="stable")
    return pd.DataFrame(
        {
            "case_id": sequential_ids("DC", len(cases), 4),
            "staff_id": cases["staff_id"].to_numpy(),
            "ethnic_category": cases["ethnic_category"].to_numpy(),
            "entered_date": format_days(cases["day"].to_numpy()),
        }
    )


def training_table(rng: np.random.Generator, snapshots: pd.DataFrame) -> pd.DataFrame:
    """The canonical ``training`` table: staff in post at the year end and CPD access."""
    staff = snapshots.loc[snapshots["snapshot_date"] == TRAINING_YEAR_END]
    staff = staff.sort_values("staff_id", kind="stable")
    group = staff_group(staff)
    accessed = chosen(rng, lookup(TRAINING_ACCESSED, group), group)
    return pd.DataFrame(
        {
            "staff_id": staff["staff_id"].to_numpy(),
            "ethnic_category": staff["recorded"].to_numpy(),
            "accessed_non_mandatory": bools(accessed),
            "year_end": TRAINING_YEAR_END,
        }
    )


def survey_table(rng: np.random.Generator) -> pd.DataFrame:
    """The canonical ``staff_survey`` table (aggregated counts, as published to trusts)."""
    rows: list[tuple[str, str, str, int, int]] = []
    for year, white, bme in SURVEY_RESPONDENTS:
        for indicator in ("5", "6", "7", "8"):
            white_rate, bme_rate = SURVEY_RATES[(year, indicator)]
            for group, base, rate in (("BME", bme, bme_rate), ("White", white, white_rate)):
                respondents = int(base - rng.integers(0, base // 30 + 1))
                positive = int(rng.binomial(respondents, rate))
                rows.append((str(year), indicator, group, respondents, positive))
    return pd.DataFrame(rows, columns=["year", "indicator", "group", "respondents", "positive"])


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every canonical table of the sample trust, keyed by table name.

    One generator is seeded with ``seed`` and split (``Generator.spawn``) into an independent
    stream per step, so changing one table's parameters leaves the other tables unchanged.
    """
    streams = dict(zip(STREAMS, np.random.default_rng(seed).spawn(len(STREAMS)), strict=True))
    cells = census_cells(streams["census"])

    rng = streams["admissions"]
    catchment = catchment_admissions(rng, cells)
    outside = out_of_area_admissions(rng, cells)
    admissions = assign_wards(rng, pd.concat([catchment, outside], ignore_index=True))
    admissions, admitted_people = link_people(rng, admissions)
    discharged = admissions["discharged"].to_numpy()
    open_ended = np.where(discharged > day_number(WINDOW_END), OPEN, discharged)
    stays = admissions.loc[in_window(admissions["admitted"].to_numpy(), open_ended)]
    stays = stays.reset_index(drop=True)
    episodes = mha_episodes(streams["episodes"], admissions)
    episodes = episodes.loc[in_window(episodes["start"].to_numpy(), episodes["end"].to_numpy())]

    active = np.union1d(stays["key"].to_numpy(), episodes["key"].to_numpy())
    inpatients = admitted_people.loc[admitted_people["key"].isin(active)].assign(inpatient=True)
    rng = streams["community"]
    first_key = len(admitted_people)
    community = community_people(rng, cells, TARGET_PATIENTS - len(inpatients), first_key)
    community = community.assign(inpatient=False)
    episodes = pd.concat([episodes, guardianship_episodes(rng, community)], ignore_index=True)
    people = pd.concat([inpatients, community], ignore_index=True)
    people["person_id"] = unique_ids(rng, "P", len(people), 7)
    ids = dict(zip(people["key"].to_numpy(), people["person_id"].to_numpy(), strict=True))

    snapshots = staff_snapshots(streams["staff"])
    return {
        "patients": patients_table(streams["patients"], people),
        "inpatient_stays": stays_table(stays, ids),
        "restrictive_interventions": restrictive_table(streams["restraint"], stays, ids),
        "mha_episodes": mha_table(streams["episodes"], episodes, ids),
        "smi_register": smi_table(streams["smi"], people),
        "census_population": census_table(cells),
        "staff": staff_table(snapshots),
        "recruitment": recruitment_table(streams["recruitment"]),
        "disciplinary": disciplinary_table(streams["disciplinary"], snapshots),
        "training": training_table(streams["training"], snapshots),
        "staff_survey": survey_table(streams["survey"]),
    }


def write_tables(tables: dict[str, pd.DataFrame], directory: Path) -> list[Path]:
    """Write every table as ``<name>.csv`` into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = directory / f"{name}.csv"
        write_csv(frame, path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: generate the tables and write them to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory to write the CSV files into (default: the packaged sample_trust folder)",
    )
    arguments = parser.parse_args(argv)
    for path in write_tables(generate(), arguments.out):
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
