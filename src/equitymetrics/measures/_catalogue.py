"""The measure catalogue: every measure's identifier, question and wording.

Each measure answers a question a patient or member of staff could ask. The catalogue is data:
the computing code looks a measure up here for its wording, multiplier and unit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from equitymetrics.exceptions import InvalidArgumentError

__all__ = ["CATALOGUE", "MeasureSpec", "get_measure", "list_measures"]

Kind = Literal["proportion", "rate", "standardised rate", "share", "difference", "completeness"]


class MeasureSpec(BaseModel):
    """The definition card of one measure.

    Attributes
    ----------
    id : str
        Stable identifier used in the ``measure`` column.
    family : str
        "restrictive_practice", "mha", "smi", "wres" or "recording": selects which data it needs.
    question : str
        The question the measure answers, in plain words.
    definition : str
        Numerator, denominator and rules, in one or two sentences.
    kind : str
        How the value is computed: proportion, rate, standardised rate, share, difference.
    subject : str
        Plural noun for the people counted ("patients", "residents", "staff").
    outcome : str
        Verb phrase completing "more likely to ..." (for proportions) or the rate's events.
    unit_label : str
        How to read ``value`` ("%", "per 1,000 occupied bed days", ...).
    multiplier : float
        The multiplier applied to the value.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    family: str
    question: str
    definition: str
    kind: Kind
    subject: str
    outcome: str
    unit_label: str
    multiplier: float


def _spec(**fields: object) -> MeasureSpec:
    return MeasureSpec.model_validate(fields)


_TYPE_GROUPS = {
    "physical": "physical restraint (any position)",
    "prone": "prone (face-down) restraint",
    "mechanical": "mechanical restraint",
    "chemical": "chemical restraint (medication to restrain)",
    "seclusion": "seclusion",
    "segregation": "long-term segregation",
}

_SMI_ELEMENTS = {
    "bmi": "a body mass index (BMI) check",
    "blood_pressure": "a blood pressure check",
    "lipids": "a lipid (cholesterol) check",
    "glucose": "a blood glucose or HbA1c check",
    "smoking": "a smoking status check",
    "alcohol": "an alcohol consumption check",
}

