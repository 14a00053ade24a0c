-- wrk script: commission one hour of support for one week, again and again,
-- against one plan portion. Every request passes the budget check and
-- commits money through the ledger. TOKEN, PLAN and LISTING come from the
-- environment (set by commissions.sh).
local token = os.getenv("TOKEN")
local plan = os.getenv("PLAN")
local listing = os.getenv("LISTING")
local start_date = os.getenv("START_DATE")
local end_date = os.getenv("END_DATE")
wrk.method = "POST"
wrk.path = "/api/v1/plans/" .. plan .. "/commissions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"listing_id": ' .. listing .. ', "portion": "direct_payment", "quantity": "1", "per": "week", "start_date": "'
  .. start_date .. '", "end_date": "' .. end_date .. '"}'
