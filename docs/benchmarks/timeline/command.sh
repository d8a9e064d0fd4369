#!/usr/bin/env bash
# Where a batch-1 request's time goes inside the service: 500 sequential requests per model on one
# keep-alive connection, each with its timeline (parameters.timeline), after 100 of warm-up; the median
# and 90th percentile of every phase (arrival -> queued -> stage start -> stage end -> response) and the
# client's round trip. digits-cnn and simple on the cpu device (real ONNX Runtime), ee-digits on the
# emulated NPU. Loopback only, about a minute. Run from the repository root:
#   bash docs/benchmarks/timeline/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/timeline
./mvnw -B -q install -DskipTests
./mvnw -B -q -pl load-tests dependency:build-classpath -Dmdep.outputFile=/tmp/edgenpu-timeline-cp.txt
CP=$(cat /tmp/edgenpu-timeline-cp.txt):load-tests/target/classes
cp service/target/service-0.1.0-SNAPSHOT.jar /tmp/edgenpu-timeline-service.jar
java -jar /tmp/edgenpu-timeline-service.jar --server.port=18800 --spring.grpc.server.address=127.0.0.1:18801 \
  --server.address=127.0.0.1 --edgenpu.model-devices.digits-cnn=cpu --logging.level.root=WARN \
  > /tmp/edgenpu-timeline-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf localhost:18800/v2/health/ready >/dev/null && break; sleep 1; done
curl -sf localhost:18800/v2/health/ready >/dev/null

for spec in digits-cnn:docs/examples/ee-digits-request.json:cpu ee-digits:docs/examples/ee-digits-request.json:npu \
            simple:docs/examples/simple-request.json:cpu; do
  IFS=: read -r model body device <<< "$spec"
  echo "== $model ($device device)"
  java -cp "$CP" io.edgenpu.loadtests.TimelineProbe "http://127.0.0.1:18800/v2/models/$model/infer" "$body" 500 100 \
    | tee "$OUT/$model.csv"
done
bash docs/benchmarks/machine.sh "$OUT" "service: default settings, digits-cnn on the cpu device"
