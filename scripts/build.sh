#!/usr/bin/env bash
# Builds the site: the server, the main client bundle and the licensing wizard's bundle
# (app/src/bundle.rs; README: client payload). Arguments go to both `cargo leptos build`s,
# e.g. `--release --precompress`. LEPTOS_SITE_ROOT picks the site folder (default target/site).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
site="${LEPTOS_SITE_ROOT:-target/site}"
name=project-central

# Every page but the wizard, and the server.
cargo leptos build "$@"

# The wizard: the same crate with feature bundle-wizard, built into a folder of its own, then
# put beside the main bundle as $name-wizard.{js,wasm} (+ .br/.gz with --precompress).
wizard="$site-wizard"
rm -rf "$wizard/pkg"
LEPTOS_SITE_ROOT="$wizard" cargo leptos build --frontend-only --lib-features bundle-wizard "$@"
rm -f "$site/pkg/$name-wizard".*
for f in "$wizard/pkg/$name".js* "$wizard/pkg/$name".wasm*; do
  cp "$f" "$site/pkg/$name-wizard.${f#"$wizard/pkg/$name."}"
done
ls "$site/pkg/$name-wizard.js" "$site/pkg/$name-wizard.wasm" >/dev/null
