"""Bad input to every public function of ``equitymetrics.stats``.

Each kind of bad input must give either an :class:`EquityMetricsError` subclass (also a
ValueError or TypeError) whose message names the argument, or a documented result: finite
values with lower <= estimate <= upper, and a non-empty note wherever a value is NaN. Never a
bare numpy, scipy or Python exception, never a RuntimeWarning (warnings are errors in the test
run), never a silently wrong number.

Every call goes through :func:`outcome`, which turns any exception that is not an
EquityMetricsError into a test failure.

Independent sources for the numbers checked here: the Wilson (1927) and Byar (Breslow and Day
1987) formulas evaluated with :mod:`decimal` at 50 significant digits, with z from
:class:`statistics.NormalDist`; the closed form of the exact conditional rate-ratio limit when
the reference group has one event (the beta(a + 1, 1) quantile is q^(1/(a + 1))), evaluated with
:func:`math.expm1`; the explicit broadcast (:func:`numpy.broadcast_arrays`) of the inputs; the
same call with plain float arrays.
"""

from __future__ import annotations

import dataclasses
import decimal
import fractions
import inspect
import math
from collections.abc import Callable, Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitymetrics import stats
from equitymetrics.exceptions import (
    EquityMetricsError,
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
    UnknownMethodError,
)

MAX_COUNT = 2**53
"""Counts above this are refused (float64 cannot hold every whole number beyond it)."""


# --------------------------------------------------------------------------------------------
# Calling and judging


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The result of ``function``, or the EquityMetricsError it raised; anything else fails."""
    try:
        return function(*args, **kwargs)
    except EquityMetricsError as error:
        return error
    except Exception as error:  # includes RuntimeWarning, an error in this test run
        name = getattr(function, "__name__", repr(function))
        pytest.fail(f"{name} raised a bare {type(error).__name__}: {error}")


def assert_error(result: Any, kind: type[Exception], *names: str) -> None:
    """``result`` is an error of ``kind`` whose message names every one of ``names``."""
    assert isinstance(result, kind), f"expected {kind.__name__}, got {result!r}"
    message = str(result)
    for name in names:
        assert name in message, f"{kind.__name__} message does not name {name!r}: {message}"


def assert_sound(result: Any, *, contains_estimate: bool = True) -> None:
    """A documented result: NaNs carry a note; finite values are ordered.

    For interval results lower <= estimate <= upper wherever all three are finite (unless
    ``contains_estimate`` is False, for methods documented not to guarantee it), and
    lower <= upper wherever both are numbers.
    """
    assert not isinstance(result, BaseException), f"expected a result, got {result!r}"
    if isinstance(result, stats.IntervalResult):
        estimate, lower, upper = (
            np.asarray(getattr(result, name), dtype=np.float64)
            for name in ("estimate", "lower", "upper")
        )
        note = np.asarray(result.note, dtype=object)
        assert estimate.shape == lower.shape == upper.shape == note.shape
        undefined = np.isnan(estimate) | np.isnan(lower) | np.isnan(upper)
        unexplained = undefined & (note == "")
        assert not unexplained.any(), (
            f"NaN without a note: estimate {estimate[unexplained]}, lower {lower[unexplained]}, "
            f"upper {upper[unexplained]}"
        )
        both = ~(np.isnan(lower) | np.isnan(upper))
        assert np.all(lower[both] <= upper[both]), (lower, upper)
        if contains_estimate:
            finite = np.isfinite(estimate) & np.isfinite(lower) & np.isfinite(upper)
            inside = (lower[finite] <= estimate[finite]) & (estimate[finite] <= upper[finite])
            assert inside.all(), (lower[finite], estimate[finite], upper[finite])
    elif isinstance(result, stats.FunnelLimits):
        undefined = (np.isnan(result.lower) | np.isnan(result.upper)).any(axis=0)
        assert not (undefined & (np.asarray(result.note, dtype=object) == "")).any()
        both = ~(np.isnan(result.lower) | np.isnan(result.upper))
        assert np.all(result.lower[both] <= result.upper[both])
    elif isinstance(result, stats.XmRLimits):
        limits = (result.lower_process_limit, result.mean, result.upper_process_limit)
        if any(math.isnan(value) for value in limits):
            assert result.note != ""
        else:
            assert limits[0] <= limits[1] <= limits[2]
    elif isinstance(result, stats.SpecialCauseResult):
        assert_sound(result.limits)
        assert result.special_cause.shape == result.values.shape
    else:
        assert isinstance(result, np.ndarray), f"unexpected result type {type(result)}"
        assert set(np.unique(result).tolist()) <= {"within", "above", "below", "undefined"}


def assert_same(first: Any, second: Any) -> None:
    """Two results hold the same arrays (NaN equal to NaN) and the same notes and methods."""
    assert type(first) is type(second)
    for field in dataclasses.fields(first) if dataclasses.is_dataclass(first) else ():
        a, b = getattr(first, field.name), getattr(second, field.name)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        elif isinstance(a, np.ndarray):
            assert a.tolist() == np.asarray(b).tolist(), field.name
        elif isinstance(a, float) and math.isnan(a):
            assert math.isnan(b), field.name
        elif dataclasses.is_dataclass(a):
            assert_same(a, b)
        else:
            assert a == b, field.name
    if isinstance(first, np.ndarray):
        assert first.tolist() == second.tolist()


# --------------------------------------------------------------------------------------------
# One description per public function (per kind for funnel_limits)


@dataclasses.dataclass(frozen=True)
class Spec:
    """How to call one public function with valid inputs, and what it accepts."""

    id: str
    function: Callable[..., Any]
    valid: Mapping[str, Any]
    """The array arguments, in positional order, with valid values."""
    counts: tuple[str, ...]
    """Array arguments that must be whole numbers (0 .. 2**53)."""
    methods: tuple[str | None, ...] = (None,)
    pairs: tuple[tuple[str, str], ...] = ()
    """(part, whole) arguments with part <= whole."""
    extra: tuple[Any, ...] = ()
    """Positional arguments after the arrays (the funnel target)."""
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    level: str | None = "confidence_level"
    """The keyword of the confidence level, None when there is none."""
    broadcast: Mapping[str, Any] | None = None
    """Inputs of different but broadcastable shapes, or None if shapes must match."""
    empty: Mapping[str, Any] | None = None
    """Inputs with no elements (default: every array argument empty)."""
    may_be_negative: tuple[str, ...] = ()
    may_be_nan: tuple[str, ...] = ()

    def __call__(self, arrays: Mapping[str, Any] | None = None, **options: Any) -> Any:
        values = {**self.valid, **(arrays or {})}
        keywords = {**self.options, **options}
        return outcome(self.function, *values.values(), *self.extra, **keywords)

    def with_method(self, method: str | None) -> dict[str, Any]:
        return {} if method is None else {"method": method}


def _two_groups(
    function: Callable[..., Any], methods: tuple[str | None, ...], valid: dict[str, Any]
) -> Spec:
    """Two groups: events of a total (or exposure) and the reference group's."""
    names = list(valid)
    by_total = names[1] == "total"
    return Spec(
        id=function.__name__,
        function=function,
        valid=valid,
        counts=tuple(names) if by_total else ("events", "reference_events"),
        methods=methods,
        pairs=(("events", "total"), ("reference_events", "reference_total")) if by_total else (),
        broadcast={names[0]: [[0], [2]], names[1]: [5, 9, 12], names[2]: 3, names[3]: [[10], [20]]},
    )


