"""The synthetic sample trust shipped inside the package.

"Example Partnership NHS Foundation Trust" is invented: every record in its CSV files is
synthetic, made by ``sample_data/generate_sample_trust.py`` in the source repository (see
``docs/sample-data.md`` for the data dictionary and the disparities planted in it). The files
follow the canonical tables of the data contract, so they load with the ``csv`` loader as they
are.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from equitymetrics.exceptions import InvalidArgumentError, LoaderError

__all__ = [
    "SAMPLE_TRUST_TABLES",
    "sample_trust_dir",
    "sample_trust_files",
    "write_sample_config",
]

SAMPLE_TRUST_TABLES: tuple[str, ...] = (
    "patients",
    "inpatient_stays",
    "restrictive_interventions",
    "mha_episodes",
    "smi_register",
    "census_population",
    "staff",
    "recruitment",
    "disciplinary",
    "training",
    "staff_survey",
)
"""The canonical tables in the sample trust, one ``<name>.csv`` file each."""

_PACKAGE = "equitymetrics.datasets"
_FOLDER = "sample_trust"
_CONFIG_NAME = "quarterly.toml"
_ORGANISATION = "Example Partnership NHS Foundation Trust"
_PERIOD = ("2025-04-01", "2025-06-30")
_CATCHMENT = ("E06999901", "E06999902", "E06999903", "E06999904")
_FORMATS = ("html", "xlsx", "parquet", "csv", "json")


def _packaged_folder() -> Traversable:
    """The packaged ``sample_trust`` folder as an importlib resource."""
    return resources.files(_PACKAGE).joinpath(_FOLDER)


def sample_trust_dir() -> Path:
    """Return the folder holding the sample trust's CSV files inside the installed package.

    Returns
    -------
    pathlib.Path
        The ``equitymetrics/datasets/sample_trust`` folder.

    Raises
    ------
    LoaderError
        If the package is not installed as ordinary files (for example, imported from a zip
        archive), so the folder has no file-system path; use :func:`write_sample_config` to
        copy the files out instead.

    Examples
    --------
    >>> from equitymetrics.datasets import sample_trust_dir
    >>> (sample_trust_dir() / "patients.csv").is_file()
    True
    """
    folder = _packaged_folder()
    if not isinstance(folder, Path) or not folder.is_dir():
        raise LoaderError(
            f"the sample trust folder {_FOLDER!r} of {_PACKAGE!r} is not a folder on disk "
            f"(got {folder!r}); the package may be installed as a zip archive: copy the files "
            "out with equitymetrics.datasets.write_sample_config(directory)"
        )
    return folder


def sample_trust_files() -> dict[str, Path]:
    """Return the sample trust's CSV file for every canonical table.

    Returns
    -------
    dict of str to pathlib.Path
        Canonical table name (``"patients"``, ``"inpatient_stays"``, ...) to its CSV file, in the
        order of :data:`SAMPLE_TRUST_TABLES`.

    Raises
    ------
    LoaderError
        If the folder is not on disk or a file is missing from the installation.

    Examples
    --------
    >>> from equitymetrics.datasets import sample_trust_files
    >>> sample_trust_files()["staff"].name
    'staff.csv'
    """
    folder = sample_trust_dir()
    files = {name: folder / f"{name}.csv" for name in SAMPLE_TRUST_TABLES}
    missing = [path.name for path in files.values() if not path.is_file()]
    if missing:
        raise LoaderError(
            f"the sample trust folder {str(folder)!r} lacks {', '.join(missing)}; reinstall "
            "equitymetrics (or regenerate the files with sample_data/generate_sample_trust.py)"
        )
    return files


def sample_config_text(data_prefix: str = "") -> str:
    """The quarterly TOML configuration for the sample trust.

    ``data_prefix`` is put before every CSV file name (for example ``"data/"``); paths in the
    configuration are relative to the configuration file.
    """
    lines = [
        "# Quarterly report configuration for the SYNTHETIC sample trust shipped with",
        "# equitymetrics: every record is invented (see the sample-data page of the docs).",
        "# Paths are relative to this file. Run: equitymetrics report --config quarterly.toml"
        " --out report",
        "",
        "[organisation]",
        f'name = "{_ORGANISATION}"',
        "",
        "[period]",
        f"start = {_PERIOD[0]}",
        f"end = {_PERIOD[1]}",
    ]
    for name in SAMPLE_TRUST_TABLES:
        lines += ["", f"[data.{name}]", f'path = "{data_prefix}{name}.csv"', 'loader = "csv"']
    catchment = ", ".join(f'"{code}"' for code in _CATCHMENT)
    formats = ", ".join(f'"{name}"' for name in _FORMATS)
    lines += [
        "",
        "[analysis]",
        'grouping = "broad"',
        'reference = "White"',
        "confidence_level = 0.95",
        f"catchment = [{catchment}]",
        'measures = ["all"]',
        "",
        "[disclosure]",
        'policy = "nhs_secondary_care"',
        "",
        "[output]",
        f"formats = [{formats}]",
    ]
    return "\n".join(lines) + "\n"


def write_sample_config(directory: str | os.PathLike[str]) -> Path:
    """Copy the sample trust's CSV files into ``directory`` with a runnable configuration.

    The folder (created if needed) receives one ``<table>.csv`` per canonical table and a
    ``quarterly.toml`` for ``equitymetrics report`` that points at them with relative paths, so
    the folder can be moved as a whole. Existing files of the same names are overwritten. The
    files are read through :mod:`importlib.resources`, so this works whatever the installation.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder to write into.

    Returns
    -------
    pathlib.Path
        The written configuration file, ``directory / "quarterly.toml"``.

    Raises
    ------
    InvalidArgumentError
        If ``directory`` exists and is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> from equitymetrics.datasets import write_sample_config
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     config = write_sample_config(folder)
    ...     print(config.name, (config.parent / "patients.csv").is_file())
    quarterly.toml True
    """
    if not isinstance(directory, str | os.PathLike):
        raise InvalidArgumentError(
            f"directory must be a path (str or os.PathLike); got {type(directory).__name__} "
            f"{directory!r}"
        )
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InvalidArgumentError(
            f"directory must be a folder; {str(target)!r} exists and is a file: pass a new or "
            "existing folder"
        )
    target.mkdir(parents=True, exist_ok=True)
    folder = _packaged_folder()
    for name in SAMPLE_TRUST_TABLES:
        (target / f"{name}.csv").write_bytes(folder.joinpath(f"{name}.csv").read_bytes())
    config = target / _CONFIG_NAME
    config.write_text(sample_config_text(), encoding="utf-8", newline="\n")
    return config
