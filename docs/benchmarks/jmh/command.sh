#!/usr/bin/env bash
# JMH benchmarks of the scheduler's and the cost model's hot paths: 2 forks x 10 measured iterations of
# 1 s after 5 warm-up iterations, average time per operation. A row whose 99.9 % error is at least its
# score is marked inconclusive in the .txt summary (this shared 2-core VM is noisy); read only the others.
# About 15 minutes. Run from the repository root:  bash docs/benchmarks/jmh/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/jmh
./mvnw -B -q -pl experiments -am install -DskipTests
for bench in CostLookupBenchmark:cost-lookups SchedulingDecisionBenchmark:scheduling-decision; do
  IFS=: read -r name file <<< "$bench"
  echo "== $name"
  java -cp experiments/target/experiments.jar org.openjdk.jmh.Main "$name" -f 2 -wi 5 -i 10 -w 1s -r 1s \
    -rf csv -rff "$OUT/$file.csv" > "$OUT/$file.log"
  # benchmark, parameters, score, error, unit, verdict
  awk -F'","|^"|"$' 'NR == 1 { next }
    { gsub(/"/, ""); n = split($0, f, ","); params = "";
      for (i = 8; i <= n; i++) params = params (params == "" ? "" : " ") f[i];
      verdict = (f[6] + 0 >= f[5] + 0) ? "INCONCLUSIVE (error >= score)" : "";
      sub(/.*\./, "", f[1]);
      printf "%-28s %-26s %10.2f ± %-9.2f %-6s %s\n", f[1], params, f[5], f[6], f[7], verdict }' \
    "$OUT/$file.csv" | tee "$OUT/$file.txt"
done
bash docs/benchmarks/machine.sh "$OUT" "jmh: -f 2 -wi 5 -i 10 -w 1s -r 1s, mode avgt"
