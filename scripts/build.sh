#!/usr/bin/env bash
# Builds the site: the server and the client bundles: main, wizard, project and sync
# (app/src/bundle.rs; README: client payload). Arguments go to every `cargo leptos build`,
# e.g. `--release --precompress`. LEPTOS_SITE_ROOT picks the site folder (default target/site).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
site="${LEPTOS_SITE_ROOT:-target/site}"
name=project-central

# The main bundle and the server.
cargo leptos build "$@"

# The other bundles: the same crate with feature bundle-$bundle, each built into a folder of
# its own, then put beside the main bundle as $name-$bundle.{js,wasm} (+ .br/.gz with
# --precompress).
for bundle in wizard project sync; do
  own="$site-$bundle"
  rm -rf "$own/pkg"
  LEPTOS_SITE_ROOT="$own" cargo leptos build --frontend-only --lib-features "bundle-$bundle" "$@"
  rm -f "$site/pkg/$name-$bundle".*
  for f in "$own/pkg/$name".js* "$own/pkg/$name".wasm*; do
    cp "$f" "$site/pkg/$name-$bundle.${f#"$own/pkg/$name."}"
  done
  ls "$site/pkg/$name-$bundle.js" "$site/pkg/$name-$bundle.wasm" >/dev/null
done
