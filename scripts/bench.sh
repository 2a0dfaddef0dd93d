#!/usr/bin/env bash
# Benchmark figures for issue 3 (prints numbers; not a test, never part of `make test`):
#   1. client payload: wasm + js + css of a RELEASE build, raw and after brotli (-q 11), per
#      file and per page (each page loads one of the bundles of app/src/bundle.rs);
#   2. the licensing wizard in Chromium with 10,000 projects vs 100 (search keystroke and
#      "Select all matching"), run against that same release build (server and WASM).
#
# The release site goes to target/bench-site, so the debug site in target/site that
# `make test` uses is left alone. wasm-opt comes from end2end/node_modules (npm binaryen 132);
# Debian's older binaryen breaks hydration and must not be used.
#
# Options (environment):
#   BENCH_SKIP_BUILD=1    measure what is already built
#   BENCH_PROFILE=debug   run the wizard against `scripts/build.sh` (debug) instead; the
#                         payload is still measured on the release build
#   BENCH_RUNS=N          runs per figure (default 5; median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$root/end2end/node_modules/.bin:$PATH"
profile="${BENCH_PROFILE:-release}"
site=target/bench-site
logs="$root/target/bench-logs"
mkdir -p "$logs"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
started=$(date +%s)

# Tools: checked, not installed (scripts/install-tools.sh does that).
command -v cargo-leptos >/dev/null || die "cargo-leptos missing: run scripts/install-tools.sh"
command -v brotli >/dev/null || die "brotli missing: apt-get install brotli"
[ -x end2end/node_modules/.bin/playwright ] || die "Playwright missing: run scripts/install-tools.sh"
wasm_opt=$(command -v wasm-opt || true)
[ "$wasm_opt" = "$root/end2end/node_modules/.bin/wasm-opt" ] || die "wasm-opt on PATH is '$wasm_opt', not end2end's npm binaryen"
wasm-opt --version | grep -q "version 132" || die "wasm-opt is not binaryen 132: $(wasm-opt --version)"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  step "release build (scripts/build.sh --release --precompress → $site; wasm-opt: $(wasm-opt --version))"
  t=$(date +%s)
  LEPTOS_SITE_ROOT=$site bash scripts/build.sh --release --precompress >"$logs/build-release.log" 2>&1 \
    || { tail -n 40 "$logs/build-release.log" >&2; die "release build failed (log: $logs/build-release.log)"; }
  echo "release build: $(( $(date +%s) - t )) s" >&2
  if [ "$profile" = debug ]; then
    step "debug build (scripts/build.sh)"
    t=$(date +%s)
    bash scripts/build.sh >"$logs/build-debug.log" 2>&1 \
      || { tail -n 40 "$logs/build-debug.log" >&2; die "debug build failed (log: $logs/build-debug.log)"; }
    echo "debug build: $(( $(date +%s) - t )) s" >&2
  fi
fi

pkg="$site/pkg"
[ -f "$pkg/project-central.wasm" ] || die "no release build in $pkg (unset BENCH_SKIP_BUILD)"
[ -x "$CARGO_TARGET_DIR/$profile/server" ] || die "no $profile server binary in $CARGO_TARGET_DIR/$profile"

step "client payload"
# What a browser downloads for a page: its bundle's .wasm and .js (app/src/bundle.rs) and the
# stylesheet. Figures per file, then per page kind.
printf 'BENCH payload (release, %s): bytes raw → brotli -q 11 | as served (.br of --precompress) | per-request level 4\n' "$pkg"
declare -A raw_of br_of served_of q4_of
for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
  [ -f "$f" ] || continue
  b=$(basename "$f")
  raw_of[$b]=$(stat -c %s "$f")
  br_of[$b]=$(brotli -c -q 11 "$f" | wc -c)
  served_of[$b]=$( [ -f "$f.br" ] && stat -c %s "$f.br" || echo 0)
  q4_of[$b]=$(brotli -c -q 4 "$f" | wc -c)
  printf 'BENCH payload %-32s %9d → %8d | %8d | %8d\n' "$b" "${raw_of[$b]}" "${br_of[$b]}" "${served_of[$b]}" "${q4_of[$b]}"
done
page_total() { # label, bundle name
  local raw=0 br=0 served=0 q4=0 b
  for b in "$2.wasm" "$2.js" project-central.css; do
    [ -n "${raw_of[$b]:-}" ] || die "missing $pkg/$b"
    raw=$((raw + raw_of[$b])); br=$((br + br_of[$b]))
    served=$((served + served_of[$b])); q4=$((q4 + q4_of[$b]))
  done
  printf 'BENCH payload %-32s %9d → %8d | %8d | %8d\n' "$1" "$raw" "$br" "$served" "$q4"
}
page_total "page: main (Project Central, embedded…)" project-central
page_total "page: the licensing wizard" project-central-wizard
page_total "page: a project's page" project-central-project
page_total "page: a project's settings, directory" project-central-sync

step "wizard in Chromium: 10,000 vs 100 projects (server: $profile build)"
export BENCH_PROFILE="$profile"
BENCH_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pc-bench-XXXXXX")
export BENCH_DATA_DIR
trap 'rm -rf "$BENCH_DATA_DIR"' EXIT
[ "$profile" = release ] && export BENCH_SITE_ROOT=$site
status=0
(cd end2end && timeout 900 npx playwright test -c bench/playwright.bench.config.ts) >"$logs/wizard.log" 2>&1 || status=$?
grep '^BENCH ' "$logs/wizard.log" || true
if [ "$status" != 0 ]; then
  tail -n 60 "$logs/wizard.log" >&2
  die "wizard benchmark failed (exit $status; log: $logs/wizard.log)"
fi

# Server-side view of the same requests (tower-http latency, in request order: the 100-project
# company first, then 10k; the first of each group is the warm-up).
strip() { sed -e 's/\x1b\[[0-9;]*m//g' "$logs/wizard.log"; }
for fn in select_all_matching wizard_projects; do
  lat=$(strip | grep -E "(uri|path)=/api/$fn" | grep -o 'latency=[0-9.]* [a-zµ]*' | sed 's/latency=//; s/ //' | paste -sd' ' - || true)
  [ -n "$lat" ] && echo "BENCH server $fn latencies (in order): $lat"
done
strip | grep -o 'project catalog refreshed.*' | sed 's/^/BENCH server /' || true

echo "BENCH done in $(( $(date +%s) - started )) s (logs: $logs)"
