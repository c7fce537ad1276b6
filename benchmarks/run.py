"""Benchmark: the restrictive-practice pack through equitymetrics vs bare DuckDB SQL.

For each size (``--sizes 1e6,1e7,5e7``) the script

1. generates the synthetic Parquet tables if they are missing (``benchmarks/generate.py``);
2. runs, each in a fresh Python process, (a) the baseline: hand-written DuckDB SQL computing the
   restrictive-practice counts straight from the Parquet files, and (b) the library: the full
   restrictive-practice pack, ``aggregate.restrictive_practice_counts(..., engine="duckdb")``
   on the Parquet paths then ``measures.restrictive_practice_results`` (people subject,
   interventions per 1,000 occupied bed days, by group x unit x quarter x age band x sex, and
   the ward-stratified Mantel-Haenszel ratios);
3. checks that both give identical counts (people, interventions, bed days), row for row;
4. prints wall time and peak memory of each, and their ratios.

Finally it times ``stats.proportion``, ``stats.risk_ratio`` and
``stats.mantel_haenszel_risk_ratio`` on one million strata.

Why separate processes: DuckDB allocates its memory in C++, outside Python's allocator, so
``tracemalloc`` would not see it. The peak resident set size of a process (``ru_maxrss`` from
``resource.getrusage``) counts every allocation (Python, NumPy, Arrow, DuckDB), but it is a
high-water mark that never goes down; so each measurement runs in its own fresh process, after
the same imports, and the report gives the peak and its growth over the memory already used
once the imports are done. Wall time is measured inside the worker, from the first library or
SQL call to the last result in pandas (interpreter start-up and imports excluded).

Usage::

    python benchmarks/run.py                       # 1e6 and 1e7
    python benchmarks/run.py --sizes 1e6,1e7,5e7 --repeat 3 --json results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator beside this script)

TRUST = "Trust"
TABLES = ("inpatient_stays", "restrictive_interventions", "patients")
PEOPLE_KEYS = ["period_start", "period_end", "unit_type", "unit", "ethnic_category", "sex"]
PEOPLE_KEYS += ["age_band"]
COUNT_FRAMES: dict[str, tuple[list[str], list[str]]] = {
    "people": (PEOPLE_KEYS, ["inpatients", "people_restricted"]),
    "interventions": ([*PEOPLE_KEYS, "type_group"], ["interventions", "incidents"]),
    "bed_days": (PEOPLE_KEYS, ["occupied_bed_days"]),
}

# --------------------------------------------------------------------------------------------
# The baseline: bare DuckDB SQL, written by hand from the definitions in docs/aggregation.md.
# --------------------------------------------------------------------------------------------

_TYPE_GROUPS = {
    "physical": ("01", "07", "08", "09", "10", "11", "12", "13"),
    "prone": ("01",),
    "mechanical": ("04",),
    "chemical": ("14", "15", "16", "17"),
    "seclusion": ("05",),
    "segregation": ("06",),
}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def baseline_sql(folder: Path) -> list[str]:
    """The statements of the baseline; the last three are the people, interventions and bed
    days queries."""
    paths = {name: _sql_text(str(folder / f"{name}.parquet")) for name in TABLES}
    periods = ", ".join(
        f"(DATE '{start}', DATE '{end}', DATE '{end}' + INTERVAL 1 DAY)"
        for start, end in generate.PERIODS
    )
    pairs = [(code, group) for group, codes in _TYPE_GROUPS.items() for code in codes]
    pairs += [(code, "all") for code in sorted({code for code, _ in pairs})]
    groups = ", ".join(f"('{code}', '{group}')" for code, group in pairs)
    codes = ", ".join(f"'{code}'" for code in sorted({code for code, _ in pairs}))
    trust = _sql_text(TRUST)
    strata = "ethnic_category, sex, age_band"
    return [
        f"""CREATE TEMP TABLE periods AS SELECT period_start, period_end, next::DATE AS next
            FROM (VALUES {periods}) t(period_start, period_end, next)""",
        f"""CREATE TEMP TABLE type_groups AS SELECT * FROM (VALUES {groups}) t(type_code,
            type_group)""",
        """CREATE TEMP MACRO completed_years(born, reached) AS
            year(reached) - year(born) - CASE WHEN month(reached) < month(born)
                OR (month(reached) = month(born) AND day(reached) < day(born)) THEN 1 ELSE 0 END""",
        """CREATE TEMP MACRO band(age) AS CASE
            WHEN age IS NULL THEN 'unknown' WHEN age < 0 THEN NULL
            WHEN age <= 17 THEN '0-17' WHEN age <= 34 THEN '18-34' WHEN age <= 49 THEN '35-49'
            WHEN age <= 64 THEN '50-64' ELSE '65+' END""",
        f"""CREATE TEMP TABLE people AS
            SELECT person_id, coalesce(ethnic_category, '99') AS ethnic_category,
                   coalesce(sex, 'X') AS sex, birth_date::DATE AS birth_date
            FROM read_parquet({paths["patients"]}) WHERE person_id IS NOT NULL""",
        f"""CREATE TEMP TABLE ward_divisions AS
            SELECT DISTINCT ward, division FROM read_parquet({paths["inpatient_stays"]})
            WHERE ward IS NOT NULL AND division IS NOT NULL""",
        f"""CREATE TEMP TABLE stays_used AS
            SELECT * FROM (
                SELECT p.period_start, p.period_end, s.person_id, s.ward, s.division,
                       s.start_date::DATE AS admitted, s.end_date::DATE AS discharged,
                       greatest(least(coalesce(s.end_date::DATE, p.next), p.next)
                                - greatest(s.start_date::DATE, p.period_start), 0) AS days,
                       pe.ethnic_category, pe.sex,
                       band(completed_years(pe.birth_date, p.period_end)) AS age_band
                FROM read_parquet({paths["inpatient_stays"]}) s
                JOIN periods p ON s.start_date::DATE < p.next
                    AND (s.end_date IS NULL OR s.end_date::DATE >= p.period_start)
                JOIN people pe ON pe.person_id = s.person_id
                WHERE s.start_date IS NOT NULL
                  AND (s.end_date IS NULL OR s.end_date::DATE >= s.start_date::DATE)
                  AND s.ward IS NOT NULL AND s.division IS NOT NULL
            ) WHERE age_band IS NOT NULL""",
        f"""CREATE TEMP TABLE events_used AS
            SELECT * FROM (
                SELECT p.period_start, p.period_end, i.intervention_id, i.person_id, i.ward,
                       w.division, i.type_code, i.start_date::DATE AS day,
                       pe.ethnic_category, pe.sex,
                       band(completed_years(pe.birth_date, p.period_end)) AS age_band
                FROM read_parquet({paths["restrictive_interventions"]}) i
                JOIN periods p ON i.start_date >= p.period_start AND i.start_date < p.next
                JOIN people pe ON pe.person_id = i.person_id
                JOIN ward_divisions w ON w.ward = i.ward
                WHERE i.intervention_id IS NOT NULL AND i.type_code IN ({codes})
            ) e WHERE age_band IS NOT NULL AND EXISTS (
                SELECT 1 FROM stays_used s
                WHERE s.period_start = e.period_start AND s.person_id = e.person_id
                  AND s.ward = e.ward AND s.admitted <= e.day
                  AND (s.discharged IS NULL OR e.day <= s.discharged))""",
        f"""WITH stay_units AS (
                SELECT period_start, period_end, 'trust' AS unit_type, {trust} AS unit,
                       person_id, {strata} FROM stays_used
                UNION SELECT period_start, period_end, 'division', division, person_id, {strata}
                      FROM stays_used
                UNION SELECT period_start, period_end, 'ward', ward, person_id, {strata}
                      FROM stays_used
            ), event_units AS (
                SELECT period_start, 'trust' AS unit_type, {trust} AS unit, person_id
                FROM events_used
                UNION SELECT period_start, 'division', division, person_id FROM events_used
                UNION SELECT period_start, 'ward', ward, person_id FROM events_used
            )
            SELECT s.period_start, s.period_end, s.unit_type, s.unit, s.ethnic_category, s.sex,
                   s.age_band, count(*) AS inpatients, count(e.person_id) AS people_restricted
            FROM stay_units s LEFT JOIN event_units e
              ON e.period_start = s.period_start AND e.unit_type = s.unit_type
             AND e.unit = s.unit AND e.person_id = s.person_id
            GROUP BY ALL""",
        f"""SELECT period_start, period_end,
                   CASE WHEN grouping(ward) = 0 THEN 'ward'
                        WHEN grouping(division) = 0 THEN 'division' ELSE 'trust' END AS unit_type,
                   CASE WHEN grouping(ward) = 0 THEN ward
                        WHEN grouping(division) = 0 THEN division ELSE {trust} END AS unit,
                   {strata}, type_group,
                   count(DISTINCT (intervention_id, type_code)) AS interventions,
                   count(DISTINCT intervention_id) AS incidents
            FROM events_used JOIN type_groups USING (type_code)
            GROUP BY GROUPING SETS (
                (period_start, period_end, ward, division, {strata}, type_group),
                (period_start, period_end, division, {strata}, type_group),
                (period_start, period_end, {strata}, type_group))""",
        f"""SELECT period_start, period_end,
                   CASE WHEN grouping(ward) = 0 THEN 'ward'
                        WHEN grouping(division) = 0 THEN 'division' ELSE 'trust' END AS unit_type,
                   CASE WHEN grouping(ward) = 0 THEN ward
                        WHEN grouping(division) = 0 THEN division ELSE {trust} END AS unit,
                   {strata}, sum(days) AS occupied_bed_days
            FROM stays_used
            GROUP BY GROUPING SETS (
                (period_start, period_end, ward, division, {strata}),
                (period_start, period_end, division, {strata}),
                (period_start, period_end, {strata}))""",
    ]


def run_baseline(folder: Path) -> dict[str, Any]:
    import duckdb

    statements = baseline_sql(folder)
    connection = duckdb.connect()
    try:
        for statement in statements[:-3]:
            connection.execute(statement)
        frames = [connection.sql(statement).df() for statement in statements[-3:]]
    finally:
        connection.close()
    return dict(zip(COUNT_FRAMES, frames, strict=True))


# --------------------------------------------------------------------------------------------
# The library: the full restrictive-practice pack.
# --------------------------------------------------------------------------------------------


def run_library(folder: Path) -> tuple[dict[str, Any], dict[str, float]]:
    from equitymetrics import aggregate, measures, taxonomy

    timings: dict[str, float] = {}
    started = time.perf_counter()
    counts = aggregate.restrictive_practice_counts(
        str(folder / "inpatient_stays.parquet"),
        str(folder / "restrictive_interventions.parquet"),
        str(folder / "patients.parquet"),
        periods=list(generate.PERIODS),
        trust=TRUST,
        engine="duckdb",
    )
    timings["counts_seconds"] = time.perf_counter() - started
    grouping = taxonomy.get_grouping("broad")
    comparison = measures.comparison_for(grouping, "White", 0.95)
    results = measures.restrictive_practice_results(counts, grouping, comparison)
    timings["measures_seconds"] = time.perf_counter() - started - timings["counts_seconds"]
    timings["result_rows"] = float(sum(len(frame) for frame in results))
    frames = {name: getattr(counts, name) for name in COUNT_FRAMES}
    return frames, timings


# --------------------------------------------------------------------------------------------
# Workers (one fresh process per measurement) and the comparison.
# --------------------------------------------------------------------------------------------


def _rss_mib() -> float:
    """Current resident set size of this process (Linux /proc), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, folder: Path, output: Path) -> None:
    """Run one measurement and write its counts (Parquet) and figures (JSON) to ``output``."""
    # The same imports for both kinds, before measuring, so the starting memory is the same.
    import duckdb  # noqa: F401
    import pandas as pd  # noqa: F401
    import pyarrow  # noqa: F401

    import equitymetrics  # noqa: F401
    from equitymetrics import aggregate, measures, taxonomy  # noqa: F401

    rss_before, peak_before = _rss_mib(), _peak_mib()
    started = time.perf_counter()
    figures: dict[str, float] = {}
    if kind == "baseline":
        frames = run_baseline(folder)
    else:
        frames, figures = run_library(folder)
    figures["seconds"] = time.perf_counter() - started
    figures["peak_mib"] = _peak_mib()
    figures["rss_before_mib"] = rss_before
    figures["growth_mib"] = figures["peak_mib"] - max(rss_before, peak_before)
    output.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(output / f"{name}.parquet", index=False)
    (output / "figures.json").write_text(json.dumps(figures), encoding="utf-8")


