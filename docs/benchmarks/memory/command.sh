#!/usr/bin/env bash
# Memory of the service with every default model loaded, idle and after a mixed load (ee-digits, sr-x2,
# fabnet-listops, digits-cnn; wrk, 10 s each), under two JVM settings: the Helm chart's (heap at 60 % of a
# 1 GiB container: -XX:MaxRAM=1g -XX:MaxRAMPercentage=60) and a small heap (-Xmx256m). RSS from ps; heap
# from the service's own metrics. Loopback only, ~2 minutes. Run from the repository root:
#   bash docs/benchmarks/memory/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
source docs/benchmarks/wrk-post.sh
OUT=docs/benchmarks/memory
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
./mvnw -B -q -pl service -am -DskipTests package

lua() { wrk_post "$1" "/tmp/edgenpu-mem-$2.lua" "$3"; }   # body file, name, content type -> wrk script
lua docs/examples/ee-digits-request.json ee application/json
lua load-tests/src/test/resources/bodies/sr-x2.json sr application/json
printf '[MAX 2 9 [MIN 4 7 ] 0 ]' > /tmp/edgenpu-mem-listops.txt
lua /tmp/edgenpu-mem-listops.txt listops text/plain
metric() { curl -s "localhost:18000/actuator/metrics/jvm.memory.$1?tag=area:heap" | sed -E 's/.*"value":([0-9.E]+).*/\1/' | awk '{printf "%.0f", $1 / 1048576}'; }

echo "jvm_options,rss_idle_mb,rss_after_load_mb,heap_used_mb,heap_committed_mb,heap_max_mb" > $OUT/results.csv
for opts in "-XX:MaxRAM=1g -XX:MaxRAMPercentage=60" "-Xmx256m"; do
  # shellcheck disable=SC2086
  java $opts -jar service/target/service-0.1.0-SNAPSHOT.jar --server.port=18000 --spring.grpc.server.address=127.0.0.1:18001 \
    --server.address=127.0.0.1 --logging.level.root=WARN > /tmp/edgenpu-mem-service.log 2>&1 &
  SERVICE=$!
  for _ in $(seq 1 90); do curl -sf localhost:18000/v2/health/ready >/dev/null && break; sleep 1; done
  sleep 2
  idle=$(( $(ps -o rss= -p $SERVICE) / 1024 ))
  wrk -t2 -c16 -d10s -s /tmp/edgenpu-mem-ee.lua http://127.0.0.1:18000/v2/models/ee-digits/infer > /dev/null
  wrk -t1 -c4 -d10s -s /tmp/edgenpu-mem-sr.lua http://127.0.0.1:18000/v2/models/sr-x2/infer > /dev/null
  wrk -t1 -c4 -d10s -s /tmp/edgenpu-mem-listops.lua http://127.0.0.1:18000/v2/models/fabnet-listops/listops > /dev/null
  wrk -t2 -c16 -d10s -s /tmp/edgenpu-mem-ee.lua http://127.0.0.1:18000/v2/models/digits-cnn/infer > /dev/null
  loaded=$(( $(ps -o rss= -p $SERVICE) / 1024 ))
  echo "$opts,$idle,$loaded,$(metric used),$(metric committed),$(metric max)" >> $OUT/results.csv
  kill $SERVICE; wait $SERVICE 2>/dev/null || true
done
bash docs/benchmarks/machine.sh "$OUT"
column -s, -t $OUT/results.csv
