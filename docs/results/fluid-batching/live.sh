#!/usr/bin/env bash
# The live fluid-batching experiment: the running service, on the emulated edge-tpu-class NPU, driven by
# the same open-loop schedule (Poisson arrivals of held-out samples) under three policies (fluid, dynamic
# batching, FCFS) at loads 0.5, 0.7 and 0.9 of the device's capacity, for ee-digits and ee-resnet18-digits;
# the simulator's prediction of every run beside it. About 30 minutes on 2 cores (3 policies x 2 models x
# 3 loads x (60 s + 15 s of warm-up), plus start-ups and the calibration). Loopback only; bounded.
# Writes into docs/results/fluid-batching/live/: host-vs-modelled.csv and time-scale.csv (calibration),
# live.csv (the live runs), overruns.txt (every overrun, with its host time), live-sim.csv (the simulator), live-vs-sim.csv, live-gains.csv, live-*.png,
# machine.txt and run-output.txt. Run from anywhere:  bash docs/results/fluid-batching/live.sh
#   SECONDS_PER_RUN=60 (default), PROFILE=edge-tpu-class (default)
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/results/fluid-batching/live
WORK=target/fluid-live
PROFILE=${PROFILE:-edge-tpu-class}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
MODELS=models/repository/ee-digits,models/live/ee-resnet18-digits
mkdir -p "$OUT" "$WORK"
rm -rf "$WORK/repositories"
exec > >(tee "$OUT/run-output.txt") 2>&1 # the run's own output, kept beside its results

source docs/benchmarks/pinning.sh

echo "== building"
./mvnw -B -q install -DskipTests
./mvnw -B -q -pl load-tests dependency:build-classpath -Dmdep.outputFile="$PWD/$WORK/cp.txt" > /dev/null
CP=$(cat "$WORK/cp.txt"):load-tests/target/classes
cp service/target/service-0.1.0-SNAPSHOT.jar "$WORK/service.jar" # a rebuild during the run cannot touch it
EXP="java -jar experiments/target/experiments.jar fluid-live --models $MODELS --profile $PROFILE --out $OUT --work $WORK"

echo "== calibration: host compute vs modelled time per stage and batch size ($SERVE)"
$SERVE $EXP --step calibrate
echo "== plan: schedules, per-policy repositories, the simulator's prediction"
$EXP --step plan --seconds "$SECONDS_PER_RUN"

: > "$OUT/overruns.txt"
echo "policy,profile,model,load,requests,p50_ms,p99_ms,slo_attainment,overruns,time_scale,preemptions,errors,server_p50_ms,server_p99_ms" > "$OUT/live.csv"
SERVICE=""
cleanup() { [ -n "$SERVICE" ] && kill "$SERVICE" 2> /dev/null || true; }
trap cleanup EXIT
for policy in fluid dynamic fcfs; do
  for model in $(tail -n +2 "$WORK/runs.csv" | cut -d, -f1 | uniq); do
    scale=$(grep "^$model," "$WORK/runs.csv" | head -1 | cut -d, -f5)
    echo "== $policy, $model: starting the service at time scale $scale ($PINNING)"
    # ZGC: on one CPU the JVM would pick the serial collector, whose 15-50 ms pauses stop the device loop
    # mid-stage (overruns); each overrun is logged with its host time (debug line of PacedAccelerator).
    $SERVE java -XX:+UseZGC -Xlog:gc:file="$WORK/gc-$policy-$model.log" -jar "$WORK/service.jar" \
      --server.address=127.0.0.1 --server.port=18700 --spring.grpc.server.address=127.0.0.1:18701 \
      --edgenpu.model-repository="$WORK/repositories/$policy-$model" --edgenpu.npu.profile="$PROFILE" \
      --edgenpu.npu.time-scale="$scale" --logging.level.root=WARN \
      --logging.level.io.edgenpu.service.device.PacedAccelerator=DEBUG > "$WORK/service-$policy-$model.log" 2>&1 &
    SERVICE=$!
    for _ in $(seq 1 180); do curl -sf 127.0.0.1:18700/v2/health/ready > /dev/null && break; sleep 1; done
    curl -sf 127.0.0.1:18700/v2/health/ready > /dev/null || { echo "service not ready"; tail -50 "$WORK/service-$policy-$model.log"; exit 1; }
    while IFS=, read -r m load schedule slo scale images; do
      # each run first replays its schedule's first 15 s unmeasured (JIT warm-up of client and service)
      line=$($LOAD java -cp "$CP" io.edgenpu.loadtests.LiveRun 127.0.0.1:18700 "$m" "$schedule" "$images" "$slo" "$scale" 15)
      echo "$policy,$PROFILE,$m,$load,$line" | tee -a "$OUT/live.csv"
    done < <(grep "^$model," "$WORK/runs.csv")
    kill "$SERVICE"; wait "$SERVICE" 2> /dev/null || true; SERVICE=""
    grep -o "overrun: .*" "$WORK/service-$policy-$model.log" | sed "s/^/$policy: /" >> "$OUT/overruns.txt" || true
  done
done

echo "== report"
$EXP --step report
bash docs/benchmarks/machine.sh "$OUT"
cat "$OUT/live-gains.csv"
