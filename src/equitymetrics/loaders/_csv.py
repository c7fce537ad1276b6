"""The ``csv`` loader: delimited text files, every column read as text.

Encoding is detected by a strict try-in-order (a byte-order mark, then UTF-8, then Windows-1252,
then charset-normalizer's best guess) unless ``encoding=`` is given; the delimiter is sniffed
from the header line among comma, semicolon, tab and pipe unless ``delimiter=`` is given. Both are
recorded in the load report's details.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
from charset_normalizer import from_bytes

from equitymetrics.exceptions import InvalidArgumentError, InvalidTypeError, LoaderError
from equitymetrics.loaders._protocol import (
    DETAILS_ATTR,
    check_options,
    drop_blank_rows,
    number_rows,
)

__all__ = ["CsvLoader", "as_path", "decode", "detect_encoding", "read_delimited", "sniff_delimiter"]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
"""Delimiters the sniffer chooses from, in order of preference when they tie."""


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


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data``: a byte-order mark, else UTF-8, else Windows-1252, else a guess.

    UTF-8 and Windows-1252 are tried strictly, in that order: text that decodes as UTF-8 is
    almost never meant as anything else, and Windows-1252 is what Excel on Windows writes for
    "CSV" in the UK (it holds "£" and "é"). Only bytes that neither can decode are handed to
    charset-normalizer.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    best = from_bytes(data).best()
    if best is None:
        raise LoaderError(
            "cannot tell the text encoding of the file (it is not UTF-8 or Windows-1252); "
            "pass encoding=, e.g. encoding='latin-1'."
        )
    return str(best.encoding)


def decode(data: bytes, encoding: str, where: str) -> str:
    """Decode ``data`` strictly, with an error naming the file and the encoding."""
    try:
        return data.decode(encoding)
    except LookupError:
        raise InvalidArgumentError(f"encoding={encoding!r} is not a known encoding.") from None
    except UnicodeDecodeError as error:
        raise LoaderError(
            f"{where} cannot be decoded as {encoding} (byte {error.start}: {error.reason}); "
            "pass the right encoding=, or leave it out to detect it."
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most fields (comma on a tie)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ",", 1
    for delimiter in DELIMITERS:
        fields = len(next(csv.reader([header], delimiter=delimiter), []))
        if fields > most:
            best, most = delimiter, fields
    return best


def _header(text: str, delimiter: str, where: str) -> list[str]:
    try:
        names = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except StopIteration:
        raise LoaderError(f"{where} is empty: there is no header row.") from None
    stripped = [name.strip() for name in names]
    duplicates = sorted({name for name in stripped if stripped.count(name) > 1})
    if duplicates:
        raise LoaderError(
            f"{where} has duplicate column names {duplicates!r}; rename them so that each "
            "column has its own name."
        )
    return stripped


def read_delimited(
    path: Path, *, delimiter: str | None, encoding: str | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a delimited text file as text columns numbered from the first data row.

    Returns the raw frame and the details to record (encoding, delimiter, blank rows).
    """
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise InvalidArgumentError(
            f"delimiter must be one character such as ',', ';', '\\t' or '|'; got {delimiter!r}."
        )
    if encoding is not None and not isinstance(encoding, str):
        raise InvalidTypeError(f"encoding must be a string such as 'utf-8'; got {encoding!r}.")
    where = repr(str(path))
    data = path.read_bytes()
    used = encoding or detect_encoding(data)
    text = decode(data, used, where)
    separator = delimiter or sniff_delimiter(text)
    names = _header(text, separator, where)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=0,
            names=names,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise LoaderError(f"{where} is not a well-formed delimited file: {error}") from None
    frame, blank = drop_blank_rows(number_rows(frame))
    details = {"encoding": used, "delimiter": DELIMITERS.get(separator, separator)}
    if blank:
        details["blank_rows_skipped"] = str(blank)
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
    leading zeros; the schema then types each column. Completely blank lines are skipped but
    still counted in the row numbering, so row numbers match the file.
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
