"""Bad configuration: every problem is a ConfigurationError naming the file and the key.

Covers unknown keys at every level (with the nearest valid key suggested), several problems
reported at once, wrong types and values, missing, unreadable and mis-encoded files, and data
paths that leave the configuration's folder (allowed, resolved, recorded in the provenance).
Expected paths are computed independently with :func:`os.path.realpath`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

import equitymetrics as em
from equitymetrics.config import Config, config_from_mapping, load_config
from equitymetrics.exceptions import ConfigurationError, EquityMetricsError, InvalidTypeError

VALID = """\
[organisation]
name = "Example Partnership NHS Foundation Trust"

[period]
start = 2025-04-01
end = 2025-06-30

[data.patients]
path = "patients.csv"
loader = "csv"

[analysis]
grouping = "broad"
reference = "White"
confidence_level = 0.95

[output]
formats = ["html", "csv"]
"""


def valid_mapping() -> dict[str, Any]:
    return {
        "organisation": {"name": "Example Partnership NHS Foundation Trust"},
        "period": {"start": dt.date(2025, 4, 1), "end": dt.date(2025, 6, 30)},
        "data": {"patients": {"path": "patients.csv", "loader": "csv"}},
        "analysis": {"grouping": "broad", "reference": "White", "confidence_level": 0.95},
        "output": {"formats": ["html", "csv"]},
    }


def write(folder: Path, text: str, name: str = "quarterly.toml") -> Path:
    file = folder / name
    file.write_text(text, encoding="utf-8")
    return file


def replace_line(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new)


def configuration_error(path: Path) -> ConfigurationError:
    """The ConfigurationError that loading ``path`` raises (any other outcome fails)."""
    with pytest.raises(ConfigurationError) as caught:
        load_config(path)
    assert isinstance(caught.value, ValueError)
    return caught.value


def test_the_valid_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.analysis.grouping == "broad"
    assert config.period.end == dt.date(2025, 6, 30)
    assert config.base_dir == tmp_path.resolve()


# --------------------------------------------------------------------------------------------
# Unknown keys at every level

UNKNOWN_KEYS = [
    pytest.param('[analysis]\ngrouping = "broad"', '[analyses]\ngrouping = "broad"', "analyses",
                 "analysis", id="top-level"),
    pytest.param("end = 2025-06-30", "ends = 2025-06-30", "period.ends", "end", id="period"),
    pytest.param('grouping = "broad"', 'groupings = "broad"', "analysis.groupings", "grouping",
                 id="analysis"),
    pytest.param('loader = "csv"', 'loadr = "csv"', "data.patients.loadr", "loader",
                 id="data.patients"),
    pytest.param('formats = ["html", "csv"]', 'format = ["html", "csv"]', "output.format",
                 "formats", id="output"),
    pytest.param('name = "Example', 'nme = "Example', "organisation.nme", "name",
                 id="organisation"),
    pytest.param("[data.patients]", "[data.patient]", "data.patient", "patients",
                 id="data-table"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "key", "suggestion"), UNKNOWN_KEYS)
def test_unknown_key_is_named_with_the_nearest_valid_key(
    tmp_path: Path, old: str, new: str, key: str, suggestion: str
) -> None:
    file = write(tmp_path, replace_line(old, new))
    message = str(configuration_error(file))
    assert str(file.resolve()) in message
    assert f"{key}: unknown" in message
    assert f"Did you mean {suggestion!r}?" in message


def test_unknown_disclosure_key_via_a_mapping() -> None:
    data = {**valid_mapping(), "disclosure": {"polcy": "nhs_secondary_care"}}
    with pytest.raises(ConfigurationError, match=r"disclosure\.polcy: unknown key\. Did you mean"):
        config_from_mapping(data, base_dir=Path("."))


def test_unknown_key_without_a_close_match_lists_the_valid_keys(tmp_path: Path) -> None:
    file = write(tmp_path, replace_line('grouping = "broad"', 'zzz = "broad"'))
    message = str(configuration_error(file))
    assert "analysis.zzz: unknown key. Valid keys:" in message
    assert "grouping" in message
    assert "confidence_level" in message


@pytest.mark.parametrize("key", ["base_dir", "source_file"])
def test_internal_fields_cannot_be_set_from_the_file(tmp_path: Path, key: str) -> None:
    """base_dir is where relative paths start: a key in the file must not silently move it."""
    file = write(tmp_path, f'{key} = "/somewhere/else"\n' + VALID)
    message = str(configuration_error(file))
    assert f"{key}: unknown key" in message


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    text = (
        VALID.replace("[analysis]", "[analysis]\ncolour = 'blue'")
        .replace('grouping = "broad"', 'groupings = "broad"')
        .replace("confidence_level = 0.95", "confidence_level = 95")
        .replace('formats = ["html", "csv"]', 'formats = ["pdf"]')
        .replace("end = 2025-06-30", "ends = 2025-06-30")
    )
    message = str(configuration_error(write(tmp_path, text)))
    assert "6 problems" in message
    for expected in (
        "period.end: required key is missing",
        "analysis.colour: unknown key",
        "analysis.groupings: unknown key. Did you mean 'grouping'?",
        "analysis.confidence_level: must be a fraction such as 0.95, not 95; use 0.95",
        "output.formats.0:",
        "period.ends: unknown key. Did you mean 'end'?",
    ):
        assert expected in message
    assert len(message.splitlines()) == 7  # the heading and one line per problem


# --------------------------------------------------------------------------------------------
# Wrong types and values

WRONG_VALUES = [
    pytest.param("start = 2025-04-01", 'start = "last quarter"', "period.start",
                 ["'last quarter'", "e.g. start = 2025-04-01"], id="start-as-text"),
    pytest.param("start = 2025-04-01", "start = 20250401", "period.start",
                 ["not the number 20250401"], id="start-as-number"),
    pytest.param("confidence_level = 0.95", "confidence_level = 95",
                 "analysis.confidence_level", ["use 0.95"], id="level-95"),
    pytest.param("confidence_level = 0.95", 'confidence_level = "95"',
                 "analysis.confidence_level", ["use 0.95"], id="level-95-text"),
    pytest.param("confidence_level = 0.95", "confidence_level = 99.8",
                 "analysis.confidence_level", ["use 0.998"], id="level-99.8"),
    pytest.param("confidence_level = 0.95", "confidence_level = 1",
                 "analysis.confidence_level", ["less than 1"], id="level-1"),
    pytest.param("confidence_level = 0.95", "confidence_level = 0",
                 "analysis.confidence_level", ["greater than 0"], id="level-0"),
    pytest.param("confidence_level = 0.95", "confidence_level = nan",
                 "analysis.confidence_level", ["finite"], id="level-nan"),
    pytest.param("confidence_level = 0.95", "confidence_level = true",
                 "analysis.confidence_level", ["not true"], id="level-true"),
    pytest.param('formats = ["html", "csv"]', 'formats = ["pdf"]', "output.formats.0",
                 ["'pdf'", "'html'", "'xlsx'"], id="formats-pdf"),
    pytest.param('formats = ["html", "csv"]', 'formats = ["xls"]', "output.formats.0",
                 ["Did you mean 'xlsx'?"], id="formats-xls"),
    pytest.param('formats = ["html", "csv"]', 'formats = "html"', "output.formats",
                 ["valid list"], id="formats-not-a-list"),
    pytest.param('grouping = "broad"', 'grouping = "nhs17"', "analysis.grouping",
                 ["Did you mean 'nhs16'?"], id="grouping"),
    pytest.param('grouping = "broad"', "smi_min_age = true", "analysis.smi_min_age",
                 ["not true"], id="age-true"),
    pytest.param('grouping = "broad"', "trend_quarters = 0", "analysis.trend_quarters",
                 ["greater than or equal to 1"], id="quarters-0"),
    pytest.param('grouping = "broad"', 'catchment = "E06000045"', "analysis.catchment",
                 ["valid list"], id="catchment-not-a-list"),
    pytest.param('loader = "csv"', "header_row = 0", "data.patients.header_row",
                 ["greater than or equal to 1"], id="header-row-0"),
    pytest.param('loader = "csv"', "sheet = true", "data.patients.sheet", ["not true"],
                 id="sheet-true"),
    pytest.param('name = "Example Partnership NHS Foundation Trust"', "name = 5",
                 "organisation.name", ["valid string"], id="name-number"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "key", "fragments"), WRONG_VALUES)
def test_wrong_type_or_value_names_the_key(
    tmp_path: Path, old: str, new: str, key: str, fragments: list[str]
) -> None:
    file = write(tmp_path, replace_line(old, new))
    message = str(configuration_error(file))
    assert str(file.resolve()) in message
    assert f"  {key}: " in message
    for fragment in fragments:
        assert fragment in message


def test_end_before_start(tmp_path: Path) -> None:
    text = VALID.replace("start = 2025-04-01", "start = 2025-07-01")
    message = str(configuration_error(write(tmp_path, text)))
    assert "period: end (2025-06-30) is before start (2025-07-01); swap them" in message


def test_missing_sections_are_listed(tmp_path: Path) -> None:
    message = str(configuration_error(write(tmp_path, "[analysis]\ngrouping = 'broad'\n")))
    assert "organisation: required key is missing" in message
    assert "period: required key is missing" in message


def test_a_quoted_iso_date_is_read_as_the_date() -> None:
    """Documented leniency: an unambiguous ISO date in quotes is accepted."""
    data = valid_mapping()
    data["period"] = {"start": "2025-04-01", "end": "2025-06-30"}
    config = config_from_mapping(data, base_dir=Path("."))
    assert config.period.start == dt.date(2025, 4, 1)


def test_mapping_that_is_not_a_table() -> None:
    with pytest.raises(ConfigurationError, match="must be a table of keys"):
        config_from_mapping(["organisation"], base_dir=Path("."))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Files


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "quarterly.toml"
    message = str(configuration_error(missing))
    assert str(missing) in message
    assert "does not exist" in message


def test_folder_instead_of_a_file(tmp_path: Path) -> None:
    message = str(configuration_error(tmp_path))
    assert str(tmp_path) in message
    assert "folder" in message


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    file = write(tmp_path, VALID.replace('grouping = "broad"', "grouping = broad"))
    message = str(configuration_error(file))
    assert str(file) in message
    assert "not valid TOML" in message
    assert "line 13" in message  # tomllib's position of the bare word


def test_duplicate_key_is_invalid_toml(tmp_path: Path) -> None:
    file = write(tmp_path, VALID + '\n[analysis]\ngrouping = "binary"\n')
    assert "not valid TOML" in str(configuration_error(file))


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_file_that_is_not_utf8_names_the_file(tmp_path: Path, encoding: str) -> None:
    file = tmp_path / "quarterly.toml"
    file.write_bytes(VALID.replace("Example", "Énfield").encode(encoding))
    message = str(configuration_error(file))
    assert str(file) in message
    assert "not UTF-8" in message


def test_utf8_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Windows editors often save UTF-8 with a byte-order mark, which TOML parsers refuse."""
    file = tmp_path / "quarterly.toml"
    file.write_bytes(VALID.encode("utf-8-sig"))
    assert load_config(file).organisation.name.startswith("Example")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path, VALID)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # as chmod 000 would (except for root)
    message = str(configuration_error(file))
    assert str(file) in message
    assert "cannot be read (Permission denied)" in message


