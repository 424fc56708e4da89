#!/usr/bin/env bash
# ratio.sh RESULTS_TSV SYSTEM BASELINE: markdown table of median req/s and p99 per operation,
# with SYSTEM/BASELINE ratios (throughput: higher is better; p99: lower is better).
set -euo pipefail
tsv=$1 sys=$2 base=$3
awk -F'\t' -v sys="$sys" -v base="$base" '
  NR > 1 && ($1 == sys || $1 == base) { key = $1 SUBSEP $2; n[key]++; rps[key, n[key]] = $6; p99[key, n[key]] = $8; ops[$2] = 1 }
  function median(arr, key, count,   i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    printf "| operation | %s req/s | %s req/s | ratio | %s p99 ms | %s p99 ms | runs |\n", sys, base, sys, base
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (op in ops) {
      a = sys SUBSEP op; b = base SUBSEP op
      if (!(a in n) || !(b in n)) continue
      ra = median(rps, a, n[a]); rb = median(rps, b, n[b])
      printf "| %s | %.0f | %.0f | %.2f× | %.2f | %.2f | %d |\n", op, ra, rb, ra / rb, median(p99, a, n[a]), median(p99, b, n[b]), n[a]
    }
  }' "$tsv"
