#!/usr/bin/env bash
# Gateway overhead: REST infer (batch-1 requests) through the service vs a bare Reactor Netty endpoint that
# reads the same body and returns a constant response of the same size. Two plain models: `simple` (compute
# of nanoseconds: what is measured is the server's own overhead) and `digits-cnn` (a real CNN on the
# emulated NPU: end to end).
# Side by side in one run, loopback only, bounded (~2 minutes). Needs wrk (Debian package `wrk`).
# Run from the repository root:  bash docs/benchmarks/gateway-overhead/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
source docs/benchmarks/wrk-post.sh
OUT=docs/benchmarks/gateway-overhead
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"1 4 16 64"}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

./mvnw -B -q install -DskipTests
CP=$(./mvnw -B -q -pl load-tests dependency:build-classpath -Dmdep.outputFile=/dev/stdout):load-tests/target/classes

java -jar service/target/service-0.1.0-SNAPSHOT.jar --server.port=18000 --spring.grpc.server.port=18001 \
  --server.address=127.0.0.1 --logging.level.root=WARN > /tmp/edgenpu-bench-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE $BARE 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf localhost:18000/v2/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:18000/v2/health/ready >/dev/null

# The bare endpoint answers with exactly what the service answers for each request.
MODELS="simple:docs/examples/simple-request.json digits-cnn:docs/examples/ee-digits-request.json"
BARE_ARGS=""
for m in $MODELS; do
  name=${m%%:*}; body=${m#*:}
  curl -sf -H 'Content-Type: application/json' -d @"$body" localhost:18000/v2/models/$name/infer > /tmp/edgenpu-bench-$name.json
  BARE_ARGS="$BARE_ARGS $name=/tmp/edgenpu-bench-$name.json"
done
java -cp "$CP" io.edgenpu.loadtests.BareEndpoint 18100 $BARE_ARGS > /tmp/edgenpu-bench-bare.log 2>&1 &
BARE=$!
sleep 2

lua() { wrk_post "$1" "/tmp/edgenpu-bench-$2.lua"; }   # body file, name -> wrk script

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000} else print v}'; }
run() { # target model url connections
  local out rps p50 p99
  out=$(wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"$DURATION" --latency -s /tmp/edgenpu-bench-$2.lua "$3")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  echo "$2,$1,$4,$rps,$p50,$p99"
}

echo "model,target,connections,requests_per_s,p50_ms,p99_ms" > $OUT/results.csv
for m in $MODELS; do
  name=${m%%:*}; body=${m#*:}
  lua "$body" "$name"
  # Warm-up of both (JIT), not recorded.
  wrk -t2 -c8 -d5s -s /tmp/edgenpu-bench-$name.lua http://127.0.0.1:18000/v2/models/$name/infer >/dev/null
  wrk -t2 -c8 -d5s -s /tmp/edgenpu-bench-$name.lua http://127.0.0.1:18100/v2/models/$name/infer >/dev/null
  for c in $CONNECTIONS; do
    run bare "$name" http://127.0.0.1:18100/v2/models/$name/infer "$c" | tee -a $OUT/results.csv
    run service "$name" http://127.0.0.1:18000/v2/models/$name/infer "$c" | tee -a $OUT/results.csv
  done
done
curl -s localhost:18000/v2/models/stats > $OUT/service-stats.json
bash docs/benchmarks/machine.sh "$OUT"
cat $OUT/results.csv
