"""The loader registry: built-ins, entry-point plugins, broken plugins, unknown names."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from equitymetrics.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    LoaderError,
    PluginWarning,
    UnknownLoaderError,
)
from equitymetrics.loaders import (
    ENTRY_POINT_GROUP,
    CsvLoader,
    Loader,
    _registry,
    get_loader,
    infer_loader,
    list_loaders,
    load,
)

EXAMPLE_PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "loader_plugin"
BUILT_INS = ["csv", "excel", "memory", "ons_census", "parquet", "sql"]


def _entry_points_from_pyproject() -> list[importlib.metadata.EntryPoint]:
    """The entry points the example plugin declares, exactly as pip would install them."""
    with (EXAMPLE_PLUGIN / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["project"]["entry-points"][ENTRY_POINT_GROUP]
    return [
        importlib.metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)
        for name, value in declared.items()
    ]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[importlib.metadata.EntryPoint]:
    """Replace the installed entry points with a list the test fills in."""
    entry_points: list[importlib.metadata.EntryPoint] = []
    monkeypatch.setattr(_registry, "_entry_points", lambda: list(entry_points))
    return entry_points


def test_built_in_loaders_are_listed(installed: list[importlib.metadata.EntryPoint]) -> None:
    assert list_loaders() == BUILT_INS


def test_the_real_entry_point_lookup_runs() -> None:
    # Whatever is installed in this environment, the built-ins are always there.
    assert set(BUILT_INS) <= set(list_loaders())


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_satisfies_the_protocol(name: str) -> None:
    assert isinstance(get_loader(name), Loader)


def test_get_loader_returns_a_new_instance() -> None:
    first, second = get_loader("csv"), get_loader("csv")
    assert isinstance(first, CsvLoader)
    assert first is not second


def test_unknown_loader_lists_the_installed_ones(
    installed: list[importlib.metadata.EntryPoint],
) -> None:
    message = (
        r"no loader named 'feather' is installed; the installed loaders are 'csv', 'excel', "
        r"'memory', 'ons_census', 'parquet', 'sql'\."
    )
    with pytest.raises(UnknownLoaderError, match=message):
        get_loader("feather")


def test_unknown_loader_error_is_a_key_and_loader_error() -> None:
    with pytest.raises(KeyError):
        get_loader("feather")
    with pytest.raises(LoaderError):
        load("patients", "patients.csv", loader="feather")


def test_loader_name_must_be_text() -> None:
    with pytest.raises(InvalidTypeError, match="must be a string"):
        get_loader(3)  # type: ignore[arg-type]


def test_example_plugin_loads_through_its_entry_point(
    installed: list[importlib.metadata.EntryPoint],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN / "src"))
    installed.extend(_entry_points_from_pyproject())
    assert list_loaders() == sorted([*BUILT_INS, "jsonl"])
    plugin = get_loader("jsonl")
    assert type(plugin).__name__ == "JsonLinesLoader"
    assert isinstance(plugin, Loader)

    path = tmp_path / "survey.jsonl"
    path.write_text(
        '{"year": 2024, "indicator": "5", "group": "White", "respondents": 200, "positive": 50}\n'
        "\n"
        '{"year": 2024, "indicator": "5", "group": "BME", "respondents": 80, "positive": 90}\n',
        encoding="utf-8",
    )
    loaded = load("staff_survey", path, loader="jsonl", on_invalid="exclude")
    assert loaded.report.loader == "jsonl"
    assert loaded.frame["respondents"].tolist() == [200]
    # The plugin numbers rows by line, so the bad row is reported at line 3.
    assert loaded.report.failures["row"].tolist() == [3]
    assert loaded.report.rows_excluded == {"positive greater than respondents": 1}


def test_broken_plugin_warns_and_is_skipped(
    installed: list[importlib.metadata.EntryPoint],
) -> None:
    installed.append(
        importlib.metadata.EntryPoint(
            name="broken", value="no_such_module_anywhere:Loader", group=ENTRY_POINT_GROUP
        )
    )
    with pytest.warns(PluginWarning, match=r"loader plugin 'broken' .* was skipped"):
        assert list_loaders() == BUILT_INS
    with (
        pytest.warns(PluginWarning, match="ModuleNotFoundError"),
        pytest.raises(UnknownLoaderError, match="no loader named 'broken'"),
    ):
        get_loader("broken")


def test_plugin_without_read_method_warns(
    installed: list[importlib.metadata.EntryPoint],
) -> None:
    installed.append(
        importlib.metadata.EntryPoint(name="odd", value="pathlib:PurePath", group=ENTRY_POINT_GROUP)
    )
    with pytest.warns(PluginWarning, match="has no read"):
        assert "odd" not in list_loaders()


def test_plugin_cannot_replace_a_built_in(
    installed: list[importlib.metadata.EntryPoint],
) -> None:
    installed.append(
        importlib.metadata.EntryPoint(
            name="csv", value="equitymetrics.loaders:MemoryLoader", group=ENTRY_POINT_GROUP
        )
    )
    with pytest.warns(PluginWarning, match="a built-in loader has that name"):
        list_loaders()
    assert isinstance(get_loader("csv"), CsvLoader)  # built-ins never look at plugins


def test_a_loader_object_can_be_passed_directly() -> None:
    class Reversed:
        name = "reversed"

        def read(self, source: object, /, **options: object) -> pd.DataFrame:
            frame = pd.DataFrame(
                {
                    "year": [2023, 2024],
                    "indicator": ["6", "6"],
                    "group": ["BME", "BME"],
                    "respondents": [10, 12],
                    "positive": [1, 2],
                }
            )
            return frame.set_axis(pd.Index([2, 1], name="row"), axis=0)

    loaded = load("staff_survey", "anything", loader=Reversed())
    assert loaded.report.loader == "reversed"
    assert loaded.frame.index.tolist() == [2, 1]


def test_a_loader_class_instead_of_an_instance_is_refused() -> None:
    with pytest.raises(InvalidTypeError, match=r"pass an instance, loader=CsvLoader\(\)"):
        load("patients", "patients.csv", loader=CsvLoader)  # type: ignore[arg-type]


def test_a_loader_returning_zero_based_rows_is_refused() -> None:
    class ZeroBased:
        def read(self, source: object, /, **options: object) -> pd.DataFrame:
            return pd.DataFrame({"year": [2024]})

    with pytest.raises(LoaderError, match="1-based data row numbers"):
        load("staff_survey", "anything", loader=ZeroBased())


@pytest.mark.parametrize(
    ("source", "table", "expected"),
    [
        ("patients.csv", "patients", "csv"),
        ("PATIENTS.CSV", "patients", "csv"),
        ("survey.tsv", "staff_survey", "csv"),
        ("census2021-ts021-ltla.csv", "census_population", "ons_census"),
        ("stays.parquet", "inpatient_stays", "parquet"),
        ("staff.xlsx", "staff", "excel"),
        ("sqlite:///trust.db", "patients", "sql"),
        ("postgresql+psycopg://analyst@db.example/trust", "patients", "sql"),
        (pd.DataFrame(), "patients", "memory"),
        (Path("dir/staff.xlsm"), "staff", "excel"),
    ],
)
def test_infer_loader(source: object, table: str, expected: str) -> None:
    assert infer_loader(source, table) == expected


def test_infer_loader_unknown_extension() -> None:
    with pytest.raises(InvalidArgumentError, match=r"extension '\.sav'; pass loader="):
        load("patients", "patients.sav")


def test_unknown_option_names_the_accepted_ones(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match="takes: delimiter, encoding"):
        load("patients", path, sheet="Data")


def test_missing_file_is_a_loader_error(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="does not exist"):
        load("patients", tmp_path / "nowhere.csv")
