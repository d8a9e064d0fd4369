#!/usr/bin/env bash
# Summary of a load-test run directory (written by run.sh): Gatling's per-request statistics and the
# server's SLO attainment per model and per client device (deltas of its counters over the run).
set -euo pipefail
OUT=${1:?usage: summary.sh <run dir>}

REPORT=$(grep -oE '/[^ ]*load-tests/target/gatling/[^ ]*index.html' "$OUT/gatling.log" | tail -1 || true)
echo
echo "== Gatling: per request type (client-side latency in ms; throughput in requests/s over the run)"
printf '%-22s %7s %6s %6s %8s %6s %6s %6s %8s\n' request total ok ko 'req/s' p50 p95 p99 max
if [ -n "$REPORT" ] && [ -f "$REPORT" ]; then
  # The report's statistics table: one row per request name, cells col-2 (total) ... col-14 (std dev).
  awk '
    match($0, /ellipsed-name">[^<]*</) { if (name != "") emit(); name = substr($0, RSTART + 15, RLENGTH - 16); delete c }
    match($0, /col-[0-9]+">[^<]*</) { split(substr($0, RSTART + 4, RLENGTH - 5), kv, "\">"); c[kv[1]] = kv[2] }
    function emit() { printf "%-22s %7s %6s %6s %8s %6s %6s %6s %8s\n", name, c[2], c[3], c[4], c[6], c[8], c[9], c[10], c[12] }
    END { if (name != "") emit() }
  ' "$REPORT"
fi

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

echo
echo "== Server: requests refused on purpose (429: admission control or a full queue) and late (504), per model"
awk '
  FNR == 1 { file++ }
  index($0, "edgenpu_request_failure_total{") == 1 {
    match($0, /model="[^"]*"/); m = substr($0, RSTART + 7, RLENGTH - 8)
    match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9)
    if (file == 1) b[m, r] += $NF; else { a[m, r] += $NF; ms[m] = 1 }
  }
  END { for (m in ms) printf "%-22s 429: %d  504: %d  other failures: %d\n", m, a[m, "REJECTED"] - b[m, "REJECTED"],
          a[m, "DEADLINE_EXCEEDED"] + a[m, "QUEUE_TIMEOUT"] - b[m, "DEADLINE_EXCEEDED"] - b[m, "QUEUE_TIMEOUT"],
          a[m, "BACKEND"] + a[m, "UNAVAILABLE"] + a[m, "CANCELLED"] - b[m, "BACKEND"] - b[m, "UNAVAILABLE"] - b[m, "CANCELLED"] }
' "$OUT/metrics-before.txt" "$OUT/metrics-after.txt" | sort

echo
echo "== Server: the early-exit scheduler at work (ee-digits over the run: exits per stage, stage batches,"
echo "   mean batch size, preemptions, merges; overruns of the emulated NPU)"
awk '
  FNR == 1 { file++ }
  function val(line) { n = split(line, f, " "); return f[n] + 0 }
  function stage(line) { match(line, /stage="[^"]*"/); return substr(line, RSTART + 7, RLENGTH - 8) }
  /^edgenpu_exits_total\{.*model="ee-digits"/ { s = stage($0); if (file == 1) eb[s] += val($0); else { ea[s] += val($0); st[s] = 1 } }
  /^edgenpu_batch_size_count\{.*model="ee-digits"/ { s = stage($0); if (file == 1) cb[s] += val($0); else ca[s] += val($0) }
  /^edgenpu_batch_size_sum\{.*model="ee-digits"/ { s = stage($0); if (file == 1) sb[s] += val($0); else sa[s] += val($0) }
  /^edgenpu_preemptions_total\{.*model="ee-digits"/ { if (file == 1) pb += val($0); else pa += val($0) }
  /^edgenpu_merges_total\{.*model="ee-digits"/ { if (file == 1) mb += val($0); else ma += val($0) }
  /^edgenpu_npu_overruns_total\{device="npu"/ { if (file == 1) ob += val($0); else oa += val($0) }
  END {
    for (i = 0; i < 16; i++) {
      k = i ""
      if (k in st) {
        runs = ca[k] - cb[k]
        mean = runs > 0 ? (sa[k] - sb[k]) / runs : 0
        printf "stage %s: %d exits, %d batches, mean batch %.2f\n", k, ea[k] - eb[k], runs, mean
      }
    }
    printf "preemptions %d, merges %d, NPU overruns %d\n", pa - pb, ma - mb, oa - ob
  }
' "$OUT/metrics-before.txt" "$OUT/metrics-after.txt"
