#!/usr/bin/env bash
# compare-table.sh RESULTS_TSV [MACHINE_TXT]: the markdown tables of bench/compare.sh.
# Table 1: every measurement (median over its runs). Table 2: Cairn ÷ peer ratios for the
# comparisons DESIGN §11 cares about, and the original study's workload beside its 2,755 req/s.
# Figures that cannot be measured yet are said to be so, never invented.
set -euo pipefail
tsv=$1 machine=${2:-}
ORIGINAL_RPS=2755
[[ -n $machine && -f $machine ]] && { echo "Machine and date:"; echo; sed 's/^/    /' "$machine"; echo; }
awk -F'\t' -v orig="$ORIGINAL_RPS" '
  function median(s,   a, n, i, j, t) { n = split(s, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  NR == 1 { next }
  { k = $1 "|" $2 "|" $3 "|" $4 "|" $15
    if (!(k in runs)) { order[++m] = k; sys[k] = $1; op[k] = $2; conns[k] = $3; pipe[k] = $4; notes[k] = $15 }
    runs[k]++; R[k] = R[k] " " $6; P50[k] = P50[k] " " $7; P99[k] = P99[k] " " $8; P999[k] = P999[k] " " $9
    SC[k] = SC[k] " " $11; LC[k] = LC[k] " " $12
    if ($14 != "-" && $14 !~ /^status=0,connect=0,read=0,write=0,timeout=0$/) err[k] = err[k] " " $14 }
  # The first measurement of SYSTEM/OP whose notes match PATTERN ("" = any).
  function find(s, o, pattern,   i, k) {
    for (i = 1; i <= m; i++) { k = order[i]; if (sys[k] == s && op[k] == o && (pattern == "" || notes[k] ~ pattern)) return k }
    return "" }
  function rps(k) { return k == "" ? "" : median(R[k]) }
  function p99(k) { return k == "" ? "" : median(P99[k]) }
  function row(what, a, b, target,   ra, rb) {
    if (a == "" || b == "") { printf "| %s | %s | %s | not measured in this run | | | %s |\n", what, (a == "" ? "–" : sprintf("%.0f", rps(a))), (b == "" ? "–" : sprintf("%.0f", rps(b))), target; return }
    ra = rps(a); rb = rps(b)
    printf "| %s | %.0f | %.0f | **%.2f×** | %.2f | %.2f | %s |\n", what, ra, rb, ra / rb, p99(a), p99(b), target }
  function vs_original(what, a, target) {
    if (a == "") { printf "| %s | – | %d | not measured in this run | | | %s |\n", what, orig, target; return }
    printf "| %s | %.0f | %d | **%.1f×** | %.2f | – | %s |\n", what, rps(a), orig, rps(a) / orig, p99(a), target }
  END {
    print "### Every measurement (median of its runs)"
    print ""
    print "| system | operation | conns | runs | req/s | p50 ms | p99 ms | p99.9 ms | CPU server / loadgen (% of 1 core) | notes |"
    print "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    for (i = 1; i <= m; i++) { k = order[i]
      printf "| %s | %s | %s%s | %d | %.0f | %.3f | %.3f | %.3f | %.0f / %.0f | %s%s |\n", sys[k], op[k], conns[k], (pipe[k] > 1 ? " ×P" pipe[k] : ""), runs[k],
        median(R[k]), median(P50[k]), median(P99[k]), median(P999[k]), median(SC[k]), median(LC[k]), notes[k], (k in err ? " ERRORS(" err[k] " )" : "") }
    print ""
    print "### Cairn ÷ peer, same run, same load"
    print ""
    print "| comparison | Cairn req/s | peer req/s | ratio | Cairn p99 ms | peer p99 ms | target (DESIGN §11) |"
    print "|---|---:|---:|---:|---:|---:|---|"
    cg = find("cairn", "get_random", ""); cp = find("cairn", "put_random", "")
    row("GET random doc vs bare Kestrel GET random (the C# HTTP ceiling)", cg, find("kestrel", "get_random", ""), "≥ 0.8× (stated at 64 connections)")
    row("PUT random doc vs bare Kestrel PUT random (dictionary, 204)", cp, find("kestrel", "put_random", ""), "–")
    row("GET random doc vs nginx fixed 100-byte answer", cg, find("nginx", "get", ""), "–")
    row("GET random doc vs Redis GET (-P 1, 10k keys, 100 B)", cg, find("redis", "GET", "-r 10000"), "–")
    row("PUT random doc vs Redis SET (-P 1, 10k keys, 100 B, no persistence)", cp, find("redis", "SET", "-r 10000"), "–")
    row("GET random doc (linearizable) vs etcd 1-node range (linearizable)", cg, find("etcd-1node", "range", ""), "–")
    row("PUT random doc (in-memory) vs etcd 1-node put (fsync)", cp, find("etcd-1node", "put", ""), "–")
    row("GET random doc, 1 node vs etcd 3-node range (linearizable)", cg, find("etcd-3node", "range", ""), "–")
    row("PUT random doc, 1 node vs etcd 3-node put", cp, find("etcd-3node", "put", ""), "–")
    c3p = find("cairn3", "put_leader", ""); c3g = find("cairn3", "get_leader", "")
    row("Cairn 3-node PUT (leader) vs etcd 3-node put (leader)", c3p, find("etcd-3node", "put", ""), "≥ 3×, p99 no worse")
    row("Cairn 3-node linearizable GET (leader) vs etcd 3-node range (linearizable)", c3g, find("etcd-3node", "range", ""), "–")
    row("Cairn 3-node PUT via a follower (forwarded) vs etcd 3-node put", find("cairn3", "put_follower", ""), find("etcd-3node", "put", ""), "–")
    row("Cairn 3-node linearizable GET (leader) vs Cairn 1-node stale-free GET", c3g, cg, "≥ 0.6×")
    print ""
    print "### The original workload: 10,000 requests at concurrency 100, one node"
    print ""
    print "| load | Cairn req/s | original req/s (single-core Express) | ratio | Cairn p99 ms | | target |"
    print "|---|---:|---:|---:|---:|---|---|"
    vs_original("`cairn bench -n 10000 -c 100 -w get`", find("cairn-bench", "get_n10000_c100", ""), "≥ 40×")
    vs_original("`cairn bench -n 10000 -c 100 -w post`", find("cairn-bench", "post_n10000_c100", ""), "≥ 40×")
    vs_original("wrk -c100 GET (duration run)", find("cairn", "get_c100", ""), "≥ 40×")
    vs_original("wrk -c100 POST (duration run)", find("cairn", "post_c100", ""), "≥ 40×")
    vs_original("3 nodes: `cairn bench -n 10000 -c 100 -w get` over every node", find("cairn3-bench", "get_n10000_c100", ""), "≥ 40×")
    vs_original("3 nodes: `cairn bench -n 10000 -c 100 -w post` over every node", find("cairn3-bench", "post_n10000_c100", ""), "≥ 40×")
  }' "$tsv"
