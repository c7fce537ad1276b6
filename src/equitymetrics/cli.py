"""The command line: ``equitymetrics report | demo | validate | measures``.

``equitymetrics report --config quarterly.toml --out report`` is the quarterly job: it reads the
configuration, loads and validates every table, computes every measure, and writes the report,
workbook, results and provenance with the configuration's disclosure policy and formats.
``equitymetrics demo --out report`` does the same on the synthetic sample trust.
``equitymetrics validate --config quarterly.toml`` checks the configuration and every table and
prints each table's row accounting without computing anything, and ``equitymetrics measures``
lists the catalogue.

Exit status: 0 on success; 2 when the configuration or the data need fixing (the message names
the file, table, column and row and says how to fix it, with no traceback); 1 for anything
else, including a run in which some measure families could not be computed (the other outputs
are still written). Progress messages go to standard error only when it is a terminal.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd

from equitymetrics import disclosure, loaders, measures, taxonomy
from equitymetrics._version import __version__
from equitymetrics.config import Config, load_config
from equitymetrics.datasets import write_sample_config
from equitymetrics.exceptions import (
    ConfigurationError,
    DataValidationError,
    EquityMetricsError,
    InvalidArgumentError,
    InvalidTypeError,
    LoaderError,
    UnrecognisedCodeError,
)
from equitymetrics.pipeline import FAMILY_TABLES, compute, load_tables
from equitymetrics.report import write_report

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USER_ERROR = 2
_FAILURES_SHOWN = 20
_DEMO_DATA_FOLDER = "sample_data"
_FILE_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


@dataclass
class _Console:
    """Where messages go: results to ``out``, everything else to ``err``."""

    out: TextIO
    err: TextIO
    interactive: bool = False
    _seen_warnings: set[str] = field(default_factory=set)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def progress(self, text: str) -> None:
        if self.interactive:
            print(text, file=self.err, flush=True)

    def warn(self, text: str) -> None:
        if text not in self._seen_warnings:
            self._seen_warnings.add(text)
            print(f"warning: {text}", file=self.err)

    def error(self, text: str) -> None:
        print(f"error: {text}", file=self.err)

    def detail(self, text: str) -> None:
        print(text, file=self.err)


@contextmanager
def _warnings_to(console: _Console) -> Iterator[None]:
    """Show the library's warnings as one-line messages instead of Python warning reports."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for item in caught:
                console.warn(str(item.message))


