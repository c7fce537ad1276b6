"""Atomic file writes: a reader sees the old file or the complete new one, never a part.

Each file is written to a temporary file in the same folder (a name starting with ``.`` and
ending in ``.partial``), flushed to disk, then renamed over the target with :func:`os.replace`,
which is atomic on POSIX and Windows when both names are on the same file system. If anything
fails before the rename, the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

__all__ = ["PARTIAL_SUFFIX", "write_atomically"]

PARTIAL_SUFFIX = ".partial"
"""Suffix of the temporary files (never left behind after a failure)."""

_CHUNK = 1 << 16
_FILE_MODE = 0o644


def _write_all(handle: BinaryIO, data: bytes) -> None:
    """Write ``data`` to ``handle`` in chunks (a separate function so tests can interrupt it)."""
    view = memoryview(data)
    for start in range(0, len(view), _CHUNK):
        handle.write(view[start : start + _CHUNK])


def _sync_directory(directory: Path) -> None:
    """Flush the folder entry of a renamed file to disk, where the platform allows it."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that ``path`` is never left half written.

    Parameters
    ----------
    path : Path
        The target file; its folder must exist.
    data : bytes
        The complete contents.

    Returns
    -------
    Path
        ``path``, once it holds ``data``.
    """
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _write_all(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)
    return path
