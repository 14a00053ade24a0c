#!/usr/bin/env bash
# Commissions per second through POST /api/v1/plans/{id}/commissions, with
# the budget check and the ledger commitment, at 32 connections for 30 s
# with wrk. All requests hit one portion, the worst case for contention.
# Afterwards the ledger is verified and the committed total is checked
# against the number of commissions the server acknowledged.
# SQLite by default; PostgreSQL with DATABASE_URL=postgres://… (a database
# this script may fill). PLANS=N spreads the requests over N people's plans
# (one portion each) instead of one. Needs wrk and jq. Run from the
# repository root:
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
plans_list=""
for _ in $(seq 1 "${PLANS:-1}"); do
  set_up_plan
  plans_list="${plans_list:+$plans_list,}$plan:$holder_token:$listing"
done
[ "${PLANS:-1}" -gt 1 ] && export PLANS_LIST="$plans_list"

export TOKEN="$holder_token" PLAN="$plan" LISTING="$listing"
export START_DATE=$(date -u -d '+7 days' +%F) END_DATE=$(date -u -d '+13 days' +%F)
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-30s}" --latency -s benches/load/commissions.lua "http://127.0.0.1:$port" | tee "$data/wrk.txt"
echo "server memory (RSS): $(ps -o rss= -p "$server") KiB"

for entry in ${plans_list//,/ }; do
  IFS=: read -r plan holder_token _ <<< "$entry"
  check_money
done
kill "$server"; wait "$server" 2>/dev/null || true
$bespoke ledger verify