def _measure(kind: str, folder: Path, scratch: Path) -> dict[str, float]:
    output = scratch / kind
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
    subprocess.run([*command, "--data", str(folder), "--output", str(output)], check=True)
    figures: dict[str, float] = json.loads((output / "figures.json").read_text(encoding="utf-8"))
    return figures


def _normalised(frame: Any, keys: list[str], values: list[str]) -> Any:
    import pandas as pd

    result = pd.DataFrame()
    for column in keys:
        if column.startswith("period_"):
            result[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        else:
            result[column] = frame[column].astype("str")
    for column in values:
        kind = "float64" if column == "occupied_bed_days" else "int64"
        result[column] = frame[column].astype(kind)
    return result.sort_values(keys, kind="mergesort").reset_index(drop=True)


def compare_counts(scratch: Path) -> dict[str, int]:
    """Assert the library's counts equal the baseline's; return the rows of each frame."""
    import pandas as pd

    rows = {}
    for name, (keys, values) in COUNT_FRAMES.items():
        library = _normalised(
            pd.read_parquet(scratch / "library" / f"{name}.parquet"), keys, values
        )
        baseline = _normalised(
            pd.read_parquet(scratch / "baseline" / f"{name}.parquet"), keys, values
        )
        pd.testing.assert_frame_equal(library, baseline, check_exact=True)
        rows[name] = len(library)
    return rows


def _warm_page_cache(folder: Path) -> None:
    """Read the files once, so that neither side pays for the first read from disk."""
    for name in TABLES:
        with open(folder / f"{name}.parquet", "rb") as handle:
            while handle.read(1 << 24):
                pass


def benchmark_size(rows: int, base: Path, seed: int, repeat: int) -> dict[str, Any]:
    folder = generate.dataset_folder(base, rows)
    if not generate.is_complete(folder, rows, seed):
        print(f"generating {rows:,} rows in {folder} ...", flush=True)
        started = time.perf_counter()
        generate.generate(rows, base, seed=seed)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    _warm_page_cache(folder)
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "library": []}
    with tempfile.TemporaryDirectory(prefix="equitymetrics-bench-") as scratch_name:
        scratch = Path(scratch_name)
        for _ in range(repeat):
            for kind in ("baseline", "library"):
                runs[kind].append(_measure(kind, folder, scratch))
        counted = compare_counts(scratch)
    best = {kind: min(figures, key=lambda f: f["seconds"]) for kind, figures in runs.items()}
    base_figures, library_figures = best["baseline"], best["library"]
    summary = {
        "rows": rows,
        "people": int(json.loads((folder / "manifest.json").read_text())["people"]),
        "baseline": base_figures,
        "library": library_figures,
        "time_ratio": library_figures["seconds"] / base_figures["seconds"],
        "counts_time_ratio": library_figures["counts_seconds"] / base_figures["seconds"],
        "peak_ratio": library_figures["peak_mib"] / base_figures["peak_mib"],
        "growth_ratio": library_figures["growth_mib"] / base_figures["growth_mib"],
        "count_rows": counted,
        "repeats": repeat,
    }
    _print_size(summary)
    return summary


