-- wrk script: a market's mix of work. Of every ten requests, six are searches
-- (text, filters, distance, typos), three are listing pages read over the
-- API, and one commissions an hour of support against one plan portion,
-- through the budget check and the ledger. TOKEN, PLAN, LISTING,
-- LISTING_IDS, START_DATE and END_DATE come from mixed.sh.
local token = os.getenv("TOKEN")
local plan = os.getenv("PLAN")
local listing = os.getenv("LISTING")
local ids = {}
for id in string.gmatch(os.getenv("LISTING_IDS"), "%d+") do
  table.insert(ids, id)
end
local searches = dofile("benches/load/searches.lua")
local commission_headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}
local commission_body = '{"listing_id": ' .. listing .. ', "portion": "direct_payment", "quantity": "1", "per": "week", "start_date": "'
  .. os.getenv("START_DATE") .. '", "end_date": "' .. os.getenv("END_DATE") .. '"}'
local n = 0
request = function()
  n = n + 1
  local kind = n % 10
  if kind < 6 then
    return wrk.format("GET", searches[(n % #searches) + 1])
  elseif kind < 9 then
    return wrk.format("GET", "/api/v1/listings/" .. ids[(n % #ids) + 1])
  end
  return wrk.format("POST", "/api/v1/plans/" .. plan .. "/commissions", commission_headers, commission_body)
end