# Tables ------------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: set[int]) -> str:
    """A plain-text table with one space-padded column per header."""
    cells = [[str(h) for h in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    """Table text of a value; missing values (None, NaN, <NA>) are blank."""
    missing = (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )
    return "" if missing else str(value)


def _number(value: int) -> str:
    return f"{value:,}"


# Errors --------------------------------------------------------------------------------------


def _raised_while_loading(error: BaseException) -> bool:
    """Whether ``error`` was raised by the loaders (or while loading the configured tables)."""
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("equitymetrics.loaders") or (
            module == "equitymetrics.pipeline" and frame.f_code.co_name == "load_tables"
        ):
            return True
    return False


def _data_error_text(error: DataValidationError, config: Config | None) -> str:
    """The failures of a table as a table of rows, with where they are and how to fix them."""
    failures = error.failures
    tables = sorted({str(t) for t in failures["table"].dropna()}) if "table" in failures else []
    table = tables[0] if len(tables) == 1 else None
    source = None
    if config is not None and table in config.data and config.data[table].path is not None:
        source = config.resolve(str(config.data[table].path))
    if table is not None and source is not None:
        where = f"[data.{table}] in {config.source_file if config else 'the configuration'}"
        head = f"invalid data in {source} (the {table!r} table, {where}):"
    else:
        head = str(error).splitlines()[0].rstrip(":") + ":"
    rows = len(failures)
    shown = failures.head(_FAILURES_SHOWN)
    columns = [c for c in ("table", "column", "row", "value", "problem") if c in shown]
    body = _table(
        columns,
        list(shown[columns].itertuples(index=False, name=None)),
        right={columns.index("row")} if "row" in columns else set(),
    )
    row_numbers = failures["row"] if "row" in failures else pd.Series(dtype="Int64")
    bad_rows = int(row_numbers.dropna().nunique())
    in_rows = f" in {bad_rows} row{'s' if bad_rows != 1 else ''}" if bad_rows else ""
    whole = " (an empty row means the whole column)" if row_numbers.isna().any() else ""
    lines = [
        head,
        f"{rows} problem{'s' if rows != 1 else ''}{in_rows}; row = the data row of the source, "
        f"counting from 1 after the header{whole}.",
        "",
        body,
    ]
    if rows > len(shown):
        lines.append(f"... and {rows - len(shown)} more problems not shown.")
    section = f"[data.{table}]" if table else "[data.<table>]"
    lines += [
        "",
        "How to fix: correct these values in the source; if a column has another name, map it "
        f'under {section} with columns = {{ canonical_name = "SourceName" }}; or set '
        f'on_invalid = "exclude" under {section} to leave invalid rows out (they are counted '
        "in the load report).",
    ]
    return "\n".join(lines)


def _user_error_text(
    error: BaseException, config: Config | None, table: str | None = None
) -> str | None:
    """The message for an error the user can fix, or None for an unexpected error.

    ``table`` names the ``[data.<table>]`` section being loaded, when that is known.
    """
    file = config.source_file if config is not None else None
    section = f"[data.{table}]" if table else "a [data.<table>] section"
    where = f"{section} of {file}" if file else section
    if isinstance(error, DataValidationError) and (_raised_while_loading(error) or config is None):
        return _data_error_text(error, config)
    if isinstance(error, ConfigurationError):
        return str(error)
    if isinstance(error, LoaderError | UnrecognisedCodeError):
        return f"{error} ({where})" if file or table else str(error)
    if isinstance(error, InvalidArgumentError | InvalidTypeError) and _raised_while_loading(error):
        return f"{where} does not fit its source: {error}"
    if isinstance(error, _FILE_ERRORS):
        name = f" {error.filename!r}" if error.filename else ""
        return f"cannot use{name}: {error.strerror or error}; check the path and permissions."
    return None


# Configuration checks ----------------------------------------------------------------------


def _did_you_mean(value: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(valid), n=1, cutoff=0.6)
    listing = ", ".join(repr(v) for v in valid)
    return f" Did you mean {close[0]!r}?" if close else f" Valid values: {listing}."


def _check_config(config: Config) -> None:
    """Checks of values ``load_config`` cannot make alone; every problem is listed at once."""
    problems = []
    analysis = config.analysis
    grouping = taxonomy.get_grouping(analysis.grouping, binary_label=analysis.minority_label)
    groups = list(grouping.comparable_groups)
    if analysis.reference not in groups:
        problems.append(
            f"analysis.reference: {analysis.reference!r} is not a group of the "
            f"{analysis.grouping!r} grouping.{_did_you_mean(analysis.reference, groups)}"
        )
    policies = disclosure.list_policies()
    if config.disclosure.policy not in policies:
        problems.append(
            f"disclosure.policy: unknown policy {config.disclosure.policy!r}."
            + _did_you_mean(config.disclosure.policy, policies)
        )
    if not config.output.formats:
        problems.append('output.formats is empty: list at least one of "html", "xlsx", ...')
    for table, source in sorted(config.data.items()):
        if source.path is None or "://" in source.path:
            continue
        resolved = Path(config.resolve(source.path))
        if not resolved.exists():
            problems.append(
                f"data.{table}.path: the file {source.path!r} does not exist (looked for "
                f"{str(resolved)!r}); relative paths are taken from the configuration's folder."
            )
    if problems:
        count = len(problems)
        raise ConfigurationError(
            f"{config.source_file}: {count} problem{'s' if count != 1 else ''} in the "
            "configuration:\n" + "\n".join(f"  {p}" for p in problems)
        )


def _read_config(path: str) -> Config:
    config = load_config(path)
    _check_config(config)
    return config


# Commands ----------------------------------------------------------------------------------


@dataclass
class _State:
    """What a command has learnt so far (the configuration, for error messages)."""

    config: Config | None = None


def _summary(config: Config, table: pd.DataFrame) -> str:
    """One line: what was computed, and how many trust-level comparisons stand out."""
    latest = table[
        (table["unit_type"] == "trust")
        & (pd.to_datetime(table["period_end"]) == pd.Timestamp(config.period.end))
        & (table["adjustment"] == "none")
    ]
    higher = int((latest["significance"] == "higher").sum())
    lower = int((latest["significance"] == "lower").sum())
    level = f"{config.analysis.confidence_level * 100:g}%"
    return (
        f"{config.organisation.name}, {config.period.start} to {config.period.end}: "
        f"{table['measure'].nunique()} measures, {_number(len(table))} result rows; at trust "
        f"level in this period {higher} group ratio{'s' if higher != 1 else ''} above and "
        f"{lower} below 1 (the reference group), judged by {level} confidence intervals."
    )


def _run_report(config_path: str, out_dir: str, console: _Console, state: _State) -> int:
    config = _read_config(config_path)
    state.config = config
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"--out {out_dir!r} is a file; give a folder to write into.")
    with _warnings_to(console):
        console.progress(f"Loading the data of {config.source_file} and computing ...")
        results = compute(config)
        console.progress(f"Writing {', '.join(config.output.formats)} to {out} ...")
        files = write_report(
            results,
            out,
            formats=config.output.formats,
            policy=config.disclosure.policy,
        )
    console.say(f"Wrote {len(files)} file{'s' if len(files) != 1 else ''} to {out}:")
    for path in files.values():
        console.say(f"  {path}")
    console.say(_summary(config, results.table))
    for family, reason in sorted(results.provenance.measures_skipped.items()):
        console.say(f"Not computed: {family} ({reason}).")
    if results.failures:
        console.error(
            f"{len(results.failures)} measure famil{'ies' if len(results.failures) != 1 else 'y'}"
            " could not be computed; the outputs hold the others:"
        )
        for family, reason in sorted(results.failures.items()):
            console.detail(f"  {family}: {reason}")
        return EXIT_FAILED
    return EXIT_OK


def _command_report(args: argparse.Namespace, console: _Console, state: _State) -> int:
    return _run_report(args.config, args.out, console, state)


def _command_demo(args: argparse.Namespace, console: _Console, state: _State) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"--out {args.out!r} is a file; give a folder to write into.")
    config_file = write_sample_config(out / _DEMO_DATA_FOLDER)
    console.say(f"Sample trust (synthetic data) and its configuration written to {config_file}")
    return _run_report(str(config_file), str(out), console, state)


