#!/usr/bin/env bash
# Builds the service's container image, one command, from the repository:
#   bash deployment/image.sh              # tag edgenpu:0.1.0 (TAG=... to change it)
# Uses podman (or docker where podman is missing). With BASE=public (the default when a registry answers)
# the Dockerfile's public base images are pulled; with BASE=debian (the default when none does) a base is
# made from Debian packages (debootstrap --variant=minbase with openjdk-17-jdk-headless, and curl for the
# chart's probes as podman runs them) and imported, so
# nothing but the Debian mirror is needed. The local Maven repository is mounted into the build, so the
# build stage downloads nothing it already has. Prints the image's size at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source deployment/container-env.sh
TAG=${TAG:-edgenpu:0.1.0}
DEBIAN_BASE=localhost/edgenpu-debian-base:bookworm-jdk17-curl
M2=${MAVEN_REPO:-$HOME/.m2}
mkdir -p "$M2"

if [ -z "${BASE:-}" ]; then
  if timeout 20 $ENGINE pull -q docker.io/library/eclipse-temurin:17-jre > /dev/null 2>&1; then BASE=public; else BASE=debian; fi
fi
ARGS=()
if [ "$BASE" = debian ]; then
  if ! $ENGINE image inspect "$DEBIAN_BASE" > /dev/null 2>&1; then
    echo "== no registry: making a base image from Debian packages (debootstrap, a few minutes)"
    command -v debootstrap > /dev/null || { echo "debootstrap is required (apt-get install debootstrap)"; exit 1; }
    ROOTFS=$(mktemp -d /tmp/edgenpu-rootfs.XXXXXX)
    trap 'rm -rf "$ROOTFS"' EXIT
    debootstrap --variant=minbase --include=openjdk-17-jdk-headless,passwd,curl bookworm "$ROOTFS" \
      "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > /tmp/edgenpu-debootstrap.log 2>&1 \
      || { echo "debootstrap failed; see /tmp/edgenpu-debootstrap.log"; exit 1; }
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
    tar -C "$ROOTFS" -c . | $ENGINE import - "$DEBIAN_BASE" > /dev/null
    rm -rf "$ROOTFS"
    trap - EXIT
  fi
  ARGS+=(--build-arg "BUILD_IMAGE=$DEBIAN_BASE" --build-arg "RUN_IMAGE=$DEBIAN_BASE")
fi
# podman can mount the local Maven repository into the build; docker build cannot (it downloads).
if [ "$ENGINE" = podman ]; then ARGS+=(--volume "$M2:/root/.m2"); fi
echo "== building $TAG (base: $BASE)"
$ENGINE build "${ARGS[@]}" "${ULIMITS[@]}" -t "$TAG" -f Dockerfile .
echo "image $TAG: $($ENGINE image inspect "$TAG" --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}')"
