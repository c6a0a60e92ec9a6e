#!/usr/bin/env python3
"""Peer benchmark for hutano: the same KPI suite in DuckDB SQL and in polars.

Reads the CSV files that hutano's Rust bench binary writes (``encounters.csv``
and ``beds.csv`` in DATA_DIR), loads them into each engine's in-memory table,
computes the monthly KPI suite per branch, and writes timings, peak memory and
the KPI tables.  Each engine runs in its own subprocess (this script started
again with ``--child ENGINE``) so that ``ru_maxrss`` is the peak of that engine
alone.

Usage::

    python3 benches/python/kpi_peers.py DATA_DIR --out results.json \
        [--engines duckdb,polars] [--threads 2] \
        [--start 2024-01-01 --end 2025-01-01] [--check hutano_kpis.csv]

    # sample input of the same shape, before (or instead of) the Rust side:
    python3 benches/python/kpi_peers.py --make-sample DIR N [--seed 1]

The KPI definitions are those of hutano (see README.md beside this file); both
engines use the same algorithm so that the comparison is about the engines:

* a timestamp is reduced to minutes, as hutano does (seconds are ignored):
  ``day`` = its date as a day number (days since 1970-01-01), ``tod`` = minute
  of the day; ``ceil(t / 1440)`` is then ``day + (tod > 0)``, with no division;
* occupied bed-days: a stay is present at the midnight ending day D for D in
  ``[ceil(admit) - 1, ceil(discharge) - 2]`` (open stays: up to the last day of
  the period).  That day range is clipped to the period, split into the months
  it touches (one row per stay and month, usually one or two) and the overlap
  of each piece with its month is summed;
* readmissions: the next stay of the same patient in the order
  ``(admit, discharge, encounter_id)`` (open stays last) via ``LEAD`` in DuckDB
  and a sort plus ``shift(-1)`` in polars.

Only the standard library is imported at top level: the engines are imported
inside the child, after the thread settings are in place.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINES = ("duckdb", "polars")
# A slow, literal pure-Python implementation of the definitions, to validate
# the two engines on small inputs (`--engines duckdb,polars,reference`).
ALL_ENGINES = ENGINES + ("reference",)

# Column order of the KPI table, shared by both engines and by hutano's CSV.
KEY_COLUMNS = ("branch", "period_start")
COUNT_COLUMNS = (
    "admissions",
    "discharges",
    "occupied_bed_days",
    "deaths",
    "index_stays",
    "readmissions",
    "available_bed_days",
)
RATE_COLUMNS = ("alos", "mortality_rate", "readmission_rate", "occupancy_rate")
OUTPUT_COLUMNS = (
    "branch",
    "period_start",
    "admissions",
    "discharges",
    "occupied_bed_days",
    "alos",
    "deaths",
    "mortality_rate",
    "index_stays",
    "readmissions",
    "readmission_rate",
    "available_bed_days",
    "occupancy_rate",
)
REL_TOL = 1e-9  # relative tolerance for the rate columns
COMPUTE_REPEATS = 3

# Input schema (column name, DuckDB type).  The polars schema below mirrors it.
ENCOUNTER_COLUMNS = (
    ("encounter_id", "VARCHAR"),
    ("patient_id", "VARCHAR"),
    ("branch", "VARCHAR"),
    ("department", "VARCHAR"),
    ("admit", "TIMESTAMP"),
    ("discharge", "TIMESTAMP"),
    ("admission_type", "VARCHAR"),
    ("age", "INTEGER"),
    ("sex", "VARCHAR"),
    ("payer", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("planned_readmission", "INTEGER"),
)
BED_COLUMNS = (
    ("branch", "VARCHAR"),
    ("count", "INTEGER"),
    ("in_service_from", "DATE"),
    ("in_service_until", "DATE"),
)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

INDEX_OUTCOMES = ("recovered", "improved")  # outcomes that make an index stay
READMISSION_WINDOW_DAYS = 30


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def month_index(d: dt.date) -> int:
    """Months since year 0: ``year * 12 + month - 1``."""
    return d.year * 12 + d.month - 1


def current_rss_kib() -> int | None:
    """Resident set size now (Linux ``VmRSS``), in KiB; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_kib() -> int:
    """Peak resident set size of this process (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def is_nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def normalise_row(row: dict) -> dict:
    """Coerce one KPI row to plain Python types: str, ISO date, int, float (NaN for missing)."""
    out = {"branch": str(row["branch"])}
    ps = row["period_start"]
    out["period_start"] = ps.isoformat() if isinstance(ps, dt.date) else str(ps)
    for c in COUNT_COLUMNS:
        out[c] = int(row[c])
    for c in RATE_COLUMNS:
        v = row[c]
        out[c] = float("nan") if v is None else float(v)
    return out


def write_kpi_csv(path: Path, rows: list[dict]) -> None:
    """Write a KPI table; NaN as an empty cell, floats with ``repr`` (round-trips exactly)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(OUTPUT_COLUMNS)
        for r in rows:
            cells = []
            for c in OUTPUT_COLUMNS:
                v = r[c]
                if isinstance(v, float):
                    cells.append("" if math.isnan(v) else repr(v))
                else:
                    cells.append(str(v))
            w.writerow(cells)


