#!/usr/bin/env bash
# One command, one run, one machine: single-node Cairn and the peers of ../shared/bench/peers
# (bare Kestrel, nginx, Redis, etcd 1-node and 3-node) under the same load (wrk -t2 -c$WRK_CONNS,
# 100-byte values over 10,000 keys), then a markdown table of figures and Cairn/peer ratios.
# Also the original workload (10,000 requests at concurrency 100, GET and POST) with
# `cairn bench -n 10000 -c 100` and with wrk, beside the 2,755 req/s of the original study.
#
#   bench/compare.sh                    REPEATS=1 WRK_DURATION=10s WRK_CONNS=50 by default
#   SKIP="redis etcd3" bench/compare.sh skip some peers (cairn kestrel nginx redis etcd1 etcd3)
#
# The peers run through their own scripts (30_kestrel.sh, 40_nginx.sh, 10_redis.sh,
# 20_etcd.sh) and Cairn through the same common.sh helpers (start_bg, run_wrk, measure,
# record), all appending to one results.tsv. Concurrency is 50 by default because
# redis-benchmark's helper is fixed at -c 50. Loopback only; every process stopped by its PID.
# Takes about 8 minutes. Writes $RES/compare.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" && pwd)}
export PB=${PB:-/tmp/cairnbench}
export RES=${RES:-$PB/compare-$(date +%Y%m%d-%H%M%S)}
export REPEATS=${REPEATS:-1} WRK_DURATION=${WRK_DURATION:-10s} WRK_CONNS=${WRK_CONNS:-50}
export PRELOAD_DURATION=${PRELOAD_DURATION:-10s}
SKIP=${SKIP:-}
source "$PEERS/common.sh"
export PB_PEERS_LUA=$PEERS/lua DOTNET_NOLOGO=1
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

need=()
for tool in wrk jq curl; do command -v $tool >/dev/null || need+=("$tool"); done
skipped redis || command -v redis-server >/dev/null || need+=(redis)
skipped nginx || command -v nginx >/dev/null || need+=(nginx)
{ skipped etcd1 && skipped etcd3; } || command -v etcd >/dev/null || need+=(etcd)
if [[ ${#need[@]} -gt 0 ]]; then log "missing: ${need[*]}; running the peers' 00_install.sh"; "$PEERS/00_install.sh"; fi
{ sysinfo; echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$RES/machine.txt" >&2

# ---------------------------------------------------------------- Cairn, single node
CAIRN_PORT=${CAIRN_PORT:-7071}
bench_row() { # OP NOTES CAIRN_BENCH_ARGS... : one `cairn bench --json` run recorded like a wrk run
  local op=$1 notes=$2; shift 2
  local out="$RES/cairn-bench_${op}.json"
  measure "$out" "$CPID" "$RES/cairn/cairn" bench -s "127.0.0.1:$CAIRN_PORT" --json -q "$@"
  local j; j=$(sed -n '/^{/,$p' "$out")
  local errs; errs=$(jq -r '[.errorsByKind | to_entries[] | "\(.key)=\(.value)"] | join(",") | if . == "" then "-" else . end' <<<"$j")
  record cairn-bench "$op" "$(jq .connections <<<"$j")" 1 1 "$(jq .throughputPerSecond <<<"$j")" \
    "$(jq .latency.p50Ms <<<"$j")" "$(jq .latency.p99Ms <<<"$j")" "$(jq .latency.p999Ms <<<"$j")" "$(jq .latency.maxMs <<<"$j")" \
    "$out.cpu" "$errs" "$notes"
}
if ! skipped cairn; then
  log "building cairn (Release)"
  dotnet publish "$ROOT/src/Cairn" -c Release -o "$RES/cairn" -nologo -v q >/dev/null
  start_bg cairn "$PB/cairn.log" "$RES/cairn/cairn" serve --http "127.0.0.1:$CAIRN_PORT" --in-memory --Logging:LogLevel:Default=Warning
  CPID=$LAST_PID
  wait_port "$CAIRN_PORT" 60; assert_loopback_only "$CAIRN_PORT"
  CU="http://127.0.0.1:$CAIRN_PORT"
  log "preloading 10,000 documents"
  LUA_DIR=$HERE/lua wrk -t1 -c16 -d5s -s "$HERE/lua/cairn_preload.lua" "$CU" >/dev/null
  count=$(curl -s "$CU/v1/_collections" | jq '[.collections[] | select(.name == "kv") | .count] | add')
  [[ $count == 10000 ]] || { log "preload incomplete: $count documents"; exit 1; }
  for lua in cairn_get_random.lua cairn_put_random.lua; do LUA_DIR=$HERE/lua WARMUP_DURATION=5s warm_wrk "$lua" "$CU"; done
  for run in $(seq 1 "$REPEATS"); do
    LUA_DIR=$HERE/lua run_wrk cairn get_random "$CPID" "$run" "GET /v1/kv/{random 10k}, linearizable, in-memory" cairn_get_random.lua "$CU"
    LUA_DIR=$HERE/lua run_wrk cairn put_random "$CPID" "$run" "PUT /v1/kv/{random 10k}, 100B JSON, in-memory" cairn_put_random.lua "$CU"
  done
  # The original workload: 10,000 requests at concurrency 100, GET and POST.
  bench_row get_n10000_c100 "cairn bench -n 10000 -c 100 -w get (preloaded, 1 s warm-up)" -n 10000 -c 100 -w get --collection kv --warmup 1s --no-preload
  bench_row post_n10000_c100 "cairn bench -n 10000 -c 100 -w post (1 s warm-up)" -n 10000 -c 100 -w post --collection orig --warmup 1s
  WRK_CONNS=100 LUA_DIR=$HERE/lua run_wrk cairn get_c100 "$CPID" 1 "wrk -c100 GET /v1/kv/{random 10k}" cairn_get_random.lua "$CU"
  WRK_CONNS=100 LUA_DIR=$HERE/lua CAIRN_COLLECTION=orig run_wrk cairn post_c100 "$CPID" 1 "wrk -c100 POST /v1/orig" cairn_post.lua "$CU"
  # The load tester itself at the table's concurrency (its own client costs more CPU than wrk's).
  bench_row get_random "cairn bench -c $WRK_CONNS -d $WRK_DURATION -w get" -c "$WRK_CONNS" -d "$WRK_DURATION" -w get --collection kv --no-preload
  bench_row put_random "cairn bench -c $WRK_CONNS -d $WRK_DURATION -w put" -c "$WRK_CONNS" -d "$WRK_DURATION" -w put --collection kv --key-prefix bk
  log "cairn RSS: $(awk '/VmRSS/{print $2 " kB"}' /proc/$CPID/status)"
  stop_pid "$CPID"
fi

# ---------------------------------------------------------------- peers, through their own scripts
skipped kestrel || "$PEERS/30_kestrel.sh"
skipped nginx || "$PEERS/40_nginx.sh"
skipped redis || "$PEERS/10_redis.sh"
skipped etcd1 || "$PEERS/20_etcd.sh" single
skipped etcd3 || "$PEERS/20_etcd.sh" cluster

"$HERE/compare-table.sh" "$RESULTS_TSV" "$RES/machine.txt" | tee "$RES/compare.md"
log "results: $RESULTS_TSV, $RES/compare.md"
