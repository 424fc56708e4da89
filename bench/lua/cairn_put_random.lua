-- PUT /v1/kv/{random key of PB_NKEYS} with the same 100-byte JSON document the peers store.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "cairn_common.lua")
local bodies = {}
local hdrs = { ["Content-Type"] = "application/json" }
function init(args) pb_seed() end
function request()
  local k = pb_random_key()
  local b = bodies[k]
  if not b then b = pb_value(k); bodies[k] = b end
  return wrk.format("PUT", cairn_path(k), hdrs, b)
end
