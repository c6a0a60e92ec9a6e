"""``python -m hutano``: KPIs, forecasts and backtests on CSV or Excel files.

    python -m hutano kpis FILE --site SITE.json --kpi alos --by branch --grain month -o alos.csv
    python -m hutano forecast SERIES.csv --h 14 --models snaive,ets,boosted --level 80,95 -o fc.csv
    python -m hutano backtest SERIES.csv --h 14 --n-windows 4 --models snaive,boosted -o cv.csv

``kpis`` reads a hospital export through a site document (branches,
departments and the column mapping; see ``examples/sites/hdhi.json``) and
prints the load report. ``forecast`` and ``backtest`` read long-format series
(``unique_id``, ``ds``, ``y``; other names with ``--id-col`` etc.) from CSV or
.xlsx. Output is CSV (stdout without ``-o``); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from hutano import models as m
from hutano.data import kpi_names, load
from hutano.exceptions import HutanoError
from hutano.forecast import Forecaster

MODELS = {
    "naive": lambda s: m.Naive(),
    "snaive": lambda s: m.SeasonalNaive(s),
    "arima": lambda s: m.AutoARIMA(s),
    "ets": lambda s: m.AutoETS(s),
    "mstl": lambda s: m.MSTL(s),
    "boosted": lambda s: m.Boosted(),
    "forest": lambda s: m.Forest(),
    "prophet": lambda s: m.Prophet(),
}


def _read_series(path: str, args: argparse.Namespace) -> Any:
    import pandas as pd

    if path.lower().endswith((".xlsx", ".xls")):
        df = pd.read_excel(path)
    else:
        df = pd.read_csv(path)
    if args.time_col not in df.columns:
        raise HutanoError(f"column {args.time_col!r} is not in {path}")
    df[args.time_col] = pd.to_datetime(df[args.time_col])
    return df


def _models(spec: str, season: int) -> list[m.Model]:
    out: list[m.Model] = []
    for name in [s.strip() for s in spec.split(",") if s.strip()]:
        if name == "ensemble":
            out.append(m.Ensemble([MODELS[k](season) for k in ("mstl", "boosted", "forest", "prophet")]))
        elif name in MODELS:
            out.append(MODELS[name](season))
        else:
            raise HutanoError(f"unknown model {name!r}; use {', '.join([*MODELS, 'ensemble'])}")
    return out


def _write(df: Any, out: str | None) -> None:
    if out:
        df.to_csv(out, index=False)
    else:
        df.to_csv(sys.stdout, index=False)


def _levels(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 hutano error, 2 usage)."""
    p = argparse.ArgumentParser(prog="python -m hutano", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    k = sub.add_parser("kpis", help="compute a KPI from a hospital export")
    k.add_argument("file")
    k.add_argument("--site", required=True, help="site JSON: branches, departments, column mapping")
    k.add_argument("--kpi", required=True, choices=kpi_names())
    k.add_argument("--by", default="", help="comma-separated dimensions (branch,department,...)")
    k.add_argument("--grain", default="period", choices=["day", "week", "month", "period"])
    k.add_argument("--start")
    k.add_argument("--end")
    k.add_argument("--rejects", help="write the rejected rows (row, column, reason) to this CSV")
    k.add_argument("-o", "--output")

    for name, helptext in (("forecast", "forecast every series"), ("backtest", "rolling-origin backtest")):
        f = sub.add_parser(name, help=helptext)
        f.add_argument("file")
        f.add_argument("--h", type=int, required=True, help="horizon in steps")
        f.add_argument("--models", default="snaive,ets", help=f"comma-separated: {', '.join([*MODELS, 'ensemble'])}")
        f.add_argument("--season", type=int, default=7)
        f.add_argument("--freq", default="D")
        f.add_argument("--fill", default="error", choices=["error", "zero", "interpolate"])
        f.add_argument("--level", default="80,95")
        f.add_argument("--id-col", default="unique_id")
        f.add_argument("--time-col", default="ds")
        f.add_argument("--target-col", default="y")
        f.add_argument("-o", "--output")
        if name == "backtest":
            f.add_argument("--n-windows", type=int, default=3)
            f.add_argument("--step", type=int, default=None, help="steps between cutoffs (default h)")
            f.add_argument("--metrics", help="write the accuracy per model to this CSV")

    args = p.parse_args(argv)
    try:
        if args.command == "kpis":
            data = load(args.file, args.site)
            report = data.report
            print(f"hutano: {report}", file=sys.stderr)
            if args.rejects and report is not None:
                report.rejects.to_csv(args.rejects, index=False)
            by = [b for b in args.by.split(",") if b]
            table = data.kpi(args.kpi, by=by, grain=args.grain, start=args.start, end=args.end, frame="pandas")
            _write(table, args.output)
            return 0
        df = _read_series(args.file, args)
        fc = Forecaster(_models(args.models, args.season), freq=args.freq, fill=args.fill)
        cols = dict(id_col=args.id_col, time_col=args.time_col, target_col=args.target_col)
        if args.command == "forecast":
            fc.fit(df[[args.id_col, args.time_col, args.target_col]], progress=True, **cols)
            _write(fc.predict(args.h, level=_levels(args.level)), args.output)
        else:
            cv = fc.cross_validation(
                df[[args.id_col, args.time_col, args.target_col]],
                args.h,
                n_windows=args.n_windows,
                step_size=args.step or args.h,
                level=_levels(args.level),
                season_length=args.season,
                progress=True,
                **cols,
            )
            _write(cv, args.output)
            metrics = fc.metrics_frame()
            print(metrics.to_string(index=False), file=sys.stderr)
            if args.metrics:
                metrics.to_csv(args.metrics, index=False)
        return 0
    except HutanoError as e:
        print(f"hutano: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
