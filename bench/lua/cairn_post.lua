-- POST /v1/{collection}: a new document with a server-generated id each time (the original
-- study's "POST" request), with the peers' 100-byte JSON value.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "cairn_common.lua")
local hdrs = { ["Content-Type"] = "application/json" }
local body = pb_value("k00000")
function request() return wrk.format("POST", "/v1/" .. CAIRN_COLLECTION, hdrs, body) end
