-- wrk script: rotate through realistic searches (benches/load/searches.lua).
local queries = dofile("benches/load/searches.lua")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end
