#!/usr/bin/env bash
# Smart-home load test, one command, loopback only, bounded:
#   bash load-tests/run.sh                      # 60 s of load (DURATION=30 for a shorter run,
#                                               # RATE_SCALE=2 for twice every device's rate)
# Builds the service, starts it on 127.0.0.1 (ports 18000/18001), runs the Gatling simulation
# (load-tests/src/test/java/.../SmartHomeSimulation.java), stops the service, and prints a summary:
# p50/p95/p99 and throughput per request type (Gatling), SLO attainment per request type and per device
# (the server's own counters), and the path of Gatling's HTML report. Exit status: Gatling's (its
# assertions on error rate and p99 fail the run).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-60}
RATE_SCALE=${RATE_SCALE:-1}
HTTP_PORT=${HTTP_PORT:-18000}
GRPC_PORT=${GRPC_PORT:-18001}
OUT=load-tests/target/run
mkdir -p "$OUT"

echo "== building the service"
./mvnw -B -q -pl service,load-tests -am -DskipTests install
JAR=$(ls service/target/service-*.jar | head -1)

echo "== starting it on 127.0.0.1:$HTTP_PORT (log: $OUT/server.log)"
DEVICES=(--edgenpu.clients.devices.front-door-lock=critical --edgenpu.clients.devices.doorbell-1=critical)
for d in camera-garden camera-porch camera-garage hub-kitchen hub-bedroom; do DEVICES+=(--edgenpu.clients.devices.$d=standard); done
for d in tablet-living tablet-kitchen; do DEVICES+=(--edgenpu.clients.devices.$d=background); done
java -jar "$JAR" --server.address=127.0.0.1 --server.port="$HTTP_PORT" \
  --spring.grpc.server.address=127.0.0.1:"$GRPC_PORT" --logging.level.root=WARN "${DEVICES[@]}" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/v2/health/ready" > /dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "the service did not start; see $OUT/server.log"; exit 1; }
  sleep 1
done
curl -sf "http://127.0.0.1:$HTTP_PORT/v2/health/ready" > /dev/null || { echo "the service is not ready after 120 s"; exit 1; }
curl -s "http://127.0.0.1:$HTTP_PORT/actuator/prometheus" > "$OUT/metrics-before.txt"

echo "== running the simulation for ${DURATION} s"
set +e
./mvnw -B -pl load-tests gatling:test -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DdurationSeconds="$DURATION" -DrateScale="$RATE_SCALE" > "$OUT/gatling.log" 2>&1
STATUS=$?
set -e
curl -s "http://127.0.0.1:$HTTP_PORT/actuator/prometheus" > "$OUT/metrics-after.txt"
kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

bash load-tests/summary.sh "$OUT"
echo
echo "== Gatling's assertions (exit $STATUS)"
grep -E ' : (true|false) \(actual' "$OUT/gatling.log" || echo "(none printed; see $OUT/gatling.log)"
echo "Gatling's report: $(grep -oE '[^ ]*load-tests/target/gatling/[^ ]*index.html' "$OUT/gatling.log" | tail -1)"
exit $STATUS
