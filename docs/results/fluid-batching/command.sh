#!/usr/bin/env bash
# The fluid-batching experiments R1-R10 and goodput at 99% SLO attainment, in virtual time, every system on
# identical seeded traces (20 000 measured requests after 1 000 of warm-up, 5 seeds per cell). About 2 minutes
# on 2 cores. Run from the repository root:  bash docs/results/fluid-batching/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q install -DskipTests
java -jar experiments/target/experiments.jar fluid-batching --out docs/results/fluid-batching "$@"
bash docs/benchmarks/machine.sh docs/results/fluid-batching
# Attribution per NPU profile (scheduler, hardware and combined gains; stable and overload cells apart) and
# mechanism activity: about half a minute.
java -jar experiments/target/experiments.jar fluid-attribution --out docs/results/fluid-batching
