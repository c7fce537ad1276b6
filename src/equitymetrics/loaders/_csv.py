"""The ``csv`` loader: delimited text files, every column read as text.

Encoding is detected by a strict try-in-order (a byte-order mark, then UTF-8, then
Windows-1252) unless ``encoding=`` is given; text in any other encoding is refused with advice on
re-saving it, never guessed. The delimiter is sniffed from the header line among comma,
semicolon, tab and pipe unless ``delimiter=`` is given. Both are recorded in the load report's
details. Rows are the file's records (see :mod:`equitymetrics.loaders._records`).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, LoaderError
from equitymetrics.loaders._protocol import (
    DETAILS_ATTR,
    FAILURES_ATTR,
    check_options,
    drop_blank_rows,
    number_rows,
)
from equitymetrics.loaders._records import (
    drop_unnamed_columns,
    field_counts,
    layout_failures,
    read_fields,
)

__all__ = [
    "CsvLoader",
    "as_path",
    "decode",
    "detect_encoding",
    "duplicate_names_message",
    "read_delimited",
    "sniff_delimiter",
]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
"""Delimiters the sniffer chooses from, in order of preference when they tie."""

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_RESAVE = (
    'Open it in Excel and save it as "CSV UTF-8 (Comma delimited) (*.csv)" (in other programs, '
    "save or export it as UTF-8 text), or, if you know its encoding, pass it as encoding=, "
    "e.g. encoding='utf-16-le'."
)


def as_path(loader: str, source: Any) -> Path:
    """``source`` as an existing file path, or a clear error naming the loader."""
    if not isinstance(source, str | os.PathLike):
        raise InvalidTypeError(
            f"the {loader!r} loader reads a file: pass a path (str or pathlib.Path); "
            f"got {type(source).__name__}."
        )
    path = Path(source)
    if not path.is_file():
        problem = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise LoaderError(f"{loader}: cannot read {str(path)!r}: it {problem}.")
    return path


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def detect_encoding(data: bytes, where: str = "the file") -> str:
    """The encoding of ``data``: a byte-order mark, else UTF-8, else Windows-1252.

    UTF-8 and Windows-1252 are tried strictly, in that order: text that decodes as UTF-8 is
    almost never meant as anything else, and Windows-1252 is what Excel on Windows writes for
    "CSV" in the UK (it holds "£" and "é"). A byte-order mark (UTF-8, UTF-16 or UTF-32) names
    its encoding. Anything else is refused rather than guessed, since a wrong guess would
    change identifiers and names without any error.

    Raises
    ------
    LoaderError
        The bytes are neither UTF-8 nor Windows-1252; the message names the file (``where``),
        the first byte that is neither, and how to re-save the file.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise LoaderError(
            f"{where} is neither UTF-8 nor Windows-1252 text: byte 0x{byte:02X} on line "
            f"{_line_of(data, error.start)} is not a character in either. {_RESAVE}"
        ) from None
    return "cp1252"


