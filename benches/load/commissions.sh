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

run=$(date +%s%N)
password="load test password $run"
post() { curl -sf -X POST "$api$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
token_of() { post /sessions "{\"email\": \"$1\", \"password\": \"$password\"}" | jq -r .token; }
echo "$password" | $bespoke admin create-account --role commissioner --email "officer-$run@council.example" \
  --name "Load officer" --council E08000003 > /dev/null
holder=$(post /accounts "{\"email\": \"holder-$run@example.org\", \"password\": \"$password\", \"name\": \"Load holder\", \"role\": \"budget_holder\", \"council\": \"E08000003\"}" | jq -r .id)
post /accounts "{\"email\": \"pa-$run@example.org\", \"password\": \"$password\", \"name\": \"Load PA\", \"role\": \"personal_assistant\"}" > /dev/null
officer_token=$(token_of "officer-$run@council.example")
holder_token=$(token_of "holder-$run@example.org")
seller_token=$(token_of "pa-$run@example.org")
listing=$(post /listings '{"title": "Load personal assistant", "description": "For the load test.", "category": "personal_assistant", "price": {"amount": "15.00", "unit": "hour"}, "postcode": "M14 5AB", "areas": ["M14"], "availability": ["weekday_day"]}' "$seller_token" | jq -r .id)
today=$(date -u +%F)
# £5,000,000 (the largest plan budget) at £15 a commission: room for 333,333.
plan=$(post /plans "{\"holder_id\": $holder, \"period_start\": \"$today\", \"period_end\": \"$(date -u -d '+364 days' +%F)\", \"budget\": \"5000000.00\", \"portions\": [{\"mode\": \"direct_payment\", \"amount\": \"5000000.00\"}]}" "$officer_token" | jq -r .id)
curl -sf -X PATCH "$api/plans/$plan" -H 'Content-Type: application/json' -H "Authorization: Bearer $holder_token" \
  -d '{"outcomes": [{"title": "Load testing", "domain": "daily_living"}]}' > /dev/null
post "/plans/$plan/submit" '{}' "$holder_token" > /dev/null
post "/plans/$plan/approve" '{}' "$officer_token" > /dev/null

export TOKEN="$holder_token" PLAN="$plan" LISTING="$listing"
export START_DATE=$(date -u -d '+7 days' +%F) END_DATE=$(date -u -d '+13 days' +%F)
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-30s}" --latency -s benches/load/commissions.lua "http://127.0.0.1:$port" | tee "$data/wrk.txt"
echo "server memory (RSS): $(ps -o rss= -p "$server") KiB"

# Requests wrk gave up on may still be finishing; let them land before counting.
sleep 5
committed=$(curl -sf "$api/plans/$plan" -H "Authorization: Bearer $holder_token" | jq -r .committed)
count=$(curl -sf "$api/commissions?per_page=1" -H "Authorization: Bearer $holder_token" | jq -r .total)
echo "commissions acknowledged by the server: $count; committed: £$committed (expected £$((count * 15)).00)"
[ "$committed" = "$((count * 15)).00" ] || { echo "MISMATCH between commissions and the committed total" >&2; exit 1; }
kill "$server"; wait "$server" 2>/dev/null || true
$bespoke ledger verify
