#!/usr/bin/env bash
# A market's mix of work at 32 connections for 60 s with wrk: searches,
# listing pages and commissions (6 : 3 : 1), over 50,000 generated listings
# on the embedded engine. Samples the server's memory every 5 s while it
# runs, then checks the money: the committed total must be exactly £15 × the
# commissions the server stored, and `bespoke ledger verify` must pass.
# SQLite by default; PostgreSQL with DATABASE_URL=postgres://… (an empty
# database this script may fill). Needs wrk, jq and curl. Run from the
# repository root:
#     bash benches/load/mixed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in wrk jq curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
cargo build --release --quiet
data=$(mktemp -d)
port=${PORT:-18094}
export BESPOKE_DATA_DIR="$data" BESPOKE_DEMO=0 BESPOKE_BIND="127.0.0.1:$port" RUST_LOG=warn
bespoke=./target/release/bespoke
api="http://127.0.0.1:$port/api/v1"
trap 'kill "$server" "$sampler" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
$bespoke generate --listings "${LISTINGS:-50000}" --holders 0 --searches 0 --seed 1 > /dev/null
$bespoke serve > "$data/server.log" 2>&1 &
server=$!
sampler=0
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 1; done

source benches/load/plan_setup.sh
set_up_plan
# Listings people would open: the first hundred a broad search finds.
listing_ids=$(curl -sf "$api/search?q=care&per_page=100" | jq -r '[.items[].id] | join(",")')

(while sleep 5; do echo "$(date +%s) $(ps -o rss= -p "$server")"; done) > "$data/rss.txt" &
sampler=$!
export TOKEN="$holder_token" PLAN="$plan" LISTING="$listing" LISTING_IDS="$listing_ids"
export START_DATE=$(date -u -d '+7 days' +%F) END_DATE=$(date -u -d '+13 days' +%F)
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-60s}" --latency -s benches/load/mixed.lua "http://127.0.0.1:$port"
kill "$sampler" 2>/dev/null || true
echo "server memory (RSS, KiB) every 5 s: $(awk '{print $2}' "$data/rss.txt" | tr '\n' ' ')"

check_money
kill "$server"; wait "$server" 2>/dev/null || true
$bespoke ledger verify
