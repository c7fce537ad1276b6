"""equitymetrics: measure racial and ethnic inequity in NHS mental-health care and workforce.

Typical use in a notebook::

    import equitymetrics as em
    results = em.compute("quarterly.toml")      # or em.load_config(path) first
    table = results.to_frame()                  # the tidy results table
    results.provenance                          # versions, inputs' SHA-256, methods

The layers are importable on their own: ``em.stats`` (numerics), ``em.taxonomy`` (ethnicity
codes), ``em.loaders`` (reading and validating data), ``em.aggregate`` (counts),
``em.measures`` (the catalogue), ``em.disclosure`` (small-number control), ``em.plots`` and
``em.report``.

See the documentation for the measures, methods and data contract.
"""

from equitymetrics import (
    aggregate,
    datasets,
    disclosure,
    exceptions,
    loaders,
    measures,
    plots,
    report,
    stats,
    taxonomy,
)
from equitymetrics._version import __version__
from equitymetrics.config import Config, load_config
from equitymetrics.measures import Results
from equitymetrics.pipeline import compute

__all__ = [
    "Config",
    "Results",
    "__version__",
    "aggregate",
    "compute",
    "datasets",
    "disclosure",
    "exceptions",
    "load_config",
    "loaders",
    "measures",
    "plots",
    "report",
    "stats",
    "taxonomy",
]
