#!/usr/bin/env bash
# Single-node Cairn against the bare Kestrel ceiling (../shared/bench/peers/30_kestrel.sh's server),
# side by side in one run with the same wrk command: GET and PUT of 100-byte JSON values over
# 10,000 keys, 64 connections (DESIGN §11). Prints a markdown table with the Cairn/Kestrel ratios.
#   bench/single-node-http.sh            (REPEATS=2 WRK_DURATION=15s WRK_CONNS=64 by default)
# Loopback only, bounded runs, every process stopped by its PID (the peers' common.sh does that).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" && pwd)}
export PB=${PB:-/tmp/cairnbench}
export RES=${RES:-$PB/results-$(date +%Y%m%d-%H%M%S)}
export WRK_CONNS=${WRK_CONNS:-64}
source "$PEERS/common.sh"
export PB_PEERS_LUA=$PEERS/lua
command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

CAIRN_PORT=${CAIRN_PORT:-7071}
KESTREL_PORT=${KESTREL_PORT:-5080}

log "building cairn (Release)"
dotnet publish "$ROOT/src/Cairn" -c Release -o "$RES/cairn" -nologo -v q >/dev/null
log "building the Kestrel peer"
K=$PB/kestrel
[[ -f $K/kestrel.csproj ]] || (cd "$PB" && dotnet new web -n kestrel -o kestrel >/dev/null)
cp "$PEERS/kestrel/Program.cs" "$K/Program.cs"
(cd "$K" && dotnet build -c Release -o "$K/out" -nologo -v q >/dev/null)

export DOTNET_NOLOGO=1
start_bg cairn "$PB/cairn.log" "$RES/cairn/cairn" serve --http "127.0.0.1:$CAIRN_PORT" --in-memory --Logging:LogLevel:Default=Warning
CPID=$LAST_PID
wait_port "$CAIRN_PORT" 60; assert_loopback_only "$CAIRN_PORT"
start_bg kestrel "$PB/kestrel.log" env ASPNETCORE_URLS="http://127.0.0.1:$KESTREL_PORT" dotnet "$K/out/kestrel.dll"
KPID=$LAST_PID
wait_port "$KESTREL_PORT" 60; assert_loopback_only "$KESTREL_PORT"

CU="http://127.0.0.1:$CAIRN_PORT"; KU="http://127.0.0.1:$KESTREL_PORT"
log "preloading 10,000 documents into cairn"
wrk -t1 -c16 -d5s -s "$HERE/lua/cairn_preload.lua" "$CU" >/dev/null
count=$(curl -s "$CU/v1/_collections" | sed -n 's/.*"name":"kv","count":\([0-9]*\).*/\1/p')
[[ $count == "${PB_NKEYS:-10000}" ]] || { log "preload incomplete: $count documents"; exit 1; }

for lua in cairn_get_random.lua cairn_put_random.lua; do LUA_DIR=$HERE/lua WARMUP_DURATION=5s warm_wrk "$lua" "$CU"; done
for lua in kv_get_random.lua kv_put_random.lua; do WARMUP_DURATION=5s warm_wrk "$lua" "$KU"; done

for run in $(seq 1 "$REPEATS"); do
  LUA_DIR=$HERE/lua run_wrk cairn get_random "$CPID" "$run" "GET /v1/kv/{random 10k}, linearizable" cairn_get_random.lua "$CU"
  run_wrk kestrel get_random "$KPID" "$run" "GET /kv/{random 10k}" kv_get_random.lua "$KU"
  LUA_DIR=$HERE/lua run_wrk cairn put_random "$CPID" "$run" "PUT /v1/kv/{random 10k}, 100B JSON" cairn_put_random.lua "$CU"
  run_wrk kestrel put_random "$KPID" "$run" "PUT /kv/{random 10k}, 100B body" kv_put_random.lua "$KU"
done
log "cairn RSS: $(awk '/VmRSS/{print $2 " kB"}' /proc/$CPID/status)"

"$HERE/ratio.sh" "$RESULTS_TSV" cairn kestrel | tee "$RES/summary.md"
