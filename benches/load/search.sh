#!/usr/bin/env bash
# Throughput of GET /api/v1/search over HTTP: 32 connections for 30 seconds
# with wrk, over 50,000 generated listings on the embedded engine (SQLite).
# Needs wrk (apt-get install wrk). Run from the repository root:
#     bash benches/load/search.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
data=$(mktemp -d)
port=${PORT:-18090}
export BESPOKE_DATA_DIR="$data" BESPOKE_DEMO=0 BESPOKE_BIND="127.0.0.1:$port" RUST_LOG=warn
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
./target/release/bespoke generate --listings "${LISTINGS:-50000}" --holders 0 --searches 0 --seed 1
./target/release/bespoke serve > /dev/null 2>&1 &
server=$!
# Ready once the 50,000 listings are indexed.
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 1; done
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-30s}" --latency -s benches/load/search.lua "http://127.0.0.1:$port"
echo "server memory (RSS): $(ps -o rss= -p "$server") KiB"
