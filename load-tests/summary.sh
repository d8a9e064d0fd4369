#!/usr/bin/env bash
# Summary of a load-test run directory (written by run.sh): Gatling's per-request statistics and the
# server's SLO attainment per model and per client device (deltas of its counters over the run).
set -euo pipefail
OUT=${1:?usage: summary.sh <run dir>}

echo
echo "== Gatling: per request type (ms; throughput in requests/s)"
# Gatling prints a statistics table per request name in its console summary; keep those rows.
awk '/^---- Requests ---/{on=1} on && /^>/{print} /^---- Errors ---/{on=0}' "$OUT/gatling.log" || true
sed -n '/^---- Global Information/,/^======/p' "$OUT/gatling.log" | grep -E 'request count|mean requests/sec|percentile|failed' || true

delta() {  # $1 family, $2 label to group by: prints "<label value> <met> <missed>"
  awk -v fam="$1" -v key="$2" '
    FNR == 1 { file++ }
    index($0, fam "{") == 1 {
      match($0, key "=\"[^\"]*\""); k = substr($0, RSTART + length(key) + 2, RLENGTH - length(key) - 3)
      match($0, /result="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9)
      v = $NF + 0
      if (file == 1) before[k, r] += v; else { after[k, r] += v; keys[k] = 1 }
    }
    END { for (k in keys) printf "%s %d %d\n", k, after[k, "met"] - before[k, "met"], after[k, "missed"] - before[k, "missed"] }
  ' "$OUT/metrics-before.txt" "$OUT/metrics-after.txt" | sort
}

echo
echo "== Server: SLO attainment per model (deadline = the request's timeout or the model's slo)"
printf '%-22s %8s %8s %11s\n' model met missed attainment
delta edgenpu_slo_total model | awk '$2 + $3 > 0 { printf "%-22s %8d %8d %10.1f%%\n", $1, $2, $3, 100 * $2 / ($2 + $3) }'

echo
echo "== Server: SLO attainment per client device"
printf '%-22s %8s %8s %11s\n' device met missed attainment
delta edgenpu_client_slo_total client | awk '$2 + $3 > 0 { printf "%-22s %8d %8d %10.1f%%\n", $1, $2, $3, 100 * $2 / ($2 + $3) }'
