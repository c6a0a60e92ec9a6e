#!/usr/bin/env bash
# Render the monthly board report of the generated national network and take
# a screenshot of it with headless Chromium, offline.
#
#   scripts/report_screenshot.sh [OUT_PNG]      (default docs/monthly-report.png)
#
# Needs Chromium: `apt-get install chromium-headless-shell` (Debian) or any
# `chromium`/`google-chrome`; set CHROMIUM to its path to choose one. The
# browser runs with networking disabled (a proxy that does not exist and no
# DNS), so the screenshot proves the page needs nothing from the network.
# CI does not run this script.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out_png="${1:-$root/docs/monthly-report.png}"
out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

browser="${CHROMIUM:-}"
if [ -z "$browser" ]; then
    for b in chromium-headless-shell chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
    done
fi
[ -n "$browser" ] || { echo "no Chromium found (set CHROMIUM)" >&2; exit 1; }

cd "$root"
cargo run --quiet --release -p hutano-examples --bin monthly_report -- "$out_dir" >/dev/null

html="$out_dir/monthly-report.html"
if grep -Eq 'https?://|<script|<link' "$html"; then
    echo "the report references something outside the file" >&2
    exit 1
fi

"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --proxy-server='127.0.0.1:9' --host-resolver-rules='MAP * ~NOTFOUND' \
    --window-size=1280,3000 --screenshot="$out_dir/full.png" "file://$html" 2>/dev/null

mkdir -p "$(dirname "$out_png")"
if command -v pngquant >/dev/null 2>&1; then
    pngquant --force --quality=60-90 --output "$out_png" "$out_dir/full.png"
else
    cp "$out_dir/full.png" "$out_png"
fi
echo "wrote $out_png ($(du -k "$out_png" | cut -f1) kB)"
