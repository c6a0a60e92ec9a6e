#!/usr/bin/env python3
"""Independent reference computation for the HDHI admissions file.

This script is deliberately naive (plain loops, one day at a time) and uses
only the Python standard library.  It does not import anything from the
hutano project: its output is committed as `hdhi_expected.json` and used as
the expected values of a Rust test, so it must stay an *independent*
implementation of the conventions listed in README.md.

Usage:
    python3 hutano-core/tests/reference/hdhi_reference.py [CSV] [OUT_JSON]

CSV defaults to ../shared/data/hdhi_admissions/HDHI Admission data.csv,
relative to the repository root.  The JSON goes to stdout unless OUT_JSON is
given.

Privacy: the patient identifier (`MRD No.`) is used only in memory to group a
patient's stays.  It is never printed and never written to the JSON; rows are
identified by their spreadsheet-style row number only.
"""

import csv
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CSV = REPO_ROOT / ".." / "shared" / "data" / "hdhi_admissions" / "HDHI Admission data.csv"

# The three date formats found in D.O.A / D.O.D, in the order they are tried.
DATE_FORMATS = ["%m-%d-%Y", "%d-%m-%Y", "%m/%d/%Y"]
MONTH_COLUMN_FORMAT = "%b-%y"  # e.g. "Apr-17"

COL_SNO = "SNO"
COL_MRD = "MRD No."  # patient id: NEVER output
COL_DOA = "D.O.A"
COL_DOD = "D.O.D"
COL_MONTH = "month year"
COL_STATED = "DURATION OF STAY"
COL_OUTCOME = "OUTCOME"
COL_TYPE = "TYPE OF ADMISSION-EMERGENCY/OPD"

OUTCOMES = ["DISCHARGE", "EXPIRY", "DAMA"]  # alive / died / left against advice
ADMISSION_TYPES = ["E", "O"]  # emergency / OPD (planned)

# KPI period, half-open [start, end), by date.
PERIOD_START = date(2017, 4, 1)
PERIOD_END = date(2019, 4, 1)

READMISSION_WINDOW_DAYS = 30
EARLY_DEATH_MAX_NIGHTS = 2  # noon-to-noon: (B - A) * 24 h <= 48 h  <=>  B - A <= 2


# ---------------------------------------------------------------------------
# Date parsing
# ---------------------------------------------------------------------------

def date_candidates(text):
    """Every date that `text` parses to under the three formats (may repeat)."""
    found = []
    for fmt in DATE_FORMATS:
        try:
            found.append(datetime.strptime(text, fmt).date())
        except ValueError:
            pass
    return found


def resolve_admission(doa_text, month_text):
    """Return (date, None) or (None, reject_reason) for the admission date.

    Keep the readings whose (year, month) equal the `month year` column.
    """
    month = datetime.strptime(month_text, MONTH_COLUMN_FORMAT).date()
    readings = date_candidates(doa_text)
    if not readings:
        return None, "unparseable_date"
    kept = []
    for d in readings:
        if d.year == month.year and d.month == month.month:
            kept.append(d)
    distinct = sorted(set(kept))
    if len(distinct) == 0:
        return None, "date_outside_reference_month"
    if len(distinct) > 1:
        return None, "ambiguous_date"
    return distinct[0], None


