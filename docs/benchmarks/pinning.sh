# Sourced by the benchmark scripts: where `taskset` works on 2+ CPUs, the load generator runs on CPU 0
# ($LOAD) and the server on CPU 1 ($SERVE); otherwise both run unpinned. $PINNING says which.
if taskset -c 0 true 2> /dev/null && [ "$(nproc)" -ge 2 ]; then
  LOAD="taskset -c 0"; SERVE="taskset -c 1"; PINNING="load generator on CPU 0, server on CPU 1"
else
  LOAD=""; SERVE=""; PINNING="no pinning (taskset unavailable or one CPU)"
fi
