#!/usr/bin/env bash
# Retrains and re-exports every shipped model (about two hours on 2 cores; the six ListOps runs take most). Needs Python with the packages of
# models/requirements.txt (they install with pip on the build machines); the service never needs Python.
#   bash models/train_all.sh            # everything
#   TRAIN_THREADS=2 bash models/train_all.sh
set -euo pipefail
cd "$(dirname "$0")/training"
PY=${PYTHON:-python3}
$PY simple.py
$PY ee_cnn.py
$PY ee_cnn.py --wide   # ee-resnet18-digits, into models/live (the live fluid-batching experiment)
$PY sr.py --scale 2
$PY sr.py --scale 4
$PY edsr.py                      # edsr-x2 (RGB, EDSR-baseline style; about 55 minutes)
# The converted RGB networks: fetch the pinned npm packages (checksums checked), convert, write the entries
bash ../convert/fetch_esrgan.sh
$PY ../convert/esrgan.py
$PY ../convert/sr_entries.py esrgan-slim-x2 esrgan-slim-x4 edsr-x2
$PY ../convert/screen_quant.py   # docs/results/nawq-sr/screening.csv
for seed in 0 1 2; do            # three seeds of each ListOps model; seed 0 is the one served
  $PY listops.py fabnet --seed $seed
  $PY listops.py transformer --seed $seed
done
$PY listops.py finish fabnet
$PY listops.py finish transformer
$PY listops.py bench
echo "done: models/repository, models/live and models/bench re-exported"
echo "then the integer SR models' hybrid-precision configurations and results (Java, from the repository root):"
echo "  bash docs/results/nawq-sr/command.sh"
