"""Fixtures for the command-line tests: configurations written into temporary folders."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from equitymetrics.cli import main
from equitymetrics.datasets import write_sample_config


@dataclass(frozen=True)
class Run:
    """The exit status and the two output streams of one ``main([...])`` call."""

    status: int
    out: str
    err: str


def run_main(argv: list[str]) -> Run:
    """Call ``main`` in-process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return Run(status, out.getvalue(), err.getvalue())


def edit_config(config: Path, replacements: dict[str, str]) -> Path:
    """Replace whole lines of a written configuration; each line must be present."""
    text = config.read_text(encoding="utf-8")
    for old, new in replacements.items():
        if old not in text.splitlines():
            raise LookupError(f"{old!r} is not a line of {config}")
        text = text.replace(old + "\n", new + "\n")
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture
def sample_config(tmp_path: Path) -> Path:
    """The sample trust's CSV files and quarterly.toml, copied into a fresh folder."""
    return write_sample_config(tmp_path / "sample")


@pytest.fixture
def small_config(sample_config: Path) -> Path:
    """The sample trust restricted to one cheap measure (WRES 2) and two output formats."""
    return edit_config(
        sample_config,
        {
            'measures = ["all"]': 'measures = ["wres_2"]',
            'formats = ["html", "xlsx", "parquet", "csv", "json"]': 'formats = ["csv", "json"]',
        },
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """One full ``equitymetrics demo`` run (the slowest call, so shared by a module)."""
    out = tmp_path_factory.mktemp("demo") / "report"
    return run_main(["demo", "--out", str(out)]), out


@pytest.fixture
def run() -> Callable[[list[str]], Run]:
    """``main`` called in-process, returning its status and what it printed."""
    return run_main


@pytest.fixture
def edit() -> Callable[[Path, dict[str, str]], Path]:
    """Replace whole lines of a configuration file."""
    return edit_config