@pytest.mark.parametrize("path", [None, 3, ["quarterly.toml"]])
def test_path_of_the_wrong_type(path: Any) -> None:
    with pytest.raises(InvalidTypeError, match=r"path must be a str or pathlib\.Path"):
        load_config(path)


# --------------------------------------------------------------------------------------------
# Paths that leave the configuration's folder


def test_dotdot_path_resolves_against_the_configuration_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    file = write(folder, VALID.replace('path = "patients.csv"', 'path = "../data/patients.csv"'))
    monkeypatch.chdir(tmp_path)  # the current folder must not matter
    config = load_config(file)
    source = config.data["patients"].path
    assert source == "../data/patients.csv"  # kept as written
    expected = os.path.realpath(os.path.join(str(folder), "..", "data", "patients.csv"))
    assert config.resolve(source) == expected


def test_absolute_paths_home_and_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_mapping(valid_mapping(), base_dir=tmp_path)
    absolute = os.path.realpath(str(tmp_path / "elsewhere" / "x.csv"))
    assert config.resolve(absolute) == absolute
    assert config.resolve("sqlite:///trust.db") == "sqlite:///trust.db"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = os.path.realpath(os.path.join(str(tmp_path), "home", "data", "x.csv"))
    assert config.resolve("~/data/x.csv") == expected


def test_dotdot_path_is_recorded_resolved_in_the_provenance(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sample = Path(em.datasets.sample_trust_files()["patients"]).read_text(encoding="utf-8")
    (data / "patients.csv").write_text("\n".join(sample.splitlines()[:41]) + "\n")
    folder = tmp_path / "config"
    folder.mkdir()
    file = write(
        folder,
        '[organisation]\nname = "Test"\n[period]\nstart = 2025-04-01\nend = 2025-06-30\n'
        '[data.patients]\npath = "../data/patients.csv"\n',
    )
    results = em.compute(file)
    record = results.provenance.configuration["data"]["patients"]
    assert record["path"] == "../data/patients.csv"
    assert record["resolved_path"] == os.path.realpath(str(data / "patients.csv"))


def test_every_error_is_an_equitymetrics_error(tmp_path: Path) -> None:
    """A pipeline can catch every configuration problem with one except clause."""
    for text in ("[", "x = 1", VALID.replace("0.95", "95")):
        with pytest.raises(EquityMetricsError):
            load_config(write(tmp_path, text))
    assert issubclass(ConfigurationError, EquityMetricsError)
    assert Config.model_config.get("extra") == "forbid"