def _mantel_haenszel(function: Callable[..., Any], valid: dict[str, Any]) -> Spec:
    """Strata on the last axis; broadcasting adds tables in front of it."""
    names = list(valid)
    return dataclasses.replace(
        _two_groups(function, (None,), valid),
        broadcast={
            names[0]: valid[names[0]],
            names[1]: [valid[names[1]], [50, 60, 70]],
            names[2]: 0,
            names[3]: [[120], [85]],
        },
        empty={name: np.zeros((0, 3)) for name in names},
    )


RISKS = {
    "events": [8, 22, 0],
    "total": [106, 98, 5],
    "reference_events": [5, 16, 0],
    "reference_total": [120, 85, 0],
}

SPECS = [
    Spec(
        id="proportion",
        function=stats.proportion,
        valid={"events": [3, 0, 5, 0], "total": [10, 4, 5, 0]},
        counts=("events", "total"),
        methods=("wilson", "exact", "jeffreys", "agresti_coull"),
        pairs=(("events", "total"),),
        broadcast={"events": [[0], [2]], "total": [2, 5, 9]},
    ),
    Spec(
        id="crude_rate",
        function=stats.crude_rate,
        valid={"events": [3, 0, 12, 0], "exposure": [1000.5, 200.0, 3.25, 0.0]},
        counts=("events",),
        methods=("phe", "byar", "exact"),
        broadcast={"events": [[0], [12]], "exposure": [2.5, 100.0, 7.0]},
    ),
    Spec(
        id="directly_standardised_rate",
        function=stats.directly_standardised_rate,
        valid={
            "events": [[10, 20, 30], [5, 10, 40]],
            "population": [[1000, 2000, 1500], [800, 1500, 2500]],
            "standard": [0.3, 0.5, 0.2],
        },
        counts=("events",),
        methods=("dobson", "normal_national"),
        empty={"events": np.zeros((0, 3)), "population": np.zeros((0, 3))},
    ),
    Spec(
        id="indirectly_standardised_ratio",
        function=stats.indirectly_standardised_ratio,
        valid={
            "observed": [65, 4],
            "population": [[20_000, 30_000], [5_000, 1_000]],
            "reference_rates": [0.001, 0.002],
        },
        counts=("observed",),
        empty={"observed": [], "population": np.zeros((0, 2))},
    ),
    _two_groups(
        stats.risk_ratio,
        ("katz", "koopman"),
        {
            "events": [7, 0, 3, 0],
            "total": [34, 16, 3, 0],
            "reference_events": [1, 15, 3, 2],
            "reference_total": [34, 72, 3, 5],
        },
    ),
    _two_groups(
        stats.odds_ratio,
        ("woolf", "exact"),
        {
            "events": [9, 3, 0],
            "total": [13, 4, 5],
            "reference_events": [4, 1, 2],
            "reference_total": [14, 4, 6],
        },
    ),
    _two_groups(
        stats.rate_ratio,
        ("log", "exact"),
        {
            "events": [41, 0, 5],
            "exposure": [28_010.0, 1_000.0, 0.0],
            "reference_events": [15, 6, 2],
            "reference_exposure": [19_017.0, 2_000.0, 10.5],
        },
    ),
    _two_groups(
        stats.risk_difference,
        ("newcombe", "wald"),
        {
            "events": [56, 7, 0],
            "total": [70, 34, 10],
            "reference_events": [48, 1, 0],
            "reference_total": [80, 34, 20],
        },
    ),
    _mantel_haenszel(stats.mantel_haenszel_risk_ratio, RISKS),
    _mantel_haenszel(stats.mantel_haenszel_odds_ratio, RISKS),
    _mantel_haenszel(
        stats.mantel_haenszel_rate_ratio,
        {
            "events": [32, 104, 0],
            "exposure": [52_407.0, 43_248.0, 7.5],
            "reference_events": [2, 12, 1],
            "reference_exposure": [18_790.0, 10_673.0, 10.0],
        },
    ),
    Spec(
        id="funnel_limits-proportion",
        function=stats.funnel_limits,
        valid={"denominators": [10, 100, 0]},
        counts=("denominators",),
        methods=("wilson", "exact", "spiegelhalter"),
        extra=(0.2,),
        level="levels",
    ),
    *(
        Spec(
            id=f"funnel_limits-{kind}",
            function=stats.funnel_limits,
            valid={"denominators": [10.5, 1_000.0, 0.0]},
            counts=(),
            methods=("exact", "spiegelhalter"),
            extra=(0.02,),
            options={"kind": kind},
            level="levels",
        )
        for kind in ("rate", "ratio")
    ),
    Spec(
        id="funnel_position",
        function=stats.funnel_position,
        valid={"values": [0.3, 0.2, 0.05], "denominators": [100, 100, 100]},
        counts=("denominators",),
        methods=("wilson", "exact", "spiegelhalter"),
        extra=(0.2,),
        level="levels",
        may_be_nan=("values",),
    ),
    Spec(
        id="xmr_limits",
        function=stats.xmr_limits,
        valid={"values": [10, 12, 11, 14, 13]},
        counts=(),
        level=None,
        may_be_negative=("values",),
    ),
    Spec(
        id="special_cause_flags",
        function=stats.special_cause_flags,
        valid={"values": [5, 5, 6, 5, 5, 6, 5, 5, 6, 5, 14]},
        counts=(),
        level=None,
        may_be_negative=("values",),
    ),
]