def decode(data: bytes, encoding: str, where: str) -> str:
    """Decode ``data`` strictly, with an error naming the file and the encoding.

    A leading byte-order mark is removed (it is not part of the first column's name). Text
    holding NUL characters is refused: it is UTF-16 or UTF-32 read with the wrong encoding, or
    not text at all.
    """
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InvalidArgumentError(f"encoding={encoding!r} is not a known encoding.") from None
    except UnicodeDecodeError as error:
        raise LoaderError(
            f"{where} cannot be decoded as {encoding} (byte {error.start} on line "
            f"{_line_of(data, error.start)}: {error.reason}); pass the right encoding=, or "
            "leave it out to detect it."
        ) from None
    name = codecs.lookup(encoding).name
    if data.startswith(codecs.BOM_UTF8) and name not in ("utf-8", "utf-8-sig"):
        raise LoaderError(
            f"{where} starts with a UTF-8 byte-order mark, so it is UTF-8 text, but "
            f"encoding={encoding!r} was given; leave encoding= out (or pass 'utf-8-sig')."
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LoaderError(
            f"{where} holds NUL characters (the first on line {line}) when read as {encoding}: "
            "it is probably UTF-16 or UTF-32 text without a byte-order mark, or not a text "
            f"file at all. {_RESAVE}"
        )
    return text.removeprefix("\ufeff")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most fields (comma on a tie)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ",", 1
    for delimiter in DELIMITERS:
        fields = len(next(csv.reader([header], delimiter=delimiter), []))
        if fields > most:
            best, most = delimiter, fields
    return best


def duplicate_names_message(names: list[str]) -> str | None:
    """Describe repeated column names with their 1-based positions, or ``None`` if none."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        if name:
            positions.setdefault(name, []).append(position)
    repeated = {name: found for name, found in sorted(positions.items()) if len(found) > 1}
    if not repeated:
        return None
    where = "; ".join(
        f"{name!r} is in columns {', '.join(str(p) for p in found)}"
        for name, found in repeated.items()
    )
    return (
        f"duplicate column names {list(repeated)!r} ({where}); rename them so that each column "
        "has its own name (surrounding spaces do not count)"
    )


def _header(text: str, delimiter: str, where: str) -> list[str]:
    try:
        names = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except StopIteration:
        raise LoaderError(f"{where} is empty: there is no header row.") from None
    stripped = [name.strip() for name in names]
    if not any(stripped):
        raise LoaderError(
            f"{where}: the first line holds no column names; the header must be the first line."
        )
    duplicates = duplicate_names_message(stripped)
    if duplicates:
        raise LoaderError(f"{where} has {duplicates}.")
    return stripped


def read_delimited(
    path: Path, *, delimiter: str | None, encoding: str | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a delimited text file as text columns numbered from the first data row.

    Returns the raw frame and the details to record (encoding, delimiter, blank rows). Rows
    whose number of fields differs from the header's are listed in
    ``frame.attrs[FAILURES_ATTR]`` (reason ``"wrong number of fields"``).
    """
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise InvalidArgumentError(
            f"delimiter must be one character such as ',', ';', '\\t' or '|'; got {delimiter!r}."
        )
    if encoding is not None and not isinstance(encoding, str):
        raise InvalidTypeError(f"encoding must be a string such as 'utf-8'; got {encoding!r}.")
    where = repr(str(path))
    data = path.read_bytes()
    used = encoding or detect_encoding(data, where)
    text = decode(data, used, where)
    separator = delimiter or sniff_delimiter(text)
    names = _header(text, separator, where)
    counts = field_counts(text, separator, where)
    fields = read_fields(text, separator, max(int(counts.max()), len(names)), where)
    if len(fields) != len(counts) - 1:  # pragma: no cover - both parsers follow the CSV rules
        raise LoaderError(
            f"{where}: the records of the file could not be told apart consistently "
            f"({len(counts) - 1} by one reading, {len(fields)} by another); check its quoting."
        )
    frame, failures = layout_failures(fields, names, counts[1:], separator)
    frame = number_rows(frame)
    failures["row"] = frame.index.to_numpy()[failures["row"].to_numpy(dtype=int)]
    frame, unnamed = drop_unnamed_columns(frame, where)
    frame, blank = drop_blank_rows(frame)
    details = {"encoding": used, "delimiter": DELIMITERS.get(separator, separator)}
    if blank:
        details["blank_rows_skipped"] = str(blank)
    if unnamed:
        details["unnamed_empty_columns_dropped"] = str(unnamed)
    if not failures.empty:
        frame.attrs[FAILURES_ATTR] = failures
    return frame, details


class CsvLoader:
    """Read a delimited text file (``loader="csv"``).

    Options
    -------
    delimiter : str, optional
        One character; sniffed from the header among ``,`` ``;`` tab and ``|`` if omitted.
    encoding : str, optional
        A Python codec name; detected if omitted (BOM, UTF-8, Windows-1252, then a guess).

    Every column is read as text (nothing is guessed from the values), so codes keep their
    leading zeros; the schema then types each column. Rows are records: a quoted value may hold
    line breaks, and such a record is one row. Completely blank lines are skipped but still
    counted in the row numbering, so row numbers match the file's records. A row with more or
    fewer fields than the header is a failure of that row (reason "wrong number of fields").
    """

    name = "csv"

    def read(self, source: Any, /, **options: Any) -> pd.DataFrame:
        """Read ``source`` (a path) into a raw table of text columns."""
        check_options(self.name, options, ("delimiter", "encoding"))
        path = as_path(self.name, source)
        frame, details = read_delimited(
            path, delimiter=options.get("delimiter"), encoding=options.get("encoding")
        )
        frame.attrs[DETAILS_ATTR] = details
        return frame
