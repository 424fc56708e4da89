-- GET /v1/kv/{random key of PB_NKEYS}: one document read at the default (linearizable) level.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "cairn_common.lua")
local suffix = os.getenv("CAIRN_QUERY") or ""
function init(args) pb_seed() end
function request() return wrk.format("GET", cairn_path(pb_random_key()) .. suffix) end
