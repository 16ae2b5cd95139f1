#!/usr/bin/env bash
# Builds, only when missing, the images the docker tests use. No registry is needed:
# the base is a Debian rootfs made by debootstrap from Debian's own package mirror.
#   build.sh TOXIPROXY_SERVER_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
toxiproxy_server="$(realpath "$1")"
# The names chaos.containers looks for before falling back to the published images.
base=gauntlet/debian-base:bookworm
postgres=gauntlet/postgres:15
toxiproxy=gauntlet/toxiproxy:2.12.0
export DOCKER_BUILDKIT=0  # the classic builder uses local images as they are, offline

missing() { ! docker image inspect "$1" >/dev/null 2>&1; }

if missing "$base"; then
    echo "building $base with debootstrap (about a minute)"
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    # python3 brings the shared libraries a host Python needs when it is mounted in.
    debootstrap --variant=minbase --include=postgresql,python3 bookworm "$rootfs" >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
    echo "built $base in ${SECONDS} s"
fi

if missing "$postgres"; then
    echo "building $postgres"
    docker build -q -t "$postgres" --build-arg BASE="$base" \
        -f "$here/postgres.Dockerfile" "$here" >/dev/null
fi

if missing "$toxiproxy"; then
    echo "building $toxiproxy"
    context="$(mktemp -d)"
    cp "$toxiproxy_server" "$context/toxiproxy"
    docker build -q -t "$toxiproxy" --build-arg BASE="$base" \
        -f "$here/toxiproxy.Dockerfile" "$context" >/dev/null
    rm -rf "$context"
fi
echo "images ready after ${SECONDS} s: $postgres $toxiproxy (base $base)"
