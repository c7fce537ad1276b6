"""write_report: which files, argument checks, byte-identical output, atomic writes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from equitymetrics.disclosure import get_policy
from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, UnknownMethodError
from equitymetrics.measures import Results
from equitymetrics.report import OUTPUT_FILES, _atomic, _write, write_report
from equitymetrics.report._atomic import PARTIAL_SUFFIX, write_atomically

ALL_FILES = ["provenance.json", "report.html", "results.csv", "results.parquet", "results.xlsx"]


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(PARTIAL_SUFFIX))


def test_every_file_is_written(report_dir: Path) -> None:
    assert sorted(path.name for path in report_dir.iterdir()) == ALL_FILES
    for name in ALL_FILES:
        assert (report_dir / name).stat().st_size > 0


def test_returns_format_to_path_in_the_order_asked(
    results: Results, tmp_path: Path, facts: Any
) -> None:
    written = write_report(
        results, tmp_path / "new" / "folder", formats=["json", "csv"],
        unit_parents=facts.unit_parents,
    )  # fmt: skip
    assert list(written) == ["json", "csv"]
    assert written["csv"] == tmp_path / "new" / "folder" / "results.csv"
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == [
        "provenance.json",
        "results.csv",
    ]


def test_outputs_are_byte_identical_on_a_second_run(
    results: Results, report_dir: Path, tmp_path: Path, facts: Any, build: Any
) -> None:
    # A fresh Results object from the same inputs, written to another folder.
    write_report(build(), tmp_path, unit_parents=facts.unit_parents)
    assert _digests(tmp_path) == _digests(report_dir)


def test_policy_none_publishes_exact_counts(results: Results, tmp_path: Path, facts: Any) -> None:
    write_report(results, tmp_path, formats=["csv"], policy="none")
    text = (tmp_path / "results.csv").read_text(encoding="utf-8")
    assert ",none\n" in text
    assert f",{facts.small_numerator:g},{facts.small_denominator:g}," in text


def test_a_policy_object_is_accepted(results: Results, tmp_path: Path, facts: Any) -> None:
    written = write_report(
        results, tmp_path, formats=["json"], policy=get_policy("mha_annual"),
        unit_parents=facts.unit_parents,
    )  # fmt: skip
    assert '"disclosure_policy": "mha_annual"' in written["json"].read_text(encoding="utf-8")


def test_missing_unit_parents_warns_about_recoverable_counts(
    results: Results, tmp_path: Path
) -> None:
    from equitymetrics.exceptions import DataQualityWarning

    with pytest.warns(DataQualityWarning, match="unit_parents"):
        write_report(results, tmp_path, formats=["json"])


@pytest.mark.parametrize(
    ("formats", "error", "message"),
    [
        (["html", "pdf"], InvalidArgumentError, r"unknown format\(s\) \['pdf'\]"),
        ([], InvalidArgumentError, "formats is empty"),
        ("html", InvalidTypeError, "not one string"),
    ],
)
def test_bad_formats_are_refused(
    results: Results, tmp_path: Path, formats: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        write_report(results, tmp_path, formats=formats)
    assert list(tmp_path.iterdir()) == []


def test_unknown_policy_is_refused(results: Results, tmp_path: Path) -> None:
    with pytest.raises(UnknownMethodError, match="'strict' is not a built-in"):
        write_report(results, tmp_path, policy="strict")


def test_results_must_be_a_results_object(results: Results, tmp_path: Path) -> None:
    with pytest.raises(InvalidTypeError, match="results must be the Results object"):
        write_report(results.table, tmp_path)  # type: ignore[arg-type]


def test_output_files_are_the_contract_names() -> None:
    assert dict(OUTPUT_FILES) == {
        "html": "report.html",
        "xlsx": "results.xlsx",
        "parquet": "results.parquet",
        "csv": "results.csv",
        "json": "provenance.json",
    }


# --- atomic writes ---------------------------------------------------------------------------


def _interrupt(monkeypatch: pytest.MonkeyPatch, *, on_call: int = 1) -> None:
    """Make the ``on_call``-th file write half its bytes then fail, as a full disk would."""
    original = _atomic._write_all
    calls = []

    def half_then_fail(handle: BinaryIO, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) != on_call:
            original(handle, data)
            return
        handle.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_atomic, "_write_all", half_then_fail)


def test_interrupted_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _interrupt(monkeypatch)
    target = tmp_path / "report.html"
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"<html>" + b"x" * 200_000)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "results.csv"
    target.write_bytes(b"previous, complete\n")
    _interrupt(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new contents\n" * 10_000)
    assert target.read_bytes() == b"previous, complete\n"
    assert _leftovers(tmp_path) == []


def test_write_atomically_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "provenance.json"
    target.write_bytes(b"old")
    data = bytes(range(256)) * 1000
    assert write_atomically(target, data) == target
    assert target.read_bytes() == data
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert _leftovers(tmp_path) == []


def test_report_interrupted_midway_leaves_only_whole_files(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, facts: Any
) -> None:
    _interrupt(monkeypatch, on_call=3)  # csv, json, then parquet fails
    with pytest.raises(OSError, match="No space left"):
        write_report(
            results, tmp_path, formats=["csv", "json", "parquet", "xlsx"],
            unit_parents=facts.unit_parents,
        )  # fmt: skip
    # The files written before the failure are complete; the one being written is absent and
    # no temporary file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["provenance.json", "results.csv"]
    assert (tmp_path / "results.csv").read_text(encoding="utf-8").count("\n") == len(
        results.table
    ) + 1


def test_a_builder_failing_midway_writes_nothing(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, facts: Any
) -> None:
    (tmp_path / "results.csv").write_bytes(b"last quarter's file\n")

    def broken(published: Any) -> bytes:
        raise RuntimeError("workbook builder crashed")

    monkeypatch.setattr(_write, "xlsx_bytes", broken)
    with pytest.raises(RuntimeError, match="workbook builder crashed"):
        write_report(
            results, tmp_path, formats=["csv", "xlsx", "json"], unit_parents=facts.unit_parents
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]
    assert (tmp_path / "results.csv").read_bytes() == b"last quarter's file\n"
