#!/usr/bin/env bash
# The KPI-suite benchmark of BENCHMARKS.md: hutano vs DuckDB vs polars on the
# same generated national network, in the same run, results cross-checked.
#   bash benches/run_kpi_bench.sh [ENCOUNTERS] [DIR]
# Needs: cargo; python3 with `pip install -r benches/python/requirements.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000000}"
dir="${2:-/tmp/hutano-kpi-bench-$n}"
threads="${THREADS:-2}"
export RAYON_NUM_THREADS="$threads"
cargo build --release -p hutano-benches --bin kpi_suite
bin="${CARGO_TARGET_DIR:-target}/release/kpi_suite"
[ -f "$dir/encounters.csv" ] || "$bin" make "$dir" --encounters "$n"
"$bin" run "$dir" --repeat 3 --out "$dir/hutano.json"
python3 benches/python/kpi_peers.py "$dir" --threads "$threads" --out "$dir/peers.json" --check "$dir/hutano_kpis.csv"
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
h = json.load(open(f"{d}/hutano.json"))
p = json.load(open(f"{d}/peers.json"))
print(f"\nencounters {h['encounters']:,}; input in memory (hutano encounters) {h['input_bytes']/2**20:.0f} MiB")
print(f"{'engine':8} {'load s':>8} {'compute s (median)':>19} {'first run s':>12} {'peak RSS MiB':>13}")
rows = [("hutano", h["load_seconds"], h["compute_seconds_median"], h["compute_seconds_all"][0] if False else None, h["peak_rss_bytes"] / 2**20)]
print(f"{'hutano':8} {h['load_seconds']:8.2f} {h['compute_seconds_median']:19.3f} {h['compute_seconds_first']:12.3f} {h['peak_rss_bytes']/2**20:13.0f}")
for name, e in p["engines"].items():
    print(f"{name:8} {e['load_s']:8.2f} {e['compute_s_median']:19.3f} {e['compute_s_runs'][0]:12.3f} {e['peak_rss_kib']/1024:13.0f}")
for name, e in p["engines"].items():
    print(f"compute: {name} / hutano = {e['compute_s_median']/h['compute_seconds_median']:.2f}x; "
          f"peak memory: hutano / {name} = {h['peak_rss_bytes']/1024/e['peak_rss_kib']:.2f}")
print(f"hutano peak RSS / in-memory input = {h['peak_rss_bytes']/h['input_bytes']:.2f}")
print("results agree:", p["check"]["pass"])
PY