def _print_size(summary: dict[str, Any]) -> None:
    base, library = summary["baseline"], summary["library"]
    print(
        f"\n== {summary['rows']:,} stays and {summary['rows']:,} intervention rows "
        f"({summary['people']:,} patients), 8 quarters; best of {summary['repeats']}"
    )
    print(f"{'':34}{'wall s':>9}{'peak RSS MiB':>14}{'growth MiB':>12}")
    print(
        f"{'baseline: DuckDB SQL counts':34}{base['seconds']:9.2f}{base['peak_mib']:14.0f}"
        f"{base['growth_mib']:12.0f}"
    )
    print(
        f"{'library: full pack':34}{library['seconds']:9.2f}{library['peak_mib']:14.0f}"
        f"{library['growth_mib']:12.0f}"
    )
    print(f"{'  of which counts (DuckDB)':34}{library['counts_seconds']:9.2f}")
    print(f"{'  of which measures (pandas)':34}{library['measures_seconds']:9.2f}")
    print(
        f"{'ratio library / baseline':34}{summary['time_ratio']:9.2f}"
        f"{summary['peak_ratio']:14.2f}{summary['growth_ratio']:12.2f}"
    )
    print(f"{'  counts only / baseline':34}{summary['counts_time_ratio']:9.2f}")
    rows = ", ".join(f"{name} {count:,}" for name, count in summary["count_rows"].items())
    print(f"counts identical to the baseline: yes ({rows} rows)")


