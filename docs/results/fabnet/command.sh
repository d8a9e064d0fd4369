#!/usr/bin/env bash
# FABNet results: FLOP/parameter reductions by the spec's formulas, the butterfly accelerator's reference
# table, our ListOps models on the accelerator model, CPU latency through ONNX Runtime of FABNet vs the dense
# Transformer at L = 256..2048 and batch 1/8 (side by side, one thread), accuracies from the model cards.
# About half a minute. Run from the repository root:
#   bash docs/results/fabnet/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q install -DskipTests
OUT=docs/results/fabnet
bash docs/benchmarks/machine.sh "$OUT"
java -jar experiments/target/experiments.jar fabnet --out "$OUT" --threads 1 --warmup 5 --runs 30
