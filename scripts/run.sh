#!/usr/bin/env bash
# `make run`: installs what is missing, builds, and serves Project Central at
# http://127.0.0.1:3000 — SQLite under data/ and, without Procore settings, the built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
bash scripts/install-tools.sh
if [ -f .env ]; then set -a; . ./.env; set +a; fi
# Both client bundles (scripts/build.sh), then serve: `cargo leptos serve` rebuilds only the
# main bundle and the server, which are up to date by then.
bash scripts/build.sh
exec cargo leptos serve
