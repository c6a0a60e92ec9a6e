#!/usr/bin/env bash
# The C side of hutano-ffi: build the library, compile the C tests and the
# example with -std=c11 -Wall -Wextra -Wpedantic -Werror against the
# committed header, run them under valgrind (zero errors, zero leaks of any
# kind) against the shared and the static library, then once more with
# AddressSanitizer and UBSan.
#
#   scripts/test-ffi.sh              (debug build; dependencies are optimised)
#   HUTANO_FFI_PROFILE=release scripts/test-ffi.sh
#
# Needs gcc, valgrind and pkg-config (Debian: apt-get install gcc valgrind pkg-config).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HUTANO_TARGET_DIR:-/tmp/hutano-target}}"
PROFILE="${HUTANO_FFI_PROFILE:-debug}"
step() { printf '\n== ffi: %s (%ss)\n' "$1" "$SECONDS"; }

for tool in gcc valgrind pkg-config; do
  command -v "$tool" >/dev/null || { echo "scripts/test-ffi.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done

PROFILE_FLAG=()
[ "$PROFILE" = release ] && PROFILE_FLAG=(--release)
LIB="$CARGO_TARGET_DIR/$PROFILE"
OUT="$CARGO_TARGET_DIR/ffi-c"
mkdir -p "$OUT/pkgconfig"

step "build libhutano_ffi ($PROFILE)"
cargo build -p hutano-ffi "${PROFILE_FLAG[@]}" --locked

step "hutano.pc from hutano.pc.in"
VERSION=$(sed -n 's/^#define HUTANO_VERSION "\(.*\)"$/\1/p' hutano-ffi/include/hutano.h)
sed -e "s|@PREFIX@|$ROOT/hutano-ffi|" -e "s|@LIBDIR@|$LIB|" -e "s|@INCLUDEDIR@|$ROOT/hutano-ffi/include|" \
  -e "s|@VERSION@|$VERSION|" hutano-ffi/hutano.pc.in > "$OUT/pkgconfig/hutano.pc"
export PKG_CONFIG_PATH="$OUT/pkgconfig"
test "$(pkg-config --modversion hutano)" = "$VERSION"

CFLAGS=(-std=c11 -Wall -Wextra -Wpedantic -Werror -pthread -g -O1 $(pkg-config --cflags hutano) -Ihutano-ffi/tests/c)
TEST_ARGS=(hutano-ffi/tests/data hutano-ffi/tests/c/expected.txt hutano-core/tests/fixtures/encounters.xlsx)
# rayon's global pool lives until exit: see the suppressions file for what
# is suppressed (only that pool's allocations, never "definitely lost"), and why.
VALGRIND=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all --show-leak-kinds=all
  --num-callers=50 --suppressions=hutano-ffi/tests/c/valgrind.supp --quiet)
STATIC_LIBS=$(pkg-config --static --libs-only-l hutano | sed 's/-lhutano_ffi//')

step "compile the C tests and the example"
gcc "${CFLAGS[@]}" hutano-ffi/tests/c/test_hutano.c -o "$OUT/test_hutano_shared" $(pkg-config --libs hutano) -lm
gcc "${CFLAGS[@]}" hutano-ffi/tests/c/test_hutano.c -o "$OUT/test_hutano_static" "$LIB/libhutano_ffi.a" $STATIC_LIBS
gcc "${CFLAGS[@]}" hutano-ffi/examples/c/forecast_example.c -o "$OUT/forecast_example" $(pkg-config --libs hutano)

step "C tests under valgrind (shared library)"
LD_LIBRARY_PATH="$LIB" "${VALGRIND[@]}" "$OUT/test_hutano_shared" "${TEST_ARGS[@]}"
step "C tests under valgrind (static library)"
"${VALGRIND[@]}" "$OUT/test_hutano_static" "${TEST_ARGS[@]}"
step "example under valgrind"
LD_LIBRARY_PATH="$LIB" "${VALGRIND[@]}" "$OUT/forecast_example" \
  hutano-ffi/tests/data/encounters.csv hutano-ffi/tests/data/site.json > "$OUT/example.out"
grep -q "beds for 5 % blocking" "$OUT/example.out"

step "C tests with AddressSanitizer and UBSan (static library)"
gcc "${CFLAGS[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer hutano-ffi/tests/c/test_hutano.c \
  -o "$OUT/test_hutano_asan" "$LIB/libhutano_ffi.a" $STATIC_LIBS
grep -q __asan_init <(nm "$OUT/test_hutano_asan")
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 "$OUT/test_hutano_asan" "${TEST_ARGS[@]}"
step "ffi done"