def read_kpi_csv(path: Path) -> list[dict]:
    """Read a KPI table (ours or hutano's): empty cell = NaN; extra columns ignored."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in OUTPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: missing columns {missing}")
        rows = []
        for raw in reader:
            row = {"branch": raw["branch"], "period_start": raw["period_start"].strip()[:10]}
            for c in COUNT_COLUMNS:
                text = raw[c].strip()
                value = float(text) if text else 0.0
                if value != int(value):
                    raise SystemExit(f"{path}: {c} = {text!r} is not a whole number")
                row[c] = int(value)
            for c in RATE_COLUMNS:
                text = raw[c].strip()
                row[c] = float(text) if text else float("nan")
            rows.append(row)
    return rows


def rates_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def zero_row(key: tuple[str, str]) -> dict:
    """The row of a bucket with no activity and no beds: counts 0, rates NaN."""
    row = {"branch": key[0], "period_start": key[1]}
    row.update({c: 0 for c in COUNT_COLUMNS})
    row.update({c: float("nan") for c in RATE_COLUMNS})
    return row


def compare_tables(left: list[dict], right: list[dict], zero_fill: bool) -> dict:
    """Compare two KPI tables keyed by (branch, period_start).

    Counts must be equal, rates equal to REL_TOL relative (NaN equals NaN).
    A row present on one side only is a mismatch, unless ``zero_fill``: then it
    is compared with an all-zero row (so an engine's empty bucket may be absent
    from the other table, but a bucket with any activity or beds may not).
    """
    lmap = {(r["branch"], r["period_start"]): r for r in left}
    rmap = {(r["branch"], r["period_start"]): r for r in right}
    only_left = sorted(set(lmap) - set(rmap))
    only_right = sorted(set(rmap) - set(lmap))
    diffs = []
    for key in sorted(set(lmap) | set(rmap)):
        lrow, rrow = lmap.get(key), rmap.get(key)
        missing = lrow is None or rrow is None
        if missing and not zero_fill:
            diffs.append({"key": list(key), "columns": ["<row missing>"], "left": lrow, "right": rrow})
            continue
        lcmp, rcmp = lrow or zero_row(key), rrow or zero_row(key)
        bad = [c for c in COUNT_COLUMNS if lcmp[c] != rcmp[c]]
        bad += [c for c in RATE_COLUMNS if not rates_equal(lcmp[c], rcmp[c])]
        if bad:
            if missing:
                bad.insert(0, "<row missing, compared as an empty bucket>")
            diffs.append({"key": list(key), "columns": bad, "left": lrow, "right": rrow})
    return {
        "pass": not diffs,
        "rows_left": len(left),
        "rows_right": len(right),
        "rows_only_left": len(only_left),
        "rows_only_right": len(only_right),
        "mismatched_rows": len(diffs),
        "first_mismatches": diffs[:20],
    }


def print_mismatches(title: str, result: dict, left_name: str, right_name: str) -> None:
    """Print differing rows side by side on stderr (loudly)."""
    err = sys.stderr
    print(f"\n*** MISMATCH: {title}: {result['mismatched_rows']} row(s) differ ***", file=err)
    for d in result["first_mismatches"]:
        print(f"  {d['key'][0]} {d['key'][1]}: columns {', '.join(d['columns'])}", file=err)
        for name, row in ((left_name, d["left"]), (right_name, d["right"])):
            if row is None:
                print(f"    {name:>8}: <no row>", file=err)
            else:
                cells = " ".join(f"{c}={row[c]}" for c in OUTPUT_COLUMNS[2:])
                print(f"    {name:>8}: {cells}", file=err)
    if result["mismatched_rows"] > len(result["first_mismatches"]):
        print(f"  ... and {result['mismatched_rows'] - len(result['first_mismatches'])} more", file=err)


# ---------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------

# The KPI suite as one statement.  Its only parameters are the two period
# dates (the two `?` of `params`); nothing is formatted into the text.  The
# index outcomes and the 30-day window are written out here and must match
# INDEX_OUTCOMES and READMISSION_WINDOW_DAYS (used by polars and the reference).
DUCKDB_KPI_SQL = """
WITH
params AS (
    SELECT CAST(? AS DATE) AS p0, CAST(? AS DATE) AS p1
),
bounds AS (  -- the period as day numbers [p0n, p1n) and its first and last month indexes
    SELECT p0, p1,
           p0 - DATE '1970-01-01' AS p0n,
           p1 - DATE '1970-01-01' AS p1n,
           year(p0) * 12 + month(p0) - 1 AS mi0,
           year(p1 - 1) * 12 + month(p1 - 1) - 1 AS mi1
    FROM params
),
months AS (  -- one bucket per calendar month, clipped to the period: [period_start, period_end)
    SELECT greatest(make_date(mi // 12, mi % 12 + 1, 1), p0) AS period_start,
           least(make_date((mi + 1) // 12, (mi + 1) % 12 + 1, 1), p1) AS period_end
    FROM bounds, range(mi0, mi1 + 1) AS r(mi)
),
grid AS (  -- every branch (with stays or beds) x every month of the period
    SELECT b.branch, m.period_start, m.period_end
    FROM (SELECT branch FROM encounters UNION SELECT branch FROM beds) AS b, months AS m
),
stays AS (  -- timestamps reduced to minutes as hutano does: day number + minute of day
    SELECT encounter_id, patient_id, branch, outcome, planned_readmission,
           CAST(admit AS DATE) AS a_date,
           CAST(discharge AS DATE) AS d_date,
           CAST(admit AS DATE) - DATE '1970-01-01' AS a_day,
           CAST(discharge AS DATE) - DATE '1970-01-01' AS d_day,
           hour(admit) * 60 + minute(admit) AS a_tod,
           hour(discharge) * 60 + minute(discharge) AS d_tod
    FROM encounters
),
stays_m AS (  -- minutes since epoch, and ceil(minutes / 1440) without division
    SELECT *,
           a_day * 1440 + a_tod AS a_min,
           d_day * 1440 + d_tod AS d_min,                    -- NULL while open
           a_day + CAST(a_tod > 0 AS INTEGER) AS a_ceil,
           d_day + CAST(d_tod > 0 AS INTEGER) AS d_ceil      -- NULL while open
    FROM stays
),
admissions AS (
    SELECT branch, greatest(CAST(date_trunc('month', a_date) AS DATE), p0) AS period_start,
           count(*) AS admissions
    FROM stays_m, bounds
    WHERE a_day >= p0n AND a_day < p1n
    GROUP BY ALL
),
sequenced AS (  -- each stay with the patient's next stay (admission day, planned flag)
    SELECT *,
           lead(a_day) OVER w AS next_a_day,
           lead(planned_readmission) OVER w AS next_planned
    FROM stays_m
    WINDOW w AS (PARTITION BY patient_id ORDER BY a_min, d_min NULLS LAST, encounter_id)
),
discharged AS (  -- everything counted per discharge, bucketed by discharge date
    SELECT branch, greatest(CAST(date_trunc('month', d_date) AS DATE), p0) AS period_start,
           count(*) AS discharges,
           CAST(sum(d_ceil - a_ceil) AS BIGINT) AS nights,
           count(*) FILTER (WHERE outcome = 'deceased') AS deaths,
           count(*) FILTER (WHERE outcome IN ('recovered', 'improved')) AS index_stays,
           count(*) FILTER (WHERE outcome IN ('recovered', 'improved')
                              AND next_a_day - d_day <= 30
                              AND next_planned = 0) AS readmissions
    FROM sequenced, bounds
    WHERE d_day >= p0n AND d_day < p1n
    GROUP BY ALL
),
census_spans AS (  -- census days [first_day, last_day] of each stay, clipped to the period
    SELECT branch,
           greatest(a_ceil - 1, p0n) AS first_day,
           least(coalesce(d_ceil - 2, p1n - 1), p1n - 1) AS last_day
    FROM stays_m, bounds
),
census_pieces AS (  -- one row per stay and calendar month its census days touch
    SELECT branch, first_day, last_day, mi
    FROM (
        SELECT branch, first_day, last_day,
               year(first_date) * 12 + month(first_date) - 1 AS mi_first,
               year(last_date) * 12 + month(last_date) - 1 AS mi_last
        FROM (
            SELECT *,
                   DATE '1970-01-01' + CAST(first_day AS INTEGER) AS first_date,
                   DATE '1970-01-01' + CAST(last_day AS INTEGER) AS last_date
            FROM census_spans
        )
        WHERE first_day <= last_day
    ) AS s, range(s.mi_first, s.mi_last + 1) AS r(mi)
),
occupied AS (  -- overlap of each piece with its month (already inside the period)
    SELECT branch, greatest(make_date(mi // 12, mi % 12 + 1, 1), p0) AS period_start,
           CAST(sum(
               least(last_day + 1, make_date((mi + 1) // 12, (mi + 1) % 12 + 1, 1) - DATE '1970-01-01')
               - greatest(first_day, make_date(mi // 12, mi % 12 + 1, 1) - DATE '1970-01-01')
           ) AS BIGINT) AS occupied_bed_days
    FROM census_pieces, bounds
    GROUP BY ALL
),
available AS (  -- beds in service x days of the bucket, beds half-open [from, until)
    SELECT b.branch, m.period_start,
           CAST(sum(b."count" * greatest(0,
               least(m.period_end, coalesce(b.in_service_until, m.period_end))
               - greatest(m.period_start, coalesce(b.in_service_from, m.period_start))
           )) AS BIGINT) AS available_bed_days
    FROM beds AS b, months AS m
    GROUP BY ALL
)
SELECT g.branch, g.period_start,
       coalesce(a.admissions, 0) AS admissions,
       coalesce(d.discharges, 0) AS discharges,
       coalesce(o.occupied_bed_days, 0) AS occupied_bed_days,
       CASE WHEN coalesce(d.discharges, 0) = 0 THEN CAST('NaN' AS DOUBLE)
            ELSE CAST(d.nights AS DOUBLE) / d.discharges END AS alos,
       coalesce(d.deaths, 0) AS deaths,
       CASE WHEN coalesce(d.discharges, 0) = 0 THEN CAST('NaN' AS DOUBLE)
            ELSE CAST(d.deaths AS DOUBLE) / d.discharges END AS mortality_rate,
       coalesce(d.index_stays, 0) AS index_stays,
       coalesce(d.readmissions, 0) AS readmissions,
       CASE WHEN coalesce(d.index_stays, 0) = 0 THEN CAST('NaN' AS DOUBLE)
            ELSE CAST(d.readmissions AS DOUBLE) / d.index_stays END AS readmission_rate,
       coalesce(v.available_bed_days, 0) AS available_bed_days,
       CASE WHEN coalesce(v.available_bed_days, 0) = 0 THEN CAST('NaN' AS DOUBLE)
            ELSE CAST(coalesce(o.occupied_bed_days, 0) * 100 AS DOUBLE) / v.available_bed_days END
           AS occupancy_rate
FROM grid AS g
LEFT JOIN admissions AS a ON a.branch = g.branch AND a.period_start = g.period_start
LEFT JOIN discharged AS d ON d.branch = g.branch AND d.period_start = g.period_start
LEFT JOIN occupied AS o ON o.branch = g.branch AND o.period_start = g.period_start
LEFT JOIN available AS v ON v.branch = g.branch AND v.period_start = g.period_start
ORDER BY g.branch, g.period_start
"""


def duckdb_columns_struct(columns) -> str:
    """The `columns={...}` argument of read_csv, from this module's constant schema."""
    return "{" + ", ".join(f"'{name}': '{typ}'" for name, typ in columns) + "}"


def run_duckdb(args, result: dict) -> list[dict]:
    import duckdb

    result["engine_version"] = duckdb.__version__
    result["rss_after_import_kib"] = current_rss_kib()
    con = duckdb.connect(":memory:")
    # --threads is parsed as an int by argparse, so formatting it is safe.
    con.execute(f"PRAGMA threads={int(args.threads)}")
    result["threads_in_effect"] = int(con.execute("SELECT current_setting('threads')").fetchone()[0])

    # (a) Load: CSV -> in-memory table, with explicit types (no sniffing).
    # The path is a prepared parameter; the type list is a constant of this script.
    load_by_table = {}
    for table, columns, file_name in (
        ("encounters", ENCOUNTER_COLUMNS, "encounters.csv"),
        ("beds", BED_COLUMNS, "beds.csv"),
    ):
        sql = (
            f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', columns = {duckdb_columns_struct(columns)}, "
            f"timestampformat = '{TIMESTAMP_FORMAT}', dateformat = '{DATE_FORMAT}')"
        )
        t0 = time.perf_counter()
        con.execute(sql, [str(Path(args.data_dir) / file_name)])
        load_by_table[table] = time.perf_counter() - t0
    result["load_s"] = sum(load_by_table.values())
    result["load_s_by_table"] = load_by_table
    result["peak_rss_after_load_kib"] = peak_rss_kib()
    result["rows"] = {
        "encounters": con.execute("SELECT count(*) FROM encounters").fetchone()[0],
        "beds": con.execute("SELECT count(*) FROM beds").fetchone()[0],
    }
    # In-memory size, best effort: DuckDB's own accounting of its buffers.
    try:
        mem = dict(con.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory()").fetchall())
        result["table_bytes"] = int(mem.get("IN_MEMORY_TABLE", 0))
        result["table_bytes_method"] = "duckdb_memory() tag IN_MEMORY_TABLE"
        result["engine_memory_bytes_by_tag"] = {k: int(v) for k, v in mem.items() if v}
    except duckdb.Error as e:  # older versions: no duckdb_memory()
        result["table_bytes"] = None
        result["table_bytes_method"] = f"unavailable: {e}"

    # (b) Compute: the whole suite, result fetched into Python.
    params = [args.start, args.end]
    timings, rows = [], None
    for _ in range(COMPUTE_REPEATS):
        t0 = time.perf_counter()
        cur = con.execute(DUCKDB_KPI_SQL, params)
        names = [d[0] for d in cur.description]
        fetched = cur.fetchall()
        timings.append(time.perf_counter() - t0)
        rows = [dict(zip(names, r)) for r in fetched]
    result["compute_s_runs"] = timings
    con.close()
    return rows


# ---------------------------------------------------------------------------
# polars
# ---------------------------------------------------------------------------


def polars_schemas(pl):
    to_polars = {
        "VARCHAR": pl.String,
        "INTEGER": pl.Int32,
        "TIMESTAMP": pl.Datetime("us"),
        "DATE": pl.Date,
    }
    enc = {name: to_polars[typ] for name, typ in ENCOUNTER_COLUMNS}
    beds = {name: to_polars[typ] for name, typ in BED_COLUMNS}
    return enc, beds


def polars_kpi_query(pl, encounters, beds, start: dt.date, end: dt.date):
    """The KPI suite as one lazy query over two in-memory DataFrames."""
    epoch = dt.date(1970, 1, 1)
    p0n, p1n = (start - epoch).days, (end - epoch).days
    mi0, mi1 = month_index(start), month_index(end - dt.timedelta(days=1))
    p0 = pl.lit(start, dtype=pl.Date)
    p1 = pl.lit(end, dtype=pl.Date)

    def month_start(mi: pl.Expr) -> pl.Expr:
        """First day of month index ``mi`` (year * 12 + month - 1)."""
        return pl.date(mi // 12, mi % 12 + 1, 1)

    def day_number(d: pl.Expr) -> pl.Expr:
        return d.cast(pl.Int32)  # a polars Date is days since 1970-01-01

    def month_of_day(day: pl.Expr) -> pl.Expr:
        d = day.cast(pl.Date)
        return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32) - 1

    def bucket(d: pl.Expr) -> pl.Expr:
        """Month bucket of a date inside the period: month start, clipped to the period start."""
        return pl.max_horizontal(d.dt.month_start(), p0).alias("period_start")

    # Month buckets clipped to the period: [period_start, period_end).
    months = (
        pl.LazyFrame({"mi": pl.int_range(mi0, mi1 + 1, eager=True, dtype=pl.Int32)})
        .select(
            pl.max_horizontal(month_start(pl.col("mi")), p0).alias("period_start"),
            pl.min_horizontal(month_start(pl.col("mi") + 1), p1).alias("period_end"),
        )
    )
    enc = encounters.lazy()
    bed = beds.lazy()
    grid = (
        pl.concat([enc.select("branch"), bed.select("branch")])
        .unique()
        .join(months, how="cross")
    )

    # Timestamps reduced to minutes as hutano does: day number + minute of day.
    stays = enc.select(
        "encounter_id",
        "patient_id",
        "branch",
        "outcome",
        "planned_readmission",
        pl.col("admit").dt.date().alias("a_date"),
        pl.col("discharge").dt.date().alias("d_date"),
        day_number(pl.col("admit").dt.date()).alias("a_day"),
        day_number(pl.col("discharge").dt.date()).alias("d_day"),
        (pl.col("admit").dt.hour().cast(pl.Int32) * 60 + pl.col("admit").dt.minute().cast(pl.Int32)).alias("a_tod"),
        (pl.col("discharge").dt.hour().cast(pl.Int32) * 60 + pl.col("discharge").dt.minute().cast(pl.Int32)).alias(
            "d_tod"
        ),
    ).with_columns(
        (pl.col("a_day").cast(pl.Int64) * 1440 + pl.col("a_tod")).alias("a_min"),
        (pl.col("d_day").cast(pl.Int64) * 1440 + pl.col("d_tod")).alias("d_min"),  # null while open
        (pl.col("a_day") + (pl.col("a_tod") > 0).cast(pl.Int32)).alias("a_ceil"),
        (pl.col("d_day") + (pl.col("d_tod") > 0).cast(pl.Int32)).alias("d_ceil"),  # null while open
    )

    admissions = (
        stays.filter((pl.col("a_day") >= p0n) & (pl.col("a_day") < p1n))
        .group_by("branch", bucket(pl.col("a_date")))
        .agg(pl.len().alias("admissions"))
    )

    # Next stay of the same patient: sort by (patient, admit, discharge with
    # open stays last, encounter_id) and look one row ahead (= SQL LEAD).
    ordered = stays.sort(["patient_id", "a_min", "d_min", "encounter_id"], nulls_last=True)
    same_patient = pl.col("patient_id").shift(-1) == pl.col("patient_id")
    sequenced = ordered.with_columns(
        pl.when(same_patient).then(pl.col("a_day").shift(-1)).alias("next_a_day"),
        pl.when(same_patient).then(pl.col("planned_readmission").shift(-1)).alias("next_planned"),
    )
    is_index = pl.col("outcome").is_in(list(INDEX_OUTCOMES))
    is_readmission = (
        is_index
        & (pl.col("next_a_day") - pl.col("d_day") <= READMISSION_WINDOW_DAYS)
        & (pl.col("next_planned") == 0)
    ).fill_null(False)
    discharged = (
        sequenced.filter((pl.col("d_day") >= p0n) & (pl.col("d_day") < p1n))
        .group_by("branch", bucket(pl.col("d_date")))
        .agg(
            pl.len().alias("discharges"),
            (pl.col("d_ceil") - pl.col("a_ceil")).cast(pl.Int64).sum().alias("nights"),
            (pl.col("outcome") == "deceased").sum().alias("deaths"),
            is_index.sum().alias("index_stays"),
            is_readmission.sum().alias("readmissions"),
        )
    )

    # Census days [first_day, last_day] per stay, clipped to the period, then
    # one row per stay and calendar month touched.
    census_pieces = (
        stays.select(
            "branch",
            pl.max_horizontal(pl.col("a_ceil") - 1, pl.lit(p0n, pl.Int32)).alias("first_day"),
            pl.min_horizontal((pl.col("d_ceil") - 2).fill_null(p1n - 1), pl.lit(p1n - 1, pl.Int32)).alias("last_day"),
        )
        .filter(pl.col("first_day") <= pl.col("last_day"))
        .with_columns(
            pl.int_ranges(month_of_day(pl.col("first_day")), month_of_day(pl.col("last_day")) + 1, dtype=pl.Int32).alias(
                "mi"
            )
        )
        .explode("mi")
    )
    occupied = (
        census_pieces.with_columns(
            day_number(month_start(pl.col("mi"))).alias("ms"),
            day_number(month_start(pl.col("mi") + 1)).alias("next_ms"),
        )
        .group_by("branch", pl.max_horizontal(month_start(pl.col("mi")), p0).alias("period_start"))
        .agg(
            (
                pl.min_horizontal(pl.col("last_day") + 1, pl.col("next_ms"))
                - pl.max_horizontal(pl.col("first_day"), pl.col("ms"))
            )
            .cast(pl.Int64)
            .sum()
            .alias("occupied_bed_days")
        )
    )

    # Beds in service x days of the bucket; bed rows are half-open [from, until).
    available = (
        bed.join(months, how="cross")
        .with_columns(
            (
                pl.min_horizontal("period_end", pl.col("in_service_until").fill_null(pl.col("period_end")))
                - pl.max_horizontal("period_start", pl.col("in_service_from").fill_null(pl.col("period_start")))
            )
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("days")
        )
        .group_by("branch", "period_start")
        .agg((pl.col("count").cast(pl.Int64) * pl.col("days")).sum().alias("available_bed_days"))
    )

    def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        """num / den as float, NaN when den == 0."""
        return pl.when(den == 0).then(float("nan")).otherwise(num.cast(pl.Float64) / den.cast(pl.Float64))

    keys = ["branch", "period_start"]
    return (
        grid.join(admissions, on=keys, how="left")
        .join(discharged, on=keys, how="left")
        .join(occupied, on=keys, how="left")
        .join(available, on=keys, how="left")
        .with_columns(
            pl.col(
                "admissions", "discharges", "nights", "deaths", "index_stays", "readmissions",
                "occupied_bed_days", "available_bed_days",
            )
            .cast(pl.Int64)
            .fill_null(0)
        )
        .select(
            "branch",
            "period_start",
            "admissions",
            "discharges",
            "occupied_bed_days",
            ratio(pl.col("nights"), pl.col("discharges")).alias("alos"),
            "deaths",
            ratio(pl.col("deaths"), pl.col("discharges")).alias("mortality_rate"),
            "index_stays",
            "readmissions",
            ratio(pl.col("readmissions"), pl.col("index_stays")).alias("readmission_rate"),
            "available_bed_days",
            ratio(pl.col("occupied_bed_days") * 100, pl.col("available_bed_days")).alias("occupancy_rate"),
        )
        .sort(keys)
    )


def run_polars(args, result: dict) -> list[dict]:
    # Must be set before polars is imported: its thread pool is sized once.
    os.environ["POLARS_MAX_THREADS"] = str(int(args.threads))
    import polars as pl

    result["engine_version"] = pl.__version__
    result["rss_after_import_kib"] = current_rss_kib()
    result["threads_in_effect"] = pl.thread_pool_size()
    enc_schema, beds_schema = polars_schemas(pl)

    # (a) Load: eager read into in-memory DataFrames with an explicit schema.
    load_by_table = {}
    t0 = time.perf_counter()
    encounters = pl.read_csv(Path(args.data_dir) / "encounters.csv", schema=enc_schema)
    load_by_table["encounters"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    beds = pl.read_csv(Path(args.data_dir) / "beds.csv", schema=beds_schema)
    load_by_table["beds"] = time.perf_counter() - t0
    result["load_s"] = sum(load_by_table.values())
    result["load_s_by_table"] = load_by_table
    result["peak_rss_after_load_kib"] = peak_rss_kib()
    result["rows"] = {"encounters": encounters.height, "beds": beds.height}
    result["table_bytes"] = int(encounters.estimated_size() + beds.estimated_size())
    result["table_bytes_method"] = "DataFrame.estimated_size()"

    # (b) Compute: build and collect the lazy query.
    start, end = parse_date(args.start), parse_date(args.end)
    timings, rows = [], None
    for _ in range(COMPUTE_REPEATS):
        t0 = time.perf_counter()
        out = polars_kpi_query(pl, encounters, beds, start, end).collect()
        timings.append(time.perf_counter() - t0)
        rows = out.to_dicts()
    result["compute_s_runs"] = timings
    return rows


# ---------------------------------------------------------------------------
# Reference: the definitions taken literally, in plain Python (small data only)
# ---------------------------------------------------------------------------


def run_reference(args, result: dict) -> list[dict]:
    """Day-by-day evaluation of the definitions, independent of the engines' formulas."""
    result["engine_version"] = "pure Python " + platform.python_version()
    result["rss_after_import_kib"] = current_rss_kib()
    result["threads_in_effect"] = 1
    data_dir = Path(args.data_dir)

    def timestamp(text: str):
        # Minute resolution, as hutano: seconds are dropped.
        return dt.datetime.strptime(text, TIMESTAMP_FORMAT).replace(second=0) if text else None

    def date_or_none(text: str):
        return dt.date.fromisoformat(text) if text else None

    t0 = time.perf_counter()
    with open(data_dir / "encounters.csv", newline="", encoding="utf-8") as f:
        stays = [
            {
                "id": r["encounter_id"],
                "patient": r["patient_id"],
                "branch": r["branch"],
                "admit": timestamp(r["admit"]),
                "discharge": timestamp(r["discharge"]),
                "outcome": r["outcome"],
                "planned": int(r["planned_readmission"]),
            }
            for r in csv.DictReader(f)
        ]
    with open(data_dir / "beds.csv", newline="", encoding="utf-8") as f:
        beds = [
            (r["branch"], int(r["count"]), date_or_none(r["in_service_from"]), date_or_none(r["in_service_until"]))
            for r in csv.DictReader(f)
        ]
    result["load_s"] = time.perf_counter() - t0
    result["load_s_by_table"] = {"encounters+beds": result["load_s"]}
    result["peak_rss_after_load_kib"] = peak_rss_kib()
    result["rows"] = {"encounters": len(stays), "beds": len(beds)}
    result["table_bytes"] = None
    result["table_bytes_method"] = "n/a"

    p0, p1 = parse_date(args.start), parse_date(args.end)
    one_day = dt.timedelta(days=1)

    def bucket(d: dt.date):
        return max(d.replace(day=1), p0).isoformat()

    def midnight_after(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d + one_day, dt.time())

    def compute():
        acc = {}  # (branch, period_start) -> dict of sums

        def cell(branch, d):
            key = (branch, bucket(d))
            if key not in acc:
                acc[key] = dict.fromkeys(COUNT_COLUMNS + ("nights",), 0)
            return acc[key]

        days = [p0 + k * one_day for k in range((p1 - p0).days)]
        branches = {s["branch"] for s in stays} | {b[0] for b in beds}
        for branch in branches:
            for d in days:
                cell(branch, d)
        # The patient's next stay, by (admit, discharge [open last], id).
        by_patient = {}
        for s in stays:
            by_patient.setdefault(s["patient"], []).append(s)
        next_stay = {}
        for seq in by_patient.values():
            seq.sort(key=lambda s: (s["admit"], s["discharge"] or dt.datetime.max, s["id"]))
            for a, b in zip(seq, seq[1:]):
                next_stay[a["id"]] = b
        for s in stays:
            admit, discharge = s["admit"], s["discharge"]
            if p0 <= admit.date() < p1:
                cell(s["branch"], admit.date())["admissions"] += 1
            if discharge is not None and p0 <= discharge.date() < p1:
                c = cell(s["branch"], discharge.date())
                c["discharges"] += 1
                # Nights: midnights m with admit <= m < discharge.
                d = admit.date() - one_day
                while midnight_after(d) < discharge:
                    if midnight_after(d) >= admit:
                        c["nights"] += 1
                    d += one_day
                c["deaths"] += s["outcome"] == "deceased"
                if s["outcome"] in INDEX_OUTCOMES:
                    c["index_stays"] += 1
                    nxt = next_stay.get(s["id"])
                    if nxt and (nxt["admit"].date() - discharge.date()).days <= READMISSION_WINDOW_DAYS \
                            and nxt["planned"] == 0:
                        c["readmissions"] += 1
            # Midnight census: present at the midnight ending D iff admit <= (D+1) 00:00 < discharge.
            d = max(p0, admit.date() - one_day)
            while d < p1 and (discharge is None or midnight_after(d) < discharge):
                if admit <= midnight_after(d):
                    cell(s["branch"], d)["occupied_bed_days"] += 1
                d += one_day
        for branch, count, start, until in beds:
            for d in days:
                if (start is None or start <= d) and (until is None or d < until):
                    cell(branch, d)["available_bed_days"] += count

        def ratio(a, b):
            return a / b if b else float("nan")

        rows = []
        for (branch, ps), c in sorted(acc.items()):
            row = {"branch": branch, "period_start": ps}
            row.update({k: c[k] for k in COUNT_COLUMNS})
            row["alos"] = ratio(c["nights"], c["discharges"])
            row["mortality_rate"] = ratio(c["deaths"], c["discharges"])
            row["readmission_rate"] = ratio(c["readmissions"], c["index_stays"])
            row["occupancy_rate"] = ratio(c["occupied_bed_days"] * 100, c["available_bed_days"])
            rows.append(row)
        return rows

    timings, rows = [], None
    for _ in range(COMPUTE_REPEATS):
        t0 = time.perf_counter()
        rows = compute()
        timings.append(time.perf_counter() - t0)
    result["compute_s_runs"] = timings
    return rows


# ---------------------------------------------------------------------------
# Child: one engine, one process
# ---------------------------------------------------------------------------


def child_main(args) -> int:
    result = {"engine": args.child, "pid": os.getpid()}
    t_start = time.perf_counter()
    runner = {"duckdb": run_duckdb, "polars": run_polars, "reference": run_reference}[args.child]
    rows = [normalise_row(r) for r in runner(args, result)]
    result["compute_s_median"] = statistics.median(result["compute_s_runs"])
    result["kpi_rows"] = len(rows)
    write_kpi_csv(Path(args.table_out), rows)
    result["kpi_csv"] = str(args.table_out)
    result["child_wall_s"] = time.perf_counter() - t_start
    # Peak memory of this process over its whole life (KiB on Linux).
    result["peak_rss_kib"] = peak_rss_kib()
    with open(args.result_out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


# ---------------------------------------------------------------------------
# Parent: runs the engines one at a time and compares their tables
# ---------------------------------------------------------------------------


def run_engine(args, engine: str, table_out: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="kpi_peers_") as tmp:
        result_out = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            args.data_dir,
            "--child", engine,
            "--threads", str(args.threads),
            "--start", args.start,
            "--end", args.end,
            "--table-out", str(table_out),
            "--result-out", str(result_out),
        ]
        print(f"[{engine}] running ...", file=sys.stderr, flush=True)
        load_before = os.getloadavg()
        proc = subprocess.run(cmd, check=False)
        load_after = os.getloadavg()
        if proc.returncode != 0 or not result_out.exists():
            return {"engine": engine, "error": f"child exited with status {proc.returncode}"}
        with open(result_out, encoding="utf-8") as f:
            res = json.load(f)
    # The 1-minute load average around the run: other work on the machine
    # (e.g. a build) inflates the timings, and this makes it visible.
    res["loadavg_1min_before_after"] = [load_before[0], load_after[0]]
    print(
        f"[{engine}] load {res['load_s']:.3f} s, compute median {res['compute_s_median']:.3f} s "
        f"(runs {', '.join(f'{t:.3f}' for t in res['compute_s_runs'])}), "
        f"peak RSS {res['peak_rss_kib'] / 1024:.0f} MiB, table {fmt_bytes(res.get('table_bytes'))}",
        file=sys.stderr,
        flush=True,
    )
    return res


def fmt_bytes(n) -> str:
    return "n/a" if n is None else f"{n / 2**20:.0f} MiB"


def parent_main(args) -> int:
    data_dir = Path(args.data_dir)
    for name in ("encounters.csv", "beds.csv"):
        if not (data_dir / name).is_file():
            raise SystemExit(f"{data_dir / name}: not found")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ALL_ENGINES]
    if unknown:
        raise SystemExit(f"unknown engine(s) {unknown}; known: {', '.join(ALL_ENGINES)}")
    if not parse_date(args.start) < parse_date(args.end):
        raise SystemExit("--start must be before --end")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "hutano kpi peers (DuckDB SQL, polars lazy)",
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "input_bytes": {n: (data_dir / n).stat().st_size for n in ("encounters.csv", "beds.csv")},
        "period": {"start": args.start, "end": args.end},
        "threads": args.threads,
        "compute_repeats": COMPUTE_REPEATS,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "engines": {},
    }
    failed = False
    tables = {}
    for engine in engines:
        table_out = out.with_name(f"{out.stem}.{engine}.csv")
        res = run_engine(args, engine, table_out)
        report["engines"][engine] = res
        if "error" in res:
            print(f"*** {engine} FAILED: {res['error']} ***", file=sys.stderr)
            failed = True
        else:
            tables[engine] = read_kpi_csv(table_out)

    # The engines must agree with each other exactly (same row set, same values).
    names = list(tables)
    if len(names) >= 2:
        cross = {}
        for other in names[1:]:
            res = compare_tables(tables[names[0]], tables[other], zero_fill=False)
            cross[f"{names[0]} vs {other}"] = res
            if not res["pass"]:
                print_mismatches(f"{names[0]} vs {other}", res, names[0], other)
                failed = True
        report["cross_check"] = {"pass": all(r["pass"] for r in cross.values()), "pairs": cross}

    # Against hutano's own output.
    if args.check:
        hutano = read_kpi_csv(Path(args.check))
        checks = {}
        for name, table in tables.items():
            res = compare_tables(table, hutano, zero_fill=True)
            checks[name] = res
            if not res["pass"]:
                print_mismatches(f"{name} vs hutano ({args.check})", res, name, "hutano")
                failed = True
            else:
                print(f"[{name}] matches hutano ({len(hutano)} rows)", file=sys.stderr)
        report["check"] = {
            "file": str(Path(args.check).resolve()),
            "pass": all(r["pass"] for r in checks.values()) and bool(checks),
            "engines": checks,
        }

    report["pass"] = not failed
    with open(out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, default=str)
        f.write("\n")
    print(f"wrote {out}", file=sys.stderr)
    if failed:
        print("*** FAILED (see above) ***", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------
# Sample data (same shape as hutano's bench output)
# ---------------------------------------------------------------------------

SAMPLE_BRANCHES = ("Bulawayo", "Chitungwiza", "Gweru", "Harare Central", "Masvingo", "Mutare")
SAMPLE_DEPARTMENTS = ("medicine", "surgery", "paediatrics", "obstetrics", "orthopaedics")
SAMPLE_SEXES = ("female", "male")
SAMPLE_PAYERS = ("government", "private", "corporate", "self_pay")
# (value, cumulative weight)
SAMPLE_ADMISSION_TYPES = (("emergency", 0.50), ("elective", 0.75), ("transfer_in", 0.85), ("day_case", 1.0))
SAMPLE_OUTCOMES = (
    ("recovered", 0.55),
    ("improved", 0.80),
    ("transferred", 0.87),
    ("left_against_advice", 0.91),
    ("deceased", 1.0),
)


def pick(rng: random.Random, table) -> str:
    x = rng.random()
    for value, cum in table:
        if x < cum:
            return value
    return table[-1][0]


def make_sample(directory: Path, n: int, seed: int) -> None:
    """Write encounters.csv and beds.csv with n random but valid encounters.

    Stays span 2023-07-01 .. 2025-02-01 (the snapshot time), so the default
    period 2024 has stays crossing both edges.  Each patient's stays are
    sequential and never overlap; a stay still running at the snapshot is open
    (empty discharge and outcome) and is the patient's last; so is a death.
    About 5 % of admissions and discharges fall exactly on midnight, gaps
    between stays are often under 30 days (readmissions, including the 30/31
    day edges), and some elective re-admissions are planned.
    """
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    minute = dt.timedelta(minutes=1)
    h0 = dt.datetime(2023, 7, 1)
    snapshot = dt.datetime(2025, 2, 1)
    span_min = int((snapshot - h0) / minute)

    rows = []  # (admit, discharge or None, patient, branch, ..., planned)
    patient = 0
    while len(rows) < n:
        patient += 1
        pid = f"P{patient:07d}"
        home = rng.choice(SAMPLE_BRANCHES)
        age = rng.randint(0, 95)
        sex = rng.choice(SAMPLE_SEXES)
        payer = rng.choice(SAMPLE_PAYERS)
        t = h0 + rng.randrange(span_min) * minute
        while t < snapshot and len(rows) < n:
            if rng.random() < 0.05:  # exactly at midnight
                t = dt.datetime(t.year, t.month, t.day)
            adm_type = pick(rng, SAMPLE_ADMISSION_TYPES)
            if adm_type == "day_case":
                length = rng.randint(30, 10 * 60)
            elif rng.random() < 0.02:
                length = rng.randint(30 * 1440, 200 * 1440)  # long stay
            else:
                length = max(60, int(rng.lognormvariate(math.log(3 * 1440), 0.9)))
            discharge = t + length * minute
            if rng.random() < 0.05:  # discharge exactly at a midnight after the admission
                midnight = dt.datetime(discharge.year, discharge.month, discharge.day)
                discharge = midnight if midnight > t else midnight + dt.timedelta(days=1)
            branch = home if rng.random() < 0.9 else rng.choice(SAMPLE_BRANCHES)
            department = rng.choice(SAMPLE_DEPARTMENTS)
            planned = 1 if (adm_type == "elective" and rng.random() < 0.5) or rng.random() < 0.02 else 0
            if discharge >= snapshot:  # still in hospital at the snapshot
                rows.append((t, None, pid, branch, department, adm_type, age, sex, payer, "", planned))
                break
            outcome = pick(rng, SAMPLE_OUTCOMES)
            rows.append((t, discharge, pid, branch, department, adm_type, age, sex, payer, outcome, planned))
            if outcome == "deceased":
                break
            # Gap to the next stay: often short (readmission window), else long.
            r = rng.random()
            if r < 0.05:
                gap = rng.randint(0, 180)  # same-day return (0 = back to back)
            elif r < 0.20:
                gap = rng.randint(0, 40 * 1440)
            else:
                gap = int(rng.expovariate(1 / (150 * 1440)))
            t = discharge + gap * minute
            age += gap // (365 * 1440)

    # Encounter ids in admission order, as a hospital system would number them.
    rows.sort(key=lambda r: (r[0], r[2]))
    with open(directory / "encounters.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            [
                "encounter_id", "patient_id", "branch", "department", "admit", "discharge",
                "admission_type", "age", "sex", "payer", "outcome", "planned_readmission",
            ]
        )
        fmt = TIMESTAMP_FORMAT
        w.writerows(
            (
                f"E{i:08d}", pid, branch, dept, a.strftime(fmt), "" if d is None else d.strftime(fmt),
                adm_type, age, sex, payer, outcome, planned,
            )
            for i, (a, d, pid, branch, dept, adm_type, age, sex, payer, outcome, planned) in enumerate(rows, 1)
        )

    # Beds: a base stock per branch plus wards opening and closing, so that
    # availability changes inside months and at the period edges.
    with open(directory / "beds.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["branch", "count", "in_service_from", "in_service_until"])
        base = max(5, round(n / 420))  # about 80-90 % occupancy with the stays above
        for branch in SAMPLE_BRANCHES:
            w.writerow([branch, round(base * rng.uniform(0.8, 1.1)), "", ""])
            w.writerow([branch, max(1, round(base * 0.1)), "2024-05-15", ""])
            w.writerow([branch, max(1, round(base * 0.05)), "", "2024-09-10"])
            w.writerow([branch, max(1, round(base * 0.05)), "2023-12-20", "2024-01-15"])
            w.writerow([branch, max(1, round(base * 0.03)), "2024-12-01", "2025-01-15"])
    print(f"wrote {len(rows)} encounters of {patient} patients to {directory}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", nargs="?", help="directory with encounters.csv and beds.csv")
    ap.add_argument("--out", help="JSON report to write (tables go beside it as OUT_STEM.ENGINE.csv)")
    ap.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated, run in this order; 'reference' adds a slow literal pure-Python check",
    )
    ap.add_argument("--threads", type=int, default=2, help="engine threads (DuckDB PRAGMA threads, POLARS_MAX_THREADS)")
    ap.add_argument("--start", default="2024-01-01", help="period start, inclusive (YYYY-MM-DD)")
    ap.add_argument("--end", default="2025-01-01", help="period end, exclusive (YYYY-MM-DD)")
    ap.add_argument("--check", help="hutano's KPI CSV to compare every engine's table with")
    ap.add_argument("--make-sample", nargs=2, metavar=("DIR", "N"), help="write a random sample of N encounters to DIR")
    ap.add_argument("--seed", type=int, default=1, help="seed of --make-sample")
    # Internal: run one engine in this process (used by the parent).
    ap.add_argument("--child", choices=ALL_ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--table-out", help=argparse.SUPPRESS)
    ap.add_argument("--result-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.threads < 1:
        ap.error("--threads must be at least 1")
    if args.child:
        return child_main(args)
    if args.make_sample:
        make_sample(Path(args.make_sample[0]), int(args.make_sample[1]), args.seed)
        if not args.data_dir:
            return 0
    if not args.data_dir or not args.out:
        ap.error("DATA_DIR and --out are required (unless only --make-sample is given)")
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
