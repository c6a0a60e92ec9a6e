"""Solve hutano-optimize's national planning models with HiGHS (highspy).

Runs hutano's ``plan_bench`` for each model (bed plan, the mission hospitals'
roster, and the full national roster as MPS only), then solves the very same
MPS files with highspy in a child process each, timing the solve and reading
the child's peak RSS (``ru_maxrss``). Prints one JSON document with both
sides and the ratios.

    cargo build --release -p hutano-benches --bin plan_bench
    python3 -m venv /tmp/highs-venv && /tmp/highs-venv/bin/pip install highspy
    RAYON_NUM_THREADS=2 /tmp/highs-venv/bin/python benches/python/plan_highs.py /tmp/plan

Objectives are compared: the script exits non-zero when HiGHS and hutano
disagree by more than 1e-6 relative on a model both proved optimal.

``PLAN_NODES=200`` adds a run of the national roster with hutano's budgeted
branch and bound (``plan_bench staff OUT --nodes 200``), compared with the
HiGHS optimum of the same MPS (solved once per script run): the script
reports how far hutano's roster is above the optimum and exits non-zero if
hutano's proven lower bound exceeds HiGHS's optimum by more than 1e-6
relative (a wrong bound).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

BIN = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "release" / "plan_bench"

RUNS = [
    ("beds", []),
    ("staff", ["--mission-only"]),
    ("staff", ["--skip-solve"]),
]
if os.environ.get("PLAN_NODES"):
    RUNS.append(("staff", ["--nodes", os.environ["PLAN_NODES"]]))


def highs_child(mps: str, threads: int) -> None:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", threads)
    h.readModel(mps)
    t = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t
    info = h.getInfo()
    out = {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "solve_seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    print(json.dumps(out))


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        highs_child(sys.argv[2], int(sys.argv[3]))
        return 0
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/plan"
    threads = int(os.environ.get("RAYON_NUM_THREADS", "2"))
    results = []
    ok = True
    solved: dict[str, dict] = {}
    for model, extra in RUNS:
        line = subprocess.run(
            [str(BIN), model, out_dir, *extra], check=True, capture_output=True, text=True
        ).stdout.strip().splitlines()[-1]
        ours = json.loads(line)
        if ours["mps"] not in solved:
            child = subprocess.run(
                [sys.executable, __file__, "--child", ours["mps"], str(threads)],
                check=True, capture_output=True, text=True,
            )
            solved[ours["mps"]] = json.loads(child.stdout.strip().splitlines()[-1])
        theirs = solved[ours["mps"]]
        row = {"hutano": ours, "highs": theirs}
        if "budget" in ours:
            # Budgeted: a feasible roster above the optimum and a lower bound below it.
            best = theirs["objective"]
            row["objective_above_highs_optimum"] = (ours["objective"] - best) / abs(best)
            row["lower_bound_below_highs_optimum"] = (best - ours["budget"]["lower_bound"]) / abs(best)
            row["time_ratio_hutano_over_highs"] = ours["solve_seconds"] / theirs["solve_seconds"]
            ok &= ours["budget"]["lower_bound"] <= best + 1e-6 * abs(best)
            ok &= ours["objective"] >= best - 1e-6 * abs(best)
        elif ours.get("solve_seconds") is not None:
            rel = abs(ours["objective"] - theirs["objective"]) / max(1.0, abs(theirs["objective"]))
            row["objective_rel_diff"] = rel
            row["time_ratio_hutano_over_highs"] = ours["solve_seconds"] / theirs["solve_seconds"]
            row["memory_ratio_hutano_over_highs"] = ours["peak_rss_mib"] / theirs["peak_rss_mib"]
            ok &= rel <= 1e-6
        results.append(row)
        print(json.dumps(row), file=sys.stderr)
    doc = {"highspy_version": metadata.version("highspy"), "threads": threads, "results": results}
    print(json.dumps(doc, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
