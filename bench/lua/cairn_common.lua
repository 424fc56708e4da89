-- Cairn wrk scripts reuse the peers' key and value shapes (k00000.., 100-byte JSON) so the
-- figures compare like for like. PB_PEERS_LUA points at ../shared/bench/peers/lua.
dofile(os.getenv("PB_PEERS_LUA") .. "/pb_common.lua")
CAIRN_COLLECTION = os.getenv("CAIRN_COLLECTION") or "kv"
function cairn_path(key) return "/v1/" .. CAIRN_COLLECTION .. "/" .. key end
