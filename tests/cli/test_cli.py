"""The command line, called in-process: commands, exit statuses and error messages."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import equitymetrics
import equitymetrics.cli
from equitymetrics.datasets import SAMPLE_TRUST_TABLES, sample_trust_files
from equitymetrics.measures import CATALOGUE

Run = Callable[[list[str]], Any]
Edit = Callable[[Path, dict[str, str]], Path]

OUTPUT_FILES = ("report.html", "results.xlsx", "results.parquet", "results.csv", "provenance.json")


def _no_traceback(result: Any) -> None:
    assert "Traceback" not in result.out + result.err
    assert 'File "' not in result.err


def _data_rows(path: Path) -> int:
    """Data rows of a CSV file counted with the standard library (header and blank lines out)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    return len(rows) - 1


def _write_minimal_config(folder: Path, body: str) -> Path:
    config = folder / "quarterly.toml"
    config.write_text(
        '[organisation]\nname = "Test Trust"\n\n[period]\nstart = 2025-04-01\nend = 2025-06-30\n'
        + body,
        encoding="utf-8",
    )
    return config


# The main job ------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_writes_all_five_files(demo_run: tuple[Any, Path]) -> None:
    result, out = demo_run
    assert result.status == 0, result.err
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
        assert str(out / name) in result.out
    assert (out / "sample_data" / "quarterly.toml").is_file()
    _no_traceback(result)


@pytest.mark.slow
def test_demo_results_cover_the_whole_catalogue(demo_run: tuple[Any, Path]) -> None:
    _, out = demo_run
    published = pd.read_csv(out / "results.csv")
    assert set(published["measure"]) == {spec.id for spec in CATALOGUE}


@pytest.mark.slow
def test_demo_provenance_names_the_configured_policy(demo_run: tuple[Any, Path]) -> None:
    _, out = demo_run
    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert "nhs_secondary_care" in json.dumps(provenance)


@pytest.mark.slow
def test_demo_prints_a_summary_line(demo_run: tuple[Any, Path]) -> None:
    result, _ = demo_run
    assert "Example Partnership NHS Foundation Trust, 2025-04-01 to 2025-06-30:" in result.out
    assert f"{len(CATALOGUE)} measures" in result.out


