#!/usr/bin/env bash
# ONNX Runtime through the service vs ONNX Runtime called directly in-process (the limit), at the same batch
# sizes, plus the batching gain and the service's memory with every default model loaded.
# The model is digits-cnn moved to the cpu device (real ONNX Runtime compute, not the NPU's modelled time).
# The service's cpu device runs one batch at a time with one intra-op thread, so the limit is one direct
# session run at a time with one intra-op thread (DirectOrt). Loopback only, bounded (~3 minutes).
# Run from the repository root:  bash docs/benchmarks/ort-direct/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
source docs/benchmarks/wrk-post.sh
OUT=docs/benchmarks/ort-direct
SECONDS_PER_POINT=${SECONDS_PER_POINT:-10}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

./mvnw -B -q install -DskipTests
# Only ONNX Runtime on the direct harness's class path (other jars of the module are for Gatling).
./mvnw -B -q -pl load-tests dependency:build-classpath -DincludeArtifactIds=onnxruntime -Dmdep.outputFile=/tmp/edgenpu-ort-cp.txt
ORT_CP=$(cat /tmp/edgenpu-ort-cp.txt):load-tests/target/classes
MODEL=models/repository/digits-cnn/1/model.onnx

java -jar service/target/service-0.1.0-SNAPSHOT.jar --server.port=18000 --spring.grpc.server.address=127.0.0.1:18001 \
  --server.address=127.0.0.1 --edgenpu.model-devices.digits-cnn=cpu --logging.level.root=WARN > /tmp/edgenpu-ort-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf localhost:18000/v2/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:18000/v2/health/ready >/dev/null
IDLE_RSS_KB=$(ps -o rss= -p $SERVICE | tr -d ' ')

body() { # batch -> request file with that many copies of the held-out "7" from docs/examples
  local b=$1 row
  row=$(sed -E 's/.*"data":(\[\[\[\[.*\]\]\]\])\}\]\}$/\1/; s/^\[//; s/\]$//' docs/examples/ee-digits-request.json)
  { printf '{"inputs":[{"name":"image","shape":[%d,1,32,32],"datatype":"FP32","data":[' "$b"
    for i in $(seq 1 "$b"); do [ "$i" -gt 1 ] && printf ','; printf '%s' "$row"; done
    printf ']}]}'; } > /tmp/edgenpu-ort-b$b.json
  wrk_post "/tmp/edgenpu-ort-b$b.json" "/tmp/edgenpu-ort-b$b.lua"
}

echo "path,batch,connections,samples_per_s,p50_ms,p99_ms" > $OUT/results.csv
for b in 1 4 8; do
  body "$b"
  curl -sf -H 'Content-Type: application/json' -d @/tmp/edgenpu-ort-b$b.json localhost:18000/v2/models/digits-cnn/infer > /dev/null
  direct=$(java -cp "$ORT_CP" io.edgenpu.loadtests.DirectOrt "$MODEL" image 1x32x32 "$b" "$SECONDS_PER_POINT")
  echo "direct,$b,-,$(echo "$direct" | cut -d, -f2),," >> $OUT/results.csv
  for c in 1 4; do
    out=$(wrk -t1 -c"$c" -d"${SECONDS_PER_POINT}s" --latency -s /tmp/edgenpu-ort-b$b.lua http://127.0.0.1:18000/v2/models/digits-cnn/infer)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    echo "service,$b,$c,$(awk -v r="$rps" -v b="$b" 'BEGIN {printf "%.1f", r * b}'),$p50,$p99" >> $OUT/results.csv
  done
done
# Batching gain on the service: batch-1 requests from 16 connections, batched by the server (up to 8).
out=$(wrk -t2 -c16 -d"${SECONDS_PER_POINT}s" --latency -s /tmp/edgenpu-ort-b1.lua http://127.0.0.1:18000/v2/models/digits-cnn/infer)
echo "service-batched,1,16,$(echo "$out" | awk '/Requests\/sec/ {print $2}'),$(echo "$out" | awk '$1=="50%" {print $2}'),$(echo "$out" | awk '$1=="99%" {print $2}')" >> $OUT/results.csv

LOADED_RSS_KB=$(ps -o rss= -p $SERVICE | tr -d ' ')
HEAP=$(curl -s 'localhost:18000/actuator/metrics/jvm.memory.used?tag=area:heap' | sed -E 's/.*"value":([0-9.E]+).*/\1/')
NONHEAP=$(curl -s 'localhost:18000/actuator/metrics/jvm.memory.used?tag=area:nonheap' | sed -E 's/.*"value":([0-9.E]+).*/\1/')
{ echo "metric,value"
  echo "rss_idle_mb,$((IDLE_RSS_KB / 1024))"
  echo "rss_after_load_mb,$((LOADED_RSS_KB / 1024))"
  echo "heap_used_mb,$(awk -v h="$HEAP" 'BEGIN {printf "%.0f", h / 1048576}')"
  echo "nonheap_used_mb,$(awk -v h="$NONHEAP" 'BEGIN {printf "%.0f", h / 1048576}')"; } > $OUT/memory.csv
bash docs/benchmarks/machine.sh "$OUT"
column -s, -t $OUT/results.csv; echo; column -s, -t $OUT/memory.csv