SPEC_METHODS = [
    pytest.param(spec, method, id=f"{spec.id}-{method}" if method else spec.id)
    for spec in SPECS
    for method in spec.methods
]
SPEC_METHODS_SEVERAL_ARRAYS = [
    pytest.param(spec, method, id=f"{spec.id}-{method}" if method else spec.id)
    for spec in SPECS
    for method in spec.methods
    if len(spec.valid) >= 2
]
SPEC_ARGUMENTS = [
    pytest.param(spec, method, name, id=f"{spec.id}-{method}-{name}" if method else spec.id)
    for spec in SPECS
    for method in spec.methods
    for name in spec.valid
]


def test_every_public_function_is_covered() -> None:
    """A new public function in ``stats.__all__`` must get a Spec here."""
    public = {
        name
        for name in stats.__all__
        if inspect.isfunction(getattr(stats, name)) and not name.startswith("_")
    }
    covered = {spec.function.__name__ for spec in SPECS}
    assert public == covered


def replace_first(values: Any, value: Any) -> Any:
    """``values`` as nested Python lists with the first element replaced by ``value``."""
    array = np.array(values, dtype=object)
    array.flat[0] = value
    return array.tolist()


# --------------------------------------------------------------------------------------------
# Valid inputs in every accepted form


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS)
def test_valid_input_gives_a_sound_result(spec: Spec, method: str | None) -> None:
    assert_sound(spec(**spec.with_method(method)))


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS)
def test_lists_arrays_series_and_object_arrays_agree(spec: Spec, method: str | None) -> None:
    """Python lists, float arrays, object arrays of numbers (int, Decimal, Fraction) and pandas
    Series or DataFrames all give the same result as float64 arrays."""
    kwargs = spec.with_method(method)
    expected = spec({k: np.asarray(v, dtype=np.float64) for k, v in spec.valid.items()}, **kwargs)
    assert_sound(expected)
    as_objects = {k: np.array(v, dtype=object) for k, v in spec.valid.items()}
    as_decimals = {
        k: np.vectorize(lambda x: decimal.Decimal(str(x)), otypes=[object])(np.array(v))
        for k, v in spec.valid.items()
    }
    as_fractions = {
        k: np.vectorize(lambda x: fractions.Fraction(str(x)), otypes=[object])(np.array(v))
        for k, v in spec.valid.items()
    }
    as_pandas = {
        k: pd.Series(v) if np.ndim(v) == 1 else pd.DataFrame(v) for k, v in spec.valid.items()
    }
    as_integers = {
        k: pd.Series(v, dtype="Int64")
        for k, v in spec.valid.items()
        if k in spec.counts and np.ndim(v) == 1
    }
    for variant in ({}, as_objects, as_decimals, as_fractions, as_pandas, as_integers):
        assert_same(spec(variant, **kwargs), expected)


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS)
def test_broadcastable_shapes_equal_the_explicit_broadcast(spec: Spec, method: str | None) -> None:
    kwargs = spec.with_method(method)
    if spec.broadcast is None:
        # shapes must match exactly: a (1, n) version of an (n,) argument is refused
        name = next(iter(spec.valid))
        reshaped = np.asarray(spec.valid[name])[np.newaxis]
        assert_error(spec({name: reshaped}, **kwargs), InvalidArgumentError, name)
        return
    mixed = spec(spec.broadcast, **kwargs)
    assert_sound(mixed)
    arrays = np.broadcast_arrays(*map(np.asarray, spec.broadcast.values()))
    explicit = dict(zip(spec.broadcast, arrays, strict=True))
    assert_same(mixed, spec(explicit, **kwargs))


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS)
def test_empty_arrays_give_an_empty_or_documented_result(spec: Spec, method: str | None) -> None:
    empty = spec.empty or {name: [] for name in spec.valid}
    assert_sound(spec(empty, **spec.with_method(method)))


# --------------------------------------------------------------------------------------------
# Bad values


