-- Loads k00000..k(N-1) in key order (run with -t1), stopping once every key was acknowledged
-- (wrk spends one request() on its script check, hence the wrap-around and the margin).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "cairn_common.lua")
local nexti, acked = 0, 0
local hdrs = { ["Content-Type"] = "application/json" }
function request()
  local k = pb_key(nexti % PB_NKEYS)
  nexti = nexti + 1
  return wrk.format("PUT", cairn_path(k), hdrs, pb_value(k))
end
function response(status, headers, body)
  if status == 200 or status == 201 then acked = acked + 1 end
  if acked >= PB_NKEYS + 64 then wrk.thread:stop() end
end
