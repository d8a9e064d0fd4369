#!/usr/bin/env bash
# Work-conserving batching (the default for plain models) against Triton-style windowed batching
# (max-queue-delay 500 us, preferred batch sizes 4 and 8: the configuration digits-cnn shipped with before),
# on the same load: batch-1 digits-cnn on the cpu device over REST, wrk closed loop at 1/4/16/64 connections,
# 10 s per point after 60 s of warm-up per server. Both servers are this service, started from the same jar
# on the same repository, differing only in digits-cnn's scheduling section. About 5 minutes; needs wrk
# (taskset optional: load on CPU 0, servers on CPU 1). Run from the repository root:
#   bash docs/benchmarks/batching-modes/command.sh
# Writes docs/benchmarks/batching-modes/results.csv (mode,connections,requests_per_s,p50_ms,p99_ms) and
# machine.txt.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/batching-modes
DURATION=${DURATION:-10}
TMP=$(mktemp -d)
if taskset -c 0 true 2> /dev/null && [ "$(nproc)" -ge 2 ]; then LOAD="taskset -c 0"; SERVE="taskset -c 1"; else LOAD=""; SERVE=""; fi
echo "== building"
./mvnw -B -q install -DskipTests
cp service/target/service-0.1.0-SNAPSHOT.jar "$TMP/service.jar"

# Two repositories holding only digits-cnn: as shipped (work-conserving) and windowed.
for mode in work-conserving windowed; do
  mkdir -p "$TMP/$mode"
  cp -r models/repository/digits-cnn "$TMP/$mode/"
done
python3 - "$TMP/windowed/digits-cnn/config.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"scheduling:\n(  .*\n)+",
           "scheduling:\n  policy: dynamic\n  parameters: {max-queue-delay: 500us, preferred-batch-sizes: [4, 8]}\n"
           "  queue: {max-size: 256}\n", s)
open(p, "w").write(s)
PY
grep -A3 "^scheduling" "$TMP/windowed/digits-cnn/config.yaml"

python3 -c "import json; d=json.load(open('docs/examples/ee-digits-request.json')); json.dump(d, open('$TMP/b1.json','w'))"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' "$TMP/b1.json" > "$TMP/b1.lua"
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000} else print v}'; }

echo "mode,connections,requests_per_s,p50_ms,p99_ms" > $OUT/results.csv
PORT=18900
for mode in work-conserving windowed; do
  echo "== $mode"
  $SERVE java -jar "$TMP/service.jar" --server.address=127.0.0.1 --server.port=$PORT --spring.grpc.server.address=127.0.0.1:0 \
    --edgenpu.model-repository="$TMP/$mode" --edgenpu.model-devices.digits-cnn=cpu --logging.level.root=WARN \
    > "$TMP/$mode.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2> /dev/null || true' EXIT
  for _ in $(seq 1 120); do curl -sf localhost:$PORT/v2/models/digits-cnn/ready > /dev/null && break; sleep 1; done
  $LOAD wrk -t1 -c8 -d60s -s "$TMP/b1.lua" "http://127.0.0.1:$PORT/v2/models/digits-cnn/infer" > /dev/null
  for c in 1 4 16 64; do
    out=$($LOAD wrk -t1 -c$c -d${DURATION}s --latency -s "$TMP/b1.lua" "http://127.0.0.1:$PORT/v2/models/digits-cnn/infer")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
    p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
    echo "$mode,$c,$rps,$p50,$p99" | tee -a $OUT/results.csv
  done
  kill $PID; wait $PID 2> /dev/null || true
  PORT=$((PORT + 1))
done
bash docs/benchmarks/machine.sh $OUT
