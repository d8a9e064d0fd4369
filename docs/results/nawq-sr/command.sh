#!/usr/bin/env bash
# NAWQ-SR results: the shipped SR models on the five held-out images (whole) in FP32, all-A16W8, all-A8W8,
# the shipped hybrid-precision configurations (models/repository/sr-x*-nawq/hpq/, written by
# `experiments.jar nawq-search`), and with the runtime tile codec; bicubic from the model cards. Every
# integer PSNR/SSIM is computed from images the NPU's integer kernels produced. Calibration: the shipped
# calib/ sets (crops of training images). About a minute. Run from the repository root:
#   bash docs/results/nawq-sr/command.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q -pl experiments -am install -DskipTests
OUT=docs/results/nawq-sr
bash docs/benchmarks/machine.sh "$OUT"
java -jar experiments/target/experiments.jar nawq-results --out "$OUT"