def time_stats(strata: int = 1_000_000, seed: int = 7) -> dict[str, float]:
    """Best-of-three wall time of the interval functions on ``strata`` strata."""
    import numpy as np

    from equitymetrics import stats

    rng = np.random.default_rng(seed)
    total = rng.integers(1, 500, size=strata)
    events = rng.binomial(total, 0.2)
    reference_total = rng.integers(1, 500, size=strata)
    reference_events = rng.binomial(reference_total, 0.15)
    tables = (strata // 1000, 1000)

    def best(function: Any) -> float:
        function()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return min(times)

    figures = {
        "proportion": best(lambda: stats.proportion(events, total)),
        "risk_ratio": best(
            lambda: stats.risk_ratio(events, total, reference_events, reference_total)
        ),
        "mantel_haenszel_risk_ratio, 1 table x 1M strata": best(
            lambda: stats.mantel_haenszel_risk_ratio(
                events, total, reference_events, reference_total
            )
        ),
        f"mantel_haenszel_risk_ratio, {tables[0]} tables x {tables[1]} strata": best(
            lambda: stats.mantel_haenszel_risk_ratio(
                events.reshape(tables),
                total.reshape(tables),
                reference_events.reshape(tables),
                reference_total.reshape(tables),
            )
        ),
    }
    print(f"\n== stats on {strata:,} strata (best of 3)")
    for name, seconds in figures.items():
        print(f"{name:58}{seconds:8.3f} s")
    return figures


def machine() -> dict[str, Any]:
    """Processor, cores and memory of this machine (Linux)."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration, ValueError):
        memory_kib = 0
    import duckdb

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "system": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="comma-separated, e.g. 1e6,1e7,5e7")
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_FOLDER)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; best is kept")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--skip-stats", action="store_true", help="do not time the stats")
    parser.add_argument("--worker", choices=["baseline", "library"], help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker:
        worker(arguments.worker, arguments.data, arguments.output)
        return 0
    sizes = [generate.parse_rows(text) for text in arguments.sizes.split(",")]
    about = machine()
    print(
        f"machine: {about['cpu']}, {about['cores']} cores, {about['memory_gib']} GiB; "
        f"Python {about['python']}, DuckDB {about['duckdb']}"
    )
    report: dict[str, Any] = {"machine": about, "sizes": []}
    for rows in sizes:
        report["sizes"].append(
            benchmark_size(rows, arguments.data, arguments.seed, arguments.repeat)
        )
    if len(sizes) > 1:
        first, last = report["sizes"][0], report["sizes"][-1]
        growth = last["library"]["seconds"] / first["library"]["seconds"]
        print(
            f"\nlibrary time grew {growth:.1f}x for {last['rows'] / first['rows']:.0f}x the rows "
            f"({1e6 * first['library']['seconds'] / first['rows']:.2f} s per million rows at "
            f"{first['rows']:,}, {1e6 * last['library']['seconds'] / last['rows']:.2f} at "
            f"{last['rows']:,})"
        )
    if not arguments.skip_stats:
        report["stats"] = time_stats()
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