def _load_report_rows(report: loaders.LoadReport) -> list[object]:
    excluded = ", ".join(f"{reason}: {_number(n)}" for reason, n in report.rows_excluded.items())
    return [
        report.table,
        _number(report.rows_read),
        _number(report.rows_accepted),
        _number(report.rows_excluded_total),
        excluded or "-",
    ]


def _command_validate(args: argparse.Namespace, console: _Console, state: _State) -> int:
    config = _read_config(args.config)
    state.config = config
    console.say(f"Configuration {config.source_file}: valid.")
    if not config.data:
        console.say("It lists no data tables ([data.<table>] sections).")
        return EXIT_OK
    reports: list[loaders.LoadReport] = []
    errors: list[str] = []
    with _warnings_to(console):
        for table, source in sorted(config.data.items()):
            console.progress(f"Loading {table} ...")
            try:
                loaded = load_tables(config.model_copy(update={"data": {table: source}}))
            except EquityMetricsError as error:
                text = _user_error_text(error, config, table)
                if text is None:
                    raise
                errors.append(text)
                continue
            reports.append(loaded[table].report)
    if reports:
        headers = ["table", "rows read", "accepted", "excluded", "excluded by reason"]
        rows = [_load_report_rows(report) for report in reports]
        console.say("")
        console.say(_table(headers, rows, right={1, 2, 3}))
        console.say("")
        for report in reports:
            console.say(f"  {report.table}: {report.source} (loader {report.loader})")
    present = {report.table for report in reports}
    console.say("")
    for family, needed in FAMILY_TABLES.items():
        missing = [t for t in needed if t not in present]
        status = "ready" if not missing else "cannot run without " + ", ".join(missing)
        console.say(f"Measure family {family}: {status}.")
    for text in errors:
        console.error(text)
    if errors:
        console.error(
            f"{len(errors)} of {len(config.data)} table{'s' if len(config.data) != 1 else ''} "
            "did not load; fix them and run validate again."
        )
        return EXIT_USER_ERROR
    return EXIT_OK


