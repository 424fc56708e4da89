#!/usr/bin/env bash
# 3-node Cairn against the 3-node etcd of ../shared/bench/peers/20_etcd.sh, same machine, same run,
# same load (wrk -t2 -c$WRK_CONNS, 100-byte values over 10,000 keys): linearizable PUT and GET sent
# to the leader (as the etcd script does), then the same spread over every Cairn node (followers
# forward writes and confirm reads with a read index). Then the original workload (10,000 requests
# at concurrency 100, GET and POST) on the 3-node Cairn with `cairn bench`. Markdown table with
# ratios in $RES/compare.md. Loopback only; every process stopped by its PID.
#
#   bench/cluster3.sh                  REPEATS=1 WRK_DURATION=10s WRK_CONNS=50
#   CAIRN_ARGS="--data-dir ..." bench/cluster3.sh     extra serve flags for every node
#   SKIP=etcd3 bench/cluster3.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" && pwd)}
export PB=${PB:-/tmp/cairnbench}
export RES=${RES:-$PB/cluster3-$(date +%Y%m%d-%H%M%S)}
export REPEATS=${REPEATS:-1} WRK_DURATION=${WRK_DURATION:-10s} WRK_CONNS=${WRK_CONNS:-50}
export PRELOAD_DURATION=${PRELOAD_DURATION:-10s}
SKIP=${SKIP:-}
source "$PEERS/common.sh"
export PB_PEERS_LUA=$PEERS/lua DOTNET_NOLOGO=1
skipped() { [[ " $SKIP " == *" $1 "* ]]; }
need=()
for tool in wrk jq curl; do command -v $tool >/dev/null || need+=("$tool"); done
skipped etcd3 || command -v etcd >/dev/null || need+=(etcd)
if [[ ${#need[@]} -gt 0 ]]; then log "missing: ${need[*]}; running the peers' 00_install.sh"; "$PEERS/00_install.sh"; fi
{ sysinfo; echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$RES/machine.txt" >&2

log "building cairn (Release)"
dotnet publish "$ROOT/src/Cairn" -c Release -o "$RES/cairn" -nologo -v q >/dev/null
PEERLIST=n1=127.0.0.1:7181,n2=127.0.0.1:7182,n3=127.0.0.1:7183
DATA=$PB/cluster3-data
rm -rf "$DATA"
if [[ " ${CAIRN_ARGS:-} " == *" --in-memory "* ]]; then MODE="in-memory"; STORE_ARGS=""
else MODE="durable, fsync per batch"; STORE_ARGS="--data-dir $DATA/n\$i"; fi
PIDS=()
for i in 1 2 3; do
  # shellcheck disable=SC2086
  start_bg "cairn-n$i" "$PB/cairn-n$i.log" "$RES/cairn/cairn" serve --node-id "n$i" --http "127.0.0.1:708$i" \
    --peer-address "127.0.0.1:718$i" --peers "$PEERLIST" --Logging:LogLevel:Default=Warning ${CAIRN_ARGS:-} $(eval echo "$STORE_ARGS")
  PIDS+=("$LAST_PID")
done
ALL=$(IFS=,; echo "${PIDS[*]}")
for i in 1 2 3; do wait_port "708$i" 60; assert_loopback_only "708$i"; assert_loopback_only "718$i"; done
leader=""
for _ in $(seq 1 100); do
  leader=$(curl -s http://127.0.0.1:7081/v1/_cluster | jq -r '.leader // empty')
  [[ -n $leader ]] && curl -sf "http://127.0.0.1:708${leader#n}/readyz" >/dev/null && break
  sleep 0.1
done
[[ -n $leader ]] || { log "no leader"; exit 1; }
LU="http://127.0.0.1:708${leader#n}"
log "leader is $leader ($LU); preloading 10,000 documents"
LUA_DIR=$HERE/lua wrk -t1 -c16 -d30s -s "$HERE/lua/cairn_preload.lua" "$LU" >/dev/null
count=$(curl -s "$LU/v1/_collections" | jq '[.collections[] | select(.name == "kv") | .count] | add')
[[ $count == 10000 ]] || { log "preload incomplete: $count documents"; exit 1; }
for lua in cairn_get_random.lua cairn_put_random.lua; do LUA_DIR=$HERE/lua WARMUP_DURATION=5s warm_wrk "$lua" "$LU"; done
follower=$(( ${leader#n} % 3 + 1 ))
FU="http://127.0.0.1:708$follower"
# The write-ahead log's counters of every node (sum), from /metrics: "fsyncs entries fsync_seconds batches".
wal_totals() {
  local f=0 e=0 s=0 b=0 m
  for i in 1 2 3; do
    m=$(curl -s "http://127.0.0.1:708$i/metrics")
    f=$(awk -v a="$f" '$1=="cairn_wal_fsyncs_total"{a+=$2} END{print a}' <<<"$m")
    e=$(awk -v a="$e" '$1=="cairn_wal_entries_appended_total"{a+=$2} END{print a}' <<<"$m")
    s=$(awk -v a="$s" '$1=="cairn_wal_fsync_seconds_total"{a+=$2} END{printf "%.6f", a}' <<<"$m")
    b=$(awk -v a="$b" '$1=="cairn_wal_append_batches_total"{a+=$2} END{print a}' <<<"$m")
  done
  echo "$f $e $s $b"
}
WAL_MD=$RES/wal.md
echo "| run | fsyncs/s (3 nodes) | entries per fsync | mean fsync ms | entries per batch |" >"$WAL_MD"
echo "|---|---:|---:|---:|---:|" >>"$WAL_MD"
wal_row() { # LABEL BEFORE AFTER SECONDS
  read -r f0 e0 s0 b0 <<<"$2"; read -r f1 e1 s1 b1 <<<"$3"
  awk -v l="$1" -v f="$((f1 - f0))" -v e="$((e1 - e0))" -v s="$(awk -v a="$s1" -v b="$s0" 'BEGIN{print a-b}')" -v b="$((b1 - b0))" -v t="$4" \
    'BEGIN { if (f == 0) { printf "| %s | 0 (in memory) | – | – | – |\n", l; exit }
             printf "| %s | %.0f | %.1f | %.2f | %.1f |\n", l, f / t, e / f, 1000 * s / f, (b ? e / b : 0) }' >>"$WAL_MD"
}
for run in $(seq 1 "$REPEATS"); do
  before=$(wal_totals)
  LUA_DIR=$HERE/lua run_wrk cairn3 put_leader "$ALL" "$run" "PUT to the leader, 3 nodes, $MODE" cairn_put_random.lua "$LU"
  wal_row "PUT to the leader, run $run ($MODE)" "$before" "$(wal_totals)" "${WRK_DURATION%s}"
  LUA_DIR=$HERE/lua run_wrk cairn3 get_leader "$ALL" "$run" "GET linearizable from the leader, 3 nodes" cairn_get_random.lua "$LU"
  LUA_DIR=$HERE/lua run_wrk cairn3 put_follower "$ALL" "$run" "PUT to a follower (forwarded), 3 nodes, $MODE" cairn_put_random.lua "$FU"
  LUA_DIR=$HERE/lua run_wrk cairn3 get_follower "$ALL" "$run" "GET linearizable from a follower (read index), 3 nodes" cairn_get_random.lua "$FU"
done
bench_row() { # OP NOTES CAIRN_BENCH_ARGS...
  local op=$1 notes=$2; shift 2
  local out="$RES/cairn3-bench_${op}.json"
  measure "$out" "$ALL" "$RES/cairn/cairn" bench -s 127.0.0.1:7081,127.0.0.1:7082,127.0.0.1:7083 --json -q "$@"
  local j; j=$(sed -n '/^{/,$p' "$out")
  local errs; errs=$(jq -r '[.errorsByKind | to_entries[] | "\(.key)=\(.value)"] | join(",") | if . == "" then "-" else . end' <<<"$j")
  record cairn3-bench "$op" "$(jq .connections <<<"$j")" 1 1 "$(jq .throughputPerSecond <<<"$j")" \
    "$(jq .latency.p50Ms <<<"$j")" "$(jq .latency.p99Ms <<<"$j")" "$(jq .latency.p999Ms <<<"$j")" "$(jq .latency.maxMs <<<"$j")" \
    "$out.cpu" "$errs" "$notes"
}
bench_row get_n10000_c100 "cairn bench -n 10000 -c 100 -w get over 3 nodes" -n 10000 -c 100 -w get --collection kv --warmup 1s --no-preload
bench_row post_n10000_c100 "cairn bench -n 10000 -c 100 -w post over 3 nodes" -n 10000 -c 100 -w post --collection orig --warmup 1s
for p in "${PIDS[@]}"; do stop_pid "$p"; done

skipped etcd3 || "$PEERS/20_etcd.sh" cluster
"$HERE/compare-table.sh" "$RESULTS_TSV" "$RES/machine.txt" | tee "$RES/compare.md"
{ echo; echo "### Write-ahead log during the PUT runs (all three nodes, from /metrics)"; echo; cat "$WAL_MD"; } | tee -a "$RES/compare.md"
log "results: $RESULTS_TSV, $RES/compare.md"
