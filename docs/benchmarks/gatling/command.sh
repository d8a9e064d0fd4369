#!/usr/bin/env bash
# The smart-home Gatling run (load-tests/run.sh, 60 s of load), its summary kept here with the machine it
# ran on. About 2.5 minutes. Run from the repository root:  bash docs/benchmarks/gatling/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=docs/benchmarks/gatling
set +e
bash load-tests/run.sh | tee "$OUT/summary.txt"
STATUS=${PIPESTATUS[0]}
set -e
bash docs/benchmarks/machine.sh "$OUT" "load: DURATION=${DURATION:-60} RATE_SCALE=${RATE_SCALE:-1}, Gatling exit status $STATUS"
exit "$STATUS"
