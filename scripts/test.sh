#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit/integration/doc tests, benches in test mode.
# Reuses a target directory outside the clone when one exists (HUTANO_TARGET_DIR,
# default /tmp/hutano-target), so repeated CI runs on one machine build incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HUTANO_TARGET_DIR:-/tmp/hutano-target}}"
export CARGO_TERM_COLOR=never
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "rustfmt"
cargo fmt --all -- --check
step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "pure crates and the C library without default features (no xlsx, no rayon, no augurs)"
cargo clippy -p hutano-core -p hutano-forecast -p hutano-optimize -p hutano-ffi --no-default-features --all-targets --locked -- -D warnings
step "forecast with linfa's traits (feature linfa)"
cargo clippy -p hutano-forecast --features linfa --all-targets --locked -- -D warnings
cargo test -p hutano-forecast --features linfa --lib --locked trees::linfa
step "tests"
cargo test --workspace --all-targets --locked
step "doctests"
cargo test --workspace --doc --locked
step "reference script is current"
python3 hutano-core/tests/reference/hdhi_reference.py "${HUTANO_SHARED_DATA:-../shared/data}/hdhi_admissions/HDHI Admission data.csv" > "$CARGO_TARGET_DIR/hdhi_expected.json"
python3 - "$CARGO_TARGET_DIR/hdhi_expected.json" hutano-core/tests/reference/hdhi_expected.json <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("python", None)  # the interpreter's version string may differ
sys.exit(0 if a == b else "reference output differs from the committed hdhi_expected.json")
PY
step "C library: header, C tests under valgrind, example (scripts/test-ffi.sh)"
bash scripts/test-ffi.sh
step "python package: build (maturin develop), pytest, doctests, stubtest"
# A virtual environment outside the clone (reused when its packages are there);
# a fresh machine creates it and installs hutano-py/requirements-test.txt from PyPI.
VENV="${HUTANO_VENV:-/tmp/hutano-venv}"
if ! "$VENV/bin/python" -c "import maturin, pytest, hypothesis, pandas, polars, pyarrow, distributed, mypy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r hutano-py/requirements-test.txt
fi
cargo build -p hutano-benches --bin forecast_cli --locked
export HUTANO_FORECAST_CLI="$CARGO_TARGET_DIR/debug/forecast_cli"
export HUTANO_SHARED_DATA="${HUTANO_SHARED_DATA:-$PWD/../shared/data}"
(cd hutano-py && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" maturin develop --locked -q)
"$VENV/bin/python" -m pytest -q -p no:cacheprovider hutano-py/tests
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --doctest-modules hutano-py/python/hutano
"$VENV/bin/python" -m mypy.stubtest hutano._hutano
"$VENV/bin/python" -m mypy --ignore-missing-imports hutano-py/python/hutano
step "done"
