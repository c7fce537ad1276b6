"""Find loaders by name: the built-in table, then plugins from entry points.

Third-party packages register loaders in the entry-point group ``equitymetrics.loaders``; the
entry point names an object that is either a loader instance or a class (or factory) called
with no arguments to make one. A plugin that fails to import or does not have a ``read`` method
is skipped with a :class:`~equitymetrics.exceptions.PluginWarning`, never a crash. Nothing is
cached: each call looks again, so there is no registry state to go stale.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from equitymetrics.exceptions import InvalidTypeError, PluginWarning, UnknownLoaderError
from equitymetrics.loaders._census import OnsCensusLoader
from equitymetrics.loaders._csv import CsvLoader
from equitymetrics.loaders._excel import ExcelLoader
from equitymetrics.loaders._memory import MemoryLoader
from equitymetrics.loaders._parquet import ParquetLoader
from equitymetrics.loaders._protocol import Loader
from equitymetrics.loaders._sql import SqlLoader

__all__ = ["BUILTIN_LOADERS", "ENTRY_POINT_GROUP", "get_loader", "list_loaders"]

ENTRY_POINT_GROUP = "equitymetrics.loaders"
"""The entry-point group third-party loaders register under."""

BUILTIN_LOADERS: Mapping[str, Callable[[], Loader]] = MappingProxyType(
    {
        "csv": CsvLoader,
        "excel": ExcelLoader,
        "memory": MemoryLoader,
        "ons_census": OnsCensusLoader,
        "parquet": ParquetLoader,
        "sql": SqlLoader,
    }
)
"""Name -> class of each built-in loader. Built-in names cannot be taken by plugins."""


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    """The installed entry points of the loader group."""
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _skip(entry_point: importlib.metadata.EntryPoint, why: str) -> None:
    warnings.warn(
        f"loader plugin {entry_point.name!r} ({entry_point.value}) was skipped: {why}",
        PluginWarning,
        stacklevel=4,
    )


def _instantiate(entry_point: importlib.metadata.EntryPoint) -> Loader | None:
    """Load one entry point into a loader instance, or warn and return None."""
    try:
        target: Any = entry_point.load()
        instance = target() if isinstance(target, type) or not hasattr(target, "read") else target
    except Exception as error:  # a plugin may fail in any way; it must not break the library
        _skip(entry_point, f"it failed to load ({type(error).__name__}: {error}).")
        return None
    if not isinstance(instance, Loader):
        _skip(entry_point, f"{type(instance).__name__} has no read(source, **options) method.")
        return None
    return instance


def _plugins(*, only: str | None = None, skip: str | None = None) -> dict[str, Loader]:
    """Working plugin loaders by name (only the one called ``only``, or all but ``skip``)."""
    found: dict[str, Loader] = {}
    for entry_point in _entry_points():
        if (only is not None and entry_point.name != only) or entry_point.name == skip:
            continue
        if entry_point.name in BUILTIN_LOADERS:
            _skip(entry_point, "a built-in loader has that name.")
            continue
        if entry_point.name in found:
            _skip(entry_point, "another plugin already registered that name.")
            continue
        instance = _instantiate(entry_point)
        if instance is not None:
            found[entry_point.name] = instance
    return found


def list_loaders() -> list[str]:
    """Names of the loaders that can be used: the built-ins and working plugins.

    Plugins are found through the entry-point group ``equitymetrics.loaders``; a plugin that
    fails to load issues a :class:`~equitymetrics.exceptions.PluginWarning` and is left out.

    Returns
    -------
    list of str
        Sorted names, e.g. ``['csv', 'excel', 'memory', 'ons_census', 'parquet', 'sql']``.

    Examples
    --------
    >>> "csv" in list_loaders()
    True
    """
    return sorted({*BUILTIN_LOADERS, *_plugins()})


def get_loader(name: str) -> Loader:
    """Return a new instance of the loader called ``name``.

    Parameters
    ----------
    name : str
        A built-in name (``"csv"``, ``"parquet"``, ``"excel"``, ``"sql"``, ``"memory"``,
        ``"ons_census"``) or the name of an installed plugin.

    Returns
    -------
    Loader
        An object with a ``read(source, **options)`` method.

    Raises
    ------
    UnknownLoaderError
        No working loader has that name; the message lists the installed ones.
    InvalidTypeError
        ``name`` is not a string.

    Examples
    --------
    >>> type(get_loader("csv")).__name__
    'CsvLoader'
    """
    if not isinstance(name, str):
        raise InvalidTypeError(f"a loader name must be a string; got {type(name).__name__}.")
    if name in BUILTIN_LOADERS:
        return BUILTIN_LOADERS[name]()
    plugin = _plugins(only=name).get(name)
    if plugin is not None:
        return plugin
    # The plugin called ``name`` (if any) has just warned; list the others without repeating it.
    installed = ", ".join(repr(n) for n in sorted({*BUILTIN_LOADERS, *_plugins(skip=name)}))
    raise UnknownLoaderError(
        f"no loader named {name!r} is installed; the installed loaders are {installed}. "
        "Third-party loaders are installed as packages that declare the entry-point group "
        f"{ENTRY_POINT_GROUP!r}."
    )
