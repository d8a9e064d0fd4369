#!/usr/bin/env bash
# NPU reports of every shipped model on the default (fluid-npu) and baseline profiles, and the design-space
# sweep of ee-digits. Bounded (about a minute). Run from the repository root:
#   bash docs/results/npu/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q install -DskipTests
X="java -jar experiments/target/experiments.jar"
OUT=docs/results/npu
for model in ee-digits digits-cnn sr-x2 sr-x4; do
  for profile in fluid-npu baseline-npu; do
    mkdir -p "$OUT/$model"
    $X npu-report --model "$model" --profile "$profile" --out "$OUT/$model/$profile" | tee "$OUT/$model/$profile.txt"
  done
done
$X npu-sweep --model ee-digits --out "$OUT/sweep-ee-digits"
# The emulated NPU against published figures of real edge NPUs (Hailo Model Zoo batch-1/batch-8 FPS on Hailo-8,
# Coral's Edge TPU latencies): batching-validation.csv and batching-validation-summary.txt. The shape-only
# graphs in models/npu-zoo come from models/training/npu_zoo.py (needs PyTorch; they are committed, so this
# command does not).
$X npu-validate --out "$OUT"
bash docs/benchmarks/machine.sh "$OUT"
