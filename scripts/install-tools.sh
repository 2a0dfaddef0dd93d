#!/usr/bin/env bash
# Installs what building and testing Project Central needs, skipping what is already there.
# Everything comes from Debian's packages, crates.io or the npm registry: nothing else is
# downloaded (cargo-leptos is built with `no_downloads`).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing_apt=()
command -v chromium >/dev/null 2>&1 || missing_apt+=(chromium)
command -v brotli >/dev/null 2>&1 || missing_apt+=(brotli)
command -v npm >/dev/null 2>&1 || missing_apt+=(nodejs npm)
if [ ${#missing_apt[@]} -gt 0 ]; then
  log "apt: installing ${missing_apt[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_apt[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# cargo install keeps its own build dir: never mix it into the project's target dir.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "cargo-leptos $CARGO_LEPTOS_VERSION (about 25 CPU-minutes, once)"
  env -u CARGO_TARGET_DIR cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal the crate in Cargo.lock)"
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Playwright (its browser download is never used: tests drive /usr/bin/chromium) and
# binaryen's wasm-opt for release builds (Debian's binaryen 108 breaks hydration).
if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/wasm-opt ]; then
  log "npm: end2end packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# Procore's official JavaScript SDK, to prove the Procore sandbox speaks Procore's protocol.
if [ ! -d sandbox/tests/procore-js/node_modules/@procore/js-sdk ]; then
  log "npm: @procore/js-sdk (sandbox fidelity test)"
  (cd sandbox/tests/procore-js && npm ci --no-audit --no-fund)
fi
# The official Stripe library, to prove the Stripe sandbox speaks Stripe's protocol.
STRIPE_PY_VERSION=16.1.0
if ! python3 -c "import stripe, sys; sys.exit(stripe.VERSION != '$STRIPE_PY_VERSION')" 2>/dev/null; then
  log "pip: stripe==$STRIPE_PY_VERSION"
  python3 -m pip install --quiet "stripe==$STRIPE_PY_VERSION"
fi
log "tools ready"
