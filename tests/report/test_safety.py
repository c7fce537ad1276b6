"""Formula-injection neutralising, control characters and number formatting."""

from __future__ import annotations

import pandas as pd
import pytest

from equitymetrics.disclosure import DisclosurePolicy, get_policy
from equitymetrics.report._format import (
    format_count,
    format_date,
    format_interval,
    format_number,
    format_percent_level,
)
from equitymetrics.report._published import policy_rule, publish_count
from equitymetrics.report._safety import clean_text, neutralise_formula, neutralise_frame


# OWASP "CSV Injection": cells starting with =, +, -, @, tab or carriage return are prefixed
# with a single quote.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Oak ward", "Oak ward"),
        ("a=b", "a=b"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


def test_neutralise_frame_changes_text_only() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["=1+2", "Oak", None],
            "note": pd.Series(["-bad", "fine", "@x"], dtype="str"),
            "excess_events": [-3.5, 2.0, float("nan")],
            "numerator": pd.array([-5, 10, None], dtype="Int64"),
        }
    )
    result = neutralise_frame(frame)
    assert result["unit"].tolist()[:2] == ["'=1+2", "Oak"]
    assert pd.isna(result["unit"].iloc[2])
    assert result["note"].tolist() == ["'-bad", "fine", "'@x"]
    assert result["excess_events"].iloc[0] == -3.5
    assert result["numerator"].dtype == "Int64"
    assert result["numerator"].iloc[0] == -5
    assert frame["unit"].iloc[0] == "=1+2"  # the input is not changed


def test_clean_text_replaces_control_characters() -> None:
    assert clean_text("Oak\x00\x08 ward\x1f") == "Oak\ufffd\ufffd ward\ufffd"
    assert clean_text("tab\tnew\nline\r") == "tab\tnew\nline\r"


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1234.567, 1, "1,234.6"),
        (0.04999, 1, "0.0"),
        (-0.04, 1, "0.0"),
        (-12.25, 2, "-12.25"),
        (float("inf"), 2, "infinite"),
        (float("nan"), 1, ""),
        (None, 1, ""),
        (pd.NA, 1, ""),
    ],
)
def test_format_number(value: object, digits: int, expected: str) -> None:
    assert format_number(value, digits) == expected


def test_other_formats() -> None:
    assert format_count(12345.0) == "12,345"
    assert format_count(12.5) == "12.5"
    assert format_interval(1.234, 5.678, 2) == "1.23 to 5.68"
    assert format_interval(1.0, float("nan"), 2) == ""
    assert format_date(pd.Timestamp("2025-06-30")) == "30 June 2025"
    assert format_percent_level(0.998) == "99.8%"


# The NHS secondary-care rule (0 shown, 1-7 suppressed, others rounded to the nearest 5),
# evaluated by hand.
@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0.0), (1, None), (7, None), (8, 10.0), (12, 10.0), (12.5, 15.0), (13, 15.0),
     (12_406, 12_405.0), (-3, None), (-12.5, -15.0)],
)  # fmt: skip
def test_publish_count_nhs_rule(count: float, expected: float | None) -> None:
    assert publish_count(count, get_policy("nhs_secondary_care")) == expected


def test_publish_count_mha_rule_suppresses_zero() -> None:
    policy = get_policy("mha_annual")
    assert publish_count(0, policy) is None
    assert publish_count(4, policy) is None
    assert publish_count(5, policy) == 5.0


def test_policy_rule_states_the_rule() -> None:
    assert policy_rule(get_policy("nhs_secondary_care")).startswith(
        "NHS secondary-care rule (nhs_secondary_care): counts of 1 to 7 are suppressed"
    )
    assert "no disclosure control" in policy_rule(get_policy("none"))
    local = DisclosurePolicy(name="local", description="local rule", suppress_below=2,
                             rounding_base=1, secondary_suppression=False)  # fmt: skip
    assert policy_rule(local) == (
        "local rule (local): counts of 1 are suppressed (shown as *); zero is shown as 0; rates, "
        "ratios and intervals are calculated from exact counts and withheld where they would "
        "reveal a suppressed count; exempt unit types: national."
    )
