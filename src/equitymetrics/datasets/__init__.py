"""Example data: the synthetic sample trust.

Every record is SYNTHETIC. "Example Partnership NHS Foundation Trust" and its wards, areas, staff
and patients are invented, with planted disparities for the measures to find (documented in
docs/sample-data.md).

Typical use::

    from equitymetrics.datasets import sample_trust_files, write_sample_config

    files = sample_trust_files()            # {"patients": Path(...), ...}
    config = write_sample_config("example") # copies the CSVs and writes example/quarterly.toml
"""

from equitymetrics.datasets._sample import (
    SAMPLE_TRUST_TABLES,
    sample_trust_dir,
    sample_trust_files,
    write_sample_config,
)

__all__ = [
    "SAMPLE_TRUST_TABLES",
    "sample_trust_dir",
    "sample_trust_files",
    "write_sample_config",
]
