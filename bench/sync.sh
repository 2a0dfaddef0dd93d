#!/usr/bin/env bash
# Issue 9 figures (prints numbers; never part of `make test`): Procore calls of a full sync of
# 10,000 project users ÷ the minimum number of pages, calls of incremental runs with no
# changes (per resource), wall time against the Procore sandbox with 50 ms latency per call
# at Procore's documented rate limits, and peak memory. Release build of the test binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
cargo test --release -p server --test api sync::bench -- --ignored --nocapture 2>&1 | grep -E '^BENCH|test result|panicked'
