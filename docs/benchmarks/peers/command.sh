#!/usr/bin/env bash
# Peer benchmark: this service against what a user would pick instead, side by side in one run, loopback
# only, bounded (about 25 minutes). Writes docs/benchmarks/peers/results.csv, open-loop.csv, shed.csv,
# answers.txt, machine.txt, run-output.txt (its own output) and chart-*.png. Needs wrk and taskset (Debian: wrk, util-linux) and Python 3 with pip (the peer is installed
# into target/peers-venv from requirements.txt).
#
# Servers (each configured for speed, as its users would):
#   edge-npu-serving   this service (java -jar), simple and digits-cnn on the cpu device, ee-digits on the NPU
#   fastapi-ort        FastAPI + uvicorn + onnxruntime (fastapi_oip.py): one process per core, TCP_NODELAY on
#   bare-netty         a bare Reactor Netty endpoint answering a constant response (the gateway's floor)
#   bare-grpc          the OIP gRPC service on grpc-java answering a constant response (the gRPC floor)
#   direct-ort         ONNX Runtime called in-process, one session run at a time (the compute floor)
# Loads: closed loop (wrk, 1/4/16/64 connections, 10 s per point, batch 1 and 8) after 60 s of warm-up per
# server; open loop at 50 % and 80 % of the slower server's closed-loop saturation, both servers of a pair
# at the same rates (LoadClient: a fixed rate, latency from each request's intended
# send time, HdrHistogram, so coordinated omission is corrected), REST and gRPC. Where `taskset` works, the
# load generators run on CPU 0 and the servers on CPU 1; every point alternates the servers.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/peers
exec > >(tee "$OUT/run-output.txt") 2>&1 # the run's own output, kept beside its results
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-"1 4 16 64"}
TMP=target/peers
mkdir -p "$TMP"
command -v wrk > /dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

source docs/benchmarks/pinning.sh

echo "== building"
./mvnw -B -q install -DskipTests
./mvnw -B -q -pl load-tests dependency:build-classpath -Dmdep.outputFile="$PWD/$TMP/cp.txt" > /dev/null
CP=$(cat "$TMP/cp.txt"):load-tests/target/classes
./mvnw -B -q -pl load-tests dependency:build-classpath -DincludeArtifactIds=onnxruntime,HdrHistogram \
  -Dmdep.outputFile="$PWD/$TMP/ort-cp.txt" > /dev/null
ORT_CP=$(cat "$TMP/ort-cp.txt"):load-tests/target/classes
if [ ! -x target/peers-venv/bin/python ]; then
  python3 -m venv target/peers-venv
fi
target/peers-venv/bin/pip install --retries 0 --timeout 10 -q -r $OUT/requirements.txt

echo "== request bodies"
python3 - "$TMP" <<'PY'
import json, sys
out = sys.argv[1]
digit = json.load(open("docs/examples/ee-digits-request.json"))
simple = json.load(open("docs/examples/simple-request.json"))
def flat(x):
    return [v for y in x for v in flat(y)] if isinstance(x, list) else [x]
pixels = flat(digit["inputs"][0]["data"])
for b in (1, 8):
    json.dump({"inputs": [{"name": "image", "shape": [b, 1, 32, 32], "datatype": "FP32", "data": pixels * b}]},
              open(f"{out}/digits-b{b}.json", "w"), separators=(",", ":"))
    json.dump({"inputs": [{"name": i["name"], "shape": [b, 16], "datatype": "INT32", "data": i["data"] * b}
                          for i in simple["inputs"]]}, open(f"{out}/simple-b{b}.json", "w"), separators=(",", ":"))
