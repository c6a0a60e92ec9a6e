#!/usr/bin/env python3
"""Daily discharges of England's acute trusts as a long CSV for bench-peers.

    python benches/python/prep_nhs_discharges.py \
        ../shared/data/uk_nhs_healthyr/england_trust_discharged_patients.csv \
        --out /tmp/nhs_discharges.csv [--holidays /tmp/eng_holidays.txt]

Source: NHS England's daily discharge sitrep, tidied by the British Red
Cross `healthyr` package (../shared/data/uk_nhs_healthyr/SOURCE.txt):
`discharged_total` per trust and day, 2022-04-01 .. 2025-08-31.

The file is a real submission log, not a clean series. Every row is
accounted for in the summary this script prints:
- rows without a trust code are dropped (they cannot be assigned);
- a day is *unreported* when its total is empty, zero (no acute trust
  discharges nobody in a day; on 2022-06-19 all 121 trusts report 0) or
  below 20 % of the trust's centred 29-day median (a partial submission:
  some trusts report 1 discharge on days whose median is 190);
- unreported runs of at most 7 days (116 of the runs are a whole week,
  Monday to Sunday: a missed weekly submission) are filled day by day with
  the mean of the same weekday in the nearest reported weeks before and
  after, rounded; a trust's series is its longest stretch without a longer
  run (`prep_real.py` in bench-peers keeps the longest stretch too, but
  interpolates linearly, which would erase the weekly pattern of a week);
- a trust is kept when that stretch ends on the file's last day and spans
  at least 730 days (two years: a yearly season and room for the windows).

`--holidays` writes England's bank holidays over the file's years (python
`holidays`, GB, subdivision ENG), one ISO date a line, for hutano's
`forecast_cli --holidays` and `run_peers_eng.py`.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

MAX_GAP = 7
MIN_DAYS = 730
PARTIAL = 0.2


def longest_segment(s: pd.Series) -> pd.Series:
    """Longest stretch of `s` (daily index, NaN = unreported) with no run of
    more than MAX_GAP unreported days; shorter runs filled by weekday."""
    ok = s.dropna()
    gaps = np.diff(ok.index.values).astype("timedelta64[D]").astype(int)
    breaks = np.flatnonzero(gaps > MAX_GAP + 1)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(ok) - 1]
    k = int(np.argmax(ends - starts))
    seg = s.loc[ok.index[starts[k]]:ok.index[ends[k]]]
    v = seg.to_numpy()
    filled = v.copy()
    for t in np.flatnonzero(np.isnan(v)):
        near = [v[u] for u in (_reported(v, t, -7), _reported(v, t, 7)) if u is not None]
        filled[t] = np.round(np.mean(near)) if near else np.nan
    if np.isnan(filled).any():  # no reported same weekday within 4 weeks
        filled = pd.Series(filled).interpolate().round().to_numpy()
    return pd.Series(filled, index=seg.index)


def _reported(v: np.ndarray, t: int, step: int) -> int | None:
    """The nearest reported day t + k·step (k = 1..4), if any."""
    for k in range(1, 5):
        u = t + k * step
        if 0 <= u < len(v) and not np.isnan(v[u]):
            return u
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("--out", required=True)
    ap.add_argument("--holidays", default=None)
    a = ap.parse_args()

    d = pd.read_csv(a.input, parse_dates=["date"])
    n_rows = len(d)
    no_code = int(d["nhs_trust22_code"].isna().sum())
    d = d.dropna(subset=["nhs_trust22_code"])
    last_day = d["date"].max()
    counts = {"empty": 0, "zero": 0, "partial": 0, "filled": 0}
    rows = {"in kept series": 0, "of kept trusts outside their series": 0, "of dropped trusts": 0}
    frames, dropped = [], []
    for uid, g in d.groupby("nhs_trust22_code", sort=True):
        s = g.set_index("date")["discharged_total"].astype(float).sort_index()
        s = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D"))
        counts["empty"] += int(s.isna().sum())
        counts["zero"] += int((s == 0).sum())
        s = s.mask(s == 0)
        med = s.rolling(29, center=True, min_periods=8).median()
        partial = s < PARTIAL * med
        counts["partial"] += int(partial.sum())
        s = s.mask(partial)
        seg = longest_segment(s)
        if seg.index[-1] != last_day or len(seg) < MIN_DAYS:
            dropped.append(f"{uid} ({seg.index[0].date()}..{seg.index[-1].date()})")
            rows["of dropped trusts"] += len(g)
            continue
        counts["filled"] += int(s.loc[seg.index].isna().sum())
        inside = g["date"].between(seg.index[0], seg.index[-1])
        rows["in kept series"] += int(inside.sum())
        rows["of kept trusts outside their series"] += int((~inside).sum())
        frames.append(pd.DataFrame({"unique_id": uid, "ds": seg.index.strftime("%Y-%m-%d"),
                                    "y": seg.to_numpy().astype(int)}))
    out = pd.concat(frames, ignore_index=True)
    out.to_csv(a.out, index=False)
    lengths = out.groupby("unique_id").size()
    print(f"{n_rows} rows read: {no_code} without a trust code, "
          + ", ".join(f"{v} {k}" for k, v in rows.items()))
    assert no_code + sum(rows.values()) == n_rows
    print("unreported days (all trusts): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"{len(frames)} trusts kept, {lengths.min()}..{lengths.max()} days (median {int(lengths.median())}), "
          f"mean {out['y'].mean():.1f} discharges a day; {len(dropped)} dropped: {', '.join(dropped)}")
    if a.holidays:
        import holidays
        years = range(d["date"].min().year, last_day.year + 2)
        days = sorted(holidays.country_holidays("GB", subdiv="ENG", years=list(years)))
        with open(a.holidays, "w") as f:
            f.writelines(f"{day.isoformat()}\n" for day in days)
        print(f"{len(days)} bank holidays written to {a.holidays}")


if __name__ == "__main__":
    main()