def resolve_discharge(dod_text, admission):
    """Return (date, None) or (None, reject_reason) for the discharge date.

    Drop readings earlier than the admission date; take the earliest of the rest.
    """
    cands = date_candidates(dod_text)
    if not cands:
        return None, "unparseable_date"
    on_or_after = [d for d in cands if d >= admission]
    if not on_or_after:
        return None, "discharge_before_admission"
    return min(on_or_after), None


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def load(csv_path):
    """Read the file and apply the date and overlap checks.

    Returns (rows_read, stays, rejects).  Each stay is a dict with row, mrd,
    admit, discharge, outcome, type, doa, dod, stated.  `mrd` stays in memory.
    """
    rows_read = 0
    rejects = []
    survivors = []  # rows that passed the date checks

    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for index, rec in enumerate(reader):
            rows_read += 1
            row = index + 2  # spreadsheet style: header is row 1

            # The patient id is required: a stay without one cannot be linked.
            if not rec[COL_MRD].strip():
                rejects.append({"row": row, "column": COL_MRD, "reason": "missing_value", "other_row": None})
                continue

            admit, reason = resolve_admission(rec[COL_DOA], rec[COL_MONTH])
            if reason is not None:
                rejects.append({"row": row, "column": COL_DOA, "reason": reason, "other_row": None})
                continue

            discharge, reason = resolve_discharge(rec[COL_DOD], admit)
            if reason is not None:
                rejects.append({"row": row, "column": COL_DOD, "reason": reason, "other_row": None})
                continue

            survivors.append({
                "row": row,
                "sno": int(rec[COL_SNO]),
                "mrd": rec[COL_MRD],
                "admit": admit,
                "discharge": discharge,
                "outcome": rec[COL_OUTCOME],
                "type": rec[COL_TYPE],
                "doa": rec[COL_DOA],
                "dod": rec[COL_DOD],
                "stated": int(rec[COL_STATED]),
            })

    # Overlapping stays of one patient.
    by_patient = {}
    for s in survivors:
        by_patient.setdefault(s["mrd"], []).append(s)

    loaded = []
    for stays in by_patient.values():
        stays.sort(key=lambda s: (s["admit"], s["row"]))
        last_accepted = None
        for s in stays:
            # Two stays of one patient admitted on the same day are one stay
            # recorded twice (even same-day stays, which occupy no midnight).
            if last_accepted is not None and (s["admit"] < last_accepted["discharge"]
                                              or s["admit"] == last_accepted["admit"]):
                rejects.append({"row": s["row"], "column": None, "reason": "overlapping_stay",
                                "other_row": last_accepted["row"]})
                continue
            loaded.append(s)
            last_accepted = s

    loaded.sort(key=lambda s: s["row"])
    rejects.sort(key=lambda r: r["row"])
    assert rows_read == len(loaded) + len(rejects)
    return rows_read, loaded, rejects


# ---------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------

def in_period(d):
    return PERIOD_START <= d < PERIOD_END


def nights(s):
    return (s["discharge"] - s["admit"]).days


def daily_census(stays):
    """census[i] = stays present at the midnight ending day PERIOD_START + i.

    A stay from A to B (noon to noon) is counted on days A, A+1, ..., B-1.
    Naive on purpose: walk every stay one day at a time.
    """
    n_days = (PERIOD_END - PERIOD_START).days
    census = [0] * n_days
    for s in stays:
        d = s["admit"]
        while d < s["discharge"]:
            if in_period(d):
                census[(d - PERIOD_START).days] += 1
            d += timedelta(days=1)
    return census


def readmissions(stays):
    """30-day readmission after a live discharge (DISCHARGE; DAMA excluded).

    The readmission candidate is the patient's next loaded stay in admission
    order; no two loaded stays of a patient share an admission date.
    """
    by_patient = {}
    for s in stays:
        by_patient.setdefault(s["mrd"], []).append(s)
    for lst in by_patient.values():
        lst.sort(key=lambda s: s["admit"])

    index_stays = 0
    readmitted = 0
    for s in stays:
        if not (in_period(s["discharge"]) and s["outcome"] == "DISCHARGE"):
            continue
        index_stays += 1
        ordered = by_patient[s["mrd"]]
        position = next(i for i, other in enumerate(ordered) if other is s)
        if position + 1 < len(ordered):
            following = ordered[position + 1]
            assert following["admit"] >= s["discharge"]
            if (following["admit"] - s["discharge"]).days <= READMISSION_WINDOW_DAYS:
                readmitted += 1
    return index_stays, readmitted


