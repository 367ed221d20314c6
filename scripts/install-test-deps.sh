#!/usr/bin/env bash
# Installs the real programs the tests start on loopback. Idempotent: does nothing when all are present.
set -euo pipefail

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v notary-server >/dev/null || need+=(notary)
command -v skopeo >/dev/null || need+=(skopeo)
command -v gpg >/dev/null || need+=(gnupg)
command -v etcd >/dev/null || need+=(etcd-server)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing test peers: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
