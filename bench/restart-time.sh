#!/usr/bin/env bash
# Restart time of a durable Cairn node holding DOCS small documents (issue 6: ≤ 5 s to serving with 1 M).
# One node (a one-voter cluster: durability needs --peer-address) on a fresh --data-dir under $PB is loaded with
# `cairn bench --preload` (DOCS distinct documents of VALUE_BYTES), then TAIL more writes leave a log tail after the
# last snapshot (SNAPSHOT_ENTRIES apart). Then, RESTARTS times: SIGKILL, exec again, and measure from exec to
# the HTTP port accepting, to /readyz 200, and to the first successful GET of a loaded document. Prints the data
# directory, snapshot and log-tail figures and a markdown table (also in $RES/restart.md).
#
#   bench/restart-time.sh                     DOCS=1000000 TAIL=20000 RESTARTS=3 SNAPSHOT_ENTRIES=50000 LOAD_CONNS=256
#   NODES=3 bench/restart-time.sh             the same on a 3-node cluster: kill -9 one follower, then all three
#   PROFILE=0 KEEP_DATA=1 ...                 skip the restore profile (bench/Cairn.Benchmarks restore-profile on n1's
#                                             stopped data directory: storage open, snapshot load, decode, log tail); keep the data
#   REUSE=/path/of/a/kept/data bench/restart-time.sh   restart from a kept data directory (no load; figures and restarts only)
#   CAIRN_DIR=/path/of/a/published/cairn ...  run that build instead of publishing this tree (before/after comparisons)
# Loopback only, bounded runs, every process stopped by its PID (the peers' common.sh does that).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# The peers' helpers live in ../shared next to the repository (or next to its worktree directory).
PEERS=${PEERS:-$(for d in "$ROOT/../shared/bench/peers" "$ROOT/../../shared/bench/peers"; do [[ -d $d ]] && { cd "$d" && pwd; break; }; done)}
[[ -n $PEERS && -f $PEERS/common.sh ]] || { echo "set PEERS to ../shared/bench/peers" >&2; exit 2; }
export PB=${PB:-/tmp/cairnbench}
export RES=${RES:-$PB/restart-$(date +%Y%m%d-%H%M%S)}
DOCS=${DOCS:-1000000} TAIL=${TAIL:-20000} RESTARTS=${RESTARTS:-3} NODES=${NODES:-1}
SNAPSHOT_ENTRIES=${SNAPSHOT_ENTRIES:-50000} VALUE_BYTES=${VALUE_BYTES:-100} READY_TIMEOUT_S=${READY_TIMEOUT_S:-120}
LOAD_CONNS=${LOAD_CONNS:-256} PROFILE=${PROFILE:-1} KEEP_DATA=${KEEP_DATA:-0}
COLLECTION=restart
source "$PEERS/common.sh"
for tool in curl jq; do command -v $tool >/dev/null || { log "installing $tool"; apt-get install -y -qq $tool >/dev/null; }; done
[[ $NODES == 1 || $NODES == 3 ]] || { log "NODES must be 1 or 3"; exit 2; }
{ sysinfo; echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$RES/machine.txt" >&2

CAIRN=${CAIRN_DIR:-$PB/cairn}
if [[ -z ${CAIRN_DIR:-} ]]; then log "building cairn (Release)"; dotnet publish "$ROOT/src/Cairn" -c Release -o "$CAIRN" -nologo -v q >/dev/null; fi
if [[ $PROFILE == 1 ]]; then dotnet build "$ROOT/bench/Cairn.Benchmarks" -c Release -o "$PB/benchmarks" -nologo -v q >/dev/null; fi
export DOTNET_NOLOGO=1
REUSE=${REUSE:-}
if [[ -n $REUSE ]]; then DATA=$REUSE KEEP_DATA=1; else DATA=$(mktemp -d "$PB/restart-data.XXXXXX"); fi
PEERLIST=n1=127.0.0.1:7281,n2=127.0.0.1:7282,n3=127.0.0.1:7283
declare -A PID
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_node I: exec one node (its log appended to $PB/restart-nI.log); sets PID[I] and T_EXEC (ms).
start_node() {
  local i=$1 peers=()
  [[ $NODES == 3 ]] && peers=(--peers "$PEERLIST")
  T_EXEC=$(now_ms)
  start_bg "restart-n$i" "$RES/n$i.log" "$CAIRN/cairn" serve --node-id "n$i" --http "127.0.0.1:729$i" \
    --peer-address "127.0.0.1:728$i" "${peers[@]}" --data-dir "$DATA/n$i" --Logging:LogLevel:Default=Warning \
    "--Cairn:Cluster:SnapshotEntries=$SNAPSHOT_ENTRIES"
  PID[$i]=$LAST_PID
}

# wait_serving I T0: ms from T0 until the port accepts, /readyz answers 200, a loaded document is read (three numbers).
wait_serving() {
  local i=$1 t0=$2 url="http://127.0.0.1:729$1" port="" ready="" get="" deadline=$(( $(now_ms) + READY_TIMEOUT_S * 1000 ))
  while (( $(now_ms) < deadline )); do
    kill -0 "${PID[$i]}" 2>/dev/null || { log "n$i exited during start-up (see $RES/n$i.log)"; return 1; }
    if [[ -z $port ]] && (exec 3<>"/dev/tcp/127.0.0.1/729$i") 2>/dev/null; then port=$(( $(now_ms) - t0 )); fi
    if [[ -n $port && -z $ready ]] && curl -sf -o /dev/null "$url/readyz"; then ready=$(( $(now_ms) - t0 )); fi
    if [[ -n $ready ]] && curl -sf -o /dev/null "$url/v1/$COLLECTION/k$(( DOCS - 1 ))"; then get=$(( $(now_ms) - t0 )); echo "$port $ready $get"; return 0; fi
    sleep 0.01
  done
  log "n$i not serving within ${READY_TIMEOUT_S}s"; return 1
}

leader_url() {
  local l
  for _ in $(seq 1 300); do
    l=$(curl -s http://127.0.0.1:7291/v1/_cluster | jq -r '.leader // empty' 2>/dev/null || true)
    [[ -n $l ]] && curl -sf -o /dev/null "http://127.0.0.1:729${l#n}/readyz" && { echo "http://127.0.0.1:729${l#n}"; return 0; }
    sleep 0.1
  done
  return 1
}

for i in $(seq 1 "$NODES"); do start_node "$i"; done
for i in $(seq 1 "$NODES"); do wait_port "729$i" 60 "${PID[$i]}"; assert_loopback_only "729$i"; assert_loopback_only "728$i"; done
LU=$(leader_url) || { log "no leader"; exit 1; }
if [[ -z $REUSE ]]; then
  log "leader at $LU; loading $DOCS documents of $VALUE_BYTES bytes"
  t=$(now_ms)
  "$CAIRN/cairn" bench -s "${LU#http://}" -w get --preload --keys "$DOCS" -n 1000 -c "$LOAD_CONNS" --collection "$COLLECTION" \
    --value-size "$VALUE_BYTES" -q --json >"$RES/load.json" || true
  LOAD_S=$(awk -v ms=$(( $(now_ms) - t )) 'BEGIN { printf "%.1f", ms / 1000 }')
  for pass in 2 3; do
    # A few writes may be refused (503: the loop busy writing a snapshot, on a cluster a leader change); PUTs are idempotent.
    errors=$(jq '.preload.errors' "$RES/load.json")
    [[ $errors == 0 ]] && break
    log "preload: $errors writes refused ($(jq -c '.preload.errorsByKind' "$RES/load.json")); writing every document again (pass $pass)"
    "$CAIRN/cairn" bench -s "${LU#http://}" -w get --preload --keys "$DOCS" -n 1000 -c 64 --collection "$COLLECTION" \
      --value-size "$VALUE_BYTES" -q --json >"$RES/load.json" || true
  done
  jq -e ".preload.operations == $DOCS and .preload.errors == 0" "$RES/load.json" >/dev/null || { log "preload incomplete (see $RES/load.json)"; exit 1; }
  log "loaded in ${LOAD_S}s; writing a log tail of $TAIL updates"
  "$CAIRN/cairn" bench -s "${LU#http://}" -w put --no-preload --keys "$DOCS" -n "$TAIL" -c 64 --collection "$COLLECTION" \
    --value-size "$VALUE_BYTES" -q --json >"$RES/tail.json"
else
  LOAD_S="(reused data)"; echo '{"preload":{"operations":0,"seconds":1}}' >"$RES/load.json"
  wait_serving 1 "$(now_ms)" >/dev/null
fi
count=$(curl -s "$LU/v1/_collections" | jq "[.collections[] | select(.name == \"$COLLECTION\") | .count] | add")
[[ $count == "$DOCS" ]] || { log "the collection holds $count documents, not $DOCS"; exit 1; }

# Figures of node 1's data directory, once every node applied everything.
applied=$(curl -s "$LU/healthz" | jq .appliedIndex)
snap=$(ls "$DATA/n1/snapshots/"snap-*.snap | sort | tail -1)
snap_index=$(basename "$snap" | sed -E 's/snap-0*([0-9]+)-.*/\1/')
DIR_MB=$(du -sm "$DATA/n1" | cut -f1); SNAP_MB=$(( $(stat -c %s "$snap") / 1048576 ))
LOG_MB=$(du -sm "$DATA/n1/log" | cut -f1); TAIL_ENTRIES=$(( applied - snap_index ))
log "n1: data dir ${DIR_MB} MB, snapshot ${SNAP_MB} MB at index $snap_index, log ${LOG_MB} MB, applied $applied: log tail $TAIL_ENTRIES entries"

rows=()
restart() { # LABEL NODE...: SIGKILL those nodes, exec them again, time each until it serves
  local label=$1; shift
  local i
  for i in "$@"; do kill -KILL "${PID[$i]}"; wait "${PID[$i]}" 2>/dev/null || true; done
  for i in "$@"; do start_node "$i"; eval "T0_$i=$T_EXEC"; done
  # Watched side by side, so a node that serves first does not delay the others' figures.
  local waits=()
  for i in "$@"; do wait_serving "$i" "$(eval echo "\$T0_$i")" >"$RES/serving-n$i.txt" & waits+=($!); done
  for w in "${waits[@]}"; do wait "$w" || exit 1; done
  for i in "$@"; do
    read -r p r g <"$RES/serving-n$i.txt"
    rows+=("| $label n$i | $p | $r | $g |")
    log "$label n$i: port open ${p} ms, /readyz 200 ${r} ms, first GET ${g} ms (from exec)"
  done
}
for run in $(seq 1 "$RESTARTS"); do
  if [[ $NODES == 1 ]]; then restart "run $run:" 1
  else
    follower=$(( ${LU##*:} - 7290 ))
    follower=$(( follower % 3 + 1 ))
    restart "run $run, one follower:" "$follower"
    restart "run $run, all three:" 1 2 3
    LU=$(leader_url) || { log "no leader after restarting all three"; exit 1; }
  fi
done
for i in $(seq 1 "$NODES"); do stop_pid "${PID[$i]}"; done
PROFILE_LINES=()
if [[ $PROFILE == 1 ]]; then
  log "restore profile of n1's data directory (the node is stopped)"
  mapfile -t PROFILE_LINES < <(dotnet "$PB/benchmarks/Cairn.Benchmarks.dll" restore-profile "$DATA/n1" 3)
  printf '%s\n' "${PROFILE_LINES[@]}" >&2
fi

{
  echo "Restart of a durable node: $DOCS documents of $VALUE_BYTES B, $NODES node(s), SnapshotEntries=$SNAPSHOT_ENTRIES, fsync PerBatch"
  echo
  echo "load ${LOAD_S} s ($(jq '.preload.throughputPerSecond // (.preload.operations / .preload.seconds) | floor' "$RES/load.json") docs/s); n1 data dir ${DIR_MB} MB: snapshot ${SNAP_MB} MB at index $snap_index, log ${LOG_MB} MB, log tail $TAIL_ENTRIES entries"
  echo
  echo "| SIGKILL + exec | port accepts (ms) | /readyz 200 (ms) | first GET 200 (ms) |"
  echo "|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  if [[ ${#PROFILE_LINES[@]} -gt 0 ]]; then echo; echo "restore profile (in-process, no host, no election):"; printf -- '- %s\n' "${PROFILE_LINES[@]}"; fi
} | tee "$RES/restart.md"
if [[ $KEEP_DATA == 1 ]]; then log "data kept in $DATA"; else rm -rf "$DATA"; fi