BAD_VALUES = [
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="-inf"),
    pytest.param(-1, id="negative"),
    pytest.param(2.5, id="fractional"),
    pytest.param(1e15, id="1e15"),
    pytest.param(MAX_COUNT + 2, id="above-2**53"),
    pytest.param(1e300, id="1e300"),
    pytest.param(10**400, id="int-10**400"),
    pytest.param("seven", id="string"),
    pytest.param("3", id="numeric-string"),
    pytest.param(None, id="None"),
    pytest.param(True, id="bool"),
    pytest.param(1 + 1j, id="complex"),
    pytest.param(pd.NA, id="pd.NA"),
    pytest.param(np.datetime64("2025-01-01"), id="datetime"),
]


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize(("spec", "method", "name"), SPEC_ARGUMENTS)
def test_bad_element(spec: Spec, method: str | None, name: str, value: Any) -> None:
    """One bad element in one argument: an error naming the argument, or a sound result."""
    result = spec({name: replace_first(spec.valid[name], value)}, **spec.with_method(method))
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number:
        assert_error(result, InvalidTypeError, name)
        assert isinstance(result, TypeError)
    elif isinstance(value, int) and value > 1e308:
        assert_error(result, InvalidArgumentError, name)
    elif math.isnan(value) and name in spec.may_be_nan:
        assert_sound(result)
    elif not math.isfinite(value):
        assert_error(result, InvalidArgumentError, name)
        assert isinstance(result, ValueError)
        assert "finite" in str(result)
    elif (value < 0 and name not in spec.may_be_negative) or (
        name in spec.counts and (value != math.floor(value) or value > MAX_COUNT)
    ):
        assert_error(result, InvalidArgumentError, name)
    elif isinstance(result, EquityMetricsError):
        # a huge or fractional value in a non-count argument may break another rule (a
        # proportion funnel value above 1, events above a total, ...): the message names it
        assert_error(result, InvalidArgumentError, name)
    else:
        assert_sound(result, contains_estimate=method != "jeffreys")


WHOLE_ARGUMENTS = [
    pytest.param(None, id="None"),
    pytest.param("3", id="string"),
    pytest.param(b"3", id="bytes"),
    pytest.param(True, id="bool"),
    pytest.param({"a": 1}, id="dict"),
    pytest.param(object(), id="object"),
    pytest.param(pd.Series(["1", "2"]), id="string-series"),
]


@pytest.mark.parametrize("value", WHOLE_ARGUMENTS)
@pytest.mark.parametrize(("spec", "method", "name"), SPEC_ARGUMENTS)
def test_bad_whole_argument(spec: Spec, method: str | None, name: str, value: Any) -> None:
    result = spec({name: value}, **spec.with_method(method))
    assert_error(result, InvalidTypeError, name)


@pytest.mark.parametrize(("spec", "method", "name"), SPEC_ARGUMENTS)
def test_ragged_argument_is_a_shape_error(spec: Spec, method: str | None, name: str) -> None:
    result = spec({name: [[1, 2], [3]]}, **spec.with_method(method))
    assert_error(result, ShapeMismatchError, name)


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS)
def test_events_above_total(spec: Spec, method: str | None) -> None:
    for part, whole in spec.pairs:
        too_many = replace_first(spec.valid[part], np.asarray(spec.valid[whole]).flat[0] + 1)
        result = spec({part: too_many}, **spec.with_method(method))
        assert_error(result, InvalidArgumentError, part, whole)
        assert "must not exceed" in str(result)


@pytest.mark.parametrize(("spec", "method"), SPEC_METHODS_SEVERAL_ARRAYS)
def test_mismatched_shapes(spec: Spec, method: str | None) -> None:
    name = next(iter(spec.valid))
    longer = np.concatenate([np.asarray(spec.valid[name]), np.asarray(spec.valid[name])], axis=-1)
    result = spec({name: longer}, **spec.with_method(method))
    assert_error(result, ShapeMismatchError, name)
    assert isinstance(result, ValueError)


def test_events_above_population_for_the_national_method() -> None:
    """normal_national treats each stratum rate as a proportion; dobson allows d > n."""
    spec = next(s for s in SPECS if s.id == "directly_standardised_rate")
    events = [[10, 20, 3000], [5, 10, 40]]
    assert_error(
        spec({"events": events}, method="normal_national"),
        InvalidArgumentError,
        "events",
        "population",
    )
    assert_sound(spec({"events": events}, method="dobson"))


# --------------------------------------------------------------------------------------------
# Confidence levels and methods

BAD_LEVELS = [
    pytest.param(0, InvalidArgumentError, id="0"),
    pytest.param(1, InvalidArgumentError, id="1"),
    pytest.param(1.0, InvalidArgumentError, id="1.0"),
    pytest.param(95, InvalidArgumentError, id="95"),
    pytest.param(-0.5, InvalidArgumentError, id="-0.5"),
    pytest.param(math.nan, InvalidArgumentError, id="nan"),
    pytest.param(math.inf, InvalidArgumentError, id="inf"),
    pytest.param("0.95", InvalidTypeError, id="string"),
    pytest.param(None, InvalidTypeError, id="None"),
    pytest.param(True, InvalidTypeError, id="bool"),
    pytest.param(0.95 + 0j, InvalidTypeError, id="complex"),
]


@pytest.mark.parametrize(("level", "kind"), BAD_LEVELS)
@pytest.mark.parametrize(("spec", "method"), [p for p in SPEC_METHODS if p.values[0].level])
def test_bad_confidence_level(spec: Spec, method: str | None, level: Any, kind: type) -> None:
    assert spec.level is not None
    result = spec(**spec.with_method(method), **{spec.level: level})
    assert_error(result, kind)
    # funnel functions take a sequence ``levels``; the message may name either
    names = ("confidence_level", "levels") if spec.level == "levels" else ("confidence_level",)
    assert any(name in str(result) for name in names), str(result)
    if level == 95:
        assert "0.95" in str(result)


