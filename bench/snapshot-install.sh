#!/usr/bin/env bash
# Snapshot install throughput: a durable 3-node cluster; one follower is killed and its data directory wiped; DOCS
# documents are written through the leader (SnapshotEntries small enough that the leader compacts past the follower);
# the follower is restarted empty and must catch up by a snapshot install over the peer transport. Reports the
# snapshot size, the time from restart to "applied index = the leader's" and MB/s, and checks the state hashes agree.
#
#   bench/snapshot-install.sh                 DOCS=200000 VALUE_SIZE=100
# Loopback only; every process stopped by its PID (../shared/bench/peers/common.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" && pwd)}
export PB=${PB:-/tmp/cairnbench}
export RES=${RES:-$PB/snapshot-install-$(date +%Y%m%d-%H%M%S)}
DOCS=${DOCS:-200000} VALUE_SIZE=${VALUE_SIZE:-100}
source "$PEERS/common.sh"
export DOTNET_NOLOGO=1
for tool in jq curl; do command -v $tool >/dev/null || { log "missing $tool"; exit 2; }; done
{ sysinfo; echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$RES/machine.txt" >&2

log "building cairn (Release)"
dotnet publish "$ROOT/src/Cairn" -c Release -o "$RES/cairn" -nologo -v q >/dev/null
DATA=$PB/snapshot-install-data
rm -rf "$DATA"
PEERLIST=n1=127.0.0.1:7281,n2=127.0.0.1:7282,n3=127.0.0.1:7283
declare -A PID
start_node() {
  start_bg "cairn-n$1" "$RES/n$1.log" "$RES/cairn/cairn" serve --node-id "n$1" --http "127.0.0.1:728$(( $1 + 4 ))" \
    --peer-address "127.0.0.1:728$1" --peers "$PEERLIST" --data-dir "$DATA/n$1" \
    --Cairn:Cluster:SnapshotEntries=$(( DOCS / 4 )) --Logging:LogLevel:Default=Warning \
    --Logging:LogLevel:Cairn.Node.Raft.RaftDriver=Information --Logging:LogLevel:Cairn.Node.Cluster.ClusterNode=Information \
    "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff " --Logging:Console:FormatterOptions:SingleLine=true
  PID[$1]=$LAST_PID
}
url() { echo "http://127.0.0.1:728$(( $1 + 4 ))"; }
for i in 1 2 3; do start_node $i; done
for i in 1 2 3; do wait_port "728$(( i + 4 ))" 60; done
leader=""
for _ in $(seq 1 100); do
  leader=$(curl -s "$(url 1)/v1/_cluster" | jq -r '.leader // empty')
  [[ -n $leader ]] && curl -sf "$(url "${leader#n}")/readyz" >/dev/null && break
  sleep 0.1
done
[[ -n $leader ]] || { log "no leader"; exit 1; }
L=${leader#n}; F=$(( L % 3 + 1 ))
log "leader n$L; killing follower n$F and wiping its data directory"
kill -9 "${PID[$F]}"; wait "${PID[$F]}" 2>/dev/null || true
rm -rf "${DATA:?}/n$F"
log "writing $DOCS documents of $VALUE_SIZE bytes through the leader"
"$RES/cairn/cairn" bench -s "127.0.0.1:728$(( L + 4 ))" -w get -k "$DOCS" --value-size "$VALUE_SIZE" --preload -n 1000 -c 64 -q \
  --collection snap >"$RES/load.txt"
target=$(curl -s "$(url "$L")/v1/_cluster" | jq .appliedIndex)
snap=$(ls -S "$DATA/n$L/snapshots" | head -1)
snap_bytes=$(stat -c %s "$DATA/n$L/snapshots/$snap")
log "leader applied $target; its snapshot $snap is $snap_bytes bytes; restarting n$F empty"
t0=$(date +%s.%N)
start_node "$F"
applied=0
for _ in $(seq 1 1200); do
  applied=$(curl -s --max-time 1 "$(url "$F")/v1/_cluster" | jq -r '.appliedIndex // 0' 2>/dev/null || echo 0)
  [[ $applied -ge $target ]] && break
  sleep 0.05
done
t1=$(date +%s.%N)
[[ $applied -ge $target ]] || { log "n$F did not catch up (applied $applied of $target)"; exit 1; }
installed=$(grep -c "installed a snapshot" "$RES/n$F.log" || true)
[[ $installed -ge 1 ]] || { log "n$F caught up without a snapshot install: raise DOCS or lower SnapshotEntries"; exit 1; }
h_leader=""; h_f="x"
for _ in $(seq 1 100); do
  h_leader=$(curl -s "$(url "$L")/v1/_cluster/hash" | jq -r .hash); h_f=$(curl -s "$(url "$F")/v1/_cluster/hash" | jq -r .hash)
  [[ $h_leader == "$h_f" ]] && break
  sleep 0.1
done
for i in 1 2 3; do stop_pid "${PID[$i]}"; done
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
# The transfer alone: from the node's first log line (it is up and asking its peers) to "installed a snapshot".
tsec() { awk -F'[:. ]' '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 + $4 / 1000; exit }' <<<"$1"; }
first=$(tsec "$(head -1 "$RES/n$F.log")"); inst=$(tsec "$(grep -m1 "installed a snapshot" "$RES/n$F.log")")
xfer=$(awk -v a="$first" -v b="$inst" 'BEGIN{printf "%.2f", b - a}')
{
  echo "| documents | snapshot bytes | up → snapshot installed (s) | install MB/s | restart → caught up (s) | hashes agree |"
  echo "|---:|---:|---:|---:|---:|---|"
  awk -v d="$DOCS" -v b="$snap_bytes" -v x="$xfer" -v s="$secs" -v ok="$([[ $h_leader == "$h_f" ]] && echo yes || echo NO)" \
    'BEGIN { printf "| %d | %d | %.2f | %.1f | %.2f | %s |\n", d, b, x, b / 1048576 / x, s, ok }'
  echo
  echo "Install: from the empty node's first log line to its \"installed a snapshot\" line (transfer, write, restore)."
  echo "Caught up: from exec to applied index = the leader's (process start, probe, install, then the log tail)."
} | tee "$RES/result.md"
[[ $h_leader == "$h_f" ]]
