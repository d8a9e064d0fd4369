#!/usr/bin/env bash
# Gateway overhead over gRPC, and tail latency at half of saturation over REST and gRPC: the service vs a bare
# endpoint on the same stack (REST: Reactor Netty, BareEndpoint; gRPC: grpc-java's Netty server,
# BareGrpcEndpoint), both answering the `simple` model's request with the service's own response bytes.
# 1. closed loop, 1/4/16/64 requests in flight, 10 s each: throughput and latency (gRPC);
# 2. open loop at half of the service's saturated throughput (REST and gRPC), 15 s: p50/p99 of service and
#    bare at the same offered load, latency measured from each request's intended send time.
# Side by side in one run, loopback only, bounded (~4 minutes). Run from the repository root:
#   bash docs/benchmarks/gateway-latency/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/gateway-latency
SECONDS_PER_POINT=${SECONDS_PER_POINT:-10}

./mvnw -B -q install -DskipTests
./mvnw -B -q -pl load-tests dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=/tmp/edgenpu-lat-cp.txt
CP=$(cat /tmp/edgenpu-lat-cp.txt):load-tests/target/classes
client() { java -cp "$CP" io.edgenpu.loadtests.LoadClient "$@"; }

java -jar service/target/service-0.1.0-SNAPSHOT.jar --server.port=18000 --spring.grpc.server.address=127.0.0.1:18001 \
  --server.address=127.0.0.1 --logging.level.root=WARN > /tmp/edgenpu-lat-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE $BARE_REST $BARE_GRPC 2>/dev/null || true' EXIT
BARE_REST=""; BARE_GRPC=""
for _ in $(seq 1 90); do curl -sf localhost:18000/v2/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:18000/v2/health/ready >/dev/null

curl -sf -H 'Content-Type: application/json' -d @docs/examples/simple-request.json localhost:18000/v2/models/simple/infer \
  > /tmp/edgenpu-lat-simple.json
client grpc 127.0.0.1:18001 - capture /tmp/edgenpu-lat-simple.bin
java -cp "$CP" io.edgenpu.loadtests.BareEndpoint 18100 simple=/tmp/edgenpu-lat-simple.json > /tmp/edgenpu-lat-bare-rest.log 2>&1 &
BARE_REST=$!
java -cp "$CP" io.edgenpu.loadtests.BareGrpcEndpoint 18101 /tmp/edgenpu-lat-simple.bin > /tmp/edgenpu-lat-bare-grpc.log 2>&1 &
BARE_GRPC=$!
sleep 3

echo "protocol,target,mode,load,requests_per_s,p50_ms,p99_ms,errors" > $OUT/results.csv
best=0
for c in 1 4 16 64; do
  for t in service:18001 bare:18101; do
    r=$(client grpc 127.0.0.1:${t#*:} - closed "$c" "$SECONDS_PER_POINT")
    echo "grpc,${t%%:*},closed,$c,$r" >> $OUT/results.csv
    [ "${t%%:*}" = service ] && best=$(awk -v a="$best" -v b="${r%%,*}" 'BEGIN {print (b > a ? b : a)}')
  done
done
GRPC_HALF=$(awk -v b="$best" 'BEGIN {printf "%d", b / 2}')
# REST saturation of the service: the best closed-loop throughput at 16 and 64 in flight.
rest_best=0
for c in 16 64; do
  r=$(client rest 127.0.0.1:18000 docs/examples/simple-request.json closed "$c" "$SECONDS_PER_POINT")
  echo "rest,service,closed,$c,$r" >> $OUT/results.csv
  rest_best=$(awk -v a="$rest_best" -v b="${r%%,*}" 'BEGIN {print (b > a ? b : a)}')
done
REST_HALF=$(awk -v b="$rest_best" 'BEGIN {printf "%d", b / 2}')
for t in service:18001 bare:18101; do
  echo "grpc,${t%%:*},open,$GRPC_HALF,$(client grpc 127.0.0.1:${t#*:} - open "$GRPC_HALF" 15)" >> $OUT/results.csv
done
for t in service:18000 bare:18100; do
  echo "rest,${t%%:*},open,$REST_HALF,$(client rest 127.0.0.1:${t#*:} docs/examples/simple-request.json open "$REST_HALF" 15)" >> $OUT/results.csv
done
bash docs/benchmarks/machine.sh "$OUT"
column -s, -t $OUT/results.csv
