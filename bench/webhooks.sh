#!/usr/bin/env bash
# Webhook ingest benchmark (prints figures; not a test, never part of `make test`).
#
# Starts the server binary on SQLite, then on PostgreSQL, and drives `POST /webhooks/stripe`
# with `server/examples/webhook_load.rs`, twice per database, each time 10,000 signed events
# plus 30 % duplicated deliveries, shuffled:
#   1. saturation: 32 deliveries in flight, as fast as the server answers (closed loop);
#   2. a steady 1,000 deliveries/s on a fixed schedule (open loop; latency counted from the
#      scheduled time).
# Each prints deliveries/s and the latency of verify + store + answer (p50/p99/max), then the
# time until every event is applied from the inbox. Goal: >= 1,000 events/s, p99 <= 50 ms.
#
# The server runs with "real" Procore and Stripe settings pointing nowhere (the events are of
# kinds the dispatcher accepts without calling Stripe) and a known webhook secret.
#
# Options (environment):
#   BENCH_PROFILE=debug        use a debug build (default: release)
#   BENCH_EVENTS=N             distinct events (default 10000)
#   BENCH_DUPLICATES=F         extra deliveries as a fraction of N (default 0.3)
#   BENCH_CONCURRENCY=C        deliveries in flight in the saturation run (default 32)
#   BENCH_RATE=R               deliveries/s of the steady run (default 1000)
#   BENCH_POSTGRES_URL=URL     an admin URL to create a scratch database on (default
#                              TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test;
#                              skipped when PostgreSQL does not answer)
#   RUST_LOG                   the server's log levels (default info; log in the temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/project-central/target}"
profile="${BENCH_PROFILE:-release}"
events="${BENCH_EVENTS:-10000}"
duplicates="${BENCH_DUPLICATES:-0.3}"
concurrency="${BENCH_CONCURRENCY:-32}"
rate="${BENCH_RATE:-1000}"
pg_admin="${BENCH_POSTGRES_URL:-${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}"

build_flags=()
[ "$profile" = release ] && build_flags=(--release)
echo "==> cargo build ${build_flags[*]} -p server --bin server --example webhook_load ($profile)" >&2
cargo build "${build_flags[@]}" -p server --bin server --example webhook_load
server_bin="$CARGO_TARGET_DIR/$profile/server"
load_bin="$CARGO_TARGET_DIR/$profile/examples/webhook_load"

scratch=$(mktemp -d)
server_pid=""
pg_db=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench LABEL DATABASE_URL: one server, one load run, then the server stops.
bench() {
  local label=$1 database_url=$2 port secret
  port=$(free_port)
  secret="whsec_bench_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "==> $label: server on 127.0.0.1:$port (log: $scratch/$label.log)" >&2
  env DATABASE_URL="$database_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" DATA_DIR="$scratch/data-$label" \
    COOKIE_SECURE=false RUST_LOG="${RUST_LOG:-info}" \
    PROCORE_CLIENT_ID=bench PROCORE_CLIENT_SECRET=bench \
    PROCORE_LOGIN_BASE=http://127.0.0.1:9 PROCORE_API_BASE=http://127.0.0.1:9 \
    TOKEN_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)" \
    STRIPE_SECRET_KEY=sk_test_bench STRIPE_WEBHOOK_SECRET="$secret" STRIPE_API_BASE=http://127.0.0.1:9 \
    "$server_bin" >"$scratch/$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/$label.log" >&2; echo "server exited" >&2; exit 1; }
    sleep 0.2
  done
  local load=("$load_bin" --url "http://127.0.0.1:$port" --secret "$secret" \
    --database-url "$database_url" --events "$events" --duplicates "$duplicates")
  "${load[@]}" --concurrency "$concurrency" --label "$label, $profile, saturation"
  "${load[@]}" --rate "$rate" --label "$label, $profile, steady"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

nproc_now=$(nproc)
echo "==> $events events + ${duplicates} duplicated; $concurrency in flight, then $rate/s; $profile build; $nproc_now CPUs shared with the load generator (load average now: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
bench sqlite "sqlite://$scratch/bench.db?mode=rwc"

if command -v psql >/dev/null && psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  pg_db="pc_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
  pg_url=$(python3 -c 'import sys, urllib.parse as p; u = p.urlsplit(sys.argv[1]); print(p.urlunsplit(u._replace(path="/" + sys.argv[2])))' "$pg_admin" "$pg_db")
  bench postgres "$pg_url"
else
  echo "==> PostgreSQL not reachable at ${pg_admin%%@*}@…: skipped" >&2
fi