def _command_measures(args: argparse.Namespace, console: _Console, state: _State) -> int:
    del args, state
    width = max(len(spec.id) for spec in measures.CATALOGUE)
    console.say(f"{'measure'.ljust(width)}  question")
    for spec in measures.CATALOGUE:
        console.say(f"{spec.id.ljust(width)}  {spec.question}")
    return EXIT_OK


# Arguments ---------------------------------------------------------------------------------

_Command = Callable[[argparse.Namespace, _Console, _State], int]


def _parser() -> argparse.ArgumentParser:
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the Python traceback of an error",
    )
    parser = argparse.ArgumentParser(
        prog="equitymetrics",
        description="Measure racial and ethnic inequity in NHS mental-health care and the NHS "
        "workforce, with confidence intervals and named reference groups.",
        epilog="Exit status: 0 success; 1 some measures failed or an unexpected error; "
        "2 the configuration or data need fixing.",
        parents=[debug],
    )
    parser.add_argument("--version", action="version", version=f"equitymetrics {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    report = commands.add_parser(
        "report",
        parents=[debug],
        help="compute every measure and write the report, workbook and results",
        description="Load the configured tables, compute the measures and write the outputs "
        "(report.html, results.xlsx, results.parquet, results.csv, provenance.json) with the "
        "configuration's disclosure policy and formats.",
    )
    report.add_argument("--config", required=True, metavar="FILE", help="the TOML configuration")
    report.add_argument("--out", required=True, metavar="DIR", help="folder for the outputs")
    report.set_defaults(handler=_command_report)

    demo = commands.add_parser(
        "demo",
        parents=[debug],
        help="run the report on the bundled synthetic sample trust",
        description="Copy the synthetic sample trust and its configuration into "
        f"DIR/{_DEMO_DATA_FOLDER}/ and write its report to DIR.",
    )
    demo.add_argument("--out", required=True, metavar="DIR", help="folder for the outputs")
    demo.set_defaults(handler=_command_demo)

    validate = commands.add_parser(
        "validate",
        parents=[debug],
        help="check the configuration and every table without computing anything",
        description="Load and validate every configured table and print its row accounting "
        "(rows read, accepted, and excluded by reason).",
    )
    validate.add_argument("--config", required=True, metavar="FILE", help="the TOML file")
    validate.set_defaults(handler=_command_validate)

    listing = commands.add_parser(
        "measures",
        parents=[debug],
        help="list the measure catalogue",
        description="List every measure's identifier and the question it answers.",
    )
    listing.set_defaults(handler=_command_measures)
    return parser


def _discard_stdout() -> None:
    """Point standard output at the null device so that the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. captured in a test)
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; by default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success; 2 when the configuration or the data need fixing; 1 when some measure
        families failed (their outputs are still written) or on an unexpected error.

    Examples
    --------
    >>> from equitymetrics.cli import main
    >>> main(["--version"])  # doctest: +SKIP
    equitymetrics 0.1.0
    0
    """
    console = _Console(out=sys.stdout, err=sys.stderr, interactive=sys.stderr.isatty())
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        if exit_.code is None:
            return EXIT_OK
        return exit_.code if isinstance(exit_.code, int) else EXIT_USER_ERROR
    debug = bool(getattr(args, "debug", False))
    handler: _Command = args.handler
    state = _State()
    try:
        return handler(args, console, state)
    except KeyboardInterrupt:
        console.error("interrupted.")
        return 130
    except BrokenPipeError:  # the reader went away, e.g. `equitymetrics measures | head`
        _discard_stdout()
        return EXIT_FAILED
    except Exception as error:
        if debug:
            traceback.print_exc(file=console.err)
        text = _user_error_text(error, state.config)
        if text is not None:
            console.error(text)
            return EXIT_USER_ERROR
        first = (str(error).strip().splitlines() or [""])[0]
        console.error(f"unexpected {type(error).__name__}: {first}")
        if not debug:
            console.detail("Run with --debug for the traceback.")
        return EXIT_FAILED