@pytest.mark.parametrize(("spec", "method"), [p for p in SPEC_METHODS if p.values[0].level])
@pytest.mark.parametrize("level", [1e-9, 0.5, 0.999999, 1 - 2**-53])
def test_extreme_but_valid_levels(spec: Spec, method: str | None, level: float) -> None:
    """Levels just inside (0, 1) give finite, ordered limits (z stays finite near 1)."""
    assert spec.level is not None
    result = spec(**spec.with_method(method), **{spec.level: level})
    assert_sound(result, contains_estimate=method != "jeffreys")


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.id) for s in SPECS if s.methods != (None,)])
def test_unknown_method_lists_the_valid_ones(spec: Spec) -> None:
    result = spec(method="nonsense")
    assert_error(result, UnknownMethodError, "method", "nonsense", *map(str, spec.methods))
    assert_error(spec(method=3), InvalidTypeError, "method")


def test_unknown_funnel_kind_lists_the_valid_ones() -> None:
    result = outcome(stats.funnel_limits, [10], 0.2, kind="rates")
    assert_error(result, UnknownMethodError, "kind", "proportion", "rate", "ratio")


# --------------------------------------------------------------------------------------------
# Bad scalar options

SCALAR_OPTIONS = [
    (spec_id, option, value)
    for spec_id in ("proportion", "crude_rate", "risk_difference", "directly_standardised_rate")
    for option, value in (("multiplier", 0), ("multiplier", -100), ("multiplier", math.nan),
                          ("multiplier", math.inf), ("multiplier", "100"), ("multiplier", None),
                          ("multiplier", True))
] + [
    ("funnel_limits-proportion", "multiplier", 0),
    ("indirectly_standardised_ratio", "multiplier", -1),
    ("risk_ratio", "continuity_correction", -0.5),
    ("risk_ratio", "continuity_correction", math.nan),
    ("risk_ratio", "continuity_correction", "0.5"),
    ("odds_ratio", "continuity_correction", True),
    ("rate_ratio", "continuity_correction", None),
    ("indirectly_standardised_ratio", "reference_overall_rate", -1.0),
    ("indirectly_standardised_ratio", "reference_overall_rate", math.inf),
    ("indirectly_standardised_ratio", "reference_overall_rate", "1"),
    ("directly_standardised_rate", "omit_variance_strata", "01"),
    ("directly_standardised_rate", "omit_variance_strata", [0.0]),
    ("directly_standardised_rate", "omit_variance_strata", [7]),
    ("directly_standardised_rate", "omit_variance_strata", [1, 1]),
    ("xmr_limits", "baseline", 0),
    ("xmr_limits", "baseline", 99),
    ("xmr_limits", "baseline", 2.5),
    ("xmr_limits", "baseline", True),
    ("special_cause_flags", "run_length", 1),
    ("special_cause_flags", "run_length", "7"),
    ("special_cause_flags", "trend_length", None),
    ("special_cause_flags", "improvement", "up"),
    ("special_cause_flags", "limits", (1.0, 2.0)),
    ("funnel_limits-proportion", "levels", []),
    ("funnel_limits-proportion", "levels", "0.95"),
    ("funnel_position", "levels", [0.95, 95]),
]  # fmt: skip


@pytest.mark.parametrize(("spec_id", "option", "value"), SCALAR_OPTIONS, ids=repr)
def test_bad_option(spec_id: str, option: str, value: Any) -> None:
    spec = next(s for s in SPECS if s.id == spec_id)
    method = {"omit_variance_strata": "normal_national"}.get(option)
    result = spec(**spec.with_method(method), **{option: value})
    assert isinstance(result, InvalidArgumentError | InvalidTypeError), result
    names = ("levels", "confidence_level") if option == "levels" else (option,)
    assert any(name in str(result) for name in names), str(result)


@pytest.mark.parametrize(
    "target", [math.nan, -0.1, 1.5, math.inf, "0.2", None, True, [0.2]], ids=repr
)
@pytest.mark.parametrize("function", [stats.funnel_limits, stats.funnel_position])
def test_bad_funnel_target(function: Callable[..., Any], target: Any) -> None:
    arrays = ([100, 200],) if function is stats.funnel_limits else ([0.1, 0.2], [100, 200])
    result = outcome(function, *arrays, target)
    assert isinstance(result, InvalidArgumentError | InvalidTypeError), result
    assert "target" in str(result)


# --------------------------------------------------------------------------------------------
# Invariants over random valid inputs, including huge counts and extreme exposures

LEVELS = st.floats(min_value=0.5, max_value=0.9999)
SMALL_OR_HUGE = st.one_of(st.integers(0, 40), st.integers(0, MAX_COUNT))
EXPOSURES = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.5, max_value=1e9),
    st.floats(min_value=0.0, max_value=1e300, allow_subnormal=True),
)


@st.composite
def part_and_whole(draw: st.DrawFn, counts: st.SearchStrategy[int] = SMALL_OR_HUGE) -> Any:
    whole = draw(counts)
    return draw(st.integers(0, whole)), whole


@pytest.mark.parametrize("method", ["wilson", "exact", "jeffreys", "agresti_coull"])
@settings(max_examples=40)
@given(table=part_and_whole(), level=LEVELS)
def test_proportion_is_sound(method: str, table: tuple[int, int], level: float) -> None:
    result = outcome(stats.proportion, *table, method=method, confidence_level=level)
    assert_sound(result)
    if table[1] > 0:
        assert np.isfinite(result.lower)
        assert np.isfinite(result.upper)


@pytest.mark.parametrize("method", ["phe", "byar", "exact"])
@settings(max_examples=40)
@given(events=SMALL_OR_HUGE, exposure=EXPOSURES, level=LEVELS)
def test_crude_rate_is_sound(method: str, events: int, exposure: float, level: float) -> None:
    assert_sound(outcome(stats.crude_rate, events, exposure, method=method, confidence_level=level))


