#!/usr/bin/env bash
# Describes this machine, the JVM and the commit a benchmark ran on, for its folder's machine.txt:
#   bash docs/benchmarks/machine.sh OUT_FOLDER [extra lines...]
# Every benchmark and results command calls it, so each figure in docs/ has the machine it came from.
set -euo pipefail
out=$1
shift
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | xargs) x $(nproc) (visible cores)"
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "os: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  for line in "$@"; do echo "$line"; done
} > "$out/machine.txt"