PY
for f in "$TMP"/*.json; do
  name=$(basename "$f" .json)
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' "$PWD/$f" > "$TMP/$name.lua"
done

echo "== starting the servers ($PINNING)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; }
trap cleanup EXIT
cp service/target/service-0.1.0-SNAPSHOT.jar "$TMP/service.jar" # a rebuild during the run cannot touch it
$SERVE java -jar "$TMP/service.jar" --server.address=127.0.0.1 --server.port=18500 \
  --spring.grpc.server.address=127.0.0.1:18501 --edgenpu.model-devices.simple=cpu --edgenpu.model-devices.digits-cnn=cpu \
  --logging.level.root=WARN > "$TMP/service.log" 2>&1 &
PIDS+=($!); SERVICE=$!
$SERVE target/peers-venv/bin/python $OUT/fastapi_oip.py models/repository 18600 > "$TMP/fastapi.log" 2>&1 &
PIDS+=($!); FASTAPI=$!
for _ in $(seq 1 120); do curl -sf localhost:18500/v2/health/ready > /dev/null && break; sleep 1; done
for _ in $(seq 1 60); do curl -sf localhost:18600/v2/models/simple/ready > /dev/null && break; sleep 1; done
for m in simple digits-cnn; do
  curl -sf -H 'Content-Type: application/json' -d @"$TMP/${m%-cnn}-b1.json" localhost:18500/v2/models/$m/infer > "$TMP/service-$m.json" 2> /dev/null \
    || curl -sf -H 'Content-Type: application/json' -d @"$TMP/digits-b1.json" localhost:18500/v2/models/$m/infer > "$TMP/service-$m.json"
done
$SERVE java -cp "$CP" io.edgenpu.loadtests.BareEndpoint 18700 simple="$TMP/service-simple.json" > "$TMP/bare.log" 2>&1 &
PIDS+=($!)
java -cp "$CP" io.edgenpu.loadtests.LoadClient grpc 127.0.0.1:18501 - capture "$TMP/grpc-simple.bin"
$SERVE java -cp "$CP" io.edgenpu.loadtests.BareGrpcEndpoint 18800 "$TMP/grpc-simple.bin" > "$TMP/bare-grpc.log" 2>&1 &
PIDS+=($!)
sleep 3

echo "== the servers give the same answers"
python3 - "$TMP" > $OUT/answers.txt <<'PY'
import json, sys, urllib.request
out = sys.argv[1]
def post(port, model, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/{model}/infer", data=open(body, "rb").read(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
for model, body in (("simple", "simple-b8"), ("digits-cnn", "digits-b8")):
    a, b = post(18500, model, f"{out}/{body}.json"), post(18600, model, f"{out}/{body}.json")
    for oa in a["outputs"]:
        ob = next(o for o in b["outputs"] if o["name"] == oa["name"])
        diff = max(abs(x - y) for x, y in zip(oa["data"], ob["data"]))
        assert oa["shape"] == ob["shape"] and diff < 1e-4, (model, oa["name"], diff)
        print(f"{model} {oa['name']} shape {oa['shape']}: max |edge-npu-serving - fastapi-ort| = {diff:.2e}")
PY
cat $OUT/answers.txt

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000} else print v}'; }
# Resident memory of a server and its child processes (the Python peer serves from worker processes).
rss() { ps -o rss= --ppid "$1" -p "$1" | awk '{s += $1} END {printf "%.0f", s/1024}'; }
closed() { # server port pid model bodyname batch connections
  local out rps p50 p99 total refused
  out=$($LOAD wrk -t1 -c"$7" -d"${DURATION}s" --latency -s "$TMP/$5.lua" "http://127.0.0.1:$2/v2/models/$4/infer")
  # Throughput counts answers with a result only: this service refuses (429) what it predicts would miss the
  # model's SLO, where the peers queue without limit; refusals are reported apart (shed.csv).
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  refused=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  rps=$(awk -v t="$total" -v r="${refused:-0}" -v d="$DURATION" 'BEGIN {printf "%.1f", (t - r) / d}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  if [ -n "$refused" ]; then echo "$1,$4,$6,$7,$total,$refused" >> $OUT/shed.csv; fi
  echo "$1,$4,$6,$7,closed,$rps,$p50,$p99,$(rss "$3")" | tee -a $OUT/results.csv
}

echo "server,model,batch,connections,mode,requests_per_s,p50_ms,p99_ms,rss_mb" > $OUT/results.csv
echo "server,model,batch,connections,answers,refused" > $OUT/shed.csv
echo "== warm-up (not recorded): 60 s per server"
# A JVM on one core needs about a minute of load before its JIT has compiled the request path (measured:
# batch-1 digits-cnn at one connection goes from 360 to 960 requests/s over the first 45 s); a server
# runs for days, so its steady state is what counts. The Python peer gets the same warm-up.
for s in "edge-npu-serving 18500" "fastapi-ort 18600"; do
  set -- $s
  $LOAD wrk -t1 -c8 -d30s -s "$TMP/digits-b1.lua" "http://127.0.0.1:$2/v2/models/digits-cnn/infer" > /dev/null
  $LOAD wrk -t1 -c8 -d15s -s "$TMP/simple-b1.lua" "http://127.0.0.1:$2/v2/models/simple/infer" > /dev/null
  $LOAD wrk -t1 -c8 -d15s -s "$TMP/digits-b8.lua" "http://127.0.0.1:$2/v2/models/digits-cnn/infer" > /dev/null
done
$LOAD wrk -t1 -c8 -d15s -s "$TMP/digits-b1.lua" "http://127.0.0.1:18500/v2/models/ee-digits/infer" > /dev/null
$LOAD wrk -t1 -c8 -d15s -s "$TMP/simple-b1.lua" "http://127.0.0.1:18700/v2/models/simple/infer" > /dev/null
$LOAD java -cp "$CP" io.edgenpu.loadtests.LoadClient grpc 127.0.0.1:18501 - closed 16 15 > /dev/null
$LOAD java -cp "$CP" io.edgenpu.loadtests.LoadClient grpc 127.0.0.1:18800 - closed 16 15 > /dev/null

echo "== closed loop"
for model in digits-cnn simple; do
  body=${model%-cnn}
  for b in 1 8; do
    for c in $CONNECTIONS; do
      closed edge-npu-serving 18500 $SERVICE $model "$body-b$b" $b $c
      closed fastapi-ort 18600 $FASTAPI $model "$body-b$b" $b $c
      if [ $model = simple ] && [ $b = 1 ]; then closed bare-netty 18700 "${PIDS[2]}" simple simple-b1 1 $c; fi
    done
  done
done
for b in 1 8; do for c in $CONNECTIONS; do closed edge-npu-serving 18500 $SERVICE ee-digits "digits-b$b" $b $c; done; done

echo "== ONNX Runtime called directly (one session run at a time)"
for threads in 1 2; do
  for b in 1 8; do
    line=$($SERVE java -cp "$ORT_CP" io.edgenpu.loadtests.DirectOrt models/repository/digits-cnn/1/model.onnx image 1x32x32 $b $DURATION $threads)
    IFS=, read -r _ sps runs p50 p99 <<< "$line"
    rps=$(awk -v s="$sps" -v b=$b 'BEGIN {printf "%.1f", s / b}')
    echo "direct-ort-${threads}t,digits-cnn,$b,-,closed,$rps,$p50,$p99," | tee -a $OUT/results.csv
  done
done

echo "== open loop: both servers of a pair at the same rates, 50 % and 80 % of the slower one's saturation"
# A fixed rate from the load generator (LoadClient: latency from each request's intended send time, so
# coordinated omission is corrected). A point whose achieved rate is under 95 % of its target measured
# the load generator, not the server: open-loop.csv marks it client-limited.
echo "server,model,protocol,share,target_per_s,achieved_per_s,p50_ms,p99_ms,errors,client_limited" > $OUT/open-loop.csv
sat() { awk -F, -v s="$1" -v m="$2" '$1==s && $2==m && $3==1 && $5=="closed" && $6>max {max=$6} END {print max+0}' $OUT/results.csv; }
open_pair() { # model protocol body "server address"...
  local model=$1 protocol=$2 body=$3 slowest=0 rate line
  shift 3
  for pair in "$@"; do
    set -- $pair
    local s; s=$(sat "$1" "$model")
    if [ "$slowest" = 0 ] || awk -v a="$s" -v b="$slowest" 'BEGIN {exit !(a < b)}'; then slowest=$s; fi
  done
  for share in 50 80; do
    rate=$(awk -v s="$slowest" -v p=$share 'BEGIN {printf "%.0f", s * p / 100}')
    for pair in "${PAIRS[@]}"; do
      set -- $pair
      if [ "$protocol" = grpc ]; then
        line=$($LOAD java -cp "$CP" io.edgenpu.loadtests.LoadClient grpc "$2" - open "$rate" "$DURATION")
      else
        line=$($LOAD java -Dmodel="$model" -cp "$CP" io.edgenpu.loadtests.LoadClient rest "$2" "$body" open "$rate" "$DURATION")
      fi
      IFS=, read -r rps p50 p99 errors <<< "$line"
      limited=$(awk -v a="$rps" -v t="$rate" 'BEGIN {print (a < 0.95 * t) ? "yes" : "no"}')
      echo "$1,$model,$protocol,$share,$rate,$rps,$p50,$p99,$errors,$limited" | tee -a $OUT/open-loop.csv
      echo "$1,$model,1,-,open-$share,$rps,$p50,$p99," >> $OUT/results.csv
    done
  done
}
PAIRS=("edge-npu-serving 127.0.0.1:18500" "fastapi-ort 127.0.0.1:18600")
open_pair digits-cnn rest "$TMP/digits-b1.json" "${PAIRS[@]}"
PAIRS=("edge-npu-serving 127.0.0.1:18500" "bare-netty 127.0.0.1:18700")
open_pair simple rest "$TMP/simple-b1.json" "${PAIRS[@]}"
# gRPC: saturation from a closed-loop run of LoadClient itself (wrk speaks no gRPC).
for s in "edge-npu-serving-grpc 127.0.0.1:18501" "bare-grpc 127.0.0.1:18800"; do
  set -- $s
  for c in 16 64; do
    line=$($LOAD java -cp "$CP" io.edgenpu.loadtests.LoadClient grpc "$2" - closed $c "$DURATION")
    IFS=, read -r rps p50 p99 errors <<< "$line"
    echo "$1,simple,1,$c,closed,$rps,$p50,$p99," | tee -a $OUT/results.csv
  done
done
PAIRS=("edge-npu-serving-grpc 127.0.0.1:18501" "bare-grpc 127.0.0.1:18800")
open_pair simple grpc - "${PAIRS[@]}"

echo "== memory after the load"
echo "edge-npu-serving RSS $(rss $SERVICE) MB; fastapi-ort RSS (all processes) $(ps -o rss= --ppid $FASTAPI -p $FASTAPI | awk '{s+=$1} END {printf "%.0f", s/1024}') MB"
cleanup
trap - EXIT

bash docs/benchmarks/machine.sh "$OUT" "pinning: $PINNING" \
  "python peer: $(target/peers-venv/bin/pip freeze | grep -iE '^(fastapi|uvicorn|onnxruntime|numpy|orjson)==' | tr '\n' ' ')" \
  "wrk: $(wrk -v 2>&1 | head -1)"
java -jar experiments/target/experiments.jar chart --csv $OUT/results.csv --filter mode=closed,model=digits-cnn,batch=1 \
  --x connections --y requests_per_s --series server --title "digits-cnn, batch 1, closed loop" --out $OUT/chart-throughput.png
java -jar experiments/target/experiments.jar chart --csv $OUT/results.csv --filter mode=closed,model=digits-cnn,batch=1 \
  --x connections --y p50_ms --series server --title "digits-cnn, batch 1, closed loop: p50 latency (ms)" --out $OUT/chart-p50.png
echo "results: $OUT/results.csv"
