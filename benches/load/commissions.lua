-- wrk script: commission one hour of support for one week, again and again,
-- against one plan portion. Every request passes the budget check and
-- commits money through the ledger. TOKEN, PLAN and LISTING come from the
-- environment (set by commissions.sh); with PLANS_LIST ("plan:token:listing"
-- separated by commas) the requests go round those plans instead.
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

local plans = {}
for entry in string.gmatch(os.getenv("PLANS_LIST") or "", "[^,]+") do
  local p, t, l = string.match(entry, "([^:]+):([^:]+):([^:]+)")
  table.insert(plans, {p, t, l})
end
local next_plan = 0

function request()
  if #plans == 0 then
    return wrk.format()
  end
  next_plan = next_plan % #plans + 1
  local p = plans[next_plan]
  local body = '{"listing_id": ' .. p[3] .. ', "portion": "direct_payment", "quantity": "1", "per": "week", "start_date": "'
    .. start_date .. '", "end_date": "' .. end_date .. '"}'
  return wrk.format("POST", "/api/v1/plans/" .. p[1] .. "/commissions",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[2]}, body)
end