TWO_GROUP = [
    (stats.risk_ratio, "katz"),
    (stats.risk_ratio, "koopman"),
    (stats.odds_ratio, "woolf"),
    (stats.risk_difference, "newcombe"),
    (stats.risk_difference, "wald"),
]


@pytest.mark.parametrize(("function", "method"), TWO_GROUP)
@settings(max_examples=40)
@given(group=part_and_whole(), reference=part_and_whole(), level=LEVELS)
def test_two_group_comparisons_are_sound(
    function: Callable[..., Any], method: str, group: Any, reference: Any, level: float
) -> None:
    result = outcome(function, *group, *reference, method=method, confidence_level=level)
    assert_sound(result)


@settings(max_examples=30)
@given(
    group=part_and_whole(st.integers(0, 60)),
    reference=part_and_whole(st.integers(0, 60)),
    level=LEVELS,
)
def test_exact_odds_ratio_is_sound(group: Any, reference: Any, level: float) -> None:
    result = outcome(stats.odds_ratio, *group, *reference, method="exact", confidence_level=level)
    assert_sound(result)


@pytest.mark.parametrize("method", ["log", "exact"])
@settings(max_examples=40)
@given(
    events=SMALL_OR_HUGE,
    exposure=EXPOSURES,
    reference_events=SMALL_OR_HUGE,
    reference_exposure=EXPOSURES,
    level=LEVELS,
)
def test_rate_ratio_is_sound(
    method: str,
    events: int,
    exposure: float,
    reference_events: int,
    reference_exposure: float,
    level: float,
) -> None:
    result = outcome(
        stats.rate_ratio,
        events,
        exposure,
        reference_events,
        reference_exposure,
        method=method,
        confidence_level=level,
    )
    assert_sound(result)


@pytest.mark.parametrize(
    "function", [stats.mantel_haenszel_risk_ratio, stats.mantel_haenszel_odds_ratio]
)
@settings(max_examples=30)
@given(
    strata=st.lists(st.tuples(part_and_whole(), part_and_whole()), min_size=1, max_size=4),
    level=LEVELS,
)
def test_mantel_haenszel_is_sound(
    function: Callable[..., Any], strata: list[Any], level: float
) -> None:
    columns = np.array([[*group, *reference] for group, reference in strata], dtype=np.float64)
    assert_sound(outcome(function, *columns.T, confidence_level=level))


@settings(max_examples=30)
@given(
    strata=st.lists(
        st.tuples(SMALL_OR_HUGE, EXPOSURES, SMALL_OR_HUGE, EXPOSURES), min_size=1, max_size=4
    ),
    level=LEVELS,
)
def test_mantel_haenszel_rate_ratio_is_sound(strata: list[Any], level: float) -> None:
    columns = np.array(strata, dtype=np.float64).T
    result = outcome(stats.mantel_haenszel_rate_ratio, *columns, confidence_level=level)
    assert_sound(result)


@settings(max_examples=30)
@given(
    observed=SMALL_OR_HUGE,
    population=st.lists(EXPOSURES, min_size=1, max_size=4),
    data=st.data(),
    level=LEVELS,
)
def test_indirectly_standardised_ratio_is_sound(
    observed: int, population: list[float], data: st.DataObject, level: float
) -> None:
    rates = data.draw(
        st.lists(
            st.floats(min_value=0.0, max_value=1e300),
            min_size=len(population),
            max_size=len(population),
        )
    )
    result = outcome(
        stats.indirectly_standardised_ratio,
        observed,
        population,
        rates,
        confidence_level=level,
    )
    assert_sound(result)


@pytest.mark.parametrize("method", ["dobson", "normal_national"])
@settings(max_examples=30)
@given(
    strata=st.lists(
        st.tuples(st.integers(0, 10**6), st.floats(0.5, 1e12), st.floats(0.0, 1e300)),
        min_size=1,
        max_size=4,
    ),
    level=LEVELS,
)
def test_directly_standardised_rate_is_sound(
    method: str, strata: list[tuple[int, float, float]], level: float
) -> None:
    events, population, weights = (np.array(column) for column in zip(*strata, strict=True))
    if method == "normal_national":
        population = np.maximum(population, events)
    result = outcome(
        stats.directly_standardised_rate,
        [events],
        [population],
        weights,
        method=method,
        confidence_level=level,
    )
    if isinstance(result, EquityMetricsError):  # all weights 0, or their total overflows
        assert_error(result, InvalidArgumentError, "standard")
    else:
        assert_sound(result)


# --------------------------------------------------------------------------------------------
# Huge counts: finite, sensible and accurate

_DIGITS = decimal.Context(prec=50)


def _z(level: float) -> decimal.Decimal:
    """The two-sided normal quantile, from the standard library."""
    return decimal.Decimal(-NormalDist().inv_cdf((1 - level) / 2))


def wilson_decimal(x: int, n: int, level: float) -> tuple[float, float]:
    """Wilson (1927) limits evaluated in 50-digit decimal arithmetic."""
    with decimal.localcontext(_DIGITS):
        z, x_, n_ = _z(level), decimal.Decimal(x), decimal.Decimal(n)
        spread = z * (z * z + 4 * x_ * (1 - x_ / n_)).sqrt()
        denominator = 2 * (n_ + z * z)
        return (
            float((2 * x_ + z * z - spread) / denominator),
            float((2 * x_ + z * z + spread) / denominator),
        )


def byar_decimal(observed: int, level: float) -> tuple[float, float]:
    """Byar's limits (Breslow and Day 1987) in 50-digit decimal arithmetic."""
    with decimal.localcontext(_DIGITS):
        z, o = _z(level), decimal.Decimal(observed)
        lower = o * (1 - 1 / (9 * o) - z / (3 * o.sqrt())) ** 3
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3
        return float(lower), float(upper)


