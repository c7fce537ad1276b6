"""The installed ``equitymetrics`` script and ``python -m equitymetrics``, run as programs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

SCRIPT = Path(sys.executable).with_name("equitymetrics")


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def test_console_script_writes_the_report(small_config: Path, tmp_path: Path) -> None:
    assert SCRIPT.is_file(), "install the project (pip install -e .) to get the console script"
    result = _run(
        str(SCRIPT), "report", "--config", str(small_config), "--out", "out", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert set(pd.read_csv(tmp_path / "out" / "results.csv")["measure"]) == {"wres_2"}
    assert (tmp_path / "out" / "provenance.json").is_file()
    assert "Traceback" not in result.stderr


def test_python_dash_m_reports_a_user_error_without_traceback(tmp_path: Path) -> None:
    result = _run(
        sys.executable, "-m", "equitymetrics", "validate", "--config", "missing.toml", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "configuration file 'missing.toml' does not exist" in result.stderr
    assert "Traceback" not in result.stderr
