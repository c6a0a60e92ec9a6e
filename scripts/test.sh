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
step "core and forecast without default features (no xlsx, no rayon, no augurs)"
cargo clippy -p hutano-core -p hutano-forecast --no-default-features --all-targets --locked -- -D warnings
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
step "done"
