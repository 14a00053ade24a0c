# Shared by commissions.sh and mixed.sh (sourced, not run). With $bespoke and
# $api set and the server answering, set_up_plan makes a commissioner, a
# holder, a personal assistant's £15-an-hour listing and an approved plan
# with £5,000,000 in one direct-payment portion, and leaves holder_token,
# plan and listing set. check_money then checks that the plan's committed
# total is exactly £15 × the commissions the server stored.

set_up_plan() {
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
}

check_money() {
  # Requests wrk gave up on may still be finishing; let them land before counting.
  sleep 5
  committed=$(curl -sf "$api/plans/$plan" -H "Authorization: Bearer $holder_token" | jq -r .committed)
  count=$(curl -sf "$api/commissions?per_page=1" -H "Authorization: Bearer $holder_token" | jq -r .total)
  echo "commissions acknowledged by the server: $count; committed: £$committed (expected £$((count * 15)).00)"
  [ "$committed" = "$((count * 15)).00" ] || { echo "MISMATCH between commissions and the committed total" >&2; exit 1; }
}
