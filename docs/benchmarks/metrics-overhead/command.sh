#!/usr/bin/env bash
# Metrics overhead: the same service twice, side by side, one with every scheduler and device meter and the
# live dashboard's sampler on (the default), one with them off (edgenpu.metrics.enabled=false,
# edgenpu.dashboard.enabled=false). Alternating wrk runs of batch-1 REST infer (ee-digits on the emulated
# NPU: the scheduler path, where the meters sit; simple: the gateway path). Loopback only, about 4 minutes.
# Needs wrk (Debian package `wrk`). Run from the repository root:
#   bash docs/benchmarks/metrics-overhead/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
source docs/benchmarks/wrk-post.sh
OUT=docs/benchmarks/metrics-overhead
DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-4}
CONNECTIONS=${CONNECTIONS:-16}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
./mvnw -B -q install -DskipTests

start() { # port grpc-port extra-args... -> pid
  local port=$1 grpc=$2; shift 2
  java -jar service/target/service-0.1.0-SNAPSHOT.jar --server.port=$port --spring.grpc.server.port=$grpc \
    --server.address=127.0.0.1 --logging.level.root=WARN "$@" > /tmp/edgenpu-metrics-$port.log 2>&1 &
  echo $!
}
ON=$(start 18300 18301)
OFF=$(start 18400 18401 --edgenpu.metrics.enabled=false --edgenpu.dashboard.enabled=false)
trap 'kill $ON $OFF 2>/dev/null || true' EXIT
for port in 18300 18400; do
  for _ in $(seq 1 90); do curl -sf localhost:$port/v2/health/ready >/dev/null && break; sleep 1; done
  curl -sf localhost:$port/v2/health/ready >/dev/null
done
echo "edgenpu_ series with metrics off: $(curl -s localhost:18400/actuator/prometheus | grep -c '^edgenpu_' || true)"

lua() { wrk_post "$1" "/tmp/edgenpu-metrics-$2.lua"; }   # body file, name -> wrk script
echo "model,round,metrics,requests_per_s,p50_ms,p99_ms" > $OUT/results.csv
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000} else print v}'; }
for m in ee-digits:docs/examples/ee-digits-request.json simple:docs/examples/simple-request.json; do
  name=${m%%:*}; lua "${m#*:}" "$name"
  for port in 18300 18400; do   # warm-up (JIT), not recorded
    wrk -t2 -c"$CONNECTIONS" -d15s -s /tmp/edgenpu-metrics-$name.lua http://127.0.0.1:$port/v2/models/$name/infer >/dev/null
  done
  for round in $(seq 1 "$ROUNDS"); do
    for pair in on:18300 off:18400; do
      out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s /tmp/edgenpu-metrics-$name.lua http://127.0.0.1:${pair#*:}/v2/models/$name/infer)
      echo "$name,$round,${pair%%:*},$(echo "$out" | awk '/Requests\/sec/ {print $2}'),$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms),$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)" | tee -a $OUT/results.csv
    done
  done
done
bash docs/benchmarks/machine.sh "$OUT"
# Summary: per model, median throughput with metrics on / off.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for name in ee-digits simple; do
  on=$(awk -F, -v m=$name '$1==m && $3=="on" {print $4}' $OUT/results.csv | median)
  off=$(awk -F, -v m=$name '$1==m && $3=="off" {print $4}' $OUT/results.csv | median)
  awk -v m=$name -v on="$on" -v off="$off" 'BEGIN {printf "%s: median %.0f req/s with metrics, %.0f without: cost %.1f%%\n", m, on, off, 100*(1-on/off)}'
done | tee $OUT/summary.txt