def test_report_writes_the_configured_formats_only(
    run: Run, small_config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(["report", "--config", str(small_config), "--out", str(out)])
    assert result.status == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == ["provenance.json", "results.csv"]
    assert set(pd.read_csv(out / "results.csv")["measure"]) == {"wres_2"}
    assert "Wrote 2 files" in result.out


def test_report_with_a_failed_family_writes_outputs_and_exits_1(
    run: Run, small_config: Path, edit: Edit, tmp_path: Path
) -> None:
    # An empty catchment makes the Mental Health Act family fail; WRES is still computed.
    config = edit(
        small_config,
        {
            'measures = ["wres_2"]': 'measures = ["wres_2", "mha_detentions"]',
            'catchment = ["E06999901", "E06999902", "E06999903", "E06999904"]': "catchment = []",
        },
    )
    out = tmp_path / "out"
    result = run(["report", "--config", str(config), "--out", str(out)])
    assert result.status == 1
    assert (out / "results.csv").is_file()
    assert "1 measure family could not be computed" in result.err
    assert "mha: ConfigurationError: analysis.catchment is empty" in result.err
    _no_traceback(result)


def test_progress_messages_only_on_a_terminal(small_config: Path, tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = io.StringIO(), Terminal()
    argv = ["report", "--config", str(small_config), "--out", str(tmp_path / "out")]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = equitymetrics.cli.main(argv)
    assert status == 0, err.getvalue()
    assert "Loading the data of" in err.getvalue()
    assert "Loading the data of" not in out.getvalue()


# validate and measures ---------------------------------------------------------------------


def test_validate_prints_every_load_report(run: Run, sample_config: Path) -> None:
    result = run(["validate", "--config", str(sample_config)])
    assert result.status == 0, result.err
    assert result.err == ""  # no progress messages when standard error is not a terminal
    lines = result.out.splitlines()
    header = next(line for line in lines if line.startswith("table"))
    assert header.split() == [
        "table",
        "rows",
        "read",
        "accepted",
        "excluded",
        "excluded",
        "by",
        "reason",
    ]
    for table, path in sample_trust_files().items():
        row = next(line.split() for line in lines if line.split()[:1] == [table])
        expected = f"{_data_rows(path):,}"  # counted independently with the csv module
        assert row[1:4] == [expected, expected, "0"], table
    assert len(SAMPLE_TRUST_TABLES) == 11
    assert "Measure family wres: ready." in result.out


def test_validate_reports_every_table_when_one_is_invalid(
    run: Run, sample_config: Path, edit: Edit
) -> None:
    (sample_config.parent / "bad_patients.csv").write_text(
        "person_id,ethnic_category,sex,birth_date\nP1,A,7,1980-01-02\n", encoding="utf-8"
    )
    edit(sample_config, {'path = "patients.csv"': 'path = "bad_patients.csv"'})
    result = run(["validate", "--config", str(sample_config)])
    assert result.status == 2
    staff = next(line.split() for line in result.out.splitlines() if line.startswith("staff "))
    assert staff[1] == f"{_data_rows(sample_trust_files()['staff']):,}"
    assert "patients  sex" in result.err  # the failure table: table, column, row, value
    assert "1 of 11 tables did not load" in result.err
    assert "Measure family smi: cannot run without patients." in result.out
    _no_traceback(result)


def test_validate_counts_excluded_rows_by_reason(run: Run, tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text(
        "person_id,ethnic_category,sex,birth_date\nP1,A,1,1980-01-02\nP2,QQ,2,1990-01-01\n"
        "P3,B,1,1990-02-30\n",
        encoding="utf-8",
    )
    config = _write_minimal_config(
        tmp_path, '\n[data.patients]\npath = "patients.csv"\non_invalid = "exclude"\n'
    )
    result = run(["validate", "--config", str(config)])
    assert result.status == 0, result.err
    row = next(line for line in result.out.splitlines() if line.startswith("patients "))
    assert row.split()[1:4] == ["3", "1", "2"]  # 3 data rows, 1 valid, 2 invalid


def test_measures_lists_every_id_with_its_question(run: Run) -> None:
    result = run(["measures"])
    assert result.status == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["measure", "question"]
    assert [line.split()[0] for line in lines[1:]] == [spec.id for spec in CATALOGUE]
    for spec in CATALOGUE:
        assert spec.question in result.out


def test_version(run: Run) -> None:
    result = run(["--version"])
    assert result.status == 0
    assert result.out.strip() == f"equitymetrics {equitymetrics.__version__}"


def test_no_command_is_a_usage_error(run: Run) -> None:
    result = run([])
    assert result.status == 2
    assert "usage: equitymetrics" in result.err


# Errors the user can fix: exit 2, a message that says where and how, no traceback ----------


def test_missing_configuration_file(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = run(["report", "--config", str(missing), "--out", str(tmp_path / "out")])
    assert result.status == 2
    assert str(missing) in result.err
    assert "does not exist" in result.err
    assert not (tmp_path / "out").exists()
    _no_traceback(result)


def test_misspelt_key_suggests_the_right_one(run: Run, sample_config: Path, edit: Edit) -> None:
    edit(sample_config, {'grouping = "broad"': 'groupin = "broad"'})
    result = run(["validate", "--config", str(sample_config)])
    assert result.status == 2
    assert str(sample_config) in result.err
    assert "analysis.groupin: unknown key. Did you mean 'grouping'?" in result.err
    _no_traceback(result)


def test_unknown_policy_and_reference_are_listed_together(
    run: Run, sample_config: Path, edit: Edit, tmp_path: Path
) -> None:
    edit(
        sample_config,
        {
            'policy = "nhs_secondary_care"': 'policy = "nhs_secondary"',
            'reference = "White"': 'reference = "Whit"',
        },
    )
    result = run(["report", "--config", str(sample_config), "--out", str(tmp_path / "out")])
    assert result.status == 2
    assert "2 problems" in result.err
    assert (
        "disclosure.policy: unknown policy 'nhs_secondary'. Did you mean 'nhs_secondary_care'?"
        in result.err
    )
    assert (
        "analysis.reference: 'Whit' is not a group of the 'broad' grouping. Did you mean 'White'?"
        in result.err
    )
    _no_traceback(result)


def test_missing_data_file_names_the_table_and_path(
    run: Run, sample_config: Path, edit: Edit, tmp_path: Path
) -> None:
    edit(sample_config, {'path = "staff.csv"': 'path = "staff_2025.csv"'})
    result = run(["report", "--config", str(sample_config), "--out", str(tmp_path / "out")])
    assert result.status == 2
    assert "data.staff.path: the file 'staff_2025.csv' does not exist" in result.err
    assert str(sample_config.parent / "staff_2025.csv") in result.err
    _no_traceback(result)


@pytest.mark.parametrize("command", ["report", "validate"])
def test_malformed_table_names_file_table_column_and_row(
    run: Run, tmp_path: Path, command: str
) -> None:
    data = tmp_path / "patients.csv"
    data.write_text(
        "person_id,ethnic_category,sex,birth_date\n"
        "P1,A,1,1980-01-02\n"
        "P2,J,2,1990-02-31\n"  # data row 2: 31 February is not a date
        "P3,XY,1,1975-05-05\n",  # data row 3: XY is not an NHS ethnic category
        encoding="utf-8",
    )
    config = _write_minimal_config(tmp_path, '\n[data.patients]\npath = "patients.csv"\n')
    argv = [command, "--config", str(config)]
    if command == "report":
        argv += ["--out", str(tmp_path / "out")]
    result = run(argv)
    assert result.status == 2
    assert str(data) in result.err
    assert "'patients' table" in result.err
    table = result.err.splitlines()
    failures = [line.split(maxsplit=4) for line in table if line.startswith("patients ")]
    assert [f[:4] for f in failures] == [
        ["patients", "birth_date", "2", "1990-02-31"],
        ["patients", "ethnic_category", "3", "XY"],
    ]
    assert 'on_invalid = "exclude"' in result.err  # the fix
    _no_traceback(result)


def test_many_failures_are_cut_to_twenty_with_a_count(run: Run, tmp_path: Path) -> None:
    rows = "".join(f"P{i},Q,1,1980-01-01\n" for i in range(1, 31))
    (tmp_path / "patients.csv").write_text(
        "person_id,ethnic_category,sex,birth_date\n" + rows, encoding="utf-8"
    )
    config = _write_minimal_config(tmp_path, '\n[data.patients]\npath = "patients.csv"\n')
    result = run(["validate", "--config", str(config)])
    assert result.status == 2
    shown = [line for line in result.err.splitlines() if line.startswith("patients ")]
    assert len(shown) == 20
    assert "30 problems in 30 rows" in result.err
    assert "... and 10 more problems not shown." in result.err
    _no_traceback(result)


def test_column_mapping_to_a_missing_source_column(run: Run, tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text(
        "person_id,EthnicCode,sex,birth_date\nP1,A,1,1980-01-02\n", encoding="utf-8"
    )
    config = _write_minimal_config(
        tmp_path,
        '\n[data.patients]\npath = "patients.csv"\ncolumns = { ethnic_category = "Ethnicity" }\n',
    )
    result = run(["validate", "--config", str(config)])
    assert result.status == 2
    assert "'Ethnicity'" in result.err
    assert str(config) in result.err
    _no_traceback(result)


def test_out_must_be_a_folder(run: Run, small_config: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    result = run(["report", "--config", str(small_config), "--out", str(taken)])
    assert result.status == 2
    assert "is a file" in result.err
    _no_traceback(result)


# Unexpected errors: exit 1, one line, the traceback only with --debug -----------------------


def test_unexpected_error_is_one_line_with_a_hint(
    run: Run, small_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(config: object) -> None:
        raise RuntimeError("something inside broke\nsecond line")

    monkeypatch.setattr("equitymetrics.cli.compute", broken)
    result = run(["report", "--config", str(small_config), "--out", str(tmp_path / "out")])
    assert result.status == 1
    assert result.err.splitlines() == [
        "error: unexpected RuntimeError: something inside broke",
        "Run with --debug for the traceback.",
    ]


def test_debug_shows_the_traceback(
    run: Run, small_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(config: object) -> None:
        raise RuntimeError("something inside broke")

    monkeypatch.setattr("equitymetrics.cli.compute", broken)
    argv = ["report", "--config", str(small_config), "--out", str(tmp_path / "out"), "--debug"]
    result = run(argv)
    assert result.status == 1
    assert "Traceback (most recent call last)" in result.err
    assert "--debug for the traceback" not in result.err