CATALOGUE: tuple[MeasureSpec, ...] = (
    _spec(
        id="ethnicity_recording",
        family="recording",
        question="How completely is ethnicity recorded for the people in each table?",
        definition="Records with a stated ethnic category (A-S) as a share of all records; "
        "'not stated' (Z) and 'not known' (99, blank) count as not recorded.",
        kind="completeness",
        subject="records",
        outcome="have a stated ethnicity",
        unit_label="%",
        multiplier=100.0,
    ),
    _spec(
        id="restrictive_practice_people",
        family="restrictive_practice",
        question="If I am admitted to a mental-health ward, am I more likely to be restrained "
        "or secluded than a White patient?",
        definition="People with at least one restrictive intervention starting in the period, "
        "as a share of distinct people with an inpatient stay overlapping the period.",
        kind="proportion",
        subject="inpatients",
        outcome="be subject to a restrictive intervention",
        unit_label="%",
        multiplier=100.0,
    ),
    _spec(
        id="restrictive_practice_rate",
        family="restrictive_practice",
        question="How often are restrictive interventions used on patients like me, for the time "
        "we spend on the ward?",
        definition="Restrictive interventions (incident x type) starting in the period per 1,000 "
        "occupied bed days in the period.",
        kind="rate",
        subject="inpatients",
        outcome="restrictive interventions",
        unit_label="per 1,000 occupied bed days",
        multiplier=1000.0,
    ),
    *(
        _spec(
            id=f"restrictive_practice_{group}",
            family="restrictive_practice",
            question=f"How often is {label} used on patients like me, for the time we spend on "
            "the ward?",
            definition=f"Interventions of type {label} starting in the period per 1,000 occupied "
            "bed days in the period.",
            kind="rate",
            subject="inpatients",
            outcome=f"{label} interventions",
            unit_label="per 1,000 occupied bed days",
            multiplier=1000.0,
        )
        for group, label in _TYPE_GROUPS.items()
    ),
    _spec(
        id="mha_detentions",
        family="mha",
        question="If I live in this area, am I more likely to be detained under the Mental "
        "Health Act than a White resident?",
        definition="New detentions (legal status A, B, C, D, P) of catchment residents starting "
        "in the period per 100,000 residents of the same group (Census 2021).",
        kind="rate",
        subject="residents",
        outcome="detentions under the Mental Health Act",
        unit_label="per 100,000 residents",
        multiplier=100_000.0,
    ),
    _spec(
        id="mha_detentions_standardised",
        family="mha",
        question="Allowing for differences in age and sex, are residents like me detained more "
        "often than White residents?",
        definition="Detention rate per 100,000 residents, directly standardised by age band and "
        "sex to the catchment's whole population.",
        kind="standardised rate",
        subject="residents",
        outcome="detentions under the Mental Health Act",
        unit_label="per 100,000 residents (age and sex standardised)",
        multiplier=100_000.0,
    ),
    _spec(
        id="mha_cto",
        family="mha",
        question="If I live in this area, am I more likely to be put on a community treatment "
        "order than a White resident?",
        definition="Community treatment orders of catchment residents starting in the period "
        "per 100,000 residents of the same group.",
        kind="rate",
        subject="residents",
        outcome="community treatment orders",
        unit_label="per 100,000 residents",
        multiplier=100_000.0,
    ),
    _spec(
        id="smi_health_checks",
        family="smi",
        question="If I have a severe mental illness, am I less likely to get all six physical "
        "health checks than a White patient?",
        definition="People aged 18+ on the SMI register at period end, not in remission, with all "
        "six checks recorded in the 12 months to period end, as a share of them all.",
        kind="proportion",
        subject="people on the SMI register",
        outcome="receive all six physical health checks",
        unit_label="%",
        multiplier=100.0,
    ),
    *(
        _spec(
            id=f"smi_health_check_{element}",
            family="smi",
            question=f"If I have a severe mental illness, am I less likely to get {label}?",
            definition=f"People on the SMI register at period end with {label} recorded in the "
            "12 months to period end, as a share of the register.",
            kind="proportion",
            subject="people on the SMI register",
            outcome=f"receive {label}",
            unit_label="%",
            multiplier=100.0,
        )
        for element, label in _SMI_ELEMENTS.items()
    ),
    _spec(
        id="wres_1",
        family="wres",
        question="Are staff from ethnic minorities spread across pay bands as they are across the "
        "workforce?",
        definition="Share of staff in each band who are BME, compared with the share in the whole "
        "workforce; clinical and non-clinical separately.",
        kind="share",
        subject="staff",
        outcome="be in this band",
        unit_label="%",
        multiplier=100.0,
    ),
    _spec(
        id="wres_2",
        family="wres",
        question="Once shortlisted, are White applicants more likely to be appointed than BME "
        "applicants?",
        definition="Appointed / shortlisted for White applicants divided by the same for BME "
        "applicants (WRES indicator 2).",
        kind="proportion",
        subject="shortlisted applicants",
        outcome="be appointed from shortlisting",
        unit_label="%",
        multiplier=100.0,
    ),
    _spec(
        id="wres_3",
        family="wres",
        question="Are BME staff more likely to enter the formal disciplinary process than White "
        "staff?",
        definition="Staff entering a formal disciplinary investigation / headcount, BME divided by "
        "White (WRES indicator 3); single year and two-year rolling.",
        kind="proportion",
        subject="staff",
        outcome="enter the formal disciplinary process",
        unit_label="%",
        multiplier=100.0,
    ),
    _spec(
        id="wres_4",
        family="wres",
        question="Are White staff more likely to access non-mandatory training and CPD than BME "
        "staff?",
        definition="Staff accessing non-mandatory training / headcount, White divided by BME "
        "(WRES indicator 4).",
        kind="proportion",
        subject="staff",
        outcome="access non-mandatory training",
        unit_label="%",
        multiplier=100.0,
    ),
    *(
        _spec(
            id=f"wres_{number}",
            family="wres",
            question=question,
            definition=f"Staff survey: share of respondents answering {answer} (WRES indicator "
            f"{number}).",
            kind="proportion",
            subject="staff survey respondents",
            outcome=outcome,
            unit_label="%",
            multiplier=100.0,
        )
        for number, question, answer, outcome in (
            (
                "5",
                "Are BME staff more likely to experience harassment, bullying or abuse from "
                "patients, relatives or the public?",
                "yes",
                "report harassment from the public",
            ),
            (
                "6",
                "Are BME staff more likely to experience harassment, bullying or abuse from "
                "other staff?",
                "yes",
                "report harassment from staff",
            ),
            (
                "7",
                "Are BME staff less likely to believe the organisation provides equal "
                "opportunities for career progression?",
                "yes",
                "believe in equal opportunities",
            ),
            (
                "8",
                "Are BME staff more likely to experience discrimination from a manager or "
                "colleague?",
                "yes",
                "report discrimination at work",
            ),
        )
    ),
    _spec(
        id="wres_9",
        family="wres",
        question="Is the board as ethnically diverse as the workforce it leads?",
        definition="Percentage of voting board members who are BME minus the percentage of the "
        "overall workforce who are BME (percentage points).",
        kind="difference",
        subject="board members",
        outcome="be BME",
        unit_label="percentage points",
        multiplier=100.0,
    ),
)
"""Every measure of the first release, in report order."""

_BY_ID = {spec.id: spec for spec in CATALOGUE}


def list_measures() -> list[str]:
    """Identifiers of every measure in the catalogue, in report order."""
    return [spec.id for spec in CATALOGUE]


def get_measure(measure_id: str) -> MeasureSpec:
    """The catalogue card of ``measure_id``; an unknown id lists the valid ones."""
    try:
        return _BY_ID[measure_id]
    except KeyError:
        valid = ", ".join(_BY_ID)
        raise InvalidArgumentError(
            f"measure {measure_id!r} is not in the catalogue; choose from {valid}."
        ) from None
