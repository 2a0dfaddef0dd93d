#!/usr/bin/env bash
# `make screenshots`: the Marketplace listing kit's images, regenerated on purpose. Builds the
# site, then runs only end2end/tests/listing.spec.ts on a fresh server and sandbox with
# SCREENSHOTS=write, which renders docs/marketplace/logo-*.png from their SVG (200×200) and
# takes docs/marketplace/screenshots/*.png (1280×800) from real pages. Review them, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
bash scripts/install-tools.sh
bash scripts/build.sh
cd end2end
SCREENSHOTS=write npx playwright test tests/listing.spec.ts --project listing --no-deps
