"""Errors and warnings raised by equitymetrics.

Every error the library raises derives from :class:`EquityMetricsError`, so a pipeline can catch
them all with one ``except``. Errors about a bad argument value are also :class:`ValueError`, and
errors about a bad argument type are also :class:`TypeError`, so code written against the standard
exceptions keeps working.

The tree::

    Exception
    └── EquityMetricsError
        ├── InvalidArgumentError (ValueError)       an argument breaks a documented rule
        │   ├── UnknownMethodError                  method= names no implemented method
        │   └── ShapeMismatchError                  arrays cannot be broadcast together
        ├── InvalidTypeError (TypeError)            an argument has the wrong type or dtype
        ├── UnrecognisedCodeError (ValueError)      ethnicity (or other) codes not recognised
        ├── DataValidationError (ValueError)        a table breaks its schema (.failures: all)
        ├── ConfigurationError (ValueError)         a configuration file or object is invalid
        ├── LoaderError                             a source could not be read
        │   └── UnknownLoaderError (KeyError)       no loader of that name is installed
        └── MeasureError                            a measure could not be computed

    Warning
    └── UserWarning
        └── EquityMetricsWarning
            ├── SmallNumbersWarning                 counts too small for a stable estimate
            ├── DataQualityWarning                  data were usable but worth a look
            └── PluginWarning                       a third-party plugin failed to load

Warnings have their own classes so that users can filter them, for example
``warnings.simplefilter("ignore", SmallNumbersWarning)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ConfigurationError",
    "DataQualityWarning",
    "DataValidationError",
    "EquityMetricsError",
    "EquityMetricsWarning",
    "FAILURE_COLUMNS",
    "InvalidArgumentError",
    "InvalidTypeError",
    "LoaderError",
    "MeasureError",
    "PluginWarning",
    "ShapeMismatchError",
    "SmallNumbersWarning",
    "UnknownLoaderError",
    "UnknownMethodError",
    "UnrecognisedCodeError",
]

FAILURE_COLUMNS = ("table", "column", "row", "value", "problem")
"""Columns of :attr:`DataValidationError.failures`."""


class EquityMetricsError(Exception):
    """Base class of every error raised by equitymetrics."""


class InvalidArgumentError(EquityMetricsError, ValueError):
    """An argument value breaks a documented rule (negative count, level outside (0, 1), ...)."""


class UnknownMethodError(InvalidArgumentError):
    """``method=`` (or another option) names something that is not implemented."""


class ShapeMismatchError(InvalidArgumentError):
    """Array arguments have shapes that cannot be broadcast together."""


class InvalidTypeError(EquityMetricsError, TypeError):
    """An argument has the wrong type, for example strings where counts are expected."""


class UnrecognisedCodeError(EquityMetricsError, ValueError):
    """Values that a classification does not recognise.

    Attributes
    ----------
    counts : dict[str, int]
        Every distinct unrecognised value (as given) with the number of times it occurs.
    """

    def __init__(self, message: str, counts: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.counts: dict[str, int] = dict(counts or {})


class DataValidationError(EquityMetricsError, ValueError):
    """A table does not satisfy its schema.

    Validation collects every problem before raising, so one error lists them all.

    Attributes
    ----------
    failures : pandas.DataFrame
        One row per problem with columns ``table``, ``column``, ``row`` (the 1-based data row
        of the source, or ``<NA>`` for a problem with the whole column), ``value`` and
        ``problem``.
    """

    def __init__(self, message: str, failures: pd.DataFrame) -> None:
        super().__init__(message)
        self.failures = failures


class ConfigurationError(EquityMetricsError, ValueError):
    """A configuration file or object is invalid (unknown key, wrong type, missing file ...)."""


class LoaderError(EquityMetricsError):
    """A data source could not be read (missing file, unreadable encoding, bad query ...)."""


class UnknownLoaderError(LoaderError, KeyError):
    """No loader is registered under the requested name; the message lists the installed ones."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class MeasureError(EquityMetricsError):
    """A measure could not be computed from the data it was given."""


class EquityMetricsWarning(UserWarning):
    """Base class of every warning issued by equitymetrics."""


class SmallNumbersWarning(EquityMetricsWarning):
    """Counts are too small for a stable estimate; the result is flagged, not hidden."""


class DataQualityWarning(EquityMetricsWarning):
    """Data were usable, but something about them deserves a look (e.g. low completeness)."""


class PluginWarning(EquityMetricsWarning):
    """A third-party plugin (entry point) failed to load and was skipped."""