@pytest.mark.parametrize(
    ("events", "total"),
    [
        (10**15, 2 * 10**15),
        (1, 10**15),
        (10**15 - 1, 10**15),
        (3, MAX_COUNT),
        (MAX_COUNT, MAX_COUNT),
    ],
)
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_with_huge_counts_matches_decimal_arithmetic(
    events: int, total: int, level: float
) -> None:
    result = stats.proportion(events, total, confidence_level=level)
    lower, upper = wilson_decimal(events, total, level)
    if events == total:
        upper = 1.0  # documented: x = n gives an upper limit of exactly 1
    # the limits lie near 0.5 or 1, so an absolute error of a few units in 1e-16 is float64's
    # own resolution there; relative 1e-13 covers limits near 0
    assert float(result.lower) == pytest.approx(lower, rel=1e-13, abs=4e-16)
    assert float(result.upper) == pytest.approx(upper, rel=1e-13, abs=4e-16)


@pytest.mark.parametrize(
    ("method", "tolerance"),
    [
        ("wilson", 1e-6),
        ("agresti_coull", 1e-6),
        # scipy's inverse incomplete beta function is accurate to about 4e-12 (absolute) at
        # a = b = 1e15, which is 3e-4 of this interval's width: finite and sensible, but not
        # to the last digit (documented in proportion's Notes)
        ("exact", 1e-3),
        ("jeffreys", 1e-3),
    ],
)
def test_proportion_of_huge_counts_is_one_half_with_a_tiny_interval(
    method: str, tolerance: float
) -> None:
    result = stats.proportion(1e15, 2e15, method=method)
    assert float(result.estimate) == 0.5
    # z sqrt(p (1 - p) / n) = 1.96 x 0.5 / sqrt(2e15) = 2.19e-8 each side for every method
    # (the methods differ by O(1/n) = 5e-16, i.e. 2e-8 of this half-width)
    half_width = -NormalDist().inv_cdf(0.025) * 0.5 / math.sqrt(2e15)
    assert 0.5 - float(result.lower) == pytest.approx(half_width, rel=tolerance)
    assert float(result.upper) - 0.5 == pytest.approx(half_width, rel=tolerance)


@pytest.mark.parametrize("observed", [10, 12_345, 10**9, 10**15, MAX_COUNT])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_byar_with_huge_counts_matches_decimal_arithmetic(observed: int, level: float) -> None:
    result = stats.crude_rate(observed, 1.0, method="byar", multiplier=1.0, confidence_level=level)
    lower, upper = byar_decimal(observed, level)
    assert float(result.lower) == pytest.approx(lower, rel=1e-14)
    assert float(result.upper) == pytest.approx(upper, rel=1e-14)


@pytest.mark.parametrize("observed", [10**6, 10**12, 10**15])
def test_exact_poisson_with_huge_counts_agrees_with_byar(observed: int) -> None:
    """Byar's approximation converges on the exact limits: relative gap O(1/O)."""
    exact = stats.crude_rate(observed, 1.0, method="exact", multiplier=1.0)
    lower, upper = byar_decimal(observed, 0.95)
    assert float(exact.lower) == pytest.approx(lower, rel=1e-12 + 10 / observed)
    assert float(exact.upper) == pytest.approx(upper, rel=1e-12 + 10 / observed)


@pytest.mark.parametrize(
    "function", [stats.risk_ratio, stats.odds_ratio, stats.risk_difference, stats.rate_ratio]
)
def test_two_groups_with_huge_counts_are_finite(function: Callable[..., Any]) -> None:
    # group risk 0.5, reference risk 0.25: RR 2, OR 3, RD 0.25, IRR 2 (equal exposures)
    result = function(10**15, 2 * 10**15, 5 * 10**14, 2 * 10**15)
    expected = {"risk_ratio": 2.0, "odds_ratio": 3.0, "risk_difference": 0.25, "rate_ratio": 2.0}
    assert float(result.estimate) == pytest.approx(expected[function.__name__], rel=1e-15)
    assert np.isfinite([result.lower, result.upper]).all()
    assert float(result.upper) - float(result.lower) < 2e-6


@pytest.mark.parametrize("kind", ["rate", "ratio"])
@pytest.mark.parametrize("method", ["exact", "spiegelhalter"])
def test_funnel_huge_denominators_finish(kind: str, method: str) -> None:
    # An expected count of 1e12 used to step one count at a time from 0 (scipy's Poisson ppf
    # is NaN above about 1e11). The normal approximation puts the limits at 1 -/+ z / 1e6
    # (z = 1.96 and 3.09) to within about 1e-12, so well inside (0.999, 1.001).
    limits = outcome(stats.funnel_limits, [1e12], 1.0, kind=kind, method=method)
    assert_sound(limits)
    assert (limits.lower > 0.999).all()
    assert (limits.lower < 1.0).all()
    assert (limits.upper > 1.0).all()
    assert (limits.upper < 1.001).all()


# --------------------------------------------------------------------------------------------
# Regression tests for the fixes made with this file


def test_counts_above_2_to_the_53_are_refused() -> None:
    # 2**53 + 2 is the next float64 above 2**53 (2**53 + 1 rounds to 2**53)
    assert_sound(stats.proportion(MAX_COUNT, MAX_COUNT))
    result = outcome(stats.proportion, 3, MAX_COUNT + 2)
    assert_error(result, InvalidArgumentError, "total", "2**53", "at most")


def test_python_int_beyond_the_float_range_is_an_error() -> None:
    result = outcome(stats.proportion, [1, 10**400], 10)
    assert_error(result, InvalidArgumentError, "events", "index 1", "too large")


