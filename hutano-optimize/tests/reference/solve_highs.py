"""Solve the reference instances with HiGHS (highspy) and record the optima.

hutano writes each instance's model as MPS (the identical model its own
solver sees), HiGHS solves it to proven optimality (MIP gap 0), and the
objectives go to ``expected_highs.json`` with the highspy version. The Rust
test ``tests/reference.rs`` (``matches_highs_*``) compares hutano's objective
with them; CI does not need highspy. Re-run by hand after changing a model:

    python3 -m venv /tmp/highs-venv && /tmp/highs-venv/bin/pip install highspy
    /tmp/highs-venv/bin/python hutano-optimize/tests/reference/solve_highs.py

(from the workspace root). ``--generate`` also rebuilds the instance JSON
files from the seeded national network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import highspy

HERE = Path(__file__).resolve().parent


def solve(path: Path) -> dict:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("threads", 1)
    status = h.readModel(str(path))
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"cannot read {path}")
    h.run()
    model_status = h.getModelStatus()
    if model_status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"{path.name}: {h.modelStatusToString(model_status)}")
    info = h.getInfo()
    return {
        "objective": info.objective_function_value,
        "mip_gap": info.mip_gap if info.mip_node_count >= 0 else 0.0,
        "columns": h.getNumCol(),
        "rows": h.getNumRow(),
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "cargo", "run", "--quiet", "--release", "-p", "hutano-optimize",
            "--example", "reference_mps", "--", str(HERE), tmp,
        ]
        if "--generate" in sys.argv:
            cmd.append("--generate")
        subprocess.run(cmd, check=True)
        results = {p.stem: solve(p) for p in sorted(Path(tmp).glob("*.mps"))}
    out = {
        "solver": "HiGHS via highspy",
        "highspy_version": metadata.version("highspy"),
        "options": {"mip_rel_gap": 0.0, "mip_abs_gap": 0.0, "threads": 1},
        "instances": results,
    }
    (HERE / "expected_highs.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    for name, r in results.items():
        print(f"{name}: objective {r['objective']!r} ({r['columns']} columns, {r['rows']} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
