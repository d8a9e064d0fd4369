# Sourced by the container scripts: picks the engine and, for podman on machines whose cgroup layout the
# default runtime (crun) refuses, a configuration with runc and explicit rlimits (no change to /etc).
ULIMITS=()
if command -v podman > /dev/null 2>&1; then
  ENGINE=podman
  if command -v runc > /dev/null 2>&1 && [ -z "${CONTAINERS_CONF:-}" ]; then
    CONTAINERS_CONF=${TMPDIR:-/tmp}/edgenpu-containers.conf
    # The container's rlimits may not exceed this process's hard limits (runc fails with EPERM otherwise).
    # nproc at the hard limit itself was refused here too; the service needs under a hundred threads.
    NOFILE=$(ulimit -Hn); NPROC=8192
    [ "$NOFILE" = unlimited ] && NOFILE=65536
    # podman build does not apply default_ulimits to its RUN steps: the scripts pass these as --ulimit.
    ULIMITS=(--ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC")
    cat > "$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=$NPROC:$NPROC"]
[engine]
runtime = "runc"
CONF
    export CONTAINERS_CONF
  fi
elif command -v docker > /dev/null 2>&1 && docker info > /dev/null 2>&1; then
  ENGINE=docker
else
  echo "no container engine: install podman (apt-get install podman runc) or run a docker daemon" >&2
  return 3 2> /dev/null || exit 3
fi