def test_ragged_list_is_a_shape_error_not_a_numpy_error() -> None:
    result = outcome(stats.proportion, [[1, 2], [3]], 5)
    assert_error(result, ShapeMismatchError, "events", "ragged")


def test_missing_value_in_an_object_column_is_named_with_its_position() -> None:
    result = outcome(stats.crude_rate, pd.Series([1, None, 3], dtype=object), 100.0)
    assert_error(result, InvalidTypeError, "events", "missing value", "index 1")


def test_decimal_counts_from_a_database_are_accepted() -> None:
    # sqlalchemy returns NUMERIC columns as Decimal; the result equals that of plain floats
    decimals = np.array([decimal.Decimal("3"), decimal.Decimal("12")], dtype=object)
    assert_same(stats.crude_rate(decimals, 100.0), stats.crude_rate([3.0, 12.0], 100.0))


def test_level_just_below_one_gives_finite_wilson_limits() -> None:
    # alpha = 2**-53, z = -Phi^-1(2**-54) = 8.29 (previously Phi^-1(1 - 2**-54) = infinity)
    level = 1 - 2**-53
    result = stats.proportion(3, 5, confidence_level=level)
    z = -NormalDist().inv_cdf(2**-54)
    p, n = 0.6, 5
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert float(result.lower) == pytest.approx(centre - half, rel=1e-12)
    assert float(result.upper) == pytest.approx(centre + half, rel=1e-12)


@pytest.mark.parametrize("events", [50, 10**6, 10**12, 10**15])
def test_exact_rate_ratio_keeps_its_digits_when_the_reference_has_one_event(events: int) -> None:
    """With c = 1 the upper limit of p is the beta(a + 1, 1) quantile q^(1/(a + 1)), so the
    upper rate-ratio limit is exp(t) / (-expm1(t)), t = ln(1 - alpha/2) / (a + 1). Computing
    1 - p by subtraction lost up to 4 digits at a = 1e12."""
    result = stats.rate_ratio(events, 1.0, 1, 1.0, method="exact")
    t = math.log1p(-0.025) / (events + 1)
    assert float(result.upper) == pytest.approx(math.exp(t) / -math.expm1(t), rel=1e-12)


def test_exact_rate_ratio_estimate_does_not_underflow() -> None:
    # (1 / 1e15) x (1e-300 / 1e-300) = 1e-15; (a/T1)/(c/T0) overflowed the denominator to inf
    result = stats.rate_ratio(1, 1e-300, 10**15, 1e-300, method="exact")
    assert float(result.estimate) == pytest.approx(1e-15, rel=1e-15)
    assert_sound(result)


def test_exact_odds_ratio_refuses_tables_too_large_to_enumerate() -> None:
    """scipy sums over every table with the margins; 1e5 people took minutes, 1e15 raised
    OverflowError. Such tables now give NaN with a note suggesting Woolf."""
    result = stats.odds_ratio(
        [3, 10**15, 5_000, 0],
        [10, 2 * 10**15, 10_000, 10**9],
        [1, 3, 5_000, 1],
        [10, 10, 10_000, 10**9],
        method="exact",
    )
    assert np.isfinite(result.estimate[[0]]).all()
    assert np.isnan(result.estimate[1:3]).all()
    assert all("woolf" in note for note in result.note[1:3])
    assert float(result.estimate[3]) == 0.0  # 2e9 people but one event: enumerable, and run
    assert_sound(result)


@pytest.mark.parametrize(
    ("function", "arguments"),
    [
        (stats.crude_rate, (10**15, 1e-300)),
        (stats.rate_ratio, (10**15, 1e-300, 1, 1e300)),
        (stats.directly_standardised_rate, ([[10**15, 20]], [[1e-300, 100.0]], [1.0, 1.0])),
    ],
)
def test_values_beyond_the_float_range_are_nan_with_a_note(
    function: Callable[..., Any], arguments: tuple[Any, ...]
) -> None:
    result = outcome(function, *arguments)
    assert_sound(result)
    estimate = np.atleast_1d(result.estimate)
    assert np.isnan(estimate[0])
    assert "beyond the range" in str(np.atleast_1d(result.note)[0])


def test_indirect_ratio_with_overflowing_expected_count_is_not_zero() -> None:
    # E = 1e300 x 1e10 overflows to infinity; O/E was reported as a ratio of exactly 0
    result = stats.indirectly_standardised_ratio(5, [1e300, 1.0], [1e10, 0.1])
    assert np.isnan(result.estimate)
    assert "beyond the range" in str(result.note)


def test_mantel_haenszel_rate_ratio_does_not_overflow_with_huge_exposures() -> None:
    # Rescaling every exposure by the same factor leaves the pooled rate ratio unchanged
    # (each term of R, S and the variance depends only on exposure shares).
    small = stats.mantel_haenszel_rate_ratio([5, 3], [1.0, 2.0], [2, 4], [3.0, 1.0])
    huge = stats.mantel_haenszel_rate_ratio([5, 3], [1e300, 2e300], [2, 4], [3e300, 1e300])
    for field in ("estimate", "lower", "upper"):
        assert float(getattr(huge, field)) == pytest.approx(float(getattr(small, field)), rel=1e-14)


def test_standard_whose_total_overflows_is_refused() -> None:
    result = outcome(stats.directly_standardised_rate, [[10, 20]], [[100, 200]], [1e308, 1e308])
    assert_error(result, InvalidArgumentError, "standard", "float range")


def test_xmr_limits_near_the_float_limit() -> None:
    # |-1e308 - 1e308| = 2e308 is beyond the largest double: a typed error, not inf limits.
    result = outcome(stats.xmr_limits, [1e308, -1e308, 1e308])
    assert_error(result, InvalidArgumentError, "values")