def ratio(num, den):
    return num / den if den else None


# ---------------------------------------------------------------------------
# Cross-check of the stated DURATION OF STAY
# ---------------------------------------------------------------------------

def days_in_month(year, month):
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - date(year, month, 1)).days


def month_boundaries_crossed(a, b):
    return (b.year - a.year) * 12 + (b.month - a.month)


def classify_duration(s):
    """Explain why stated != nights + 1 (the file's inclusive count).

    Categories are tried in this order; the first that fits wins.
    """
    a, b, stated = s["admit"], s["discharge"], s["stated"]

    # 1. D.O.D has another valid reading (on/after admission) that matches.
    for d in date_candidates(s["dod"]):
        if d != b and d >= a and (d - a).days + 1 == stated:
            return "dod_format_ambiguity"

    # 2. Exclusive counting: stated equals the number of nights.
    if stated == (b - a).days:
        return "stated_equals_nights"

    # 3. The stay crosses one month boundary out of a month shorter than
    #    31 days, and stated equals the inclusive count as if that month
    #    had 31 days.
    if month_boundaries_crossed(a, b) == 1:
        short = 31 - days_in_month(a.year, a.month)
        if short > 0 and stated == (b - a).days + 1 + short:
            return "month_length_overcount"

    # 4. Changing only the month of one D.O.D reading gives a date that
    #    matches the stated duration (a slip in the month field).
    for d in date_candidates(s["dod"]):
        for m in range(1, 13):
            if m == d.month:
                continue
            try:
                fixed = d.replace(month=m)
            except ValueError:
                continue
            if fixed >= a and (fixed - a).days + 1 == stated:
                return "dod_month_typo"

    # 5. Nothing above explains it.
    return "unexplained"


