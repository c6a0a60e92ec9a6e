#!/usr/bin/env bash
# Held-out accuracy of hutano's forecasters next to statsforecast, Prophet,
# LightGBM, XGBoost and scikit-learn, on the same rolling-origin splits, with
# the same metrics, in the same run (../shared/bench-peers/run_peers.py).
#   bash benches/run_forecast_bench.sh [WORKDIR]
# Installs the peers' pinned versions into WORKDIR/venv (PyPI, ~1 min).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="${1:-/tmp/hutano-forecast-bench}"
peers="$root/../shared/bench-peers"
mkdir -p "$work"
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q -r "$peers/requirements-peers.txt"
cargo build --release -p hutano-benches --bin forecast_cli --bin network_series
export HUTANO_FORECAST_CLI="${CARGO_TARGET_DIR:-$root/target}/release/forecast_cli"
export PYTHONPATH="$root/benches/python"
cd "$work"
cp "$peers"/*.py .
py="$work/venv/bin/python"
"$py" prep_real.py --root "$root/../shared/data" --outdir data
"$py" make_series.py --out data/synth200.csv --meta data/synth200_meta.csv
"${CARGO_TARGET_DIR:-$root/target}/release/network_series" national 1095 7 > data/network_daily.csv
extras=()
for m in ${HUTANO_MODELS:-snaive mstl forest boosted global_boosted global_forest prophet ensemble}; do extras+=(--extra "hutano_$m=hutano_extra:$m"); done
for h in 7 14 30; do
  "$py" run_peers.py data/hdhi_daily.csv --h "$h" --subset AutoARIMA=3 "${extras[@]}" \
    --out "results/hdhi_h$h.csv" --label "hdhi_h$h"
  "$py" run_peers.py data/synth200.csv --h "$h" --n-series "${N_SERIES:-40}" --subset AutoARIMA=8 --subset Prophet=20 \
    --subset RandomForest=20 "${extras[@]}" --out "results/synth_h$h.csv" --label "synth_h$h"
  "$py" run_peers.py data/network_daily.csv --h "$h" --subset AutoARIMA=3 "${extras[@]}" \
    --out "results/network_h$h.csv" --label "network_h$h"
done
