#!/usr/bin/env bash
# Installs what `make bench` needs on top of the test peers: wrk (Debian) as the load generator.
# Idempotent: does nothing when it is present. Not part of `make test` or CI.
set -euo pipefail

scripts/install-test-deps.sh
if command -v wrk >/dev/null; then
  exit 0
fi
echo "installing the bench load generator: wrk"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends wrk