def duration_cross_check(stays):
    difference_counts = {}
    listed = []
    for s in stays:  # stays are in row order
        diff = s["stated"] - nights(s)
        difference_counts[diff] = difference_counts.get(diff, 0) + 1
        if diff != 1:
            listed.append({
                "row": s["row"],
                "doa": s["doa"],
                "dod": s["dod"],
                "admission": s["admit"].isoformat(),
                "discharge": s["discharge"].isoformat(),
                "nights": nights(s),
                "stated": s["stated"],
                "difference": diff,
                "category": classify_duration(s),
            })

    categories = {}
    for name in ["dod_format_ambiguity", "stated_equals_nights", "month_length_overcount",
                 "dod_month_typo", "unexplained"]:
        rows = [r["row"] for r in listed if r["category"] == name]
        categories[name] = {"count": len(rows), "rows": rows}

    # Sub-counts for the stated_equals_nights rows (see README).
    sen = [r for r in listed if r["category"] == "stated_equals_nights"]
    categories["stated_equals_nights"]["crossing_a_month_boundary"] = sum(
        1 for r in sen if r["admission"][:7] != r["discharge"][:7])
    categories["stated_equals_nights"]["year_rollover"] = sum(
        1 for r in sen if r["admission"][:4] != r["discharge"][:4])

    return {
        "convention": "stated = discharge - admission + 1 (inclusive day count)",
        "rows_checked": len(stays),
        "rows_matching_convention": difference_counts.get(1, 0),
        "rows_not_matching": len(listed),
        "difference_counts": {str(k): difference_counts[k] for k in sorted(difference_counts)},
        "categories": categories,
        "rows": listed,
    }


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def compute(csv_path):
    rows_read, stays, rejects = load(csv_path)

    reasons = {}
    for r in rejects:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1

    # Admissions in the period, by type.
    admissions_by_type = {t: 0 for t in ADMISSION_TYPES}
    for s in stays:
        if in_period(s["admit"]):
            admissions_by_type[s["type"]] = admissions_by_type.get(s["type"], 0) + 1

    # Discharges in the period (drive ALOS, mortality, readmission).
    discharges = [s for s in stays if in_period(s["discharge"])]
    by_outcome = {o: 0 for o in OUTCOMES}
    for s in discharges:
        by_outcome[s["outcome"]] = by_outcome.get(s["outcome"], 0) + 1

    # Bed-days and census.
    census = daily_census(stays)
    bed_days = sum(census)

    # ALOS.
    nights_all = sum(nights(s) for s in discharges)
    overnight = [s for s in discharges if nights(s) > 0]
    nights_overnight = sum(nights(s) for s in overnight)

    # Mortality.
    deaths = sum(1 for s in discharges if s["outcome"] == "EXPIRY")
    early_deaths = sum(1 for s in discharges
                       if s["outcome"] == "EXPIRY" and nights(s) <= EARLY_DEATH_MAX_NIGHTS)
    net_num = deaths - early_deaths
    net_den = len(discharges) - early_deaths

    # Readmission.
    index_stays, readmitted = readmissions(stays)

    return {
        "python": sys.version,
        "source_file": Path(csv_path).name,
        "load": {
            "rows_read": rows_read,
            "rows_loaded": len(stays),
            "rows_rejected": len(rejects),
            "rejects_by_reason": dict(sorted(reasons.items())),
            "rejects": rejects,
            "loaded_zero_night_stays": sum(1 for s in stays if nights(s) == 0),
        },
        "period": {
            "start": PERIOD_START.isoformat(),
            "end_exclusive": PERIOD_END.isoformat(),
            "days": len(census),
        },
        "admissions_in_period": {
            "total": sum(admissions_by_type.values()),
            "by_type": admissions_by_type,
        },
        "discharges_in_period": {
            "total": len(discharges),
            "by_outcome": by_outcome,
        },
        "bed_days": bed_days,
        "alos": {
            "all_stays": {
                "nights": nights_all,
                "discharges": len(discharges),
                "alos_days": ratio(nights_all, len(discharges)),
            },
            "overnight_only": {
                "nights": nights_overnight,
                "discharges": len(overnight),
                "alos_days": ratio(nights_overnight, len(overnight)),
            },
        },
        "mortality": {
            "deaths": deaths,
            "discharges": len(discharges),
            "rate": ratio(deaths, len(discharges)),
            "deaths_within_48h": early_deaths,
            "net_deaths": net_num,
            "net_discharges": net_den,
            "net_rate": ratio(net_num, net_den),
        },
        "readmission_30d": {
            "index_stays": index_stays,
            "readmissions": readmitted,
            "rate": ratio(readmitted, index_stays),
        },
        "census": {
            "first_day": PERIOD_START.isoformat(),
            "max": max(census),
            "mean": bed_days / len(census),
            "daily": census,
        },
        "duration_cross_check": duration_cross_check(stays),
    }


def one_per_line(items, indent):
    """A JSON list with one compact item per line."""
    if not items:
        return "[]"
    inner = (",\n" + indent + "  ").join(json.dumps(x, ensure_ascii=False) for x in items)
    return "[\n" + indent + "  " + inner + "\n" + indent + "]"


def main(argv):
    csv_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_CSV
    result = compute(csv_path)

    # Pretty-print, but keep the daily census on a single line and each
    # reject / cross-check row on a line of its own (keeps the file small).
    daily = result["census"]["daily"]
    rejects = result["load"]["rejects"]
    listed = result["duration_cross_check"]["rows"]
    result["census"]["daily"] = "@@DAILY@@"
    result["load"]["rejects"] = "@@REJECTS@@"
    result["duration_cross_check"]["rows"] = "@@ROWS@@"
    text = json.dumps(result, indent=2, ensure_ascii=False)
    text = text.replace('"@@DAILY@@"', json.dumps(daily))
    text = text.replace('"@@REJECTS@@"', one_per_line(rejects, "    "))
    text = text.replace('"@@ROWS@@"', one_per_line(listed, "    ")) + "\n"

    if len(argv) > 2:
        Path(argv[2]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
