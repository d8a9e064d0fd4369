#!/usr/bin/env bash
# NAWQ-SR results for every served SR network (edsr-x2, esrgan-slim-x2, esrgan-slim-x4: RGB; sr-x2, sr-x4:
# luma): first the offline hybrid-precision search of each <model>-nawq entry on its shipped calibration set
# (writes models/repository/<model>-nawq/hpq/eps-*.json), then the tables on the held-out images (FP32,
# all-A16W8, all-A8W8, every searched configuration, each with the runtime codec; bicubic; the r16 sweep and
# the tile table) and one Pareto chart per network. Every integer PSNR/SSIM is computed from images the NPU's
# integer kernels produced. About 15 minutes on 2 cores. Run from the repository root:
#   bash docs/results/nawq-sr/command.sh
# (screening.csv is written by the model preparation, python models/convert/screen_quant.py.)
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q -pl experiments -am install -DskipTests
OUT=docs/results/nawq-sr
JAR=experiments/target/experiments.jar
bash docs/benchmarks/machine.sh "$OUT"
search() { # model, tolerances (dB of calibration-set PSNR vs FP32)
  rm -f "models/repository/$1/hpq/"eps-*.json
  java -jar "$JAR" nawq-search --model "$1" --eps "$2"
}
search sr-x2-nawq 0.02,0.03,0.10
search sr-x4-nawq 0.02,0.03,0.10
search esrgan-slim-x2-nawq 0.10,0.30,0.50
search esrgan-slim-x4-nawq 0.10,0.30,0.50
search edsr-x2-nawq 0.10,0.30,0.50
java -jar "$JAR" nawq-results --out "$OUT"
