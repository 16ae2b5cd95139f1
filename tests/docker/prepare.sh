#!/usr/bin/env bash
# Everything the docker tests need, done only where missing: Debian's docker.io and
# debootstrap, a running dockerd, and the locally built images.
#   prepare.sh TOXIPROXY_SERVER_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log="${TMPDIR:-/tmp}/gauntlet-dockerd.log"

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    echo "installing docker.io and debootstrap"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io debootstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd (log: $log)"
    setsid dockerd >"$log" 2>&1 </dev/null &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { echo "dockerd did not start; see $log" >&2; exit 1; }
fi

"$here/images/build.sh" "$1"
