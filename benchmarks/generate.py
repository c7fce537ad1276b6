"""Generate synthetic record-level canonical tables for the restrictive-practice benchmark.

Every record is SYNTHETIC. For a size N (``--rows``) the generator writes, as Parquet files in
canonical form (the data contract's column names and types):

- ``inpatient_stays.parquet``: N stays (``stay_id``, ``person_id``, ``ward``, ``division``,
  ``start_date``, ``end_date``);
- ``restrictive_interventions.parquet``: N rows, one per incident and intervention type
  (``intervention_id``, ``person_id``, ``ward``, ``start_date`` with a time of day,
  ``type_code``);
- ``patients.parquet``: N / 5 people (``person_id``, ``ethnic_category``, ``sex``,
  ``birth_date``).

Cardinalities follow the benchmark brief: 200 wards in 20 divisions, the 16 NHS ethnic
categories plus "not stated" (Z), "not known" (99) and missing values, and eight reporting
quarters (2023-04-01 to 2025-03-31; stays start from 2022-10-01 so that long stays run into the
first quarter). A little realistic mess is planted so that exclusions are exercised: stays of
people missing from ``patients``, patients without a birth date, intervention type codes not
in use ("03"), and incidents dated after their stay ended.

The output depends only on ``--rows`` and ``--seed``: numbers are drawn with one seeded
``numpy`` generator, in a fixed order. Files are written in slices of at most 2,000,000 rows,
so that memory stays modest at 50 million rows.

Usage::

    python benchmarks/generate.py --rows 1e6                # into benchmarks/data/rows_1000000
    python benchmarks/generate.py --rows 1e7 --folder /scratch/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_FOLDER = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = 20250401
SLICE = 2_000_000
FORMAT_VERSION = 2

DATA_START = dt.date(2022, 10, 1)
DATA_END = dt.date(2025, 3, 31)
PERIODS: tuple[tuple[dt.date, dt.date], ...] = tuple(
    (dt.date(year, month, 1), end)
    for year, month, end in [
        (2023, 4, dt.date(2023, 6, 30)),
        (2023, 7, dt.date(2023, 9, 30)),
        (2023, 10, dt.date(2023, 12, 31)),
        (2024, 1, dt.date(2024, 3, 31)),
        (2024, 4, dt.date(2024, 6, 30)),
        (2024, 7, dt.date(2024, 9, 30)),
        (2024, 10, dt.date(2024, 12, 31)),
        (2025, 1, dt.date(2025, 3, 31)),
    ]
)
"""The eight reporting quarters of the benchmark."""

WARDS = 200
DIVISIONS = 20

# NHS ethnic categories (16), "not stated" (Z) and "not known" (99), with shares loosely like a
# mental-health trust in a diverse English city; missing values are added separately.
ETHNIC_CODES = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S"]
ETHNIC_SHARES = [0.55, 0.02, 0.07, 0.015, 0.01, 0.015, 0.02, 0.03, 0.04, 0.03, 0.02, 0.03]
ETHNIC_SHARES += [0.05, 0.015, 0.005, 0.02]
UNKNOWN_CODES = ["Z", "99"]
UNKNOWN_SHARES = [0.03, 0.02]
MISSING_ETHNICITY = 0.005

SEXES = ["1", "2", "9", "X"]
SEX_SHARES = [0.52, 0.46, 0.01, 0.01]

# Intervention types: physical (07-13), prone (01), mechanical (04), seclusion (05),
# segregation (06), chemical (14-17), and a code not in use (03) for the exclusions.
TYPE_CODES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"]
TYPE_CODES += ["14", "15", "16", "17"]
TYPE_SHARES = [0.08, 0.002, 0.005, 0.06, 0.013, 0.25, 0.12, 0.1, 0.08, 0.05, 0.04, 0.03]
TYPE_SHARES += [0.07, 0.05, 0.02, 0.03]

PEOPLE_PER_ROW = 0.2
MISSING_PATIENT = 0.002
MISSING_BIRTH_DATE = 0.003
MEAN_STAY_DAYS = 35.0
SECOND_TYPE = 0.25
AFTER_DISCHARGE = 0.001


def _days(day: dt.date) -> int:
    """Days since 1970-01-01 (Arrow's date32)."""
    return (day - dt.date(1970, 1, 1)).days


def _shares(values: list[float]) -> np.ndarray:
    weights = np.asarray(values, dtype=np.float64)
    shares: np.ndarray = weights / float(weights.sum())
    return shares


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Identifiers such as ``P123`` as an Arrow string array (formatted in Arrow, not Python)."""
    text = pa.array(numbers, type=pa.int64()).cast(pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _labels(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Labels such as ``W007`` (zero-padded, so that they sort in number order)."""
    text = pa.array(numbers, type=pa.int64()).cast(pa.string())
    padded = pc.utf8_lpad(text, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def _codes(codes: list[str], index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Codes picked by ``index`` (dictionary lookup done in Arrow), with optional nulls."""
    dictionary = pa.array(codes, type=pa.string())
    picked = pc.take(dictionary, pa.array(index, type=pa.int32()))
    if missing is None:
        return picked
    return pc.if_else(pa.array(missing), pa.nulls(len(index), pa.string()), picked)


def _date_array(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=missing)


class _Writer:
    """Write one table in slices with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.partial = path.with_suffix(".parquet.partial")
        self.writer = pq.ParquetWriter(self.partial, schema, compression="snappy")

    def write(self, columns: dict[str, pa.Array]) -> None:
        self.writer.write_table(pa.table(columns, schema=self.writer.schema))

    def close(self) -> None:
        self.writer.close()
        self.partial.replace(self.path)


def _patients(rng: np.random.Generator, people: int, folder: Path) -> None:
    schema = pa.schema(
        [
            ("person_id", pa.string()),
            ("ethnic_category", pa.string()),
            ("sex", pa.string()),
            ("birth_date", pa.date32()),
        ]
    )
    codes = ETHNIC_CODES + UNKNOWN_CODES
    shares = _shares(ETHNIC_SHARES + UNKNOWN_SHARES)
    youngest, oldest = _days(dt.date(2012, 1, 1)), _days(dt.date(1925, 1, 1))
    writer = _Writer(folder / "patients.parquet", schema)
    for first in range(0, people, SLICE):
        size = min(SLICE, people - first)
        numbers = np.arange(first, first + size)
        ethnic = rng.choice(len(codes), size=size, p=shares)
        sex = rng.choice(len(SEXES), size=size, p=_shares(SEX_SHARES))
        birth = rng.integers(oldest, youngest, size=size)
        writer.write(
            {
                "person_id": _ids("P", numbers),
                "ethnic_category": _codes(codes, ethnic, rng.random(size) < MISSING_ETHNICITY),
                "sex": _codes(SEXES, sex),
                "birth_date": _date_array(birth, rng.random(size) < MISSING_BIRTH_DATE),
            }
        )
    writer.close()


def _stays(
    rng: np.random.Generator, rows: int, people: int, folder: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Write the stays; return each stay's person, ward, first day and last day (numbers)."""
    person = rng.integers(0, people, size=rows)
    # A few stays belong to people missing from patients (an exclusion).
    strays = rng.random(rows) < MISSING_PATIENT
    person[strays] = people + rng.integers(0, max(people // 100, 1), size=int(strays.sum()))
    ward = rng.integers(0, WARDS, size=rows).astype(np.int16)
    start = rng.integers(_days(DATA_START), _days(DATA_END) + 1, size=rows).astype(np.int32)
    length = np.floor(rng.exponential(MEAN_STAY_DAYS, size=rows)).astype(np.int32)
    end = start + length
    still_in = end > _days(DATA_END)
    schema = pa.schema(
        [
            ("stay_id", pa.string()),
            ("person_id", pa.string()),
            ("ward", pa.string()),
            ("division", pa.string()),
            ("start_date", pa.date32()),
            ("end_date", pa.date32()),
        ]
    )
    writer = _Writer(folder / "inpatient_stays.parquet", schema)
    for first in range(0, rows, SLICE):
        part = slice(first, min(first + SLICE, rows))
        wards = ward[part].astype(np.int64)
        writer.write(
            {
                "stay_id": _ids("S", np.arange(part.start, part.stop)),
                "person_id": _ids("P", person[part]),
                "ward": _labels("W", wards + 1, 3),
                "division": _labels("D", wards // (WARDS // DIVISIONS) + 1, 2),
                "start_date": _date_array(start[part]),
                "end_date": _date_array(end[part], still_in[part]),
            }
        )
    writer.close()
    last = np.where(still_in, _days(DATA_END), end)
    return person, ward, start, last


def _interventions(
    rng: np.random.Generator,
    rows: int,
    stays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    folder: Path,
) -> None:
    """Write ``rows`` intervention rows: incidents of one or two types, during a stay (a few
    after it)."""
    person, ward, start, last = stays
    incidents = int(np.ceil(rows / (1.0 + SECOND_TYPE))) + 1
    types_per_incident = 1 + (rng.random(incidents) < SECOND_TYPE)
    incident = np.repeat(np.arange(incidents), types_per_incident)[:rows]
    second = np.zeros(len(incident), dtype=bool)
    second[1:] = incident[1:] == incident[:-1]
    incidents = int(incident[-1]) + 1
    stay = rng.integers(0, len(person), size=incidents)
    span = (last[stay] - start[stay] + 1).astype(np.float64)
    day = start[stay] + np.floor(rng.random(incidents) * span).astype(np.int32)
    minute = rng.integers(0, 24 * 60, size=incidents)
    moment = (day.astype(np.int64) * 86_400 + minute * 60) * 1_000_000
    first_type = rng.choice(len(TYPE_CODES), size=incidents, p=_shares(TYPE_SHARES))
    other_type = (first_type + rng.integers(1, len(TYPE_CODES), size=incidents)) % len(TYPE_CODES)
    type_index = np.where(second, other_type[incident], first_type[incident])
    # A few incidents dated 1 to 30 days after their stay ended: excluded as outside every stay.
    late = rng.random(incidents) < AFTER_DISCHARGE
    day = np.where(late, last[stay] + rng.integers(1, 31, size=incidents), day).astype(np.int32)
    moment = (day.astype(np.int64) * 86_400 + minute * 60) * 1_000_000
    schema = pa.schema(
        [
            ("intervention_id", pa.string()),
            ("person_id", pa.string()),
            ("ward", pa.string()),
            ("start_date", pa.timestamp("us")),
            ("type_code", pa.string()),
        ]
    )
    writer = _Writer(folder / "restrictive_interventions.parquet", schema)
    for first in range(0, rows, SLICE):
        part = slice(first, min(first + SLICE, rows))
        events = incident[part]
        writer.write(
            {
                "intervention_id": _ids("I", events),
                "person_id": _ids("P", person[stay[events]]),
                "ward": _labels("W", ward[stay[events]].astype(np.int64) + 1, 3),
                "start_date": pa.array(moment[events], type=pa.timestamp("us")),
                "type_code": _codes(TYPE_CODES, type_index[part]),
            }
        )
    writer.close()


def dataset_folder(base: Path, rows: int) -> Path:
    """The folder holding the tables of size ``rows`` under ``base``."""
    return base / f"rows_{rows}"


def generate(rows: int, base: Path = DEFAULT_FOLDER, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the three tables for ``rows`` rows into ``dataset_folder(base, rows)``.

    Returns the folder. A ``manifest.json`` (rows, seed, format version) is written last, so a
    folder with a matching manifest is complete and can be reused.
    """
    if rows < 1000:
        raise ValueError(f"--rows must be at least 1000; got {rows}.")
    folder = dataset_folder(base, rows)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    people = max(int(rows * PEOPLE_PER_ROW), 100)
    _patients(rng, people, folder)
    stays = _stays(rng, rows, people, folder)
    _interventions(rng, rows, stays, folder)
    manifest = {"rows": rows, "seed": seed, "people": people, "format": FORMAT_VERSION}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return folder


def is_complete(folder: Path, rows: int, seed: int) -> bool:
    """Whether ``folder`` holds a finished dataset of ``rows`` rows made with ``seed``."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return False
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    return bool(
        recorded.get("rows") == rows
        and recorded.get("seed") == seed
        and recorded.get("format") == FORMAT_VERSION
    )


def parse_rows(text: str) -> int:
    """Read a row count such as ``1e6``, ``10000000`` or ``5e7``."""
    value = float(text)
    if not value.is_integer() or value <= 0:
        raise argparse.ArgumentTypeError(f"a row count must be a positive whole number: {text}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=parse_rows, required=True, help="e.g. 1e6, 1e7, 5e7")
    parser.add_argument(
        "--folder",
        type=Path,
        default=DEFAULT_FOLDER,
        help="base folder (default benchmarks/data); tables go to <folder>/rows_<N>",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    folder = generate(arguments.rows, arguments.folder, seed=arguments.seed)
    seconds = time.perf_counter() - started
    print(f"wrote {arguments.rows:,} rows per table to {folder} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
