#!/usr/bin/env bash
# Commissions per second through POST /api/v1/plans/{id}/commissions, with
# the budget check and the ledger commitment, at 32 connections for 30 s
# with wrk. All requests hit one portion, the worst case for contention.
# Afterwards the ledger is verified and the committed total is checked
# against the number of commissions the server acknowledged.
# SQLite by default; PostgreSQL with DATABASE_URL=postgres://… (a database
# this script may fill). Needs wrk and jq. Run from the repository root:
#     bash benches/load/commissions.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in wrk jq curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
cargo build --release --quiet
data=$(mktemp -d)
port=${PORT:-18091}
export BESPOKE_DATA_DIR="$data" BESPOKE_DEMO=0 BESPOKE_BIND="127.0.0.1:$port" RUST_LOG=warn
bespoke=./target/release/bespoke
api="http://127.0.0.1:$port/api/v1"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
$bespoke serve > "$data/server.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.5; done

source benches/load/plan_setup.sh
set_up_plan

export TOKEN="$holder_token" PLAN="$plan" LISTING="$listing"
export START_DATE=$(date -u -d '+7 days' +%F) END_DATE=$(date -u -d '+13 days' +%F)
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-30s}" --latency -s benches/load/commissions.lua "http://127.0.0.1:$port" | tee "$data/wrk.txt"
echo "server memory (RSS): $(ps -o rss= -p "$server") KiB"

check_money
kill "$server"; wait "$server" 2>/dev/null || true
$bespoke ledger verify
