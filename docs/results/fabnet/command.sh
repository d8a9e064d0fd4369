#!/usr/bin/env bash
# FABNet results: FLOP/parameter reductions by the authors' formulas and counted from the shipped ONNX graphs,
# the butterfly accelerator's reference table, our ListOps models on the accelerator model, FABNet on its
# accelerator vs the Transformer on an equal-budget dense engine, CPU latency through ONNX Runtime of FABNet
# vs the dense Transformer at L = 256..2048 and batch 1/8 (side by side, one thread), one butterfly layer
# dense vs factored over widths, accuracies (3 seeds) from the model cards. About two minutes on 2 cores.
# Training is separate (models/train_all.sh). Run from the repository root:
#   bash docs/results/fabnet/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q install -DskipTests
OUT=docs/results/fabnet
bash docs/benchmarks/machine.sh "$OUT"
java -jar experiments/target/experiments.jar fabnet --out "$OUT" --threads 1 --warmup 5 --runs 30
