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
plan=$(post /plans "{\"holder_id\": $holder, \"period_start\": \"$today\", \"period_end\": \"$(date -u -d '+364 days' +%F)\", \"budget\": \"5000000.00\", \"portions\": [{\"mode\": \"direct_payment\", \"amount\": \"5000000.00\"}]}" "$officer_token" | jq -r .id)
curl -sf -X PATCH "$api/plans/$plan" -H 'Content-Type: application/json' -H "Authorization: Bearer $holder_token" \
  -d '{"outcomes": [{"title": "Load testing", "domain": "daily_living"}]}' > /dev/null
post "/plans/$plan/submit" '{}' "$holder_token" > /dev/null
post "/plans/$plan/approve" '{}' "$officer_token" > /dev/null
# Listings people would open: the first hundred a broad search finds.
listing_ids=$(curl -sf "$api/search?q=care&per_page=100" | jq -r '[.items[].id] | join(",")')

(while sleep 5; do echo "$(date +%s) $(ps -o rss= -p "$server")"; done) > "$data/rss.txt" &
sampler=$!
export TOKEN="$holder_token" PLAN="$plan" LISTING="$listing" LISTING_IDS="$listing_ids"
export START_DATE=$(date -u -d '+7 days' +%F) END_DATE=$(date -u -d '+13 days' +%F)
wrk -t"${WRK_THREADS:-2}" -c32 -d"${DURATION:-60s}" --latency -s benches/load/mixed.lua "http://127.0.0.1:$port"
kill "$sampler" 2>/dev/null || true
echo "server memory (RSS, KiB) every 5 s: $(awk '{print $2}' "$data/rss.txt" | tr '\n' ' ')"

# Requests wrk gave up on may still be finishing; let them land before counting.
sleep 5
committed=$(curl -sf "$api/plans/$plan" -H "Authorization: Bearer $holder_token" | jq -r .committed)
count=$(curl -sf "$api/commissions?per_page=1" -H "Authorization: Bearer $holder_token" | jq -r .total)
echo "commissions stored: $count; committed: £$committed (expected £$((count * 15)).00)"
[ "$committed" = "$((count * 15)).00" ] || { echo "MISMATCH between commissions and the committed total" >&2; exit 1; }
kill "$server"; wait "$server" 2>/dev/null || true
$bespoke ledger verify
