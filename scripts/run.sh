#!/usr/bin/env bash
# `make run`: installs what is missing, builds, and serves Project Central at
# http://127.0.0.1:3000 — SQLite under data/ and, without Procore settings, the built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
bash scripts/install-tools.sh
if [ -f .env ]; then set -a; . ./.env; set +a; fi
# The server and every client bundle (scripts/build.sh), then the server binary itself:
# `cargo leptos serve` would rebuild the site folder with the main bundle only.
bash scripts/build.sh
export LEPTOS_OUTPUT_NAME=project-central LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" \
  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
exec "$CARGO_TARGET_DIR/debug/server"
