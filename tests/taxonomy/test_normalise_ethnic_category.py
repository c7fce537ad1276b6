"""normalise_ethnic_category: messy inputs, errors, keep mode, input types, properties.

Expected codes are taken by hand from the NHS Data Dictionary "Ethnic Category" table (the
first character of a two-character value is the national code; Z is not stated; 99 is not
known) and from the rules stated in the function's documentation.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics.exceptions import (
    DataQualityWarning,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
    UnrecognisedCodeError,
)
from equitymetrics.taxonomy import (
    NHS_CODES,
    UNRECOGNISED,
    normalise_ethnic_category,
)
from equitymetrics.taxonomy import _nhs as nhs_module

MESSY_INPUTS = [
    # exact codes, case and spaces
    ("A", "A"),
    ("a", "A"),
    ("  c ", "C"),
    ("\tS\n", "S"),
    ("z", "Z"),
    ("99", "99"),
    (" 99 ", "99"),
    # two-character local codes roll up to the national code
    ("CA", "C"),
    ("ca", "C"),
    ("Hx", "H"),
    ("N1", "N"),
    ("ZZ", "Z"),
    # legacy not known
    ("9", "99"),
    ("X", "99"),
    ("x", "99"),
    (9, "99"),
    (99, "99"),
    (99.0, "99"),
    # blanks and missing values
    ("", "99"),
    ("   ", "99"),
    (None, "99"),
    (float("nan"), "99"),
    (pd.NA, "99"),
    # full NHS labels and variants
    ("White - British", "A"),
    ("WHITE - BRITISH", "A"),
    ("White British", "A"),
    ("white-british", "A"),
    ("British", "A"),
    ("White - Irish", "B"),
    ("Irish", "B"),
    ("White - Any other White background", "C"),
    ("Any other White background", "C"),
    ("Other White", "C"),
    ("White Other", "C"),
    ("Mixed - White and Black Caribbean", "D"),
    ("White & Black Caribbean", "D"),
    ("Mixed: White and Black African", "E"),
    ("Mixed - White and Asian", "F"),
    ("Mixed - Any other mixed background", "G"),
    ("Asian or Asian British - Indian", "H"),
    ("Asian or Asian British: Pakistani", "J"),
    ("Asian British - Bangladeshi", "K"),
    ("Bangladeshi", "K"),
    ("Asian or Asian British - Any other Asian background", "L"),
    ("Black or Black British - Caribbean", "M"),
    ("Black Caribbean", "M"),
    ("Black or Black British - African", "N"),
    ("Black African", "N"),
    ("african", "N"),
    ("Black or Black British - Any other Black background", "P"),
    ("Other Ethnic Groups - Chinese", "R"),
    ("Chinese", "R"),
    ("Other Ethnic Groups - Any other ethnic group", "S"),
    ("Any other ethnic group", "S"),
    ("any  other, ethnic   group", "S"),
    # not stated / not known labels
    ("Not stated", "Z"),
    ("NOT STATED", "Z"),
    ("Prefer not to say", "Z"),
    ("Not known", "99"),
    ("Unknown", "99"),
    ("N/A", "99"),
    # a code followed by its own label
    ("A - White British", "A"),
    ("N: Black or Black British - African", "N"),
    ("99 - Not known", "99"),
]


@pytest.mark.parametrize(("value", "expected"), MESSY_INPUTS, ids=repr)
def test_messy_input_normalises(value: Any, expected: str) -> None:
    result = normalise_ethnic_category([value])
    assert result.tolist() == [expected]


@pytest.mark.parametrize(
    "value",
    [
        "White",  # a broad group, not one category
        "Asian",
        "Mixed",
        "Other",
        "Arab",  # a census category
        "NK",  # ambiguous abbreviations, never silently Black African
        "NA",
        "ns",
        "XX",
        "QA",  # Q is not a national code
        "I",
        "B - White British",  # code and label disagree
        "9.0",
        "foo",
        True,
        3.5,
    ],
    ids=repr,
)
def test_unrecognised_value_raises(value: Any) -> None:
    with pytest.raises(UnrecognisedCodeError, match="not NHS ethnic category codes or labels"):
        normalise_ethnic_category(["A", value])


def test_error_lists_every_distinct_unrecognised_value_with_counts() -> None:
    values = pd.Series(["A", "foo", "bar", "foo", "NK", "foo", "bar", "B", "baz"], name="eth")
    with pytest.raises(UnrecognisedCodeError) as caught:
        normalise_ethnic_category(values)
    message = str(caught.value)
    assert caught.value.counts == {"foo": 3, "bar": 2, "NK": 1, "baz": 1}
    assert "4 distinct value(s) in 7 row(s)" in message
    assert "'foo' (3 rows, first at index 1)" in message
    assert "'bar' (2 rows, first at index 2)" in message
    assert "'NK' (1 row, first at index 4; ambiguous" in message
    assert "'baz' (1 row, first at index 8)" in message
    assert "Series 'eth'" in message
    assert "unrecognised='keep'" in message


def test_error_names_index_labels_of_a_series() -> None:
    values = pd.Series(["A", "oops"], index=["ward-1", "ward-2"])
    with pytest.raises(UnrecognisedCodeError, match=re.escape("first at index 'ward-2'")):
        normalise_ethnic_category(values)


def test_error_explains_broad_groups_and_census_labels() -> None:
    with pytest.raises(UnrecognisedCodeError) as caught:
        normalise_ethnic_category(["White", "Roma", "B - White British"])
    message = str(caught.value)
    assert "'White' (1 row, first at index 0; a broad group" in message
    assert "'Roma' (1 row, first at index 1; a census category" in message
    assert "code 'B' contradicts its label, which means 'A'" in message


def test_keep_mode_warns_lists_and_counts() -> None:
    values = ["A", "foo", "foo", "NK", None]
    with pytest.warns(DataQualityWarning) as record:
        result = normalise_ethnic_category(values, unrecognised="keep")
    assert result.tolist() == ["A", UNRECOGNISED, UNRECOGNISED, UNRECOGNISED, "99"]
    assert len(record) == 1
    message = str(record[0].message)
    assert "2 distinct value(s) in 3 row(s)" in message
    assert "'foo' (2 rows, first at index 1)" in message
    assert "'NK' (1 row, first at index 3" in message
    assert "never merged" in message


def test_keep_mode_output_normalises_again_without_a_warning() -> None:
    with pytest.warns(DataQualityWarning):
        first = normalise_ethnic_category(["foo", "B"], unrecognised="keep")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = normalise_ethnic_category(first, unrecognised="keep")
    pd.testing.assert_series_equal(first, second)


def test_raise_mode_refuses_the_unrecognised_marker() -> None:
    with pytest.raises(UnrecognisedCodeError, match="'unrecognised' \\(1 row"):
        normalise_ethnic_category(["A", UNRECOGNISED])


def test_keep_mode_without_problems_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = normalise_ethnic_category(["A", " b "], unrecognised="keep")
    assert result.tolist() == ["A", "B"]


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(UnknownMethodError, match="unrecognised='drop' is not available"):
        normalise_ethnic_category(["A"], unrecognised="drop")  # type: ignore[arg-type]


def test_series_keeps_index_and_name() -> None:
    values = pd.Series(["a", "CA", None], index=[10, 20, 30], name="ethnic_category")
    result = normalise_ethnic_category(values)
    assert result.index.tolist() == [10, 20, 30]
    assert result.name == "ethnic_category"
    assert result.tolist() == ["A", "C", "99"]


@pytest.mark.parametrize(
    "values",
    [
        ["a", "CA", None],
        ("a", "CA", None),
        np.array(["a", "CA", None], dtype=object),
        pd.array(["a", "CA", None], dtype="string"),
        pd.Index(["a", "CA", None]),
        pd.Categorical(["a", "CA", None]),
        iter(["a", "CA", None]),
    ],
    ids=["list", "tuple", "ndarray", "string-array", "index", "categorical", "iterator"],
)
def test_array_likes_give_a_series(values: Any) -> None:
    result = normalise_ethnic_category(values)
    assert isinstance(result, pd.Series)
    assert result.tolist() == ["A", "C", "99"]
    assert result.index.tolist() == [0, 1, 2]


def test_numpy_unicode_array() -> None:
    result = normalise_ethnic_category(np.array(["a", "99", "9"]))
    assert result.tolist() == ["A", "99", "99"]


def test_output_dtype_is_text() -> None:
    result = normalise_ethnic_category(["A", None])
    assert result.dtype == object or pd.api.types.is_string_dtype(result.dtype)


def test_empty_input_gives_empty_series() -> None:
    result = normalise_ethnic_category([])
    assert isinstance(result, pd.Series)
    assert len(result) == 0


@pytest.mark.parametrize("values", ["A", 5, None], ids=repr)
def test_scalar_is_refused(values: Any) -> None:
    with pytest.raises(InvalidTypeError, match="got the scalar"):
        normalise_ethnic_category(values)


def test_dataframe_is_refused() -> None:
    with pytest.raises(InvalidTypeError, match="got a DataFrame"):
        normalise_ethnic_category(pd.DataFrame({"ethnic_category": ["A"]}))


def test_two_dimensional_array_is_refused() -> None:
    with pytest.raises(ShapeMismatchError, match="one-dimensional"):
        normalise_ethnic_category(np.array([["A", "B"], ["C", "D"]]))


def test_rules_run_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = nhs_module.nhs_code_for

    def counting(value: Any) -> str | None:
        calls.append(value)
        return original(value)

    monkeypatch.setattr(nhs_module, "nhs_code_for", counting)
    values = pd.Series(["a", "CA", "White British", None, ""] * 20_000)
    result = normalise_ethnic_category(values)
    assert len(calls) == 4  # "a", "CA", "White British", "": missing values need no rule
    assert result.value_counts().to_dict() == {"99": 40_000, "A": 40_000, "C": 20_000}


# --- properties ---------------------------------------------------------------------------

RECOGNISED = [value for value, _ in MESSY_INPUTS if isinstance(value, str) and value.strip()]
POOL = st.one_of(
    st.sampled_from(RECOGNISED),
    st.sampled_from(["foo", "NK", "White", "", None, float("nan"), 9, "Arab"]),
    st.text(max_size=6),
)


def _normalise_quietly(values: Any) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return normalise_ethnic_category(values, unrecognised="keep")


@settings(max_examples=60)
@given(st.lists(POOL, max_size=30))
def test_normalisation_is_idempotent(values: list[Any]) -> None:
    once = _normalise_quietly(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        twice = normalise_ethnic_category(once, unrecognised="keep")
    assert twice.tolist() == once.tolist()


@settings(max_examples=60)
@given(st.lists(POOL, max_size=30))
def test_output_always_in_allowed_set(values: list[Any]) -> None:
    result = _normalise_quietly(values)
    assert set(result) <= {*NHS_CODES, UNRECOGNISED}
    assert len(result) == len(values)


@settings(max_examples=60)
@given(st.lists(POOL, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(values: list[Any], random: Any) -> None:
    order = list(range(len(values)))
    random.shuffle(order)
    straight = _normalise_quietly(values).tolist()
    shuffled = _normalise_quietly([values[i] for i in order]).tolist()
    assert shuffled == [straight[i] for i in order]


@settings(max_examples=60)
@given(
    st.sampled_from(RECOGNISED),
    st.sampled_from([str.upper, str.lower, str.title, str.swapcase]),
    st.text(alphabet=" \t", max_size=3),
    st.text(alphabet=" \t", max_size=3),
)
def test_case_and_space_variants_normalise_equally(
    value: str, change_case: Any, before: str, after: str
) -> None:
    variant = before + change_case(value) + after
    assert (
        normalise_ethnic_category([variant]).tolist() == normalise_ethnic_category([value]).tolist()
    )
